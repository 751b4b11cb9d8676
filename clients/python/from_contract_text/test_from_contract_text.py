"""A Python client generated from nothing but the issue's contract text calls all five methods of
the running UsuarioServicio. It runs in its own interpreter: the contract it compiles defines the
same `user.*` names as the stubs in gen/, and must not lean on them."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import grpc
import pytest

from switchboard_client import Addresses, TlsFiles, channel, connect
from switchboard_client.stubs import user_service_pb2

HERE = Path(__file__).resolve().parent


@pytest.fixture
def user_name() -> str:
    addresses, tls = Addresses.from_env(), TlsFiles.from_env()
    for address in (addresses.users, addresses.images):
        probe = channel(address, tls)
        try:
            grpc.channel_ready_future(probe).result(timeout=3)
        except grpc.FutureTimeoutError:
            if os.environ.get("SWITCHBOARD_SYSTEM_UP"):  # set by scripts/system-test.sh
                pytest.fail(f"{address} is not reachable, though the system is up")
            pytest.skip(f"{address} is not reachable; start the system with `pnpm start`")
        finally:
            probe.close()
    name = f"Contrato {uuid.uuid4().hex[:10]}"
    with connect(addresses, tls, from_env=False) as sb:
        request = user_service_pb2.CreateUserRequest(
            request_id=str(uuid.uuid4()), name=name, email=f"{uuid.uuid4().hex}@example.com"
        )
        sb.users.CreateUser(request, timeout=5)
    return name


def test_a_client_compiled_from_the_issue_text_calls_all_five_methods(user_name):
    command = [sys.executable, str(HERE / "client.py"), "--address", Addresses.from_env().users, "--name", user_name]
    if os.environ.get("SWITCHBOARD_CA_FILE"):
        command += ["--ca", os.environ["SWITCHBOARD_CA_FILE"]]
    if os.environ.get("SWITCHBOARD_CERT_FILE"):
        command += ["--cert", os.environ["SWITCHBOARD_CERT_FILE"], "--key", os.environ["SWITCHBOARD_KEY_FILE"]]
    # A clean interpreter: only the installed packages, nothing from this repository on its path.
    clean_env = {**os.environ, "PYTHONPATH": ""}
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=HERE, env=clean_env)
    print(run.stdout)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith(f"GetUser: id=") and f"name={user_name} " in lines[0]
    assert lines[1].startswith("ProcessImage: image ") and lines[1].endswith(", image/png, 32x32")
    assert lines[2].startswith("GetStreamImage: image ")
    assert any(line.startswith("ImageStreamReply: received ") for line in lines)
    assert [line for line in lines if line.startswith("GetUserBidiStream")][0] == (
        f"GetUserBidiStream: name={user_name} pow=1 image=0 bytes"
    )

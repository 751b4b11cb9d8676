"""Fixtures: clients for the running services, and a skip with a clear reason for each service that
is not reachable (so the suite runs wherever some of the system is up); the dev certificates for
the TLS tests."""

import os
import subprocess
import uuid
from pathlib import Path

import grpc
import pytest

from switchboard_client import Addresses, Clients, TlsFiles, channel, connect
from switchboard_client.stubs import user_service_pb2

REPO = Path(__file__).resolve().parents[3]
ADDRESSES = Addresses.from_env()
TLS = TlsFiles.from_env()
_reachable: dict[str, bool] = {}


def _require(service: str, address: str) -> None:
    if service not in _reachable:
        probe = channel(address, TLS)
        try:
            grpc.channel_ready_future(probe).result(timeout=3)
            _reachable[service] = True
        except grpc.FutureTimeoutError:
            _reachable[service] = False
        finally:
            probe.close()
    if not _reachable[service]:
        mode = "TLS" if TLS else "plaintext"
        # scripts/system-test.sh sets SWITCHBOARD_SYSTEM_UP once `pnpm start` is up: then it is a failure.
        if os.environ.get("SWITCHBOARD_SYSTEM_UP"):
            pytest.fail(f"{service} is not reachable at {address} ({mode}), though the system is up")
        pytest.skip(f"{service} is not reachable at {address} ({mode}); start it with `pnpm start`")


@pytest.fixture(scope="session")
def sb() -> Clients:
    clients = connect(ADDRESSES, TLS, from_env=False)
    yield clients
    clients.close()


@pytest.fixture
def users_up() -> None:
    _require("user-service", ADDRESSES.users)


@pytest.fixture
def images_up() -> None:
    _require("image-service", ADDRESSES.images)


@pytest.fixture
def notifications_up() -> None:
    _require("notification-service", ADDRESSES.notifications)


@pytest.fixture
def new_user(sb: Clients, users_up: None):
    """Makes a user with a unique name (and email) through UserService."""

    def make(prefix: str = "Py") -> user_service_pb2.CreateUserResponse:
        name = f"{prefix} {uuid.uuid4().hex[:10]}"
        request = user_service_pb2.CreateUserRequest(
            request_id=str(uuid.uuid4()), name=name, email=f"{uuid.uuid4().hex}@example.com"
        )
        return sb.users.CreateUser(request, timeout=5).user

    return make


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Path:
    """A fresh dev CA and certificates (scripts/dev-certs.sh): server.pem, client.pem, ca.pem and keys."""
    directory = tmp_path_factory.mktemp("certs")
    subprocess.run(["bash", str(REPO / "scripts" / "dev-certs.sh"), str(directory)], check=True, capture_output=True)
    return directory

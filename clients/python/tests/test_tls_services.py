"""The real services under mutual TLS, started here from their own main.ts with the dev certificates
in their config (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE) on free ports: user-service serving the
seed contract, calling image-service over mutual TLS in turn. Their broker URLs lead nowhere, on
purpose: gRPC does not wait for the brokers, and these extra instances must not touch the running
system's (no events or jobs in its topics and queues, no retained presence overwritten)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import grpc
import pytest

from switchboard_client import TlsFiles, channel
from switchboard_client.png import png
from switchboard_client.stubs import usuario_pb2, usuario_pb2_grpc

REPO = Path(__file__).resolve().parents[3]
NOWHERE = "127.0.0.1:9"  # the discard port: nothing listens there


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_service(name: str, port: int, certs: Path, data_dir: Path, **env: str) -> subprocess.Popen:
    settings = {
        **os.environ,
        "PORT": str(port),
        "DATA_DIR": str(data_dir / name),
        "TLS_CERT_FILE": str(certs / "server.pem"),
        "TLS_KEY_FILE": str(certs / "server-key.pem"),
        "TLS_CA_FILE": str(certs / "ca.pem"),
        "KAFKA_BROKERS": NOWHERE,
        "AMQP_URL": f"amqp://guest:guest@{NOWHERE}",
        "MQTT_URL": f"mqtt://{NOWHERE}",
        "WORKERS": "0",
        **env,
    }
    return subprocess.Popen(
        ["node", "--conditions=source", "--import", "tsx", "src/main.ts"],
        cwd=REPO / "apps" / name,
        env=settings,
        stdout=(data_dir / f"{name}.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.fixture(scope="module")
def services(certs):
    """(user-service address, certificate folder), both services up under mutual TLS."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    data_dir = Path(tempfile.mkdtemp(prefix="switchboard-tls-"))
    images_port, users_port = free_port(), free_port()
    processes = [
        # image-service verifies callers' tokens with the keys of *this* user-service (not the running system's).
        start_service("image-service", images_port, certs, data_dir, USER_SERVICE_URL=f"https://localhost:{users_port}"),
        start_service(
            "user-service", users_port, certs, data_dir, IMAGE_SERVICE_URL=f"https://localhost:{images_port}"
        ),
    ]
    client_tls = TlsFiles(str(certs / "ca.pem"), str(certs / "client.pem"), str(certs / "client-key.pem"))
    try:
        for name, port in (("image-service", images_port), ("user-service", users_port)):
            probe = channel(f"localhost:{port}", client_tls)
            try:
                grpc.channel_ready_future(probe).result(timeout=90)
            except grpc.FutureTimeoutError:
                log = (data_dir / f"{name}.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"{name} did not serve TLS on {port} within 90 s; its log ends:\n{log}")
            finally:
                probe.close()
        yield f"localhost:{users_port}", certs
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(data_dir, ignore_errors=True)


def test_the_seed_contract_over_mutual_tls_stores_an_image_through_image_service_over_mutual_tls(services):
    address, certs = services
    tls = TlsFiles(str(certs / "ca.pem"), str(certs / "client.pem"), str(certs / "client-key.pem"))
    with channel(address, tls) as secure:
        stub = usuario_pb2_grpc.UsuarioServicioStub(secure)
        reply = stub.ProcessImage(usuario_pb2.GetUserRequest(image=png(12, 9)), timeout=30)
        assert reply.message.endswith("image/png, 12x9")
        with pytest.raises(grpc.RpcError) as unknown:
            stub.GetUser(usuario_pb2.GetUserRequest(name="nobody over tls"), timeout=10)
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


def test_the_real_service_refuses_a_client_without_a_certificate_and_a_plaintext_one(services):
    address, certs = services
    for tls in (TlsFiles(str(certs / "ca.pem")), None):
        with channel(address, tls) as refused:
            stub = usuario_pb2_grpc.UsuarioServicioStub(refused)
            with pytest.raises(grpc.RpcError) as failure:
                stub.GetUser(usuario_pb2.GetUserRequest(name="anyone"), timeout=5)
            assert failure.value.code() == grpc.StatusCode.UNAVAILABLE

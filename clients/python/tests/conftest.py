"""Fixtures: clients for the running services — anonymous (`sb`), the dev admin (`admin`) and freshly
signed-up users logged in like a person would (`new_user`) — and a skip with a clear reason for each
service that is not reachable (so the suite runs wherever some of the system is up); the dev
certificates for the TLS tests."""

import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from switchboard_client import Addresses, Clients, Credentials, TlsFiles, channel, connect
from switchboard_client.stubs import user_pb2

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


@pytest.fixture(scope="session")
def admin(sb: Clients) -> Clients:
    """Logged in as the dev admin (SWITCHBOARD_ADMIN_EMAIL / SWITCHBOARD_ADMIN_PASSWORD), for admin-only calls."""
    _require("user-service", ADDRESSES.users)
    return sb.login(Credentials.admin_from_env())


@dataclass(frozen=True)
class Account:
    """A signed-up user, its password, and clients logged in as it."""

    user: user_pb2.User
    credentials: Credentials
    clients: Clients


def sign_up(sb: Clients, prefix: str = "Py") -> tuple[user_pb2.User, Credentials]:
    """CreateUser (anonymous sign-up) with a unique name, email and password."""
    credentials = Credentials(f"{uuid.uuid4().hex}@example.com", f"pw-{uuid.uuid4().hex}")
    return sb.sign_up(f"{prefix} {uuid.uuid4().hex[:10]}", credentials), credentials


@pytest.fixture
def new_user(sb: Clients, users_up: None):
    """Signs up a user with a unique name, email and password, and logs in as it (AuthService.Login)."""

    def make(prefix: str = "Py") -> Account:
        user, credentials = sign_up(sb, prefix)
        return Account(user, credentials, sb.login(credentials))

    return make


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Path:
    """A fresh dev CA and certificates (scripts/dev-certs.sh): server.pem, client.pem, ca.pem and keys."""
    directory = tmp_path_factory.mktemp("certs")
    subprocess.run(["bash", str(REPO / "scripts" / "dev-certs.sh"), str(directory)], check=True, capture_output=True)
    return directory

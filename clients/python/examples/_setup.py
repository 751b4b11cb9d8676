"""Makes `switchboard_client` importable when an example is run as a script, and parses the flags
every example shares (addresses, TLS and the admin's login otherwise come from the environment)."""

import argparse
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from switchboard_client import Addresses, Clients, Credentials, TlsFiles, connect  # noqa: E402


def clients_from_args(description: str) -> tuple[Clients, Credentials]:
    """Anonymous clients, and the admin's login (for admin-only calls: `clients.login(admin)`)."""
    parser = argparse.ArgumentParser(description=description)
    env = Addresses.from_env()
    parser.add_argument("--users", default=env.users, help="user-service address (also UsuarioServicio)")
    parser.add_argument("--images", default=env.images, help="image-service address")
    parser.add_argument("--notifications", default=env.notifications, help="notification-service address")
    parser.add_argument("--ca", help="CA file: use TLS (default: SWITCHBOARD_CA_FILE)")
    parser.add_argument("--cert", help="client certificate, for mutual TLS")
    parser.add_argument("--key", help="client key, for mutual TLS")
    admin = Credentials.admin_from_env()
    parser.add_argument("--admin-email", default=admin.email, help="default: SWITCHBOARD_ADMIN_EMAIL")
    parser.add_argument("--admin-password", default=admin.password, help="default: SWITCHBOARD_ADMIN_PASSWORD")
    args = parser.parse_args()
    tls = TlsFiles(args.ca, args.cert, args.key) if args.ca else TlsFiles.from_env()
    anonymous = connect(Addresses(args.users, args.images, args.notifications), tls, from_env=False)
    return anonymous, Credentials(args.admin_email, args.admin_password)


def signed_up(clients: Clients, prefix: str) -> Clients:
    """A new user with a random email and password, signed up and logged in (the examples' "person")."""
    tag = uuid.uuid4().hex[:8]
    credentials = Credentials(f"{prefix.lower()}.{tag}@example.com", f"{prefix.lower()}-secret-{tag}")
    clients.sign_up(f"{prefix} {tag}", credentials)
    return clients.login(credentials)

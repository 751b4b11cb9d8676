"""Makes `switchboard_client` importable when an example is run as a script, and parses the flags
every example shares (addresses and TLS otherwise come from the environment)."""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from switchboard_client import Addresses, Clients, TlsFiles, connect  # noqa: E402


def clients_from_args(description: str) -> Clients:
    parser = argparse.ArgumentParser(description=description)
    env = Addresses.from_env()
    parser.add_argument("--users", default=env.users, help="user-service address (also UsuarioServicio)")
    parser.add_argument("--images", default=env.images, help="image-service address")
    parser.add_argument("--notifications", default=env.notifications, help="notification-service address")
    parser.add_argument("--ca", help="CA file: use TLS (default: SWITCHBOARD_CA_FILE)")
    parser.add_argument("--cert", help="client certificate, for mutual TLS")
    parser.add_argument("--key", help="client key, for mutual TLS")
    args = parser.parse_args()
    tls = TlsFiles(args.ca, args.cert, args.key) if args.ca else TlsFiles.from_env()
    return connect(Addresses(args.users, args.images, args.notifications), tls, from_env=False)

"""Channels to Switchboard's services: plaintext, TLS (a CA file) or mutual TLS (plus a client
certificate and key), with explicit message-size limits and keepalive."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import grpc

from switchboard_client.stubs import (
    image_service_pb2_grpc,
    notification_service_pb2_grpc,
    user_service_pb2_grpc,
    usuario_pb2_grpc,
)

MiB = 1024 * 1024

# Explicit limits, as every Switchboard server sets them: 8 MiB in (a GetAllReply carries an avatar of
# up to 4 MiB), 4 MiB out (1 MiB image chunks fit easily).
CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", 8 * MiB),
    ("grpc.max_send_message_length", 4 * MiB),
    ("grpc.keepalive_time_ms", 30_000),
]


@dataclass(frozen=True)
class TlsFiles:
    """PEM files: the CA that signed the servers' certificates; our own certificate and key for mTLS."""

    ca_file: str
    cert_file: str | None = None
    key_file: str | None = None

    @classmethod
    def from_env(cls) -> TlsFiles | None:
        """SWITCHBOARD_CA_FILE (TLS), with SWITCHBOARD_CERT_FILE and SWITCHBOARD_KEY_FILE (mTLS)."""
        ca_file = os.environ.get("SWITCHBOARD_CA_FILE")
        if not ca_file:
            return None
        return cls(ca_file, os.environ.get("SWITCHBOARD_CERT_FILE"), os.environ.get("SWITCHBOARD_KEY_FILE"))

    def credentials(self) -> grpc.ChannelCredentials:
        def read(path: str | None) -> bytes | None:
            if path is None:
                return None
            with open(path, "rb") as file:
                return file.read()

        return grpc.ssl_channel_credentials(
            root_certificates=read(self.ca_file),
            private_key=read(self.key_file),
            certificate_chain=read(self.cert_file),
        )


@dataclass(frozen=True)
class Addresses:
    """Where the services listen: `pnpm start`'s ports unless the environment says otherwise."""

    users: str = "localhost:50051"
    images: str = "localhost:50052"
    notifications: str = "localhost:50053"

    @classmethod
    def from_env(cls) -> Addresses:
        return cls(
            users=os.environ.get("SWITCHBOARD_USERS_ADDR", cls.users),
            images=os.environ.get("SWITCHBOARD_IMAGES_ADDR", cls.images),
            notifications=os.environ.get("SWITCHBOARD_NOTIFICATIONS_ADDR", cls.notifications),
        )


def channel(address: str, tls: TlsFiles | None = None) -> grpc.Channel:
    """A channel to one service: secure when given TLS files, plaintext otherwise."""
    if tls is None:
        return grpc.insecure_channel(address, options=CHANNEL_OPTIONS)
    return grpc.secure_channel(address, tls.credentials(), options=CHANNEL_OPTIONS)


@dataclass
class Clients:
    """Stubs for every service (UsuarioServicio shares user-service's channel); closes them all."""

    users: user_service_pb2_grpc.UserServiceStub
    images: image_service_pb2_grpc.ImageServiceStub
    notifications: notification_service_pb2_grpc.NotificationServiceStub
    usuario: usuario_pb2_grpc.UsuarioServicioStub
    channels: list[grpc.Channel] = field(default_factory=list)

    def close(self) -> None:
        for open_channel in self.channels:
            open_channel.close()

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def connect(addresses: Addresses | None = None, tls: TlsFiles | None = None, *, from_env: bool = True) -> Clients:
    """Stubs for every service; addresses and TLS default to the environment (see Addresses, TlsFiles)."""
    addresses = addresses or (Addresses.from_env() if from_env else Addresses())
    if tls is None and from_env:
        tls = TlsFiles.from_env()
    users = channel(addresses.users, tls)
    images = channel(addresses.images, tls)
    notifications = channel(addresses.notifications, tls)
    return Clients(
        users=user_service_pb2_grpc.UserServiceStub(users),
        images=image_service_pb2_grpc.ImageServiceStub(images),
        notifications=notification_service_pb2_grpc.NotificationServiceStub(notifications),
        usuario=usuario_pb2_grpc.UsuarioServicioStub(users),
        channels=[users, images, notifications],
    )

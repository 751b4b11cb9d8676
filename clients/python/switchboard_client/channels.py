"""Channels to Switchboard's services: plaintext, TLS (a CA file) or mutual TLS (plus a client
certificate and key), with explicit message-size limits and keepalive; stubs that send a login's
access token."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

import grpc

from switchboard_client.auth import Credentials, Session
from switchboard_client.bearer import BearerInterceptor
from switchboard_client.stubs import (
    auth_service_pb2_grpc,
    image_service_pb2_grpc,
    notification_service_pb2_grpc,
    user_pb2,
    user_service_pb2,
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


@dataclass(frozen=True)
class Channels:
    """One channel per service (UsuarioServicio and AuthService share user-service's)."""

    users: grpc.Channel
    images: grpc.Channel
    notifications: grpc.Channel

    def close(self) -> None:
        for open_channel in (self.users, self.images, self.notifications):
            open_channel.close()


@dataclass
class Clients:
    """Stubs for every service, sending `session`'s access token when there is one (see login);
    closing closes the channels, unless they belong to the Clients this one was made from."""

    users: user_service_pb2_grpc.UserServiceStub
    images: image_service_pb2_grpc.ImageServiceStub
    notifications: notification_service_pb2_grpc.NotificationServiceStub
    usuario: usuario_pb2_grpc.UsuarioServicioStub
    auth: auth_service_pb2_grpc.AuthServiceStub
    channels: Channels
    session: Session | None = None
    owns_channels: bool = True

    @classmethod
    def over(cls, channels: Channels, session: Session | None = None, *, owns_channels: bool = True) -> Clients:
        """Stubs on `channels`; every call carries `session`'s token when given one."""

        def stubbed(raw: grpc.Channel) -> grpc.Channel:
            return raw if session is None else grpc.intercept_channel(raw, BearerInterceptor(session.access_token))

        users = stubbed(channels.users)
        return cls(
            users=user_service_pb2_grpc.UserServiceStub(users),
            images=image_service_pb2_grpc.ImageServiceStub(stubbed(channels.images)),
            notifications=notification_service_pb2_grpc.NotificationServiceStub(stubbed(channels.notifications)),
            usuario=usuario_pb2_grpc.UsuarioServicioStub(users),
            auth=auth_service_pb2_grpc.AuthServiceStub(users),
            channels=channels,
            session=session,
            owns_channels=owns_channels,
        )

    def sign_up(self, name: str, credentials: Credentials, *, request_id: str | None = None) -> user_pb2.User:
        """CreateUser (anonymous sign-up, role "user") with a password to log in with."""
        request = user_service_pb2.CreateUserRequest(
            request_id=request_id or str(uuid.uuid4()),
            name=name,
            email=credentials.email,
            password=credentials.password,
        )
        return self.users.CreateUser(request, timeout=10).user

    def login(self, credentials: Credentials, **session_options: Any) -> Clients:
        """AuthService.Login, then stubs on the same channels that send the login's token on every
        call (refreshing it before it expires). Raises grpc.RpcError (UNAUTHENTICATED) on a wrong
        email or password."""
        auth = auth_service_pb2_grpc.AuthServiceStub(self.channels.users)  # Login/Refresh need no token
        session = Session.login(auth, credentials, **session_options)
        return Clients.over(self.channels, session, owns_channels=False)

    def close(self) -> None:
        if self.owns_channels:
            self.channels.close()

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def connect(
    addresses: Addresses | None = None,
    tls: TlsFiles | None = None,
    *,
    from_env: bool = True,
    credentials: Credentials | None = None,
) -> Clients:
    """Stubs for every service; addresses and TLS default to the environment (see Addresses, TlsFiles).
    With `credentials`, logs in first and sends the token on every call; without, calls are anonymous
    (only sign-up, login and the seed contract answer those)."""
    addresses = addresses or (Addresses.from_env() if from_env else Addresses())
    if tls is None and from_env:
        tls = TlsFiles.from_env()
    channels = Channels(
        users=channel(addresses.users, tls),
        images=channel(addresses.images, tls),
        notifications=channel(addresses.notifications, tls),
    )
    anonymous = Clients.over(channels)
    if credentials is None:
        return anonymous
    try:
        signed_in = anonymous.login(credentials)
    except BaseException:
        channels.close()
        raise
    signed_in.owns_channels = True
    return signed_in

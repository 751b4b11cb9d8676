"""A login to Switchboard (AuthService on user-service): the access token every call sends as
`authorization: Bearer …`, refreshed with the single-use refresh token shortly before it expires."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from switchboard_client.stubs import auth_service_pb2, auth_service_pb2_grpc

# Refresh this long before the access token expires, so a call never leaves with a token that
# expires on the way (the services allow 30 s of clock skew; this is our own margin).
REFRESH_MARGIN_SECONDS = 30.0


@dataclass(frozen=True)
class Credentials:
    """An email and password to log in with."""

    email: str
    password: str

    @classmethod
    def admin_from_env(cls) -> Credentials:
        """The dev admin: SWITCHBOARD_ADMIN_EMAIL / SWITCHBOARD_ADMIN_PASSWORD (`pnpm start`'s defaults)."""
        return cls(
            os.environ.get("SWITCHBOARD_ADMIN_EMAIL", "admin@example.com"),
            os.environ.get("SWITCHBOARD_ADMIN_PASSWORD", "switchboard-admin"),
        )


class Session:
    """The tokens of one login. `access_token()` is what to send: it refreshes first when the token
    is about to expire. Thread-safe (gRPC may ask for the token from several threads)."""

    def __init__(
        self,
        auth: auth_service_pb2_grpc.AuthServiceStub,
        tokens: auth_service_pb2.Tokens,
        *,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 10.0,
    ) -> None:
        self._auth = auth
        self._clock = clock
        self._timeout = timeout
        self._lock = threading.Lock()
        self._take(tokens)

    @classmethod
    def login(
        cls,
        auth: auth_service_pb2_grpc.AuthServiceStub,
        credentials: Credentials,
        *,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 10.0,
    ) -> Session:
        """AuthService.Login; raises grpc.RpcError (UNAUTHENTICATED for a wrong email or password)."""
        request = auth_service_pb2.LoginRequest(email=credentials.email, password=credentials.password)
        response = auth.Login(request, timeout=timeout)
        return cls(auth, response.tokens, clock=clock, timeout=timeout)

    @property
    def subject(self) -> str:
        """Who this login is: the user's id."""
        return self._tokens.subject

    @property
    def refresh_token(self) -> str:
        return self._tokens.refresh_token

    def access_token(self) -> str:
        """The current access token, refreshed first if it expires within REFRESH_MARGIN_SECONDS."""
        with self._lock:
            if self._clock() >= self._expires_at - REFRESH_MARGIN_SECONDS:
                self._refresh_locked()
            return self._tokens.access_token

    def refresh(self) -> None:
        """AuthService.Refresh now: a new access token and a new refresh token (the old one is retired)."""
        with self._lock:
            self._refresh_locked()

    def logout(self) -> None:
        """AuthService.Logout: this login's refresh tokens stop working."""
        with self._lock:
            request = auth_service_pb2.LogoutRequest(refresh_token=self._tokens.refresh_token)
            self._auth.Logout(request, timeout=self._timeout)

    def _refresh_locked(self) -> None:
        request = auth_service_pb2.RefreshRequest(refresh_token=self._tokens.refresh_token)
        self._take(self._auth.Refresh(request, timeout=self._timeout).tokens)

    def _take(self, tokens: auth_service_pb2.Tokens) -> None:
        if not tokens.access_token:
            raise ValueError("the login answered without an access token")
        self._tokens = tokens
        self._expires_at = self._clock() + tokens.expires_in

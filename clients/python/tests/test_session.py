"""The client's login plumbing — Session (Login, refresh before expiry) and the bearer interceptor on
every call kind — against a local gRPC server that plays AuthService and echoes the `authorization`
it receives. Needs no running services: it proves the client, not user-service (tests/test_auth.py
does that against the real one)."""

import itertools
from concurrent import futures

import grpc
import pytest

from switchboard_client import Addresses, Credentials, connect
from switchboard_client.auth import REFRESH_MARGIN_SECONDS
from switchboard_client.stubs import auth_service_pb2, auth_service_pb2_grpc, usuario_pb2, usuario_pb2_grpc

LIFETIME = 900


class Auth(auth_service_pb2_grpc.AuthServiceServicer):
    """Issues access-N / refresh-N; accepts only the latest refresh token."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.current_refresh = ""
        self.refreshes = 0

    def _tokens(self) -> auth_service_pb2.Tokens:
        n = next(self.counter)
        self.current_refresh = f"refresh-{n}"
        return auth_service_pb2.Tokens(
            access_token=f"access-{n}",
            token_type="Bearer",
            expires_in=LIFETIME,
            refresh_token=self.current_refresh,
            subject="11111111-1111-4111-8111-111111111111",
        )

    def Login(self, request, context):
        if (request.email, request.password) != ("ana@example.com", "ana-password"):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "wrong email or password")
        return auth_service_pb2.LoginResponse(tokens=self._tokens())

    def Refresh(self, request, context):
        if request.refresh_token != self.current_refresh:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "unknown refresh token")
        self.refreshes += 1
        return auth_service_pb2.RefreshResponse(tokens=self._tokens())


def authorization(context: grpc.ServicerContext) -> str:
    return dict(context.invocation_metadata()).get("authorization", "<none>")


class Echo(usuario_pb2_grpc.UsuarioServicioServicer):
    """Answers every call kind with the authorization header it was sent."""

    def GetUser(self, request, context):
        return usuario_pb2.GetUserReply(message=authorization(context))

    def GetStreamImage(self, request_iterator, context):
        for _ in request_iterator:
            pass
        return usuario_pb2.GetUserReply(message=authorization(context))

    def ImageStreamReply(self, request_iterator, context):
        for _ in request_iterator:
            yield usuario_pb2.GetImageReply(message=authorization(context))


@pytest.fixture
def server():
    auth = Auth()
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    auth_service_pb2_grpc.add_AuthServiceServicer_to_server(auth, grpc_server)
    usuario_pb2_grpc.add_UsuarioServicioServicer_to_server(Echo(), grpc_server)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_server.start()
    address = f"127.0.0.1:{port}"
    yield auth, Addresses(address, address, address)
    grpc_server.stop(None)


def test_a_login_sends_its_bearer_token_on_unary_client_stream_and_bidi_calls(server):
    _, addresses = server
    with connect(addresses, from_env=False, credentials=Credentials("ana@example.com", "ana-password")) as sb:
        assert sb.session.subject == "11111111-1111-4111-8111-111111111111"
        assert sb.usuario.GetUser(usuario_pb2.GetUserRequest(name="x"), timeout=5).message == "Bearer access-1"
        chunks = iter([usuario_pb2.GetImage(image=b"a")])
        assert sb.usuario.GetStreamImage(chunks, timeout=5).message == "Bearer access-1"
        replies = sb.usuario.ImageStreamReply(iter([usuario_pb2.GetImage(image=b"a")]), timeout=5)
        assert [r.message for r in replies] == ["Bearer access-1"]


def test_anonymous_clients_send_no_authorization(server):
    _, addresses = server
    with connect(addresses, from_env=False) as sb:
        assert sb.session is None
        assert sb.usuario.GetUser(usuario_pb2.GetUserRequest(name="x"), timeout=5).message == "<none>"


def test_the_token_is_refreshed_shortly_before_it_expires_and_not_earlier(server):
    auth, addresses = server
    now = [1000.0]
    with connect(addresses, from_env=False) as anonymous:
        me = anonymous.login(Credentials("ana@example.com", "ana-password"), clock=lambda: now[0])
        now[0] += LIFETIME - REFRESH_MARGIN_SECONDS - 1
        assert me.usuario.GetUser(usuario_pb2.GetUserRequest(), timeout=5).message == "Bearer access-1"
        now[0] += 2  # inside the margin: the next call refreshes first
        assert me.usuario.GetUser(usuario_pb2.GetUserRequest(), timeout=5).message == "Bearer access-2"
        assert (auth.refreshes, me.session.refresh_token) == (1, "refresh-2")


def test_a_wrong_password_raises_unauthenticated(server):
    _, addresses = server
    with pytest.raises(grpc.RpcError) as failure:
        connect(addresses, from_env=False, credentials=Credentials("ana@example.com", "wrong"))
    assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED

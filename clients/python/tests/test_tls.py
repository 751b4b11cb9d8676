"""The client's secure modes — TLS from a CA file, mutual TLS with a client certificate — against a
local gRPC server using the project's dev certificates (scripts/dev-certs.sh). Needs no running
services: it proves the channel factory, not a deployment."""

from concurrent import futures
from pathlib import Path

import grpc
import pytest

from switchboard_client import TlsFiles, channel
from switchboard_client.stubs import usuario_pb2, usuario_pb2_grpc

class Echo(usuario_pb2_grpc.UsuarioServicioServicer):
    def GetUser(self, request, context):
        return usuario_pb2.GetUserReply(message=f"hello {request.name}")


def serve(certs: Path, *, mutual: bool) -> tuple[grpc.Server, int]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    usuario_pb2_grpc.add_UsuarioServicioServicer_to_server(Echo(), server)
    credentials = grpc.ssl_server_credentials(
        [((certs / "server-key.pem").read_bytes(), (certs / "server.pem").read_bytes())],
        root_certificates=(certs / "ca.pem").read_bytes() if mutual else None,
        require_client_auth=mutual,
    )
    port = server.add_secure_port("localhost:0", credentials)
    server.start()
    return server, port


def get_user(address: str, tls: TlsFiles | None) -> str:
    with channel(address, tls) as open_channel:
        stub = usuario_pb2_grpc.UsuarioServicioStub(open_channel)
        return stub.GetUser(usuario_pb2.GetUserRequest(name="tls"), timeout=5).message


def test_tls_with_the_ca_file_connects_and_plaintext_does_not(certs):
    server, port = serve(certs, mutual=False)
    try:
        assert get_user(f"localhost:{port}", TlsFiles(str(certs / "ca.pem"))) == "hello tls"
        with pytest.raises(grpc.RpcError) as failure:
            get_user(f"localhost:{port}", None)
        assert failure.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        server.stop(None)


def test_mutual_tls_serves_a_client_with_a_certificate_and_refuses_one_without(certs):
    server, port = serve(certs, mutual=True)
    try:
        with_cert = TlsFiles(str(certs / "ca.pem"), str(certs / "client.pem"), str(certs / "client-key.pem"))
        assert get_user(f"localhost:{port}", with_cert) == "hello tls"
        with pytest.raises(grpc.RpcError) as failure:
            get_user(f"localhost:{port}", TlsFiles(str(certs / "ca.pem")))
        assert failure.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        server.stop(None)

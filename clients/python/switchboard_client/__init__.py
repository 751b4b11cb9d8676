"""A small Python client for Switchboard, on stubs generated from proto/ by grpcio-tools (gen/).

    from switchboard_client import connect
    with connect() as sb:                      # addresses and TLS from the environment
        sb.usuario.GetUser(usuario_pb2.GetUserRequest(name="Ana"), timeout=5)
"""

from switchboard_client import stubs  # noqa: F401  (puts gen/ on sys.path first)
from switchboard_client.calls import (
    DEFAULT_TIMEOUT,
    chunks,
    download_image,
    process_image_stream,
    upload_image,
)
from switchboard_client.channels import Addresses, Clients, TlsFiles, channel, connect
from switchboard_client.png import png

__all__ = [
    "DEFAULT_TIMEOUT",
    "Addresses",
    "Clients",
    "TlsFiles",
    "channel",
    "chunks",
    "connect",
    "download_image",
    "png",
    "process_image_stream",
    "upload_image",
]

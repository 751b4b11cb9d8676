"""A small Python client for Switchboard, on stubs generated from proto/ by grpcio-tools (gen/).

    from switchboard_client import Credentials, connect
    with connect(credentials=Credentials("ana@example.com", "a-long-password")) as sb:
        sb.users.GetUser(user_service_pb2.GetUserRequest(id=sb.session.subject), timeout=5)

Addresses and TLS come from the environment; every call carries the login's access token
(`authorization: Bearer …`), refreshed before it expires.
"""

from switchboard_client import stubs  # noqa: F401  (puts gen/ on sys.path first)
from switchboard_client.auth import Credentials, Session
from switchboard_client.bearer import BearerInterceptor
from switchboard_client.calls import (
    DEFAULT_TIMEOUT,
    chunks,
    download_image,
    process_image_stream,
    upload_image,
)
from switchboard_client.channels import Addresses, Channels, Clients, TlsFiles, channel, connect
from switchboard_client.png import png

__all__ = [
    "DEFAULT_TIMEOUT",
    "Addresses",
    "BearerInterceptor",
    "Channels",
    "Clients",
    "Credentials",
    "Session",
    "TlsFiles",
    "channel",
    "chunks",
    "connect",
    "download_image",
    "png",
    "process_image_stream",
    "upload_image",
]

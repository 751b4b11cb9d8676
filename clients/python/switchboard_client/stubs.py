"""The generated stubs (gen/, made by generate.sh from proto/), importable by their proto packages.

protoc's Python output imports its siblings absolutely (`from switchboard.user.v1 import user_pb2`),
so gen/ itself must be on sys.path; this module puts it there once and re-exports what clients use.
"""

import sys
from pathlib import Path

GEN_DIR = Path(__file__).resolve().parent.parent / "gen"
if str(GEN_DIR) not in sys.path:
    sys.path.insert(0, str(GEN_DIR))

from switchboard.auth.v1 import auth_service_pb2, auth_service_pb2_grpc  # noqa: E402
from switchboard.image.v1 import image_pb2, image_service_pb2, image_service_pb2_grpc  # noqa: E402
from switchboard.notification.v1 import (  # noqa: E402
    notification_pb2,
    notification_service_pb2,
    notification_service_pb2_grpc,
)
from switchboard.user.v1 import user_pb2, user_service_pb2, user_service_pb2_grpc  # noqa: E402
from user import usuario_pb2, usuario_pb2_grpc  # noqa: E402

__all__ = [
    "auth_service_pb2",
    "auth_service_pb2_grpc",
    "image_pb2",
    "image_service_pb2",
    "image_service_pb2_grpc",
    "notification_pb2",
    "notification_service_pb2",
    "notification_service_pb2_grpc",
    "user_pb2",
    "user_service_pb2",
    "user_service_pb2_grpc",
    "usuario_pb2",
    "usuario_pb2_grpc",
]

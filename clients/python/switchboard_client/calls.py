"""Helpers for the call kinds that need more than one line: chunked uploads (client streaming),
downloads (server streaming) and streamed processing (bidi). Every call carries a deadline."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from switchboard_client.stubs import image_pb2, image_service_pb2, image_service_pb2_grpc

DEFAULT_TIMEOUT = 10.0
CHUNK_SIZE = 64 * 1024  # image-service's recommended chunk size


def chunks(data: bytes, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """`data` in pieces of `size` bytes (the last one shorter)."""
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


def upload_image(
    images: image_service_pb2_grpc.ImageServiceStub,
    data: bytes,
    owner_id: str = "",
    *,
    filename: str = "upload.png",
    chunk_size: int = CHUNK_SIZE,
    timeout: float = 60.0,
) -> image_pb2.Image:
    """UploadImage (client streaming): the metadata (size and sha256, verified by the server), then chunks.
    The owner is the caller unless `owner_id` names another (only an admin or a service may)."""

    def requests() -> Iterator[image_service_pb2.UploadImageRequest]:
        yield image_service_pb2.UploadImageRequest(
            metadata=image_service_pb2.UploadMetadata(
                filename=filename,
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                owner_id=owner_id,
            )
        )
        for piece in chunks(data, chunk_size):
            yield image_service_pb2.UploadImageRequest(chunk=piece)

    return images.UploadImage(requests(), timeout=timeout).image


def download_image(
    images: image_service_pb2_grpc.ImageServiceStub,
    image_id: str,
    *,
    variant_id: str = "",
    chunk_size: int = 0,
    timeout: float = 60.0,
) -> tuple[image_service_pb2.DownloadMetadata, bytes]:
    """DownloadImage (server streaming): the metadata message, and the chunks joined."""
    metadata = None
    parts: list[bytes] = []
    request = image_service_pb2.DownloadImageRequest(image_id=image_id, variant_id=variant_id, chunk_size=chunk_size)
    for message in images.DownloadImage(request, timeout=timeout):
        if message.WhichOneof("data") == "metadata":
            metadata = message.metadata
        else:
            parts.append(message.chunk)
    if metadata is None:
        raise ValueError("the download carried no metadata")
    return metadata, b"".join(parts)


def process_image_stream(
    images: image_service_pb2_grpc.ImageServiceStub,
    data: bytes,
    operations: Iterable[image_pb2.Operation],
    owner_id: str = "",
    *,
    filename: str = "upload.png",
    timeout: float = 60.0,
) -> Iterator[image_service_pb2.ProcessImageStreamResponse]:
    """ProcessImageStream (bidi): start, then chunks; yields progress messages and finally the result."""

    def requests() -> Iterator[image_service_pb2.ProcessImageStreamRequest]:
        yield image_service_pb2.ProcessImageStreamRequest(
            start=image_service_pb2.ProcessImageStreamStart(
                metadata=image_service_pb2.UploadMetadata(
                    filename=filename,
                    size_bytes=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    owner_id=owner_id,
                ),
                operations=list(operations),
            )
        )
        for piece in chunks(data):
            yield image_service_pb2.ProcessImageStreamRequest(chunk=piece)

    return images.ProcessImageStream(requests(), timeout=timeout)

"""ImageService on image-service: every call kind — an image uploaded in chunks (client stream),
downloaded in chunks (server stream), processed (unary) and uploaded-and-processed in one session
(bidi), then looked up and listed — by a user signed up and logged in for it: the images are its own.

    python examples/images.py [--images localhost:50052] [--ca certs/dev/ca.pem]
"""

from _setup import clients_from_args, signed_up

from switchboard_client import Clients, download_image, png, process_image_stream, upload_image
from switchboard_client.stubs import image_pb2, image_service_pb2


def run(sb: Clients) -> list[str]:
    """`sb` logged in as a user: it owns what it uploads (owner_id left empty = the caller)."""
    lines: list[str] = []
    owner = sb.session.subject
    data = png(320, 240, noise=True)

    # Client streaming: metadata (size, sha256), then 64 KiB chunks.
    image = upload_image(sb.images, data, filename="noise.png")
    lines.append(f"UploadImage: {image.id} {image.content_type} {image.width}x{image.height} {image.size_bytes} bytes")

    # Server streaming: metadata, then chunks.
    metadata, downloaded = download_image(sb.images, image.id)
    identical = downloaded == data
    lines.append(f"DownloadImage: {len(downloaded)} bytes, identical={identical}, sha256={metadata.sha256[:12]}…")

    # Unary: real pixel work, stored as a variant.
    variant = sb.images.ProcessImage(
        image_service_pb2.ProcessImageRequest(
            image_id=image.id,
            operations=[
                image_pb2.Operation(resize=image_pb2.Resize(width=160)),
                image_pb2.Operation(grayscale=image_pb2.Grayscale()),
            ],
        ),
        timeout=30,
    ).variant
    lines.append(f"ProcessImage: variant {variant.id} {variant.width}x{variant.height} {variant.content_type}")

    # Bidi: chunks in; progress and the result out, interleaved.
    for message in process_image_stream(
        sb.images, data, [image_pb2.Operation(thumbnail=image_pb2.Thumbnail(size=64))]
    ):
        if message.WhichOneof("data") == "progress":
            stage = image_service_pb2.Stage.Name(message.progress.stage)
            received, total = message.progress.bytes_received, message.progress.bytes_total
            lines.append(f"ProcessImageStream: {stage} {received}/{total}")
        else:
            result = message.result
            lines.append(f"ProcessImageStream: result {result.variant.width}x{result.variant.height}")

    # Unary lookups.
    got = sb.images.GetImage(image_service_pb2.GetImageRequest(image_id=image.id), timeout=5).image
    lines.append(f"GetImage: {got.id} with {len(got.variants)} variant(s)")
    page = sb.images.ListImages(image_service_pb2.ListImagesRequest(page_size=10), timeout=5)
    lines.append(f"ListImages: {len(page.images)} image(s) of {owner}")
    return lines


if __name__ == "__main__":
    clients, _admin = clients_from_args(__doc__)
    with clients, signed_up(clients, "Pictures") as user:
        print("\n".join(run(user)))

"""ImageService from Python: chunked upload and download, processing (unary and bidi), lookups."""

import uuid

import grpc
import images as images_example
import pytest

from switchboard_client import download_image, png, process_image_stream, upload_image
from switchboard_client.stubs import image_pb2, image_service_pb2


def test_an_image_uploaded_in_chunks_downloads_identical(sb, images_up):
    data = png(400, 300, noise=True)
    image = upload_image(sb.images, data, str(uuid.uuid4()), chunk_size=32 * 1024)
    assert (image.content_type, image.width, image.height, image.size_bytes) == ("image/png", 400, 300, len(data))
    metadata, downloaded = download_image(sb.images, image.id, chunk_size=16 * 1024)
    assert downloaded == data
    assert metadata.size_bytes == len(data)


def test_bytes_that_are_not_an_image_are_invalid_argument(sb, images_up):
    with pytest.raises(grpc.RpcError) as failure:
        upload_image(sb.images, b"PK\x03\x04" + bytes(1000), str(uuid.uuid4()))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_processing_makes_a_variant_unary_and_in_a_bidi_session(sb, images_up):
    owner = str(uuid.uuid4())
    data = png(200, 100)
    image = upload_image(sb.images, data, owner)
    variant = sb.images.ProcessImage(
        image_service_pb2.ProcessImageRequest(
            image_id=image.id, operations=[image_pb2.Operation(resize=image_pb2.Resize(width=50))]
        ),
        timeout=30,
    ).variant
    assert (variant.width, variant.height) == (50, 25)
    messages = list(
        process_image_stream(sb.images, data, [image_pb2.Operation(rotate=image_pb2.Rotate(degrees=90))], owner)
    )
    assert messages[0].WhichOneof("data") == "progress"
    result = messages[-1].result
    assert (result.variant.width, result.variant.height) == (100, 200)
    listed = sb.images.ListImages(image_service_pb2.ListImagesRequest(owner_id=owner), timeout=5).images
    assert {i.id for i in listed} >= {image.id}


def test_the_images_example_runs_every_call_kind(sb, images_up):
    kinds = {line.split(":")[0] for line in images_example.run(sb)}
    assert kinds == {"UploadImage", "DownloadImage", "ProcessImage", "ProcessImageStream", "GetImage", "ListImages"}

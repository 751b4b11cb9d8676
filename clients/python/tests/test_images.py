"""ImageService from Python: chunked upload and download, processing (unary and bidi), lookups — as
a logged-in user, who owns what it uploads."""

import grpc
import images as images_example
import pytest

from switchboard_client import download_image, png, process_image_stream, upload_image
from switchboard_client.stubs import image_pb2, image_service_pb2


def test_an_image_uploaded_in_chunks_downloads_identical_and_belongs_to_the_caller(new_user, images_up):
    me = new_user("Uploader")
    data = png(400, 300, noise=True)
    image = upload_image(me.clients.images, data, chunk_size=32 * 1024)
    assert (image.content_type, image.width, image.height, image.size_bytes) == ("image/png", 400, 300, len(data))
    assert image.owner_id == me.user.id
    metadata, downloaded = download_image(me.clients.images, image.id, chunk_size=16 * 1024)
    assert downloaded == data
    assert metadata.size_bytes == len(data)


def test_bytes_that_are_not_an_image_are_invalid_argument(new_user, images_up):
    me = new_user("Zipper")
    with pytest.raises(grpc.RpcError) as failure:
        upload_image(me.clients.images, b"PK\x03\x04" + bytes(1000))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_processing_makes_a_variant_unary_and_in_a_bidi_session(new_user, images_up):
    me = new_user("Processor")
    data = png(200, 100)
    image = upload_image(me.clients.images, data)
    variant = me.clients.images.ProcessImage(
        image_service_pb2.ProcessImageRequest(
            image_id=image.id, operations=[image_pb2.Operation(resize=image_pb2.Resize(width=50))]
        ),
        timeout=30,
    ).variant
    assert (variant.width, variant.height) == (50, 25)
    messages = list(
        process_image_stream(me.clients.images, data, [image_pb2.Operation(rotate=image_pb2.Rotate(degrees=90))])
    )
    assert messages[0].WhichOneof("data") == "progress"
    result = messages[-1].result
    assert (result.variant.width, result.variant.height) == (100, 200)
    listed = me.clients.images.ListImages(image_service_pb2.ListImagesRequest(), timeout=5).images
    assert {i.id for i in listed} >= {image.id}


def test_the_images_example_runs_every_call_kind(new_user, images_up):
    me = new_user("Example")
    kinds = {line.split(":")[0] for line in images_example.run(me.clients)}
    assert kinds == {"UploadImage", "DownloadImage", "ProcessImage", "ProcessImageStream", "GetImage", "ListImages"}

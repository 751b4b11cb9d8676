"""The seed contract, user.UsuarioServicio, from Python stubs generated with grpcio-tools, against
the running user-service (and image-service behind it). The seed contract takes no token
(SEED_CONTRACT=open, the default); the modern services the checks read back through do."""

import re

import grpc
import pytest
import usuario as usuario_example
from google.protobuf import field_mask_pb2

from switchboard_client import chunks, download_image, png
from switchboard_client.stubs import image_service_pb2, user_pb2, user_service_pb2, usuario_pb2

SUMMARY = re.compile(r"^image ([0-9a-f-]{36}): (\d+) bytes, (image/\w+), (\d+)x(\d+)$")
MODULUS = 1_000_000_007


def summary(message: str) -> dict:
    match = SUMMARY.match(message)
    assert match, f"not an image summary: {message!r}"
    image_id, size, kind, width, height = match.groups()
    return {"id": image_id, "size": int(size), "type": kind, "width": int(width), "height": int(height)}


def expected_pow(name: str, power: int) -> int:
    return sum(name.encode()) ** power % MODULUS


def test_get_user_answers_the_exact_name_with_id_name_and_email(sb, new_user):
    account = new_user("Ana")
    user = account.user
    reply = sb.usuario.GetUser(usuario_pb2.GetUserRequest(name=user.name), timeout=5)
    assert reply.message == f"id={user.id} name={user.name} email={user.email}"


def test_get_user_answers_not_found_for_an_unknown_name(sb, users_up):
    with pytest.raises(grpc.RpcError) as failure:
        sb.usuario.GetUser(usuario_pb2.GetUserRequest(name="nobody by this name, ever"), timeout=5)
    assert failure.value.code() == grpc.StatusCode.NOT_FOUND


def test_process_image_stores_a_whole_image_owned_by_the_named_user(sb, new_user, images_up):
    account = new_user("Owner")
    user = account.user
    image = png(64, 48)
    reply = sb.usuario.ProcessImage(usuario_pb2.GetUserRequest(name=user.name, image=image), timeout=10)
    stored = summary(reply.message)
    assert stored | {"id": None} == {"id": None, "size": len(image), "type": "image/png", "width": 64, "height": 48}
    got = account.clients.images.GetImage(image_service_pb2.GetImageRequest(image_id=stored["id"]), timeout=5).image
    assert got.owner_id == user.id


def test_process_image_refuses_bytes_that_are_not_an_image(sb, users_up, images_up):
    with pytest.raises(grpc.RpcError) as failure:
        sb.usuario.ProcessImage(usuario_pb2.GetUserRequest(image=b"PK\x03\x04 this is a zip"), timeout=10)
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_get_stream_image_makes_one_image_of_the_chunks(sb, admin, users_up, images_up):
    image = png(300, 300, noise=True)
    requests = (usuario_pb2.GetImage(image=piece) for piece in chunks(image, 50_000))
    stored = summary(sb.usuario.GetStreamImage(requests, timeout=30).message)
    assert (stored["size"], stored["width"], stored["height"]) == (len(image), 300, 300)
    _, downloaded = download_image(admin.images, stored["id"])  # no named user: only an admin reads it
    assert downloaded == image


def test_image_stream_reply_answers_every_chunk_then_the_summary(sb, users_up, images_up):
    image = png(300, 300, noise=True)
    pieces = list(chunks(image, 100_000))
    stream = sb.usuario.ImageStreamReply((usuario_pb2.GetImage(image=p) for p in pieces), timeout=30)
    replies = [reply.message for reply in stream]
    totals = [sum(len(p) for p in pieces[: i + 1]) for i in range(len(pieces))]
    assert replies[:-1] == [f"received {total} bytes" for total in totals]
    assert summary(replies[-1])["size"] == len(image)


def test_get_user_bidi_stream_answers_name_pow_and_avatar_per_request(sb, new_user, images_up):
    account = new_user("Zoë")
    user = account.user
    avatar = png(16, 16)
    reply = sb.usuario.ProcessImage(usuario_pb2.GetUserRequest(name=user.name, image=avatar), timeout=10)
    stored = summary(reply.message)
    account.clients.users.UpdateUser(
        user_service_pb2.UpdateUserRequest(
            user=user_pb2.User(id=user.id, avatar_image_id=stored["id"]),
            update_mask=field_mask_pb2.FieldMask(paths=["avatar_image_id"]),
        ),
        timeout=5,
    )
    requests = (usuario_pb2.GetUserRequest(name=user.name, pow=p) for p in (0, 2, 64))
    replies = list(sb.usuario.GetUserBidiStream(requests, timeout=10))
    assert [(r.name, r.pow) for r in replies] == [(user.name, expected_pow(user.name, p)) for p in (0, 2, 64)]
    assert all(r.image == avatar for r in replies)


def test_get_user_bidi_stream_ends_with_not_found_at_an_unknown_name(sb, new_user):
    account = new_user("Known")
    user = account.user
    requests = iter(
        [
            usuario_pb2.GetUserRequest(name=user.name, pow=1),
            usuario_pb2.GetUserRequest(name="nobody by this name, ever", pow=1),
            usuario_pb2.GetUserRequest(name=user.name, pow=2),
        ]
    )
    received = []
    with pytest.raises(grpc.RpcError) as failure:
        for reply in sb.usuario.GetUserBidiStream(requests, timeout=10):
            received.append(reply.name)
    assert failure.value.code() == grpc.StatusCode.NOT_FOUND
    assert received == [user.name]


def test_get_user_bidi_stream_refuses_a_pow_outside_0_to_64(sb, new_user):
    account = new_user("Pow")
    user = account.user
    with pytest.raises(grpc.RpcError) as failure:
        list(sb.usuario.GetUserBidiStream(iter([usuario_pb2.GetUserRequest(name=user.name, pow=65)]), timeout=10))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_the_usuario_example_runs_every_call_kind(sb, users_up, images_up):
    lines = usuario_example.run(sb)
    kinds = {line.split(":")[0] for line in lines}
    assert kinds == {"GetUser", "ProcessImage", "GetStreamImage", "ImageStreamReply", "GetUserBidiStream"}

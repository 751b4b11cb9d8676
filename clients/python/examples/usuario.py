"""The seed contract, user.UsuarioServicio, on user-service's port: every call kind — text, a whole
image, an image in chunks, and both bidirectional streams.

    python examples/usuario.py [--users localhost:50051] [--ca certs/dev/ca.pem]
"""

import uuid

from _setup import clients_from_args

from switchboard_client import Clients, chunks, png
from switchboard_client.stubs import user_service_pb2, usuario_pb2


def run(sb: Clients) -> list[str]:
    lines: list[str] = []
    # A user to talk about, made through the modern contract.
    name = f"Ana {uuid.uuid4().hex[:8]}"
    sb.users.CreateUser(
        user_service_pb2.CreateUserRequest(request_id=str(uuid.uuid4()), name=name, email=f"{uuid.uuid4()}@example.com"),
        timeout=5,
    )

    # Text (unary): a user's information.
    reply = sb.usuario.GetUser(usuario_pb2.GetUserRequest(name=name), timeout=5)
    lines.append(f"GetUser: {reply.message}")

    # A whole image in one message (unary).
    image = png(64, 48)
    reply = sb.usuario.ProcessImage(usuario_pb2.GetUserRequest(name=name, image=image), timeout=10)
    lines.append(f"ProcessImage: {reply.message}")

    # An image in chunks (client streaming).
    big = png(300, 300, noise=True)
    reply = sb.usuario.GetStreamImage((usuario_pb2.GetImage(image=c) for c in chunks(big)), timeout=30)
    lines.append(f"GetStreamImage: {reply.message}")

    # Bidirectional images: a reply per chunk, then the stored image.
    for answer in sb.usuario.ImageStreamReply((usuario_pb2.GetImage(image=c) for c in chunks(big)), timeout=30):
        lines.append(f"ImageStreamReply: {answer.message}")

    # Bidirectional users: name, pow and avatar bytes per request.
    requests = (usuario_pb2.GetUserRequest(name=name, pow=p) for p in (0, 1, 2, 64))
    for answer in sb.usuario.GetUserBidiStream(requests, timeout=10):
        lines.append(f"GetUserBidiStream: name={answer.name} pow={answer.pow} avatar={len(answer.image)} bytes")
    return lines


if __name__ == "__main__":
    clients, _admin = clients_from_args(__doc__)  # the seed contract is open: no login
    with clients:
        print("\n".join(run(clients)))

"""UserService on user-service: every call kind — unary CRUD, a server stream (ListUsers), a client
stream (ImportUsers) and a bidirectional session (UserSession).

    python examples/users.py [--users localhost:50051] [--ca certs/dev/ca.pem]
"""

import uuid

from _setup import clients_from_args
from google.protobuf import field_mask_pb2

from switchboard_client import Clients
from switchboard_client.stubs import user_pb2, user_service_pb2


def run(sb: Clients) -> list[str]:
    lines: list[str] = []
    tag = uuid.uuid4().hex[:8]

    # Unary: create (idempotent by request_id), get, update with a field mask and a version, delete.
    request = user_service_pb2.CreateUserRequest(
        request_id=str(uuid.uuid4()), name=f"Ana {tag}", email=f"ana.{tag}@example.com"
    )
    user = sb.users.CreateUser(request, timeout=5).user
    again = sb.users.CreateUser(request, timeout=5).user  # a retry: the same user, no second event
    lines.append(f"CreateUser: {user.id} v{user.version} (retry gave {again.id})")
    lines.append(f"GetUser: {sb.users.GetUser(user_service_pb2.GetUserRequest(id=user.id), timeout=5).user.name}")
    updated = sb.users.UpdateUser(
        user_service_pb2.UpdateUserRequest(
            user=user_pb2.User(id=user.id, name=f"Ana María {tag}"),
            update_mask=field_mask_pb2.FieldMask(paths=["name"]),
            expected_version=user.version,
        ),
        timeout=5,
    ).user
    lines.append(f"UpdateUser: {updated.name} v{updated.version}")

    # Client streaming: a bulk import, one row per message; each row stands alone.
    rows = [
        user_service_pb2.ImportUsersRequest(name=f"Row {tag} {i}", email=f"row{i}.{tag}@example.com")
        for i in range(3)
    ]
    rows.append(user_service_pb2.ImportUsersRequest(name="", email="not-an-email"))
    summary = sb.users.ImportUsers(iter(rows), timeout=10)
    lines.append(f"ImportUsers: received={summary.received} created={summary.created} rejected={summary.rejected}")

    # Server streaming: every user matching a filter, one message each.
    for message in sb.users.ListUsers(user_service_pb2.ListUsersRequest(query=tag), timeout=10):
        lines.append(f"ListUsers: {message.user.name}")

    # Bidi: lookups, updates and watches, answered by correlation id; changes pushed as they happen.
    Request = user_service_pb2.UserSessionRequest
    requests = [
        Request(correlation_id="1", watch=user_service_pb2.WatchUsers(ids=[user.id])),
        Request(correlation_id="2", get=user_service_pb2.GetUserRequest(id=user.id)),
        Request(correlation_id="3", get=user_service_pb2.GetUserRequest(id=str(uuid.uuid4()))),
    ]
    session = sb.users.UserSession(iter(requests), timeout=10)
    for answer in session:
        lines.append(f"UserSession: #{answer.correlation_id} {answer.WhichOneof('result')}")

    sb.users.DeleteUser(user_service_pb2.DeleteUserRequest(id=user.id), timeout=5)
    lines.append(f"DeleteUser: {user.id}")
    return lines


if __name__ == "__main__":
    with clients_from_args(__doc__) as clients:
        print("\n".join(run(clients)))

"""UserService on user-service: every call kind — unary CRUD, a server stream (ListUsers), a client
stream (ImportUsers) and a bidirectional session (UserSession) — as a person would: sign up with a
password, log in, manage one's own record; bulk import and listing as the admin.

    python examples/users.py [--users localhost:50051] [--ca certs/dev/ca.pem]
"""

import uuid

from _setup import clients_from_args
from google.protobuf import field_mask_pb2

from switchboard_client import Clients, Credentials
from switchboard_client.stubs import user_pb2, user_service_pb2


def run(sb: Clients, admin: Clients) -> list[str]:
    lines: list[str] = []
    tag = uuid.uuid4().hex[:8]

    # Unary sign-up (anonymous): idempotent by request_id.
    ana = Credentials(f"ana.{tag}@example.com", f"ana-secret-{tag}")
    request = user_service_pb2.CreateUserRequest(
        request_id=str(uuid.uuid4()), name=f"Ana {tag}", email=ana.email, password=ana.password
    )
    user = sb.users.CreateUser(request, timeout=5).user
    again = sb.users.CreateUser(request, timeout=5).user  # a retry: the same user, no second event
    lines.append(f"CreateUser: {user.id} v{user.version} (retry gave {again.id})")

    # Log in: from now on every call of `me` carries Ana's access token.
    with sb.login(ana) as me:
        lines.append(f"Login: {me.session.subject}")
        lines.append(f"GetUser: {me.users.GetUser(user_service_pb2.GetUserRequest(id=user.id), timeout=5).user.name}")
        updated = me.users.UpdateUser(
            user_service_pb2.UpdateUserRequest(
                user=user_pb2.User(id=user.id, name=f"Ana María {tag}"),
                update_mask=field_mask_pb2.FieldMask(paths=["name"]),
                expected_version=user.version,
            ),
            timeout=5,
        ).user
        lines.append(f"UpdateUser: {updated.name} v{updated.version}")

        # Client streaming (admin only): a bulk import, one row per message; each row stands alone.
        rows = [
            user_service_pb2.ImportUsersRequest(name=f"Row {tag} {i}", email=f"row{i}.{tag}@example.com")
            for i in range(3)
        ]
        rows.append(user_service_pb2.ImportUsersRequest(name="", email="not-an-email"))
        summary = admin.users.ImportUsers(iter(rows), timeout=10)
        lines.append(f"ImportUsers: received={summary.received} created={summary.created} rejected={summary.rejected}")

        # Server streaming (admin only): every user matching a filter, one message each.
        for message in admin.users.ListUsers(user_service_pb2.ListUsersRequest(query=tag), timeout=10):
            lines.append(f"ListUsers: {message.user.name}")

        # Bidi: lookups, updates and watches of oneself, answered by correlation id; changes pushed as
        # they happen. Anyone else's id is answered with an error.
        Request = user_service_pb2.UserSessionRequest
        requests = [
            Request(correlation_id="1", watch=user_service_pb2.WatchUsers(ids=[user.id])),
            Request(correlation_id="2", get=user_service_pb2.GetUserRequest(id=user.id)),
            Request(correlation_id="3", get=user_service_pb2.GetUserRequest(id=str(uuid.uuid4()))),
        ]
        for answer in me.users.UserSession(iter(requests), timeout=10):
            lines.append(f"UserSession: #{answer.correlation_id} {answer.WhichOneof('result')}")

        me.users.DeleteUser(user_service_pb2.DeleteUserRequest(id=user.id), timeout=5)
        lines.append(f"DeleteUser: {user.id}")
    return lines


if __name__ == "__main__":
    clients, admin_login = clients_from_args(__doc__)
    with clients, clients.login(admin_login) as admin:
        print("\n".join(run(clients, admin)))

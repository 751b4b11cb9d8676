"""UserService from Python: every call kind against the running user-service, as a signed-up user
(its own record) and as the admin (bulk import and listing)."""

import uuid

import grpc
import pytest
import users as users_example
from google.protobuf import field_mask_pb2

from switchboard_client import Credentials
from switchboard_client.stubs import user_pb2, user_service_pb2


def test_sign_up_is_idempotent_and_the_user_updates_itself_checking_the_version(sb, admin, users_up):
    credentials = Credentials(f"{uuid.uuid4().hex}@example.com", "py-unary-password")
    request = user_service_pb2.CreateUserRequest(
        request_id=str(uuid.uuid4()), name="Py Unary", email=credentials.email, password=credentials.password
    )
    user = sb.users.CreateUser(request, timeout=5).user
    assert sb.users.CreateUser(request, timeout=5).user.id == user.id
    assert user.version == 1
    with sb.login(credentials) as me:
        assert me.session.subject == user.id
        update = user_service_pb2.UpdateUserRequest(
            user=user_pb2.User(id=user.id, name="Py Renamed"),
            update_mask=field_mask_pb2.FieldMask(paths=["name"]),
            expected_version=1,
        )
        assert me.users.UpdateUser(update, timeout=5).user.version == 2
        with pytest.raises(grpc.RpcError) as stale:
            me.users.UpdateUser(update, timeout=5)
        assert stale.value.code() == grpc.StatusCode.ABORTED
        me.users.DeleteUser(user_service_pb2.DeleteUserRequest(id=user.id), timeout=5)
    with pytest.raises(grpc.RpcError) as gone:
        admin.users.GetUser(user_service_pb2.GetUserRequest(id=user.id), timeout=5)
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND


def test_bad_input_is_invalid_argument_naming_the_fields(sb, users_up):
    with pytest.raises(grpc.RpcError) as failure:
        sb.users.CreateUser(user_service_pb2.CreateUserRequest(request_id="x", name="", email="no"), timeout=5)
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "email" in failure.value.details()


def test_client_stream_imports_and_server_stream_lists_as_the_admin(admin):
    tag = uuid.uuid4().hex[:10]
    rows = [
        user_service_pb2.ImportUsersRequest(name=f"Py {tag} {i}", email=f"py{i}.{tag}@example.com")
        for i in range(5)
    ]
    rows.append(user_service_pb2.ImportUsersRequest(name="", email="bad"))
    summary = admin.users.ImportUsers(iter(rows), timeout=10)
    assert (summary.received, summary.created, summary.rejected) == (6, 5, 1)
    assert summary.rejections[0].index == 5
    listed = sorted(
        m.user.name for m in admin.users.ListUsers(user_service_pb2.ListUsersRequest(query=tag), timeout=10)
    )
    assert listed == [f"Py {tag} {i}" for i in range(5)]


def test_bidi_session_answers_by_correlation_id(new_user):
    me = new_user("Session")
    Request, Get = user_service_pb2.UserSessionRequest, user_service_pb2.GetUserRequest
    requests = iter([Request(correlation_id="a", get=Get(id=me.user.id))])
    answers = [(a.correlation_id, a.WhichOneof("result")) for a in me.clients.users.UserSession(requests, timeout=10)]
    assert answers == [("a", "user")]


def test_the_users_example_runs_every_call_kind(sb, admin):
    kinds = {line.split(":")[0] for line in users_example.run(sb, admin)}
    assert kinds == {
        "CreateUser",
        "Login",
        "GetUser",
        "UpdateUser",
        "ImportUsers",
        "ListUsers",
        "UserSession",
        "DeleteUser",
    }

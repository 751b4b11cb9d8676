"""UserService from Python: every call kind against the running user-service."""

import uuid

import grpc
import pytest
import users as users_example
from google.protobuf import field_mask_pb2

from switchboard_client.stubs import user_pb2, user_service_pb2


def test_unary_create_is_idempotent_and_update_checks_the_version(sb, users_up):
    request = user_service_pb2.CreateUserRequest(
        request_id=str(uuid.uuid4()), name="Py Unary", email=f"{uuid.uuid4().hex}@example.com"
    )
    user = sb.users.CreateUser(request, timeout=5).user
    assert sb.users.CreateUser(request, timeout=5).user.id == user.id
    assert user.version == 1
    update = user_service_pb2.UpdateUserRequest(
        user=user_pb2.User(id=user.id, name="Py Renamed"),
        update_mask=field_mask_pb2.FieldMask(paths=["name"]),
        expected_version=1,
    )
    assert sb.users.UpdateUser(update, timeout=5).user.version == 2
    with pytest.raises(grpc.RpcError) as stale:
        sb.users.UpdateUser(update, timeout=5)
    assert stale.value.code() == grpc.StatusCode.ABORTED
    sb.users.DeleteUser(user_service_pb2.DeleteUserRequest(id=user.id), timeout=5)
    with pytest.raises(grpc.RpcError) as gone:
        sb.users.GetUser(user_service_pb2.GetUserRequest(id=user.id), timeout=5)
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND


def test_bad_input_is_invalid_argument_naming_the_fields(sb, users_up):
    with pytest.raises(grpc.RpcError) as failure:
        sb.users.CreateUser(user_service_pb2.CreateUserRequest(request_id="x", name="", email="no"), timeout=5)
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "email" in failure.value.details()


def test_client_stream_imports_and_server_stream_lists(sb, users_up):
    tag = uuid.uuid4().hex[:10]
    rows = [
        user_service_pb2.ImportUsersRequest(name=f"Py {tag} {i}", email=f"py{i}.{tag}@example.com")
        for i in range(5)
    ]
    rows.append(user_service_pb2.ImportUsersRequest(name="", email="bad"))
    summary = sb.users.ImportUsers(iter(rows), timeout=10)
    assert (summary.received, summary.created, summary.rejected) == (6, 5, 1)
    assert summary.rejections[0].index == 5
    listed = sorted(m.user.name for m in sb.users.ListUsers(user_service_pb2.ListUsersRequest(query=tag), timeout=10))
    assert listed == [f"Py {tag} {i}" for i in range(5)]


def test_bidi_session_answers_by_correlation_id(sb, new_user):
    user = new_user("Session")
    Request, Get = user_service_pb2.UserSessionRequest, user_service_pb2.GetUserRequest
    requests = iter(
        [
            Request(correlation_id="a", get=Get(id=user.id)),
            Request(correlation_id="b", get=Get(id=str(uuid.uuid4()))),
        ]
    )
    answers = [(a.correlation_id, a.WhichOneof("result")) for a in sb.users.UserSession(requests, timeout=10)]
    assert answers == [("a", "user"), ("b", "error")]


def test_the_users_example_runs_every_call_kind(sb, users_up):
    kinds = {line.split(":")[0] for line in users_example.run(sb)}
    assert kinds == {"CreateUser", "GetUser", "UpdateUser", "ImportUsers", "ListUsers", "UserSession", "DeleteUser"}

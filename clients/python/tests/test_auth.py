"""Identity against the running system: who may call what (the access table), and the refresh
token's rules — single use, rotating, a reused one revoking the whole login."""

import uuid

import grpc
import pytest

from switchboard_client import BearerInterceptor, Credentials, png, upload_image
from switchboard_client.stubs import (
    auth_service_pb2,
    image_service_pb2,
    notification_service_pb2,
    user_service_pb2,
    user_service_pb2_grpc,
)


def code_of(call) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as failure:
        call()
    return failure.value.code()


def test_anonymous_and_forged_callers_are_unauthenticated(sb, new_user):
    someone = new_user("Target").user
    get = user_service_pb2.GetUserRequest(id=someone.id)
    assert code_of(lambda: sb.users.GetUser(get, timeout=5)) == grpc.StatusCode.UNAUTHENTICATED
    forged = user_service_pb2_grpc.UserServiceStub(
        grpc.intercept_channel(sb.channels.users, BearerInterceptor(lambda: "not.a.jwt"))
    )
    assert code_of(lambda: forged.GetUser(get, timeout=5)) == grpc.StatusCode.UNAUTHENTICATED


def test_a_wrong_password_and_an_unknown_email_get_the_same_unauthenticated(sb, new_user):
    me = new_user("Careful")
    wrong_password = Credentials(me.credentials.email, "not-the-password")
    unknown_email = Credentials(f"{uuid.uuid4().hex}@example.com", me.credentials.password)
    assert code_of(lambda: sb.login(wrong_password)) == grpc.StatusCode.UNAUTHENTICATED
    assert code_of(lambda: sb.login(unknown_email)) == grpc.StatusCode.UNAUTHENTICATED


def test_user_a_cannot_read_delete_or_list_user_b_and_the_admin_can_read_both(new_user, admin):
    a, b = new_user("A"), new_user("B")
    assert a.clients.users.GetUser(user_service_pb2.GetUserRequest(id=a.user.id), timeout=5).user.id == a.user.id
    denied = grpc.StatusCode.PERMISSION_DENIED
    read_b, delete_b = user_service_pb2.GetUserRequest(id=b.user.id), user_service_pb2.DeleteUserRequest(id=b.user.id)
    assert code_of(lambda: a.clients.users.GetUser(read_b, timeout=5)) == denied
    assert code_of(lambda: a.clients.users.DeleteUser(delete_b, timeout=5)) == denied
    listing = user_service_pb2.ListUsersRequest(query=b.user.name)
    assert code_of(lambda: list(a.clients.users.ListUsers(listing, timeout=5))) == denied
    assert admin.users.GetUser(user_service_pb2.GetUserRequest(id=b.user.id), timeout=5).user.name == b.user.name


def test_user_a_cannot_touch_user_b_images_or_notifications(new_user, admin, images_up, notifications_up):
    a, b = new_user("A"), new_user("B")
    image = upload_image(b.clients.images, png(32, 32))
    denied = grpc.StatusCode.PERMISSION_DENIED
    get = image_service_pb2.GetImageRequest(image_id=image.id)
    assert code_of(lambda: a.clients.images.GetImage(get, timeout=5)) == denied
    assert code_of(lambda: upload_image(a.clients.images, png(8, 8), b.user.id)) == denied
    history = notification_service_pb2.ListNotificationsRequest(user_id=b.user.id)
    assert code_of(lambda: a.clients.notifications.ListNotifications(history, timeout=5)) == denied
    send = notification_service_pb2.SendNotificationRequest(user_id=b.user.id, title="spoof", body="from A")
    assert code_of(lambda: a.clients.notifications.SendNotification(send, timeout=5)) == denied
    assert admin.images.GetImage(get, timeout=5).image.owner_id == b.user.id


def test_refresh_gives_a_working_token_and_a_reused_refresh_token_revokes_the_login(sb, new_user):
    me = new_user("Rotating")
    session = me.clients.session
    first_access, first_refresh = session.access_token(), session.refresh_token
    session.refresh()
    assert (session.access_token(), session.refresh_token) != (first_access, first_refresh)
    assert me.clients.users.GetUser(user_service_pb2.GetUserRequest(id=me.user.id), timeout=5).user.id == me.user.id
    # A stolen copy of the retired refresh token is replayed: refused, and the whole login is revoked.
    replay = auth_service_pb2.RefreshRequest(refresh_token=first_refresh)
    assert code_of(lambda: sb.auth.Refresh(replay, timeout=5)) == grpc.StatusCode.UNAUTHENTICATED
    assert code_of(session.refresh) == grpc.StatusCode.UNAUTHENTICATED


def test_logout_ends_the_login(new_user):
    session = new_user("Leaving").clients.session
    session.logout()
    assert code_of(session.refresh) == grpc.StatusCode.UNAUTHENTICATED

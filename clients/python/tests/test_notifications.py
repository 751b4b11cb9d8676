"""NotificationService from Python: a Subscribe stream receives what SendNotification sends."""

import uuid

import notifications as notifications_example

from switchboard_client.stubs import notification_service_pb2


def test_the_notifications_example_subscribes_sends_and_lists(sb, notifications_up):
    lines = notifications_example.run(sb)
    received = next(line for line in lines if line.startswith("Subscribe:"))
    assert "Hello #" in received
    assert any(line.startswith("ListNotifications: ['Hello #") for line in lines)


def test_send_notification_is_kept_in_the_history(sb, notifications_up):
    user_id = str(uuid.uuid4())
    sent = sb.notifications.SendNotification(
        notification_service_pb2.SendNotificationRequest(user_id=user_id, title="Py", body="history"), timeout=5
    ).notification
    request = notification_service_pb2.ListNotificationsRequest(user_id=user_id)
    page = sb.notifications.ListNotifications(request, timeout=5)
    assert [n.id for n in page.notifications] == [sent.id]

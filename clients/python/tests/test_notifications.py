"""NotificationService from Python: a user's Subscribe stream receives what the admin sends."""

import notifications as notifications_example

from switchboard_client.stubs import notification_service_pb2


def test_the_notifications_example_subscribes_sends_and_lists(new_user, admin, notifications_up):
    lines = notifications_example.run(new_user("Reader").clients, admin)
    received = next(line for line in lines if line.startswith("Subscribe:"))
    assert "Hello #" in received
    assert any(line.startswith("ListNotifications: ['Hello #") for line in lines)


def test_send_notification_is_kept_in_the_history_of_its_user(new_user, admin, notifications_up):
    me = new_user("History")
    sent = admin.notifications.SendNotification(
        notification_service_pb2.SendNotificationRequest(user_id=me.user.id, title="Py", body="history"), timeout=5
    ).notification
    request = notification_service_pb2.ListNotificationsRequest(user_id=me.user.id)
    page = me.clients.notifications.ListNotifications(request, timeout=5)
    assert sent.id in [n.id for n in page.notifications]

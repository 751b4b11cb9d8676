"""NotificationService on notification-service: a server stream (Subscribe) that receives a
notification sent with a unary call (SendNotification), then the history (ListNotifications).
A user follows and reads its own notifications; sending is for the admin (or a service).

    python examples/notifications.py [--notifications localhost:50053] [--ca certs/dev/ca.pem]
"""

import threading

from _setup import clients_from_args, signed_up

from switchboard_client import Clients
from switchboard_client.stubs import notification_pb2, notification_service_pb2


def run(me: Clients, admin: Clients) -> list[str]:
    """`me` logged in as a user, `admin` as the admin."""
    lines: list[str] = []
    user_id = me.session.subject

    # Server streaming: follow the user's notifications as they are delivered.
    stream = me.notifications.Subscribe(notification_service_pb2.SubscribeRequest(user_id=user_id), timeout=30)
    received: list[str] = []
    first = threading.Event()

    def follow() -> None:
        try:
            for message in stream:
                # A new user's welcome may come first (sign-up → Kafka → here): wait for what we send.
                if message.notification.kind == notification_pb2.NOTIFICATION_KIND_DIRECT:
                    received.append(message.notification.title)
                    first.set()
                    return
        except Exception:  # the stream is cancelled below once we have what we came for
            first.set()

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()

    # Unary: send one. Subscribe has no replay, so send until the open stream sees one (it starts
    # receiving a moment after the call is made).
    for attempt in range(20):
        request = notification_service_pb2.SendNotificationRequest(
            user_id=user_id, title=f"Hello #{attempt}", body="from Python"
        )
        sent = admin.notifications.SendNotification(request, timeout=5).notification
        lines.append(f"SendNotification: {sent.id} {sent.title}")
        if first.wait(0.5):
            break
    stream.cancel()
    reader.join(5)
    lines.append(f"Subscribe: received {received}")

    # Unary: the history, newest first.
    page = me.notifications.ListNotifications(
        notification_service_pb2.ListNotificationsRequest(user_id=user_id, page_size=10), timeout=5
    )
    lines.append(f"ListNotifications: {[n.title for n in page.notifications]}")
    return lines


if __name__ == "__main__":
    clients, admin_login = clients_from_args(__doc__)
    with clients, signed_up(clients, "Reader") as me, clients.login(admin_login) as admin:
        print("\n".join(run(me, admin)))

"""Notifications: plain-text messages (``messages``), which reminders are due (``due``), and
the pluggable senders (``notifier``: SMTP when configured, the log otherwise)."""

from harness.notify.due import InvitationWatch, ReviewWait, due_notifications
from harness.notify.messages import Notification, NotificationKind
from harness.notify.notifier import (
    LogNotifier,
    MemoryNotifier,
    NotificationError,
    Notifier,
    SmtpNotifier,
    notifier_from_settings,
)

__all__ = [
    "InvitationWatch",
    "LogNotifier",
    "MemoryNotifier",
    "Notification",
    "NotificationError",
    "NotificationKind",
    "Notifier",
    "ReviewWait",
    "SmtpNotifier",
    "due_notifications",
    "notifier_from_settings",
]

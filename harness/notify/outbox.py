"""Sending each notification once: its key is recorded in the same transaction as the send.

The key row is inserted first (a unique constraint), then the message is sent, then the
transaction commits. A second process trying the same key fails on the insert and sends
nothing; a failed send rolls the key back so the next sweep tries again. The one gap left is a
commit failing after a successful send, which can repeat a message but never lose one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from harness.db.engine import Database
from harness.ledger.clock import ensure_utc
from harness.notify.messages import Notification
from harness.notify.models import SentNotification
from harness.notify.notifier import NotificationError, Notifier

__all__ = ["deliver", "sent_keys"]

log = logging.getLogger("harness.notify")


def sent_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """The subset of ``keys`` already sent."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for i in range(0, len(wanted), 500):  # bounded IN lists
        chunk = wanted[i : i + 500]
        found.update(
            session.scalars(select(SentNotification.key).where(SentNotification.key.in_(chunk)))
        )
    return found


def deliver(db: Database, notifier: Notifier, notification: Notification, now: datetime) -> bool:
    """Send ``notification`` unless its key was sent before; True when this call sent it.

    A ``NotificationError`` (mail server down) is logged and answered with False: the key is
    not recorded, so whoever produces the notification again (the sweep) retries it.
    """
    try:
        with db.session(write=True) as session:
            if sent_keys(session, [notification.key]):
                return False
            session.add(
                SentNotification(
                    key=notification.key,
                    kind=notification.kind.value,
                    recipients=len(notification.to),
                    sent_at=ensure_utc(now, "now"),
                )
            )
            session.flush()
            notifier.send(notification)
    except IntegrityError:
        return False  # another process recorded (and sent) it first
    except NotificationError as exc:
        log.warning("notification %s not sent, will retry: %s", notification.key, exc.message)
        return False
    return True

"""Each notification is sent once, on a real database: concurrent senders, failures retried."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from harness.db.engine import Database
from harness.db.migrate import upgrade_head
from harness.notify.messages import Notification, NotificationKind
from harness.notify.models import SentNotification
from harness.notify.notifier import MemoryNotifier, NotificationError
from harness.notify.outbox import deliver, sent_keys

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _note(key: str = "deadline-approaching:1:2026-03-02T13:15:00+00:00") -> Notification:
    return Notification(
        kind=NotificationKind.deadline_approaching,
        to=("ada@example.com",),
        subject="1 h left",
        body="Upload what you have.\n",
        key=key,
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    upgrade_head(url)
    database = Database(url)
    yield database
    database.dispose()


class SlowNotifier(MemoryNotifier):
    """Holds each send until released, so two senders overlap for sure."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def send(self, notification: Notification) -> None:
        self.entered.set()
        assert self.release.wait(10)
        super().send(notification)


class DownNotifier:
    def __init__(self) -> None:
        self.calls = 0

    def send(self, notification: Notification) -> None:
        self.calls += 1
        raise NotificationError("the mail server refused the connection")


def test_a_key_is_sent_once_and_recorded(db: Database) -> None:
    notifier = MemoryNotifier()
    assert deliver(db, notifier, _note(), NOW) is True
    assert deliver(db, notifier, _note(), NOW) is False
    assert len(notifier.sent) == 1
    with db.session() as s:
        row = s.scalar(select(SentNotification))
        assert row is not None and row.kind == "deadline_approaching" and row.recipients == 1
        assert sent_keys(s, [_note().key, "other"]) == {_note().key}


def test_concurrent_senders_send_once(db: Database) -> None:
    notifier = SlowNotifier()
    results: list[bool] = []
    first = threading.Thread(target=lambda: results.append(deliver(db, notifier, _note(), NOW)))
    first.start()
    assert notifier.entered.wait(10)  # the first sender holds the key's row (and the lock)
    second = threading.Thread(target=lambda: results.append(deliver(db, notifier, _note(), NOW)))
    second.start()
    notifier.release.set()
    first.join(10)
    second.join(10)
    assert sorted(results) == [False, True] and len(notifier.sent) == 1


def test_a_failed_send_is_not_recorded_so_it_is_retried(db: Database) -> None:
    down = DownNotifier()
    assert deliver(db, down, _note(), NOW) is False and down.calls == 1
    with db.session() as s:
        assert sent_keys(s, [_note().key]) == set()
    up = MemoryNotifier()
    assert deliver(db, up, _note(), NOW) is True and len(up.sent) == 1

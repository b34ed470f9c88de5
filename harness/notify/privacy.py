"""The record of notifications sent about a candidate: its keys name their invitation or upload
(``invitation-sent:12``, ``deadline-approaching:12:...``, ``submission-received:40``,
``review-waiting:40``). Addresses are never kept here; the keys go with the candidate."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, false, or_, select
from sqlalchemy.orm import Session

from harness.notify.messages import REVIEW_WAITING_KEY
from harness.notify.models import SentNotification
from harness.privacy.holders import ExportPart, FileSink, Holder, Subject, affected
from harness.settings import Settings

__all__ = ["NOTIFICATIONS", "NotificationData"]


def _about(subject: Subject) -> ColumnElement[bool]:
    exact = [f"invitation-sent:{i}" for i in subject.invitation_ids]
    exact += [f"submission-received:{s}" for s in subject.submission_ids]
    exact += [f"{REVIEW_WAITING_KEY}{s}" for s in subject.submission_ids]
    clauses: list[ColumnElement[bool]] = [SentNotification.key.in_(exact)] if exact else []
    clauses += [
        SentNotification.key.like(f"deadline-approaching:{i}:%") for i in subject.invitation_ids
    ]
    return or_(*clauses) if clauses else false()


class NotificationData(Holder):
    name = "notifications"
    tables = frozenset({"notifications_sent"})

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        rows = session.scalars(select(SentNotification).where(_about(subject)))
        return ExportPart(
            records={
                "notifications": [{"kind": n.kind, "sent_at": n.sent_at.isoformat()} for n in rows]
            }
        )

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        return affected(session, delete(SentNotification).where(_about(subject)))


NOTIFICATIONS = NotificationData()

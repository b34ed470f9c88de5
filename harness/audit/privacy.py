"""Audit events about a candidate's invitations and uploads: redacted when the candidate is
erased (the event stays, detached from the erased rows, its details gone)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from harness.audit.models import AuditEvent
from harness.audit.service import redact
from harness.privacy.holders import ExportPart, FileSink, Holder, Subject
from harness.settings import Settings

__all__ = ["AUDIT", "AuditData"]


class AuditData(Holder):
    """Events whose object is one of the subject's invitations or uploads."""

    name = "audit"
    tables = frozenset({"audit_events"})

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        rows = session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    (AuditEvent.object_type == "invitation")
                    & AuditEvent.object_id.in_(subject.invitation_ids or [-1]),
                    (AuditEvent.object_type == "submission")
                    & AuditEvent.object_id.in_(subject.submission_ids or [-1]),
                )
            )
            .order_by(AuditEvent.id)
        )
        return ExportPart(
            records={
                "events": [
                    {
                        "at": e.at.isoformat(),
                        "action": e.action,
                        "object": f"{e.object_type} {e.object_id}",
                    }
                    for e in rows
                ]
            }
        )

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        return redact(session, "invitation", subject.invitation_ids) + redact(
            session, "submission", subject.submission_ids
        )


AUDIT = AuditData()

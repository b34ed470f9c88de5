"""The candidate data of time boxes: the extensions granted, with their reasons."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from harness.privacy.holders import Drafts, ExportPart, FileSink, Holder, Subject, affected
from harness.settings import Settings
from harness.timeboxes.models import TimeExtension

__all__ = ["TIMEBOXES", "TimeBoxData"]


class TimeBoxData(Holder):
    """Extensions of the subject's time boxes (the clock itself is on the invitation)."""

    name = "timeboxes"
    tables = frozenset({"time_extensions"})

    def _rows(self, session: Session, subject: Subject) -> list[TimeExtension]:
        if not subject.invitation_ids:
            return []
        return list(
            session.scalars(
                select(TimeExtension)
                .where(TimeExtension.invitation_id.in_(subject.invitation_ids))
                .order_by(TimeExtension.id)
            )
        )

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        return ExportPart(
            records={
                "extensions": [
                    {
                        "invitation_id": e.invitation_id,
                        "minutes": e.minutes,
                        "reason": e.reason,
                        "granted_at": e.granted_at.isoformat(),
                    }
                    for e in self._rows(session, subject)
                ]
            }
        )

    def summarise(self, session: Session, subject: Subject, drafts: Drafts) -> None:
        for e in self._rows(session, subject):
            draft = drafts.candidate(e.invitation_id)
            minutes = int(draft.figures.get("extension_minutes", 0)) + e.minutes
            draft.figures = {**draft.figures, "extension_minutes": minutes}

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        if not subject.invitation_ids:
            return 0
        return affected(
            session,
            delete(TimeExtension).where(TimeExtension.invitation_id.in_(subject.invitation_ids)),
        )


TIMEBOXES = TimeBoxData()

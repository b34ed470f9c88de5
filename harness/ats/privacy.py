"""The candidate data of ATS integrations: the tests an ATS sent for the candidate, their
callback attempts, and error reports about them. The integrations themselves hold none."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from harness.ats.models import AtsAssessment, AtsCallbackAttempt, AtsErrorReport, AtsIntegration
from harness.privacy.holders import ExportPart, FileSink, Holder, Subject, affected
from harness.settings import Settings

__all__ = ["ATS", "AtsData"]


class AtsData(Holder):
    name = "ats"
    tables = frozenset({"ats_assessments", "ats_callback_attempts", "ats_error_reports"})

    def _rows(self, session: Session, subject: Subject) -> list[AtsAssessment]:
        if not subject.invitation_ids:
            return []
        return list(
            session.scalars(
                select(AtsAssessment).where(AtsAssessment.invitation_id.in_(subject.invitation_ids))
            )
        )

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        out = []
        for row in self._rows(session, subject):
            integration = session.get(AtsIntegration, row.integration_id)
            out.append(
                {
                    "ats": integration.provider if integration else None,
                    "invitation_id": row.invitation_id,
                    "test": row.test_id,
                    "id_in_the_ats": row.public_id,
                    "callback_url": row.callback_url,
                    "sent_at": row.created_at.isoformat(),
                    "callback_state": row.callback_state,
                }
            )
        return ExportPart(records={"ats_tests": out})

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        rows = self._rows(session, subject)
        if not rows:
            return 0
        ids = [r.id for r in rows]
        touched = affected(
            session, delete(AtsCallbackAttempt).where(AtsCallbackAttempt.assessment_id.in_(ids))
        )
        touched += affected(
            session,
            delete(AtsErrorReport).where(AtsErrorReport.public_id.in_([r.public_id for r in rows])),
        )
        touched += affected(session, delete(AtsAssessment).where(AtsAssessment.id.in_(ids)))
        return int(touched)


ATS = AtsData()

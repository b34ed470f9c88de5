"""The candidate data of feedback: comments written for the candidate, survey answers. The
survey's numbers stay as anonymous figures; its comment does not."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from harness.feedback.models import CandidateComment, SurveyResponse
from harness.privacy.holders import Drafts, ExportPart, FileSink, Holder, Subject, affected
from harness.settings import Settings

__all__ = ["FEEDBACK", "FeedbackData"]


class FeedbackData(Holder):
    name = "feedback"
    tables = frozenset({"candidate_comments", "survey_responses"})

    def _surveys(self, session: Session, subject: Subject) -> list[SurveyResponse]:
        return list(
            session.scalars(
                select(SurveyResponse).where(
                    SurveyResponse.invitation_id.in_(subject.invitation_ids or [-1])
                )
            )
        )

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        comments = session.scalars(
            select(CandidateComment)
            .where(CandidateComment.invitation_id.in_(subject.invitation_ids or [-1]))
            .order_by(CandidateComment.id)
        )
        return ExportPart(
            records={
                "feedback_comments": [
                    {
                        "invitation_id": c.invitation_id,
                        "body": c.body,
                        "shared": c.shared,
                        "created_at": c.created_at.isoformat(),
                    }
                    for c in comments
                ],
                "survey": [
                    {
                        "invitation_id": s.invitation_id,
                        "hours_spent": f"{s.hours_spent:f}",
                        "clarity": s.clarity,
                        "fairness": s.fairness,
                        "comment": s.comment,
                        "updated_at": s.updated_at.isoformat(),
                    }
                    for s in self._surveys(session, subject)
                ],
            }
        )

    def summarise(self, session: Session, subject: Subject, drafts: Drafts) -> None:
        for s in self._surveys(session, subject):
            drafts.candidate(s.invitation_id).survey = {
                "hours": f"{s.hours_spent:f}",
                "clarity": s.clarity,
                "fairness": s.fairness,
            }

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        if not subject.invitation_ids:
            return 0
        ids = subject.invitation_ids
        touched = affected(
            session, delete(CandidateComment).where(CandidateComment.invitation_id.in_(ids))
        )
        touched += affected(
            session, delete(SurveyResponse).where(SurveyResponse.invitation_id.in_(ids))
        )
        return int(touched)


FEEDBACK = FeedbackData()

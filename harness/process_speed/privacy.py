"""What the process-speed figures keep of an erased candidate: the seconds from the invitation
to each milestone, so the team's medians do not move. No rows of its own."""

from __future__ import annotations

from sqlalchemy.orm import Session

from harness.privacy.anonymous import milestone_offsets
from harness.privacy.holders import Drafts, Holder, Subject
from harness.process_speed.service import timelines

__all__ = ["MILESTONES", "MilestoneData"]


class MilestoneData(Holder):
    name = "process_speed"
    tables: frozenset[str] = frozenset()

    def summarise(self, session: Session, subject: Subject, drafts: Drafts) -> None:
        for invitation_id, timeline in timelines(session, sorted(subject.invitation_ids)).items():
            drafts.candidate(invitation_id).milestones = milestone_offsets(timeline)


MILESTONES = MilestoneData()

"""Code similarity as one reviewer may see it.

Blind review (``harness.review.visibility``) hides other reviewers' judgements from a reviewer
whose scorecard is still open. A resolution of a similarity match (explained, copied, false
alarm, with a note) is such a judgement, and a match joins two submissions: while the reader
holds an open seat on either of them, a resolution someone else recorded shows only as
"resolved, hidden until you submit your scorecard". Their own resolution they always see.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.errors import NotFound
from harness.integrity import review as integrity
from harness.integrity.review import MatchPage, MatchView, SimilarityView
from harness.integrity.schemas import SimilarityOut
from harness.review.visibility import has_open_seat
from harness.settings import Settings
from harness.submissions.models import Submission

__all__ = ["blind_similarity", "similarity_for", "similarity_match_for"]


def _blind_match(session: Session, submission_id: int, match: MatchView, viewer: Reviewer) -> MatchView:
    if match.resolution is None or match.resolved_by == viewer.email:
        return match
    involved = [submission_id] if match.other_submission_id is None else [submission_id, match.other_submission_id]
    if any(has_open_seat(session, sid, viewer.id) for sid in involved):
        return integrity.hide_resolution(match)
    return match


def blind_similarity(
    session: Session, submission_id: int, view: SimilarityView, viewer: Reviewer | None
) -> SimilarityView:
    """``view`` (of ``submission_id``) as ``viewer`` may see it; unchanged without a viewer."""
    if viewer is None or not view.matches:
        return view
    return replace(view, matches=[_blind_match(session, submission_id, m, viewer) for m in view.matches])


def similarity_for(session: Session, submission_id: int, viewer: Reviewer) -> SimilarityOut:
    """``GET /api/submissions/{id}/similarity`` for ``viewer`` (blind review applied)."""
    if session.get(Submission, submission_id) is None:
        raise NotFound("no such submission")
    view = integrity.similarity_of(session, submission_id)
    return SimilarityOut.model_validate(blind_similarity(session, submission_id, view, viewer))


def similarity_match_for(
    session: Session, settings: Settings, submission_id: int, match_id: int, viewer: Reviewer
) -> MatchPage:
    """One match's side-by-side page for ``viewer`` (blind review applied)."""
    page = integrity.match_page(session, settings, submission_id, match_id)
    return replace(page, match=_blind_match(session, submission_id, page.match, viewer))

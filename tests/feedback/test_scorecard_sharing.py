"""Scorecard comments chosen for sharing with the candidate (issue 12's scorecards feeding
issue 15's feedback), on the shipped assignment's review, on a real database.

A reviewer still scoring blind sees none of the others' comments on the feedback page; once the
review is visible, a scorecard's author or an admin may share its comment, which then shows on
the candidate's page after a final decision while unshared comments never do.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harness.accounts.models import Reviewer, Role
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.feedback.scorecards import share_scorecard_comment
from harness.feedback.service import candidate_feedback, feedback_review
from harness.review import decisions, service
from harness.review.models import Scorecard
from harness.review.seats import open_review
from harness.settings import Settings
from harness.submissions.models import Submission
from tests.review.factories import graded, levels, reviewers, spec_of

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _card(db: Database, settings: Settings, sid: int, who: Reviewer, comment: str) -> int:
    with db.session(write=True) as s:
        me = s.get(Reviewer, who.id)
        assert me is not None
        out = service.submit_scorecard(s, settings, sid, me, ratings=levels(spec_of(settings), 3),
                                       recommendation="advance", comments=comment, now=NOW)
        return out.scorecard.id


def _refused(db: Database, sid: int, card: int, who: Reviewer) -> int:
    with db.session(write=True) as s, pytest.raises(HarnessError) as refused:
        actor = s.get(Reviewer, who.id)
        assert actor is not None
        share_scorecard_comment(s, sid, card, actor)
    return refused.value.status_code


def test_scorecard_comments_are_shared_by_their_author_or_an_admin_once_visible(
    db: Database, settings: Settings
) -> None:
    with db.session(write=True) as s:
        a, b = reviewers(s, 2)
        admin = reviewers(s, 1, role=Role.admin)[0]
        sid = graded(s, settings, 1, email="ada.quill@example.com").id
        other = graded(s, settings, 2).id
        open_review(s, settings, sid, now=NOW)
    a_card = _card(db, settings, sid, a, "A-PRIVATE: the team should probe the CV split.")
    with db.session() as s:  # B still scores blind: nothing of A's shows, not even the preview
        seen = feedback_review(s, settings, sid, s.get(Reviewer, b.id))  # type: ignore[arg-type]
        assert seen.scorecards == [] and seen.preview is None and "submit your own" in seen.hidden
    assert _refused(db, sid, a_card, b) == 403
    b_card = _card(db, settings, sid, b, "B-SHARED: clear writeup; add error analysis next time.")
    with db.session() as s:
        seen = feedback_review(s, settings, sid, s.get(Reviewer, a.id))  # type: ignore[arg-type]
        assert [(c.scorecard_id, c.may_share) for c in seen.scorecards] == [
            (a_card, True), (b_card, False)
        ]
        assert seen.hidden == ""
    assert _refused(db, sid, b_card, a) == 403  # not A's to share
    assert _refused(db, other, b_card, admin) == 404  # not that submission's scorecard
    with db.session(write=True) as s:
        share_scorecard_comment(s, sid, b_card, s.get(Reviewer, b.id))  # type: ignore[arg-type]
    assert _refused(db, sid, b_card, admin) == 409  # shared already
    with db.session(write=True) as s:
        decisions.decide(s, settings, sid, s.get(Reviewer, admin.id), "advance", "strong",  # type: ignore[arg-type]
                         now=NOW)
        sub = s.get(Submission, sid)
        assert sub is not None
        page = candidate_feedback(s, settings, sub.invitation)
    assert page.reason is None and page.feedback is not None
    shown = " ".join(page.feedback.comments)
    assert "B-SHARED" in shown and "A-PRIVATE" not in shown


def test_an_unsubmitted_seat_has_no_comment_to_share(db: Database, settings: Settings) -> None:
    with db.session(write=True) as s:
        a, _ = reviewers(s, 2)
        admin = reviewers(s, 1, role=Role.admin)[0]
        sid = graded(s, settings, 1).id
        open_review(s, settings, sid, now=NOW)
        seat = s.query(Scorecard).filter_by(submission_id=sid, reviewer_id=a.id).one()
    assert _refused(db, sid, seat.id, admin) == 409

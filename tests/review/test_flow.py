"""The review of a submission through its services, on a real database: opening and balanced
assignment, conflicts, blind scorecards, disagreement and reconciliation, the decision gate and
what a decision rests on."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from harness.accounts.models import Role
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.review import decisions, service
from harness.review.models import (
    DecisionBasis,
    DecisionScorecard,
    Review,
    ReviewStatus,
    Scorecard,
    SeatStatus,
)
from harness.review.seats import ReviewConflictError, open_review
from harness.settings import Settings
from tests.review.factories import graded, levels, reviewers, spec_of

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _seats(db: Database, sid: int) -> list[Scorecard]:
    with db.session() as s:
        return list(
            s.scalars(
                select(Scorecard).where(Scorecard.submission_id == sid).order_by(Scorecard.seat)
            )
        )


def _submit(
    db: Database, settings: Settings, sid: int, email: str, level: int, rec: str, **over: int
) -> service.Submitted:
    from harness.accounts.repository import ReviewerRepository

    with db.session(write=True) as s:
        who = ReviewerRepository(s).by_email(email)
        assert who is not None
        return service.submit_scorecard(
            s,
            settings,
            sid,
            who,
            ratings=levels(spec_of(settings), level, **over),
            recommendation=rec,
            comments="fine",
            now=NOW,
        )


def _review_status(db: Database, sid: int) -> str:
    with db.session() as s:
        review = s.scalar(select(Review).where(Review.submission_id == sid))
        assert review is not None
        return review.status


def test_grading_opens_a_review_with_two_balanced_seats(db: Database, settings: Settings) -> None:
    with db.session(write=True) as s:
        revs = reviewers(s, 3)
        reviewers(s, 1, role=Role.admin)  # admins are not drawn automatically
        subs = [graded(s, settings, i) for i in range(3)]
        for sub in subs:
            assert open_review(s, settings, sub.id, now=NOW) is not None
        assert open_review(s, settings, subs[0].id, now=NOW) is not None  # idempotent
    loads = Counter(c.reviewer_id for sid in (x.id for x in subs) for c in _seats(db, sid))
    assert sum(loads.values()) == 6 and set(loads) == {r.id for r in revs}
    assert max(loads.values()) - min(loads.values()) == 0
    for sub in subs:
        seats = _seats(db, sub.id)
        assert len({c.reviewer_id for c in seats}) == 2  # never the same person twice
        assert [c.seat for c in seats] == [1, 2] and all(c.assigned_by == "auto" for c in seats)


def test_no_review_for_an_assignment_without_one_or_an_ungraded_submission(
    db: Database, settings: Settings, tmp_path: object
) -> None:
    from harness.submissions.models import SubmissionStatus
    from tests.db.factories import make_invitation, make_submission

    with db.session(write=True) as s:
        reviewers(s, 2)
        inv, _ = make_invitation(s)
        queued = make_submission(s, settings, inv, status=SubmissionStatus.queued)
        assert open_review(s, settings, queued.id, now=NOW) is None
        inv.assignment_name = "not-an-assignment"
        other = make_submission(s, settings, inv, status=SubmissionStatus.graded)
        assert open_review(s, settings, other.id, now=NOW) is None


def test_declared_conflicts_are_respected(db: Database, settings: Settings) -> None:
    with db.session(write=True) as s:
        a, b, c = reviewers(s, 3)
        service.declare_conflict(
            s, settings, a, email="@rival.example", reason="ex-employer", now=NOW
        )
        sub = graded(s, settings, 1, email="jo@rival.example")
        near = graded(s, settings, 2, email="jo@rival.example.org")  # another domain
        open_review(s, settings, sub.id, now=NOW)
        open_review(s, settings, near.id, now=NOW)
    assert {x.reviewer_id for x in _seats(db, sub.id)} == {b.id, c.id}
    # Near miss: another domain that merely starts the same is not a conflict (a is least loaded).
    assert a.id in {x.reviewer_id for x in _seats(db, near.id)}
    with db.session(write=True) as s, pytest.raises(HarnessError, match="e-mail address"):
        service.declare_conflict(s, settings, a, email="not an address", reason="", now=NOW)


def test_a_seat_given_up_for_a_conflict_goes_to_someone_else(
    db: Database, settings: Settings
) -> None:
    with db.session(write=True) as s:
        a, b, c = reviewers(s, 3)
        sub = graded(s, settings, 1)
        open_review(s, settings, sub.id, now=NOW)
    holder = _seats(db, sub.id)[0]
    with db.session(write=True) as s:
        from harness.accounts.repository import ReviewerRepository

        me = ReviewerRepository(s).get(holder.reviewer_id)
        assert me is not None
        service.declare_seat_conflict(s, settings, sub.id, me, reason="I know them", now=NOW)
    seats = _seats(db, sub.id)
    active = [x.reviewer_id for x in seats if x.status == SeatStatus.assigned.value]
    assert len(active) == 2 and holder.reviewer_id not in active
    assert {x.reviewer_id for x in seats} == {a.id, b.id, c.id}
    with db.session(write=True) as s:  # and they are never offered that candidate again
        me = ReviewerRepository(s).get(holder.reviewer_id)
        assert me is not None
        with pytest.raises(ReviewConflictError):
            service.claim_seat(s, sub.id, me, now=NOW)


def test_blind_until_your_own_scorecard_then_agreement_completes(
    db: Database, settings: Settings
) -> None:
    with db.session(write=True) as s:
        a, b = reviewers(s, 2)
        sub = graded(s, settings, 1)
        open_review(s, settings, sub.id, now=NOW)
    first = _submit(db, settings, sub.id, a.email, 3, "advance")
    assert first.event is None and _review_status(db, sub.id) == ReviewStatus.open.value
    with db.session() as s:
        seen_by_b = decisions.review_out(s, settings, sub.id, b)
        assert seen_by_b.blind and seen_by_b.scorecards == [] and seen_by_b.combined is None
        with pytest.raises(HarnessError) as refused:
            service.get_scorecard(s, first.scorecard.id, b)
        assert refused.value.status_code == 403
        seen_by_a = decisions.review_out(s, settings, sub.id, a)
        assert seen_by_a.blind is False and [c.id for c in seen_by_a.scorecards] == [
            first.scorecard.id
        ]
    second = _submit(db, settings, sub.id, b.email, 4, "advance")  # one level apart: agreement
    assert second.event is not None and second.event.event == "review.scorecards_complete"
    assert second.event.data["needs_reconciliation"] is False
    assert _review_status(db, sub.id) == ReviewStatus.complete.value
    with db.session() as s:
        assert service.get_scorecard(s, first.scorecard.id, b).ratings  # visible now
        out = decisions.review_out(s, settings, sub.id, b)
        assert out.combined is not None and out.combined.human == pytest.approx(83.33, abs=0.01)
        assert out.decision_blocked is None


def test_a_scorecard_is_final_and_checked(db: Database, settings: Settings) -> None:
    with db.session(write=True) as s:
        a, _b = reviewers(s, 2)
        outsider = reviewers(s, 1, role=Role.admin)[0]
        sub = graded(s, settings, 1)
        open_review(s, settings, sub.id, now=NOW)
    with db.session(write=True) as s, pytest.raises(HarnessError, match="rate"):
        service.submit_scorecard(
            s,
            settings,
            sub.id,
            a,
            ratings={"framing": 2},
            recommendation="hold",
            comments="",
            now=NOW,
        )
    with db.session(write=True) as s, pytest.raises(HarnessError, match="no seat"):
        service.submit_scorecard(
            s,
            settings,
            sub.id,
            outsider,
            ratings=levels(spec_of(settings), 2),
            recommendation="hold",
            comments="",
            now=NOW,
        )
    _submit(db, settings, sub.id, a.email, 2, "hold")
    with pytest.raises(ReviewConflictError, match="cannot change"):
        _submit(db, settings, sub.id, a.email, 4, "advance")


def test_disagreement_goes_to_a_third_reviewer_before_a_decision(
    db: Database, settings: Settings
) -> None:
    with db.session(write=True) as s:
        a, b, c = reviewers(s, 3)
        sub = graded(s, settings, 1)
        open_review(s, settings, sub.id, now=NOW)
    seated = {x.reviewer_id for x in _seats(db, sub.id)}
    first, second = [r for r in (a, b, c) if r.id in seated]
    third = next(r for r in (a, b, c) if r.id not in seated)
    _submit(db, settings, sub.id, first.email, 1, "reject")
    done = _submit(db, settings, sub.id, second.email, 3, "advance")  # two levels apart
    assert done.event is not None and done.event.data["needs_reconciliation"] is True
    assert _review_status(db, sub.id) == ReviewStatus.reconciling.value
    reconciler = [x for x in _seats(db, sub.id) if x.kind == "reconciler"]
    assert [x.reviewer_id for x in reconciler] == [third.id]
    with db.session(write=True) as s, pytest.raises(HarnessError, match="disagree") as gate:
        from harness.accounts.repository import ReviewerRepository

        decisions.decide(
            s,
            settings,
            sub.id,
            ReviewerRepository(s).get(first.id),  # type: ignore[arg-type]
            "advance",
            "looks good",
            now=NOW,
        )
    assert gate.value.status_code == 409
    with db.session() as s:  # the reconciler scores blind too
        assert decisions.review_out(s, settings, sub.id, third).blind
    _submit(db, settings, sub.id, third.email, 2, "hold")
    assert _review_status(db, sub.id) == ReviewStatus.complete.value
    with db.session(write=True) as s:
        out = decisions.decide(s, settings, sub.id, first, "hold", "reconciled", now=NOW)
    with db.session() as s:
        basis = s.scalar(select(DecisionBasis).where(DecisionBasis.decision_id == out.id))
        assert basis is not None and basis.override is False and basis.combined_score is not None
        rested = set(
            s.scalars(
                select(DecisionScorecard.scorecard_id).where(
                    DecisionScorecard.decision_basis_id == basis.id
                )
            )
        )
        assert rested == {
            x.id for x in _seats(db, sub.id) if x.status == SeatStatus.submitted.value
        }
        assert len(rested) == 3


def test_a_recorded_discussion_settles_a_disagreement(db: Database, settings: Settings) -> None:
    with db.session(write=True) as s:
        a, b = reviewers(s, 2)  # nobody left for a third seat: it waits in the queue
        outsider = reviewers(s, 1, role=Role.admin)[0]
        sub = graded(s, settings, 1)
        open_review(s, settings, sub.id, now=NOW)
    _submit(db, settings, sub.id, a.email, 2, "hold")
    _submit(db, settings, sub.id, b.email, 2, "advance")  # same levels, different recommendation
    with (
        db.session(write=True) as s,
        pytest.raises(HarnessError, match="only reviewers who submitted"),
    ):
        service.record_discussion(s, sub.id, outsider, note="x", recommendation=None, now=NOW)
    with db.session(write=True) as s:
        row = service.record_discussion(
            s, sub.id, a, note="We agreed on hold: thin tests.", recommendation="hold", now=NOW
        )
    assert row.method == "discussion" and row.status == "resolved"
    assert _review_status(db, sub.id) == ReviewStatus.complete.value


def test_an_admin_may_decide_before_the_review_with_an_override(
    db: Database, settings: Settings
) -> None:
    with db.session(write=True) as s:
        a, _b = reviewers(s, 2)
        admin = reviewers(s, 1, role=Role.admin)[0]
        sub = graded(s, settings, 1)
        open_review(s, settings, sub.id, now=NOW)
    with db.session(write=True) as s, pytest.raises(HarnessError) as refused:
        decisions.decide(s, settings, sub.id, a, "reject", "withdrew", override=True, now=NOW)
    assert refused.value.status_code == 403
    with db.session(write=True) as s:
        decisions.decide(
            s, settings, sub.id, admin, "reject", "the candidate withdrew", override=True, now=NOW
        )
    assert _review_status(db, sub.id) == ReviewStatus.closed.value
    assert all(x.status == SeatStatus.withdrawn.value for x in _seats(db, sub.id))


def test_a_newer_version_takes_over_the_review(db: Database, settings: Settings) -> None:
    from harness.submissions.models import SubmissionStatus
    from tests.db.factories import make_report, make_submission

    with db.session(write=True) as s:
        reviewers(s, 2)
        v1 = graded(s, settings, 1)
        open_review(s, settings, v1.id, now=NOW)
        v2 = make_submission(
            s, settings, v1.invitation, status=SubmissionStatus.graded, report=make_report(score=80)
        )
        assert open_review(s, settings, v1.id, now=NOW) is not None  # already open: kept
        open_review(s, settings, v2.id, now=NOW)
    assert _review_status(db, v1.id) == ReviewStatus.closed.value
    assert all(x.status == SeatStatus.withdrawn.value for x in _seats(db, v1.id))
    assert len(_seats(db, v2.id)) == 2


def test_assignment_under_load_stays_balanced_and_never_doubles(
    db: Database, settings: Settings
) -> None:
    """Forty submissions opened by eight threads at once, five reviewers, one conflicted with
    a domain: every review gets exactly two distinct reviewers, loads differ by at most one
    among the unconflicted, and the conflicted reviewer never sits on that domain."""
    with db.session(write=True) as s:
        revs = reviewers(s, 5)
        service.declare_conflict(s, settings, revs[0], email="@clash.example", reason="", now=NOW)
        ids = [
            graded(s, settings, i, email=f"c{i}@{'clash' if i % 4 == 0 else 'ok'}.example").id
            for i in range(40)
        ]
    errors: list[BaseException] = []

    def work(chunk: list[int]) -> None:
        try:
            for sid in chunk:
                with db.session(write=True) as s:
                    open_review(s, settings, sid, now=NOW)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(ids[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    loads: Counter[int] = Counter()
    for i, sid in enumerate(ids):
        seats = _seats(db, sid)
        assert len(seats) == 2 and len({x.reviewer_id for x in seats}) == 2
        if i % 4 == 0:
            assert revs[0].id not in {x.reviewer_id for x in seats}
        loads.update(x.reviewer_id for x in seats)
    assert sum(loads.values()) == 80
    unconflicted = [loads[r.id] for r in revs[1:]]
    assert max(unconflicted) - min(unconflicted) <= 1

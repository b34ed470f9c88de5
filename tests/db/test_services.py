from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from harness.accounts.security import hash_token
from harness.accounts.service import (
    AccountError,
    authenticate,
    create_token,
    reviewer_for_token,
)
from harness.audit.models import AuditEvent
from harness.db.engine import Database
from harness.errors import NotFound
from harness.invitations.models import Invitation
from harness.invitations.service import (
    candidate_email,
    candidate_label,
    identity_hidden,
    invitation_for_token,
)
from harness.settings import Settings
from harness.submissions.models import ReportRecord, Submission, SubmissionStatus
from harness.submissions.repository import SubmissionFilter, SubmissionRepository
from harness.submissions.service import (
    counting_submission_id,
    dashboard,
    record_decision,
    request_regrade,
    select_version,
    versions_of,
)
from tests.db.factories import (
    PASSWORD,
    make_invitation,
    make_report,
    make_reviewer,
    make_submission,
)


def test_reviewer_password_and_token(db: Database) -> None:
    with db.session() as s:
        rev = make_reviewer(s, "Boss@Example.com")
        token = create_token(s, rev, label="ci")
    with db.session() as s:
        assert authenticate(s, "boss@example.com", PASSWORD) is not None
        assert authenticate(s, "boss@example.com", "wrong password!") is None
        assert authenticate(s, "nobody@example.com", PASSWORD) is None
        found = reviewer_for_token(s, token)
        assert found is not None and found.email == "boss@example.com"
        assert reviewer_for_token(s, token + "x") is None
        stored = s.scalar(select(AuditEvent.action).where(AuditEvent.action == "token.create"))
        assert stored == "token.create"
        # Only the hash is stored.
        from harness.accounts.models import ApiToken

        assert s.scalar(select(ApiToken.token_hash)) == hash_token(token)


def test_reviewer_rules(db: Database) -> None:
    with db.session() as s:
        make_reviewer(s, "a@example.com")
        with pytest.raises(AccountError, match="already exists"):
            make_reviewer(s, "A@example.com")
        with pytest.raises(AccountError, match="at least"):
            make_reviewer(s, "b@example.com", password="short")


def test_invitation_token_is_hashed_and_resolves(db: Database) -> None:
    with db.session() as s:
        inv, token = make_invitation(s)
        assert inv.token_hash == hash_token(token) and token not in inv.token_hash
        assert inv.time_box_hours == Decimal("4") and inv.pay_kind == "hourly"
        assert inv.window_ends_at is not None and inv.window_ends_at.tzinfo is not None
    with db.session() as s:
        assert invitation_for_token(s, token).id == inv.id
        with pytest.raises(NotFound):
            invitation_for_token(s, token[:-1] + ("A" if token[-1] != "A" else "B"))
        row = s.get(Invitation, inv.id)
        assert row is not None
        row.revoked_at = datetime.now(UTC)
    with db.session() as s, pytest.raises(NotFound):
        invitation_for_token(s, token)


def test_anonymous_until_decision(db: Database, settings: Settings) -> None:
    with db.session() as s:
        rev = make_reviewer(s)
        inv, _ = make_invitation(s, name="Grace Hopper")
        sub = make_submission(
            s, settings, inv, status=SubmissionStatus.graded, report=make_report()
        )
        assert identity_hidden(inv) and candidate_label(inv) == f"Candidate #{inv.id}"
        record_decision(s, sub.id, rev, "advance", "strong")
        assert not identity_hidden(inv) and candidate_label(inv) == "Grace Hopper"


def test_reports_keep_history_and_one_current(db: Database, settings: Settings) -> None:
    from harness.reports.store import read_artifact, store_report

    with db.session() as s:
        rev = make_reviewer(s)
        inv, _ = make_invitation(s)
        sub = make_submission(
            s, settings, inv, status=SubmissionStatus.graded, report=make_report(score=50)
        )
        request_regrade(s, sub.id, rev)
        assert sub.status == "queued"
        store_report(s, sub, make_report(score=60), artifacts_dir=settings.artifacts_dir)
    with db.session() as s:
        rows = s.scalars(select(ReportRecord).where(ReportRecord.submission_id == sub.id)).all()
        assert len(rows) == 2
        assert [r.current for r in rows] == [False, True]
        current = SubmissionRepository(s).current_report(sub.id)
        assert current is not None and current.overall_score == 60
        key = current.artifacts["notebooks/notebook.html"]
        html = read_artifact(settings.artifacts_dir, key)
        assert html is not None and "<h1>Notebook</h1>" in html
        # The stored body holds artifact keys, not the artifact content.
        nb = next(g for g in current.body["graders"] if g["name"] == "notebooks")
        assert nb["artifacts"] == {"notebook.html": key}
        assert s.get(Submission, sub.id).overall_score == 60  # type: ignore[union-attr]


def test_list_filters_sorting_and_dashboard(db: Database, settings: Settings) -> None:
    with db.session() as s:
        rev = make_reviewer(s)
        subs = []
        for i, score in enumerate([30.0, 90.0, 60.0]):
            inv, _ = make_invitation(s, name=f"C{i}", email=f"c{i}@example.com")
            sub = make_submission(
                s, settings, inv, status=SubmissionStatus.graded, report=make_report(score=score)
            )
            sub.graded_at = sub.created_at + timedelta(seconds=100 * (i + 1))
            subs.append(sub)
        inv, _ = make_invitation(s, name="Q", email="q@example.com")
        make_submission(s, settings, inv)
        record_decision(s, subs[0].id, rev, "reject", "weak")
    with db.session() as s:
        repo = SubmissionRepository(s)
        items, total = repo.search(SubmissionFilter(status="graded", sort="score", descending=True))
        assert total == 3 and [x.overall_score for x in items] == [90.0, 60.0, 30.0]
        items, total = repo.search(SubmissionFilter(decision="none", status="graded"))
        assert total == 2
        items, total = repo.search(SubmissionFilter(decision="reject"))
        assert total == 1 and items[0].id == subs[0].id
        d = dashboard(s)
        assert (d.queued, d.awaiting_review, d.decided) == (1, 2, 1)
        assert d.median_to_graded_s == pytest.approx(200.0)


def test_claim_is_exclusive(db: Database, settings: Settings) -> None:
    with db.session() as s:
        inv, _ = make_invitation(s)
        sub = make_submission(s, settings, inv)
    now = datetime.now(UTC)
    with db.session(write=True) as s:
        first = SubmissionRepository(s).claim(sub.id, "w1", now)
    with db.session(write=True) as s:
        second = SubmissionRepository(s).claim(sub.id, "w2", now)
    assert first is not None and second is None
    with db.session(write=True) as s:
        repo = SubmissionRepository(s)
        assert repo.requeue_stale(now - timedelta(seconds=60)) == []
        assert repo.requeue_stale(now + timedelta(seconds=1)) == [sub.id]
    with db.session(write=True) as s:
        repo = SubmissionRepository(s)
        # The old claim is dead: its holder can no longer write.
        assert not repo.release(first, status="graded")
        third = repo.claim(sub.id, "w3", now)
        assert third is not None and third.attempt == 2


def test_anonymous_review_with_decisions_loaded_in_bulk(db: Database, settings: Settings) -> None:
    """Lists pass ``decided`` (from one query for many rows) instead of loading each
    invitation's decisions; the rule gives the same answer either way."""
    with db.session() as s:
        rev = make_reviewer(s)
        inv, _ = make_invitation(s, name="Grace Hopper", email="grace@example.com")
        named, _ = make_invitation(s, name="Alan Turing", email="alan@example.com", anonymous=False)
        sub = make_submission(s, settings, inv)
        assert candidate_label(inv, decided=False) == f"Candidate #{inv.id}"
        assert candidate_email(inv, decided=False) is None
        assert candidate_label(inv, decided=True) == "Grace Hopper"
        # Near miss: an invitation made without anonymous review is never hidden.
        assert candidate_label(named, decided=False) == "Alan Turing"
        assert candidate_email(named) == "alan@example.com"
        record_decision(s, sub.id, rev, "hold", "waiting for a second reviewer")
        assert candidate_email(inv) == "grace@example.com"


def test_versions_counts_and_the_version_that_counts(db: Database, settings: Settings) -> None:
    with db.session() as s:
        rev = make_reviewer(s)
        inv, _ = make_invitation(s)
        empty, _ = make_invitation(s, name="No Uploads", email="none@example.com")
        first = make_submission(s, settings, inv)
        second = make_submission(s, settings, inv, files={"a.ipynb": "{}"})
    with db.session() as s:
        inv_row = s.get(Invitation, inv.id)
        empty_row = s.get(Invitation, empty.id)
        assert inv_row is not None and empty_row is not None
        assert [v.version for v in versions_of(s, inv.id)] == [1, 2]
        assert SubmissionRepository(s).version_counts([inv.id, empty.id]) == {inv.id: 2}
        assert counting_submission_id(s, inv_row) == second.id  # the latest, by default
        assert counting_submission_id(s, empty_row) is None
        select_version(s, first.id, rev)
        assert counting_submission_id(s, inv_row) == first.id  # the one a reviewer picked


def test_the_invitations_list_loads_counts_and_payment_status_in_bulk(
    db: Database, settings: Settings
) -> None:
    from harness.reviewing.service import invitation_out, invitations

    now = datetime.now(UTC)
    with db.session() as s:
        inv, _ = make_invitation(s)
        make_invitation(s, name="No Uploads", email="none@example.com")
        make_submission(s, settings, inv)
        make_submission(s, settings, inv, files={"a.ipynb": "{}"})
    with db.session() as s:
        listed = {row.id: row for row in invitations(s, now)}
        assert listed[inv.id].submissions == 2
        assert sum(row.submissions for row in listed.values()) == 2
        # The same shape, one invitation at a time (its counts looked up), agrees.
        row = s.get(Invitation, inv.id)
        assert row is not None
        assert invitation_out(s, row, now) == listed[inv.id]


def test_the_list_page_rows_agree_with_the_one_submission_summary(
    db: Database, settings: Settings
) -> None:
    """The list reads plain rows (no ORM objects, for speed): each row must say what the
    one-submission summary says, anonymity and latest decision included, in every sort."""
    from harness.submissions.service import submission_page, summary

    with db.session() as s:
        rev = make_reviewer(s)
        hidden, _ = make_invitation(s, name="Hidden Person", email="h@example.com")
        decided, _ = make_invitation(s, name="Decided Person", email="d@example.com")
        named, _ = make_invitation(s, name="Named Person", email="n@example.com", anonymous=False)
        for inv, score in ((hidden, 40.0), (decided, 80.0), (named, 60.0)):
            make_submission(
                s, settings, inv, status=SubmissionStatus.graded, report=make_report(score=score)
            )
        make_submission(s, settings, named)  # queued: no score, no grading time
        first = s.scalars(select(Submission).where(Submission.invitation_id == decided.id)).one()
        record_decision(s, first.id, rev, "hold", "a second look")
        record_decision(s, first.id, rev, "advance", "strong")  # the latest counts
    for sort in ("created", "score", "graded", "id"):
        for descending in (True, False):
            flt = SubmissionFilter(sort=sort, descending=descending, limit=3)
            with db.session() as s:
                page = submission_page(s, flt)
                rest = submission_page(s, SubmissionFilter(sort=sort, descending=descending, offset=3))
                objects, total = SubmissionRepository(s).search(flt)
                decisions = SubmissionRepository(s).decisions_for([o.invitation_id for o in objects])
                expected = [summary(o, decisions.get(o.invitation_id)) for o in objects]
            assert page.items == expected and page.total == total == 4
            ids = [x.id for x in [*page.items, *rest.items]]
            assert sorted(ids) == sorted(set(ids)) and len(ids) == 4  # pages neither skip nor repeat
            if sort in ("score", "graded"):
                assert [*page.items, *rest.items][-1].overall_score is None  # nulls last
    labels = {x.candidate for x in page.items + rest.items}
    assert labels == {f"Candidate #{hidden.id}", "Decided Person", "Named Person"}
    assert {x.decision for x in page.items + rest.items} == {None, "advance"}

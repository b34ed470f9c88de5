"""Human review's candidate data (issue 12's tables) in export and erasure.

Three candidates are reviewed blind by two reviewers each, their reviews settle and decisions
rest on the scorecards; reviewers mark findings and declare conflicts. Erasing one candidate
removes every review row about them (scorecards, comments, reconciliation, decision bases,
finding marks, the conflict naming their address) while the calibration page's agreement
figures stay exactly as they were; the others' review rows and a domain conflict (which names
no one) stay. The export holds the candidate's scorecards and marks, and nothing of the others.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from harness.accounts.models import Reviewer
from harness.db.engine import Database
from harness.retention.export import export_candidate
from harness.retention.service import erase_on_request
from harness.review import calibration, decisions, service
from harness.review.feedback import mark_finding
from harness.review.models import (
    AnonymousFindingMark,
    AnonymousScorecard,
    FindingFeedback,
    ReviewConflict,
)
from harness.review.privacy import purge_finding_copies
from harness.review.seats import open_review
from harness.settings import Settings
from harness.submissions.models import Submission
from tests.privacy.scan import rows_holding, rows_pointing_at
from tests.review.factories import graded, levels, reviewers, spec_of

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# (email, levels of the two reviewers, recommendations): Ada's reviewers disagree and settle
# it by a recorded discussion; the others agree.
PEOPLE = (
    ("ada.quill@example.com", (2, 3), ("hold", "advance")),
    ("bob.zeller@example.com", (3, 3), ("advance", "advance")),
    ("cy.mora@example.com", (1, 2), ("hold", "hold")),
)


def _submit(db: Database, settings: Settings, sid: int, who: Reviewer, level: int, rec: str,
            comment: str) -> None:
    with db.session(write=True) as s:
        reviewer = s.get(Reviewer, who.id)
        assert reviewer is not None
        service.submit_scorecard(s, settings, sid, reviewer, ratings=levels(spec_of(settings), level),
                                 recommendation=rec, comments=comment, now=NOW)


def _world(db: Database, settings: Settings) -> tuple[list[Reviewer], dict[str, int]]:
    with db.session(write=True) as s:
        revs = reviewers(s, 2)
        subs = {email: graded(s, settings, n, score=50.0 + 10 * n, email=email).id
                for n, (email, _, _) in enumerate(PEOPLE)}
        for sid in subs.values():
            open_review(s, settings, sid, now=NOW)
    for email, lv, recs in PEOPLE:
        tag = email.split("@")[0].upper()
        for who, level, rec in zip(revs, lv, recs, strict=True):
            _submit(db, settings, subs[email], who, level, rec, f"NOTE-{tag}-{who.id}")
    with db.session(write=True) as s:
        a, b = (s.get(Reviewer, r.id) for r in revs)
        assert a is not None and b is not None
        service.record_discussion(s, subs[PEOPLE[0][0]], a, note=f"DISCUSSED-{PEOPLE[0][0]}",
                                  recommendation="hold", now=NOW)
        for email, sid in subs.items():
            decisions.decide(s, settings, sid, a, "hold", f"DECIDED-{email}", now=NOW)
            mark_finding(s, sid, b, grader="tests", index=0, verdict="wrong",
                         reason=f"MARK-{email}", now=NOW)
        service.declare_conflict(s, settings, a, email=PEOPLE[0][0], reason="my cousin", now=NOW)
        service.declare_conflict(s, settings, b, email="@example.com", reason="", now=NOW)
    return revs, subs


def _agreement(db: Database, settings: Settings) -> dict[str, Any]:
    calibration._cache.clear()  # a few seconds' cache: read afresh
    with db.session() as s:
        out = calibration.agreement(s, settings, "support-tickets").model_dump()
    out.pop("largest_gaps")  # names submissions: the erased one is no longer listed
    return out


def test_erasure_removes_the_review_rows_and_keeps_the_agreement_figures(
    db: Database, settings: Settings
) -> None:
    _, subs = _world(db, settings)
    ada, bob = PEOPLE[0][0], PEOPLE[1][0]
    needles = ["NOTE-ADA.QUILL-", f"MARK-{ada}", f"DECIDED-{ada}", f"DISCUSSED-{ada}", ada]
    assert all(rows_holding(db, [n]) for n in needles)  # the scan finds her before
    figures = _agreement(db, settings)
    assert figures["scorecards"] == 6 and figures["submissions"] == 3
    assert figures["alpha_recommendation"] is not None and figures["rules"]

    receipt = erase_on_request(db, settings, ada, actor="test", now=NOW)

    # Two cards, the review, its reconciliation, the basis and its two links, a mark, a
    # conflict and the audit event of its declaration (redacted, not deleted).
    assert receipt.rows["review"] == 2 + 1 + 1 + 3 + 1 + 1 + 1
    assert rows_holding(db, needles) == []
    assert rows_pointing_at(db, {"submissions": {subs[ada]}}) == []
    assert _agreement(db, settings) == figures  # rounded figures: exactly the same
    with db.session() as s:
        kept = list(s.scalars(select(AnonymousScorecard)))
        assert len(kept) == 2 and len({c.unit for c in kept}) == 1
        assert all(c.human_score is not None and c.ratings for c in kept)
        assert [(m.rule, m.verdict) for m in s.scalars(select(AnonymousFindingMark))] == [
            ("tests:failed", "wrong")
        ]
        patterns = sorted(c.email_pattern or "" for c in s.scalars(select(ReviewConflict)))
        assert patterns == ["@example.com"]  # the domain names no one: it stays
    # The near miss: Bob's review rows are all there.
    assert rows_holding(db, ["NOTE-BOB.ZELLER-", f"MARK-{bob}", f"DECIDED-{bob}"])
    assert len(rows_pointing_at(db, {"submissions": {subs[bob]}})) >= 5


def test_export_holds_the_candidates_scorecards_and_marks_only(
    db: Database, settings: Settings, tmp_path: Any
) -> None:
    revs, subs = _world(db, settings)
    ada = PEOPLE[0][0]
    dest = tmp_path / "ada.zip"
    with db.session() as s:
        export_candidate(s, settings, ada, dest, now=NOW)
    with zipfile.ZipFile(dest) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        text = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8", "replace")
    records = manifest["records"]
    cards = records["scorecards"]
    assert sorted(c["comments"] for c in cards) == sorted(
        f"NOTE-ADA.QUILL-{r.id}" for r in revs
    )
    assert {c["submission_id"] for c in cards} == {subs[ada]}
    assert all(c["reviewer"].startswith("reviewer ") for c in cards)  # seats, not names
    assert [m["reason"] for m in records["finding_marks"]] == [f"MARK-{ada}"]
    assert [b["submission_id"] for b in records["decision_bases"]] == [subs[ada]]
    assert [r["status"] for r in records["reviews"]] == ["complete"]
    assert [r["note"] for r in records["reconciliations"]] == [f"DISCUSSED-{ada}"]
    assert "NOTE-BOB" not in text and "NOTE-CY" not in text and "bob.zeller" not in text
    assert all(r.email not in text for r in revs)  # reviewers' addresses are theirs


def test_expired_reports_take_the_marks_copies_of_their_findings(
    db: Database, settings: Settings
) -> None:
    _, subs = _world(db, settings)
    ada, bob = PEOPLE[0][0], PEOPLE[1][0]
    with db.session(write=True) as s:
        ada_invitation = s.get(Submission, subs[ada])
        assert ada_invitation is not None
        assert purge_finding_copies(s, [ada_invitation.invitation_id]) == 1
        assert purge_finding_copies(s, [ada_invitation.invitation_id]) == 0  # idempotent
        marks = {m.submission_id: m for m in s.scalars(select(FindingFeedback))}
    assert (marks[subs[ada]].message, marks[subs[ada]].file) == ("", None)
    assert (marks[subs[ada]].rule, marks[subs[ada]].verdict) == ("tests:failed", "wrong")
    assert marks[subs[bob]].message and marks[subs[bob]].file  # the near miss keeps its copy

"""CSV exports: submitted scorecards, and reviewers' marks on findings.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) are
prefixed with an apostrophe: comments and reasons are free text.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.review.repository import ReviewRepository

__all__ = ["feedback_csv", "scorecards_csv"]

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _write(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buf.getvalue()


def scorecards_csv(session: Session, assignment: str | None = None) -> str:
    """One row per submitted scorecard and criterion (long format: easy to pivot)."""
    rows: list[list[object]] = []
    for card in ReviewRepository(session).scorecards_for_export(assignment):
        common = [
            card.id,
            card.submission_id,
            card.assignment_name,
            card.criteria_set.version,
            card.reviewer.email,
            card.kind,
            card.submitted_at.isoformat() if card.submitted_at else "",
            card.recommendation,
            card.human_score,
            card.automated_overall,
        ]
        for key, level in sorted((card.ratings or {}).items()):
            rows.append([*common, key, level, card.comments])
    header = [
        "scorecard_id",
        "submission_id",
        "assignment",
        "criteria_version",
        "reviewer",
        "kind",
        "submitted_at",
        "recommendation",
        "human_score",
        "automated_overall",
        "criterion",
        "level",
        "comments",
    ]
    return _write(header, rows)


def feedback_csv(session: Session) -> str:
    """One row per mark on a finding."""
    names = {r.id: r.email for r in session.query(Reviewer).all()}
    rows: list[list[object]] = [
        [
            f.id,
            f.created_at.isoformat(),
            f.submission_id,
            f.report_id,
            f.grader,
            f.grader_version,
            f.rule,
            f.file,
            f.line,
            f.message,
            f.verdict,
            f.reason,
            names.get(f.reviewer_id, ""),
        ]
        for f in ReviewRepository(session).feedback()
    ]
    header = [
        "id",
        "created_at",
        "submission_id",
        "report_id",
        "grader",
        "grader_version",
        "rule",
        "file",
        "line",
        "message",
        "verdict",
        "reason",
        "reviewer",
    ]
    return _write(header, rows)

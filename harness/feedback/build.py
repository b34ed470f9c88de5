"""Turning a report into feedback written for the candidate (a pure function of the report).

Only three things reach the candidate: a band per area (and the score when the assignment shows
scores), sentences from ``harness.feedback.catalog`` chosen by the graders' rules and credited
practices, with the file and line in their own code, and the comments reviewers chose to share.
Held-out ticket ids never appear: points that would name one are dropped, and ids in a shared
comment are replaced (a reviewer may paste one by mistake).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from graders.types import GraderResult, Severity
from harness.assignments.heldout import names_heldout, scrub
from harness.feedback.catalog import (
    AREAS,
    PRACTICE_CREDITS,
    STRENGTHS,
    about_the_harness,
    improve_text,
)
from harness.reports.schema import Report

__all__ = ["Area", "Feedback", "Point", "build_feedback"]

_STRONG, _SOLID = 75.0, 50.0
_MAX_POINTS = 8
_MAX_PLACES = 3
_SEVERITY_ORDER = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}


@dataclass(frozen=True)
class Point:
    """One thing that went well or could improve."""

    area: str
    """The area's name as candidates read it (``Tests``)."""
    text: str
    places: tuple[str, ...] = ()
    """Where in the candidate's own code (``train.py, line 12``), at most three."""


@dataclass(frozen=True)
class Area:
    name: str
    band: str
    """``strong``, ``solid``, ``needs work`` or ``not assessed``."""
    score: float | None = None
    """Shown only when the assignment shows scores to candidates."""


@dataclass
class Feedback:
    """The feedback page's content."""

    title: str
    overall: float | None
    """Only when the assignment shows scores."""
    areas: list[Area] = field(default_factory=list)
    went_well: list[Point] = field(default_factory=list)
    to_improve: list[Point] = field(default_factory=list)
    others: dict[str, int] = field(default_factory=dict)
    """Further points per area that have no sentence written for candidates."""
    comments: list[str] = field(default_factory=list)
    """What reviewers wrote for the candidate."""


def _band(score: float | None) -> str:
    if score is None:
        return "not assessed"
    return "strong" if score >= _STRONG else "solid" if score >= _SOLID else "needs work"


def _place(file: str | None, line: int | None) -> str | None:
    if not file:
        return None
    return f"{file}, line {line}" if line else file


def _improvements(grader: GraderResult, area: str) -> tuple[list[Point], int]:
    """Catalog sentences for the grader's findings, most severe first, one per sentence."""
    places: dict[str, list[str]] = {}
    severity: dict[str, int] = {}
    unknown = 0
    for finding in grader.findings:
        text = improve_text(finding.rule)
        if text is None:
            if not about_the_harness(finding.rule) and finding.severity != Severity.info:
                unknown += 1
            continue
        where = places.setdefault(text, [])
        spot = _place(finding.file, finding.line)
        if spot and spot not in where:
            where.append(spot)
        severity[text] = min(severity.get(text, 9), _SEVERITY_ORDER.get(finding.severity, 3))
    ordered = sorted(places, key=lambda t: severity[t])
    points = [Point(area, text, tuple(places[text][:_MAX_PLACES])) for text in ordered]
    return points, unknown


def _credits(grader: GraderResult, area: str) -> list[Point]:
    points = []
    if grader.score is not None and grader.score >= _STRONG and grader.name in STRENGTHS:
        points.append(Point(area, STRENGTHS[grader.name]))
    for part in grader.breakdown:
        key = part.basis.removeprefix("methodology:practice:")
        if key != part.basis and part.points > 0 and key in PRACTICE_CREDITS:
            points.append(Point(area, PRACTICE_CREDITS[key]))
    return points


def build_feedback(
    report: Report,
    *,
    title: str,
    show_scores: bool,
    comments: list[str],
    heldout_ids: frozenset[str],
) -> Feedback:
    """The candidate's feedback from their counting report and the shared comments."""
    out = Feedback(title=title, overall=report.overall.score if show_scores else None)
    improve: list[Point] = []
    others: Counter[str] = Counter()
    for name, area in AREAS.items():
        grader = report.grader(name)
        if grader is None:
            continue
        out.areas.append(Area(area, _band(grader.score), grader.score if show_scores else None))
        out.went_well += _credits(grader, area)
        points, unknown = _improvements(grader, area)
        improve += points
        if unknown:
            others[area] += unknown
    improve.sort(key=lambda p: list(AREAS.values()).index(p.area))
    out.to_improve = improve[:_MAX_POINTS]
    for p in improve[_MAX_POINTS:]:
        others[p.area] += 1
    out.others = dict(others)
    out.comments = [scrub(c, heldout_ids) for c in comments]
    return _without_heldout(out, heldout_ids)


def _without_heldout(feedback: Feedback, heldout_ids: frozenset[str]) -> Feedback:
    """Drop any place, or point, that would name a held-out ticket (defence in depth: catalog
    sentences never do, but a file name in a finding could)."""

    def clean(points: list[Point]) -> list[Point]:
        out = []
        for p in points:
            if names_heldout(p.text, heldout_ids):
                continue
            places = tuple(w for w in p.places if not names_heldout(w, heldout_ids))
            out.append(Point(p.area, p.text, places))
        return out

    feedback.went_well = clean(feedback.went_well)
    feedback.to_improve = clean(feedback.to_improve)
    return feedback

"""The calibration page's figures for one assignment and criteria version (admins).

Only settled reviews count (every required scorecard in, disagreements reconciled), so the
figures never reveal a scorecard someone is still scoring blind. Erased candidates' settled
scorecards keep counting through their anonymous copies (``harness.review.privacy``). The figures are cached per
process and recomputed when their inputs change (``ReviewRepository.fingerprint``): a page view
with nothing new costs a few aggregate queries.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from harness.assignments.loader import list_assignments
from harness.errors import NotFound
from harness.review import agreement as stats
from harness.review.models import CriteriaSet
from harness.review.repository import ReviewRepository
from harness.review.rules import criteria_from
from harness.review.schemas import (
    AgreementOut,
    CriterionAgreementOut,
    MachineGapOut,
    ReviewerCalibrationOut,
    RulePrecisionOut,
)
from harness.review.seats import review_spec
from harness.settings import Settings

__all__ = ["Calibration", "CalibrationPage", "agreement", "calibration", "calibration_page"]

GAPS = 10
ERASED_REVIEWER = "(a former reviewer)"
"""Stands for a deleted reviewer account on an erased candidate's anonymous scorecard."""
"""Submissions listed where people and the machine differ most."""

_cache: dict[tuple[str, int], tuple[float, tuple[object, ...], Calibration]] = {}
_RECHECK_S = 5.0
"""A cached result younger than this is served without looking at the fingerprint (settled
reviews only: staleness can never reveal a scorecard someone is still scoring)."""
_lock = threading.Lock()


@dataclass(frozen=True)
class Calibration:
    """Everything the page shows; ``out`` is also the API's answer."""

    out: AgreementOut
    gaps: list[stats.MachineGap]
    """Every settled submission's (human, automated) pair, for the scatter plot."""


def _criteria_set(
    session: Session, settings: Settings, assignment: str, version: str | None
) -> tuple[CriteriaSet | None, list[str]]:
    repo = ReviewRepository(session)
    sets = list(repo.criteria_sets(assignment))
    versions = [s.version for s in sets]
    if version:
        chosen = next((s for s in sets if s.version == version), None)
        if chosen is None:
            raise NotFound(f"assignment {assignment} has no criteria version {version}")
        return chosen, versions
    spec = review_spec(settings, assignment)
    current = next((s for s in sets if spec and s.version == spec.criteria_version), None)
    return current or (sets[-1] if sets else None), versions


def _cards(repo: ReviewRepository, chosen: CriteriaSet | None) -> list[stats.CardFacts]:
    """Settled scorecards, erased candidates' included: each erased upload's cards share a
    negative unit number (no submission to link to), so every figure still counts them."""
    if chosen is None:
        return []
    units: dict[str, int] = {}
    erased = [
        (-units.setdefault(unit, len(units) + 1), email or ERASED_REVIEWER, *rest)
        for unit, email, *rest in repo.erased_cards(chosen.id)
    ]
    return [
        stats.CardFacts(
            sid, email, dict(ratings or {}), rec or "", score, auto, dict(graders or {})
        )
        for sid, email, ratings, rec, score, auto, graders in [
            *repo.settled_cards(chosen.id),
            *erased,
        ]
        if score is not None
    ]


def _compute(
    assignment: str, chosen: CriteriaSet | None, versions: list[str], session: Session
) -> Calibration:
    criteria = criteria_from(chosen.criteria) if chosen else []
    cards = _cards(ReviewRepository(session), chosen)
    by_submission: dict[int, list[float]] = {}
    for card in cards:
        by_submission.setdefault(card.submission_id, []).append(card.human_score)
    rho, gaps = stats.machine_agreement(criteria, cards)
    repo = ReviewRepository(session)
    out = AgreementOut(
        assignment=assignment,
        criteria_version=chosen.version if chosen else None,
        versions=versions,
        scorecards=len(cards),
        submissions=len(by_submission),
        alpha_recommendation=stats.recommendation_alpha(cards),
        alpha_human_score=stats.interval_alpha(by_submission.values(), step=5.0),
        criteria=[
            CriterionAgreementOut(**c.__dict__) for c in stats.per_criterion(criteria, cards)
        ],
        reviewers=[
            ReviewerCalibrationOut(**r.__dict__)
            for r in stats.reviewer_calibration(criteria, cards)
        ],
        rho_machine=rho,
        machine_pairs=len(gaps),
        largest_gaps=[
            MachineGapOut(
                submission_id=g.submission_id, human=g.human, automated=g.automated, gap=g.gap
            )
            for g in [g for g in gaps if g.submission_id > 0][:GAPS]
        ],
        rules=[
            RulePrecisionOut(
                rule=r.rule,
                confirmed=r.confirmed,
                wrong=r.wrong,
                unhelpful=r.unhelpful,
                precision=r.precision,
            )
            for r in stats.rule_precision(repo.feedback_marks())
        ],
    )
    return Calibration(out, gaps)


def calibration(
    session: Session, settings: Settings, assignment: str, version: str | None = None
) -> Calibration:
    """The figures of ``assignment`` for ``version`` (default: the current criteria)."""
    chosen, versions = _criteria_set(session, settings, assignment, version)
    repo = ReviewRepository(session)
    key = (str(session.get_bind().engine.url) + "|" + assignment, chosen.id if chosen else 0)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and now - hit[0] < _RECHECK_S:
        return hit[2]
    fingerprint = (*repo.fingerprint(chosen.id if chosen else 0), tuple(versions))
    if hit is not None and hit[1] == fingerprint:
        result = hit[2]
    else:
        result = _compute(assignment, chosen, versions, session)
    with _lock:
        _cache[key] = (now, fingerprint, result)
    return result


def agreement(
    session: Session, settings: Settings, assignment: str, version: str | None = None
) -> AgreementOut:
    return calibration(session, settings, assignment, version).out


@dataclass(frozen=True)
class CalibrationPage:
    assignments: list[str]
    """Assignments with human review."""
    chosen: str
    figures: Calibration | None


def calibration_page(
    session: Session, settings: Settings, assignment: str, version: str | None
) -> CalibrationPage:
    """The page: the chosen assignment (default: the first with a ``[review]``) and its figures."""
    names = [a.spec.name for a in list_assignments(settings) if a.spec.review is not None]
    chosen = assignment or (names[0] if names else "")
    figures = calibration(session, settings, chosen, version) if chosen else None
    return CalibrationPage(names, chosen, figures)

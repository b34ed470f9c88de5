"""The calibration page's figures for one assignment and criteria version (admins).

Only settled reviews count (every required scorecard in, disagreements reconciled), so the
figures never reveal a scorecard someone is still scoring blind. Erased candidates' settled
scorecards keep counting through their anonymous copies (``harness.review.privacy``). The figures are cached per
process and recomputed when their inputs change (``ReviewRepository.fingerprint``): a page view
with nothing new costs a few aggregate queries.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from harness.assignments.loader import list_assignments
from harness.db.engine import Database
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

__all__ = [
    "Calibration",
    "CalibrationPage",
    "Figures",
    "agreement",
    "calibration",
    "calibration_page",
    "figures",
    "refresh",
    "refresh_in_background",
    "warm_up",
]

GAPS = 10
ERASED_REVIEWER = "(a former reviewer)"
"""Stands for a deleted reviewer account on an erased candidate's anonymous scorecard."""
"""Submissions listed where people and the machine differ most."""

_RECHECK_S = 5.0
"""A cached result younger than this is served without looking at the fingerprint (settled
reviews only: staleness can never reveal a scorecard someone is still scoring)."""
GAP_BINS = 10
"""Rows and columns of the people-against-the-machine heatmap (10 points each)."""
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Calibration:
    """Everything the page shows; ``out`` is also the API's answer."""

    out: AgreementOut
    gaps: list[stats.MachineGap]
    """Every settled submission's (human, automated) pair."""
    gap_counts: tuple[tuple[int, ...], ...]
    """``gaps`` binned: rows by human consensus, columns by automated overall, 10 points each
    (counted once with the figures: binning 10,000 pairs on every view was most of the page)."""
    computed_at: datetime
    """When the figures were computed (the page says so while newer ones are being computed)."""


@dataclass
class _Entry:
    checked: float
    """``time.monotonic()`` of the last fingerprint check."""
    fingerprint: tuple[object, ...]
    result: Calibration


@dataclass(frozen=True)
class Figures:
    """What one view gets: the figures, and whether newer ones are being computed."""

    result: Calibration
    updating: bool = False


class _Cache:
    """Computed figures per (database, assignment, criteria set), with at most one background
    computation per key. A view never waits for a recomputation when it has figures to show:
    it shows them, says they are being updated, and the next view has the new ones."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, int], _Entry] = {}
        self._running: dict[tuple[str, int], threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int]) -> _Entry | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: tuple[str, int], entry: _Entry) -> None:
        with self._lock:
            self._entries[key] = entry

    def running(self, key: tuple[str, int]) -> threading.Event | None:
        with self._lock:
            return self._running.get(key)

    def start(self, key: tuple[str, int]) -> threading.Event | None:
        """Claim the key's computation; ``None`` if one is running already."""
        with self._lock:
            if key in self._running:
                return None
            done = self._running[key] = threading.Event()
            return done

    def finish(self, key: tuple[str, int]) -> None:
        with self._lock:
            done = self._running.pop(key, None)
        if done is not None:
            done.set()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _Cache()


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
    return Calibration(out, gaps, stats.gap_counts(gaps, GAP_BINS), datetime.now(UTC))


def _key(session: Session, assignment: str, chosen: CriteriaSet | None) -> tuple[str, int]:
    return (str(session.get_bind().engine.url) + "|" + assignment, chosen.id if chosen else 0)


def _fresh(
    session: Session, assignment: str, chosen: CriteriaSet | None, versions: list[str]
) -> _Entry:
    checked = time.monotonic()  # before reading: what lands while computing shows next time
    fingerprint = (*ReviewRepository(session).fingerprint(chosen.id if chosen else 0), *versions)
    return _Entry(checked, fingerprint, _compute(assignment, chosen, versions, session))


def figures(
    session: Session,
    settings: Settings,
    assignment: str,
    version: str | None = None,
    *,
    db: Database | None = None,
) -> Figures:
    """The figures of ``assignment`` for ``version`` (default: the current criteria).

    Cached per process. Every few seconds a view checks whether the inputs changed (a few
    indexed counts). When they did and ``db`` is given (the page), the figures it has are shown
    at once, marked as updating, while a background thread computes the new ones; without
    ``db`` (the API), or with nothing to show yet, they are computed before answering."""
    chosen, versions = _criteria_set(session, settings, assignment, version)
    key = _key(session, assignment, chosen)
    hit = _cache.get(key)
    if hit is None and (running := _cache.running(key)) is not None:
        running.wait(timeout=120)  # a warm-up or refresh is computing these: wait for it
        hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit.checked < _RECHECK_S:
        return Figures(hit.result)
    fingerprint = (*ReviewRepository(session).fingerprint(chosen.id if chosen else 0), *versions)
    if hit is not None and hit.fingerprint == fingerprint:
        hit.checked = now
        return Figures(hit.result)
    if hit is not None and db is not None:
        refresh_in_background(db, settings, assignment, version)
        return Figures(hit.result, updating=True)
    entry = _fresh(session, assignment, chosen, versions)
    _cache.put(key, entry)
    return Figures(entry.result)


def calibration(
    session: Session, settings: Settings, assignment: str, version: str | None = None
) -> Calibration:
    """The current figures of ``assignment`` for ``version`` (computed now if they changed)."""
    return figures(session, settings, assignment, version).result


def refresh(db: Database, settings: Settings, assignment: str, version: str | None = None) -> None:
    """Compute the figures now and cache them (the background refresh and the warm-up)."""
    with db.session() as session:
        chosen, versions = _criteria_set(session, settings, assignment, version)
        key = _key(session, assignment, chosen)
        if _cache.start(key) is None:
            return  # another thread is computing these
        try:
            _cache.put(key, _fresh(session, assignment, chosen, versions))
        finally:
            _cache.finish(key)


def refresh_in_background(
    db: Database, settings: Settings, assignment: str, version: str | None = None
) -> threading.Thread:
    """``refresh`` in a daemon thread (a failure is logged; the old figures stay)."""

    def run() -> None:
        try:
            refresh(db, settings, assignment, version)
        except Exception:
            log.exception("calibration figures of %s could not be computed", assignment)

    thread = threading.Thread(target=run, name=f"calibration-{assignment}", daemon=True)
    thread.start()
    return thread


def warm_up(db: Database, settings: Settings) -> list[threading.Thread]:
    """Compute every reviewed assignment's figures in the background (at start-up), so the
    first view does not wait for them."""
    names = [a.spec.name for a in list_assignments(settings) if a.spec.review is not None]
    return [refresh_in_background(db, settings, name) for name in names]


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
    updating: bool = False
    """Newer figures are being computed; these are from ``figures.computed_at``."""


def calibration_page(
    session: Session,
    settings: Settings,
    assignment: str,
    version: str | None,
    *,
    db: Database | None = None,
) -> CalibrationPage:
    """The page: the chosen assignment (default: the first with a ``[review]``) and its figures
    (with ``db``, recomputed in the background when they changed: ``figures``)."""
    names = [a.spec.name for a in list_assignments(settings) if a.spec.review is not None]
    chosen = assignment or (names[0] if names else "")
    if not chosen:
        return CalibrationPage(names, chosen, None)
    got = figures(session, settings, chosen, version, db=db)
    return CalibrationPage(names, chosen, got.result, got.updating)

"""The pure rules of human review: checking a scorecard, its human score, the consensus of
several, when they disagree, and the combined score and recommendation.

The formula (also in the README, "Human review"):

- a scorecard's **human score** is the weighted mean over criteria of
  ``(level - 1) / (top level - 1) * 100``, with the criteria's weights;
- the **consensus** of a submission's scorecards takes, per criterion, the median level of the
  submitted scorecards (a reconciler's included), and scores those levels the same way;
- the **combined score** is ``(a * automated + h * consensus) / (a + h)`` with the assignment's
  ``automated_weight`` a and ``human_weight`` h; a missing part drops out (its weight too);
- the **combined recommendation** is ``advance`` at or above ``advance_at``, ``reject`` below
  ``reject_below``, ``hold`` in between.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from harness.assignments.review_spec import RECOMMENDATIONS, Criterion, ReviewSpec

__all__ = [
    "Combined",
    "Rated",
    "check_scorecard",
    "combine",
    "consensus_levels",
    "criteria_from",
    "disagreements",
    "human_score",
]


def criteria_from(stored: Sequence[Mapping[str, Any]]) -> list[Criterion]:
    """The criteria of a stored criteria set."""
    return [Criterion.model_validate(dict(c)) for c in stored]


def check_scorecard(
    criteria: Sequence[Criterion], ratings: Mapping[str, object], recommendation: str
) -> dict[str, int]:
    """The ratings as ``{key: level}``; raises ``ValueError`` saying what is wrong (a criterion
    missing or unknown, a level out of range, an unknown recommendation)."""
    known = {c.key: c for c in criteria}
    unknown = sorted(set(ratings) - set(known))
    if unknown:
        raise ValueError(f"unknown criteria: {', '.join(unknown)}")
    out: dict[str, int] = {}
    for c in criteria:
        value = ratings.get(c.key)
        if value is None or value == "":
            raise ValueError(f"rate {c.name!r} (levels 1 to {c.top})")
        try:
            level = int(str(value))
        except ValueError:
            raise ValueError(f"{c.name!r}: {value!r} is not a level") from None
        if not 1 <= level <= c.top:
            raise ValueError(f"{c.name!r} takes levels 1 to {c.top}, not {level}")
        out[c.key] = level
    if recommendation not in RECOMMENDATIONS:
        raise ValueError(f"the recommendation must be one of {', '.join(RECOMMENDATIONS)}")
    return out


def human_score(criteria: Sequence[Criterion], levels: Mapping[str, float]) -> float | None:
    """Weighted mean of each criterion's level on 0-100; None when no criterion is rated."""
    total = weight = 0.0
    for c in criteria:
        level = levels.get(c.key)
        if level is None:
            continue
        total += c.weight * (level - 1) / (c.top - 1) * 100
        weight += c.weight
    return round(total / weight, 2) if weight else None


def consensus_levels(
    criteria: Sequence[Criterion], ratings: Sequence[Mapping[str, int]]
) -> dict[str, float]:
    """Per criterion, the median level of the scorecards that rated it."""
    out: dict[str, float] = {}
    for c in criteria:
        values = [r[c.key] for r in ratings if c.key in r]
        if values:
            out[c.key] = float(statistics.median(values))
    return out


@dataclass(frozen=True)
class Rated:
    """A submitted scorecard, as the disagreement rule reads it."""

    label: str
    """How the reasons name it (``scorecard 1``)."""
    ratings: Mapping[str, int]
    recommendation: str


def disagreements(
    criteria: Sequence[Criterion], scorecards: Sequence[Rated], *, levels_apart: int
) -> list[str]:
    """Why these scorecards disagree, in words; empty when they agree. Any pair counts: a
    criterion ``levels_apart`` or more levels apart, or different recommendations."""
    reasons: list[str] = []
    for c in criteria:
        values = [s.ratings[c.key] for s in scorecards if c.key in s.ratings]
        if len(values) >= 2 and max(values) - min(values) >= levels_apart:
            reasons.append(f"{c.name}: levels {min(values)} and {max(values)}")
    recommendations = {s.recommendation for s in scorecards}
    if len(recommendations) > 1:
        ordered = [r for r in RECOMMENDATIONS if r in recommendations]
        reasons.append(f"recommendations differ ({', '.join(ordered)})")
    return reasons


def _pairs_apart(values: Sequence[int], levels_apart: int) -> bool:
    return any(abs(a - b) >= levels_apart for a, b in combinations(values, 2))


@dataclass(frozen=True)
class Combined:
    """The combined score of a submission and the recommendation it implies."""

    automated: float | None
    """The automated overall score (0-100), when the submission was graded."""
    human: float | None
    """The consensus human score (0-100), when scorecards are in."""
    score: float | None
    """``(a * automated + h * human) / (a + h)`` over the parts present."""
    recommendation: str | None
    """``advance``, ``hold`` or ``reject``; None without a score."""
    formula: str
    """The formula with this assignment's numbers, for the page and the decision's record."""


def combine(automated: float | None, human: float | None, spec: ReviewSpec | None) -> Combined:
    """The combined score and recommendation (the module's formula)."""
    a = spec.automated_weight if spec else 1.0
    h = spec.human_weight if spec else 0.0
    advance_at = spec.advance_at if spec else 70.0
    reject_below = spec.reject_below if spec else 50.0
    parts = [(a, automated), (h, human)]
    weight = sum(w for w, v in parts if v is not None and w > 0)
    score = (
        round(sum(w * v for w, v in parts if v is not None and w > 0) / weight, 2)
        if weight
        else None
    )
    formula = (
        f"({a:g} x automated + {h:g} x human) / {a + h:g}; advance at {advance_at:g} or more, "
        f"reject below {reject_below:g}"
    )
    if score is None:
        recommendation = None
    elif score >= advance_at:
        recommendation = "advance"
    elif score < reject_below:
        recommendation = "reject"
    else:
        recommendation = "hold"
    return Combined(automated, human, score, recommendation, formula)

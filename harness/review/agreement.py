"""Agreement and calibration figures, pure functions of submitted scorecards.

- **Krippendorff's alpha** (ordinal for levels and recommendations, interval for human scores)
  comes from the ``krippendorff`` package (checked in the tests against Krippendorff's own
  worked examples). Units are submissions, values the scorecards' levels; a submission with a
  single scorecard carries no pairable value and drops out, as the method says.
- A reviewer's **offset from the consensus** is, per scorecard, their human score minus the mean
  of the *other* scorecards' human scores on the same submission (leaving themselves out, so a
  reviewer cannot pull the consensus towards themselves); per criterion, their level minus the
  median level of the others. Their **offset from the automated graders** is their human score
  minus the automated overall score of the report they reviewed.
- **Machine against people**: Spearman's rank correlation between the consensus human score and
  the automated overall score over submissions; per criterion, between the consensus level and
  the score of the grader the criterion names in ``compare_with``.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import krippendorff
import numpy as np
from scipy.stats import spearmanr

from harness.assignments.review_spec import RECOMMENDATIONS, Criterion
from harness.review.rules import consensus_levels, human_score

__all__ = [
    "CardFacts",
    "CriterionAgreement",
    "MachineGap",
    "ReviewerCalibration",
    "RulePrecision",
    "gap_counts",
    "interval_alpha",
    "machine_agreement",
    "ordinal_alpha",
    "per_criterion",
    "recommendation_alpha",
    "reviewer_calibration",
    "rule_precision",
    "spearman",
]


@dataclass(frozen=True)
class CardFacts:
    """One submitted scorecard, as calibration reads it."""

    submission_id: int
    reviewer: str
    ratings: dict[str, int]
    recommendation: str
    human_score: float
    automated_overall: float | None
    automated_graders: dict[str, float] = field(default_factory=dict)


def ordinal_alpha(units: Iterable[Sequence[int]], top: int) -> float | None:
    """Krippendorff's ordinal alpha of levels 1..``top``; each unit lists the levels its
    scorecards gave. None when undefined (no unit with two values, or a single value used)."""
    rows = [u for u in units if len(u) >= 2]
    if not rows or len({v for u in rows for v in u}) < 2:
        return None
    counts = np.zeros((len(rows), top), dtype=float)
    for i, unit in enumerate(rows):
        for level in unit:
            counts[i, level - 1] += 1
    alpha = krippendorff.alpha(
        value_counts=counts, value_domain=list(range(1, top + 1)), level_of_measurement="ordinal"
    )
    return None if math.isnan(alpha) else float(alpha)


def interval_alpha(units: Iterable[Sequence[float]], *, step: float = 1.0) -> float | None:
    """Krippendorff's interval alpha; values are rounded to multiples of ``step`` first, so the
    coincidence matrix stays small (calibration uses 5-point steps of the 0-100 human score).
    None when undefined."""
    rows = [[round(v / step) * step for v in u] for u in units if len(u) >= 2]
    domain = sorted({v for u in rows for v in u})
    if not rows or len(domain) < 2:
        return None
    column = {v: j for j, v in enumerate(domain)}
    counts = np.zeros((len(rows), len(domain)), dtype=float)
    for i, unit in enumerate(rows):
        for value in unit:
            counts[i, column[value]] += 1
    alpha = krippendorff.alpha(
        value_counts=counts, value_domain=domain, level_of_measurement="interval"
    )
    return None if math.isnan(alpha) else float(alpha)


def _by_submission(cards: Iterable[CardFacts]) -> dict[int, list[CardFacts]]:
    grouped: dict[int, list[CardFacts]] = defaultdict(list)
    for card in cards:
        grouped[card.submission_id].append(card)
    return grouped


def recommendation_alpha(cards: Sequence[CardFacts]) -> float | None:
    """Ordinal alpha of the recommendations (reject < hold < advance)."""
    rank = {r: i + 1 for i, r in enumerate(RECOMMENDATIONS)}
    units = (
        [rank[c.recommendation] for c in group if c.recommendation in rank]
        for group in _by_submission(cards).values()
    )
    return ordinal_alpha(units, len(RECOMMENDATIONS))


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho with average ranks for ties; None for fewer than 3 pairs or no variance."""
    if len(x) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    rho = spearmanr(x, y).statistic
    return None if math.isnan(rho) else float(rho)


@dataclass(frozen=True)
class CriterionAgreement:
    key: str
    name: str
    alpha: float | None
    """Ordinal Krippendorff's alpha over submissions."""
    units: int
    """Submissions with two or more scorecards (the pairable units)."""
    compare_with: str | None
    rho_machine: float | None
    """Spearman's rho between the consensus level and ``compare_with``'s score."""
    machine_pairs: int


def per_criterion(
    criteria: Sequence[Criterion], cards: Sequence[CardFacts]
) -> list[CriterionAgreement]:
    grouped = _by_submission(cards)
    out = []
    for c in criteria:
        units = [[x.ratings[c.key] for x in g if c.key in x.ratings] for g in grouped.values()]
        people: list[float] = []
        machine: list[float] = []
        if c.compare_with:
            for group in grouped.values():
                levels = consensus_levels([c], [x.ratings for x in group]).get(c.key)
                graded = group[-1].automated_graders.get(c.compare_with)
                if levels is not None and graded is not None:
                    people.append(levels)
                    machine.append(graded)
        out.append(
            CriterionAgreement(
                key=c.key,
                name=c.name,
                alpha=ordinal_alpha(units, c.top),
                units=sum(1 for u in units if len(u) >= 2),
                compare_with=c.compare_with,
                rho_machine=spearman(people, machine),
                machine_pairs=len(people),
            )
        )
    return out


@dataclass(frozen=True)
class ReviewerCalibration:
    reviewer: str
    scorecards: int
    offset_consensus: float | None
    """Mean of (own human score - mean of the others' on the same submission)."""
    abs_offset_consensus: float | None
    offset_automated: float | None
    """Mean of (own human score - automated overall)."""
    criteria: dict[str, float]
    """Mean level offset from the median of the others, per criterion."""


def _median(values: Sequence[int]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def reviewer_calibration(
    criteria: Sequence[Criterion], cards: Sequence[CardFacts]
) -> list[ReviewerCalibration]:
    """Each reviewer's offsets, most scorecards first."""
    offsets: dict[str, list[float]] = defaultdict(list)
    to_machine: dict[str, list[float]] = defaultdict(list)
    per_key: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    count: dict[str, int] = defaultdict(int)
    for group in _by_submission(cards).values():
        for card in group:
            count[card.reviewer] += 1
            if card.automated_overall is not None:
                to_machine[card.reviewer].append(card.human_score - card.automated_overall)
            others = [x for x in group if x is not card]
            if not others:
                continue
            offsets[card.reviewer].append(
                card.human_score - sum(x.human_score for x in others) / len(others)
            )
            for c in criteria:
                theirs = [x.ratings[c.key] for x in others if c.key in x.ratings]
                if c.key in card.ratings and theirs:
                    per_key[card.reviewer][c.key].append(card.ratings[c.key] - _median(theirs))
    return [
        ReviewerCalibration(
            reviewer=name,
            scorecards=n,
            offset_consensus=_mean(offsets[name]),
            abs_offset_consensus=_mean([abs(v) for v in offsets[name]]),
            offset_automated=_mean(to_machine[name]),
            criteria={k: round(statistics.fmean(v), 2) for k, v in per_key[name].items() if v},
        )
        for name, n in sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@dataclass(frozen=True)
class MachineGap:
    """One submission's consensus human score beside its automated overall score."""

    submission_id: int
    human: float
    automated: float

    @property
    def gap(self) -> float:
        return round(self.human - self.automated, 2)


def machine_agreement(
    criteria: Sequence[Criterion], cards: Sequence[CardFacts]
) -> tuple[float | None, list[MachineGap]]:
    """Spearman's rho between consensus human scores and automated overall scores, and every
    submission's pair (largest gap first)."""
    pairs = []
    for sid, group in _by_submission(cards).items():
        automated = group[-1].automated_overall
        human = human_score(criteria, consensus_levels(criteria, [c.ratings for c in group]))
        if automated is not None and human is not None:
            pairs.append(MachineGap(sid, human, automated))
    rho = spearman([p.human for p in pairs], [p.automated for p in pairs])
    pairs.sort(key=lambda p: (-abs(p.gap), p.submission_id))
    return rho, pairs


def gap_counts(pairs: Sequence[MachineGap], bins: int) -> tuple[tuple[int, ...], ...]:
    """``pairs`` in a ``bins`` x ``bins`` grid over 0-100: rows by human score, columns by
    automated score (a score of 100 falls in the last bin)."""
    counts = [[0] * bins for _ in range(bins)]
    for pair in pairs:
        i = min(bins - 1, max(0, int(pair.human / 100 * bins)))
        j = min(bins - 1, max(0, int(pair.automated / 100 * bins)))
        counts[i][j] += 1
    return tuple(tuple(row) for row in counts)


@dataclass(frozen=True)
class RulePrecision:
    rule: str
    confirmed: int
    wrong: int
    unhelpful: int

    @property
    def dismissed(self) -> int:
        return self.wrong + self.unhelpful

    @property
    def precision(self) -> float | None:
        """Confirmed over all marks: the share of this rule's marked findings reviewers kept."""
        total = self.confirmed + self.dismissed
        return self.confirmed / total if total else None


def rule_precision(marks: Iterable[tuple[str, str]]) -> list[RulePrecision]:
    """Per rule, from (rule, verdict) marks; most dismissed first."""
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for rule, verdict in marks:
        tally[rule][verdict] += 1
    out = [
        RulePrecision(rule, t["confirmed"], t["wrong"], t["unhelpful"]) for rule, t in tally.items()
    ]
    out.sort(key=lambda r: (-r.dismissed, r.precision if r.precision is not None else 1, r.rule))
    return out

"""The writeup's points: criteria, their shares, and the caps.

Every criterion is a share (0-1) of its points in :data:`POINTS`; ``docs/scoring/writeup.md``
explains each for reviewers. Two caps apply after the shares, each traceable in the breakdown:

- **off-topic** (:data:`OFF_TOPIC_CAP`): the content criteria earn nothing ("not credited: the
  writeup is about ..."); only existing and length remain;
- **inflated** (:data:`INFLATED_CAP`): an overall figure above the measured interval by more than
  its margin (0.02 for test figures, 0.05 for validation ones) makes every number in the writeup
  untrustworthy; every criterion is scaled down by the same factor, and says so, so that the
  score is at most the cap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from graders.types import ScoreComponent
from graders.writeup.claims import Claim, ClaimContext
from graders.writeup.method import MAX_METHOD_POINTS, EvaluationMethod
from graders.writeup.relevance import Relevance
from graders.writeup.sections import Block, Coverage, SectionMatch, prose_words
from graders.writeup.verify import ClaimCheck, ClaimVerdict

__all__ = [
    "DEPTH_WORDS",
    "EVIDENCE_PARTS",
    "INFLATED_CAP",
    "MAX_WORDS",
    "MIN_WORDS",
    "OFF_TOPIC_CAP",
    "POINTS",
    "Inputs",
    "breakdown",
    "is_error",
    "reasons_given",
    "section_words",
]

MIN_WORDS = 150
"""Fewer words of prose than this is too short to explain approach, results and trade-offs."""
MAX_WORDS = 3000
"""More than this is too long for a reviewer to read in a take-home review."""
DEPTH_WORDS = 60
"""Words under a section's heading for full depth credit; a one-line section earns about a quarter."""
REASONS_FOR_FULL = 5
"""Reasons given ("because", "at the cost of", "instead of") for full credit on explained choices."""

POINTS: dict[str, float] = {
    "exists": 2.0,
    "relevance": 5.0,
    "sections": 10.0,
    "depth": 23.0,
    "length": 5.0,
    "method": MAX_METHOD_POINTS,
    "evidence": 22.0,
    "reasons": 8.0,
    "agreement": 10.0,
}
"""Points available per criterion (100 in all). Calibrated on the issue-9 corpus's expert
judgments: a reviewer rewards developed sections and reported evidence most; numbers that agree
with the measurement are expected rather than rewarded (10), and numbers that do not cap the
score (:data:`INFLATED_CAP`)."""
OFF_TOPIC_CAP = POINTS["exists"] + POINTS["length"]
"""The most an off-topic writeup can score: only existing and length are credited."""
INFLATED_CAP = 25.0
"""The most a writeup with an inflated overall figure can score."""

_CHECKABLE = frozenset({"accuracy", "macro_f1", "weighted_f1", "f1"})
_OWN = frozenset({ClaimContext.test, ClaimContext.cv})
_REASON = re.compile(
    r"\bbecause\b|\bsince\b|,\s+so\b|\bso that\b|\bso that\b|\bat the cost\b|\bat the expense\b|\bcosts?\b|\binstead of\b|"
    r"\brather than\b|\bwhereas\b|\bin exchange\b|\bwhich means\b|\bthe price\b|\bworth\b|\btrade[\s-]?off\b|"
    r"\bdownside\b|\brisk\b|\bgains?\b|\bloses?\b|\bhurts?\b|\bhelps?\b|\bbetter\b|\bworse\b|\bfaster\b|"
    r"\bslower\b|\bcheaper\b|\bsimpler\b|\bmore robust\b|\bdid not\b|\bdidn'?t\b",
    re.I,
)
_SPREAD = re.compile(
    r"±|\+/-|\bstd\b|standard deviation|\bstdev\b|\bper fold\b|across (?:the )?folds|over (?:the )?folds|"
    r"fold[\s-]to[\s-]fold|confidence interval|\b\d{2}% ci\b|\bci\b|\bvariance\b|\bspread\b",
    re.I,
)


def is_error(check: ClaimCheck) -> bool:
    """An inflated overall figure (test or validation, each beyond its margin) is an error that
    caps the score; a per-class figure, noisier, is a warning."""
    return check.verdict is ClaimVerdict.inflated and check.claim.label is None


@dataclass(frozen=True)
class Inputs:
    """What the breakdown is computed from."""

    coverage: list[Coverage]
    blocks: list[Block]
    words: int
    relevance: Relevance
    method: EvaluationMethod
    claims: list[Claim]
    checks: list[ClaimCheck]
    checkable: bool
    """Whether held-out predictions were scored (claims could be compared)."""
    text: str


def _section_share(coverage: list[Coverage]) -> float:
    credit = {SectionMatch.heading: 1.0, SectionMatch.body: 0.5, SectionMatch.missing: 0.0}
    return sum(credit[c.match] for c in coverage) / len(coverage) if coverage else 1.0


def _covering_blocks(coverage: list[Coverage], blocks: list[Block]) -> dict[str, Block]:
    found: dict[str, Block] = {}
    for c in coverage:
        if c.match is SectionMatch.heading:
            block = next((b for b in blocks if b.doc == c.doc and b.line == c.line), None)
            if block is not None:
                found[c.section] = block
    return found


def section_words(coverage: list[Coverage], blocks: list[Block]) -> dict[str, int]:
    """Words of prose under the heading of each required section a heading covers."""
    return {s: prose_words(b.section) for s, b in _covering_blocks(coverage, blocks).items()}


def reasons_given(coverage: list[Coverage], blocks: list[Block]) -> int:
    """Reasons given for choices ("because", "instead of", "at the cost of") in the approach
    and trade-offs sections."""
    covering = _covering_blocks(coverage, blocks)
    return sum(
        len(_REASON.findall(b.section)) for s, b in covering.items() if _is_choice_section(s)
    )


def _depth(coverage: list[Coverage], blocks: list[Block]) -> tuple[float, str]:
    """Mean over required sections of min(1, words under its heading / DEPTH_WORDS)."""
    if not coverage:
        return 1.0, "no sections required"
    words = section_words(coverage, blocks)
    share = sum(min(1.0, words.get(c.section, 0) / DEPTH_WORDS) for c in coverage) / len(coverage)
    thin = [s for s, n in words.items() if n < DEPTH_WORDS / 2]
    why = f"thin: {', '.join(thin)}" if thin else f"{DEPTH_WORDS}+ words under each heading"
    return share, why


def _reasons(coverage: list[Coverage], blocks: list[Block]) -> tuple[float, int]:
    count = reasons_given(coverage, blocks)
    return min(1.0, count / REASONS_FOR_FULL), count


def _is_choice_section(section: str) -> bool:
    key = " ".join(re.findall(r"[a-z]+", section.lower()))
    return any(w in key for w in ("approach", "trade", "method", "decision", "limitation"))


EVIDENCE_PARTS: dict[str, float] = {
    "own accuracy/F1": 10.0,
    "macro-F1": 4.0,
    "per-class": 3.0,
    "spread": 3.0,
    "baseline figure": 2.0,
}
"""What the results report, in points of the evidence criterion (22 in all)."""


def _evidence(claims: Sequence[Claim], text: str) -> tuple[float, list[str]]:
    """The model's own accuracy or F1, its macro-F1 (the task's metric), per-class figures, a
    spread over folds or an interval, a baseline's figure."""
    own = [c for c in claims if c.context in _OWN]
    found = {
        "own accuracy/F1": any(c.metric in _CHECKABLE and c.label is None for c in own),
        "macro-F1": any(c.metric == "macro_f1" for c in own),
        "per-class": any(c.label is not None for c in own),
        "spread": bool(own) and bool(_SPREAD.search(text)),
        "baseline figure": any(c.context is ClaimContext.baseline for c in claims),
    }
    names = [name for name, ok in found.items() if ok]
    return sum(EVIDENCE_PARTS[n] for n in names) / sum(EVIDENCE_PARTS.values()), names


def _agreement(inputs: Inputs) -> tuple[float, str]:
    if not inputs.checkable:
        if not inputs.claims:
            return 0.0, "no numbers"
        return 0.0, "not checked: no held-out predictions were scored"
    own = [c for c in inputs.checks if c.claim.context in _OWN]
    if not inputs.claims or not own:
        return 0.0, "no numbers of the model's own held-out or validation performance to check"
    verified = [c for c in own if c.verified]
    if not verified:
        return 0.0, f"none of {len(own)} numbers can be checked"
    inflated = [c for c in verified if c.verdict is ClaimVerdict.inflated]
    if any(is_error(c) for c in inflated):
        return 0.0, "a figure is above the measured interval"
    if inflated:
        return 0.5, "a validation or per-class figure is above the measured interval"
    return 1.0, f"{len(verified)} checked"


def _length(words: int) -> float:
    if words < MIN_WORDS:
        return words / MIN_WORDS
    return 0.5 if words > MAX_WORDS else 1.0


class _Row(NamedTuple):
    """One criterion before the caps."""

    key: str
    """Its key in :data:`POINTS`."""
    criterion: str
    share: float
    basis: str
    content: bool
    """Content is not credited when the writeup is off-topic."""


def breakdown(inputs: Inputs) -> list[ScoreComponent]:
    """Every criterion's points, with the caps applied (see the module's docstring)."""
    relevance = inputs.relevance
    off = relevance.off_topic
    rows = [*_form_rows(inputs), *_substance_rows(inputs)]
    why_off = f" — not credited: the writeup is about {relevance.other_dataset}" if off else ""
    parts = [
        ScoreComponent(
            criterion=criterion + (why_off if content else ""),
            points=0.0 if off and content else round(POINTS[key] * share, 2),
            max_points=POINTS[key],
            basis="writeup:off-topic" if off and content else basis,
        )
        for key, criterion, share, basis, content in rows
    ]
    if not off and any(is_error(c) for c in inputs.checks):
        parts = _capped(parts, INFLATED_CAP, "a figure is above the measured interval")
    return parts


def _form_rows(inputs: Inputs) -> list[_Row]:
    """A writeup about this task, covering and developing the sections asked for, at a sensible
    length."""
    depth, depth_why = _depth(inputs.coverage, inputs.blocks)
    return [
        _Row("exists", "A writeup exists", 1.0, "writeup:missing", False),
        _Row(
            "relevance",
            "About this task: its queues, data and metric",
            inputs.relevance.share,
            "metrics.relevance",
            True,
        ),
        _Row(
            "sections",
            "Required sections covered (a heading each; half for a mention in passing)",
            _section_share(inputs.coverage),
            "metrics.sections_covered",
            True,
        ),
        _Row("depth", f"Sections developed ({depth_why})", depth, "metrics.section_words", True),
        _Row(
            "length",
            f"Sensible length ({MIN_WORDS}-{MAX_WORDS} words)",
            _length(inputs.words),
            "metrics.words",
            False,
        ),
    ]


def _substance_rows(inputs: Inputs) -> list[_Row]:
    """What it says: how the model was evaluated, the results, reasons for the choices, and
    whether its numbers agree with the held-out measurement."""
    reasons, reason_count = _reasons(inputs.coverage, inputs.blocks)
    evidence, evidence_parts = _evidence(inputs.claims, inputs.text)
    agreement, agreement_why = _agreement(inputs)
    return [
        _Row(
            "method",
            "Evaluation method described (split or cross-validation 6, stratified 2, baseline 2, "
            "per-class 3, error analysis 2)",
            inputs.method.points / MAX_METHOD_POINTS,
            "metrics.evaluation_method",
            True,
        ),
        _Row(
            "evidence",
            "Results reported (own accuracy/F1 10, macro-F1 4, per-class 3, spread 3, baseline 2): "
            + (", ".join(evidence_parts) or "none"),
            evidence,
            "metrics.claims_found",
            True,
        ),
        _Row(
            "reasons",
            f"Choices explained in the approach and trade-offs ({reason_count} reasons given)",
            reasons,
            "metrics.reasons_given",
            True,
        ),
        _Row(
            "agreement",
            f"Claimed numbers agree with the held-out measurement ({agreement_why})",
            agreement,
            "writeup:inflated-claim",
            True,
        ),
    ]


def _capped(parts: list[ScoreComponent], cap: float, why: str) -> list[ScoreComponent]:
    """Every criterion scaled by one factor so that the score is at most ``cap``."""
    earned = sum(p.points for p in parts)
    if earned <= cap:
        return parts
    factor = cap / earned
    return [
        p.model_copy(
            update={
                "points": math.floor(p.points * factor * 100) / 100,  # the sum stays <= cap
                "criterion": f"{p.criterion} (scaled by {factor:.2f}: capped at {cap:g}, {why})",
            }
        )
        for p in parts
    ]

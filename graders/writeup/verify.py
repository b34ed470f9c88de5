"""How a writeup's claims compare with what the harness measured on the held-out tickets.

Each claim is compared with the **matching** measurement only, never with a neighbour:

- accuracy (and micro-F1, which equals it for single-label classification) with held-out
  accuracy and its bootstrap interval;
- macro-F1 with macro-F1 and its interval;
- weighted-F1 with weighted-F1, the macro interval's half-width around it (the score stage
  bootstraps accuracy and macro-F1 only);
- an F1 that does not say which average with both readings: above both it is inflated, within
  both it agrees, between them it is ambiguous and left unverified;
- a per-class precision, recall or F1 for one of the assignment's labels with that class's
  held-out figure, give or take a binomial 95% half-width for the class's support
  (``1.96 * sqrt(v * (1 - v) / support)``).

What the harness does not measure is **unverified**, never taken as agreeing: overall precision
and recall (they need an average the writeup rarely states), ROC AUC, average precision, log loss,
balanced and top-k accuracy, kappa, MCC, per-class figures for labels this task does not have.
Baseline, training-set and target figures are not claims about the candidate's held-out
performance and are not checked.

A claim is **inflated** when it is above the high end of the interval by more than
:data:`MARGIN` (test-set claims) or :data:`CV_MARGIN` (claims labelled as cross-validation or
validation scores: an estimate on data from the same distribution should be near the held-out
score, and one far above it signals leakage or misreporting, but a few points of optimism are
normal). Claims below the measurement are not penalised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from graders.types import SplitScores
from graders.writeup.claims import METRIC_NAMES, Claim, ClaimContext

__all__ = ["CV_MARGIN", "MARGIN", "ClaimCheck", "ClaimVerdict", "check_claim"]

MARGIN = 0.02
"""How far above the interval's high end a test-set claim may be before it is inflated."""
CV_MARGIN = 0.05
"""The same for claims labelled as cross-validation or validation scores."""
Z95 = 1.96


class ClaimVerdict(StrEnum):
    agrees = "agrees"
    """Within the margin of the matching held-out measurement."""
    inflated = "inflated"
    """Above the matching measurement's interval by more than the margin."""
    unverified = "unverified"
    """The harness does not measure this metric, or the claim is ambiguous."""
    not_checked = "not_checked"
    """A baseline, training-set or target figure: not about held-out performance."""


@dataclass(frozen=True)
class ClaimCheck:
    """A claim and what it was compared with."""

    claim: Claim
    verdict: ClaimVerdict
    measured: float | None = None
    """The held-out point estimate it is compared with."""
    low: float | None = None
    high: float | None = None
    """The bound the claim may not exceed by more than the margin."""
    margin: float = MARGIN
    reason: str = ""
    """Why a claim is unverified or not checked, in a reviewer's words."""

    @property
    def excess(self) -> float:
        """How far the claim is above :attr:`high` (0 when it is not)."""
        if self.high is None:
            return 0.0
        return max(0.0, round(self.claim.value - self.high, 4))

    @property
    def verified(self) -> bool:
        return self.verdict in {ClaimVerdict.agrees, ClaimVerdict.inflated}


def _verdict(value: float, high: float, margin: float) -> ClaimVerdict:
    return ClaimVerdict.inflated if value > high + margin else ClaimVerdict.agrees


def _per_class(claim: Claim, heldout: SplitScores, margin: float) -> ClaimCheck:
    score = next((c for c in heldout.per_class if c.label == claim.label), None)
    if score is None or not claim.known_label:
        reason = (
            f"{claim.label!r} is not one of this task's labels"
            if not claim.known_label
            else f"the harness measured no per-class figure for {claim.label!r}"
        )
        return ClaimCheck(claim, ClaimVerdict.unverified, margin=margin, reason=reason)
    measured = float(getattr(score, claim.metric))
    half = Z95 * math.sqrt(max(measured * (1 - measured), 0.0) / max(score.support, 1))
    low, high = measured - half, measured + half
    return ClaimCheck(claim, _verdict(claim.value, high, margin), measured, low, high, margin)


def check_claim(claim: Claim, heldout: SplitScores) -> ClaimCheck:
    """Compare one claim with the matching held-out measurement."""
    if claim.context not in {ClaimContext.test, ClaimContext.cv}:
        return ClaimCheck(claim, ClaimVerdict.not_checked, reason=f"a {claim.context.value} figure")
    margin = CV_MARGIN if claim.context is ClaimContext.cv else MARGIN
    if claim.label is not None:
        return _per_class(claim, heldout, margin)
    half = (heldout.macro_f1_ci.high - heldout.macro_f1_ci.low) / 2
    weighted = (heldout.weighted_f1, heldout.weighted_f1 - half, heldout.weighted_f1 + half)
    macro = (heldout.macro_f1, heldout.macro_f1_ci.low, heldout.macro_f1_ci.high)
    if claim.metric == "accuracy":
        measured, low, high = heldout.accuracy, heldout.accuracy_ci.low, heldout.accuracy_ci.high
    elif claim.metric == "macro_f1":
        measured, low, high = macro
    elif claim.metric == "weighted_f1":
        measured, low, high = weighted
    elif claim.metric == "f1":
        above_macro = claim.value > macro[2] + margin
        above_weighted = claim.value > weighted[2] + margin
        kinder = weighted if weighted[2] > macro[2] else macro
        if above_macro != above_weighted:
            return ClaimCheck(
                claim,
                ClaimVerdict.unverified,
                margin=margin,
                reason=f"an F1 that does not say which average: it agrees with "
                f"{'weighted' if above_macro else 'macro'}-F1 ({_fmt(weighted[0] if above_macro else macro[0])}) "
                f"but not with {'macro' if above_macro else 'weighted'}-F1 "
                f"({_fmt(macro[0] if above_macro else weighted[0])})",
            )
        measured, low, high = kinder
    else:
        return ClaimCheck(
            claim,
            ClaimVerdict.unverified,
            margin=margin,
            reason=f"the harness measures {METRIC_NAMES[claim.metric]} per class only"
            if claim.metric in {"precision", "recall"}
            else f"the harness does not measure {METRIC_NAMES[claim.metric]}",
        )
    return ClaimCheck(claim, _verdict(claim.value, high, margin), measured, low, high, margin)


def _fmt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"

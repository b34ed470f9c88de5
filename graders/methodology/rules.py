"""The methodology rules: what each costs, how bad it is, and what a reviewer reads.

The soundness part of the score starts at 60 and each finding subtracts its rule's
:attr:`RuleSpec.per_finding` points, at most :attr:`RuleSpec.cap` per rule, never below 0 (good
practice adds up to 40 more, in proportion to what is left; see ``practices.py``). The costs
follow how much a problem misleads a reviewer or hurts the delivered model, and were set against
the expert judgments of the calibration corpus (where a single severe flaw puts methodology at
5-15 out of 100):

- a class the model can never predict, a transformer refitted on the test features, and numbers
  measured only on the training rows break the result or every number reported about it (55);
- no held-out evaluation in the code leaves the reported numbers unverifiable (30; lighter,
  because the code may simply not include the evaluation the writeup describes);
- leakage before the split inflates the candidate's own numbers (40);
- a delivered model that never saw the held-back rows wastes a fifth of the data (25);
- densifying a TF-IDF matrix costs memory, an unstratified split and a missing seed cost
  reproducibility and stable estimates (10, 5, 5).
"""

from __future__ import annotations

from dataclasses import dataclass

from graders.methodology.observations import Rule
from graders.types import Severity

__all__ = ["RULES", "RuleSpec"]


@dataclass(frozen=True)
class RuleSpec:
    """How one rule scores and reads."""

    rule: Rule
    criterion: str
    """The breakdown line, in a reviewer's words."""
    per_finding: float
    """Points one finding takes away."""
    cap: float
    """Most points the rule takes away, however many findings it has."""
    severity: Severity
    short: str
    """A few words for the summary line."""


RULES: dict[Rule, RuleSpec] = {
    spec.rule: spec
    for spec in (
        RuleSpec(
            Rule.dropped_classes,
            "Classes of the task dropped before training",
            55,
            55,
            Severity.error,
            "classes dropped before training",
        ),
        RuleSpec(
            Rule.fit_on_test_features,
            "Something fitted on the test features",
            55,
            55,
            Severity.error,
            "fitted on test features",
        ),
        RuleSpec(
            Rule.evaluated_on_training_data,
            "Evaluated only on the data the model was fitted on",
            55,
            55,
            Severity.error,
            "evaluated on training data only",
        ),
        RuleSpec(
            Rule.no_held_out_evaluation,
            "No evaluation on held-out data anywhere in the code",
            30,
            30,
            Severity.warning,
            "no held-out evaluation",
        ),
        RuleSpec(
            Rule.fit_before_split,
            "Transformer fitted before the split (leakage into the candidate's own evaluation)",
            40,
            40,
            Severity.warning,
            "fitted before the split",
        ),
        RuleSpec(
            Rule.final_model_on_subset,
            "Delivered model fitted on part of the training data, never refitted",
            25,
            25,
            Severity.warning,
            "final model fitted on part of the data",
        ),
        RuleSpec(
            Rule.densified_sparse,
            "Sparse text features densified",
            10,
            15,
            Severity.warning,
            "sparse features densified",
        ),
        RuleSpec(
            Rule.unstratified_split,
            "Hold-out split not stratified by class",
            5,
            5,
            Severity.info,
            "unstratified split",
        ),
        RuleSpec(
            Rule.unseeded,
            "Randomness without a fixed seed",
            5,
            15,
            Severity.info,
            "no fixed seed",
        ),
    )
}

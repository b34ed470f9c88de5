"""The methodology rules: what each costs, how bad it is, and what a reviewer reads.

Scoring starts from 100 points split over the rules (:attr:`RuleSpec.points`, summing to 100);
each finding takes :attr:`RuleSpec.per_finding` points from its rule, never below 0. Weights
follow how much the problem misleads a reviewer or hurts the delivered model: a class the model
can never predict or a transformer refitted on test features damages the predictions themselves;
training-set-only evaluation makes every reported number meaningless; leakage before the split
inflates the candidate's own numbers; a final model that never saw the held-back rows wastes data;
densifying and missing seeds cost memory and reproducibility.
"""

from __future__ import annotations

from dataclasses import dataclass

from graders.methodology.flow import Rule
from graders.types import Severity

__all__ = ["RULES", "RuleSpec"]


@dataclass(frozen=True)
class RuleSpec:
    """How one rule scores and reads."""

    rule: Rule
    criterion: str
    """The breakdown line, in a reviewer's words."""
    points: float
    """Points the rule holds out of 100."""
    per_finding: float
    """Points one finding takes away."""
    severity: Severity
    short: str
    """A few words for the summary line."""


RULES: dict[Rule, RuleSpec] = {
    spec.rule: spec
    for spec in (
        RuleSpec(
            Rule.dropped_classes,
            "Every class of the task can still be predicted (no classes filtered out)",
            20,
            20,
            Severity.error,
            "classes dropped before training",
        ),
        RuleSpec(
            Rule.fit_on_test_features,
            "Nothing is fitted on the test features",
            20,
            20,
            Severity.error,
            "fitted on test features",
        ),
        RuleSpec(
            Rule.evaluated_on_training_data,
            "Evaluated on data the model was not fitted on",
            20,
            20,
            Severity.warning,
            "evaluated on training data only",
        ),
        RuleSpec(
            Rule.fit_before_split,
            "Transformers fitted after the split (no leakage into the candidate's own evaluation)",
            15,
            15,
            Severity.warning,
            "fitted before the split",
        ),
        RuleSpec(
            Rule.final_model_on_subset,
            "The delivered model is refitted on all training data",
            10,
            10,
            Severity.warning,
            "final model fitted on part of the data",
        ),
        RuleSpec(
            Rule.densified_sparse,
            "Sparse text features are kept sparse",
            7,
            4,
            Severity.warning,
            "sparse features densified",
        ),
        RuleSpec(
            Rule.unseeded,
            "Random seeds fixed where results depend on them",
            8,
            3,
            Severity.info,
            "no fixed seed",
        ),
    )
}

assert sum(spec.points for spec in RULES.values()) == 100

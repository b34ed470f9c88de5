"""The score stage: predictions against held-out labels, on the host only (never in a container)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from graders.types import PredictionCheck, PredictionScores
from harness.assignments.loader import Assignment
from harness.evaluation.metrics import score_split
from harness.evaluation.predictions import read_labels_csv, validate_predictions

__all__ = ["Scored", "score_predictions", "score_run"]


@dataclass(frozen=True)
class Scored:
    """What the score stage measured, and the predictions it read (for the integrity checks)."""

    scores: PredictionScores
    predicted: dict[str, str] = field(default_factory=dict)
    """The label predicted for every id of the features file, canaries included; empty when the
    file could not be scored."""


def score_run(
    assignment: Assignment,
    predictions: Path | None,
    expected_ids: list[str],
    rejected: list[str],
    *,
    canary_ids: Collection[str] = (),
) -> Scored:
    """Validate the predictions file against every id of the features file, then score the
    held-out tickets only: canary rows are removed first and never reach a metric."""
    spec = assignment.spec
    empty = PredictionScores(
        check=PredictionCheck(ok=False),
        baseline=spec.baseline.as_metrics(),
        baseline_per_class_f1=dict(spec.baseline.per_class_f1),
        reference=spec.reference.as_metrics() if spec.reference else {},
        bootstrap_samples=spec.bootstrap_samples,
        seed=spec.seed,
    )
    if predictions is None and rejected:
        problems = [f"the predictions file was not read: {r}" for r in rejected]
        return Scored(empty.model_copy(update={"check": PredictionCheck(ok=False, problems=problems)}))
    check, predicted = validate_predictions(predictions, expected_ids, list(spec.labels))
    if not check.ok:
        return Scored(empty.model_copy(update={"check": check}))
    heldout_only = {i: label for i, label in predicted.items() if i not in canary_ids}

    data = spec.data
    heldout_truth = read_labels_csv(assignment.path(data.heldout_labels), data.id_column, data.label_column)
    heldout = score_split("heldout", heldout_truth, heldout_only, list(spec.labels),
                          bootstrap_samples=spec.bootstrap_samples, seed=spec.seed)
    shifted = None
    if data.shifted_labels:
        shifted_truth = read_labels_csv(assignment.path(data.shifted_labels), data.id_column, data.label_column)
        shifted = score_split("shifted", shifted_truth, heldout_only, list(spec.labels),
                              bootstrap_samples=spec.bootstrap_samples, seed=spec.seed + 1)
    scores = empty.model_copy(update={"check": check, "heldout": heldout, "shifted": shifted})
    return Scored(scores, predicted)


def score_predictions(
    assignment: Assignment, predictions: Path | None, expected_ids: list[str], rejected: list[str]
) -> PredictionScores:
    """Validate the predictions file and compute every metric for each held-out split."""
    return score_run(assignment, predictions, expected_ids, rejected).scores

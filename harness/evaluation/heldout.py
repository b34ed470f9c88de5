"""The score stage: predictions against held-out labels, on the host only (never in a container)."""

from __future__ import annotations

from pathlib import Path

from graders.types import PredictionCheck, PredictionScores
from harness.assignments.loader import Assignment
from harness.evaluation.metrics import score_split
from harness.evaluation.predictions import read_labels_csv, validate_predictions

__all__ = ["score_predictions"]


def score_predictions(
    assignment: Assignment, predictions: Path | None, expected_ids: list[str], rejected: list[str]
) -> PredictionScores:
    """Validate the predictions file and compute every metric for each held-out split."""
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
        return empty.model_copy(update={"check": PredictionCheck(ok=False, problems=problems)})
    check, predicted = validate_predictions(predictions, expected_ids, list(spec.labels))
    if not check.ok:
        return empty.model_copy(update={"check": check})

    data = spec.data
    heldout_truth = read_labels_csv(assignment.path(data.heldout_labels), data.id_column, data.label_column)
    heldout = score_split("heldout", heldout_truth, predicted, list(spec.labels),
                          bootstrap_samples=spec.bootstrap_samples, seed=spec.seed)
    shifted = None
    if data.shifted_labels:
        shifted_truth = read_labels_csv(assignment.path(data.shifted_labels), data.id_column, data.label_column)
        shifted = score_split("shifted", shifted_truth, predicted, list(spec.labels),
                              bootstrap_samples=spec.bootstrap_samples, seed=spec.seed + 1)
    return empty.model_copy(update={"check": check, "heldout": heldout, "shifted": shifted})

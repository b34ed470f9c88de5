"""Scoring the serving stage on the host: the client's report, the held-out labels, the batch model.

Part of the score stage of :func:`harness.grading.pipeline.grade`, which runs wherever the labels
are (the CLI's host, the embedded pool, or the API finishing a distributed worker's run).
"""

from __future__ import annotations

from pathlib import Path

from graders.serving.measures import ServingEvidence
from graders.types import StageOutcome, Verdict
from harness.assignments.loader import Assignment
from harness.evaluation.predictions import read_labels_csv, validate_predictions
from harness.serving.evidence import build_evidence, missing_evidence
from harness.serving.report import REPORT_FILE, read_client_report

__all__ = ["score_serving"]


def _truth(assignment: Assignment) -> dict[str, str]:
    data = assignment.spec.data
    truth = read_labels_csv(assignment.path(data.heldout_labels), data.id_column, data.label_column)
    if data.shifted_labels:
        truth.update(read_labels_csv(assignment.path(data.shifted_labels), data.id_column,
                                     data.label_column))
    return truth


def score_serving(
    assignment: Assignment,
    outcome: StageOutcome | None,
    predictions: Path | None,
    test_ids: list[str],
) -> ServingEvidence | None:
    """The serving evidence graders read; None when no serving stage ran."""
    spec = assignment.spec.serving
    if spec is None or outcome is None or outcome.verdict is Verdict.skipped:
        return None
    report, problem = read_client_report(outcome.files.get(REPORT_FILE))
    if report is None:
        return missing_evidence(spec, f"{outcome.message} ({problem})" if outcome.message else problem)
    labels = list(assignment.spec.labels)
    check, predicted = validate_predictions(predictions, test_ids, labels)
    evidence = build_evidence(spec, report, labels=labels, truth=_truth(assignment),
                              predictions=predicted if check.ok else {})
    # The host saw the server's end first hand; the client may have finished before it knew.
    evidence.server_exited = evidence.server_exited or outcome.exit_code is not None
    return evidence

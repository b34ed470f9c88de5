"""Comparing the predictions with those of the run without the trained model."""

from __future__ import annotations

from pathlib import Path

from graders.types import StageName, StageOutcome, Verdict
from harness.evaluation.model_dependence import Dependence, compare_without_model

IDS = ["T-1", "T-2", "T-3", "T-4"]
LABELS = ["billing", "refund"]
PREDICTED = {"T-1": "billing", "T-2": "refund", "T-3": "billing", "T-4": "refund"}


def _outcome(tmp_path: Path, rows: dict[str, str] | None, verdict: Verdict = Verdict.ok,
             exit_code: int | None = 0, message: str = "") -> StageOutcome:
    files = {}
    if rows is not None:
        path = tmp_path / "predictions.csv"
        path.write_text("id,label\n" + "".join(f"{k},{v}\n" for k, v in rows.items()))
        files["predictions.csv"] = path
    return StageOutcome(name=StageName.predict_nomodel, verdict=verdict, exit_code=exit_code,
                        message=message, duration_s=1.25, files=files, outputs=sorted(files))


def test_identical_predictions_without_the_model_are_flagged_with_evidence(tmp_path: Path) -> None:
    result = compare_without_model(PREDICTED, _outcome(tmp_path, dict(reversed(PREDICTED.items()))), IDS, LABELS)
    assert result.result is Dependence.independent and result.identical == result.compared == 4
    assert "exited 0" in result.evidence and "all 4 tickets" in result.evidence
    assert result.examples == IDS and result.cost_s == 1.25
    assert result.flags() == [f"Predictions do not depend on the trained model: {result.evidence}"]


def test_one_changed_prediction_is_enough_to_depend_on_the_model(tmp_path: Path) -> None:
    changed = {**PREDICTED, "T-3": "refund"}
    result = compare_without_model(PREDICTED, _outcome(tmp_path, changed), IDS, LABELS)
    assert result.result is Dependence.depends and result.identical == 3
    assert "1 of 4 predictions changed (75% unchanged)" in result.evidence and result.flags() == []


def test_a_predictor_that_fails_without_its_model_depends_on_it(tmp_path: Path) -> None:
    failed = _outcome(tmp_path, None, Verdict.failed, exit_code=1, message="exit code 1")
    result = compare_without_model(PREDICTED, failed, IDS, LABELS)
    assert result.result is Dependence.depends and "did not finish (exit code 1)" in result.evidence
    unusable = compare_without_model(PREDICTED, _outcome(tmp_path, {"T-1": "billing"}), IDS, LABELS)
    assert unusable.result is Dependence.depends and "no usable predictions" in unusable.evidence


def test_nothing_to_compare_is_not_checked(tmp_path: Path) -> None:
    assert compare_without_model(PREDICTED, None, IDS, LABELS).result is Dependence.not_checked
    skipped = StageOutcome(name=StageName.predict_nomodel, verdict=Verdict.skipped, message="turned off")
    result = compare_without_model(PREDICTED, skipped, IDS, LABELS)
    assert result.result is Dependence.not_checked and result.evidence == "turned off"
    unscored = compare_without_model({}, _outcome(tmp_path, PREDICTED), IDS, LABELS)
    assert unscored.result is Dependence.not_checked and "could not be scored" in unscored.evidence

"""The worker task with the real pipeline: real Docker, the shipped baseline, the real assignment."""

from __future__ import annotations

from harness.reports.schema import Report
from tests.jobs.real import Outcome, grade_baseline_for_real


def test_baseline_is_graded_through_the_worker_task() -> None:
    result = grade_baseline_for_real()
    assert result["outcome"] == Outcome.graded, result
    report = Report.model_validate(result["report"])
    assert report.status.value == "graded" and report.overall.score is not None
    assert report.submission.filename == "baseline.zip"
    accuracy = report.grader("accuracy")
    assert accuracy is not None and 0.7 < float(accuracy.metrics["accuracy"]) < 0.95  # type: ignore[arg-type]
    # Live progress reached the database: every stage that ran finished with a verdict.
    stages = result["stages"]
    for name in ("static", "tests", "train", "predict", "score"):
        assert stages[name]["state"] == "finished", (name, stages)
    assert stages["train"]["verdict"] == "ok"

"""Golden submissions through the whole pipeline on the real support-tickets assignment.

These are the end-to-end proofs that the graders see what the stages really produced: the writeup
grader checks claims against scores measured on held-out tickets the containers never saw, and
the tests grader reads the JUnit and coverage files the real test stage wrote.
"""

from __future__ import annotations

import pytest

from harness.assignments.loader import load_assignment
from harness.grading.pipeline import grade_path
from harness.reports.schema import Report, ReportStatus
from harness.settings import Settings
from tests.graders.conftest import golden_copy

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def reports(sandbox_image: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    root = tmp_path_factory.mktemp("golden-pipeline")
    settings = Settings(data_dir=root / "var")
    assignment = load_assignment("support-tickets", settings)
    return {
        name: grade_path(golden_copy(name, root), assignment, settings=settings)
        for name in ("strong", "inflated_writeup", "crashing_notebook")
    }


def _rules(report: Report, grader: str) -> set[str]:
    result = report.grader(grader)
    assert result is not None, f"no {grader} grader on the report"
    return {f.rule for f in result.findings}


def test_inflated_writeup_is_caught_against_real_held_out_scores(
    reports: dict[str, Report],
) -> None:
    report = reports["inflated_writeup"]
    assert report.status is ReportStatus.graded
    writeup = report.grader("writeup")
    assert writeup is not None and writeup.status.value == "ok"
    inflated = [f for f in writeup.findings if f.rule == "writeup:inflated-claim"]
    assert inflated, "the 97% accuracy claim must be flagged"
    assert report.scores is not None and report.scores.heldout is not None
    measured = f"{report.scores.heldout.accuracy:.3f}".rstrip("0")
    assert any("accuracy 0.97" in f.message and measured in f.message for f in inflated)


def test_honest_strong_submission_grades_well_everywhere(reports: dict[str, Report]) -> None:
    report = reports["strong"]
    assert report.status is ReportStatus.graded
    assert "writeup:inflated-claim" not in _rules(report, "writeup")
    writeup = report.grader("writeup")
    assert writeup is not None and writeup.metrics["claims_checked"] == 4
    tests = report.grader("tests")
    assert tests is not None
    assert tests.metrics["tests_passed"] == tests.metrics["tests_run"] == 17
    assert (tests.score or 0) >= 90
    quality = report.grader("quality")
    assert quality is not None and (quality.score or 0) >= 90
    # Its README reports a 5-fold CV that none of its code runs, which the methodology grader
    # (10% of the overall) holds against it: strong, but not flawless.
    assert report.overall.score is not None and report.overall.score >= 80


def test_strong_beats_inflated_on_the_writeup(reports: dict[str, Report]) -> None:
    strong = reports["strong"].grader("writeup")
    inflated = reports["inflated_writeup"].grader("writeup")
    assert strong is not None and inflated is not None
    assert (strong.score or 0) > (inflated.score or 0) + 20


def test_a_crashed_notebook_reads_the_same_everywhere(reports: dict[str, Report]) -> None:
    report = reports["crashing_notebook"]
    assert report.status is ReportStatus.graded
    stages = {s.name.value: s for s in report.stages}
    assert stages["notebook"].verdict.value == "failed"
    assert stages["tests"].verdict.value == "no_tests"
    assert stages["tests"].message == "pytest collected no tests (exit code 5)"
    cause = "the notebook stopped at cell 6 with NameError: name 'train_labels' is not defined"
    accuracy = report.grader("accuracy")
    assert accuracy is not None and accuracy.status.value == "failed"
    assert accuracy.summary.startswith(cause[:1].upper() + cause[1:])
    notebooks = report.grader("notebooks")
    assert notebooks is not None and "notebooks:run-failed" in _rules(report, "notebooks")
    assert (notebooks.score or 0) <= 80
    assert report.overall.flags and cause in report.overall.flags[0]
    assert report.overall.score is not None and report.overall.score <= 50
    strong = reports["strong"]
    assert strong.overall.flags == [] and (strong.overall.score or 0) > report.overall.score


def test_golden_tests_get_a_mutation_score_on_the_real_assignment(reports: dict[str, Report]) -> None:
    strong = reports["strong"]
    stages = {s.name.value: s for s in strong.stages}
    assert stages["mutation"].verdict.value == "ok", stages["mutation"].message
    tests = strong.grader("tests")
    assert tests is not None and tests.metrics["mutation_status"] == "measured"
    judged, score = tests.metrics["mutants_judged"], tests.metrics["mutation_score"]
    assert isinstance(judged, int) and 20 <= judged <= 60
    assert isinstance(score, float) and score >= 0.5, tests.metrics
    low, high = tests.metrics["mutation_ci_low"], tests.metrics["mutation_ci_high"]
    assert isinstance(low, float) and isinstance(high, float) and low <= score <= high
    assert any(c.basis == "metrics.mutation_score" for c in tests.breakdown)
    assert "mutation score" in tests.summary
    # A notebook without tests has nothing to mutate: the criterion is left out, not zeroed.
    crashed = reports["crashing_notebook"].grader("tests")
    assert crashed is not None and crashed.metrics["mutation_status"] == "not_applicable"
    assert all(c.basis != "metrics.mutation_score" for c in crashed.breakdown)


def test_methodology_is_reported_and_weighted(reports: dict[str, Report]) -> None:
    for report in reports.values():
        methodology = report.grader("methodology")
        assert methodology is not None and methodology.status.value == "ok"
        # the rubric's optional serving grader does not apply (no [serve]): the weights the
        # submission was scored with are the five core graders', methodology's 10% among them
        assert set(report.overall.not_applicable) == {"serving"}
        assert report.overall.applied_weights().get("methodology") == pytest.approx(0.1, abs=1e-3)
        assert "methodology" in report.overall.contributions
    strong = reports["strong"].grader("methodology")
    # strong's README reports a 5-fold CV that none of its code runs: 60 - 30 for that, plus the
    # class weights it does use, in proportion to what is left of the soundness points
    assert strong is not None and strong.score == 35.0
    assert [f.rule for f in strong.findings] == ["methodology:no-held-out-evaluation"]


def test_workspace_paths_never_leak_into_findings(reports: dict[str, Report]) -> None:
    for report in reports.values():
        for grader in report.graders:
            for finding in grader.findings:
                assert finding.file is None or not finding.file.startswith("/"), finding

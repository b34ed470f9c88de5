"""The shipped assignment graded for real: recorded baseline/reference scores are what the
sandbox measures, and the graders order the solutions as a reviewer would."""

from __future__ import annotations

import pytest

from harness.assignments.loader import Assignment, load_assignment
from harness.assignments.validate import compare_scores, validate_assignment
from harness.grading.pipeline import grade_path
from harness.reports.schema import Report, ReportStatus
from harness.settings import Settings

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("var"))


@pytest.fixture(scope="module")
def assignment(settings: Settings) -> Assignment:
    return load_assignment("support-tickets", settings)


@pytest.fixture(scope="module")
def reports(sandbox_image: str, assignment: Assignment, settings: Settings) -> dict[str, Report]:
    solutions = assignment.root / "solutions"
    return {name: grade_path(solutions / name, assignment, settings=settings)
            for name in ("baseline", "reference", "notebook_only")}


def measured(report: Report) -> dict[str, float]:
    assert report.scores is not None and report.scores.heldout is not None and report.scores.shifted is not None
    return {
        "heldout.accuracy": report.scores.heldout.accuracy, "heldout.macro_f1": report.scores.heldout.macro_f1,
        "shifted.accuracy": report.scores.shifted.accuracy, "shifted.macro_f1": report.scores.shifted.macro_f1,
    }


def test_assignment_folder_is_valid(assignment: Assignment) -> None:
    result = validate_assignment(assignment)
    assert result.ok, result.problems


@pytest.mark.parametrize("name", ["baseline", "reference"])
def test_recorded_scores_match_the_sandbox(reports: dict[str, Report], assignment: Assignment, name: str) -> None:
    report = reports[name]
    assert report.status == ReportStatus.graded
    recorded = assignment.spec.baseline if name == "baseline" else assignment.spec.reference
    assert recorded is not None
    assert compare_scores(recorded, measured(report)) == []
    per_class = {c.label: c.f1 for c in report.scores.heldout.per_class}  # type: ignore[union-attr]
    for label, f1 in recorded.per_class_f1.items():
        assert per_class[label] == pytest.approx(f1, abs=1e-4)


def test_baseline_lands_in_the_target_band(reports: dict[str, Report]) -> None:
    assert 0.75 <= measured(reports["baseline"])["heldout.accuracy"] <= 0.92


def test_notebook_only_solution_runs_headless(reports: dict[str, Report]) -> None:
    report = reports["notebook_only"]
    assert report.submission.kind == "notebook"
    assert measured(report)["heldout.accuracy"] >= 0.75


def test_reviewer_orderings(reports: dict[str, Report]) -> None:
    def score(name: str, grader: str) -> float:
        result = reports[name].grader(grader)
        assert result is not None and result.score is not None, (name, grader)
        return result.score

    assert score("reference", "accuracy") > score("baseline", "accuracy")
    assert score("reference", "tests") > score("baseline", "tests")
    assert score("reference", "quality") > score("notebook_only", "quality")
    overall = {name: r.overall.score or 0.0 for name, r in reports.items()}
    assert overall["reference"] > overall["baseline"]
    assert overall["reference"] > overall["notebook_only"]


def test_the_reference_serves_its_model_and_the_others_are_not_applicable(reports: dict[str, Report]) -> None:
    serving = reports["reference"].grader("serving")
    assert serving is not None and serving.status.value == "ok", serving.summary if serving else None
    assert serving.metrics["agreement"] == 1.0 and serving.metrics["bad_requests_handled"] == 8
    assert serving.score is not None and serving.score >= 75, serving.breakdown
    for name in ("baseline", "notebook_only"):
        overall = reports[name].overall
        assert set(overall.not_applicable) == {"serving"} and overall.complete, name


def test_reference_tests_get_a_mutation_score(reports: dict[str, Report], assignment: Assignment) -> None:
    tests = reports["reference"].grader("tests")
    assert tests is not None and tests.metrics["mutation_status"] == "measured", tests.metrics
    judged, score = tests.metrics["mutants_judged"], tests.metrics["mutation_score"]
    assert isinstance(judged, int) and 0 < judged <= assignment.spec.limits.mutation.mutants
    assert isinstance(score, float) and 0.0 <= score <= 1.0
    mutation = tests.details["mutation"]
    assert mutation["elapsed_s"] <= assignment.spec.limits.mutation.wall_seconds
    survivors = [m for m in mutation["mutants"] if m["status"] == "survived"]
    assert len(survivors) == tests.metrics["mutants_survived"]
    for mutant in survivors:
        assert mutant["file"].endswith(".py") and not mutant["file"].startswith("tests/")
        assert mutant["line"] >= 1 and mutant["change"] and mutant["tests"]

"""The mutation stage in the real sandbox, through the real pipeline, on golden submissions.

- suites of known strength on the same code: behavioural tests catch most seeded bugs, tests of
  ``hasattr``/``assert True``/a dummy model almost none, tests that only run the code few;
- hostile mutants (a loop that never ends, deleting the working folder, a fork bomb, a flood of
  output, a file that grows without end) are contained and counted as caught;
- the same submission gets the same mutants and the same score; a small budget stops the run and
  the report says so; nothing to mutate is "not applicable".
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from graders.types import GraderResult, StageName, StageOutcome, Verdict
from harness.assignments.loader import load_assignment
from harness.grading.pipeline import grade_path
from harness.reports.schema import Report
from harness.settings import Settings
from tests.factories import make_assignment, model_submission
from tests.graders.conftest import golden_copy

pytestmark = pytest.mark.docker

Grade = Callable[[str], Report]
FULL = "wall_seconds = 240\nbudget_seconds = 200\nmutants = 80"
"""Large enough to judge every mutant of the goldens (the hostile one has about two dozen)."""


@pytest.fixture(scope="module")
def grade_full(tmp_path_factory: pytest.TempPathFactory, sandbox_image: str) -> Grade:
    """``grade_full(golden)``: the golden's report, graded once per module with every mutant judged."""
    root = tmp_path_factory.mktemp("mutation")
    assignment_dir = make_assignment(root / "tiny", wall_seconds=60, memory_mb=512, mutation=FULL)
    cache: dict[str, Report] = {}

    def grade(name: str) -> Report:
        if name not in cache:
            settings = Settings(data_dir=root / f"var-{name}")
            cache[name] = grade_path(golden_copy(name, root), load_assignment(str(assignment_dir), settings),
                                     settings=settings)
        return cache[name]

    return grade


def stage_of(report: Report, name: StageName) -> StageOutcome:
    (stage,) = [s for s in report.stages if s.name is name]
    return stage


def grader_of(report: Report) -> GraderResult:
    result = report.grader("tests")
    assert result is not None
    return result


def mutants(report: Report) -> list[dict[str, object]]:
    table = grader_of(report).details["mutation"]["mutants"]
    assert isinstance(table, list)
    return table


def status_of(report: Report, line: int, change: str) -> str:
    (row,) = [m for m in mutants(report) if m["line"] == line and m["change"] == change]
    return str(row["status"])


def test_a_behavioural_suite_catches_most_seeded_bugs(grade_full: Grade) -> None:
    report = grade_full("mutation_behavioural")
    stage = stage_of(report, StageName.mutation)
    assert stage.verdict is Verdict.ok, stage
    metrics = grader_of(report).metrics
    assert metrics["mutation_status"] == "measured"
    assert metrics["mutants_judged"] == metrics["mutants_in_covered_code"]  # the whole catalogue
    assert metrics["mutation_score"] >= 0.85, metrics
    # `2 * smoothing` with smoothing 1.0 is `2 / smoothing`: an equivalent the tests cannot catch.
    assert status_of(report, 42, "`*` → `/`") == "survived"


def test_hollow_tests_catch_almost_nothing(grade_full: Grade) -> None:
    hollow = grader_of(grade_full("mutation_hollow")).metrics
    behavioural = grader_of(grade_full("mutation_behavioural")).metrics
    assert hollow["mutation_status"] == "measured"
    assert hollow["mutation_score"] <= 0.2, hollow
    assert hollow["mutation_ci_high"] < behavioural["mutation_ci_low"]


def test_running_the_code_without_checking_it_is_told_apart(grade_full: Grade) -> None:
    covering = grader_of(grade_full("mutation_coverage_only"))
    behavioural = grader_of(grade_full("mutation_behavioural"))
    assert covering.metrics["coverage_percent"] >= 85  # it runs (nearly) everything...
    assert covering.metrics["mutation_score"] < behavioural.metrics["mutation_score"] - 0.3, covering.metrics
    assert covering.score is not None and behavioural.score is not None
    assert covering.score < behavioural.score - 10
    survivors = [f for f in covering.findings if f.rule == "tests:mutant-survived"]
    assert survivors and all(f.file and f.file.startswith("ticketkit/") and f.line for f in survivors)


def test_hostile_mutants_are_contained_and_counted(grade_full: Grade, tmp_path: Path) -> None:
    before = _digest(Path(__file__).parent / "golden" / "mutation_hostile")
    report = grade_full("mutation_hostile")
    stage = stage_of(report, StageName.mutation)
    assert stage.verdict is Verdict.ok, stage
    metrics = grader_of(report).metrics
    assert metrics["mutants_judged"] == metrics["mutants_in_covered_code"]
    caught = {"killed", "timeout", "crashed"}
    assert status_of(report, 12, "`+=` → `-=`") == "timeout"  # a loop that never ends
    assert status_of(report, 17, "`dry_run` → `not (dry_run)`") in caught  # deletes the working copy
    assert status_of(report, 24, "`bomb` → `not (bomb)`") in caught  # a fork bomb
    assert status_of(report, 34, "`loud` → `not (loud)`") in caught  # floods stdout
    assert status_of(report, 43, "`big` → `not (big)`") in caught  # a file that grows without end
    # Judged correctly after all of that: the one mutant no test can notice survives.
    assert status_of(report, 10, "`0` → `1`") == "survived"
    assert metrics["mutants_survived"] == 1
    assert _digest(Path(__file__).parent / "golden" / "mutation_hostile") == before
    owner = f"{socket.gethostname()}:{os.getpid()}"
    left = docker.from_env().containers.list(all=True, filters={"label": [
        "takehome-harness.stage=mutation", f"takehome-harness.sandbox.owner={owner}"]})
    assert left == []


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_same_submission_same_mutants_same_score(tmp_path: Path, sandbox_image: str) -> None:
    assignment_dir = make_assignment(tmp_path / "tiny", wall_seconds=60, memory_mb=512,
                                     mutation="wall_seconds = 120\nbudget_seconds = 90\nmutants = 12")
    runs = []
    for attempt in range(2):
        settings = Settings(data_dir=tmp_path / f"var{attempt}")
        report = grade_path(golden_copy("mutation_behavioural", tmp_path), load_assignment(str(assignment_dir), settings),
                            settings=settings)
        runs.append([(m["file"], m["line"], m["change"], m["status"]) for m in mutants(report)])
        assert grader_of(report).metrics["mutants_judged"] == 12
    assert runs[0] == runs[1]


def test_a_small_budget_stops_the_run_and_says_so(tmp_path: Path, sandbox_image: str) -> None:
    # The hostile golden's hazards alone take more than the budget: each runs to its 5 s limit.
    assignment_dir = make_assignment(tmp_path / "tiny", wall_seconds=60, memory_mb=512,
                                     mutation="wall_seconds = 45\nbudget_seconds = 15\nmutants = 80")
    settings = Settings(data_dir=tmp_path / "var")
    report = grade_path(golden_copy("mutation_hostile", tmp_path), load_assignment(str(assignment_dir), settings),
                        settings=settings)
    result = grader_of(report)
    assert result.details["mutation"]["stopped"] == "budget"
    judged = result.metrics["mutants_judged"]
    assert isinstance(judged, int) and 0 < judged < int(result.metrics["mutants_in_covered_code"] or 0)
    assert "tests:mutation-partial" in {f.rule for f in result.findings}


def test_nothing_to_mutate_is_not_applicable(tmp_path: Path, sandbox_image: str) -> None:
    assignment_dir = make_assignment(tmp_path / "tiny", wall_seconds=60, memory_mb=512)
    settings = Settings(data_dir=tmp_path / "var")
    assignment = load_assignment(str(assignment_dir), settings)
    # A test that checks only itself: it passes, but no module of the candidate's runs.
    selfish = model_submission(tmp_path / "selfish", extra={
        "tests/test_self.py": "def test_arithmetic():\n    assert 1 + 1 == 2\n"})
    no_tests = model_submission(tmp_path / "plain")
    for source in (selfish, no_tests):
        report = grade_path(source, assignment, settings=settings)
        stage = stage_of(report, StageName.mutation)
        assert stage.verdict is Verdict.skipped, stage
        assert "nothing to mutate" in stage.message or "no per-test coverage" in stage.message
        result = grader_of(report)
        assert result.metrics["mutation_status"] == "not_applicable"
        assert all(c.basis != "metrics.mutation_score" for c in result.breakdown)

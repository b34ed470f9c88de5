"""How a stage's sandbox result becomes its verdict: pytest's "no tests collected" is its own."""

from __future__ import annotations

from pathlib import Path

import pytest

import sandbox
from graders.types import StageName, Verdict
from harness.assignments.spec import StagesLimits
from harness.grading import stages
from harness.grading.workdir import RunDirs
from harness.submissions.contract import ProjectContract


def result(verdict: sandbox.Verdict, exit_code: int | None, message: str) -> sandbox.RunResult:
    return sandbox.RunResult(
        verdict=verdict,
        exit_code=exit_code,
        duration_s=1.5,
        peak_memory_bytes=None,
        log="collected 0 items\n",
        log_truncated=False,
        message=message,
    )


@pytest.fixture
def runs(tmp_path: Path) -> dict[StageName, stages.StageRun]:
    dirs = RunDirs(tmp_path / "run", "run1")
    dirs.create()
    train = tmp_path / "train.csv"
    train.write_text("id,label\n")
    data = stages.StageData(train_csv=train, test_csv=train, limits=StagesLimits())
    contract = ProjectContract(
        train_command="python t.py {train} {model_dir}",
        predict_command="python p.py {test} {predictions}",
    )
    return {name: stages.build_stage(name, dirs, data, "image:tag", contract)
            for name in (StageName.tests, StageName.train)}


def test_pytest_exit_5_is_no_tests_with_its_own_message(
    runs: dict[StageName, stages.StageRun],
) -> None:
    outcome = stages.outcome_from(
        runs[StageName.tests], result(sandbox.Verdict.failed, 5, "exit code 5"), {}, []
    )
    assert outcome.verdict is Verdict.no_tests
    assert outcome.message == "pytest collected no tests (exit code 5)"
    assert outcome.exit_code == 5


@pytest.mark.parametrize(
    ("stage", "verdict", "exit_code", "expected"),
    [
        (StageName.tests, sandbox.Verdict.failed, 1, Verdict.failed),  # some tests failed
        (StageName.tests, sandbox.Verdict.ok, 0, Verdict.ok),
        (StageName.tests, sandbox.Verdict.timed_out, None, Verdict.timed_out),
        (
            StageName.train,
            sandbox.Verdict.failed,
            5,
            Verdict.failed,
        ),  # exit 5 means nothing special here
    ],
)
def test_other_results_keep_their_verdict(
    runs: dict[StageName, stages.StageRun],
    stage: StageName,
    verdict: sandbox.Verdict,
    exit_code: int | None,
    expected: Verdict,
) -> None:
    outcome = stages.outcome_from(
        runs[stage], result(verdict, exit_code, f"exit code {exit_code}"), {}, []
    )
    assert outcome.verdict is expected and outcome.message == f"exit code {exit_code}"

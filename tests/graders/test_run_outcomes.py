"""A run that did not finish shows the same way everywhere: accuracy, notebooks and the overall.

The notebook log below is what the harness's notebook runner printed in the sandbox for
``golden/crashing_notebook`` (captured from a real run); the docker test of the golden pipeline
checks the same path end to end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graders._notebooks import notebooks
from graders._runlog import notebook_failure_cell, run_failure
from graders.accuracy import AccuracyGrader
from graders.notebooks import NotebooksGrader
from graders.types import GraderResult, GraderStatus, StageName, StageOutcome, Verdict
from harness.grading.overall import RUN_FAILURE_CAP, compute_overall
from tests.graders.conftest import golden_copy, make_context, make_scores

NOTEBOOK_LOG = """\
run_notebook: a cell failed:
An error occurred while executing the following cell:
------------------
model = LinearSVC(C=0.5)
model.fit(X, train_labels)
------------------


---------------------------------------------------------------------------
NameError                                 Traceback (most recent call last)
Cell In[4], line 2
      1 model = LinearSVC(C=0.5)
----> 2 model.fit(X, train_labels)

NameError: name 'train_labels' is not defined

"""

TRAIN_LOG = """\
Traceback (most recent call last):
  File "/work/train.py", line 4, in <module>
    import xgboost
ModuleNotFoundError: No module named 'xgboost'
"""


def notebook_stage(log: str = NOTEBOOK_LOG, verdict: Verdict = Verdict.failed) -> StageOutcome:
    return StageOutcome(
        name=StageName.notebook, verdict=verdict, exit_code=1, message="exit code 1", log_tail=log
    )


@pytest.fixture
def crashed(tmp_path: Path) -> Path:
    return golden_copy("crashing_notebook", tmp_path)


def test_the_failing_cell_and_error_are_read_from_the_log(crashed: Path) -> None:
    ctx = make_context(crashed, stages={StageName.notebook: notebook_stage()}, kind="notebook")
    failure = run_failure(ctx)
    assert failure is not None
    assert (failure.notebook, failure.cell) == ("solution.ipynb", 6)
    assert failure.error == "NameError: name 'train_labels' is not defined"
    assert failure.describe() == (
        "the notebook stopped at cell 6 with NameError: name 'train_labels' is not defined"
    )


def test_the_cell_is_found_from_its_execution_number_when_the_source_was_cut(crashed: Path) -> None:
    ctx = make_context(crashed, kind="notebook")
    (nb,) = notebooks(ctx)
    tail = NOTEBOOK_LOG[NOTEBOOK_LOG.index("NameError  ") :]  # the head of the log was dropped
    assert notebook_failure_cell(tail, nb) == 6
    assert notebook_failure_cell("no cell named here", nb) is None


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        (
            {StageName.train: StageOutcome(name=StageName.train, verdict=Verdict.failed, exit_code=1,
                                           message="exit code 1", log_tail=TRAIN_LOG)},
            "the train command failed with ModuleNotFoundError: No module named 'xgboost'",
        ),
        (
            {StageName.train: StageOutcome(name=StageName.train, verdict=Verdict.ok),
             StageName.predict: StageOutcome(name=StageName.predict, verdict=Verdict.timed_out,
                                             message="killed after 300 s wall-clock limit")},
            "the predict command was killed at its time limit",
        ),
        (
            {StageName.notebook: notebook_stage("run_notebook: the kernel died (out of memory?): ...",
                                                Verdict.out_of_memory)},
            "the notebook run ran out of memory",
        ),
    ],
)  # fmt: skip
def test_each_kind_of_run_failure_is_described(
    tmp_path: Path, stages: dict[StageName, StageOutcome], expected: str
) -> None:
    failure = run_failure(make_context(tmp_path, stages=stages))
    assert failure is not None and failure.describe() == expected


def test_finished_or_skipped_runs_are_not_failures(tmp_path: Path) -> None:
    stages = {
        StageName.train: StageOutcome(name=StageName.train, verdict=Verdict.ok),
        StageName.predict: StageOutcome(name=StageName.predict, verdict=Verdict.ok),
        StageName.tests: StageOutcome(name=StageName.tests, verdict=Verdict.failed, exit_code=1),
    }
    assert run_failure(make_context(tmp_path, stages=stages)) is None


def test_accuracy_leads_with_the_failure_when_there_are_no_predictions(crashed: Path) -> None:
    ctx = make_context(crashed, stages={StageName.notebook: notebook_stage()}, kind="notebook")
    result = AccuracyGrader().grade(ctx)
    assert result.status is GraderStatus.failed and result.score == 0
    assert result.summary.startswith(
        "The notebook stopped at cell 6 with NameError: name 'train_labels' is not defined; "
        "no valid predictions"
    )
    stage_finding = next(f for f in result.findings if f.rule == "accuracy:notebook-failed")
    assert stage_finding.file == "solution.ipynb" and "cell 6" in stage_finding.message
    assert result.metrics["run_failure"] == (
        "the notebook stopped at cell 6 with NameError: name 'train_labels' is not defined"
    )


def test_predictions_written_before_a_crash_are_measured_but_the_status_is_failed(crashed: Path) -> None:
    ctx = make_context(
        crashed,
        stages={StageName.notebook: notebook_stage()},
        scores=make_scores(0.88, 0.86),
        kind="notebook",
    )
    result = AccuracyGrader().grade(ctx)
    finished = AccuracyGrader().grade(make_context(crashed, scores=make_scores(0.88, 0.86)))
    assert result.status is GraderStatus.failed and finished.status is GraderStatus.ok
    assert result.score == finished.score and (result.score or 0) > 0
    assert result.summary.startswith("The run did not finish: the notebook stopped at cell 6")
    assert "macro-F1 0.860" in result.summary


def test_the_notebooks_grader_uses_the_sandbox_run_not_only_saved_outputs(crashed: Path) -> None:
    clean = NotebooksGrader().grade(make_context(crashed, kind="notebook"))
    died = NotebooksGrader().grade(
        make_context(crashed, stages={StageName.notebook: notebook_stage()}, kind="notebook")
    )

    def no_errors(result: GraderResult) -> float:
        return next(c.points for c in result.breakdown if c.basis == "metrics.error_outputs")

    assert no_errors(clean) == 20 and no_errors(died) == 0
    assert (died.score or 0) == (clean.score or 0) - 20
    (finding,) = [f for f in died.findings if f.rule == "notebooks:run-failed"]
    assert finding.file == "solution.ipynb" and finding.severity.value == "error"
    assert "stopped at cell 6 with NameError" in finding.message
    assert "The sandbox run failed" in died.summary
    assert died.metrics["run_failure"] and clean.metrics["run_failure"] is None


def test_a_failed_project_run_does_not_touch_notebooks_that_were_not_run(tmp_path: Path) -> None:
    workspace = golden_copy("crashing_notebook", tmp_path)
    stages = {
        StageName.train: StageOutcome(
            name=StageName.train, verdict=Verdict.failed, exit_code=1, log_tail=TRAIN_LOG
        )
    }
    result = NotebooksGrader().grade(make_context(workspace, stages=stages))
    assert not any(f.rule == "notebooks:run-failed" for f in result.findings)


def test_the_overall_is_flagged_and_capped_when_the_run_failed(crashed: Path) -> None:
    weights = {"accuracy": 0.4, "tests": 0.2, "quality": 0.2, "writeup": 0.2}
    ctx = make_context(
        crashed,
        stages={StageName.notebook: notebook_stage()},
        scores=make_scores(0.9, 0.9),
        kind="notebook",
    )
    accuracy = AccuracyGrader().grade(ctx)
    others = [
        accuracy.model_copy(update={"name": n, "score": 95.0, "metrics": {}})
        for n in ("tests", "quality", "writeup")
    ]
    overall = compute_overall([accuracy, *others], weights)
    assert overall.score == RUN_FAILURE_CAP
    assert overall.capped_from is not None and overall.capped_from > RUN_FAILURE_CAP
    (flag,) = overall.flags
    assert flag.startswith("The run did not finish: the notebook stopped at cell 6")
    assert "capped at 50" in flag
    finished = AccuracyGrader().grade(make_context(crashed, scores=make_scores(0.9, 0.9)))
    uncapped = compute_overall([finished, *others], weights)
    assert uncapped.flags == [] and uncapped.capped_from is None
    assert uncapped.score == overall.capped_from


def test_a_low_overall_is_flagged_but_not_raised(crashed: Path) -> None:
    ctx = make_context(crashed, stages={StageName.notebook: notebook_stage()}, kind="notebook")
    accuracy = AccuracyGrader().grade(ctx)
    overall = compute_overall([accuracy], {"accuracy": 1.0})
    assert overall.score == 0 and overall.capped_from is None and len(overall.flags) == 1

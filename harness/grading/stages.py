"""The sandboxed stages of a grading run: what each container gets, and how its result is read.

Data a stage may see:

- tests: the submission and the public training CSV;
- mutation: the same as tests, plus the harness's mutation runner and the sample it judges;
- train: the submission, the training CSV and the model folder;
- predict: the submission, the model folder and the held-out *features* (both held-out sets,
  mixed, so ids do not reveal which is which);
- notebook: all of the above, in one run;
- serve (when the contract has ``[serve]``): the submission and the model folder (read-only) in
  the server's container; the harness's load client, in a second container, sends it held-out
  features (see :mod:`harness.grading.serve`).

Labels of held-out tickets are never written anywhere a container can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sandbox
from graders.candidate_tests.mutation import build_catalogue, mutation_stage_plan, sample_mutants
from graders.candidate_tests.plan import CONTEXTS_JSON, JUNIT_XML, PYTEST_NO_TESTS, test_stage_plan
from graders.notebooks.grader import EXECUTED_NOTEBOOK
from graders.types import StageName, StageOutcome, Verdict
from harness.assignments.loader import Assignment
from harness.assignments.spec import ServingSpec, StageLimits, StagesLimits
from harness.grading.features import reorder_rows
from harness.grading.workdir import RunDirs
from harness.submissions.contract import (
    NotebookContract,
    ProjectContract,
    SubmissionContract,
    render_command,
)

__all__ = [
    "CONTAINER_PATHS",
    "PlannedStage",
    "StageData",
    "StageNotApplicable",
    "StageRun",
    "build_stage",
    "limits_for",
    "outcome_from",
    "skipped",
    "skipped_stages",
    "stage_env",
    "stage_plan",
]

MiB = 1024 * 1024

CONTAINER_PATHS = {
    "submission": "/submission",
    "train": "/data/train.csv",
    "test": "/data/test.csv",
    "model_dir": "/model",
    "out": "/out",
    "predictions": "/out/predictions.csv",
}

NOTEBOOK_RUNNER = "/opt/harness/run_notebook.py"


@dataclass(frozen=True)
class StageData:
    """What the sandboxed stages need, and all they get: never labels.

    A distributed worker builds this from files it fetched from the API, so it holds paths and
    limits, not an :class:`Assignment`.
    """

    train_csv: Path
    """Public labelled training data."""
    test_csv: Path
    """Held-out features (both held-out sets, mixed), as :mod:`harness.grading.features` builds them."""
    limits: StagesLimits
    serving: ServingSpec | None = None
    """The API a ``[serve]`` server must offer; None when the assignment asks for no server."""
    id_column: str = "id"
    """The column naming a ticket (the load client reports served labels by it)."""
    skip: frozenset[StageName] = frozenset()
    """Planned stages the assignment turns off; they are reported as skipped, saying why."""

    @classmethod
    def for_assignment(cls, assignment: Assignment, test_csv: Path) -> StageData:
        spec = assignment.spec
        return cls(train_csv=assignment.train_csv, test_csv=test_csv, limits=spec.limits,
                   serving=spec.serving, id_column=spec.data.id_column,
                   skip=skipped_stages(assignment))

    def limits_of(self, stage: StageName) -> StageLimits:
        limits: StageLimits = getattr(self.limits, stage.value)
        return limits


@dataclass(frozen=True)
class StageRun:
    """A sandbox run plus the output folder the harness reads afterwards."""

    name: StageName
    spec: sandbox.RunSpec
    out_dir: Path | None
    limits: StageLimits


def limits_for(limits: StageLimits) -> sandbox.Limits:
    return sandbox.Limits(
        wall_seconds=float(limits.wall_seconds),
        memory_bytes=limits.memory_mb * MiB,
        cpus=limits.cpus,
        pids=limits.pids,
        output_bytes=limits.output_mb * MiB,
        tmpfs_bytes=limits.tmpfs_mb * MiB,
        log_bytes=limits.log_kb * 1024,
    )


def stage_env(limits: StageLimits) -> dict[str, str]:
    """Environment shared by every stage: pinned seeds and thread counts for reproducibility."""
    threads = str(max(1, int(limits.cpus)))
    return {
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",
        "OMP_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "NUMEXPR_NUM_THREADS": threads,
        "VECLIB_MAXIMUM_THREADS": threads,
        "MPLBACKEND": "Agg",
        "TRAIN_CSV": CONTAINER_PATHS["train"],
    }


def _labels(stage: StageName, run_id: str) -> dict[str, str]:
    return {"takehome-harness.stage": stage.value, "takehome-harness.run": run_id}


def _spec(
    stage: StageName,
    *,
    image: str,
    command: list[str],
    limits: StageLimits,
    mounts: list[sandbox.Mount],
    outputs: dict[str, Path],
    extra_env: dict[str, str],
    run_id: str,
) -> sandbox.RunSpec:
    return sandbox.RunSpec(
        command=command,
        image=image,
        limits=limits_for(limits),
        mounts=mounts,
        outputs=outputs,
        env={**stage_env(limits), **extra_env},
        workdir="/work",
        copy_in=CONTAINER_PATHS["submission"],
        labels=_labels(stage, run_id),
        name_hint=f"{stage.value}-{run_id}",
    )


def _base_mounts(dirs: RunDirs, data: StageData) -> list[sandbox.Mount]:
    return [
        sandbox.Mount(dirs.submission, CONTAINER_PATHS["submission"]),
        sandbox.Mount(data.train_csv, CONTAINER_PATHS["train"]),
    ]


def _config_mounts(dirs: RunDirs, stage: StageName, files: dict[str, str]) -> list[sandbox.Mount]:
    """The harness's own files a stage gets read-only (plugins, config, runners, plans)."""
    mounts = []
    for index, (container_path, content) in enumerate(sorted(files.items())):
        host = dirs.harness_files / f"{stage.value}-{index}-{Path(container_path).name}"
        host.write_text(content, encoding="utf-8")
        mounts.append(sandbox.Mount(host, container_path))
    return mounts


def _tests(dirs: RunDirs, data: StageData, image: str, contract: SubmissionContract) -> StageRun:
    """The candidate's own pytest, with the public training data only."""
    limits = data.limits.tests
    # One hanging test may use a quarter of the stage at most, so the others still report.
    plan = test_stage_plan(per_test_timeout_s=max(5, min(60, limits.wall_seconds // 4)),
                           per_test_contexts=data.limits.mutation.enabled)
    mounts = _base_mounts(dirs, data) + _config_mounts(dirs, StageName.tests, plan.files)
    out = dirs.out(StageName.tests)
    out.mkdir()
    spec = _spec(StageName.tests, image=image, command=list(plan.command), limits=limits,
                 mounts=mounts, outputs={CONTAINER_PATHS["out"]: out}, extra_env=dict(plan.env),
                 run_id=dirs.run_id)
    return StageRun(StageName.tests, spec, out, limits)


class StageNotApplicable(Exception):  # a planned outcome, not an error
    """A planned stage has nothing to do for this submission; the message says why."""


def _tests_outputs(dirs: RunDirs, data: StageData) -> dict[str, Path]:
    """The tests stage's output files, accepted as the collector accepted them after that stage
    (same caps), so the plan here and the grader's reading of it start from the same files."""
    cap = data.limits.tests.output_mb * MiB
    collected = sandbox.collect_outputs(dirs.out(StageName.tests), max_file_bytes=cap, max_total_bytes=cap)
    return {f.name: f.path for f in collected.files}


def _mutation(dirs: RunDirs, data: StageData, image: str, contract: SubmissionContract) -> StageRun:
    """Mutants of the candidate's own code, judged by the tests that run each mutated line."""
    limits = data.limits.mutation
    if not limits.enabled:
        raise StageNotApplicable("mutation testing is turned off for this assignment")
    files = _tests_outputs(dirs, data)
    if CONTEXTS_JSON not in files:
        raise StageNotApplicable("not run: the tests stage recorded no per-test coverage (no test ran)")
    catalogue = build_catalogue(dirs.submission, files[CONTEXTS_JSON], files.get(JUNIT_XML))
    if catalogue.problem is not None:
        raise StageNotApplicable(f"not run: {catalogue.problem}")
    sample = sample_mutants(catalogue, size=limits.mutants + limits.mutants // 2, seed=limits.seed)
    if not sample:
        raise StageNotApplicable(
            "nothing to mutate: no passing test runs a module of the candidate's own code")
    plan = mutation_stage_plan(sample, judge=limits.mutants, budget_s=float(limits.budget_seconds),
                               wall_s=float(limits.wall_seconds))
    mounts = _base_mounts(dirs, data) + _config_mounts(dirs, StageName.mutation, plan.files)
    out = dirs.out(StageName.mutation)
    out.mkdir()
    spec = _spec(StageName.mutation, image=image, command=list(plan.command), limits=limits,
                 mounts=mounts, outputs={CONTAINER_PATHS["out"]: out}, extra_env=dict(plan.env),
                 run_id=dirs.run_id)
    return StageRun(StageName.mutation, spec, out, limits)


def _paths() -> dict[str, str]:
    return {k: CONTAINER_PATHS[k] for k in ("train", "test", "model_dir", "predictions")}


def _project(contract: SubmissionContract) -> ProjectContract:
    if not isinstance(contract, ProjectContract):
        raise TypeError(f"a {contract.kind} submission has no train or predict command")
    return contract


def _train(dirs: RunDirs, data: StageData, image: str, contract: SubmissionContract) -> StageRun:
    limits = data.limits.train
    command = ["/bin/sh", "-c", render_command(_project(contract).train_command, _paths())]
    spec = _spec(StageName.train, image=image, command=command, limits=limits,
                 mounts=_base_mounts(dirs, data),
                 outputs={CONTAINER_PATHS["model_dir"]: dirs.model}, extra_env={},
                 run_id=dirs.run_id)
    return StageRun(StageName.train, spec, None, limits)


def _predict(dirs: RunDirs, data: StageData, image: str, contract: SubmissionContract) -> StageRun:
    limits = data.limits.predict
    command = ["/bin/sh", "-c", render_command(_project(contract).predict_command, _paths())]
    out = dirs.out(StageName.predict)
    out.mkdir()
    mounts = [
        sandbox.Mount(dirs.submission, CONTAINER_PATHS["submission"]),
        sandbox.Mount(data.test_csv, CONTAINER_PATHS["test"]),
    ]
    spec = _spec(StageName.predict, image=image, command=command, limits=limits, mounts=mounts,
                 outputs={CONTAINER_PATHS["model_dir"]: dirs.model, CONTAINER_PATHS["out"]: out},
                 extra_env={}, run_id=dirs.run_id)
    return StageRun(StageName.predict, spec, out, limits)


def _notebook(dirs: RunDirs, data: StageData, image: str, contract: SubmissionContract) -> StageRun:
    if not isinstance(contract, NotebookContract):
        raise TypeError(f"a {contract.kind} submission has no notebook to run")
    limits = data.limits.notebook
    out = dirs.out(StageName.notebook)
    out.mkdir()
    mounts = [*_base_mounts(dirs, data), sandbox.Mount(data.test_csv, CONTAINER_PATHS["test"])]
    env = {
        "TEST_CSV": CONTAINER_PATHS["test"],
        "MODEL_DIR": CONTAINER_PATHS["model_dir"],
        "PREDICTIONS_CSV": CONTAINER_PATHS["predictions"],
    }
    # The executed notebook (its outputs from this run) comes back for reviewers to read.
    command = [
        "python",
        NOTEBOOK_RUNNER,
        f"/work/{contract.notebook}",
        "--output",
        f"{CONTAINER_PATHS['out']}/{EXECUTED_NOTEBOOK}",
    ]
    spec = _spec(StageName.notebook, image=image, command=command, limits=limits, mounts=mounts,
                 outputs={CONTAINER_PATHS["model_dir"]: dirs.model, CONTAINER_PATHS["out"]: out},
                 extra_env=env, run_id=dirs.run_id)
    return StageRun(StageName.notebook, spec, out, limits)


def _predict_nomodel(dirs: RunDirs, data: StageData, image: str,
                     contract: SubmissionContract) -> StageRun:
    """The predict command again, with an empty model folder and the rows in another order."""
    limits = data.limits.predict_nomodel
    command = ["/bin/sh", "-c", render_command(_project(contract).predict_command, _paths())]
    out = dirs.out(StageName.predict_nomodel)
    out.mkdir()
    empty_model = dirs.root / "model-empty"
    empty_model.mkdir()
    reordered = dirs.harness_files / "test-reordered.csv"
    reorder_rows(data.test_csv, reordered, seed=dirs.run_id)
    mounts = [
        sandbox.Mount(dirs.submission, CONTAINER_PATHS["submission"]),
        sandbox.Mount(reordered, CONTAINER_PATHS["test"]),
    ]
    spec = _spec(StageName.predict_nomodel, image=image, command=command, limits=limits,
                 mounts=mounts,
                 outputs={CONTAINER_PATHS["model_dir"]: empty_model, CONTAINER_PATHS["out"]: out},
                 extra_env={}, run_id=dirs.run_id)
    return StageRun(StageName.predict_nomodel, spec, out, limits)


@dataclass(frozen=True)
class PlannedStage:
    """One sandboxed stage of a contract's plan."""

    name: StageName
    needs_ok: StageName | None = None
    """A stage that must have ended ``ok`` first; otherwise this one is skipped, saying why."""
    skipped_because: str = ""
    collects: bool = True
    """Whether output files are collected (train writes only the model folder predict reads)."""
    declared_by: str = ""
    """The ``submission.toml`` section that asks for this stage (``serve``); empty: always run."""


_PLANS: dict[str, tuple[PlannedStage, ...]] = {
    "project": (
        PlannedStage(StageName.tests),
        PlannedStage(StageName.mutation),
        PlannedStage(StageName.train, collects=False),
        PlannedStage(StageName.predict, needs_ok=StageName.train,
                     skipped_because="not run: training did not succeed"),
        PlannedStage(StageName.predict_nomodel, needs_ok=StageName.predict,
                     skipped_because="not run: predict did not succeed"),
        # Built and run by harness/grading/serve.py: a server and a load client, not one container.
        PlannedStage(StageName.serve, needs_ok=StageName.train, declared_by="serve",
                     skipped_because="not run: training did not succeed, so there is no model to serve"),
    ),
    "notebook": (PlannedStage(StageName.tests), PlannedStage(StageName.mutation),
                 PlannedStage(StageName.notebook)),
}

_BUILDERS = {
    StageName.tests: _tests,
    StageName.mutation: _mutation,
    StageName.train: _train,
    StageName.predict: _predict,
    StageName.predict_nomodel: _predict_nomodel,
    StageName.notebook: _notebook,
}


def _declares(contract: SubmissionContract, section: str) -> bool:
    return section == "serve" and isinstance(contract, ProjectContract) and contract.serve_command is not None


def stage_plan(contract: SubmissionContract) -> tuple[PlannedStage, ...]:
    """The sandboxed stages a contract runs, in order: the one plan both modes follow."""
    return tuple(p for p in _PLANS[contract.kind]
                 if not p.declared_by or _declares(contract, p.declared_by))


def build_stage(name: StageName, dirs: RunDirs, data: StageData, image: str,
                contract: SubmissionContract) -> StageRun:
    """The container a planned stage runs in: its command, mounts, limits and output folders."""
    return _BUILDERS[name](dirs, data, image, contract)


def outcome_from(run: StageRun, result: sandbox.RunResult, files: dict[str, Path], rejected: list[str]) -> StageOutcome:
    """A stage outcome from the sandbox's result and what was collected from its output folder."""
    message = result.message
    verdict = Verdict(result.verdict.value)
    if run.name is StageName.tests and verdict is Verdict.failed and result.exit_code == PYTEST_NO_TESTS:
        verdict, message = Verdict.no_tests, f"pytest collected no tests (exit code {PYTEST_NO_TESTS})"
    if rejected:
        message += "; not collected: " + "; ".join(rejected[:5])
    return StageOutcome(
        name=run.name,
        verdict=verdict,
        message=message,
        exit_code=result.exit_code,
        duration_s=round(result.duration_s, 3),
        peak_memory_bytes=result.peak_memory_bytes,
        log_tail=result.log,
        log_truncated=result.log_truncated,
        outputs=sorted(files),
        files=files,
        rejected=rejected,
    )


def skipped(name: StageName, why: str) -> StageOutcome:
    return StageOutcome(name=name, verdict=Verdict.skipped, message=why)


TURNED_OFF = {
    StageName.predict_nomodel: "not run: the model-dependence check is turned off for this "
    "assignment ([integrity] model_dependence)",
}
"""Why a planned stage the assignment turned off did not run."""


def skipped_stages(assignment: Assignment) -> frozenset[StageName]:
    """The planned stages ``assignment`` turns off."""
    return frozenset() if assignment.spec.integrity.model_dependence else frozenset(
        {StageName.predict_nomodel})

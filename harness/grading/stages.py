"""The sandboxed stages of a grading run: what each container gets, and how its result is read.

Data a stage may see:

- tests: the submission and the public training CSV;
- train: the submission, the training CSV and the model folder;
- predict: the submission, the model folder and the held-out *features* (both held-out sets,
  mixed, so ids do not reveal which is which);
- notebook: all of the above, in one run.

Labels of held-out tickets are never written anywhere a container can read.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

import sandbox
from graders.candidate_tests.plan import PYTEST_NO_TESTS
from graders.types import StageName, StageOutcome, Verdict
from harness.assignments.loader import Assignment
from harness.assignments.spec import StageLimits, StagesLimits
from harness.submissions.contract import NotebookContract, ProjectContract, render_command

__all__ = [
    "CONTAINER_PATHS",
    "RunDirs",
    "StageData",
    "StageRun",
    "build_test_features",
    "limits_for",
    "notebook_stage",
    "outcome_from",
    "predict_stage",
    "skipped",
    "stage_env",
    "tests_stage",
    "train_stage",
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
class RunDirs:
    """Host folders of one grading run."""

    root: Path

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def inputs(self) -> Path:
        return self.root / "inputs"

    @property
    def model(self) -> Path:
        return self.root / "model"

    @property
    def harness_files(self) -> Path:
        return self.root / "harness-files"

    def out(self, stage: StageName) -> Path:
        return self.root / f"out-{stage.value}"

    def create(self) -> None:
        for path in (self.submission, self.inputs, self.model, self.harness_files):
            path.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class StageData:
    """What the sandboxed stages need, and all they get: never labels.

    A distributed worker builds this from files it fetched from the API, so it holds paths and
    limits, not an :class:`Assignment`.
    """

    train_csv: Path
    """Public labelled training data."""
    test_csv: Path
    """Held-out features (both held-out sets, mixed), as built by :func:`build_test_features`."""
    limits: StagesLimits

    @classmethod
    def for_assignment(cls, assignment: Assignment, test_csv: Path) -> StageData:
        return cls(train_csv=assignment.train_csv, test_csv=test_csv, limits=assignment.spec.limits)


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


def build_test_features(assignment: Assignment, dest: Path, seed: int) -> list[str]:
    """Write the held-out features the candidate's predict command sees; return the ids in order.

    Both held-out sets go into one file, shuffled with a fixed seed, so the candidate cannot tell
    which rows measure robustness.
    """
    data = assignment.spec.data
    sources = [assignment.path(data.heldout_features)]
    if data.shifted_features:
        sources.append(assignment.path(data.shifted_features))
    header: list[str] | None = None
    rows: list[list[str]] = []
    for source in sources:
        with source.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            this_header = next(reader)
            if header is None:
                header = this_header
            elif this_header != header:
                raise ValueError(f"{source.name} has columns {this_header}, expected {header}")
            rows.extend(reader)
    if header is None or data.label_column in header:
        raise ValueError("held-out features must have a header and no label column")
    random.Random(seed).shuffle(rows)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    id_index = header.index(data.id_column)
    return [row[id_index] for row in rows]


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


def tests_stage(
    dirs: RunDirs, data: StageData, image: str, run_id: str,
    command: list[str], files: dict[str, str], env: dict[str, str],
) -> StageRun:
    """The candidate's own pytest, with the public training data only."""
    limits = data.limits.tests
    mounts = _base_mounts(dirs, data)
    for index, (container_path, content) in enumerate(sorted(files.items())):
        host = dirs.harness_files / f"{index}-{Path(container_path).name}"
        host.write_text(content, encoding="utf-8")
        mounts.append(sandbox.Mount(host, container_path))
    out = dirs.out(StageName.tests)
    out.mkdir()
    spec = _spec(StageName.tests, image=image, command=command, limits=limits, mounts=mounts,
                 outputs={CONTAINER_PATHS["out"]: out}, extra_env=env, run_id=run_id)
    return StageRun(StageName.tests, spec, out, limits)


def _paths() -> dict[str, str]:
    return {k: CONTAINER_PATHS[k] for k in ("train", "test", "model_dir", "predictions")}


def train_stage(dirs: RunDirs, data: StageData, image: str, run_id: str, contract: ProjectContract) -> StageRun:
    limits = data.limits.train
    command = ["/bin/sh", "-c", render_command(contract.train_command, _paths())]
    spec = _spec(StageName.train, image=image, command=command, limits=limits,
                 mounts=_base_mounts(dirs, data),
                 outputs={CONTAINER_PATHS["model_dir"]: dirs.model}, extra_env={}, run_id=run_id)
    return StageRun(StageName.train, spec, None, limits)


def predict_stage(dirs: RunDirs, data: StageData, image: str, run_id: str, contract: ProjectContract) -> StageRun:
    limits = data.limits.predict
    command = ["/bin/sh", "-c", render_command(contract.predict_command, _paths())]
    out = dirs.out(StageName.predict)
    out.mkdir()
    mounts = [
        sandbox.Mount(dirs.submission, CONTAINER_PATHS["submission"]),
        sandbox.Mount(data.test_csv, CONTAINER_PATHS["test"]),
    ]
    spec = _spec(StageName.predict, image=image, command=command, limits=limits, mounts=mounts,
                 outputs={CONTAINER_PATHS["model_dir"]: dirs.model, CONTAINER_PATHS["out"]: out},
                 extra_env={}, run_id=run_id)
    return StageRun(StageName.predict, spec, out, limits)


def notebook_stage(dirs: RunDirs, data: StageData, image: str, run_id: str, contract: NotebookContract) -> StageRun:
    limits = data.limits.notebook
    out = dirs.out(StageName.notebook)
    out.mkdir()
    mounts = [*_base_mounts(dirs, data), sandbox.Mount(data.test_csv, CONTAINER_PATHS["test"])]
    env = {
        "TEST_CSV": CONTAINER_PATHS["test"],
        "MODEL_DIR": CONTAINER_PATHS["model_dir"],
        "PREDICTIONS_CSV": CONTAINER_PATHS["predictions"],
    }
    command = ["python", NOTEBOOK_RUNNER, f"/work/{contract.notebook}"]
    spec = _spec(StageName.notebook, image=image, command=command, limits=limits, mounts=mounts,
                 outputs={CONTAINER_PATHS["model_dir"]: dirs.model, CONTAINER_PATHS["out"]: out},
                 extra_env=env, run_id=run_id)
    return StageRun(StageName.notebook, spec, out, limits)


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
        files=files,
        rejected=rejected,
    )


def skipped(name: StageName, why: str) -> StageOutcome:
    return StageOutcome(name=name, verdict=Verdict.skipped, message=why)

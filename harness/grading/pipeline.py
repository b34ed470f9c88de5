"""The grading pipeline: one submission in, one report out.

    archive checks ─► workspace ─► static ─► tests (sandbox) ─► train ─► predict (sandbox)
                 ─► score (host, held-out labels) ─► graders ─► report

A submission's failures are verdicts on the report. Unusable input becomes a ``rejected`` report.
Only the harness's own trouble (Docker unreachable, image missing, disk full) raises
:class:`harness.errors.InfrastructureError`, which callers retry; :func:`grade_or_error_report`
turns it into an ``error`` report for the CLI.
"""

from __future__ import annotations

import errno
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import sandbox
from graders.registry import GraderRegistry, default_registry, run_grader
from graders.types import GradingContext, PredictionScores, StageName, StageOutcome, Verdict
from harness.assignments.loader import Assignment
from harness.errors import AssignmentError, InfrastructureError, InputRejected
from harness.grading import stages
from harness.grading.overall import compute_overall
from harness.grading.progress import ProgressCallback, ProgressEvent, null_progress
from harness.grading.scoring import score_predictions
from harness.reports.schema import Report, ReportStatus, StageReport, SubmissionInfo
from harness.settings import Settings
from harness.submissions.archive import ArchiveLimits, extract_submission
from harness.submissions.contract import ProjectContract, SubmissionContract, detect_contract

__all__ = [
    "Prepared",
    "ensure_sandbox_image",
    "finish_report",
    "grade_or_error_report",
    "grade_path",
    "harness_version",
    "image_recipe",
    "predictions_of",
    "prepare_workspace",
    "run_folder",
    "run_sandbox_stages",
]


def harness_version() -> str:
    try:
        return version("takehome-harness")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def image_recipe(settings: Settings) -> sandbox.ImageRecipe:
    return sandbox.ImageRecipe(
        base_image=settings.sandbox_base_image,
        debian_mirror=settings.debian_mirror,
        repo=settings.sandbox_image_repo,
    )


@contextmanager
def _timed(progress: ProgressCallback, stage: str) -> Iterator[dict[str, object]]:
    """Emit started/finished around a block; the block sets ``verdict`` and ``message``."""
    state: dict[str, object] = {"verdict": "ok", "message": ""}
    started = time.perf_counter()
    progress(ProgressEvent(stage=stage, state="started"))
    try:
        yield state
    finally:
        progress(ProgressEvent(stage=stage, state="finished", verdict=str(state["verdict"]),
                               message=str(state["message"]), elapsed_s=time.perf_counter() - started))


def _stage_report(outcome: StageOutcome) -> StageReport:
    return StageReport(**outcome.model_dump(exclude={"files", "rejected"}))


def _inventory(root: Path) -> tuple[str, dict[str, int]]:
    counts = {"files": 0, "python_files": 0, "notebooks": 0, "python_lines": 0, "bytes": 0}
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        counts["files"] += 1
        counts["bytes"] += path.stat().st_size
        if path.suffix == ".py":
            counts["python_files"] += 1
            with path.open("rb") as fh:
                counts["python_lines"] += sum(1 for _ in fh)
        elif path.suffix == ".ipynb":
            counts["notebooks"] += 1
    message = (f"{counts['files']} files, {counts['python_files']} Python files "
               f"({counts['python_lines']} lines), {counts['notebooks']} notebooks")
    return message, counts


def _run_stage(box: sandbox.Sandbox, run: stages.StageRun, progress: ProgressCallback,
               collect: bool = True) -> StageOutcome:
    with _timed(progress, run.name.value) as state:
        try:
            result = box.run(run.spec)
        except sandbox.InfrastructureError as exc:
            raise InfrastructureError(f"The sandbox failed during the {run.name.value} stage: {exc}") from exc
        files: dict[str, Path] = {}
        rejected: list[str] = []
        if collect and run.out_dir is not None:
            cap = run.limits.output_mb * 1024 * 1024
            collected = sandbox.collect_outputs(run.out_dir, max_file_bytes=cap, max_total_bytes=cap)
            files = {f.name: f.path for f in collected.files}
            rejected = list(collected.rejected)
        outcome = stages.outcome_from(run, result, files, rejected)
        state["verdict"], state["message"] = outcome.verdict.value, outcome.message
    return outcome


def _tests_plan(wall_seconds: int) -> tuple[list[str], dict[str, str], dict[str, str]]:
    from graders.candidate_tests.plan import test_stage_plan

    # One hanging test may use a quarter of the stage at most, so the others still report.
    plan = test_stage_plan(per_test_timeout_s=max(5, min(60, wall_seconds // 4)))
    return list(plan.command), dict(plan.files), dict(plan.env)


def _rejected(assignment: Assignment, info: SubmissionInfo, message: str, started: datetime) -> Report:
    return Report(
        status=ReportStatus.rejected, message=message, assignment=assignment.name,
        assignment_version=assignment.spec.version, submission=info, harness_version=harness_version(),
        started_at=started, finished_at=datetime.now(UTC),
    )


def _check_rubric(registry: GraderRegistry, assignment: Assignment) -> None:
    unknown = sorted(set(assignment.spec.rubric) - set(registry.names()))
    if unknown:
        raise AssignmentError(
            f"The rubric of {assignment.name!r} weights graders that are not registered: "
            f"{', '.join(unknown)} (registered: {', '.join(registry.names())})."
        )


@dataclass(frozen=True)
class Prepared:
    """An extracted submission whose contract is known."""

    info: SubmissionInfo
    contract: SubmissionContract
    static: StageOutcome


def prepare_workspace(source: Path, dirs: stages.RunDirs, *, filename: str | None = None,
                      progress: ProgressCallback = null_progress) -> Prepared:
    """Check and extract the archive, read the contract, take the inventory (static stage).

    Raises :class:`InputRejected` for unusable input; never executes candidate code.
    """
    with _timed(progress, "extract") as state:
        try:
            archive = extract_submission(source, dirs.submission, ArchiveLimits())
            info = SubmissionInfo(filename=filename or source.name, sha256=archive.sha256,
                                  files=archive.files, bytes=archive.total_bytes)
            contract = detect_contract(dirs.submission)
            info.kind = contract.kind
        except InputRejected as exc:
            state["verdict"], state["message"] = "rejected", exc.message
            raise
        state["message"] = f"{archive.files} files"
    with _timed(progress, "static") as state:
        t0 = time.perf_counter()
        message, _ = _inventory(dirs.submission)
        static = StageOutcome(name=StageName.static, verdict=Verdict.ok, message=message,
                              duration_s=round(time.perf_counter() - t0, 3))
        state["message"] = message
    return Prepared(info=info, contract=contract, static=static)


def run_sandbox_stages(
    dirs: stages.RunDirs,
    contract: SubmissionContract,
    data: stages.StageData,
    *,
    image: str,
    box: sandbox.Sandbox,
    run_id: str,
    progress: ProgressCallback = null_progress,
) -> dict[StageName, StageOutcome]:
    """The sandboxed stages: the candidate's tests, then train and predict (or the notebook).

    Needs no labels, so a distributed worker runs exactly this. Output files are left in the
    run's folders and named in each outcome's ``files``.
    """
    outcomes: dict[StageName, StageOutcome] = {}
    command, files, env = _tests_plan(data.limits.tests.wall_seconds)
    outcomes[StageName.tests] = _run_stage(
        box, stages.tests_stage(dirs, data, image, run_id, command, files, env), progress)
    if isinstance(contract, ProjectContract):
        train = _run_stage(box, stages.train_stage(dirs, data, image, run_id, contract), progress, collect=False)
        outcomes[StageName.train] = train
        if train.verdict == Verdict.ok:
            outcomes[StageName.predict] = _run_stage(
                box, stages.predict_stage(dirs, data, image, run_id, contract), progress)
        else:
            outcomes[StageName.predict] = stages.skipped(StageName.predict, "not run: training did not succeed")
    else:
        outcomes[StageName.notebook] = _run_stage(
            box, stages.notebook_stage(dirs, data, image, run_id, contract), progress)
    return outcomes


def predictions_of(outcomes: dict[StageName, StageOutcome]) -> tuple[Path | None, list[str]]:
    """The predictions file the run produced, and why it was refused if it was."""
    for name in (StageName.predict, StageName.notebook):
        outcome = outcomes.get(name)
        if outcome is not None:
            rejected = [r for r in outcome.rejected if r.startswith("predictions.csv")]
            return outcome.files.get("predictions.csv"), rejected
    return None, []


def finish_report(
    workspace: Path,
    prepared: Prepared,
    outcomes: dict[StageName, StageOutcome],
    assignment: Assignment,
    test_ids: list[str],
    *,
    registry: GraderRegistry,
    image: str,
    started_at: datetime,
    progress: ProgressCallback = null_progress,
) -> Report:
    """Score the predictions against held-out labels (host side only) and run the graders."""
    stage_outcomes = {StageName.static: prepared.static, **outcomes}
    predictions, rejected = predictions_of(outcomes)
    with _timed(progress, "score") as state:
        t0 = time.perf_counter()
        scores: PredictionScores = score_predictions(assignment, predictions, test_ids, rejected)
        verdict = Verdict.ok if scores.check.ok else Verdict.failed
        message = "predictions scored" if scores.check.ok else "; ".join(scores.check.problems)
        stage_outcomes[StageName.score] = StageOutcome(name=StageName.score, verdict=verdict, message=message,
                                                       duration_s=round(time.perf_counter() - t0, 3))
        state["verdict"], state["message"] = verdict.value, message

    # Graders: each isolated; an exception is that grader's error status.
    with _timed(progress, "graders") as state:
        ctx = GradingContext(workspace=workspace, assignment=assignment.view(), stages=stage_outcomes,
                             scores=scores, submission_kind=prepared.contract.kind)
        results = [run_grader(grader, ctx) for grader in registry]
        errored = [r.name for r in results if r.status.value == "error"]
        state["message"] = f"{len(results)} graders" + (f"; errors in {', '.join(errored)}" if errored else "")

    return Report(
        status=ReportStatus.graded,
        assignment=assignment.name,
        assignment_version=assignment.spec.version,
        submission=prepared.info,
        overall=compute_overall(results, assignment.spec.rubric_weights()),
        graders=results,
        stages=[_stage_report(o) for o in stage_outcomes.values()],
        scores=scores,
        harness_version=harness_version(),
        sandbox_image=image,
        started_at=started_at,
        finished_at=datetime.now(UTC),
    )


def ensure_sandbox_image(settings: Settings, progress: ProgressCallback = null_progress) -> str:
    """The sandbox image tag, built on first need (with progress)."""
    with _timed(progress, "image") as state:
        try:
            image = sandbox.ensure_image(image_recipe(settings), progress=lambda m: progress(
                ProgressEvent(stage="image", state="info", message=m)))
        except sandbox.InfrastructureError as exc:
            raise InfrastructureError(f"The sandbox image is not available: {exc}") from exc
        state["message"] = image
    return image


@contextmanager
def run_folder(settings: Settings, *, keep: bool = False) -> Iterator[tuple[stages.RunDirs, str]]:
    """A fresh work folder for one run, removed afterwards unless ``keep``."""
    run_id = uuid.uuid4().hex[:12]
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    try:
        root = Path(tempfile.mkdtemp(prefix=f"run-{run_id}-", dir=settings.work_dir))
    except OSError as exc:
        raise InfrastructureError(f"Cannot create a work folder under {settings.work_dir}: {exc}") from exc
    dirs = stages.RunDirs(root)
    try:
        dirs.create()
        yield dirs, run_id
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InfrastructureError(
                f"The harness ran out of disk space under {settings.data_dir} ({exc}). Free space and "
                "regrade; the submission was not judged."
            ) from exc
        raise
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def grade_path(
    source: Path,
    assignment: Assignment,
    *,
    settings: Settings,
    progress: ProgressCallback | None = None,
    registry: GraderRegistry | None = None,
    sandbox_client: sandbox.Sandbox | None = None,
    filename: str | None = None,
    keep_workdir: bool = False,
) -> Report:
    """Grade one submission (a folder, ``.zip`` or ``.tar.gz``) and return its report."""
    progress = progress or null_progress
    registry = registry or default_registry()
    _check_rubric(registry, assignment)
    started_at = datetime.now(UTC)
    with run_folder(settings, keep=keep_workdir) as (dirs, run_id):
        try:
            prepared = prepare_workspace(source, dirs, filename=filename, progress=progress)
        except InputRejected as exc:
            info = SubmissionInfo(filename=filename or source.name, sha256="")
            return _rejected(assignment, info, exc.message, started_at)
        image = ensure_sandbox_image(settings, progress)
        try:
            box = sandbox_client or sandbox.Sandbox()
        except sandbox.InfrastructureError as exc:
            raise InfrastructureError(f"The sandbox is not available: {exc}") from exc
        test_ids = stages.build_test_features(assignment, dirs.inputs / "test.csv", assignment.spec.seed)
        data = stages.StageData.for_assignment(assignment, dirs.inputs / "test.csv")
        outcomes = run_sandbox_stages(dirs, prepared.contract, data, image=image, box=box, run_id=run_id,
                                      progress=progress)
        return finish_report(dirs.submission, prepared, outcomes, assignment, test_ids, registry=registry,
                             image=image, started_at=started_at, progress=progress)


def grade_or_error_report(source: Path, assignment: Assignment, *, settings: Settings,
                          progress: ProgressCallback | None = None, **kwargs: object) -> Report:
    """Like :func:`grade_path`, but a harness failure becomes an ``error`` report."""
    started = datetime.now(UTC)
    try:
        return grade_path(source, assignment, settings=settings, progress=progress, **kwargs)  # type: ignore[arg-type]
    except InfrastructureError as exc:
        return Report(
            status=ReportStatus.error, message=exc.message, assignment=assignment.name,
            assignment_version=assignment.spec.version,
            submission=SubmissionInfo(filename=source.name, sha256=""),
            harness_version=harness_version(), started_at=started, finished_at=datetime.now(UTC),
        )

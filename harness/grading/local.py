"""Running the sandboxed stages on this host's Docker engine.

The embedded pool and the CLI grade with :class:`LocalStages`; a distributed worker runs the
same :func:`run_planned_stages` and sends the outcomes to the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sandbox
from graders.types import StageName, StageOutcome, Verdict
from harness.assignments.loader import Assignment
from harness.errors import InfrastructureError
from harness.grading import serve, stages
from harness.grading.features import HeldoutFeatures
from harness.grading.job import Prepared, SandboxRun
from harness.grading.progress import ProgressCallback, ProgressEvent, null_progress, timed
from harness.grading.workdir import RunDirs
from harness.settings import Settings
from harness.submissions.contract import SubmissionContract

__all__ = ["LocalStages", "connect_sandbox", "ensure_sandbox_image", "image_recipe",
           "run_planned_stages"]


def image_recipe(settings: Settings) -> sandbox.ImageRecipe:
    return sandbox.ImageRecipe(
        base_image=settings.sandbox_base_image,
        debian_mirror=settings.debian_mirror,
        repo=settings.sandbox_image_repo,
    )


def ensure_sandbox_image(settings: Settings, progress: ProgressCallback = null_progress) -> str:
    """The sandbox image tag, built on first need (with progress)."""
    with timed(progress, "image") as state:
        try:
            image = sandbox.ensure_image(image_recipe(settings), progress=lambda m: progress(
                ProgressEvent(stage="image", state="info", message=m)))
        except sandbox.InfrastructureError as exc:
            raise InfrastructureError(f"The sandbox image is not available: {exc}") from exc
        state["message"] = image
    return image


def connect_sandbox() -> sandbox.Sandbox:
    try:
        return sandbox.Sandbox()
    except sandbox.InfrastructureError as exc:
        raise InfrastructureError(f"The sandbox is not available: {exc}") from exc


def _run_stage(box: sandbox.Sandbox, run: stages.StageRun, progress: ProgressCallback,
               collect: bool) -> StageOutcome:
    with timed(progress, run.name.value) as state:
        try:
            result = box.run(run.spec)
        except sandbox.InfrastructureError as exc:
            raise InfrastructureError(
                f"The sandbox failed during the {run.name.value} stage: {exc}") from exc
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


def run_planned_stages(
    dirs: RunDirs,
    contract: SubmissionContract,
    data: stages.StageData,
    *,
    image: str,
    box: sandbox.Sandbox,
    progress: ProgressCallback = null_progress,
) -> dict[StageName, StageOutcome]:
    """Run the contract's plan (tests, then train and predict, or the notebook; then the server
    when the contract has one) in the sandbox.

    Needs no labels. Output files stay in the run's folders, named in each outcome's ``files``.
    """
    outcomes: dict[StageName, StageOutcome] = {}
    for planned in stages.stage_plan(contract):
        before = outcomes.get(planned.needs_ok) if planned.needs_ok else None
        if before is not None and before.verdict != Verdict.ok:
            outcomes[planned.name] = stages.skipped(planned.name, planned.skipped_because)
            continue
        if planned.name in data.skip:
            outcomes[planned.name] = stages.skipped(planned.name, stages.TURNED_OFF[planned.name])
            continue
        try:
            outcomes[planned.name] = _run_planned(box, planned, dirs, contract, data, image, progress)
        except stages.StageNotApplicable as exc:
            outcomes[planned.name] = stages.skipped(planned.name, str(exc))
    return outcomes


def _run_planned(box: sandbox.Sandbox, planned: stages.PlannedStage, dirs: RunDirs,
                 contract: SubmissionContract, data: stages.StageData, image: str,
                 progress: ProgressCallback) -> StageOutcome:
    if planned.name is StageName.serve:
        serving = serve.build_serve_stage(dirs, data, image, contract)
        if serving is None:
            return stages.skipped(planned.name, "not run: this assignment asks for no model server")
        return serve.run_serve_stage(box, serving, progress)
    run = stages.build_stage(planned.name, dirs, data, image, contract)
    return _run_stage(box, run, progress, planned.collects)


@dataclass
class LocalStages:
    """A :class:`~harness.grading.job.StageRunner` on this host's Docker engine."""

    settings: Settings
    inputs: Callable[[], stages.StageData]
    """What the stages get (training CSV, held-out features, limits), read when they run."""
    box: sandbox.Sandbox | None = None
    """A connected sandbox to reuse; connected on first use when None."""

    @classmethod
    def for_assignment(cls, settings: Settings, assignment: Assignment,
                       features: HeldoutFeatures) -> LocalStages:
        """Stages fed from the assignment's own files (the CLI and the embedded pool)."""
        return cls(settings, lambda: stages.StageData.for_assignment(
            assignment, features(assignment)[0].path))

    def __call__(self, prepared: Prepared, dirs: RunDirs, progress: ProgressCallback) -> SandboxRun:
        image = ensure_sandbox_image(self.settings, progress)
        if self.box is None:
            self.box = connect_sandbox()
        outcomes = run_planned_stages(dirs, prepared.contract, self.inputs(), image=image,
                                      box=self.box, progress=progress)
        return SandboxRun(image=image, outcomes=outcomes)

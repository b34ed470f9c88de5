"""Golden submissions and the real sandboxed test stage, shared by the grader tests.

Golden submissions live in ``golden/<name>/``; they are candidate code and are never collected
or run on the host. :func:`run_test_stage` runs a submission's tests the way the pipeline does:
the plan from :func:`graders.candidate_tests.test_stage_plan`, executed in the real sandbox
container, outputs collected with the sandbox's bounded collector. Each golden's stage runs once
per session (``golden_stage``).
"""

from __future__ import annotations

import shutil
import tomllib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import sandbox
from graders.candidate_tests import test_stage_plan
from graders.types import (
    AssignmentView,
    ClassScore,
    ConfusionMatrix,
    GradingContext,
    Interval,
    PredictionCheck,
    PredictionScores,
    SplitScores,
    StageName,
    StageOutcome,
    Verdict,
)

# Golden submissions are candidate code: pytest must never collect them on the host.
collect_ignore_glob = ["golden/*"]

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parents[2]
TRAIN_CSV = REPO / "assignments" / "support_tickets" / "public" / "train.csv"
LABELS = [
    "account_access",
    "billing",
    "bug_report",
    "feature_request",
    "how_to",
    "refund",
    "security_privacy",
    "shipping",
]
SECTIONS = ["approach", "evaluation", "trade-offs", "next steps"]
_SPEC = tomllib.loads((REPO / "assignments" / "support_tickets" / "assignment.toml").read_text())
TITLE = _SPEC["title"]
SUMMARY = " ".join(_SPEC["summary"].split())
# (stage wall seconds, per-test seconds) for goldens whose tests hang on purpose
_STAGE_LIMITS = {"hostile_tests": (120.0, 5), "stuck_tests": (20.0, 5)}
MiB = 1024 * 1024


def golden_copy(name: str, dest_root: Path) -> Path:
    """A copy of ``golden/<name>`` readable by the sandbox user (pytest's tmp folders are 0700)."""
    dest = dest_root / f"{name}-{uuid.uuid4().hex[:6]}"
    shutil.copytree(GOLDEN / name, dest, symlinks=True)
    for path in [dest, *dest.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return dest


def make_context(
    workspace: Path,
    *,
    stages: dict[StageName, StageOutcome] | None = None,
    scores: PredictionScores | None = None,
    kind: str = "project",
    sections: list[str] | None = None,
) -> GradingContext:
    return GradingContext(
        workspace=workspace,
        assignment=AssignmentView(
            name="support-tickets",
            title=TITLE,
            summary=SUMMARY,
            labels=LABELS,
            writeup_sections=SECTIONS if sections is None else sections,
        ),
        stages=stages or {},
        scores=scores,
        submission_kind=kind,
    )


def make_scores(
    accuracy: float, macro_f1: float, *, half_width: float = 0.02, weighted_f1: float | None = None
) -> PredictionScores:
    """Held-out scores as the score stage reports them, with symmetric bootstrap intervals."""
    heldout = SplitScores(
        split="heldout",
        n=1500,
        accuracy=accuracy,
        macro_f1=macro_f1,
        weighted_f1=weighted_f1 if weighted_f1 is not None else (accuracy + macro_f1) / 2,
        accuracy_ci=Interval(low=accuracy - half_width, high=accuracy + half_width),
        macro_f1_ci=Interval(low=macro_f1 - half_width, high=macro_f1 + half_width),
        per_class=[
            ClassScore(label=label, precision=0.8, recall=0.8, f1=0.8, support=100)
            for label in LABELS
        ],
        confusion=ConfusionMatrix(labels=LABELS, matrix=[[0] * len(LABELS) for _ in LABELS]),
    )
    return PredictionScores(
        check=PredictionCheck(ok=True, rows=1500), heldout=heldout, bootstrap_samples=1000
    )


def run_test_stage(
    box: sandbox.Sandbox,
    image: str,
    submission: Path,
    work: Path,
    *,
    wall_seconds: float = 180,
    per_test_timeout_s: int = 20,
) -> StageOutcome:
    """The candidate's tests in a fresh sandbox container, exactly as the plan describes them."""
    plan = test_stage_plan(per_test_timeout_s=per_test_timeout_s)
    config = work / "harness-files"
    config.mkdir(parents=True)
    mounts = [sandbox.Mount(submission, "/submission"), sandbox.Mount(TRAIN_CSV, "/data/train.csv")]
    for container_path, content in plan.files.items():
        host = config / Path(container_path).name
        host.write_text(content, encoding="utf-8")
        host.chmod(0o644)
        mounts.append(sandbox.Mount(host, container_path))
    config.chmod(0o755)
    out = work / "out"
    out.mkdir()
    result = box.run(
        sandbox.RunSpec(
            command=plan.command,
            image=image,
            limits=sandbox.Limits(
                wall_seconds=wall_seconds,
                memory_bytes=1024 * MiB,
                cpus=1.0,
                output_bytes=64 * MiB,
                tmpfs_bytes=256 * MiB,
                log_bytes=64 * 1024,
            ),
            mounts=mounts,
            outputs={plan.output_dir: out},
            env={**plan.env, "TRAIN_CSV": "/data/train.csv"},
            workdir=plan.workdir,
            copy_in="/submission",
            name_hint="graders-tests",
        )
    )
    collected = sandbox.collect_outputs(out, max_file_bytes=32 * MiB, max_total_bytes=64 * MiB)
    return StageOutcome(
        name=StageName.tests,
        verdict=Verdict(result.verdict.value),
        message=result.message,
        exit_code=result.exit_code,
        duration_s=round(result.duration_s, 3),
        log_tail=result.log[-8000:],
        log_truncated=result.log_truncated,
        files={f.name: f.path for f in collected.files if f.name in plan.outputs},
    )


@pytest.fixture(scope="session")
def graders_box() -> Iterator[sandbox.Sandbox]:
    box = sandbox.Sandbox(label=f"takehome-harness.graders-test-{uuid.uuid4().hex[:8]}")
    yield box
    box.cleanup_leftovers()


@pytest.fixture(scope="session")
def golden_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("golden")


@pytest.fixture(scope="session")
def golden_stage(
    graders_box: sandbox.Sandbox, sandbox_image: str, golden_root: Path
) -> Callable[[str], tuple[Path, StageOutcome]]:
    """``golden_stage(name)`` -> (workspace copy, test-stage outcome), run once per golden."""
    cache: dict[str, tuple[Path, StageOutcome]] = {}

    def get(name: str) -> tuple[Path, StageOutcome]:
        if name not in cache:
            workspace = golden_copy(name, golden_root)
            work = golden_root / f"{name}-stage"
            work.mkdir()
            wall, per_test = _STAGE_LIMITS.get(name, (180.0, 20))
            cache[name] = (
                workspace,
                run_test_stage(
                    graders_box,
                    sandbox_image,
                    workspace,
                    work,
                    wall_seconds=wall,
                    per_test_timeout_s=per_test,
                ),
            )
        return cache[name]

    return get

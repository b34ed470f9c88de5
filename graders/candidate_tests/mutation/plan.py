"""How the harness runs the mutation stage: a pure description the pipeline executes.

Like the tests stage (:mod:`graders.candidate_tests.plan`): the submission is copied to ``/work``,
the public training data is at ``TRAIN_CSV``, :attr:`MutationStagePlan.files` are mounted
read-only under :data:`CONFIG_DIR` (the harness's own runner and the plan it follows), there is
no network, and ``/out`` is the only writable output folder. The runner
(:mod:`graders.candidate_tests.mutation.runner`) writes :data:`MUTATION_JSON` there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from graders.candidate_tests.mutation.catalogue import Mutant
from graders.candidate_tests.plan import CONFIG_DIR, OUTPUT_DIR, WORKDIR

__all__ = ["MUTATION_JSON", "MutationStagePlan", "mutation_stage_plan"]

MUTATION_JSON = "mutation.json"
RUNNER = f"{CONFIG_DIR}/harness_mutate.py"
PLAN_JSON = f"{CONFIG_DIR}/mutation_plan.json"
SUBMISSION = "/submission"
MIN_TIMEOUT_S = 5.0
"""A mutant's tests get at least this long (then 3x their baseline time plus a second)."""
TIMEOUT_FACTOR = 3.0
DEADLINE_RESERVE_S = 10.0
"""Seconds of the stage's wall-clock limit kept for starting the container and writing results."""
PYTEST_ARGS = [
    "-x",
    "-q",
    "-p",
    "no:cacheprovider",
    f"--rootdir={WORKDIR}",
    "--no-header",
    "--color=no",
    "-o",
    "console_output_style=classic",
]


def _source(name: str) -> str:
    return (Path(__file__).parent / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class MutationStagePlan:
    """What the harness runs in the mutation stage's sandbox, and what it collects."""

    command: list[str]
    """Argv, run with ``cwd`` :attr:`workdir`."""
    files: dict[str, str]
    """Container path -> text of a file to mount read-only, all under :attr:`config_dir`."""
    outputs: list[str]
    """File names the runner writes into :attr:`output_dir`."""
    env: dict[str, str]
    mutants: list[Mutant]
    """The sample, in the order the runner tries them."""
    judge: int
    """Mutants to judge; the rest of :attr:`mutants` stand in for those that cannot be run."""
    workdir: str = WORKDIR
    output_dir: str = OUTPUT_DIR
    config_dir: str = CONFIG_DIR
    notes: list[str] = field(default_factory=list)


def mutation_stage_plan(
    mutants: list[Mutant], *, judge: int, budget_s: float, wall_s: float
) -> MutationStagePlan:
    """The mutation stage for a fixed sample: judge ``judge`` of ``mutants`` (in order) within
    ``budget_s`` seconds, inside a stage limited to ``wall_s``."""
    tests = sorted({t for m in mutants for t in m.tests})
    number = {t: i for i, t in enumerate(tests)}
    plan = {
        "format": 1,
        "workdir": WORKDIR,
        "source": SUBMISSION,
        "output": f"{OUTPUT_DIR}/{MUTATION_JSON}",
        "budget_s": budget_s,
        "deadline_s": max(1.0, wall_s - DEADLINE_RESERVE_S),
        "judge": judge,
        "min_timeout_s": MIN_TIMEOUT_S,
        "max_timeout_s": max(MIN_TIMEOUT_S, budget_s / 3),
        "timeout_factor": TIMEOUT_FACTOR,
        "pytest_args": PYTEST_ARGS,
        "tests": tests,
        "mutants": [
            {"id": m.id, "file": m.file, "start": m.start, "end": m.end, "original": m.original,
             "replacement": m.replacement, "tests": [number[t] for t in m.tests]}
            for m in mutants
        ],
    }
    return MutationStagePlan(
        command=["python", RUNNER, PLAN_JSON],
        files={RUNNER: _source("runner.py"), PLAN_JSON: json.dumps(plan)},
        outputs=[MUTATION_JSON],
        env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
        mutants=list(mutants),
        judge=judge,
        notes=[
            "each mutant's tests run in a forked child; the runner never runs candidate code",
            "the working copy is restored (or rebuilt from /submission) after every mutant",
        ],
    )

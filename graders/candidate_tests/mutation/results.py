"""Reading what the mutation stage wrote, and the mutation score with its interval.

``mutation.json`` was written in a sandbox where candidate code ran, so it is read bounded and
schema-checked, and it only says, per mutant id, how the run ended. What each mutant changed and
which tests ran it come from the catalogue the harness computes itself; an id the catalogue does
not know is counted apart and never shown.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graders.candidate_tests.mutation.catalogue import Catalogue, Mutant
from graders.candidate_tests.reports import read_bounded

__all__ = ["MutationRun", "Verdicts", "read_results", "wilson_interval"]

MAX_RESULTS_BYTES = 8 * 1024 * 1024
Z_95 = 1.959964

KILLED = frozenset({"killed", "timeout", "crashed"})
"""Statuses that count as caught: a failing test, a run past its time limit, a crash."""
JUDGED = KILLED | {"survived"}

Text = Annotated[str, Field(max_length=4000)]


class _MutantJson(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: Annotated[str, Field(max_length=64)]
    status: Literal["killed", "survived", "timeout", "crashed", "no_tests", "error"]
    tests: Annotated[int, Field(ge=0)] = 0
    seconds: Annotated[float, Field(ge=0)] | None = None
    exit_code: int | None = None
    detail: Annotated[str, Field(max_length=500)] = ""
    killed_by: Annotated[str, Field(max_length=2000)] | None = None


class _BaselineJson(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: Annotated[str, Field(max_length=32)]
    exit_code: int | None = None
    seconds: Annotated[float, Field(ge=0)] = 0.0
    tests: Annotated[int, Field(ge=0)] = 0
    passed: Annotated[list[Annotated[str, Field(max_length=2000)]], Field(max_length=20_000)] = Field(default_factory=list)
    detail: Annotated[str, Field(max_length=500)] = ""
    log_tail: Text = ""


class _ResultsJson(BaseModel):
    model_config = ConfigDict(extra="ignore")
    format: Literal[1]
    baseline: _BaselineJson | None = None
    mutants: Annotated[list[_MutantJson], Field(max_length=5000)] = Field(default_factory=list)
    stopped: Annotated[str, Field(max_length=32)] = ""
    budget_s: Annotated[float, Field(ge=0)] = 0.0
    elapsed_s: Annotated[float, Field(ge=0)] = 0.0
    resets: Annotated[int, Field(ge=0)] = 0


def wilson_interval(killed: int, judged: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of ``killed / judged`` (95% by default): honest for small samples
    and for scores near 0 or 1, where the normal approximation is not."""
    if judged <= 0:
        return 0.0, 1.0
    p = killed / judged
    scale = 1 + z * z / judged
    centre = (p + z * z / (2 * judged)) / scale
    half = z * math.sqrt(p * (1 - p) / judged + z * z / (4 * judged * judged)) / scale
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Verdicts:
    """A judged mutant: what it changed (from the catalogue) and how its tests did."""

    mutant: Mutant
    status: str
    tests_run: tuple[str, ...]
    """The mutant's tests that passed on the unmodified code: the ones that judged it."""
    killed_by: str | None = None
    seconds: float | None = None


@dataclass
class MutationRun:
    """What one mutation stage found, joined with the catalogue."""

    judged: list[Verdicts] = field(default_factory=list)
    not_judged: int = 0
    """Mutants the runner tried but could not judge (none of their tests passed unmodified)."""
    unknown: int = 0
    """Ids the catalogue does not know: ignored."""
    stopped: str = ""
    baseline_status: str = ""
    baseline_seconds: float = 0.0
    baseline_detail: str = ""
    elapsed_s: float = 0.0
    budget_s: float = 0.0
    problem: str | None = None
    """Why the results cannot be used, when they cannot."""

    def count(self, *statuses: str) -> int:
        return sum(1 for v in self.judged if v.status in statuses)

    @property
    def killed(self) -> int:
        return self.count(*KILLED)

    @property
    def score(self) -> float | None:
        return self.killed / len(self.judged) if self.judged else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.killed, len(self.judged)) if self.judged else None

    @property
    def survivors(self) -> list[Verdicts]:
        return [v for v in self.judged if v.status == "survived"]


def _parse(path: Path) -> _ResultsJson | str:
    data = read_bounded(path, MAX_RESULTS_BYTES)
    if isinstance(data, str):
        return f"mutation.json {data}"
    try:
        return _ResultsJson.model_validate(json.loads(data))
    except RecursionError:
        return "mutation.json is nested too deeply"
    except (ValueError, ValidationError) as exc:
        return f"mutation.json does not match the runner's format ({str(exc)[:160]})"


def read_results(path: Path | None, catalogue: Catalogue) -> MutationRun:
    """The stage's results joined with ``catalogue``; problems are in :attr:`MutationRun.problem`."""
    if path is None:
        return MutationRun(problem="the mutation stage wrote no results")
    parsed = _parse(path)
    if isinstance(parsed, str):
        return MutationRun(problem=parsed)
    run = MutationRun(stopped=parsed.stopped, elapsed_s=parsed.elapsed_s, budget_s=parsed.budget_s)
    if parsed.baseline is not None:
        run.baseline_status = parsed.baseline.status
        run.baseline_seconds = parsed.baseline.seconds
        run.baseline_detail = parsed.baseline.detail or parsed.baseline.log_tail[-300:].strip()
    passed = set(parsed.baseline.passed) if parsed.baseline is not None else set()
    known = catalogue.by_id()
    seen: set[str] = set()
    for entry in parsed.mutants:
        mutant = known.get(entry.id)
        if mutant is None or entry.id in seen:
            run.unknown += 1
            continue
        seen.add(entry.id)
        if entry.status not in JUDGED:
            run.not_judged += 1
            continue
        ran = tuple(t for t in mutant.tests if t in passed)
        killed_by = entry.killed_by if entry.killed_by in ran else None
        run.judged.append(Verdicts(mutant, entry.status, ran, killed_by, entry.seconds))
    return run

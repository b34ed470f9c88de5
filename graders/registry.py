"""The grader contract and the registry of graders.

Built-in graders are listed explicitly in :data:`BUILTIN`; third-party graders come from the
``harness.graders`` entry-point group and are checked when they register, so a broken plug-in is
refused at start-up rather than halfway through a grading run.
"""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from graders.types import GraderResult, GraderStatus, GradingContext

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "Grader",
    "GraderRegistrationError",
    "GraderRegistry",
    "default_registry",
    "run_grader",
]

ENTRY_POINT_GROUP = "harness.graders"
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")

# "module:attribute" of each built-in grader, in report order.
BUILTIN: tuple[str, ...] = (
    "graders.accuracy:AccuracyGrader",
    "graders.candidate_tests:TestsGrader",
    "graders.quality:QualityGrader",
    "graders.notebooks:NotebooksGrader",
    "graders.writeup:WriteupGrader",
    "graders.methodology:MethodologyGrader",
    "graders.serving.grader:ServingGrader",
)


@runtime_checkable
class Grader(Protocol):
    """A grader: a named, versioned, pure function of a grading context.

    ``grade`` must not print, write files, open sockets or touch the database, and must not
    execute candidate code. It may read the workspace and the stage output files, and may run
    read-only analysis tools as subprocesses with a time limit.
    """

    name: str
    """Unique, lowercase registry name; the key used by rubric weights."""
    version: str
    """Bumped whenever the grader's scoring changes."""

    def grade(self, ctx: GradingContext) -> GraderResult:
        """Judge one submission. Raise only on a bug: failures of the submission are findings."""
        ...


class GraderRegistrationError(Exception):
    """A grader could not be registered; the message says which and why."""


class GraderRegistry:
    """Graders by name, validated on registration."""

    def __init__(self) -> None:
        self._graders: dict[str, Grader] = {}

    def register(self, grader: object, *, source: str = "") -> Grader:
        where = f" (from {source})" if source else ""
        if isinstance(grader, type):
            try:
                grader = grader()
            except Exception as exc:
                raise GraderRegistrationError(f"grader class{where} cannot be created: {exc}") from exc
        if not isinstance(grader, Grader):
            raise GraderRegistrationError(
                f"{grader!r}{where} is not a grader: it needs `name`, `version` and `grade(ctx)`"
            )
        name = getattr(grader, "name", None)
        version = getattr(grader, "version", None)
        if not isinstance(name, str) or not _NAME.match(name):
            raise GraderRegistrationError(
                f"grader{where} has an invalid name {name!r}: use lowercase letters, digits, '_'"
            )
        if not isinstance(version, str) or not version.strip():
            raise GraderRegistrationError(f"grader {name!r}{where} needs a non-empty version string")
        if not callable(getattr(grader, "grade", None)):
            raise GraderRegistrationError(f"grader {name!r}{where} has no callable grade(ctx)")
        if name in self._graders:
            raise GraderRegistrationError(f"a grader named {name!r} is already registered{where}")
        self._graders[name] = grader
        return grader

    def get(self, name: str) -> Grader:
        try:
            return self._graders[name]
        except KeyError:
            raise KeyError(f"no grader named {name!r}; registered: {sorted(self._graders)}") from None

    def names(self) -> list[str]:
        return list(self._graders)

    def __iter__(self) -> Iterator[Grader]:
        return iter(self._graders.values())

    def __len__(self) -> int:
        return len(self._graders)

    def __contains__(self, name: object) -> bool:
        return name in self._graders


def _load(ref: str) -> object:
    module_name, _, attr = ref.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr)


def default_registry(*, plugins: bool = True, extra: Iterable[object] = ()) -> GraderRegistry:
    """The built-in graders, then any from the entry-point group, then ``extra``."""
    registry = GraderRegistry()
    for ref in BUILTIN:
        registry.register(_load(ref), source=ref)
    if plugins:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                obj = ep.load()
            except Exception as exc:
                raise GraderRegistrationError(
                    f"entry point {ep.name!r} = {ep.value!r} in group {ENTRY_POINT_GROUP!r} "
                    f"failed to import: {exc}"
                ) from exc
            registry.register(obj, source=f"entry point {ep.name}")
    for obj in extra:
        registry.register(obj, source="extra")
    return registry


def run_grader(grader: Grader, ctx: GradingContext) -> GraderResult:
    """Run one grader; an exception or an invalid result becomes that grader's ``error`` status."""
    started = time.perf_counter()
    try:
        result = grader.grade(ctx)
        if not isinstance(result, GraderResult):
            raise TypeError(f"grade() returned {type(result).__name__}, not GraderResult")
        if result.score is not None and not 0.0 <= result.score <= 100.0:
            raise ValueError(f"score {result.score} is outside 0-100")
        if result.name != grader.name:
            result = result.model_copy(update={"name": grader.name})
    except Exception as exc:
        result = GraderResult(
            name=grader.name,
            version=grader.version,
            status=GraderStatus.error,
            score=None,
            summary=f"The {grader.name} grader failed: {type(exc).__name__}: {exc}",
        )
    return result.model_copy(update={"duration_s": round(time.perf_counter() - started, 3)})

"""Finding and loading assignment folders.

An assignment is a folder holding ``assignment.toml`` (see :mod:`harness.assignments.spec`) and
the files it names. ``--assignment`` takes either the name of one shipped in this repository's
``assignments/`` (or in ``HARNESS_ASSIGNMENTS_DIR``) or the path of a folder kept elsewhere: real
teams keep their held-out data out of this repository.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

import sandbox
from graders.types import AssignmentView
from harness.assignments.spec import AssignmentSpec, ServingSpec
from harness.errors import AssignmentError, NotFound
from harness.settings import Settings

__all__ = [
    "SPEC_FILE",
    "Assignment",
    "list_assignments",
    "load_assignment",
    "shipped_assignments_dir",
    "spec_loader",
]

SPEC_FILE = "assignment.toml"


def shipped_assignments_dir() -> Path:
    """The ``assignments/`` folder next to the packages (repository checkout or install root)."""
    return Path(__file__).resolve().parents[2] / "assignments"


@dataclass(frozen=True)
class Assignment:
    """A loaded, validated assignment folder."""

    spec: AssignmentSpec
    root: Path

    def path(self, relative: str) -> Path:
        """A file of the assignment; refuses paths that leave the folder."""
        resolved = (self.root / relative).resolve()
        if not resolved.is_relative_to(self.root.resolve()):
            raise AssignmentError(f"{SPEC_FILE} names {relative!r}, which is outside {self.root}")
        return resolved

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def train_csv(self) -> Path:
        return self.path(self.spec.data.train)

    def task_markdown(self) -> str:
        """The candidate-facing task text."""
        return self.path(self.spec.task_file).read_text(encoding="utf-8")

    def view(self) -> AssignmentView:
        """What graders may know of this assignment (never labels)."""
        return AssignmentView(
            name=self.spec.name,
            title=self.spec.title,
            labels=list(self.spec.labels),
            summary=" ".join(self.spec.summary.split()),
            writeup_sections=list(self.spec.writeup_sections),
            grader_options={k: dict(v) for k, v in self.spec.graders.items()},
            ai_policy=self.spec.integrity.ai_policy.value,
            environment=dict(_sandbox_environment()),
            serving=_serving_mode(self.spec.serving),
        )

    def starter_kit_zip(self, dest: Path) -> Path:
        """Build the candidate's starter kit zip at ``dest`` (see :mod:`harness.assignments.starter_kit`)."""
        from harness.assignments.starter_kit import build_starter_kit

        return build_starter_kit(self, dest)


def _serving_mode(serving: ServingSpec | None) -> Literal["none", "optional", "required"]:
    if serving is None:
        return "none"
    return "required" if serving.required else "optional"


@functools.cache
def _sandbox_environment() -> tuple[tuple[str, str], ...]:
    """(package, version) of everything installed in the sandbox image: its environment lock."""
    lock = Path(sandbox.__file__).parent / "environment.lock"
    pins: list[tuple[str, str]] = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#", 1)[0].partition("==")
        if sep:
            pins.append((name.strip(), version.strip()))
    return tuple(pins)


def load_spec_file(path: Path) -> AssignmentSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssignmentError(f"{path} does not exist; an assignment folder needs {SPEC_FILE}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AssignmentError(f"{path} is not valid TOML: {exc}") from exc
    try:
        return AssignmentSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise AssignmentError(f"{path} is not a valid assignment spec: {problems}") from exc


def _load_folder(folder: Path) -> Assignment:
    """The assignment in ``folder``; parsed again only when its spec file changes (the pages list
    assignments on every request, and parsing TOML is most of that)."""
    spec_path = folder / SPEC_FILE
    try:
        stat = spec_path.stat()
    except FileNotFoundError:
        return Assignment(spec=load_spec_file(spec_path), root=folder.resolve())
    return _load_folder_cached(str(folder), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _load_folder_cached(folder: str, _mtime_ns: int, _size: int) -> Assignment:
    path = Path(folder)
    return Assignment(spec=load_spec_file(path / SPEC_FILE), root=path.resolve())


def _search_dirs(settings: Settings) -> list[Path]:
    dirs = [shipped_assignments_dir()]
    if settings.assignments_dir is not None:
        dirs.insert(0, settings.assignments_dir)
    return [d for d in dirs if d.is_dir()]


def list_assignments(settings: Settings) -> list[Assignment]:
    """Every valid assignment in the search folders, by name."""
    found: dict[str, Assignment] = {}
    for base in _search_dirs(settings):
        for spec_path in sorted(base.glob(f"*/{SPEC_FILE}")):
            assignment = _load_folder(spec_path.parent)
            found.setdefault(assignment.name, assignment)
    return list(found.values())


def load_assignment(name_or_path: str, settings: Settings) -> Assignment:
    """An assignment by name (``support-tickets``) or by folder path."""
    candidate = Path(name_or_path).expanduser()
    if (candidate / SPEC_FILE).is_file():
        return _load_folder(candidate)
    if candidate.name == SPEC_FILE and candidate.is_file():
        return _load_folder(candidate.parent)
    for base in _search_dirs(settings):
        for folder in (base / name_or_path, base / name_or_path.replace("-", "_")):
            if (folder / SPEC_FILE).is_file():
                assignment = _load_folder(folder)
                if assignment.name == name_or_path or folder.name == name_or_path:
                    return assignment
    known = ", ".join(sorted(a.name for a in list_assignments(settings))) or "none"
    raise NotFound(
        f"No assignment {name_or_path!r}: give the name of a shipped assignment ({known}) or the "
        f"path of a folder holding {SPEC_FILE}."
    )


def spec_loader(settings: Settings) -> Callable[[str], AssignmentSpec]:
    """Assignment specs by name, each loaded once by this loader (one per request or command:
    a bulk invitation names the same assignment on many rows)."""
    cache: dict[str, AssignmentSpec] = {}

    def load(name: str) -> AssignmentSpec:
        if name not in cache:
            cache[name] = load_assignment(name, settings).spec
        return cache[name]

    return load

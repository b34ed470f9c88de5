"""Project structure: importable modules and an entry point, declared and pinned dependencies, a README.

Reads ``submission.toml``, ``pyproject.toml`` and requirement files as bounded text with
:mod:`tomllib` and line parsing; nothing is imported or executed.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from graders._workspace import Inventory, read_text

__all__ = ["Dependencies", "EntryPoints", "declared_dependencies", "entry_points", "find_readme"]

MAX_CONFIG_BYTES = 256 * 1024
_LOCK_FILES = frozenset(
    {"poetry.lock", "uv.lock", "pdm.lock", "pipfile.lock", "conda-lock.yml", "requirements.lock"}
)
_REQ_NAME = re.compile(r"^(requirements|reqs|constraints)([-_.][\w.-]*)?\.(txt|in)$", re.IGNORECASE)
_README = re.compile(r"^readme(\.(md|markdown|rst|txt))?$", re.IGNORECASE)


@dataclass
class Dependencies:
    """What the submission declares it needs."""

    sources: list[str] = field(default_factory=list)
    """Files that declare dependencies."""
    requirements: list[str] = field(default_factory=list)
    """Requirement strings found."""
    unpinned: list[str] = field(default_factory=list)
    """Requirements without an exact ``==`` version."""
    lock_file: str | None = None
    """A lock file (poetry.lock, uv.lock, ...) pins everything when present."""

    @property
    def declared(self) -> bool:
        return bool(self.sources)

    @property
    def pinned_share(self) -> float | None:
        if self.lock_file is not None:
            return 1.0
        if not self.requirements:
            return None
        return 1.0 - len(self.unpinned) / len(self.requirements)


def _toml(inv: Inventory, rel: str) -> dict[str, Any] | None:
    f = inv.get(rel)
    if f is None:
        return None
    read = read_text(inv.root, rel, f.size, MAX_CONFIG_BYTES)
    if read.text is None:
        return None
    try:
        return tomllib.loads(read.text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None


def _requirement_name(line: str) -> str:
    return re.split(r"[\s<>=!~;\[@]", line, maxsplit=1)[0]


def _add(deps: Dependencies, requirement: str, pinned: bool) -> None:
    requirement = requirement.strip()
    if not requirement or _requirement_name(requirement).lower() in {
        "python",
        "pip",
        "setuptools",
        "wheel",
    }:
        return
    deps.requirements.append(requirement)
    if not pinned:
        deps.unpinned.append(requirement)


def _requirements_file(inv: Inventory, rel: str, size: int, deps: Dependencies) -> None:
    read = read_text(inv.root, rel, size, MAX_CONFIG_BYTES)
    if read.text is None:
        return
    deps.sources.append(rel)
    for raw in read.text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            _add(deps, line, "==" in line or " @ " in line)


def _conda_file(inv: Inventory, rel: str, size: int, deps: Dependencies) -> None:
    read = read_text(inv.root, rel, size, MAX_CONFIG_BYTES)
    if read.text is None:
        return
    deps.sources.append(rel)
    for raw in read.text.splitlines():
        line = raw.strip()
        if line.startswith("- ") and not line.endswith(":"):
            spec = line[2:].strip()
            _add(deps, spec, bool(re.search(r"(?<![<>!])==?\d", spec)))


def _pyproject(inv: Inventory, deps: Dependencies) -> None:
    pyproject = _toml(inv, "pyproject.toml")
    if pyproject is None:
        return
    project = pyproject.get("project")
    listed = project.get("dependencies") if isinstance(project, dict) else None
    if isinstance(listed, list) and listed:
        deps.sources.append("pyproject.toml")
        for item in listed:
            if isinstance(item, str):
                _add(deps, item, "==" in item)
    tool = pyproject.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    poetry_deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(poetry_deps, dict) and poetry_deps:
        deps.sources.append("pyproject.toml [tool.poetry]")
        for dep_name, spec in poetry_deps.items():
            version = spec.get("version") if isinstance(spec, dict) else spec
            exact = isinstance(version, str) and bool(
                re.fullmatch(r"=?=?\d[\w.]*", version.strip())
            )
            _add(deps, f"{dep_name} {version}", exact)


def declared_dependencies(inv: Inventory) -> Dependencies:
    """Dependencies from requirement files, ``pyproject.toml``, ``environment.yml``, Pipfile, setup.*."""
    deps = Dependencies()
    for f in inv.files:
        if f.depth > 1:
            continue
        lower = f.name.lower()
        if lower in _LOCK_FILES:
            deps.lock_file = f.rel
        if _REQ_NAME.match(f.name):
            _requirements_file(inv, f.rel, f.size, deps)
        elif lower in {"environment.yml", "environment.yaml"}:
            _conda_file(inv, f.rel, f.size, deps)
        elif f.name in {"Pipfile", "setup.py", "setup.cfg"} and f.depth == 0:
            deps.sources.append(f.rel)
    _pyproject(inv, deps)
    deps.sources = list(dict.fromkeys(deps.sources))
    return deps


@dataclass
class EntryPoints:
    """How the submission is meant to be run."""

    commands: list[str] = field(default_factory=list)
    """``submission.toml`` commands."""
    scripts: list[str] = field(default_factory=list)
    """Python files or modules those commands run that exist in the workspace."""
    missing: list[str] = field(default_factory=list)
    """Python files or modules the commands name that do not exist."""
    console_scripts: list[str] = field(default_factory=list)
    """``[project.scripts]`` entries."""


def _module_file(inv: Inventory, module: str) -> str | None:
    base = module.replace(".", "/")
    for candidate in (
        f"{base}.py",
        f"{base}/__main__.py",
        f"src/{base}.py",
        f"src/{base}/__main__.py",
    ):
        if inv.get(candidate) is not None:
            return candidate
    return None


def entry_points(inv: Inventory) -> EntryPoints:
    """Entry points declared by ``submission.toml`` and ``pyproject.toml``."""
    found = EntryPoints()
    spec = _toml(inv, "submission.toml") or {}
    for stage in ("train", "predict"):
        table = spec.get(stage)
        command = table.get("command") if isinstance(table, dict) else None
        if not isinstance(command, str):
            continue
        found.commands.append(command)
        try:
            argv = shlex.split(command)
        except ValueError:
            continue
        for i, arg in enumerate(argv):
            if arg == "-m" and i + 1 < len(argv):
                target = _module_file(inv, argv[i + 1])
                (found.scripts if target else found.missing).append(target or argv[i + 1])
            elif arg.endswith(".py"):
                rel = str(PurePosixPath(arg.removeprefix("./")))
                (found.scripts if inv.get(rel) else found.missing).append(rel)
    pyproject = _toml(inv, "pyproject.toml") or {}
    project = pyproject.get("project")
    scripts = project.get("scripts") if isinstance(project, dict) else None
    if isinstance(scripts, dict):
        found.console_scripts = [str(k) for k in scripts]
    found.scripts = list(dict.fromkeys(found.scripts))
    return found


def find_readme(inv: Inventory) -> str | None:
    """The README at the workspace root, if any."""
    for f in inv.files:
        if f.depth == 0 and _README.match(f.name):
            return f.rel
    return None

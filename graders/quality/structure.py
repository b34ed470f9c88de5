"""Project structure: entry points and a README.

Reads ``submission.toml`` and ``pyproject.toml`` as bounded text with :mod:`tomllib`; nothing is
imported or executed. Dependencies are in :mod:`graders.quality.deps`, the module layout in
:mod:`graders.quality.modules`.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from graders._workspace import Inventory, read_text

__all__ = ["EntryPoints", "entry_points", "find_readme"]

MAX_CONFIG_BYTES = 256 * 1024
_README = re.compile(r"^readme(\.(md|markdown|rst|txt))?$", re.IGNORECASE)


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
    """Entry points declared by ``submission.toml`` (train, predict and serve commands) and
    ``pyproject.toml``."""
    found = EntryPoints()
    spec = _toml(inv, "submission.toml") or {}
    for stage in ("train", "predict", "serve"):
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

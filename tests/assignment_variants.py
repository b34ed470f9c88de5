"""Variants of the shipped support-tickets assignment for tests that need a real grading but not
all of it: the mutation stage (up to 90 s a submission) and the serving stage (30 s for the
reference's server) are turned off, so a module that grades many submissions for something
else (integrity signals, say) does not pay for them. The tests that prove those stages grade
the shipped assignment itself."""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.assignments.loader import Assignment, load_assignment, shipped_assignments_dir
from harness.settings import Settings

__all__ = ["lean_support_tickets"]


def _without_table(text: str, header: str) -> str:
    """``text`` without the TOML table ``header`` (up to the next table)."""
    start = text.index(f"\n{header}\n") + 1
    end = text.find("\n[", start + len(header))
    return text[:start] + (text[end + 1 :] if end != -1 else "")


def lean_support_tickets(root: Path, settings: Settings) -> Assignment:
    """A copy of support-tickets under ``root`` without mutation testing or a model server."""
    folder = root / "support_tickets_lean"
    if not folder.is_dir():
        shutil.copytree(shipped_assignments_dir() / "support_tickets", folder)
        spec = folder / "assignment.toml"
        text = spec.read_text(encoding="utf-8")
        text = text.replace("[limits.mutation]\n", "[limits.mutation]\nenabled = false\n", 1)
        spec.write_text(_without_table(text, "[serving]"), encoding="utf-8")
    assignment = load_assignment(str(folder), settings)
    assert not assignment.spec.limits.mutation.enabled and assignment.spec.serving is None
    assert assignment.name == "support-tickets"
    return assignment

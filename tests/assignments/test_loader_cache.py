"""Assignments are parsed once and again only when their spec file changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from harness.assignments.loader import list_assignments, shipped_assignments_dir
from harness.settings import Settings


def test_a_changed_spec_is_read_again(tmp_path: Path) -> None:
    root = tmp_path / "assignments"
    shutil.copytree(shipped_assignments_dir() / "support_tickets", root / "custom")
    spec = root / "custom" / "assignment.toml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace('name = "support-tickets"', 'name = "custom-tickets"', 1))
    settings = Settings(data_dir=tmp_path / "var", assignments_dir=root)
    first = {a.name: a for a in list_assignments(settings)}
    assert "custom-tickets" in first
    assert list_assignments(settings)[0] is first["custom-tickets"]  # not parsed again

    spec.write_text(text.replace('name = "support-tickets"', 'name = "renamed-tickets"', 1))
    stamp = spec.stat().st_mtime_ns + 1_000_000_000
    os.utime(spec, ns=(stamp, stamp))
    names = {a.name for a in list_assignments(settings)}
    assert "renamed-tickets" in names and "custom-tickets" not in names

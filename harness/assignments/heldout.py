"""The ids of an assignment's held-out tickets, and removing them from text shown to candidates.

Candidates never see held-out tickets: anything written for them (feedback, their export) has
these ids removed, even from text a reviewer typed.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from harness.assignments.loader import Assignment

__all__ = ["heldout_ids", "names_heldout", "scrub"]

_TOKENS = (re.compile(r"[A-Za-z0-9_.-]+"), re.compile(r"[A-Za-z0-9_-]+"))
"""Words, with and without dots: ``HX-3.py`` holds the id ``HX-3`` (ids may hold dots too)."""
REPLACEMENT = "[a held-out ticket]"


@functools.lru_cache(maxsize=16)
def _ids_in(files: tuple[Path, ...], column: str, _stamp: tuple[float, ...]) -> frozenset[str]:
    ids: set[str] = set()
    for path in files:
        with path.open(newline="", encoding="utf-8") as fh:
            ids.update(row[column] for row in csv.DictReader(fh) if row.get(column))
    return frozenset(i for i in ids if len(i) >= 3)


def heldout_ids(assignment: Assignment) -> frozenset[str]:
    """Ids of the assignment's held-out tickets (features and labels, both sets)."""
    data = assignment.spec.data
    names = [data.heldout_features, data.heldout_labels, data.shifted_features, data.shifted_labels]
    files = tuple(p for p in (assignment.path(n) for n in names if n) if p.is_file())
    stamp = tuple(p.stat().st_mtime for p in files)
    return _ids_in(files, data.id_column, stamp)


def names_heldout(text: str, ids: frozenset[str]) -> bool:
    """Whether ``text`` holds one of ``ids`` as a word."""
    return any(token in ids for pattern in _TOKENS for token in pattern.findall(text))


def scrub(text: str, ids: frozenset[str]) -> str:
    """``text`` with any of ``ids`` replaced."""
    for pattern in _TOKENS:
        text = pattern.sub(lambda m: REPLACEMENT if m.group(0) in ids else m.group(0), text)
    return text

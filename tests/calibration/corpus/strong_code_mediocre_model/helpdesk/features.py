"""Assembling the text a ticket is classified on."""

from __future__ import annotations

from collections.abc import Sequence


def assemble(subjects: Sequence[str], bodies: Sequence[str]) -> list[str]:
    """Subject and body joined by a newline, one string per ticket.

    >>> assemble(["Hi"], ["there"])
    ['Hi\\nthere']
    """
    if len(subjects) != len(bodies):
        raise ValueError(f"{len(subjects)} subjects but {len(bodies)} bodies")
    return [f"{s}\n{b}" for s, b in zip(subjects, bodies)]

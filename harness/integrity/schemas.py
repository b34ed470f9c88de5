"""API shapes of code similarity (``GET /api/submissions/{id}/similarity``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["FragmentOut", "MatchOut", "SimilarityOut"]


class _FromAttributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FragmentOut(_FromAttributes):
    file: str
    """In this submission."""
    lines: tuple[int, int]
    """First and last line (1-based; a notebook's lines count its code cells joined)."""
    other_file: str
    other_lines: tuple[int, int]
    prints: int
    """Fingerprints matched in it."""


class MatchOut(_FromAttributes):
    id: int
    direction: Literal["earlier", "later", "known"]
    """``earlier``: this submission resembles an earlier one; ``later``: a later one resembles
    this one; ``known``: it resembles a known solution of the assignment."""
    other_label: str
    """The other candidate as anonymous review allows, or the known solution's folder."""
    other_submission_id: int | None
    similarity: float
    """The larger of the two shares below."""
    share_of_this: float
    """Share of this submission's distinctive code found in the other."""
    share_of_other: float
    shared: int
    flagged: bool
    threshold: float
    found_at: datetime
    fragments: list[FragmentOut]
    resolution: str | None
    """``explained``, ``copied`` or ``false_alarm``; null until a reviewer resolves it."""
    resolution_note: str
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_hidden: bool = False
    """True when another reviewer's resolution is hidden from the caller: they hold an open
    scorecard seat on one of the two submissions (blind review)."""


class SimilarityOut(_FromAttributes):
    """What the code-similarity check found for one submission (evidence, not a verdict)."""

    checked: bool
    """False for a submission graded before the check existed, or whose code could not be read."""
    fingerprints: int
    """Its fingerprints (starter-kit code left out)."""
    starter: int
    """Fingerprints left out because the starter kit has them."""
    files: int
    checked_at: datetime | None
    matches: list[MatchOut]

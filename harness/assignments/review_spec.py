"""The ``[review]`` table of an assignment: the human scorecard and how reviews are run.

A scorecard has criteria, each with a weight and anchored levels (level 1 is the first sentence,
level k the last): a reviewer picks the level whose sentence describes the work. The criteria are
versioned by their content (``ReviewSpec.criteria_version``): editing a sentence, a weight or a
level makes a new version, and scorecards keep the version they were made with.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["RECOMMENDATIONS", "Criterion", "ReviewSpec"]

RECOMMENDATIONS = ("reject", "hold", "advance")
"""What a reviewer recommends, in order (an ordinal scale for agreement)."""

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(_Strict):
    """One line of the scorecard."""

    key: str
    """Stable identifier (lowercase letters, digits, underscores), e.g. ``framing``."""
    name: str = Field(min_length=1, max_length=80)
    """What reviewers and candidates read, e.g. "Problem framing"."""
    judges: str = Field(min_length=1, max_length=400)
    """What it judges, in a sentence or two."""
    weight: Annotated[float, Field(gt=0, le=100)]
    """Weight in the human score (normalised over the criteria)."""
    levels: Annotated[list[str], Field(min_length=2, max_length=7)]
    """Anchored levels, lowest first: one sentence each describing work at that level."""
    compare_with: str | None = None
    """An automated grader judging something close (e.g. ``writeup``): the calibration page
    shows the rank correlation between this criterion and that grader."""

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not _KEY.match(v):
            raise ValueError("key must be lowercase letters, digits and underscores, e.g. framing")
        return v

    @field_validator("levels")
    @classmethod
    def _levels(cls, v: list[str]) -> list[str]:
        for i, text in enumerate(v, start=1):
            if not text.strip() or len(text) > 400:
                raise ValueError(f"level {i} needs a description of 1 to 400 characters")
        if len({t.strip().lower() for t in v}) != len(v):
            raise ValueError("each level needs its own description")
        return [t.strip() for t in v]

    @property
    def top(self) -> int:
        """The highest level (levels run from 1)."""
        return len(self.levels)


class ReviewSpec(_Strict):
    """Human review of a submission: how many independent scorecards, on which criteria, and
    how they combine with the automated score."""

    scorecards: Annotated[int, Field(ge=1, le=5)] = 2
    """Independent scorecards each submission needs before a decision."""
    assign: Literal["auto", "queue"] = "auto"
    """``auto``: reviewers are assigned when grading finishes (least open load first);
    ``queue``: reviewers pick submissions from the review queue."""
    reconcile: Literal["third_reviewer", "discussion"] = "third_reviewer"
    """When reviewers disagree: assign a third reviewer, or wait for a recorded discussion
    (either resolves it; this says which is started automatically)."""
    disagreement_levels: Annotated[int, Field(ge=1, le=6)] = 2
    """Two scorecards disagree when a criterion is this many levels apart (or more), or when
    their recommendations differ."""
    automated_weight: Annotated[float, Field(ge=0, le=100)] = 0.4
    """Weight of the automated overall score in the combined score."""
    human_weight: Annotated[float, Field(ge=0, le=100)] = 0.6
    """Weight of the human score (the scorecards' consensus) in the combined score."""
    advance_at: Annotated[float, Field(ge=0, le=100)] = 70.0
    """Combined score at or above which the combined recommendation is ``advance``."""
    reject_below: Annotated[float, Field(ge=0, le=100)] = 50.0
    """Combined score below which it is ``reject``; in between, ``hold``."""
    criteria: Annotated[list[Criterion], Field(min_length=1, max_length=12)]

    @model_validator(mode="after")
    def _consistent(self) -> ReviewSpec:
        keys = [c.key for c in self.criteria]
        if len(set(keys)) != len(keys):
            raise ValueError("criteria keys must be unique")
        if self.automated_weight + self.human_weight <= 0:
            raise ValueError("automated_weight and human_weight cannot both be 0")
        if self.reject_below > self.advance_at:
            raise ValueError("reject_below must not be above advance_at")
        return self

    def criterion(self, key: str) -> Criterion | None:
        return next((c for c in self.criteria if c.key == key), None)

    def criteria_payload(self) -> list[dict[str, object]]:
        """The criteria as plain data (what a version is made of and what is stored)."""
        return [c.model_dump() for c in self.criteria]

    @property
    def criteria_version(self) -> str:
        """``c-`` and 10 hex digits of a hash of the criteria: any edit makes a new version."""
        blob = json.dumps(self.criteria_payload(), sort_keys=True, separators=(",", ":"))
        return "c-" + hashlib.sha256(blob.encode()).hexdigest()[:10]

"""API shapes of reviewers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

__all__ = ["ReviewerOut"]


class ReviewerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    """``admin`` or ``reviewer``."""
    created_at: datetime

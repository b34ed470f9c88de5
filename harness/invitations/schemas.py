"""API shapes of invitations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["InvitationCreate", "InvitationCreated", "InvitationOut"]


class InvitationCreate(BaseModel):
    """Invite one candidate to an assignment."""

    model_config = ConfigDict(extra="forbid")

    assignment: str = Field(pattern=r"^[a-z][a-z0-9-]{1,62}$", examples=["support-tickets"])
    """Name of the assignment."""
    name: str = Field(min_length=1, max_length=200)
    """The candidate's name."""
    email: str = Field(max_length=320, pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")
    """The candidate's email."""
    anonymous_review: bool = True
    """Hide name and email from reviewers until a decision is recorded."""


class InvitationOut(BaseModel):
    id: int
    assignment: str
    assignment_version: str
    candidate: str
    """The candidate's name, or ``Candidate #<id>`` while review is anonymous."""
    email: str | None
    """Null while review is anonymous."""
    created_at: datetime
    revoked: bool
    submissions: int
    decision: str | None
    """Latest decision: ``advance``, ``reject`` or ``hold``; null before one."""


class InvitationCreated(InvitationOut):
    link: str
    """The candidate's link. Shown once: only a hash of its token is stored."""
    token: str

"""The small interface every ATS adapter implements, and the neutral values it translates.

The service (``harness.ats.service``) works in these terms: tests on offer, a request to send
one, a test's status, a completion call to make. An adapter turns its ATS's JSON into them and
back, and says how to call the ATS when a test completes. Greenhouse is
``harness.ats.greenhouse``; Lever or Ashby would be one module each, registered in ``ADAPTERS``
(``harness.ats.registry``), with a thin router naming their endpoints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from harness.errors import HarnessError

__all__ = [
    "AssessmentState",
    "AssessmentStatus",
    "AtsAdapter",
    "AtsRequestInvalid",
    "ErrorReport",
    "Offer",
    "OutgoingCall",
    "SendRequest",
]


class AtsRequestInvalid(HarnessError):
    """The ATS sent a request that does not follow its contract; the message says what."""

    status_code = 422


@dataclass(frozen=True)
class Offer:
    """One test (assignment) the harness offers."""

    test_id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class SendRequest:
    """An ATS asks the harness to send a test to a candidate."""

    test_id: str
    first_name: str
    last_name: str
    email: str
    callback_url: str | None
    """Where to tell the ATS the test is complete."""


class AssessmentState(StrEnum):
    """The harness's documented test states, as the ATS reads them."""

    sent = "sent"
    """The candidate has the link and has not started."""
    started = "started"
    """The candidate started the clock; nothing uploaded yet."""
    submitted = "submitted"
    """Uploaded; being graded."""
    complete = "complete"
    """Graded (or rejected as unusable): the score and report are available."""
    expired = "expired"
    """The time box closed with nothing uploaded."""
    cancelled = "cancelled"
    """The hiring team revoked the link."""


@dataclass(frozen=True)
class AssessmentStatus:
    state: AssessmentState
    score: float | None = None
    """The overall score (0-100) of the upload that counts; null until complete or when the
    upload was rejected."""
    report_url: str | None = None
    """The reviewers' report page (sign-in required)."""
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    completed_at: datetime | None = None
    details: dict[str, str | int | float | bool | None] = field(default_factory=dict)
    """Flat extras (result, uploads, late), shown by the ATS as they are."""


@dataclass(frozen=True)
class ErrorReport:
    """The ATS reports that one of the harness's answers did not validate."""

    api_call: str
    errors: list[str]
    public_id: str | None


@dataclass(frozen=True)
class OutgoingCall:
    """An HTTP request the harness makes to the ATS."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""


class AtsAdapter(Protocol):
    """Translates one ATS's contract."""

    @property
    def provider(self) -> str: ...

    def tests_body(self, offers: list[Offer]) -> Any:
        """The answer to the ATS's list of tests."""
        ...

    def parse_send(self, body: Any) -> SendRequest:
        """A send request from the ATS's JSON; ``AtsRequestInvalid`` when it breaks the contract."""
        ...

    def sent_body(self, public_id: str) -> Any:
        """The answer to a send: the id the ATS will ask about."""
        ...

    def status_body(self, status: AssessmentStatus) -> Any:
        """The answer to a status request."""
        ...

    def parse_error_report(self, body: Any) -> ErrorReport: ...

    def completion_call(self, callback_url: str, key: str, now: datetime) -> OutgoingCall:
        """The request that tells the ATS a test is complete, signed with the integration's key."""
        ...

"""What the serving stage measured, as the ``serving`` grader reads it.

The harness builds a :class:`ServingEvidence` on the host from the load client's report (bounded
and schema-checked) and the held-out labels, which never leave the host; graders see only the
counts. :data:`BAD_REQUESTS` is the catalogue of bad requests every server is sent and the answer
each deserves: the harness builds the requests from it, the grader scores against it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["BAD_REQUESTS", "BadRequestCase", "BadRequestRow", "Phase", "ServingEvidence"]

_MAX_LATENCIES = 5000


class BadRequestCase(BaseModel):
    """One kind of bad request and the answer it deserves."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    """What is sent, in a reviewer's words."""
    accepts_label: bool = False
    """Whether answering with a label (2xx) is as good as refusing (4xx with a message)."""

    @property
    def expect(self) -> str:
        return "2xx or 4xx" if self.accepts_label else "4xx"


BAD_REQUESTS: tuple[BadRequestCase, ...] = (
    BadRequestCase(name="malformed_json", description="a body that is not valid JSON"),
    BadRequestCase(name="not_a_ticket", description="valid JSON that is not a ticket (the number 42)"),
    BadRequestCase(name="missing_fields", description="a ticket without its text fields"),
    BadRequestCase(name="wrong_types", description="text fields that are a number and a list"),
    BadRequestCase(name="empty_text", description="a ticket whose text fields are all empty"),
    BadRequestCase(name="non_utf8", description="a body with bytes that are not UTF-8"),
    BadRequestCase(name="long_text", description="a ticket body of about 100,000 characters",
                   accepts_label=True),
    BadRequestCase(name="oversized", description="a request body over 1 MB"),
)
"""Sent one after the other, each followed by a health check (is the server still alive?)."""


class Phase(BaseModel):
    """One phase of requests: what was sent and how it was answered."""

    planned: int = 0
    """Requests the plan had for this phase."""
    sent: int = 0
    """Requests sent (fewer than planned when the phase stopped early)."""
    answered: int = 0
    """Answered 2xx with an answer of the right shape (a label, or one label per ticket)."""
    statuses: dict[str, int] = Field(default_factory=dict)
    """Answers by class: ``2xx``, ``3xx``, ``4xx``, ``5xx``."""
    errors: dict[str, int] = Field(default_factory=dict)
    """Requests without a usable answer, by cause: ``timeout``, ``refused``, ``reset``,
    ``too_large`` (the answer passed the response cap), ``bad_http``, ``bad_answer`` (2xx, but
    not the shape the API asks for)."""
    latencies_ms: Annotated[list[float], Field(max_length=_MAX_LATENCIES)] = Field(default_factory=list)
    """Connect to last byte, per request that got an HTTP answer; a timed-out request counts
    at the timeout, so slowness cannot hide in the percentiles."""
    wall_s: float = 0.0
    """Wall time of the phase."""
    stopped_early: str = ""
    """Why the phase stopped before sending everything (timeouts in a row, the server exited)."""


class BadRequestRow(BaseModel):
    """How the server answered one bad request."""

    case: str
    description: str
    expect: str
    """``4xx``, or ``2xx or 4xx`` where a label is as good as a refusal."""
    status: int | None = None
    """The HTTP status, or null when there was no answer."""
    error: str = ""
    """Why there was no answer (``timeout``, ``reset``, ``not_sent`` after the server died)."""
    message: str = ""
    """The start of the answer's body: a 4xx should say what is wrong."""
    ms: float | None = None
    alive_after: bool | None = None
    """Whether the health path still answered 2xx right after; null when not checked."""


class ServingEvidence(BaseModel):
    """Everything the serving stage measured, scored on the host where labels were needed."""

    port: int
    health_path: str
    predict_path: str
    request_timeout_s: float
    concurrency: int
    ready: bool
    """The health path answered 2xx within the limit."""
    ready_s: float | None = None
    """Seconds from the server container's start to the first 2xx health answer."""
    ready_limit_s: float
    not_ready_because: str = ""
    """When not ready: what the client saw (nothing listening, a status, the server exited)."""
    listening: list[int] = Field(default_factory=list)
    """Ports something listened on when the server was not ready (a server on another port)."""
    single: Phase = Field(default_factory=Phase)
    """Sample tickets sent one at a time: correctness and sequential latency."""
    concurrent: Phase = Field(default_factory=Phase)
    """Single-ticket requests, ``concurrency`` in flight at once: latency under load, throughput."""
    batch: Phase = Field(default_factory=Phase)
    """Batch requests (a JSON array of tickets)."""
    batch_size: int = 0
    valid_labels: int = 0
    """Single-ticket answers naming one of the assignment's labels."""
    unknown_labels: list[str] = Field(default_factory=list)
    """A few labels answered that are not in the label set."""
    has_predictions: bool = False
    """Whether the predict stage's batch predictions were valid, so answers can be compared."""
    compared: int = 0
    """Single-ticket answers with a batch prediction (the predict stage's) for the same ticket."""
    agreeing: int = 0
    """Of those, answers equal to the batch prediction."""
    scored: int = 0
    """Single-ticket answers for tickets with a held-out label."""
    correct: int = 0
    """Of those, answers equal to the held-out label (served accuracy, computed on the host)."""
    batch_tickets: int = 0
    """Tickets sent in batch requests that have a label to compare with: the same ticket's
    single-request answer or, without one, its batch prediction."""
    batch_agreeing: int = 0
    """Of those, tickets whose batch was answered 2xx with one label per ticket and whose label
    equals that reference."""
    bad_requests: list[BadRequestRow] = Field(default_factory=list)
    alive_at_end: bool | None = None
    """The health path answered 2xx after every measurement; null when not reached."""
    server_exited: bool = False
    """The server's process ended while it was being measured."""
    client_problem: str = ""
    """Set when the client's report was missing or unusable (the measurements are then empty)."""

    @property
    def served_accuracy(self) -> float | None:
        return self.correct / self.scored if self.scored else None

    @property
    def agreement(self) -> float | None:
        return self.agreeing / self.compared if self.compared else None

"""What a distributed worker and the API say to each other (JSON over HTTP).

The worker is trusted less than the API: it runs hostile code next to its own process, so
everything it sends is bounded here and checked again where it is used.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graders.candidate_tests.mutation import MUTATION_JSON
from graders.candidate_tests.plan import CONTEXTS_JSON, COVERAGE_JSON, JUNIT_XML
from graders.notebooks.grader import EXECUTED_NOTEBOOK
from graders.types import StageName, StageOutcome
from harness.assignments.spec import ServingSpec, StagesLimits
from harness.serving.report import REPORT_FILE

__all__ = [
    "OUTPUT_FILES",
    "SANDBOX_STAGES",
    "WORKER_NAME_PATTERN",
    "ClaimRequest",
    "FailIn",
    "FileLink",
    "Heartbeat",
    "Hello",
    "JobDone",
    "JobTicket",
    "ResultIn",
    "StageProgress",
    "WorkerInfo",
]

SANDBOX_STAGES = (StageName.tests, StageName.mutation, StageName.train, StageName.predict,
                  StageName.predict_nomodel, StageName.notebook, StageName.serve)
"""The stages a worker runs; the others (static, score) happen on the API."""

OUTPUT_FILES: dict[StageName, frozenset[str]] = {
    StageName.tests: frozenset({JUNIT_XML, COVERAGE_JSON, CONTEXTS_JSON}),
    StageName.mutation: frozenset({MUTATION_JSON}),
    StageName.train: frozenset(),
    StageName.predict: frozenset({"predictions.csv"}),
    StageName.predict_nomodel: frozenset({"predictions.csv"}),
    StageName.notebook: frozenset({"predictions.csv", EXECUTED_NOTEBOOK}),
    StageName.serve: frozenset({REPORT_FILE}),
}
"""Output files a worker may send back, by stage: all that graders and scoring read."""

WORKER_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$"

Token = Annotated[str, Field(min_length=8, max_length=64)]
Text = Annotated[str, Field(max_length=4000)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Hello(_Wire):
    """The API's answer to a starting worker: its version and the job timings it expects."""

    harness_version: str
    heartbeat_s: float
    """How often a worker reports on a running job."""
    stale_after_s: float
    """A job silent this long is taken away from its worker and queued again."""
    visibility_timeout_s: int
    """The broker's redelivery timeout the API is configured with (workers should match)."""
    max_output_bytes: int
    """Largest output file the API accepts."""


class ClaimRequest(_Wire):
    worker: Annotated[str, Field(pattern=WORKER_NAME_PATTERN)]
    """The claiming slot, ``<worker name>:<pid>``, shown on the status pages."""


class FileLink(_Wire):
    """A short-lived signed link to one input file, and what the file must hash to."""

    url: str
    """Path and query, relative to the API's URL."""
    sha256: str
    size: int


class JobTicket(_Wire):
    """A claimed job: everything a worker needs to run the sandboxed stages, labels excluded."""

    submission_id: int
    claim_token: str
    """Proves the claim in every later call; the API forgets it when the claim ends."""
    attempt: int
    assignment: str
    filename: str
    limits: StagesLimits
    bundle: FileLink
    """The submission archive as the candidate uploaded it."""
    train: FileLink
    """The public labelled training CSV."""
    features: FileLink
    """The held-out features (both held-out sets, mixed), never their labels."""
    links_expire_at: datetime
    heartbeat_s: float
    serving: ServingSpec | None = None
    """The API a ``[serve]`` server must offer; None when the assignment asks for no server."""
    id_column: str = "id"
    """The column naming a ticket in the features file."""
    skip_stages: list[StageName] = Field(default_factory=list)
    """Planned stages this assignment turns off (e.g. the model-dependence run)."""


class StageProgress(_Wire):
    state: Literal["started", "finished", "info"]
    verdict: Annotated[str | None, Field(max_length=32)] = None
    message: Annotated[str, Field(max_length=500)] = ""


class Heartbeat(_Wire):
    """Proof that a job is alive, with its live progress when something changed."""

    claim_token: Token
    stages: Annotated[dict[str, StageProgress] | None, Field(max_length=32)] = None
    stage: Annotated[str | None, Field(max_length=16)] = None
    """The stage running now; only applied when sent (``null`` clears it)."""


class ResultIn(_Wire):
    """The end of a worker's run: stage outcomes (output files were uploaded before)."""

    claim_token: Token
    image: Annotated[str, Field(max_length=200)]
    """The sandbox image the stages ran in."""
    stages: Annotated[list[StageOutcome], Field(max_length=8)] = Field(default_factory=list)
    """How each sandboxed stage ended; output files are named in ``outputs`` (uploaded before)."""
    input_rejected: Annotated[str | None, Field(max_length=4000)] = None
    """Set when the worker's archive checks refused the submission (the API checks again)."""

    @field_validator("stages", mode="before")
    @classmethod
    def _no_host_paths(cls, value: object) -> object:
        """A worker names its files; paths on its host mean nothing here and are never trusted."""
        for stage in value if isinstance(value, list) else []:
            if isinstance(stage, dict) and stage.get("files"):
                raise ValueError("stage outcomes from a worker cannot carry host paths ('files')")
        return value


class FailIn(_Wire):
    """A run the worker could not finish."""

    claim_token: Token
    kind: Literal["infrastructure", "crash"]
    """``infrastructure``: Docker or the worker's disk failed, retry after a back-off;
    ``crash``: an unexpected error, retried a few times, then recorded on the submission."""
    message: Annotated[str, Field(max_length=2000)]


class JobDone(_Wire):
    outcome: str
    """What became of the job: ``graded``, ``rejected``, ``error``, ``retry`` or ``lost_claim``."""


class WorkerInfo(BaseModel):
    """A grading worker as reviewers see it (``GET /api/workers``)."""

    name: str
    host: str
    mode: Literal["embedded", "distributed"]
    slots: int
    """Jobs it grades at once."""
    busy: int
    """Jobs it holds now."""
    running: list[int] = Field(default_factory=list)
    """Submissions it is grading."""
    healthy: bool
    """Its Docker engine answered at the last heartbeat."""
    problem: str = ""
    """Why it is not healthy."""
    version: str = ""
    image: str = ""
    started_at: datetime | None = None
    last_seen: datetime | None = None

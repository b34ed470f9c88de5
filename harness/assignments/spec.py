"""The assignment spec: one TOML file per assignment folder, validated by these models.

Every field is documented because the spec is also what hiring teams edit to make their own
assignment. Paths in the spec are relative to the assignment folder.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from harness.assignments.review_spec import ReviewSpec
from harness.ledger.pay import PayTerms
from harness.ledger.timebox import ClockStart, LatePolicy, TimeBoxTerms

__all__ = [
    "AiPolicy",
    "AssignmentSpec",
    "BaselineScores",
    "DataFiles",
    "IntegritySpec",
    "MutationLimits",
    "PaySpec",
    "Policy",
    "Retention",
    "ServingSpec",
    "StageLimits",
    "StagesLimits",
]

_NAME = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataFiles(_Strict):
    """Where the data lives, relative to the assignment folder."""

    train: str
    """Labelled training CSV given to candidates (in the starter kit and mounted for tests/train)."""
    heldout_features: str
    """Held-out tickets without labels; mounted read-only for the predict stage only."""
    heldout_labels: str
    """Held-out labels (``id,label``). Read on the host only; never enters a container."""
    shifted_features: str | None = None
    """A second held-out set from a shifted distribution, features only (robustness)."""
    shifted_labels: str | None = None
    """Labels of the shifted set, host only."""
    id_column: str = "id"
    """Column that identifies a ticket in every file."""
    label_column: str = "label"
    """Column holding the class in the training and label files."""

    @model_validator(mode="after")
    def _shifted_pairs(self) -> DataFiles:
        if (self.shifted_features is None) != (self.shifted_labels is None):
            raise ValueError("shifted_features and shifted_labels must be given together")
        return self


class StageLimits(_Strict):
    """Resource limits of one sandboxed stage. The harness enforces the wall time itself."""

    wall_seconds: Annotated[int, Field(gt=0, le=24 * 3600)]
    """Wall-clock limit; the container is killed and removed when it passes."""
    memory_mb: Annotated[int, Field(ge=64, le=65536)]
    """Memory limit (swap equals it, so no swapping)."""
    cpus: Annotated[float, Field(gt=0, le=64)] = 1.0
    """CPU quota, in cores."""
    pids: Annotated[int, Field(ge=16, le=4096)] = 256
    """Maximum processes and threads."""
    output_mb: Annotated[int, Field(ge=1, le=10240)] = 200
    """Cap on bytes written to the stage's output folders."""
    tmpfs_mb: Annotated[int, Field(ge=16, le=16384)] = 512
    """Size of the scratch tmpfs (``/tmp``, working copy of the submission)."""
    log_kb: Annotated[int, Field(ge=4, le=65536)] = 256
    """Bytes of stdout/stderr kept; beyond it output is dropped and marked."""


def _default_limits(wall: int, memory: int) -> StageLimits:
    return StageLimits(wall_seconds=wall, memory_mb=memory)


class MutationLimits(StageLimits):
    """The mutation stage: its sandbox limits, plus the sample and the time budget it works in.

    The same submission always gets the same mutants (a fixed seed over a stable list); the
    runner judges ``mutants`` of them, in order, and starts no new one after ``budget_seconds``
    (the sample is then the prefix it reached, and the report says so).
    """

    enabled: bool = True
    """Whether to run mutation testing at all (off: the tests grader says "not applicable")."""
    mutants: Annotated[int, Field(ge=1, le=500)] = 60
    """Mutants judged per submission: the sample size behind the score and its interval."""
    budget_seconds: Annotated[int, Field(ge=5, le=3600)] = 90
    """No mutant is started after this many seconds of the stage (the baseline run included)."""
    seed: int = 16
    """Seed of the sample."""

    @model_validator(mode="after")
    def _budget_fits(self) -> MutationLimits:
        if self.budget_seconds + 15 > self.wall_seconds:
            raise ValueError(
                f"budget_seconds ({self.budget_seconds}) must leave at least 15 s of the stage's "
                f"wall_seconds ({self.wall_seconds}) for starting the sandbox and the last mutant"
            )
        return self


class StagesLimits(_Strict):
    """Limits per stage."""

    tests: StageLimits = Field(default_factory=lambda: _default_limits(300, 2048))
    """The candidate's own pytest run, with coverage."""
    train: StageLimits = Field(default_factory=lambda: _default_limits(900, 4096))
    """The train command."""
    predict: StageLimits = Field(default_factory=lambda: _default_limits(300, 4096))
    """The predict command."""
    predict_nomodel: StageLimits = Field(default_factory=lambda: _default_limits(300, 4096))
    """The predict command again, with an empty model folder (the model-dependence check).
    Defaults to the ``predict`` limits: it is the same command on the same data."""
    notebook: StageLimits = Field(default_factory=lambda: _default_limits(1200, 4096))
    """A notebook-only submission, run headless end to end."""
    serve: StageLimits = Field(default_factory=lambda: _default_limits(240, 2048))
    """The candidate's server (``[serve]``), for the whole serving stage: start-up and every
    measurement. The harness's load client runs beside it with limits of its own."""
    mutation: MutationLimits = Field(
        default_factory=lambda: MutationLimits(wall_seconds=150, memory_mb=2048)
    )
    """Mutation testing of the candidate's own code with their tests (after the tests stage)."""

    @model_validator(mode="before")
    @classmethod
    def _nomodel_like_predict(cls, data: Any) -> Any:
        if isinstance(data, dict) and "predict" in data and "predict_nomodel" not in data:
            return {**data, "predict_nomodel": data["predict"]}
        return data


_PATH = re.compile(r"^/[A-Za-z0-9._~/-]{0,200}$")


class ServingSpec(_Strict):
    """The ``[serving]`` table: the HTTP API a submission's ``[serve]`` command must offer, and how
    the serving stage measures it. Absent: the assignment asks for no server."""

    required: bool = False
    """Whether every submission must have ``[serve]``. Optional (the default): a submission
    without one leaves the ``serving`` grader out of its overall, which is renormalised."""
    health_path: Annotated[str, Field(pattern=_PATH.pattern)] = "/health"
    """``GET`` answers 2xx once the model is loaded: the server is ready."""
    predict_path: Annotated[str, Field(pattern=_PATH.pattern)] = "/predict"
    """``POST`` a JSON object (one ticket, the CSV's columns) for ``{"label": ...}``, or a JSON
    array of them for an array of ``{"label": ...}`` in the same order."""
    text_fields: Annotated[list[str], Field(min_length=1)] = Field(default_factory=lambda: ["subject", "body"])
    """Columns holding the text (the bad requests send them empty, too long or wrongly typed)."""
    port: Annotated[int, Field(ge=1024, le=65535)] = 8765
    """What ``{port}`` becomes. Not a common default, so a hard-coded port shows."""
    ready_seconds: Annotated[int, Field(ge=1, le=600)] = 60
    """How long the server may take to answer the health path."""
    request_timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    """Longest wait for one answer (connect to last byte)."""
    sample: Annotated[int, Field(ge=1, le=1000)] = 200
    """Held-out tickets sent one at a time (correctness and sequential latency)."""
    concurrency: Annotated[int, Field(ge=1, le=32)] = 4
    """Requests in flight at once in the concurrent phase."""
    concurrent_requests: Annotated[int, Field(ge=0, le=5000)] = 200
    """Single-ticket requests sent in the concurrent phase."""
    batch_size: Annotated[int, Field(ge=1, le=256)] = 32
    """Tickets per batch request."""
    batches: Annotated[int, Field(ge=0, le=100)] = 5
    """Batch requests sent."""
    long_text_chars: Annotated[int, Field(ge=1000, le=500_000)] = 100_000
    """Length of the very long ticket body among the bad requests."""
    oversized_bytes: Annotated[int, Field(ge=1024, le=8 * 1024 * 1024)] = 1_100_000
    """Size of the oversized request among the bad requests (over 1 MB)."""
    max_response_kb: Annotated[int, Field(ge=1, le=16384)] = 256
    """Largest answer read; a longer one is cut off and counted as a flood."""


class PaySpec(_Strict):
    """The ``[pay]`` table: how the candidate is paid for the time box. Money is decimal, never
    float. Parsed here only; ``AssignmentSpec.pay_terms`` turns it into the ledger's
    ``PayTerms``, whose rules check it (a rate for hourly, a fee for flat, a known currency)."""

    kind: Literal["hourly", "flat"]
    """``hourly`` (rate times hours, capped) or ``flat`` (a fixed fee on submission)."""
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    """ISO 4217 code."""
    hourly_rate: Decimal | None = None
    """Rate per hour, for ``hourly``."""
    cap_hours: Decimal | None = None
    """Hours paid at most, for ``hourly`` (defaults to the time box)."""
    flat_fee: Decimal | None = None
    """Fee, for ``flat``."""


class Policy(_Strict):
    """Process rules of the time box."""

    start_window_days: Annotated[int, Field(ge=1, le=90)] = 7
    """Days the candidate has to start after being invited."""
    grace_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = 15
    """Minutes after the time box still accepted as on time."""
    late: LatePolicy = LatePolicy.accept
    clock_start: ClockStart = ClockStart.button
    show_scores_to_candidate: bool = False
    """Whether candidates see their scores on the status page."""
    candidate_feedback: bool = False
    """Whether candidates get a feedback page once a final decision (advance or reject) is
    recorded: what went well and what to improve, from the graders' findings and the comments
    reviewers chose to share (``harness.feedback``)."""

    def time_box_terms(
        self,
        time_box_hours: Decimal,
        *,
        grace_minutes: int | None = None,
        start_window_days: int | None = None,
    ) -> TimeBoxTerms:
        """The ledger's terms from this policy; the keyword arguments override it per invitation."""
        return TimeBoxTerms(
            time_box_hours=time_box_hours,
            grace=timedelta(minutes=self.grace_minutes if grace_minutes is None else grace_minutes),
            start_window=timedelta(
                days=self.start_window_days if start_window_days is None else start_window_days
            ),
            late=self.late,
            clock_start=self.clock_start,
        )


class AiPolicy(StrEnum):
    """What the assignment allows of AI assistants (chat assistants, code completion)."""

    forbidden = "forbidden"
    allowed_with_disclosure = "allowed_with_disclosure"
    """Allowed, if the writeup says how they were used (the writeup grader looks for it)."""
    allowed = "allowed"

    @property
    def statement(self) -> str:
        """The sentence that states the policy to candidates: TASK.md must contain it verbatim
        (``assignment validate`` checks), and the kit and the candidate page show it."""
        return AI_POLICY_STATEMENTS[self]


AI_POLICY_STATEMENTS = {
    AiPolicy.forbidden: "AI assistants (chat assistants such as ChatGPT or Claude, code completion "
    "such as Copilot) are not allowed for this assignment: write the code and the writeup yourself.",
    AiPolicy.allowed_with_disclosure: "AI assistants (chat assistants such as ChatGPT or Claude, code "
    "completion such as Copilot) are allowed for this assignment, if your writeup says which you "
    "used and for what.",
    AiPolicy.allowed: "AI assistants (chat assistants such as ChatGPT or Claude, code completion "
    "such as Copilot) are allowed for this assignment.",
}


class IntegritySpec(_Strict):
    """The ``[integrity]`` table: signals shown to reviewers as evidence, never as a score."""

    ai_policy: AiPolicy = AiPolicy.allowed_with_disclosure
    """What candidates may do with AI assistants; stated in TASK.md, the kit and the candidate
    page, and shown on every report."""
    similarity_threshold: Annotated[float, Field(gt=0, le=1)] = 0.5
    """A submission is flagged when this share of its distinctive code (starter-kit code and
    fragments common to many submissions left out) is found in one earlier submission or known
    solution, or this share of the other's is found in it."""
    known_solutions: str = "known_solutions"
    """Folder of public solutions the team has found (one sub-folder each), relative to the
    assignment folder; may be missing. ``solutions/baseline`` and ``solutions/reference`` are
    compared too."""
    canaries: Annotated[int, Field(ge=0, le=1000)] = 60
    """Hidden canary rows added to the held-out features the predict stage sees (half exact
    duplicates under fresh ids, half copies with harmless changes); 0 turns them off."""
    canary_text_columns: list[str] = Field(default_factory=list)
    """Columns whose whitespace and case the harmless copies change; none: exact copies only."""
    model_dependence: bool = True
    """Run predict a second time with an empty model folder, to see whether the predictions
    depend on what train produced (one extra predict run)."""


_Days = Annotated[int, Field(ge=0, le=3650)]


class Retention(_Strict):
    """How long candidate data is kept after the decision (``harness.retention``), in days.

    The clock starts at the invitation's latest decision; for an invitation that never got one,
    at its revocation, or when its time box closed with nothing uploaded. ``0`` keeps that kind
    of data until someone erases the candidate on request.
    """

    archives_days: _Days = 90
    """The uploaded archives (and with them the code reviewers browse)."""
    reports_days: _Days = 365
    """Reports with their stage logs, rendered notebooks and writeup copies. The scores stay on
    the submission for the dashboard's figures."""
    personal_days: _Days = 365
    """Everything else that names or concerns the candidate: the candidate is erased, leaving
    anonymous aggregates (scores, timings, survey figures)."""

    @model_validator(mode="after")
    def _personal_last(self) -> Retention:
        if self.personal_days == 0:
            return self
        for name in ("archives_days", "reports_days"):
            days = getattr(self, name)
            if days == 0 or days > self.personal_days:
                raise ValueError(
                    f"retention.{name} must be 1 to personal_days ({self.personal_days}): "
                    "erasing the candidate deletes their archives and reports too"
                )
        return self


class BaselineScores(_Strict):
    """Measured scores of the assignment's baseline (or reference) solution."""

    heldout_accuracy: Annotated[float, Field(ge=0, le=1)]
    heldout_macro_f1: Annotated[float, Field(ge=0, le=1)]
    shifted_accuracy: Annotated[float, Field(ge=0, le=1)] | None = None
    shifted_macro_f1: Annotated[float, Field(ge=0, le=1)] | None = None
    per_class_f1: dict[str, float] = Field(default_factory=dict)
    """Held-out F1 per label."""

    def as_metrics(self) -> dict[str, float]:
        out = {"heldout.accuracy": self.heldout_accuracy, "heldout.macro_f1": self.heldout_macro_f1}
        if self.shifted_accuracy is not None:
            out["shifted.accuracy"] = self.shifted_accuracy
        if self.shifted_macro_f1 is not None:
            out["shifted.macro_f1"] = self.shifted_macro_f1
        return out


class AssignmentSpec(_Strict):
    """One assignment: what the candidate is asked, how it is run and how it is graded."""

    name: str
    """Short identifier used on the command line and in URLs, e.g. ``support-tickets``."""
    version: str = "1"
    """Bumped when data or grading changes, so reports say which version graded them."""
    title: str
    """Human title shown to candidates and reviewers."""
    summary: str
    """One paragraph describing the task."""
    task_file: str = "TASK.md"
    """Candidate-facing task text (Markdown), relative to the assignment folder."""
    labels: Annotated[list[str], Field(min_length=2)]
    """The label set; predictions outside it are invalid."""
    data: DataFiles
    limits: StagesLimits = Field(default_factory=StagesLimits)
    rubric: dict[str, Annotated[float, Field(ge=0)]]
    """Weight of each grader in ``overall`` (normalised; need not sum to 1)."""
    time_box_hours: Annotated[Decimal, Field(gt=0, le=40)]
    """Hours the candidate is asked (and paid) to spend."""
    pay: PaySpec
    policy: Policy = Field(default_factory=Policy)
    integrity: IntegritySpec = Field(default_factory=IntegritySpec)
    retention: Retention = Field(default_factory=Retention)
    """How long candidate data is kept after the decision."""
    baseline: BaselineScores
    """Measured scores of ``solutions/baseline`` (checked by a test)."""
    reference: BaselineScores | None = None
    """Measured scores of ``solutions/reference``, when the assignment ships one."""
    writeup_sections: list[str] = Field(
        default_factory=lambda: ["approach", "evaluation", "trade-offs", "next steps"]
    )
    """Sections the writeup must cover."""
    starter_kit: list[str] = Field(default_factory=list)
    """Extra files (relative to the assignment folder) added to the starter kit."""
    graders: dict[str, dict[str, object]] = Field(default_factory=dict)
    """Per-grader options, by grader name."""
    serving: ServingSpec | None = None
    """The model server a submission's ``[serve]`` command starts, when the assignment asks for
    one (``[serving]``)."""
    bootstrap_samples: Annotated[int, Field(ge=100, le=100_000)] = 1000
    """Resamples for the bootstrap intervals."""
    seed: int = 20261126
    """Seed for everything random on the host side of grading."""
    review: ReviewSpec | None = None
    """Human review: the scorecard's criteria and how many independent reviewers judge each
    submission (``harness.assignments.review_spec``). Without it, decisions need no scorecard."""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("name must be lowercase letters, digits and dashes, e.g. support-tickets")
        return v

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("labels must be unique")
        for label in v:
            if not label or label != label.strip() or "," in label or "\n" in label:
                raise ValueError(f"label {label!r} must be non-empty, trimmed, with no comma or newline")
        return v

    @field_validator("rubric")
    @classmethod
    def _rubric(cls, v: dict[str, float]) -> dict[str, float]:
        if not v or sum(v.values()) <= 0:
            raise ValueError("rubric needs at least one grader with a positive weight")
        return v

    @model_validator(mode="after")
    def _baseline_labels(self) -> AssignmentSpec:
        for scores in (self.baseline, self.reference):
            if scores is None:
                continue
            unknown = set(scores.per_class_f1) - set(self.labels)
            if unknown:
                raise ValueError(f"per_class_f1 names labels not in the label set: {sorted(unknown)}")
        return self

    @model_validator(mode="after")
    def _review_compares_with_graders(self) -> AssignmentSpec:
        for criterion in self.review.criteria if self.review else []:
            if criterion.compare_with is not None and criterion.compare_with not in self.rubric:
                raise ValueError(
                    f"review criterion {criterion.key!r} compares with {criterion.compare_with!r}, "
                    f"which is not a grader of the rubric ({', '.join(sorted(self.rubric))})"
                )
        return self

    @model_validator(mode="after")
    def _pay_terms_hold(self) -> AssignmentSpec:
        self.pay_terms()  # the ledger's rules; an InvalidTerms is a ValueError for pydantic
        return self

    def time_box_terms(
        self,
        *,
        time_box_hours: Decimal | None = None,
        grace_minutes: int | None = None,
        start_window_days: int | None = None,
    ) -> TimeBoxTerms:
        """The time box an invitation is promised, with optional per-invitation overrides.

        An invitation keeps its own copy of these terms (its columns), so an edit of the spec
        never changes what a candidate was already promised.
        """
        return self.policy.time_box_terms(
            self.time_box_hours if time_box_hours is None else time_box_hours,
            grace_minutes=grace_minutes,
            start_window_days=start_window_days,
        )

    def pay_terms(self, time_box_hours: Decimal | None = None) -> PayTerms:
        """The ``[pay]`` table as the ledger's terms; an hourly cap left unset is the time box
        (``time_box_hours``, the spec's own by default)."""
        return PayTerms.stated(
            kind=self.pay.kind,
            currency=self.pay.currency,
            hourly_rate=self.pay.hourly_rate,
            cap_hours=self.pay.cap_hours,
            flat_fee=self.pay.flat_fee,
            time_box_hours=self.time_box_hours if time_box_hours is None else time_box_hours,
        )

    def rubric_weights(self) -> dict[str, float]:
        """Rubric weights normalised to sum to 1."""
        total = sum(self.rubric.values())
        return {name: weight / total for name, weight in self.rubric.items()}

    def optional_graders(self) -> frozenset[str]:
        """Weighted graders a submission may leave out: ``serving`` when a server is optional."""
        optional = self.serving is not None and not self.serving.required
        return frozenset({"serving"} & set(self.rubric)) if optional else frozenset()

    def core_rubric_weights(self) -> dict[str, float]:
        """Weights of the graders every submission is scored on, normalised to sum to 1: the
        overall of a submission that leaves out every optional grader."""
        core = {k: v for k, v in self.rubric.items() if k not in self.optional_graders()}
        total = sum(core.values())
        return {name: weight / total for name, weight in core.items()} if total > 0 else {}

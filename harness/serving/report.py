"""The load client's report, as the host reads it back: bounded and schema-checked.

The client is the harness's own code, but it ran in a container next to a hostile server and its
report is a file that container wrote, so it is read like any stage output: a byte cap, strict
JSON, lists and strings bounded, numbers range-checked. A report that does not fit is refused with
the reason; nothing in it is ever executed or trusted beyond these bounds.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "MAX_REPORT_BYTES",
    "REPORT_FILE",
    "BadRequestRecord",
    "BatchRecord",
    "ClientReport",
    "PhaseRecord",
    "Readiness",
    "RequestRecord",
    "read_client_report",
]

REPORT_FILE = "serving.json"
"""The client's report in its output folder, and the output file a worker uploads."""
MAX_REPORT_BYTES = 4 * 1024 * 1024

Short = Annotated[str, Field(max_length=300)]
Ms = Annotated[float, Field(ge=0, le=3_600_000)]
Status = Annotated[int, Field(ge=100, le=999)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Readiness(_Record):
    ok: bool
    after_s: Annotated[float, Field(ge=0, le=86_400)] | None = None
    attempts: Annotated[int, Field(ge=0)] = 0
    last_status: Status | None = None
    last_error: Short = ""
    listening: Annotated[list[Annotated[int, Field(ge=0, le=65535)]], Field(max_length=20)] = Field(
        default_factory=list)
    server_exited: bool = False


class RequestRecord(_Record):
    status: Status | None = None
    ms: Ms = 0.0
    error: Short = ""
    id: Short = ""
    label: Short | None = None
    detail: Short = ""


class BatchRecord(_Record):
    status: Status | None = None
    ms: Ms = 0.0
    error: Short = ""
    ids: Annotated[list[Short], Field(max_length=256)] = Field(default_factory=list)
    labels: Annotated[list[Short | None], Field(max_length=257)] = Field(default_factory=list)
    detail: Short = ""


class PhaseRecord(_Record):
    planned: Annotated[int, Field(ge=0, le=100_000)] = 0
    wall_s: Annotated[float, Field(ge=0, le=86_400)] = 0.0
    stopped_early: Short = ""
    requests: Annotated[list[RequestRecord], Field(max_length=5000)] = Field(default_factory=list)


class BatchPhaseRecord(_Record):
    planned: Annotated[int, Field(ge=0, le=100_000)] = 0
    wall_s: Annotated[float, Field(ge=0, le=86_400)] = 0.0
    stopped_early: Short = ""
    requests: Annotated[list[BatchRecord], Field(max_length=100)] = Field(default_factory=list)


class BadRequestRecord(_Record):
    case: Short
    status: Status | None = None
    ms: Ms | None = None
    error: Short = ""
    message: Short = ""
    alive_after: bool | None = None


class ClientReport(_Record):
    """What :mod:`harness.serving.loadclient` writes."""

    version: int
    ready: Readiness
    single: PhaseRecord = Field(default_factory=PhaseRecord)
    concurrent: PhaseRecord = Field(default_factory=PhaseRecord)
    batch: BatchPhaseRecord = Field(default_factory=BatchPhaseRecord)
    bad_requests: Annotated[list[BadRequestRecord], Field(max_length=32)] = Field(default_factory=list)
    alive_at_end: bool | None = None
    measured_s: Annotated[float, Field(ge=0, le=86_400)] = 0.0
    """Seconds from readiness to the end of the last check."""
    server_exited: bool = False
    budget_exhausted: bool = False


def read_client_report(path: Path | None) -> tuple[ClientReport | None, str]:
    """The report at ``path``, or None and why it could not be used."""
    if path is None:
        return None, "the load client wrote no report"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return None, f"the load client's report cannot be opened ({exc.strerror})"
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, "the load client's report is not a regular file"
        data = fh.read(MAX_REPORT_BYTES + 1)
    if len(data) > MAX_REPORT_BYTES:
        return None, f"the load client's report is larger than {MAX_REPORT_BYTES // (1024 * 1024)} MiB"
    try:
        return ClientReport.model_validate_json(data), ""
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return None, f"the load client's report does not fit its schema ({where}: {first.get('msg')})"

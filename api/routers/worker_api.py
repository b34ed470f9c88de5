"""Endpoints distributed workers call (mounted in distributed mode only).

Every call needs the worker token (``Authorization: Bearer <HARNESS_WORKER_TOKEN>``); input
downloads also need the short-lived signed link the claim handed out, and every call about a
running job carries its claim token. The work is in :mod:`harness.jobs.remote`.
"""

from __future__ import annotations

import hmac
import os
import time
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from api.deps import DispatcherDep, Id, SettingsDep
from harness.errors import HarnessError
from harness.jobs.links import FileKind, verify
from harness.jobs.remote import RemoteJobs
from harness.jobs.schemas import (
    ClaimRequest,
    FailIn,
    Heartbeat,
    Hello,
    JobDone,
    JobTicket,
    ResultIn,
)

__all__ = ["router"]


class WorkerRefused(HarnessError):
    status_code = 401


class NotClaimable(HarnessError):
    status_code = 409


class OutputTooLarge(HarnessError):
    status_code = 413


def worker_credential(request: Request, settings: SettingsDep) -> None:
    """Refuse callers without the worker token (compared in constant time)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    expected = settings.worker_token or ""
    if (
        not expected
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(value.strip().encode(), expected.encode())
    ):
        raise WorkerRefused(
            "this endpoint is for grading workers: send 'Authorization: Bearer <HARNESS_WORKER_TOKEN>'"
        )


def get_remote(request: Request) -> RemoteJobs:
    remote: RemoteJobs = request.app.state.remote_jobs
    return remote


RemoteDep = Annotated[RemoteJobs, Depends(get_remote)]
ClaimToken = Annotated[str, Header(alias="X-Claim-Token", min_length=8, max_length=64)]

router = APIRouter(
    prefix="/api/worker", tags=["workers"], dependencies=[Depends(worker_credential)]
)


@router.get("/hello", response_model=Hello)
def hello(remote: RemoteDep) -> Hello:
    """Check the token and learn the API's version and job timings (a worker calls it at start)."""
    return remote.hello()


@router.post("/jobs/{submission_id}/claim", response_model=JobTicket)
def claim(submission_id: Id, body: ClaimRequest, remote: RemoteDep) -> JobTicket:
    """Claim a queued submission. 409 when it is not waiting for a worker."""
    ticket = remote.claim(submission_id, body.worker)
    if ticket is None:
        raise NotClaimable(
            f"submission {submission_id} is not waiting for a worker (claimed, finished or "
            "backing off)"
        )
    return ticket


@router.get("/files/{kind}/{submission_id}")
def input_file(
    kind: FileKind,
    submission_id: Id,
    settings: SettingsDep,
    remote: RemoteDep,
    attempt: Annotated[int, Query(ge=1, le=1_000_000)],
    expires: Annotated[int, Query(ge=0, le=2**40)],
    sig: Annotated[str, Query(min_length=64, max_length=64)],
) -> FileResponse:
    """An input of a claimed job, through the signed link the claim handed out."""
    verify(settings.secret_key, kind, submission_id, attempt, expires, sig, now=time.time())
    path = remote.input_file(kind, submission_id, attempt)
    return FileResponse(path, media_type="application/octet-stream", filename=f"{kind.value}")


@router.post("/jobs/{submission_id}/heartbeat", status_code=204)
def heartbeat(submission_id: Id, body: Heartbeat, remote: RemoteDep) -> Response:
    """Keep the claim alive and record live progress. 409 once the claim has ended."""
    remote.heartbeat(submission_id, body)
    return Response(status_code=204)


@router.put("/jobs/{submission_id}/outputs/{stage}/{name}", status_code=204)
async def upload_output(
    request: Request,
    submission_id: Id,
    stage: Annotated[str, Path(max_length=16)],
    name: Annotated[str, Path(max_length=64)],
    claim_token: ClaimToken,
    remote: RemoteDep,
) -> Response:
    """Upload one output file of a stage (raw body), before posting the result."""
    target, cap = await run_in_threadpool(
        remote.output_target, submission_id, claim_token, stage, name
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise OutputTooLarge(f"{name} is larger than the {cap} bytes the API accepts")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    size = 0
    try:
        with partial.open("wb") as fh:
            async for chunk in request.stream():
                size += len(chunk)
                if size > cap:
                    raise OutputTooLarge(f"{name} is larger than the {cap} bytes the API accepts")
                fh.write(chunk)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Response(status_code=204)


@router.post("/jobs/{submission_id}/result", response_model=JobDone)
def result(
    submission_id: Id,
    body: ResultIn,
    remote: RemoteDep,
    dispatcher: DispatcherDep,
    background: BackgroundTasks,
) -> JobDone:
    """Finish the job: the API scores against the held-out labels, grades and stores the report."""
    outcome = remote.complete(submission_id, body)
    background.add_task(dispatcher.enqueue, 0)  # a slot is free: hand out the next job now
    return JobDone(outcome=outcome.value)


@router.post("/jobs/{submission_id}/fail", response_model=JobDone)
def fail(
    submission_id: Id,
    body: FailIn,
    remote: RemoteDep,
    dispatcher: DispatcherDep,
    background: BackgroundTasks,
) -> JobDone:
    """Give a job back: retried after a back-off (infrastructure) or counted as an attempt."""
    outcome = remote.fail(submission_id, body)
    background.add_task(dispatcher.enqueue, 0)
    return JobDone(outcome=outcome.value)

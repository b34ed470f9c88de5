"""Grading workers as reviewers see them: ``GET /api/workers`` and the ``/workers`` page.

In embedded mode the list is this process's pool; in distributed mode it is every worker whose
heartbeat is fresh in Redis, with its capacity, the jobs it holds and whether Docker answers.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ApiReviewer, DispatcherDep, PageReviewer, SettingsDep
from api.openapi import errors
from api.templating import render, templates
from harness.jobs.dispatch import Dispatcher, workers_of
from harness.jobs.schemas import WorkerInfo

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(tags=["workers"])


def _listed(dispatcher: Dispatcher) -> tuple[list[WorkerInfo], str]:
    try:
        return workers_of(dispatcher), ""
    except Exception as exc:  # Redis away: say so instead of failing the page
        log.warning("could not list workers: %s", exc)
        return [], f"worker heartbeats are unavailable: {type(exc).__name__}"


class WorkerSummary(NamedTuple):
    """The dashboard's tile: grading capacity at a glance."""

    workers: int
    slots: int
    busy: int
    problem: str


def worker_summary(request: Request) -> WorkerSummary:
    workers, problem = _listed(request.app.state.dispatcher)
    return WorkerSummary(
        len(workers), sum(w.slots for w in workers if w.healthy), sum(w.busy for w in workers), problem
    )


# Pages call it as ``worker_summary(request)`` (the dashboard's capacity tile).
templates.env.globals["worker_summary"] = worker_summary


@router.get(
    "/api/workers", response_model=list[WorkerInfo], responses=errors(400, 401, 403, 503)
)
def list_workers(_: ApiReviewer, dispatcher: DispatcherDep) -> list[WorkerInfo]:
    """Grading workers: capacity (slots), jobs held, health (Docker answering), last heartbeat."""
    workers, problem = _listed(dispatcher)
    if problem:
        from harness.errors import InfrastructureError

        raise InfrastructureError(problem)
    return workers


@router.get("/workers", include_in_schema=False)
def workers_page(
    request: Request, _: PageReviewer, dispatcher: DispatcherDep, settings: SettingsDep
) -> Response:
    workers, problem = _listed(dispatcher)
    return render(
        request,
        "workers.html",
        {
            "workers": workers,
            "problem": problem,
            "mode": settings.mode.value,
            "slots": sum(w.slots for w in workers if w.healthy),
            "busy": sum(w.busy for w in workers),
        },
    )

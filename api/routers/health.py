"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from api.deps import DatabaseDep, SettingsDep
from api.openapi import errors

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    """``ok`` when the database answers."""
    mode: str
    workers: int
    """Grading slots in this process."""


@router.get("/healthz", response_model=Health, responses=errors(503))
def healthz(request: Request, db: DatabaseDep, settings: SettingsDep) -> Health:
    db.ping()
    return Health(
        status="ok", mode=settings.mode.value, workers=getattr(request.app.state, "worker_slots", 0)
    )

"""Greenhouse's Assessment Partner API, served by the harness (``harness.ats``).

Greenhouse is given these URLs: ``{public URL}/api/ats/greenhouse/list_tests``, ``send_test``,
``test_status`` and ``response_error``. It authenticates with HTTP Basic, the integration's key
as the user name (``harness ats key create``, or the admin's integrations page).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from api.deps import AfterCommitDep, ClockDep, DatabaseDep, LinksDep, SessionDep, SettingsDep
from api.openapi import errors
from harness.ats import service
from harness.ats.adapter import AtsRequestInvalid
from harness.ats.integrations import AtsUnauthorized, authenticate, note_use
from harness.ats.keys import parse_basic
from harness.ats.models import AtsIntegration

router = APIRouter(
    prefix="/api/ats/greenhouse", tags=["ats"], responses=errors(400, 401, 403, 404, 409, 422)
)

_MAX_BODY = 64 * 1024


def greenhouse_caller(
    request: Request, session: SessionDep, db: DatabaseDep, clock: ClockDep
) -> AtsIntegration:
    """The Greenhouse integration whose key the request carries (HTTP Basic)."""
    try:
        integration = authenticate(
            session, "greenhouse", parse_basic(request.headers.get("authorization"))
        )
    except AtsUnauthorized as exc:
        raise HTTPException(
            401, exc.message, headers={"WWW-Authenticate": 'Basic realm="harness"'}
        ) from None
    note_use(db, session, integration, clock.now(), writing=request.method == "POST")
    return integration


Caller = Annotated[AtsIntegration, Depends(greenhouse_caller)]


async def _json(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > _MAX_BODY:
        raise AtsRequestInvalid(f"the body is larger than {_MAX_BODY // 1024} KiB")
    try:
        return json.loads(raw or b"null")
    except ValueError:
        raise AtsRequestInvalid("the body must be JSON") from None


@router.get("/list_tests", summary="Greenhouse: the tests on offer")
def list_tests(settings: SettingsDep, caller: Caller) -> Response:
    return JSONResponse(service.list_tests(settings, caller))


@router.post("/send_test", summary="Greenhouse: send a test to a candidate")
async def send_test(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    links: LinksDep,
    after: AfterCommitDep,
    caller: Caller,
) -> Response:
    sent = service.send_test(
        session, settings, caller, await _json(request), now=clock.now(), link_for=links.candidate
    )
    after.send(sent.notice)
    return JSONResponse(sent.body, status_code=200)


@router.get("/test_status", summary="Greenhouse: a test's status")
def test_status(
    session: SessionDep,
    settings: SettingsDep,
    caller: Caller,
    partner_interview_id: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    return JSONResponse(service.status_answer(session, settings, caller, partner_interview_id))


@router.post("/response_error", summary="Greenhouse: one of our answers did not validate")
async def response_error(
    request: Request, session: SessionDep, clock: ClockDep, caller: Caller
) -> Response:
    service.record_error_report(session, caller, await _json(request), now=clock.now())
    return JSONResponse({"status": 200})

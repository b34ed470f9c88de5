"""Admin pages of ATS integrations: create a key (shown once), revoke it, watch callbacks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import AdminReviewer, ClockDep, CsrfChecked, Id, SessionDep, SettingsDep
from api.templating import render
from harness.ats import integrations

router = APIRouter(prefix="/admin/integrations", tags=["pages"], include_in_schema=False)


@router.get("")
def integrations_page(request: Request, session: SessionDep, _: AdminReviewer) -> Response:
    page = integrations.integrations_page(session)
    return render(request, "admin/integrations.html", {"page": page, "created": None})


@router.post("", dependencies=[CsrfChecked])
def create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    reviewer: AdminReviewer,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    provider: Annotated[str, Form(max_length=32)] = "greenhouse",
) -> Response:
    created = integrations.create_integration(
        session, settings, provider=provider, name=name, actor=reviewer, now=clock.now()
    )
    base = str(request.base_url).rstrip("/")
    return render(
        request,
        "admin/integration_created.html",
        {"created": created, "base": f"{base}/api/ats/{created.integration.provider}"},
    )


@router.post("/{integration_id}/revoke", dependencies=[CsrfChecked])
def revoke(
    session: SessionDep, clock: ClockDep, reviewer: AdminReviewer, integration_id: Id
) -> Response:
    integrations.revoke_integration(session, integration_id, actor=reviewer, now=clock.now())
    return RedirectResponse("/admin/integrations", status_code=303)

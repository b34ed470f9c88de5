"""The candidate's feedback page and the one-minute survey (``harness.feedback``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import CandidateInvitation, ClockDep, DatabaseDep, SessionDep, SettingsDep, Token_
from api.security import csrf_valid
from api.templating import render
from harness.errors import HarnessError
from harness.feedback import survey
from harness.feedback.service import candidate_feedback

router = APIRouter(prefix="/c/{token}", tags=["pages"], include_in_schema=False)


@router.get("/feedback")
def feedback_page(
    request: Request,
    invitation: CandidateInvitation,
    session: SessionDep,
    settings: SettingsDep,
    token: Token_,
) -> Response:
    page = candidate_feedback(session, settings, invitation)
    return render(request, "candidate/feedback.html", {"token": token, "page": page})


@router.get("/survey")
def survey_page(
    request: Request, invitation: CandidateInvitation, session: SessionDep, token: Token_
) -> Response:
    state = survey.survey_state(session, invitation)
    return render(
        request,
        "candidate/survey.html",
        {"token": token, "state": state, "saved": request.query_params.get("saved") == "1"},
    )


@router.post("/survey")
async def answer_survey(
    request: Request, token: Token_, db: DatabaseDep, clock: ClockDep
) -> Response:
    """The survey form: answers are checked, saved, then back to the page (Post/Redirect/Get);
    a refused answer shows the form again with the reason and what was typed."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not csrf_valid(request, fields.get("csrf_token")):
        return _survey_error(
            request, db, token, fields, 403, "the page expired; reload it and send again"
        )
    try:
        survey.answer_for_link(db, token, fields, clock.now())
    except HarnessError as exc:
        if exc.status_code == 404:
            raise
        return _survey_error(request, db, token, fields, exc.status_code, exc.message)
    return RedirectResponse(f"/c/{token}/survey?saved=1", status_code=303)


def _survey_error(
    request: Request, db: DatabaseDep, token: str, fields: dict[str, str], status: int, message: str
) -> Response:
    state = survey.state_for_link(db, token)
    return render(
        request,
        "candidate/survey.html",
        {"token": token, "state": state, "error": message, "typed": fields, "saved": False},
        status_code=status,
    )

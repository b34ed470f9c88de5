"""Reviewer pages of candidate feedback: the comments shared with a candidate and a preview of
their page; the survey summary per assignment (page and API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import ApiReviewer, CsrfChecked, Id, PageReviewer, SessionDep, SettingsDep
from api.openapi import errors
from api.templating import render
from harness.feedback import service
from harness.feedback.scorecards import share_scorecard_comment
from harness.feedback.survey import SurveySummary, survey_summaries

router = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api", tags=["surveys"], responses=errors(400, 401, 403, 422))


@router.get("/submissions/{submission_id}/candidate-feedback")
def review(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    submission_id: Id,
) -> Response:
    page = service.feedback_review(session, settings, submission_id, reviewer)
    return render(request, "feedback_review.html", {"r": page})


@router.post("/submissions/{submission_id}/candidate-comments", dependencies=[CsrfChecked])
def add_comment(
    session: SessionDep,
    reviewer: PageReviewer,
    submission_id: Id,
    body: Annotated[str, Form(max_length=5_000)],
) -> Response:
    service.add_comment(session, submission_id, reviewer, body)
    return RedirectResponse(f"/submissions/{submission_id}/candidate-feedback", status_code=303)


@router.post(
    "/submissions/{submission_id}/candidate-comments/{comment_id}/withdraw",
    dependencies=[CsrfChecked],
)
def withdraw(
    session: SessionDep, reviewer: PageReviewer, submission_id: Id, comment_id: Id
) -> Response:
    service.withdraw_comment(session, submission_id, comment_id, reviewer)
    return RedirectResponse(f"/submissions/{submission_id}/candidate-feedback", status_code=303)


@router.post(
    "/submissions/{submission_id}/scorecards/{scorecard_id}/share", dependencies=[CsrfChecked]
)
def share_scorecard(
    session: SessionDep, reviewer: PageReviewer, submission_id: Id, scorecard_id: Id
) -> Response:
    share_scorecard_comment(session, submission_id, scorecard_id, reviewer)
    return RedirectResponse(f"/submissions/{submission_id}/candidate-feedback", status_code=303)


@router.get("/surveys")
def surveys(
    request: Request, session: SessionDep, settings: SettingsDep, _: PageReviewer
) -> Response:
    return render(request, "surveys.html", {"rows": survey_summaries(session, settings)})


@api.get("/surveys", summary="Candidate survey answers, summarised per assignment")
def surveys_api(session: SessionDep, settings: SettingsDep, _: ApiReviewer) -> list[SurveySummary]:
    return survey_summaries(session, settings)

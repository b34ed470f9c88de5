"""Human review pages: the review queue, the decision page (scorecard form while blind, every
scorecard and the combined recommendation after), reconciliation, conflicts, feedback on
findings, and the calibration page for admins."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import (
    AdminReviewer,
    AfterCommitDep,
    ClockDep,
    CsrfChecked,
    DatabaseDep,
    Id,
    PageReviewer,
    SessionDep,
    SettingsDep,
)
from api.review_plots import gap_heatmap, reviewer_offsets
from api.templating import render
from harness.review import calibration, decisions, feedback, queue
from harness.review import service as review

router = APIRouter(tags=["pages"], include_in_schema=False)

Text = Annotated[str, Form(max_length=10_000)]


def _back(submission_id: int, anchor: str = "") -> Response:
    return RedirectResponse(f"/submissions/{submission_id}/review{anchor}", status_code=303)


@router.get("/review")
def queue_page(request: Request, session: SessionDep, reviewer: PageReviewer) -> Response:
    return render(
        request,
        "review_queue.html",
        {
            "q": queue.review_queue(session, reviewer),
            "conflicts": review.my_conflicts(session, reviewer),
        },
    )


@router.post("/review/conflicts", dependencies=[CsrfChecked])
def declare_conflict(
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    email: Annotated[str, Form(max_length=320)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    review.declare_conflict(
        session, settings, reviewer, email=email, reason=reason, now=clock.now()
    )
    return RedirectResponse("/review#conflicts", status_code=303)


@router.get("/submissions/{submission_id}/review")
def decision_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    submission_id: Id,
) -> Response:
    page = decisions.review_page(session, settings, submission_id, reviewer)
    return render(request, "review.html", {"p": page, "r": page.out, "sub": page.sub})


@router.post("/submissions/{submission_id}/review/start", dependencies=[CsrfChecked])
def start_review(
    session: SessionDep,
    settings: SettingsDep,
    admin: AdminReviewer,
    clock: ClockDep,
    submission_id: Id,
) -> Response:
    review.start_review(session, settings, submission_id, admin, now=clock.now())
    return _back(submission_id)


@router.post("/submissions/{submission_id}/scorecards/claim", dependencies=[CsrfChecked])
def claim(
    session: SessionDep, reviewer: PageReviewer, clock: ClockDep, submission_id: Id
) -> Response:
    review.claim_seat(session, submission_id, reviewer, now=clock.now())
    return _back(submission_id, "#scorecard")


@router.post("/submissions/{submission_id}/scorecard", dependencies=[CsrfChecked])
async def submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    after: AfterCommitDep,
    submission_id: Id,
) -> Response:
    """The scorecard form: ``rating_<criterion key>`` per criterion, ``recommendation``,
    ``comments``."""
    form = await request.form()
    ratings = {
        key.removeprefix("rating_"): str(value)[:4]
        for key, value in form.multi_items()
        if key.startswith("rating_") and isinstance(value, str)
    }
    done = review.submit_scorecard(
        session,
        settings,
        submission_id,
        reviewer,
        ratings=ratings,
        recommendation=str(form.get("recommendation") or "")[:10],
        comments=str(form.get("comments") or ""),
        now=clock.now(),
    )
    if done.event is not None:
        after.webhook(done.event.event, done.event.data)
    after.refresh_calibration(done.assignment)
    return _back(submission_id, "#scorecards")


@router.post("/submissions/{submission_id}/conflict", dependencies=[CsrfChecked])
def seat_conflict(
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    submission_id: Id,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    review.declare_seat_conflict(
        session, settings, submission_id, reviewer, reason=reason, now=clock.now()
    )
    return RedirectResponse("/review", status_code=303)


@router.post("/submissions/{submission_id}/reconciliation", dependencies=[CsrfChecked])
def reconcile(
    session: SessionDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    submission_id: Id,
    note: Text,
    recommendation: Annotated[Literal["", "advance", "hold", "reject"], Form()] = "",
) -> Response:
    review.record_discussion(
        session,
        submission_id,
        reviewer,
        note=note,
        recommendation=recommendation or None,
        now=clock.now(),
    )
    return _back(submission_id, "#reconciliation")


@router.post("/submissions/{submission_id}/findings/feedback", dependencies=[CsrfChecked])
def mark_finding(
    session: SessionDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    submission_id: Id,
    grader: Annotated[str, Form(max_length=64)],
    index: Annotated[int, Form(ge=0, le=100_000)],
    verdict: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    feedback.mark_finding(
        session,
        submission_id,
        reviewer,
        grader=grader,
        index=index,
        verdict=verdict,
        reason=reason,
        now=clock.now(),
    )
    return RedirectResponse(f"/submissions/{submission_id}#g-{grader}", status_code=303)


@router.get("/calibration")
def calibration_page(
    request: Request,
    session: SessionDep,
    db: DatabaseDep,
    settings: SettingsDep,
    _: AdminReviewer,
    assignment: Annotated[str, Query(max_length=64)] = "",
    version: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    page = calibration.calibration_page(session, settings, assignment, version or None, db=db)
    figures = page.figures
    return render(
        request,
        "calibration.html",
        {
            "assignments": page.assignments,
            "chosen": page.chosen,
            "c": figures.out if figures else None,
            "computed_at": figures.computed_at if figures else None,
            "updating": page.updating,
            "offsets_plot": reviewer_offsets(figures.out.reviewers) if figures else None,
            "gap_plot": gap_heatmap(figures.gap_counts) if figures else None,
        },
    )

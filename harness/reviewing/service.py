"""What reviewers read across domains, for the API and the pages: one function per read.

Each gathers rows from the domain services below it (invitations, time boxes, payments,
submissions, process speed) and returns an API shape or a small read model for a page. The
names of candidates go through ``harness.invitations.service`` (anonymous review); payroll
names through ``harness.payments.service.candidate_for_payroll``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.assignments.loader import load_assignment
from harness.assignments.spec import Policy
from harness.db.engine import Database
from harness.errors import NotFound
from harness.integrity.review import SimilarityView, similarity_of
from harness.invitations import terms as promised
from harness.invitations.models import Decision, Invitation
from harness.invitations.repository import InvitationRepository
from harness.invitations.schemas import InvitationCreate
from harness.invitations.service import (
    candidate_email,
    candidate_label,
    get_invitation,
    identity_hidden,
    invite,
    reissue_link,
)
from harness.ledger.pay import hours_worked
from harness.ledger.process import Step
from harness.notify.messages import Notification
from harness.payments import service as payments
from harness.payments.models import PaymentRecord
from harness.payments.schemas import PaymentOut
from harness.process_speed import service as process_speed
from harness.process_speed.schemas import ProcessOut, TimelineOut
from harness.reports.store import read_artifact
from harness.review.decisions import decision_blocked
from harness.review.visibility import has_open_seat
from harness.reviewing.schemas import (
    DashboardWithProcess,
    HoursOut,
    InvitationCreated,
    InvitationDetail,
    InvitationOut,
    LedgerOut,
    NewLink,
    SubmissionWithLedger,
)
from harness.reviewing.similarity import blind_similarity
from harness.settings import Settings
from harness.submissions import service as submissions
from harness.submissions.models import ReportRecord, Submission
from harness.submissions.repository import SubmissionFilter, SubmissionRepository
from harness.submissions.schemas import SubmissionDetail, SubmissionSummary
from harness.timeboxes import service as timeboxes
from harness.timeboxes.models import TimeExtension
from harness.timeboxes.schemas import TimeBoxOut

__all__ = [
    "DashboardPage",
    "InvitationPage",
    "SubmissionRead",
    "blind_detail",
    "create_invitation",
    "dashboard",
    "dashboard_page",
    "invitation_detail",
    "invitation_out",
    "invitation_page",
    "invitations",
    "ledger_of",
    "new_link",
    "notebook_html",
    "open_report",
    "read_submission",
    "submission_with_ledger",
]


def _invitation_out(
    invitation: Invitation,
    now: datetime,
    *,
    versions: int,
    payment_status: str | None,
    latest: Decision | None,
) -> InvitationOut:
    decided = latest is not None
    return InvitationOut(
        id=invitation.id,
        assignment=invitation.assignment_name,
        assignment_version=invitation.assignment_version,
        candidate=candidate_label(invitation, decided=decided),
        email=candidate_email(invitation, decided=decided),
        created_at=invitation.created_at,
        revoked=invitation.revoked_at is not None,
        submissions=versions,
        decision=latest.outcome if latest is not None else None,
        timebox=timeboxes.timebox_out(invitation, now),
        payment_status=payment_status,
    )


def invitation_out(
    session: Session,
    invitation: Invitation,
    now: datetime,
    *,
    versions: int | None = None,
    payment_status: str | None = None,
) -> InvitationOut:
    """One invitation as reviewers list it, with its clock and payment status. ``versions``
    and ``payment_status`` are looked up unless the caller has them."""
    if versions is None:
        versions = len(submissions.versions_of(session, invitation.id))
        row = payments.payment_for_invitation(session, invitation.id)
        payment_status = row.status if row else None
    decisions = invitation.decisions
    return _invitation_out(
        invitation,
        now,
        versions=versions,
        payment_status=payment_status,
        latest=decisions[-1] if decisions else None,
    )


def invitations(
    session: Session,
    now: datetime,
    *,
    assignment: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[InvitationOut]:
    """The latest invitations, newest first, with their clocks and payment statuses (counts,
    statuses and latest decisions loaded in one query each, not per row)."""
    rows = InvitationRepository(session).list(assignment=assignment, limit=limit, offset=offset)
    ids = [inv.id for inv in rows]
    repo = SubmissionRepository(session)
    counts = repo.version_counts(ids)
    latest = repo.decisions_for(ids)
    statuses = payments.statuses_of(session, ids)
    return [
        _invitation_out(
            inv,
            now,
            versions=counts.get(inv.id, 0),
            payment_status=statuses.get(inv.id),
            latest=latest.get(inv.id),
        )
        for inv in rows
    ]


def create_invitation(
    session: Session,
    settings: Settings,
    body: InvitationCreate,
    *,
    actor: Reviewer,
    now: datetime,
    link_for: Callable[[str], str],
    may_set_pay: bool = True,
) -> tuple[InvitationCreated, Notification | None]:
    """Invite one candidate to ``body.assignment`` (``invitations.service.invite``) and answer
    with the invitation as reviewers see it, its link (shown once), and the e-mail to send after
    the commit (``None`` when ``body.notify`` is off)."""
    invited = invite(
        session,
        load_assignment(body.assignment, settings).spec,
        name=body.name,
        email=body.email,
        actor=actor,
        link_for=link_for,
        anonymous_review=body.anonymous_review,
        terms=body.terms(),
        now=now,
        may_set_pay=may_set_pay,
    )
    session.flush()
    session.refresh(invited.invitation)
    out = invitation_out(session, invited.invitation, now)
    created = InvitationCreated(**out.model_dump(), link=invited.link, token=invited.token)
    return created, invited.notice if body.notify else None


def new_link(
    session: Session, invitation_id: int, *, actor: Reviewer, link_for: Callable[[str], str]
) -> NewLink:
    """A new link for an invitation (the old one stops working), named as reviewers see it."""
    invitation, link = reissue_link(session, invitation_id, actor=actor, link_for=link_for)
    return NewLink(id=invitation.id, candidate=candidate_label(invitation), link=link)


def invitation_detail(
    session: Session, invitation_id: int, now: datetime, *, target_days: int, show_identity: bool
) -> InvitationDetail:
    """One invitation with its time box, extensions, payment and timeline."""
    invitation = get_invitation(session, invitation_id)
    versions = submissions.versions_of(session, invitation.id)
    row = payments.payment_for_invitation(session, invitation.id)
    base = invitation_out(
        session,
        invitation,
        now,
        versions=len(versions),
        payment_status=row.status if row else None,
    )
    timeline = process_speed.timeline_of(session, invitation.id)
    return InvitationDetail(
        **base.model_dump(),
        extensions=[
            timeboxes.extension_out(e) for e in timeboxes.extensions_of(session, invitation.id)
        ],
        payment=payments.payment_out(row, show_identity=show_identity) if row else None,
        timeline=process_speed.timeline_out(timeline, now, target_days=target_days),
        submission_ids=[s.id for s in versions],
    )


@dataclass(frozen=True)
class InvitationPage:
    """What the invitation page shows."""

    invitation: Invitation
    view: InvitationOut
    label: str
    hidden: bool
    """Anonymous review still hides the candidate's name and email."""
    box: TimeBoxOut | None
    extensions: list[TimeExtension]
    payment: PaymentRecord | None
    payment_view: PaymentOut | None
    timeline: TimelineOut
    steps: list[tuple[Step, float]]
    """Completed steps of the process and their seconds, in process order."""
    versions: Sequence[Submission]


def invitation_page(
    session: Session, invitation_id: int, now: datetime, *, target_days: int, show_identity: bool
) -> InvitationPage:
    invitation = get_invitation(session, invitation_id)
    timeline = process_speed.timeline_of(session, invitation.id)
    payment = payments.payment_for_invitation(session, invitation.id)
    versions = submissions.versions_of(session, invitation.id)
    return InvitationPage(
        invitation=invitation,
        view=invitation_out(
            session,
            invitation,
            now,
            versions=len(versions),
            payment_status=payment.status if payment else None,
        ),
        label=candidate_label(invitation),
        hidden=identity_hidden(invitation),
        box=timeboxes.timebox_out(invitation, now),
        extensions=timeboxes.extensions_of(session, invitation.id),
        payment=payment,
        payment_view=payments.payment_out(payment, show_identity=show_identity)
        if payment
        else None,
        timeline=process_speed.timeline_out(timeline, now, target_days=target_days),
        steps=[(s, d.total_seconds()) for s, d in process_speed.durations(timeline)]
        if timeline
        else [],
        versions=versions,
    )


def ledger_of(
    session: Session,
    submission: Submission,
    now: datetime,
    *,
    target_days: int,
    show_identity: bool,
    versions: Sequence[Submission],
    policy: Policy | None = None,
) -> LedgerOut:
    """The time box, hours, extensions, payment and timeline of a submission's invitation.
    ``versions`` are the invitation's uploads, oldest first (the caller has them)."""
    invitation = submission.invitation
    measured = None
    if promised.is_timed(invitation) and invitation.started_at is not None:
        box = promised.terms_of(invitation, policy).time_box
        measured = hours_worked(invitation.started_at, submission.created_at, box)
    late_by = None
    if submission.late and invitation.deadline_at is not None:
        late_by = max(0, int((submission.created_at - invitation.deadline_at).total_seconds()))
    # A payment needs a started clock and an extension a grant: skip the queries otherwise.
    payment = (
        payments.payment_for_invitation(session, invitation.id) if invitation.started_at else None
    )
    extended = bool(invitation.extension_minutes or invitation.window_extension_minutes)
    extensions = timeboxes.extensions_of(session, invitation.id) if extended else []
    timeline = process_speed.timeline_of_loaded(session, invitation, versions)
    return LedgerOut(
        invitation_id=invitation.id,
        timebox=timeboxes.timebox_out(invitation, now, policy),
        late=submission.late,
        late_by_seconds=late_by,
        hours=HoursOut(
            measured=measured,
            billed=payment.hours if payment else None,
            reported=submission.reported_hours,
        ),
        extensions=[timeboxes.extension_out(e) for e in extensions],
        payment=payments.payment_out(payment, show_identity=show_identity) if payment else None,
        timeline=process_speed.timeline_out(timeline, now, target_days=target_days),
    )


def blind_detail(
    session: Session, detail: SubmissionDetail, viewer: Reviewer | None
) -> SubmissionDetail:
    """Blind review: a reviewer whose scorecard on this submission is still open sees neither
    the decision nor other reviewers' notes (``harness.review.visibility``)."""
    if viewer is None or not has_open_seat(session, detail.id, viewer.id):
        return detail
    return detail.model_copy(
        update={
            "decision": None,
            "decisions": [],
            "notes": [n for n in detail.notes if n.author == viewer.email],
        }
    )


def submission_with_ledger(
    session: Session,
    submission_id: int,
    now: datetime,
    *,
    target_days: int,
    show_identity: bool,
    viewer: Reviewer | None = None,
) -> SubmissionWithLedger:
    """One submission with its current report, history, notes, decisions and ledger (as
    ``viewer`` may see it: ``blind_detail``)."""
    sub = submissions.get_submission(session, submission_id)
    repo = SubmissionRepository(session)
    versions = submissions.versions_of(session, sub.invitation_id)
    detail = submissions.detail(
        session, sub, repo.current_report(sub.id), repo.report_history(sub.id), versions=versions
    )
    detail = blind_detail(session, detail, viewer)
    ledger = ledger_of(
        session,
        sub,
        now,
        target_days=target_days,
        show_identity=show_identity,
        versions=versions,
    )
    return SubmissionWithLedger(**detail.model_dump(), ledger=ledger)


@dataclass
class SubmissionRead:
    """What the report page (and each side of the compare page) shows of one submission."""

    sub: Submission
    record: ReportRecord | None
    """The current report."""
    history: Sequence[ReportRecord]
    distribution: submissions.ScoreDistribution
    """The assignment's scores, for the context plot."""
    detail: SubmissionDetail
    hidden: bool
    """Anonymous review still hides the candidate's name and email."""
    versions: Sequence[Submission]
    similarity: SimilarityView
    """Code-similarity matches either way (evidence for the reviewer)."""
    ledger: LedgerOut | None = None
    decision_blocked: str | None = None
    """Why a decision cannot be recorded yet (the human review is not complete)."""


def read_submission(session: Session, submission_id: int) -> SubmissionRead:
    sub = submissions.get_submission(session, submission_id)
    repo = SubmissionRepository(session)
    history = repo.report_history(sub.id)
    versions = submissions.versions_of(session, sub.invitation_id)
    return SubmissionRead(
        sub=sub,
        record=repo.current_report(sub.id),
        history=history,
        distribution=submissions.score_distribution(session, sub.assignment_name),
        detail=submissions.detail(session, sub, None, history, versions=versions),
        hidden=identity_hidden(sub.invitation),
        versions=versions,
        similarity=similarity_of(session, sub.id),
    )


def open_report(
    db: Database,
    session: Session,
    submission_id: int,
    now: datetime,
    *,
    target_days: int,
    show_identity: bool,
    viewer: Reviewer | None = None,
    settings: Settings | None = None,
) -> SubmissionRead:
    """A reviewer opens a report: the submission with its ledger. The first opening of any of
    a candidate's reports is the ``first reviewed`` milestone (written in its own transaction).
    ``viewer`` gets blind review (``blind_detail``)."""
    read = read_submission(session, submission_id)
    read.detail = blind_detail(session, read.detail, viewer)
    read.similarity = blind_similarity(session, submission_id, read.similarity, viewer)
    if settings is not None:
        read.decision_blocked = decision_blocked(session, settings, read.sub)
    process_speed.note_first_review(db, read.sub.invitation, now)
    read.ledger = ledger_of(
        session,
        read.sub,
        now,
        target_days=target_days,
        show_identity=show_identity,
        versions=read.versions,
    )
    return read


def notebook_html(session: Session, settings: Settings, submission_id: int, name: str) -> str:
    """A rendered notebook (or another HTML artifact) of the submission's current report, as
    stored by its grader; the page shows it sanitised, in a sandbox."""
    record = SubmissionRepository(session).current_report(submission_id)
    key = record.artifacts.get(name) if record else None
    html = read_artifact(settings.artifacts_dir, key) if key else None
    if html is None:
        raise NotFound("this submission has no such notebook")
    return html


def dashboard(session: Session, now: datetime, *, target_days: int) -> DashboardWithProcess:
    """The dashboard's numbers and the team's process speed."""
    numbers = submissions.dashboard(session)
    process = process_speed.process_out(session, now, target_days=target_days)
    return DashboardWithProcess(**numbers.__dict__, process=process)


@dataclass(frozen=True)
class DashboardPage:
    numbers: submissions.Dashboard
    recent: list[SubmissionSummary]
    """The ten newest submissions."""
    queue: list[SubmissionSummary]
    """Running, then queued (oldest first), ten of each at most."""
    process: ProcessOut


def dashboard_page(session: Session, now: datetime, *, target_days: int) -> DashboardPage:
    repo = SubmissionRepository(session)
    recent, _count = repo.search(SubmissionFilter(limit=10))
    decisions = repo.decisions_for([s.invitation_id for s in recent])
    queue, _count = repo.search(SubmissionFilter(status="queued", limit=10, descending=False))
    running, _count = repo.search(SubmissionFilter(status="running", limit=10))
    waiting = [*running, *queue]
    # One rule for every list: anonymous review ends with the invitation's first decision, so
    # the queue needs the decisions too (a regrade after a decision shows the name).
    decisions.update(repo.decisions_for([s.invitation_id for s in waiting]))
    return DashboardPage(
        numbers=submissions.dashboard(session),
        recent=[submissions.summary(s, decisions.get(s.invitation_id)) for s in recent],
        queue=[submissions.summary(s, decisions.get(s.invitation_id)) for s in waiting],
        process=process_speed.process_out(session, now, target_days=target_days),
    )


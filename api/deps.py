"""Dependencies every router shares: settings, the database session, who is asking, the clock,
the notifier, the links handed to candidates, and the work that waits for the commit.

Reviewer routes authenticate by ``Authorization: Bearer <token>`` or the session cookie; a
cookie-authenticated request that changes something must also carry the CSRF token (form field
``csrf_token`` or header ``X-CSRF-Token``). Candidate routes authenticate by the token in the
link only, never by a cookie.

``create_app(settings, clock=..., notifier=...)`` puts the clock and the notifier on the app's
state; routes read them through ``ClockDep`` and ``NotifierDep`` so tests can move time.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Path, Request
from sqlalchemy.orm import Session

from api.errors import LoginRequired
from api.security import csrf_valid
from harness.accounts import sessions
from harness.accounts.models import Reviewer, Role
from harness.accounts.service import reviewer_for_token, token_needs_touch, touch_token
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.invitations.models import Invitation
from harness.invitations.service import invitation_for_token
from harness.jobs.dispatch import Dispatcher
from harness.jobs.webhook import deliver_event
from harness.ledger.clock import Clock
from harness.notify.messages import Notification
from harness.notify.notifier import Notifier
from harness.notify.outbox import deliver
from harness.review import calibration
from harness.settings import Settings

__all__ = [
    "ANY_ROLE",
    "INVITING",
    "PAYING",
    "REVIEWING",
    "Account",
    "AdminReviewer",
    "AdminReviewerApart",
    "AfterCommit",
    "AfterCommitDep",
    "ApiReviewer",
    "CandidateInvitation",
    "ClockDep",
    "CsrfChecked",
    "DatabaseDep",
    "DispatcherDep",
    "Id",
    "Inviter",
    "Links",
    "LinksDep",
    "MaybeSignedIn",
    "NotifierDep",
    "PageReviewer",
    "Payroll",
    "SessionDep",
    "SettingsDep",
    "may_set_pay",
    "require",
    "session_policy",
    "shows_identity",
]

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_dispatcher(request: Request) -> Dispatcher:
    dispatcher: Dispatcher = request.app.state.dispatcher
    return dispatcher


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_notifier(request: Request) -> Notifier:
    notifier: Notifier = request.app.state.notifier
    return notifier


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
DispatcherDep = Annotated[Dispatcher, Depends(get_dispatcher)]
ClockDep = Annotated[Clock, Depends(get_clock)]
NotifierDep = Annotated[Notifier, Depends(get_notifier)]


@dataclass(frozen=True)
class Links:
    """The links handed to candidates, on ``HARNESS_PUBLIC_URL`` (never on the ``Host`` a
    request came in with: a forged header must not choose where a candidate is sent)."""

    base: str

    def candidate(self, token: str) -> str:
        """The candidate's own link: the task page, the clock, uploads."""
        return f"{self.base}/c/{token}"

    def status(self, token: str, submission_id: int) -> str:
        """The status page of one upload (the receipt links to it)."""
        return f"{self.base}/c/{token}/submissions/{submission_id}"


def get_links(settings: SettingsDep) -> Links:
    return Links(settings.public_url.rstrip("/"))


LinksDep = Annotated[Links, Depends(get_links)]


def _send(db: Database, notifier: Notifier, clock: Clock, notification: Notification) -> None:
    deliver(db, notifier, notification, clock.now())


@dataclass(frozen=True)
class AfterCommit:
    """Work that waits until the request's transaction has committed: the one way routes
    enqueue a submission and send a notification. Both run as background tasks, after the
    response, so a rolled-back change never reaches a worker or a mailbox."""

    background: BackgroundTasks
    dispatcher: Dispatcher
    db: Database
    notifier: Notifier
    clock: Clock
    settings: Settings | None = None

    def enqueue(self, submission_id: int) -> None:
        """Tell the workers that ``submission_id`` is queued."""
        self.background.add_task(self.dispatcher.enqueue, submission_id)

    def send(self, notification: Notification | None) -> None:
        """Send ``notification`` once (``None``: nothing to send)."""
        if notification is not None:
            self.background.add_task(_send, self.db, self.notifier, self.clock, notification)

    def refresh_calibration(self, assignment: str) -> None:
        """Recompute the assignment's calibration figures in the background (a scorecard
        landed), so the calibration page shows them without computing them on view."""
        if self.settings is not None:
            self.background.add_task(
                calibration.refresh_in_background, self.db, self.settings, assignment
            )

    def webhook(self, event: str | None, data: dict[str, Any] | None = None) -> None:
        """Send a webhook event (``harness.jobs.webhook.deliver_event``); ``None``: nothing."""
        if event is not None and self.settings is not None and self.settings.webhook_url:
            self.background.add_task(deliver_event, self.settings, event, data or {})


def get_after_commit(
    background: BackgroundTasks,
    dispatcher: DispatcherDep,
    db: DatabaseDep,
    notifier: NotifierDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> AfterCommit:
    return AfterCommit(background, dispatcher, db, notifier, clock, settings)


AfterCommitDep = Annotated[AfterCommit, Depends(get_after_commit)]


def get_session(request: Request, db: DatabaseDep) -> Iterator[Session]:
    """One session per request; the request boundary commits (before the response is sent)."""
    session = db.new_session(write=request.method in _UNSAFE)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class SignedIn:
    """What pages show of the signed-in account; a plain value, safe after the session closes
    (error pages are rendered after the request's database session has been rolled back)."""

    id: int
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value

    def can(self, *roles: Role) -> bool:
        """Whether the account holds one of ``roles`` (templates hide what it may not use)."""
        return self.role in {r.value for r in roles}


def _remember(request: Request, reviewer: Reviewer) -> None:
    request.state.reviewer = SignedIn(reviewer.id, reviewer.email, reviewer.role)


class Forbidden(HarnessError):
    status_code = 403


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def session_policy(request: Request) -> sessions.SessionPolicy:
    return sessions.policy_from_settings(request.app.state.settings)


def _cookie_reviewer(request: Request, session: Session) -> Reviewer | None:
    """The account of the request's server-side session, or ``None``. Touches the session (at
    most once a minute) and rotates it when the account's role changed since it was issued."""
    sid = request.session.get("sid")
    if not isinstance(sid, str):
        return None
    db: Database = request.app.state.db
    now = request.app.state.clock.now()
    policy = session_policy(request)
    found = sessions.resolve(session, sid, now, policy)
    if found is None:
        # Signed out, signed out everywhere, expired, idle, or the account was deactivated.
        request.session.clear()
        return None
    if found.needs_rotation:
        with db.session(write=True) as w:
            new_sid = sessions.rotate(w, sid, now, policy)
        if new_sid is None:
            request.session.clear()
            return None
        request.session["sid"] = new_sid
        request.session["csrf"] = secrets.token_urlsafe(32)
    elif found.needs_touch:
        with db.session(write=True) as w:
            sessions.touch(w, sid, now)
    return found.reviewer


async def _form_csrf(request: Request) -> str | None:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def csrf_checked(request: Request) -> None:
    """Refuse an unsafe request whose CSRF token does not match the session's."""
    if request.method in _UNSAFE and not csrf_valid(request, await _form_csrf(request)):
        raise Forbidden(
            "the form expired or did not come from this site; reload the page and try again"
        )


CsrfChecked = Depends(csrf_checked)


def _api_account(request: Request, session: Session, db: Database) -> Reviewer:
    """An account by bearer token, or by session cookie (with ``X-CSRF-Token`` when unsafe)."""
    token = _bearer(request)
    if token is not None:
        reviewer = reviewer_for_token(session, token)
        if reviewer is None:
            raise LoginRequired("the API token is not valid (revoked, mistyped or expired)")
        if token_needs_touch(session, token):
            if request.method in _UNSAFE:  # already a write transaction
                touch_token(session, token)
            else:  # a read: the one write gets its own short transaction
                with db.session(write=True) as w:
                    touch_token(w, token)
        return reviewer
    reviewer = _cookie_reviewer(request, session)
    if reviewer is None:
        raise LoginRequired("sign in, or send an API token as 'Authorization: Bearer <token>'")
    if request.method in _UNSAFE and not csrf_valid(request, request.headers.get("x-csrf-token")):
        raise Forbidden(
            "cookie-authenticated API calls that change data need the X-CSRF-Token header"
        )
    return reviewer


def _page_account(request: Request, session: Session) -> Reviewer:
    """A signed-in account (session cookie); browsers without one go to the login page."""
    reviewer = _cookie_reviewer(request, session)
    if reviewer is None:
        raise LoginRequired("sign in to see this page")
    return reviewer


_ROLE_WORDS = {
    Role.admin: "admins",
    Role.reviewer: "reviewers",
    Role.payroll: "payroll",
}


def require(*roles: Role) -> Callable[[Request, Session, Database], Reviewer]:
    """The dependency that lets in an account holding one of ``roles`` and refuses the rest
    with 403: by bearer token (or cookie with CSRF header) under ``/api/``, by session cookie
    on pages. Who may call what is stated once, with the aliases below."""
    allowed = frozenset(roles)
    who = " and ".join(_ROLE_WORDS[r] for r in Role if r in allowed)

    def dependency(request: Request, session: SessionDep, db: DatabaseDep) -> Reviewer:
        if request.url.path.startswith("/api/"):
            reviewer = _api_account(request, session, db)
        else:
            reviewer = _page_account(request, session)
        _remember(request, reviewer)
        if not reviewer.has_role(*allowed):
            raise Forbidden(f"only {who} can do this (you are signed in as {reviewer.role})")
        return reviewer

    return dependency


REVIEWING = (Role.reviewer, Role.admin)
"""Reports, notes, decisions, regrades, extensions, the dashboard, the workers."""
INVITING = (Role.reviewer, Role.payroll, Role.admin)
"""Invitations (pay terms beyond the assignment's defaults need ``PAYING`` too)."""
PAYING = (Role.payroll, Role.admin)
"""The payments ledger, and pay terms beyond an assignment's defaults."""
ANY_ROLE = tuple(Role)

ApiReviewer = Annotated[Reviewer, Depends(require(*REVIEWING))]
PageReviewer = Annotated[Reviewer, Depends(require(*REVIEWING))]
Inviter = Annotated[Reviewer, Depends(require(*INVITING))]
Payroll = Annotated[Reviewer, Depends(require(*PAYING))]
AdminReviewer = Annotated[Reviewer, Depends(require(Role.admin))]
Account = Annotated[Reviewer, Depends(require(*ANY_ROLE))]
"""Any signed-in account (its own settings, sign out everywhere)."""


def optional_account(request: Request, session: SessionDep) -> Reviewer | None:
    """The signed-in account if there is one (public pages show the navigation to it)."""
    reviewer = _cookie_reviewer(request, session)
    if reviewer is not None:
        _remember(request, reviewer)
    return reviewer


MaybeSignedIn = Annotated[Reviewer | None, Depends(optional_account)]


def shows_identity(reviewer: Reviewer) -> bool:
    """Admins and payroll pay candidates, so they see who to pay; reviewers keep anonymous
    review."""
    return reviewer.has_role(*PAYING)


def may_set_pay(reviewer: Reviewer) -> bool:
    """Pay terms beyond an assignment's defaults need the payroll or admin role."""
    return reviewer.has_role(*PAYING)


def admin_reviewer_apart(request: Request, db: DatabaseDep) -> Reviewer:
    """A signed-in admin (session cookie), checked in a short read transaction of its own: for
    pages whose service runs its own write transactions (erasing a candidate), which the
    request-long write lock of ``SessionDep`` would block."""
    with db.session() as session:
        reviewer = _page_account(request, session)
        _remember(request, reviewer)
    if not reviewer.has_role(Role.admin):
        raise Forbidden(f"only admins can do this (you are signed in as {reviewer.role})")
    return reviewer


AdminReviewerApart = Annotated[Reviewer, Depends(admin_reviewer_apart)]


MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id")]
"""Path ids are bounded: PostgreSQL integers stop at 2**31 - 1 and SQLite at 2**63 - 1."""

Token_ = Annotated[
    str, Path(min_length=1, max_length=128, description="The candidate link's token")
]


def candidate_invitation(session: SessionDep, token: Token_) -> Invitation:
    return invitation_for_token(session, token)


CandidateInvitation = Annotated[Invitation, Depends(candidate_invitation)]

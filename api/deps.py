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

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, Path, Request
from sqlalchemy.orm import Session

from api.errors import LoginRequired
from api.security import csrf_valid
from harness.accounts.models import Reviewer
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
from harness.settings import Settings

__all__ = [
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
    "Links",
    "LinksDep",
    "NotifierDep",
    "PageReviewer",
    "SessionDep",
    "SettingsDep",
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
    """The links handed to candidates, on the address this request came in on."""

    base: str

    def candidate(self, token: str) -> str:
        """The candidate's own link: the task page, the clock, uploads."""
        return f"{self.base}/c/{token}"

    def status(self, token: str, submission_id: int) -> str:
        """The status page of one upload (the receipt links to it)."""
        return f"{self.base}/c/{token}/submissions/{submission_id}"


def get_links(request: Request) -> Links:
    return Links(str(request.base_url).rstrip("/"))


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


def shows_identity(reviewer: Reviewer) -> bool:
    """Admins run payroll, so they see who to pay; reviewers keep anonymous review."""
    return reviewer.is_admin


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
    """What pages show of the signed-in reviewer; a plain value, safe after the session closes
    (error pages are rendered after the request's database session has been rolled back)."""

    id: int
    email: str
    is_admin: bool


def _remember(request: Request, reviewer: Reviewer) -> None:
    request.state.reviewer = SignedIn(reviewer.id, reviewer.email, reviewer.is_admin)


def session_marker(reviewer: Reviewer) -> str:
    """Ties a session to the password it was opened with, without putting the hash in the cookie."""
    return hashlib.sha256(reviewer.password_hash.encode()).hexdigest()[:16]


class Forbidden(HarnessError):
    status_code = 403


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _cookie_reviewer(request: Request, session: Session) -> Reviewer | None:
    rid = request.session.get("rid")
    if not isinstance(rid, int):
        return None
    reviewer = session.get(Reviewer, rid)
    if (
        reviewer is None
        or not reviewer.active
        or request.session.get("pw") != session_marker(reviewer)
    ):
        # A changed password (or a deactivated account) ends every session.
        request.session.clear()
        return None
    return reviewer


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


def api_reviewer(request: Request, session: SessionDep, db: DatabaseDep) -> Reviewer:
    """A reviewer by bearer token, or by session cookie (with ``X-CSRF-Token`` when unsafe)."""
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
    else:
        reviewer = _cookie_reviewer(request, session)
        if reviewer is None:
            raise LoginRequired("sign in, or send an API token as 'Authorization: Bearer <token>'")
        if request.method in _UNSAFE and not csrf_valid(
            request, request.headers.get("x-csrf-token")
        ):
            raise Forbidden(
                "cookie-authenticated API calls that change data need the X-CSRF-Token header"
            )
    _remember(request, reviewer)
    return reviewer


def page_reviewer(request: Request, session: SessionDep) -> Reviewer:
    """A signed-in reviewer (session cookie); browsers without one go to the login page."""
    reviewer = _cookie_reviewer(request, session)
    if reviewer is None:
        raise LoginRequired("sign in to see this page")
    _remember(request, reviewer)
    return reviewer


ApiReviewer = Annotated[Reviewer, Depends(api_reviewer)]
PageReviewer = Annotated[Reviewer, Depends(page_reviewer)]


def admin_reviewer(request: Request, session: SessionDep, db: DatabaseDep) -> Reviewer:
    reviewer = (
        api_reviewer(request, session, db)
        if request.url.path.startswith("/api/")
        else page_reviewer(request, session)
    )
    if not reviewer.is_admin:
        raise Forbidden("only admins can see this")
    return reviewer


AdminReviewer = Annotated[Reviewer, Depends(admin_reviewer)]


def admin_reviewer_apart(request: Request, db: DatabaseDep) -> Reviewer:
    """A signed-in admin (session cookie), checked in a short read transaction of its own: for
    pages whose service runs its own write transactions (erasing a candidate), which the
    request-long write lock of ``SessionDep`` would block."""
    with db.session() as session:
        reviewer = page_reviewer(request, session)
    if not reviewer.is_admin:
        raise Forbidden("only admins can see this")
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

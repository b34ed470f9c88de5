"""What the time-box and ledger routes share: the injected clock, the notifier, links.

Not a router itself. ``create_app(settings, clock=..., notifier=...)`` puts both on the app's
state; routes read them through these dependencies so tests can move time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy.orm import Session

from api import views
from harness.accounts.models import Reviewer
from harness.db.engine import Database
from harness.invitations.models import Invitation
from harness.invitations.schemas import InvitationOut
from harness.ledger.clock import Clock
from harness.ledger.payments import payment_for_invitation
from harness.ledger.views import timebox_out
from harness.notify.messages import Notification, format_duration
from harness.notify.notifier import Notifier
from harness.notify.outbox import deliver

__all__ = [
    "ClockDep",
    "NotifierDep",
    "base_url",
    "candidate_link",
    "format_late",
    "format_remaining",
    "send_after_commit",
    "shows_identity",
    "with_timebox",
]


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_notifier(request: Request) -> Notifier:
    notifier: Notifier = request.app.state.notifier
    return notifier


ClockDep = Annotated[Clock, Depends(get_clock)]
NotifierDep = Annotated[Notifier, Depends(get_notifier)]


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def candidate_link(request: Request, token: str) -> str:
    return f"{base_url(request)}/c/{token}"


def _send(db: Database, notifier: Notifier, clock: Clock, notification: Notification) -> None:
    deliver(db, notifier, notification, clock.now())


def send_after_commit(
    background: BackgroundTasks,
    db: Database,
    notifier: Notifier,
    clock: Clock,
    notification: Notification | None,
) -> None:
    """Send ``notification`` once, after the response (the request's transaction has
    committed by then, so a rolled-back change never sends mail)."""
    if notification is not None:
        background.add_task(_send, db, notifier, clock, notification)


def shows_identity(reviewer: Reviewer) -> bool:
    """Admins run payroll, so they see who to pay; reviewers keep anonymous review."""
    return reviewer.is_admin


def format_remaining(seconds: int) -> str:
    """``3:59:58`` or ``2 d 03:59:58``: what the countdown shows (the same in ``app.js``)."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{days} d {hours:02d}:{minutes:02d}:{secs:02d}" if days else clock


def with_timebox(session: Session, invitation: Invitation, now: datetime) -> InvitationOut:
    """The invitation's view with its time box and payment status filled in."""
    row = payment_for_invitation(session, invitation.id)
    return views.invitation_view(invitation).model_copy(
        update={
            "timebox": timebox_out(invitation, now),
            "payment_status": row.status if row else None,
        }
    )


def format_late(seconds: int) -> str:
    """``1 s``, ``12 min``, ``2 h 05 min``: how late an upload was, as people say it."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return format_duration(timedelta(seconds=seconds))

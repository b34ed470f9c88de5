"""The time box of one invitation in the database: starting the clock, extensions, the timing of
an upload, and what the candidate page counts down to.

The rules are ``harness.ledger.timebox`` (pure); the invitation's columns are read and written
as the ledger's values by ``harness.invitations.terms``, always together with ``deadline_at``,
so the stored deadline is the computed one. Callers pass ``now`` from the injected clock;
nothing here reads the system time. The request (or task) boundary commits, except where a
function takes the ``Database`` and says it opens its own write transaction.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.assignments.loader import load_assignment
from harness.assignments.spec import Policy
from harness.audit import service as audit
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.invitations import terms as promised
from harness.invitations.models import Invitation
from harness.invitations.service import (
    get_invitation,
    invitation_for_token,
    note_kit_download,
    starter_kit_path,
)
from harness.ledger.clock import ensure_utc
from harness.ledger.errors import WindowClosed
from harness.ledger.pay import describe_pay
from harness.ledger.timebox import (
    ClockStart,
    Countdown,
    SubmissionTiming,
    TimeBoxState,
    countdown,
    grant_extension,
    is_closed,
    start_clock,
    submission_timing,
)
from harness.settings import Settings
from harness.timeboxes.models import TimeExtension
from harness.timeboxes.schemas import ExtensionOut, TimeBoxOut

__all__ = [
    "countdown_of",
    "extend",
    "extension_out",
    "extensions_of",
    "grant",
    "start",
    "start_for_link",
    "start_now",
    "starter_kit_download",
    "timebox_out",
    "upload_timing",
    "valid_time_zone",
]


def valid_time_zone(name: str | None) -> str | None:
    """``name`` if it is an IANA time zone this machine knows, else ``None``."""
    if not name or len(name) > 64:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def start(
    session: Session,
    invitation: Invitation,
    now: datetime,
    *,
    trigger: ClockStart = ClockStart.button,
    time_zone: str | None = None,
    policy: Policy | None = None,
) -> TimeBoxState:
    """Start the invitation's clock at ``now`` (idempotent; see ``timebox.start_clock``).

    Raises ``WindowClosed`` (409) after the window to start has ended.
    """
    before = promised.state_of(invitation, policy)
    after = start_clock(before, now, trigger=trigger)
    if after.started_at != before.started_at:
        promised.write_state(invitation, after)
        zone = valid_time_zone(time_zone)
        if zone:
            invitation.time_zone = zone
        audit.record(
            session,
            "invitation.start",
            actor="candidate",
            object_type="invitation",
            object_id=invitation.id,
            trigger=trigger.value,
            deadline=after.deadline.isoformat() if after.deadline else None,
        )
    return after


def start_now(
    session: Session,
    settings: Settings,
    invitation: Invitation,
    now: datetime,
    *,
    time_zone: str | None = None,
) -> TimeBoxOut:
    """The candidate presses Start: the clock starts (idempotent) and the time box is returned.
    Raises ``NotTimed`` (409) for an invitation without a time box, ``WindowClosed`` (409)
    once the window to start has ended."""
    policy = promised.policy_fallback(settings, invitation)
    start(session, invitation, now, time_zone=time_zone, policy=policy)
    out = timebox_out(invitation, now, policy)
    if out is None:
        raise promised.NotTimed("this assignment has no time box; upload when you are ready")
    return out


def start_for_link(
    db: Database, settings: Settings, token: str, now: datetime, *, time_zone: str | None = None
) -> TimeBoxOut:
    """``start_now`` for the candidate behind ``token``, in its own write transaction (the page's
    form post has no request session; an error page re-renders from a fresh read)."""
    with db.session(write=True) as session:
        return start_now(
            session, settings, invitation_for_token(session, token), now, time_zone=time_zone
        )


def starter_kit_download(
    db: Database, settings: Settings, invitation: Invitation, now: datetime
) -> tuple[Path, str]:
    """The starter kit's zip for the candidate, and the name to save it under. The first
    download is noted, and starts the clock when the assignment says so; those writes take
    their own transaction (a download is a read)."""
    assignment = load_assignment(invitation.assignment_name, settings)
    path = starter_kit_path(settings, assignment)
    starts_clock = (
        invitation.started_at is None
        and promised.is_timed(invitation)
        and promised.terms_of(invitation, assignment.spec.policy).clock_start
        == ClockStart.download
    )
    if invitation.kit_downloaded_at is None or starts_clock:
        with db.session(write=True) as session:
            note_kit_download(session, invitation.id)
            row = session.get(Invitation, invitation.id)
            if starts_clock and row is not None:
                # After the window closed the kit is still the candidate's to read; the clock
                # just stays stopped.
                with contextlib.suppress(WindowClosed):
                    start(
                        session,
                        row,
                        now,
                        trigger=ClockStart.download,
                        policy=assignment.spec.policy,
                    )
    return path, f"{assignment.spec.name}-starter-kit.zip"


def extend(
    session: Session,
    invitation: Invitation,
    *,
    minutes: int,
    reason: str,
    actor: Reviewer | str,
    now: datetime,
    policy: Policy | None = None,
) -> TimeExtension:
    """Grant ``minutes`` more with a reason: to start (before the clock runs) or to finish.

    The deadline is recomputed and stored; a time box the sweep had closed is reopened when the
    new deadline (or window end) is still ahead. Each grant is a row and an audit event.
    """
    if invitation.revoked_at is not None:
        raise HarnessError(
            "this invitation was revoked; invite the candidate again", status_code=409
        )
    now = ensure_utc(now, "now")
    before = promised.state_of(invitation, policy)
    after = grant_extension(before, minutes, reason)
    promised.write_state(invitation, after)
    if invitation.closed_at is not None and not is_closed(now, after):
        invitation.closed_at = None
    row = TimeExtension(
        invitation_id=invitation.id,
        minutes=minutes,
        reason=after.extension_reason or "",
        before_start=before.started_at is None,
        granted_by_id=actor.id if isinstance(actor, Reviewer) else None,
        granted_by=actor.email if isinstance(actor, Reviewer) else actor,
        granted_at=now,
        deadline_before=before.deadline,
        deadline_after=after.deadline,
        window_ends_after=after.effective_window_end,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "invitation.extend",
        actor=actor,
        object_type="invitation",
        object_id=invitation.id,
        minutes=minutes,
        reason=row.reason,
        before_start=row.before_start,
        deadline_before=before.deadline.isoformat() if before.deadline else None,
        deadline_after=after.deadline.isoformat() if after.deadline else None,
        window_ends_after=after.effective_window_end.isoformat(),
    )
    return row


def grant(
    session: Session,
    settings: Settings,
    invitation_id: int,
    *,
    minutes: int,
    reason: str,
    actor: Reviewer,
    now: datetime,
) -> ExtensionOut:
    """A reviewer grants an extension to one invitation (``extend``); the grant as the API
    shows it."""
    invitation = get_invitation(session, invitation_id)
    row = extend(
        session,
        invitation,
        minutes=minutes,
        reason=reason,
        actor=actor,
        now=now,
        policy=promised.policy_fallback(settings, invitation),
    )
    return extension_out(row)


def extensions_of(session: Session, invitation_id: int) -> list[TimeExtension]:
    """Every extension granted to the invitation, oldest first."""
    return list(
        session.scalars(
            select(TimeExtension)
            .where(TimeExtension.invitation_id == invitation_id)
            .order_by(TimeExtension.id)
        )
    )


def countdown_of(
    invitation: Invitation, now: datetime, policy: Policy | None = None
) -> Countdown | None:
    """What the candidate page counts down to, or ``None`` for an untimed invitation."""
    if not promised.is_timed(invitation):
        return None
    return countdown(now, promised.state_of(invitation, policy))


def upload_timing(
    invitation: Invitation, now: datetime, policy: Policy | None = None
) -> SubmissionTiming | None:
    """On time, late, or refused, for an upload at ``now``; ``None`` for an untimed invitation."""
    if not promised.is_timed(invitation):
        return None
    return submission_timing(now, promised.state_of(invitation, policy))


def timebox_out(
    invitation: Invitation, now: datetime, policy: Policy | None = None
) -> TimeBoxOut | None:
    """The time box at ``now``; ``None`` for an untimed invitation."""
    if not promised.is_timed(invitation):
        return None
    state = promised.state_of(invitation, policy)
    clock = countdown(now, state)
    terms = promised.pay_terms_of(invitation)
    return TimeBoxOut(
        phase=clock.phase.value,
        remaining_seconds=clock.remaining_seconds,
        phase_ends_at=clock.phase_ends_at,
        now=ensure_utc(now),
        invited_at=state.invited_at,
        window_ends_at=state.effective_window_end,
        started_at=state.started_at,
        work_ends_at=state.work_ends_at,
        deadline_at=state.deadline,
        time_box_hours=state.terms.time_box_hours,
        grace_minutes=state.terms.grace // timedelta(minutes=1),
        late_policy=state.terms.late.value,
        clock_start=state.terms.clock_start.value,
        extension_minutes=invitation.extension_minutes or 0,
        window_extension_minutes=invitation.window_extension_minutes or 0,
        capped_by_window=state.capped_by_window,
        pay=describe_pay(terms) if terms else None,
    )


def extension_out(row: TimeExtension) -> ExtensionOut:
    return ExtensionOut(
        id=row.id,
        minutes=row.minutes,
        reason=row.reason,
        before_start=row.before_start,
        granted_by=row.granted_by,
        granted_at=row.granted_at,
        deadline_before=row.deadline_before,
        deadline_after=row.deadline_after,
        window_ends_after=row.window_ends_after,
    )

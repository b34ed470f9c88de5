"""Inviting candidates, resolving candidate links, and anonymous review.

``identity_hidden`` is the one rule of anonymous review (a candidate's name and email stay
hidden from reviewers until a decision is recorded); every shape that names a candidate goes
through ``candidate_label`` and ``candidate_email``.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.accounts.security import hash_token
from harness.assignments.spec import AssignmentSpec
from harness.audit import service as audit
from harness.db.base import utcnow
from harness.db.engine import Database
from harness.errors import HarnessError, NotFound
from harness.invitations import terms as promised
from harness.invitations.models import Candidate, Invitation
from harness.invitations.repository import InvitationRepository
from harness.ledger.clock import ensure_utc
from harness.ledger.errors import InvalidTerms
from harness.ledger.money import Money
from harness.ledger.pay import NoSubmissionPay, NoSubmissionPolicy, PayTerms, describe_pay
from harness.ledger.timebox import TimeBoxTerms
from harness.notify.messages import Notification, invitation_sent
from harness.settings import Settings
from harness.validation import email_address, person_name

if TYPE_CHECKING:
    from harness.assignments.loader import Assignment

__all__ = [
    "InvitationTerms",
    "Invited",
    "PayTermsNeedPayroll",
    "candidate_email",
    "candidate_label",
    "check_link",
    "create_invitation",
    "get_invitation",
    "identity_hidden",
    "invitation_for_token",
    "invitation_notice",
    "invite",
    "new_candidate_token",
    "note_first_view",
    "note_kit_download",
    "reissue_link",
    "starter_kit_path",
]

log = logging.getLogger(__name__)

_TOKEN_BYTES = 32


def new_candidate_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


@dataclass(frozen=True)
class InvitationTerms:
    """Per-invitation overrides of the assignment's time box and pay; ``None`` keeps the spec's."""

    time_box_hours: Decimal | None = None
    """Hours of the time box (0 < h <= 40)."""
    grace_minutes: int | None = None
    """Minutes after the time box still on time (0 to 1440)."""
    start_window_days: int | None = None
    """Days the candidate has to start (1 to 90)."""
    pay_kind: str | None = None
    """``hourly`` or ``flat``; a kind other than the spec's takes none of the spec's amounts."""
    hourly_rate: Decimal | None = None
    cap_hours: Decimal | None = None
    """Hours paid at most (hourly); unset means the time box."""
    flat_fee: Decimal | None = None
    currency: str | None = None
    """ISO 4217 code of every amount."""
    no_submission_pay: str | None = None
    """``nothing`` (default), ``fixed`` or ``full``: owed when the time box closes empty."""
    no_submission_amount: Decimal | None = None
    """The amount for ``fixed``."""

    def time_box(self, spec: AssignmentSpec) -> TimeBoxTerms:
        """The time box the spec promises, with these overrides."""
        return spec.time_box_terms(
            time_box_hours=self.time_box_hours,
            grace_minutes=self.grace_minutes,
            start_window_days=self.start_window_days,
        )

    def pay(self, spec: AssignmentSpec, box: TimeBoxTerms) -> PayTerms:
        """The spec's pay terms with these overrides (an unset hourly cap is ``box``'s hours)."""
        return spec.pay_terms(box.time_box_hours).with_overrides(
            time_box_hours=box.time_box_hours,
            kind=self.pay_kind,
            currency=self.currency,
            hourly_rate=self.hourly_rate,
            cap_hours=self.cap_hours,
            flat_fee=self.flat_fee,
        )

    def changes_pay(self, spec: AssignmentSpec) -> bool:
        """Whether these overrides pay the candidate other than the assignment says: another
        kind, currency, rate, fee or no-submission policy, or a higher hourly cap (a longer
        time box raises it too). Such terms need the payroll or admin role."""
        default = InvitationTerms()
        base_pay = default.pay(spec, default.time_box(spec))
        pay = self.pay(spec, self.time_box(spec))
        if (pay.kind, pay.currency, pay.hourly_rate, pay.flat_fee) != (
            base_pay.kind,
            base_pay.currency,
            base_pay.hourly_rate,
            base_pay.flat_fee,
        ):
            return True
        if (pay.cap_hours or 0) > (base_pay.cap_hours or 0):
            return True
        return self.if_nothing_submitted(pay) != default.if_nothing_submitted(base_pay)

    def if_nothing_submitted(self, pay: PayTerms) -> NoSubmissionPolicy:
        """What is owed when the time box closes empty; a fixed amount in ``pay``'s currency."""
        try:
            kind = NoSubmissionPay(self.no_submission_pay or NoSubmissionPay.nothing.value)
            policy = NoSubmissionPolicy(pay=kind, fixed_amount=self.no_submission_amount)
        except ValueError:
            raise InvalidTerms(
                "no_submission_pay must be 'nothing', 'fixed' (with no_submission_amount) or 'full'"
            ) from None
        if policy.pay != NoSubmissionPay.fixed or policy.fixed_amount is None:
            return NoSubmissionPolicy(pay=policy.pay)
        return NoSubmissionPolicy(
            pay=policy.pay, fixed_amount=Money(policy.fixed_amount, pay.currency).amount
        )


class PayTermsNeedPayroll(HarnessError):
    """A reviewer without the payroll role tried to promise pay the assignment does not."""

    status_code = 403


def _candidate(repo: InvitationRepository, name: str, email: str, now: datetime) -> Candidate:
    """The candidate with this email and name, or a new one."""
    candidate = repo.candidate_by_email(email)
    if candidate is None or candidate.name != name:
        candidate = Candidate(name=name, email=email, created_at=now)
        repo.add(candidate)
    return candidate


def create_invitation(
    session: Session,
    spec: AssignmentSpec,
    *,
    name: str,
    email: str,
    actor: Reviewer | str | None,
    anonymous_review: bool = True,
    token: str | None = None,
    terms: InvitationTerms | None = None,
    now: datetime | None = None,
    may_set_pay: bool = True,
) -> tuple[Invitation, str]:
    """A new invitation and its secret token (returned once; only its hash is stored).

    The time-box, late and pay terms of the assignment (with ``terms`` overriding them) are
    copied onto the invitation, so a later edit of the spec does not change what this
    candidate was promised. The clock itself starts later. Raises ``InvalidTerms`` (422) for
    overrides that cannot be honoured, and ``PayTermsNeedPayroll`` (403) for pay beyond the
    assignment's when ``may_set_pay`` is false (an inviter without the payroll role).
    """
    name = person_name(name, field="the candidate's name")
    email = email_address(email, field="the candidate's email")
    terms = terms or InvitationTerms()
    if not may_set_pay and terms.changes_pay(spec):
        raise PayTermsNeedPayroll(
            "pay terms other than the assignment's (kind, currency, rate, fee, a higher cap or "
            "a longer hourly time box, pay without a submission) need the payroll or admin "
            "role; leave them empty to use the assignment's, or ask payroll to invite"
        )
    now = ensure_utc(now, "now") if now is not None else utcnow()
    box = terms.time_box(spec)
    pay = terms.pay(spec, box)
    if_empty = terms.if_nothing_submitted(pay)
    token = token or new_candidate_token()
    repo = InvitationRepository(session)
    invitation = Invitation(
        candidate=_candidate(repo, name, email, now),
        assignment_name=spec.name,
        assignment_version=spec.version,
        token_hash=hash_token(token),
        created_at=now,
        created_by_id=actor.id if isinstance(actor, Reviewer) else None,
        anonymous_review=anonymous_review,
    )
    promised.write_promise(invitation, box, pay, if_empty, invited_at=now)
    repo.add(invitation)
    session.flush()
    audit.record(
        session,
        "invitation.create",
        actor=actor,
        object_type="invitation",
        object_id=invitation.id,
        assignment=spec.name,
        time_box_hours=f"{box.time_box_hours:f}",
        pay_kind=pay.kind.value,
        currency=pay.currency,
    )
    return invitation, token


def invitation_notice(
    invitation: Invitation, link: str, *, title: str | None = None
) -> Notification | None:
    """The invitation e-mail with the candidate's link; ``None`` for an untimed invitation.

    Built inside the transaction that made the invitation and sent after it commits
    (``harness.notify.outbox.deliver``), so a rolled-back invitation never e-mails a dead link.
    """
    if not promised.is_timed(invitation):
        return None
    state = promised.state_of(invitation)
    terms = promised.pay_terms_of(invitation)
    try:
        return invitation_sent(
            invitation_id=invitation.id,
            candidate_name=invitation.candidate.name,
            candidate_email=invitation.candidate.email,
            assignment_title=title or invitation.assignment_name,
            link=link,
            time_box_hours=state.terms.time_box_hours,
            window_ends_at=state.effective_window_end,
            pay=describe_pay(terms) if terms else None,
            tz_name=invitation.time_zone or "UTC",
        )
    except ValueError as exc:  # an address the mailer refuses: say so, do not fail the invite
        log.warning("no invitation e-mail for invitation %s: %s", invitation.id, exc)
        return None


@dataclass(frozen=True)
class Invited:
    """A new invitation, the candidate's link (shown once), and the e-mail to send after the
    transaction commits."""

    invitation: Invitation
    token: str
    link: str
    notice: Notification | None


def invite(
    session: Session,
    spec: AssignmentSpec,
    *,
    name: str,
    email: str,
    actor: Reviewer | str,
    link_for: Callable[[str], str],
    anonymous_review: bool = True,
    terms: InvitationTerms | None = None,
    now: datetime | None = None,
    may_set_pay: bool = True,
) -> Invited:
    """Invite one candidate: the invitation (``create_invitation``), its link built by
    ``link_for(token)``, and its e-mail."""
    invitation, token = create_invitation(
        session,
        spec,
        name=name,
        email=email,
        actor=actor,
        anonymous_review=anonymous_review,
        terms=terms,
        now=now,
        may_set_pay=may_set_pay,
    )
    link = link_for(token)
    return Invited(invitation, token, link, invitation_notice(invitation, link, title=spec.title))


def reissue_link(
    session: Session,
    invitation_id: int,
    *,
    actor: Reviewer | str,
    link_for: Callable[[str], str],
) -> tuple[Invitation, str]:
    """A new link for the invitation (shown once, like the first); the old link stops working
    at once. For an inviter who lost the link, or a link sent to the wrong place. Audited."""
    invitation = get_invitation(session, invitation_id)
    if invitation.revoked_at is not None:
        raise HarnessError("this invitation is revoked; invite the candidate again", status_code=409)
    token = new_candidate_token()
    invitation.token_hash = hash_token(token)
    audit.record(
        session,
        "invitation.new_link",
        actor=actor,
        object_type="invitation",
        object_id=invitation.id,
    )
    return invitation, link_for(token)


def get_invitation(session: Session, invitation_id: int) -> Invitation:
    invitation = InvitationRepository(session).get(invitation_id)
    if invitation is None:
        raise NotFound(f"invitation {invitation_id} does not exist")
    return invitation


def check_link(db: Database, token: str) -> None:
    """Raise ``NotFound`` unless ``token`` opens an active invitation (checked in its own read
    transaction, before an upload's body is read)."""
    with db.session() as session:
        invitation_for_token(session, token)


def invitation_for_token(session: Session, token: str) -> Invitation:
    """The active invitation behind a candidate link. Unknown and revoked look the same."""
    if not token or len(token) > 128:
        raise NotFound("this link is not valid; ask the hiring team for a new one")
    invitation = InvitationRepository(session).by_token_hash(hash_token(token))
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound("this link is not valid; ask the hiring team for a new one")
    return invitation


def identity_hidden(invitation: Invitation, *, decided: bool | None = None) -> bool:
    """Anonymous review hides who the candidate is until someone records a decision.

    ``decided`` says whether a decision exists when the caller loaded decisions in bulk (lists);
    otherwise the invitation's own decisions are looked at.
    """
    if decided is None:
        decided = bool(invitation.decisions)
    return invitation.anonymous_review and not decided


def candidate_label(invitation: Invitation, *, decided: bool | None = None) -> str:
    """The candidate's name, or ``Candidate #<invitation id>`` while review is anonymous."""
    if identity_hidden(invitation, decided=decided):
        return hidden_label(invitation.id)
    return invitation.candidate.name


def hidden_label(invitation_id: int) -> str:
    """What a list shows instead of the name while review is anonymous."""
    return f"Candidate #{invitation_id}"


def candidate_email(invitation: Invitation, *, decided: bool | None = None) -> str | None:
    """The candidate's email, or ``None`` while review is anonymous."""
    return None if identity_hidden(invitation, decided=decided) else invitation.candidate.email


_kit_lock = threading.Lock()


def starter_kit_path(settings: Settings, assignment: Assignment) -> Path:
    """The assignment's starter kit zip, built once per assignment version and cached."""
    dest = settings.data_dir / "kits" / f"{assignment.spec.name}-{assignment.spec.version}.zip"
    with _kit_lock:
        if not dest.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".building")
            built = assignment.starter_kit_zip(tmp)
            os.replace(built, dest)
    return dest


def note_kit_download(session: Session, invitation_id: int) -> None:
    """First starter-kit download (issue 5 may start the clock on it). Own write transaction."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is not None and invitation.kit_downloaded_at is None:
        invitation.kit_downloaded_at = utcnow()
        audit.record(
            session,
            "invitation.kit_download",
            actor="candidate",
            object_type="invitation",
            object_id=invitation.id,
        )


def note_first_view(session: Session, invitation_id: int) -> None:
    invitation = session.get(Invitation, invitation_id)
    if invitation is not None and invitation.first_viewed_at is None:
        invitation.first_viewed_at = utcnow()

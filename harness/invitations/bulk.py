"""Bulk invitations from a CSV: every good row becomes an invitation, every bad row an error.

The file needs a header row with at least ``name`` and ``email``; the other columns (all
optional, any order) override the assignment's terms for that row::

    name,email,assignment,time_box_hours,grace_minutes,start_window_days,pay_kind,
    hourly_rate,cap_hours,flat_fee,currency,no_submission_pay,no_submission_amount,anonymous_review

An empty cell keeps the default. Each row is created in its own savepoint, so a row that fails
(unknown assignment, a fee for hourly pay, a malformed email) is reported with its line number
and the rows around it are still created.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.assignments.spec import AssignmentSpec
from harness.errors import HarnessError, InputRejected
from harness.invitations.models import Invitation
from harness.invitations.schemas import BulkCreatedOut, BulkErrorOut, BulkInviteOut
from harness.invitations.service import InvitationTerms, create_invitation, invitation_notice
from harness.notify.messages import Notification

__all__ = [
    "COLUMNS",
    "MAX_BULK_BYTES",
    "MAX_BULK_ROWS",
    "BulkCreated",
    "BulkInvited",
    "BulkOutcome",
    "BulkRow",
    "RowError",
    "create_bulk",
    "invite_from_csv",
    "parse_bulk_csv",
]

MAX_BULK_ROWS = 1000
MAX_BULK_BYTES = 1024 * 1024
COLUMNS = (
    "name",
    "email",
    "assignment",
    "time_box_hours",
    "grace_minutes",
    "start_window_days",
    "pay_kind",
    "hourly_rate",
    "cap_hours",
    "flat_fee",
    "currency",
    "no_submission_pay",
    "no_submission_amount",
    "anonymous_review",
)
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}


@dataclass(frozen=True)
class BulkRow:
    """One parsed line of the file."""

    line: int
    """Line number in the file (the header is line 1)."""
    name: str
    email: str
    assignment: str | None
    terms: InvitationTerms
    anonymous_review: bool | None


@dataclass(frozen=True)
class RowError:
    """A line that was not turned into an invitation, and why."""

    line: int
    email: str
    message: str


@dataclass(frozen=True)
class BulkCreated:
    """A created invitation; ``token`` is the secret of the candidate link, shown once."""

    line: int
    invitation_id: int
    name: str
    email: str
    assignment: str
    token: str


@dataclass
class BulkOutcome:
    created: list[BulkCreated] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _cell(row: dict[str, str], key: str) -> str:
    return (row.get(key) or "").strip()


def _decimal(row: dict[str, str], key: str) -> Decimal | None:
    text = _cell(row, key)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InputRejected(f"{key} {text[:20]!r} is not a number") from None
    if not number.is_finite():
        raise InputRejected(f"{key} must be a finite number")
    return number


def _int(row: dict[str, str], key: str) -> int | None:
    text = _cell(row, key)
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise InputRejected(f"{key} {text[:20]!r} is not a whole number")
    return int(text)


def _parse_row(line: int, row: dict[str, str]) -> BulkRow:
    anonymous: bool | None = None
    flag = _cell(row, "anonymous_review").lower()
    if flag in _TRUE:
        anonymous = True
    elif flag in _FALSE:
        anonymous = False
    elif flag:
        raise InputRejected(f"anonymous_review must be true or false (got {flag[:20]!r})")
    name, email = _cell(row, "name"), _cell(row, "email")
    if not name:
        raise InputRejected("the name is empty")
    if not email:
        raise InputRejected("the email is empty")
    terms = InvitationTerms(
        time_box_hours=_decimal(row, "time_box_hours"),
        grace_minutes=_int(row, "grace_minutes"),
        start_window_days=_int(row, "start_window_days"),
        pay_kind=_cell(row, "pay_kind").lower() or None,
        hourly_rate=_decimal(row, "hourly_rate"),
        cap_hours=_decimal(row, "cap_hours"),
        flat_fee=_decimal(row, "flat_fee"),
        currency=_cell(row, "currency").upper() or None,
        no_submission_pay=_cell(row, "no_submission_pay").lower() or None,
        no_submission_amount=_decimal(row, "no_submission_amount"),
    )
    return BulkRow(
        line=line,
        name=name,
        email=email,
        assignment=_cell(row, "assignment") or None,
        terms=terms,
        anonymous_review=anonymous,
    )


def parse_bulk_csv(data: bytes) -> tuple[list[BulkRow], list[RowError]]:
    """The good rows and the per-row errors of a bulk-invitation CSV.

    Raises ``InputRejected`` (422) when the file as a whole cannot be read: not UTF-8, no
    header with ``name`` and ``email``, an unknown column, or too many rows.
    """
    if len(data) > MAX_BULK_BYTES:
        raise InputRejected(
            f"the file is larger than {MAX_BULK_BYTES // 1024} KiB; split it into smaller files"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputRejected("the file is not UTF-8 text; save the CSV as UTF-8") from None
    if "\0" in text:
        raise InputRejected("the file has NUL bytes; it does not look like a CSV")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise InputRejected("the file is empty; it needs a header row: name,email")
        columns = [h.strip().lower() for h in header]
        unknown = [c for c in columns if c and c not in COLUMNS]
        if "name" not in columns or "email" not in columns:
            raise InputRejected(
                "the first row must be a header naming at least the columns name and email "
                "(e.g. name,email,time_box_hours)"
            )
        if unknown:
            raise InputRejected(
                f"unknown column(s) {', '.join(repr(u[:30]) for u in unknown[:5])}; "
                f"the columns are {', '.join(COLUMNS)}"
            )
        if len(set(columns)) != len(columns):
            raise InputRejected("a column is named twice in the header")
        rows: list[BulkRow] = []
        errors: list[RowError] = []
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines are not rows
            if len(rows) + len(errors) >= MAX_BULK_ROWS:
                raise InputRejected(
                    f"the file has more than {MAX_BULK_ROWS} rows; split it into smaller files"
                )
            if len(cells) > len(columns):
                errors.append(
                    RowError(line, "", f"{len(cells)} cells but the header has {len(columns)}")
                )
                continue
            record = dict(zip(columns, cells, strict=False))
            try:
                rows.append(_parse_row(line, record))
            except HarnessError as exc:
                errors.append(RowError(line, _cell(record, "email")[:320], exc.message))
    except csv.Error as exc:
        raise InputRejected(f"the file is not valid CSV: {exc}") from None
    return rows, errors


def _row_problem(
    row: BulkRow, assignment: str | None, seen: set[tuple[str, str]]
) -> RowError | None:
    """Why a row cannot be invited before even trying: no assignment, or a repeat."""
    if not assignment:
        return RowError(row.line, row.email, "no assignment: add an assignment column or pick one")
    if (assignment, row.email.strip().lower()) in seen:
        return RowError(
            row.line, row.email, f"{row.email} is invited to {assignment} earlier in this file"
        )
    return None


def create_bulk(
    session: Session,
    rows: list[BulkRow],
    *,
    load_spec: Callable[[str], AssignmentSpec],
    actor: Reviewer | str,
    default_assignment: str | None,
    anonymous_review: bool = True,
    now: datetime | None = None,
    may_set_pay: bool = True,
) -> BulkOutcome:
    """Create an invitation per row, each in its own savepoint; collect the failures.

    ``load_spec`` resolves an assignment name (raising ``NotFound`` for an unknown one);
    ``default_assignment`` is used for rows without an ``assignment`` cell.
    """
    outcome = BulkOutcome()
    seen: set[tuple[str, str]] = set()
    for row in rows:
        assignment = row.assignment or default_assignment
        problem = _row_problem(row, assignment, seen)
        if problem is not None:
            outcome.errors.append(problem)
            continue
        assert assignment is not None
        try:
            spec = load_spec(assignment)
            with session.begin_nested():
                invitation, token = create_invitation(
                    session,
                    spec,
                    name=row.name,
                    email=row.email,
                    actor=actor,
                    anonymous_review=anonymous_review
                    if row.anonymous_review is None
                    else row.anonymous_review,
                    terms=row.terms,
                    now=now,
                    may_set_pay=may_set_pay,
                )
        except HarnessError as exc:
            outcome.errors.append(RowError(row.line, row.email[:320], exc.message))
            continue
        seen.add((assignment, row.email.strip().lower()))
        outcome.created.append(
            BulkCreated(
                line=row.line,
                invitation_id=invitation.id,
                name=invitation.candidate.name,
                email=invitation.candidate.email,
                assignment=spec.name,
                token=token,
            )
        )
    outcome.errors.sort(key=lambda e: e.line)
    return outcome


@dataclass
class BulkInvited:
    """What a bulk invitation made: the answer for the reviewer (links shown once), and the
    invitation e-mails to send after the transaction commits."""

    result: BulkInviteOut
    notices: list[Notification | None]


def invite_from_csv(
    session: Session,
    data: bytes,
    *,
    load_spec: Callable[[str], AssignmentSpec],
    link_for: Callable[[str], str],
    actor: Reviewer | str,
    default_assignment: str | None,
    anonymous_review: bool = True,
    now: datetime | None = None,
    may_set_pay: bool = True,
) -> BulkInvited:
    """Parse a bulk-invitation CSV and invite its good rows in the caller's transaction.

    Raises ``InputRejected`` when the file as a whole cannot be read; bad rows are listed with
    their line in ``result.errors`` while the good ones are created.
    """
    rows, parse_errors = parse_bulk_csv(data)
    outcome = create_bulk(
        session,
        rows,
        load_spec=load_spec,
        actor=actor,
        default_assignment=default_assignment,
        anonymous_review=anonymous_review,
        now=now,
        may_set_pay=may_set_pay,
    )
    created: list[BulkCreatedOut] = []
    notices: list[Notification | None] = []
    for c in outcome.created:
        link = link_for(c.token)
        created.append(
            BulkCreatedOut(
                line=c.line,
                id=c.invitation_id,
                name=c.name,
                email=c.email,
                assignment=c.assignment,
                link=link,
            )
        )
        invitation = session.get(Invitation, c.invitation_id)
        if invitation is not None:
            title = load_spec(c.assignment).title
            notices.append(invitation_notice(invitation, link, title=title))
    errors = sorted([*parse_errors, *outcome.errors], key=lambda e: e.line)
    result = BulkInviteOut(
        created=created,
        errors=[BulkErrorOut(line=e.line, email=e.email, message=e.message) for e in errors],
    )
    return BulkInvited(result, notices)

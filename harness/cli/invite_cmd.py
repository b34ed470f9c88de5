"""``harness invite``: invite one candidate (prints the link) or everyone in a CSV.

    harness invite --assignment support-tickets --name "Ada Lovelace" --email ada@example.org
    harness invite --csv candidates.csv --assignment support-tickets > links.csv

Links are built on ``HARNESS_PUBLIC_URL`` (or ``--base-url``). The invitation e-mail goes out
through the configured notifier (SMTP, or the log) unless ``--no-notify``.
"""

from __future__ import annotations

import csv
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from harness.cli.common import err, fail, load_settings, out

if TYPE_CHECKING:
    from harness.db.engine import Database
    from harness.invitations.service import InvitationTerms
    from harness.notify.messages import Notification
    from harness.settings import Settings

__all__ = ["EXIT_SOME_ROWS_FAILED", "register"]

EXIT_SOME_ROWS_FAILED = 1
"""``--csv``: the good rows were invited, some rows were not (listed on stderr)."""


def _decimal(value: str | None, option: str) -> Decimal | None:
    if value is None or not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        fail(f"{option} must be a number (got {value!r})")
    if not number.is_finite():
        fail(f"{option} must be a finite number")
    return number


def _database(settings: Settings) -> Database:
    from harness.db.engine import Database
    from harness.db.migrate import upgrade_head

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_head(settings.resolved_database_url)
    return Database(settings.resolved_database_url)


def _send(settings: Settings, db: Database, notices: list[Notification | None]) -> None:
    from harness.ledger.clock import SystemClock
    from harness.notify.notifier import notifier_from_settings
    from harness.notify.outbox import deliver

    notifier = notifier_from_settings(settings)
    clock = SystemClock()
    for notice in notices:
        if notice is not None:
            deliver(db, notifier, notice, clock.now())


def _terms(
    time_box_hours: str | None,
    grace_minutes: int | None,
    start_window_days: int | None,
    pay_kind: str | None,
    hourly_rate: str | None,
    cap_hours: str | None,
    flat_fee: str | None,
    currency: str | None,
) -> InvitationTerms:
    """The command's overrides of the assignment's terms (unset options keep the spec's)."""
    from harness.invitations.service import InvitationTerms

    return InvitationTerms(
        time_box_hours=_decimal(time_box_hours, "--time-box-hours"),
        grace_minutes=grace_minutes,
        start_window_days=start_window_days,
        pay_kind=pay_kind,
        hourly_rate=_decimal(hourly_rate, "--hourly-rate"),
        cap_hours=_decimal(cap_hours, "--cap-hours"),
        flat_fee=_decimal(flat_fee, "--flat-fee"),
        currency=currency.upper() if currency else None,
    )


def _invite_one(
    settings: Settings,
    assignment: str,
    name: str,
    email: str,
    base: str,
    *,
    terms: InvitationTerms,
    anonymous: bool,
    notify: bool,
) -> None:
    from harness.assignments.loader import load_assignment
    from harness.errors import HarnessError
    from harness.invitations.service import invite

    db = _database(settings)
    try:
        try:
            spec = load_assignment(assignment, settings).spec
            with db.session(write=True) as session:
                invited = invite(
                    session,
                    spec,
                    name=name,
                    email=email,
                    actor="cli",
                    link_for=lambda token: f"{base}/c/{token}",
                    anonymous_review=anonymous,
                    terms=terms,
                )
                invitation_id = invited.invitation.id
        except HarnessError as exc:
            fail(exc.message)
        if notify:
            _send(settings, db, [invited.notice])
    finally:
        db.dispose()
    err.print(f"invited {email} to {assignment} (invitation {invitation_id})", highlight=False, markup=False)
    out.print(invited.link, highlight=False, soft_wrap=True, markup=False)


def invite(
    assignment: Annotated[
        str | None, typer.Option(help="Assignment name (for --csv: rows without one).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="The candidate's name.")] = None,
    email: Annotated[str | None, typer.Option(help="The candidate's email.")] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="A CSV with a header row: name,email[,assignment,time_box_hours,grace_minutes,"
            "start_window_days,pay_kind,hourly_rate,cap_hours,flat_fee,currency,...]",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
    time_box_hours: Annotated[str | None, typer.Option(help="Override the time box.")] = None,
    grace_minutes: Annotated[int | None, typer.Option(help="Override the grace period.")] = None,
    start_window_days: Annotated[
        int | None, typer.Option(help="Override the window to start.")
    ] = None,
    pay_kind: Annotated[str | None, typer.Option(help="hourly or flat.")] = None,
    hourly_rate: Annotated[str | None, typer.Option(help="Rate per hour.")] = None,
    cap_hours: Annotated[str | None, typer.Option(help="Hours paid at most.")] = None,
    flat_fee: Annotated[str | None, typer.Option(help="The flat fee.")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO 4217 code, e.g. EUR.")] = None,
    named: Annotated[
        bool, typer.Option("--named", help="Show the name to reviewers (no anonymous review).")
    ] = False,
    notify: Annotated[
        bool, typer.Option("--notify/--no-notify", help="Send the invitation e-mail.")
    ] = True,
    base_url: Annotated[
        str | None, typer.Option(help="Base of the link (default: HARNESS_PUBLIC_URL).")
    ] = None,
) -> None:
    """Invite a candidate and print their link, or invite everyone in a CSV (--csv)."""
    settings = load_settings()
    base = (base_url or settings.public_url).rstrip("/")
    if csv_file is not None:
        if name or email:
            fail("give either --csv or --name and --email, not both")
        _invite_csv(settings, csv_file, assignment, base, anonymous=not named, notify=notify)
        return
    if not (assignment and name and email):
        fail("give --assignment, --name and --email (or --csv FILE)")
    terms = _terms(
        time_box_hours,
        grace_minutes,
        start_window_days,
        pay_kind,
        hourly_rate,
        cap_hours,
        flat_fee,
        currency,
    )
    _invite_one(
        settings, assignment, name, email, base, terms=terms, anonymous=not named, notify=notify
    )


def _invite_csv(
    settings: Settings,
    path: Path,
    assignment: str | None,
    base: str,
    *,
    anonymous: bool,
    notify: bool,
) -> None:
    from harness.assignments.loader import spec_loader
    from harness.errors import HarnessError
    from harness.invitations.bulk import MAX_BULK_BYTES, invite_from_csv

    if path.stat().st_size > MAX_BULK_BYTES:
        fail(f"{path} is larger than {MAX_BULK_BYTES // 1024} KiB; split it into smaller files")
    data = path.read_bytes()
    db = _database(settings)
    try:
        try:
            with db.session(write=True) as session:
                done = invite_from_csv(
                    session,
                    data,
                    load_spec=spec_loader(settings),
                    link_for=lambda token: f"{base}/c/{token}",
                    actor="cli",
                    default_assignment=assignment,
                    anonymous_review=anonymous,
                )
        except HarnessError as exc:
            fail(f"{path}: {exc.message}")
        if notify:
            _send(settings, db, done.notices)
    finally:
        db.dispose()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["line", "name", "email", "assignment", "link"])
    for c in done.result.created:
        writer.writerow([c.line, c.name, c.email, c.assignment, c.link])
    sys.stdout.flush()
    for e in done.result.errors:
        err.print(
            f"line {e.line} ({e.email or 'no email'}): {e.message}",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    err.print(
        f"invited {len(done.result.created)} candidate(s); {len(done.result.errors)} row(s) not "
        "invited",
        highlight=False,
    )
    if done.result.errors:
        raise typer.Exit(EXIT_SOME_ROWS_FAILED)


def register(app: typer.Typer) -> None:
    app.command("invite")(invite)

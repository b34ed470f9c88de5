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
    from harness.assignments.loader import load_assignment
    from harness.errors import HarnessError
    from harness.invitations.service import InvitationTerms, create_invitation
    from harness.ledger.notices import invitation_notice

    settings = load_settings()
    base = (base_url or settings.public_url).rstrip("/")
    if csv_file is not None:
        if name or email:
            fail("give either --csv or --name and --email, not both")
        _invite_csv(settings, csv_file, assignment, base, anonymous=not named, notify=notify)
        return
    if not (assignment and name and email):
        fail("give --assignment, --name and --email (or --csv FILE)")
    terms = InvitationTerms(
        time_box_hours=_decimal(time_box_hours, "--time-box-hours"),
        grace_minutes=grace_minutes,
        start_window_days=start_window_days,
        pay_kind=pay_kind,
        hourly_rate=_decimal(hourly_rate, "--hourly-rate"),
        cap_hours=_decimal(cap_hours, "--cap-hours"),
        flat_fee=_decimal(flat_fee, "--flat-fee"),
        currency=currency.upper() if currency else None,
    )
    db = _database(settings)
    try:
        try:
            spec = load_assignment(assignment, settings).spec
            with db.session(write=True) as session:
                inv, token = create_invitation(
                    session,
                    spec,
                    name=name,
                    email=email,
                    actor="cli",
                    anonymous_review=not named,
                    terms=terms,
                )
                link = f"{base}/c/{token}"
                notice = invitation_notice(inv, link, title=spec.title)
                invitation_id = inv.id
        except HarnessError as exc:
            fail(exc.message)
        if notify:
            _send(settings, db, [notice])
    finally:
        db.dispose()
    err.print(f"invited {email} to {assignment} (invitation {invitation_id})", highlight=False, markup=False)
    out.print(link, highlight=False, soft_wrap=True, markup=False)


def _invite_csv(
    settings: Settings,
    path: Path,
    assignment: str | None,
    base: str,
    *,
    anonymous: bool,
    notify: bool,
) -> None:
    from harness.assignments.loader import load_assignment
    from harness.errors import HarnessError
    from harness.invitations.bulk import MAX_BULK_BYTES, create_bulk, parse_bulk_csv
    from harness.invitations.models import Invitation
    from harness.ledger.notices import invitation_notice

    if path.stat().st_size > MAX_BULK_BYTES:
        fail(f"{path} is larger than {MAX_BULK_BYTES // 1024} KiB; split it into smaller files")
    try:
        rows, errors = parse_bulk_csv(path.read_bytes())
    except HarnessError as exc:
        fail(f"{path}: {exc.message}")
    db = _database(settings)
    notices = []
    try:
        with db.session(write=True) as session:
            outcome = create_bulk(
                session,
                rows,
                load_spec=lambda name: load_assignment(name, settings).spec,
                actor="cli",
                default_assignment=assignment,
                anonymous_review=anonymous,
            )
            for c in outcome.created:
                inv = session.get(Invitation, c.invitation_id)
                if inv is not None:
                    notices.append(invitation_notice(inv, f"{base}/c/{c.token}"))
        if notify:
            _send(settings, db, notices)
    finally:
        db.dispose()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["line", "name", "email", "assignment", "link"])
    for c in outcome.created:
        writer.writerow([c.line, c.name, c.email, c.assignment, f"{base}/c/{c.token}"])
    sys.stdout.flush()
    failed = sorted([*errors, *outcome.errors], key=lambda e: e.line)
    for e in failed:
        err.print(
            f"line {e.line} ({e.email or 'no email'}): {e.message}",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    err.print(
        f"invited {len(outcome.created)} candidate(s); {len(failed)} row(s) not invited",
        highlight=False,
    )
    if failed:
        raise typer.Exit(EXIT_SOME_ROWS_FAILED)


def register(app: typer.Typer) -> None:
    app.command("invite")(invite)

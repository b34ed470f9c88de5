"""``harness candidate export|erase EMAIL`` and ``harness retention sweep``: candidate data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli.common import fail, open_database, say

__all__ = ["app", "retention_app"]

app = typer.Typer(
    help="Export or erase what the harness holds about a candidate.", no_args_is_help=True
)
retention_app = typer.Typer(help="Apply the assignments' retention policies.", no_args_is_help=True)


@app.command("export")
def export(
    email: str,
    output: Annotated[Path, typer.Option("-o", "--output", help="Zip file to write.")] = Path(
        "candidate-export.zip"
    ),
) -> None:
    """Write everything held about the candidate with EMAIL to a zip with a JSON manifest."""
    from harness.db.base import utcnow
    from harness.errors import HarnessError
    from harness.retention.service import export_for

    settings, db = open_database()
    try:
        with db.session(write=True) as session:
            done = export_for(session, settings, email, now=utcnow(), actor="cli", dest=output)
    except HarnessError as exc:
        fail(exc.message)
    finally:
        db.dispose()
    rows = ", ".join(f"{name} {n}" for name, n in done.records.items() if n)
    say(f"wrote {done.path}: {rows}; {done.files} file(s)")


@app.command("erase")
def erase(
    email: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase every row and file about the candidate with EMAIL, keeping anonymous figures."""
    from harness.db.base import utcnow
    from harness.errors import HarnessError
    from harness.retention.service import erase_on_request, held_about

    settings, db = open_database()
    try:
        with db.session() as session:
            held = held_about(session, settings, email)
        rows = ", ".join(f"{name} {n}" for name, n in held.records.items() if n)
        say(f"held about {held.email}: {rows}; {held.files} file(s)")
        if not yes and not typer.confirm("Erase all of it? This cannot be undone."):
            fail("nothing erased")
        receipt = erase_on_request(db, settings, email, actor="cli", now=utcnow())
    except HarnessError as exc:
        fail(exc.message)
    finally:
        db.dispose()
    say(
        f"erased (reference {receipt.reference}): {receipt.invitations} invitation(s), "
        f"{receipt.uploads} upload(s); {receipt.files.files} file(s) and {receipt.files.blobs} "
        f"archive(s) deleted, {receipt.files.blobs_shared} archive(s) kept (shared content); "
        f"anonymous figures kept for {receipt.anonymous_uploads} upload(s)"
    )


@retention_app.command("sweep")
def sweep(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what is due.")] = False,
) -> None:
    """Delete what the assignments' retention policies say has expired (what the server does
    daily), and files no row names any more."""
    from harness.db.base import utcnow
    from harness.retention.sweep import retention_sweep

    settings, db = open_database()
    try:
        result = retention_sweep(db, settings, utcnow(), dry_run=dry_run)
    finally:
        db.dispose()
    due = result.due
    say(
        f"due: archives of {len(due.archives)} invitation(s), reports of {len(due.reports)}, "
        f"erasure of {len(due.personal)}"
    )
    if not dry_run:
        say(
            f"done: {result.archives} archive(s), {result.reports} report(s), "
            f"{len(result.erased)} erasure(s), {result.files.files + result.files.blobs} file(s)"
        )
        for inv, why in result.blocked.items():
            say(f"invitation {inv} must wait: {why}")

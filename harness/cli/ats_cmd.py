"""``harness ats key create|list|revoke``: keys of applicant-tracking-system integrations."""

from __future__ import annotations

from typing import Annotated

import typer

from harness.cli.common import fail, open_database, say

__all__ = ["app"]

app = typer.Typer(help="Applicant tracking system integrations.", no_args_is_help=True)
key_app = typer.Typer(help="Create, list and revoke integration keys.", no_args_is_help=True)
app.add_typer(key_app, name="key")


@key_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="A label, e.g. 'Greenhouse (Acme Corp)'.")],
    provider: Annotated[str, typer.Option(help="The ATS: greenhouse.")] = "greenhouse",
) -> None:
    """Create an integration and print its key (shown once)."""
    from harness.ats.integrations import create_integration
    from harness.db.base import utcnow
    from harness.errors import HarnessError

    settings, db = open_database()
    try:
        with db.session(write=True) as session:
            made = create_integration(
                session, settings, provider=provider, name=name, actor="cli", now=utcnow()
            )
            ident = made.integration.id
    except HarnessError as exc:
        fail(exc.message)
    finally:
        db.dispose()
    base = f"{settings.public_url.rstrip('/')}/api/ats/{provider}"
    say(f"integration {ident} ({provider}): key {made.key}")
    say(f"endpoints: {base}/list_tests {base}/send_test {base}/test_status {base}/response_error")


@key_app.command("list")
def list_() -> None:
    """List integrations (key prefixes only)."""
    from harness.ats.integrations import list_integrations

    _, db = open_database()
    try:
        with db.session() as session:
            for i in list_integrations(session):
                state = f"revoked {i.revoked_at:%Y-%m-%d}" if i.revoked_at else "active"
                say(f"{i.id}\t{i.provider}\t{i.key_prefix}...\t{state}\t{i.name}")
    finally:
        db.dispose()


@key_app.command("revoke")
def revoke(integration_id: int) -> None:
    """Refuse the integration's key from now on and stop its callbacks."""
    from harness.ats.integrations import revoke_integration
    from harness.db.base import utcnow
    from harness.errors import HarnessError

    _, db = open_database()
    try:
        with db.session(write=True) as session:
            revoke_integration(session, integration_id, actor="cli", now=utcnow())
    except HarnessError as exc:
        fail(exc.message)
    finally:
        db.dispose()
    say(f"integration {integration_id} revoked")

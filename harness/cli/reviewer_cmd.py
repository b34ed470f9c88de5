"""``harness reviewer create EMAIL [--role reviewer|payroll|admin]`` (password from stdin),
``harness reviewer role EMAIL ROLE`` and ``harness reviewer list``."""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from harness.cli.common import fail, load_settings, out

if TYPE_CHECKING:
    from harness.accounts.models import Role
    from harness.db.engine import Database

__all__ = ["app"]

app = typer.Typer(help="Manage reviewer accounts.", no_args_is_help=True)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            fail("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _database() -> Database:
    from harness.db.engine import Database
    from harness.db.migrate import upgrade_head

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_head(settings.resolved_database_url)
    return Database(settings.resolved_database_url)


_ROLES = "reviewer (reports, invitations), payroll (payments, pay terms) or admin (everything)"


def _role(value: str) -> Role:
    from harness.accounts.models import Role

    try:
        return Role(value)
    except ValueError:
        fail(f"{value!r} is not a role: use {_ROLES}")


@app.command("create")
def create(
    email: str,
    admin: Annotated[bool, typer.Option("--admin", help="Give the admin role.")] = False,
    role: Annotated[str, typer.Option(help=f"The role: {_ROLES}.")] = "reviewer",
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create an account; the password is read from stdin (asked twice on a terminal)."""
    from harness.accounts.models import Role
    from harness.accounts.service import create_reviewer
    from harness.errors import HarnessError

    chosen = Role.admin if admin else _role(role)
    password = _read_password()
    db = _database()
    try:
        with db.session(write=True) as session:
            reviewer = create_reviewer(
                session,
                email,
                password,
                role=chosen,
                name=name,
                actor="cli",
            )
            out.print(f"created {reviewer.role} {reviewer.email}", highlight=False, markup=False)
    except HarnessError as exc:
        fail(exc.message)
    finally:
        db.dispose()


@app.command("role")
def set_role_cmd(email: str, role: str) -> None:
    """Change an account's role; its open sessions move to the new role on their next request
    (under a new session id)."""
    from harness.accounts.repository import ReviewerRepository
    from harness.accounts.service import set_role

    chosen = _role(role)
    db = _database()
    try:
        with db.session(write=True) as session:
            reviewer = ReviewerRepository(session).by_email(email)
            if reviewer is None:
                fail(f"no account {email!r}")
            set_role(session, reviewer, chosen, actor="cli")
            out.print(f"{reviewer.email} is now {chosen.value}", highlight=False, markup=False)
    finally:
        db.dispose()


@app.command("list")
def list_() -> None:
    """List reviewers."""
    from harness.accounts.repository import ReviewerRepository

    db = _database()
    try:
        with db.session() as session:
            for r in ReviewerRepository(session).all():
                out.print(
                    f"{r.email}\t{r.role}\t{'active' if r.active else 'inactive'}",
                    highlight=False,
                    markup=False,
                )
    finally:
        db.dispose()

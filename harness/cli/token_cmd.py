"""``harness token create EMAIL``: an API token for ``Authorization: Bearer``."""

from __future__ import annotations

from typing import Annotated

import typer

from harness.cli.common import fail, out
from harness.cli.reviewer_cmd import _database

__all__ = ["app"]

app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)


@app.command("create")
def create(
    email: str, label: Annotated[str, typer.Option(help="What the token is for.")] = ""
) -> None:
    """Print a new API token for the reviewer EMAIL (shown once; only its hash is stored)."""
    from harness.accounts.repository import ReviewerRepository
    from harness.accounts.service import create_token

    db = _database()
    try:
        with db.session(write=True) as session:
            reviewer = ReviewerRepository(session).by_email(email)
            if reviewer is None:
                fail(f"no reviewer {email!r}; create one with `harness reviewer create {email}`")
            token = create_token(session, reviewer, label=label, actor="cli")
        out.print(token, highlight=False, soft_wrap=True, markup=False)
    finally:
        db.dispose()

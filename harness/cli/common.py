"""Helpers shared by CLI commands: consoles, settings and clean exits."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from harness.settings import Settings

if TYPE_CHECKING:
    from harness.db.engine import Database

__all__ = [
    "EXIT_HARNESS_ERROR",
    "EXIT_USAGE",
    "err",
    "escape",
    "fail",
    "load_settings",
    "open_database",
    "out",
    "say",
]

EXIT_USAGE = 2
"""Bad arguments, unknown assignment, invalid spec."""
EXIT_HARNESS_ERROR = 3
"""The harness could not grade (Docker unavailable, disk full): retry once fixed."""

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``message`` (plain text: never read as console markup) and exit with ``code``."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        fail(f"invalid HARNESS_* settings: {exc}")


def open_database() -> tuple[Settings, Database]:
    """The settings and a migrated database, for commands that read or change rows."""
    from harness.db.engine import Database
    from harness.db.migrate import upgrade_head

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_head(settings.resolved_database_url)
    return settings, Database(settings.resolved_database_url)


def say(text: str) -> None:
    """Print plain text (never read as console markup)."""
    out.print(text, highlight=False, markup=False, soft_wrap=True)

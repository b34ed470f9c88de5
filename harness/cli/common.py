"""Helpers shared by CLI commands: consoles, settings and clean exits."""

from __future__ import annotations

from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from harness.settings import Settings

__all__ = ["EXIT_HARNESS_ERROR", "EXIT_USAGE", "err", "escape", "fail", "load_settings", "out"]

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

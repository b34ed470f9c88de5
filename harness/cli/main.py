"""The ``harness`` command line. Each command group lives in its own module and registers here."""

from __future__ import annotations

import typer

from harness.cli import (
    assignment_cmd,
    ats_cmd,
    calibrate_cmd,
    candidate_cmd,
    grade_cmd,
    invite_cmd,
    reviewer_cmd,
    sandbox_cmd,
    serve_cmd,
    similarity_cmd,
    token_cmd,
    worker_cmd,
)

app = typer.Typer(
    name="harness",
    help="Grade machine-learning take-home submissions in a hardened Docker sandbox.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

grade_cmd.register(app)
app.add_typer(sandbox_cmd.app, name="sandbox")
app.add_typer(assignment_cmd.app, name="assignment")
serve_cmd.register(app)
worker_cmd.register(app)
app.add_typer(reviewer_cmd.app, name="reviewer")
app.add_typer(token_cmd.app, name="token")
invite_cmd.register(app)
calibrate_cmd.register(app)
app.add_typer(similarity_cmd.app, name="similarity")
app.add_typer(candidate_cmd.app, name="candidate")
app.add_typer(candidate_cmd.retention_app, name="retention")
app.add_typer(ats_cmd.app, name="ats")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

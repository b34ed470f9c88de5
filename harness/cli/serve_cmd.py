"""``harness serve``: the web app plus the embedded worker pool."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer

from harness.cli.common import escape, fail, load_settings, out

if TYPE_CHECKING:
    from harness.demo import DemoInfo
    from harness.settings import Settings

__all__ = ["register"]


def _load_demo(settings: Settings, base: str) -> DemoInfo:
    """Load the demo (reviewer, candidate links, graded solutions) and say how to sign in. The
    candidate links go to a file readable by the owner only, never to the console or the log."""
    from harness.db.engine import Database
    from harness.demo import DEMO_REVIEWERS, load_demo
    from harness.errors import HarnessError

    db = Database(settings.resolved_database_url)
    try:
        info = load_demo(settings, db)
    except HarnessError as exc:
        fail(f"could not load the demo: {exc.message}")
    finally:
        db.dispose()
    out.print("[bold]Demo ready[/]")
    out.print(
        f"  Reviewer sign-in: {escape(base)}/login  email [cyan]{escape(info.email)}[/]  "
        f"password [cyan]{escape(info.password)}[/]",
        highlight=False,
        soft_wrap=True,
    )
    out.print(
        f"  Candidate links:  in [cyan]{escape(str(info.links_file))}[/] (kept out of the log)",
        highlight=False,
        soft_wrap=True,
    )
    out.print(
        "  Demo reviewers (same password; they score the demo submissions blind): "
        + ", ".join(f"[cyan]{escape(e)}[/]" for e, _ in DEMO_REVIEWERS),
        highlight=False,
        soft_wrap=True,
    )
    if info.queued:
        out.print(
            f"  Grading {len(info.queued)} demo submission(s) in the background "
            f"(submissions {', '.join(map(str, info.queued))}).",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    if info.erase_after_grading is not None and not info.erased:
        out.print(
            f"  Submission {info.erase_after_grading}'s candidate asks to be erased: once it is "
            "graded it is rejected and erased, and the dashboard keeps counting its figures.",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    elif info.erased:
        out.print(
            "  One demo candidate was erased on request; the dashboard still counts their "
            "upload (see 'figures include ... erased' on the dashboard, and /audit).",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    return info


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None, typer.Option(help="Grading slots (default: HARNESS_WORKERS).")
    ] = None,
    demo: Annotated[
        bool | None,
        typer.Option("--demo/--no-demo", help="Load the demo (default: HARNESS_DEMO)."),
    ] = None,
) -> None:
    """Serve the candidate portal, reviewer pages and API, and grade in the background."""
    import uvicorn

    from api.app import create_app
    from harness.db.migrate import upgrade_head
    from harness.redaction import install_log_redaction
    from harness.settings import DeploymentRefused, Environment, check_deployment

    settings = load_settings()
    updates: dict[str, object] = {
        key: value for key, value in (("workers", workers), ("demo", demo)) if value is not None
    }
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    if settings.environment != Environment.production and "public_url" not in settings.model_fields_set:
        updates["public_url"] = base  # development on loopback: links on the address served here
    if updates:
        settings = settings.model_copy(update=updates)
    try:
        check_deployment(settings, host)
    except DeploymentRefused as exc:
        fail(f"refusing to start: {exc}")
    if settings.environment == Environment.production and settings.demo:
        fail("refusing to start: --demo is never allowed in production (its admin is public)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_head(settings.resolved_database_url)
    demo_info = None
    if settings.demo:
        demo_info = _load_demo(settings, base)
    public = settings.public_url
    out.print(f"Serving on {host}:{port}, reached as {public}  (API reference: {public}/docs)",
              highlight=False, soft_wrap=True, markup=False)
    app = create_app(settings, migrate=False)
    if settings.demo and settings.environment != Environment.production:
        from harness.demo import demo_review_callback, demo_reviews

        # The demo reviewers score the demo submissions once graded (issue 12's review flow).
        app.state.runtime.on_finished.append(demo_review_callback(settings, app.state.db))
        demo_reviews(settings, app.state.db)
    if demo_info is not None and demo_info.erase_after_grading is not None:
        from harness.demo import erase_when_graded

        # After the scorecards: the erase-me candidate is scored, rejected, then erased.
        app.state.runtime.on_finished.append(
            erase_when_graded(settings, app.state.db, demo_info.erase_after_grading)
        )
    uvicorn.run(app, host=host, port=port, log_level="info",
                proxy_headers=False, server_header=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)

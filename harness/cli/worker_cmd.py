"""``harness worker``: grade on this host for an API running in distributed mode."""

from __future__ import annotations

import logging
import os
import re
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from harness.cli.common import EXIT_HARNESS_ERROR, escape, fail, out

if TYPE_CHECKING:
    from harness.jobs.schemas import Hello
    from harness.settings import Settings

__all__ = ["register"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


def _settings(overrides: dict[str, object]) -> Settings:
    """The worker's settings: HARNESS_* with the command line's options on top."""
    from pydantic import ValidationError

    from harness.settings import Environment, Settings

    # A worker never signs anything and never needs HARNESS_SECRET_KEY: the production checks of
    # the API's settings do not apply to it.
    values: dict[str, object] = {"environment": Environment.development, "demo": False}
    values.update({key: value for key, value in overrides.items() if value is not None})
    try:
        settings = Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        fail(f"invalid HARNESS_* settings: {exc}")
    if not settings.worker_token:
        fail("a worker token is needed: set HARNESS_WORKER_TOKEN (the API's value)")
    return settings


def _greet_api(settings: Settings) -> Hello:
    """The API's hello; warns where this worker and the API disagree."""
    from harness.errors import InfrastructureError
    from harness.version import harness_version
    from harness.worker.client import ApiClient

    client = ApiClient(settings.api_url, settings.worker_token or "", retries=2)
    try:
        hello = client.hello()
    except InfrastructureError as exc:
        fail(f"cannot reach the API: {exc.message}", EXIT_HARNESS_ERROR)
    finally:
        client.close()
    if hello.harness_version != harness_version():
        out.print(
            f"[yellow]warning:[/] the API runs harness {escape(hello.harness_version)}, this "
            f"worker {escape(harness_version())}: grading results may differ",
            highlight=False,
        )
    if hello.visibility_timeout_s != settings.visibility_timeout_s:
        out.print(
            f"[yellow]warning:[/] HARNESS_VISIBILITY_TIMEOUT_S is {settings.visibility_timeout_s} "
            f"here and {hello.visibility_timeout_s} on the API; use one value everywhere",
            highlight=False,
        )
    return hello


def _prepare_host(settings: Settings) -> str:
    """The sandbox image (built if needed), with containers of crashed workers removed."""
    import sandbox
    from harness.errors import InfrastructureError
    from harness.grading.local import connect_sandbox, ensure_sandbox_image
    from harness.grading.progress import ProgressEvent

    def show(event: ProgressEvent) -> None:
        if event.message:
            out.print(f"  {event.message}", highlight=False, markup=False)

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        image = ensure_sandbox_image(settings, show)
        removed = connect_sandbox().cleanup_leftovers()
    except (InfrastructureError, sandbox.InfrastructureError) as exc:
        message = getattr(exc, "message", str(exc))
        fail(f"this host cannot run sandboxes: {message}", EXIT_HARNESS_ERROR)
    if removed:
        out.print(f"removed {removed} sandbox container(s) left by a crashed worker", markup=False)
    return image


def worker(
    api_url: Annotated[
        str | None, typer.Option(help="The API's URL (default: HARNESS_API_URL).")
    ] = None,
    broker_url: Annotated[
        str | None, typer.Option(help="Redis broker URL (default: HARNESS_BROKER_URL).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="Worker token (default: HARNESS_WORKER_TOKEN; prefer the variable, "
            "command lines are visible to other users of the host)."
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Jobs at once (default: HARNESS_WORKERS)."),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(help="Name shown to reviewers (default: HARNESS_WORKER_NAME or host-pid)."),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Local work and cache folder (default: HARNESS_DATA_DIR)."),
    ] = None,
    loglevel: Annotated[str, typer.Option(help="Log level.")] = "INFO",
) -> None:
    """Grade submissions for a distributed API: needs Docker, the broker and the API only."""
    from harness.version import harness_version
    from harness.worker.service import WorkerConfig, run_worker

    logging.basicConfig(
        level=getattr(logging, loglevel.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API call otherwise
    settings = _settings({"api_url": api_url, "broker_url": broker_url, "worker_token": token,
                          "data_dir": data_dir, "worker_name": name})
    worker_name = settings.worker_name or f"{socket.gethostname()}-{os.getpid()}"
    if not _NAME.match(worker_name):
        fail(f"worker name {worker_name!r}: use letters, digits, '.', '_', '@' and '-' only")
    slots = concurrency or max(1, settings.workers)
    hello = _greet_api(settings)
    image = _prepare_host(settings)
    out.print(
        f"worker [bold]{escape(worker_name)}[/]: {slots} slot(s), API {escape(settings.api_url)}, "
        f"image {escape(image)}",
        highlight=False,
    )
    config = WorkerConfig(
        api_url=settings.api_url, broker_url=settings.broker_url, token=settings.worker_token or "",
        name=worker_name, concurrency=slots, settings=settings, image=image,
        harness_version=harness_version(), max_output_bytes=hello.max_output_bytes,
    )
    run_worker(config, loglevel=loglevel.upper())


def register(app: typer.Typer) -> None:
    app.command()(worker)

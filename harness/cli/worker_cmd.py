"""``harness worker``: grade on this host for an API running in distributed mode."""

from __future__ import annotations

import logging
import os
import re
import socket
from pathlib import Path
from typing import Annotated

import typer

from harness.cli.common import EXIT_HARNESS_ERROR, escape, fail, out

__all__ = ["register"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


def register(app: typer.Typer) -> None:
    @app.command()
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
        from pydantic import ValidationError

        from harness.errors import InfrastructureError
        from harness.grading.pipeline import ensure_sandbox_image, harness_version
        from harness.grading.progress import ProgressEvent
        from harness.settings import Environment, Settings
        from harness.worker.client import ApiClient
        from harness.worker.service import WorkerConfig, run_worker

        logging.basicConfig(
            level=getattr(logging, loglevel.upper(), logging.INFO),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API call otherwise
        overrides: dict[str, object] = {
            # A worker never signs anything and never needs HARNESS_SECRET_KEY: the production
            # checks of the API's settings do not apply to it.
            "environment": Environment.development,
            "demo": False,
        }
        for key, value in (
            ("api_url", api_url),
            ("broker_url", broker_url),
            ("worker_token", token),
            ("data_dir", data_dir),
            ("worker_name", name),
        ):
            if value is not None:
                overrides[key] = value
        try:
            settings = Settings(**overrides)  # type: ignore[arg-type]
        except ValidationError as exc:
            fail(f"invalid HARNESS_* settings: {exc}")
        if not settings.worker_token:
            fail("a worker token is needed: set HARNESS_WORKER_TOKEN (the API's value)")
        worker_name = settings.worker_name or f"{socket.gethostname()}-{os.getpid()}"
        if not _NAME.match(worker_name):
            fail(f"worker name {worker_name!r}: use letters, digits, '.', '_', '@' and '-' only")
        slots = concurrency or max(1, settings.workers)

        client = ApiClient(settings.api_url, settings.worker_token, retries=2)
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

        def show(event: ProgressEvent) -> None:
            if event.message:
                out.print(f"  {event.message}", highlight=False, markup=False)

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            import sandbox

            image = ensure_sandbox_image(settings, show)
            removed = sandbox.Sandbox().cleanup_leftovers()
        except (InfrastructureError, sandbox.InfrastructureError) as exc:
            message = getattr(exc, "message", str(exc))
            fail(f"this host cannot run sandboxes: {message}", EXIT_HARNESS_ERROR)
        if removed:
            out.print(f"removed {removed} sandbox container(s) left by a crashed worker", markup=False)
        out.print(
            f"worker [bold]{escape(worker_name)}[/]: {slots} slot(s), API {escape(settings.api_url)}, "
            f"image {escape(image)}",
            highlight=False,
        )
        run_worker(
            WorkerConfig(
                api_url=settings.api_url,
                broker_url=settings.broker_url,
                token=settings.worker_token,
                name=worker_name,
                concurrency=slots,
                settings=settings,
                image=image,
                harness_version=harness_version(),
                max_output_bytes=hello.max_output_bytes,
            ),
            loglevel=loglevel.upper(),
        )

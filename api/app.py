"""The FastAPI application: ``create_app(settings)`` builds it; ``harness serve`` runs it."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from api.errors import install_error_handlers
from api.routers import (
    api_candidate,
    api_reviewer,
    ats_greenhouse,
    auth,
    candidate_feedback,
    candidate_pages,
    docs,
    feedback_pages,
    health,
    integrations_pages,
    ledger_api,
    ledger_pages,
    privacy_pages,
    review_api,
    review_pages,
    reviewer_pages,
    worker_api,
    workers,
)
from api.security import SecurityHeadersMiddleware
from api.trusted_hosts import TrustedHostMiddleware
from harness.accounts.throttle import LoginThrottle
from harness.ats.delivery import CallbackDeliverer, make_completion_hook
from harness.db.engine import Database
from harness.db.migrate import upgrade_head
from harness.jobs.dispatch import Dispatcher, NullDispatcher
from harness.jobs.runtime import GradingRuntime
from harness.ledger.clock import Clock, SystemClock
from harness.notify.notifier import Notifier, notifier_from_settings
from harness.redaction import install_log_redaction
from harness.retention.sweep import RetentionSweeper
from harness.review import calibration
from harness.settings import Environment, Mode, Settings, get_settings
from harness.sweep.service import LedgerSweeper

__all__ = ["create_app", "make_dispatcher"]

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

log = logging.getLogger(__name__)

DESCRIPTION = """Grades machine-learning take-home submissions in a hardened Docker sandbox.

Reviewers authenticate with `Authorization: Bearer <token>` (`harness token create EMAIL`).
Candidates use the token of their invitation link in the path (`/api/c/{token}/...`).
"""


def make_dispatcher(
    settings: Settings, db: Database, runtime: GradingRuntime | None = None
) -> Dispatcher:
    """The embedded pool when this process grades (``workers > 0``, embedded mode); the Celery
    dispatcher in distributed mode (workers elsewhere); else nothing."""
    if settings.mode == Mode.embedded and settings.workers <= 0:
        return NullDispatcher()
    from harness.jobs.webhook import make_webhook_callback

    runtime = runtime or GradingRuntime(settings=settings, db=db)
    hook = make_webhook_callback(settings, db)
    if hook is not None:
        runtime.on_finished.append(hook)
    from harness.review.hooks import make_review_callback

    runtime.on_finished.append(make_review_callback(settings, db))
    if settings.mode == Mode.distributed:
        from harness.jobs.distributed import CeleryDispatcher

        return CeleryDispatcher(runtime)
    from harness.jobs.embedded import EmbeddedWorkerPool

    return EmbeddedWorkerPool(runtime, settings.workers)


def _lifespan(settings: Settings, db: Database, *, migrate: bool) -> Lifespan:
    """Start-up and shut-down of the app: migrations, data folders, the worker pool and the
    sweep start with it; they stop, and the engine is disposed, when it stops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_log_redaction()  # uvicorn has configured its loggers by now
        if migrate:
            upgrade_head(settings.resolved_database_url)
        for folder in (settings.blobs_dir, settings.artifacts_dir, settings.work_dir):
            folder.mkdir(parents=True, exist_ok=True)
        app.state.dispatcher.start()
        # Distributed workers have no database: there the API process runs the sweep.
        if app.state.worker_slots or settings.mode == Mode.distributed:
            app.state.sweeper.start()
            app.state.retention_sweeper.start()
            app.state.ats_callbacks.start()
        # The calibration page's figures take seconds at scale: compute them now, not on view.
        calibration.warm_up(db, settings)
        # Everything loaded so far lives as long as the process: move it out of the collector's
        # reach, so a full collection scans only per-request garbage (a full pass over the
        # imported libraries took 80-160 ms, the bulk of the pages' tail latency).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            app.state.ats_callbacks.stop(timeout=10)
            app.state.retention_sweeper.stop(timeout=10)
            app.state.sweeper.stop(timeout=10)
            app.state.dispatcher.stop(timeout=10)
            db.dispose()

    return lifespan


def _set_state(
    app: FastAPI,
    settings: Settings,
    db: Database,
    *,
    dispatcher: Dispatcher | None,
    runtime: GradingRuntime | None,
    clock: Clock | None,
    notifier: Notifier | None,
) -> None:
    """What the dependencies of ``api.deps`` read: settings, database, dispatcher and grading
    runtime, the clock, the notifier, the sweep, the login limiter."""
    app.state.settings = settings
    app.state.db = db
    app.state.dispatcher = dispatcher or make_dispatcher(settings, db, runtime)
    app.state.runtime = (
        getattr(app.state.dispatcher, "runtime", None)
        or runtime
        or GradingRuntime(settings=settings, db=db)
    )
    app.state.worker_slots = (
        settings.workers
        if settings.mode == Mode.embedded and not isinstance(app.state.dispatcher, NullDispatcher)
        else 0
    )
    app.state.login_limiter = LoginThrottle()
    app.state.clock = clock or SystemClock()
    app.state.notifier = notifier or notifier_from_settings(settings)
    app.state.sweeper = LedgerSweeper(
        db,
        settings,
        app.state.clock,
        app.state.notifier,
        interval_s=settings.ledger_sweep_s,
    )
    # Issue 15: ATS completion callbacks when grading ends (retried by their own loop), and
    # the retention sweep beside the ledger sweep.
    app.state.runtime.on_finished.append(make_completion_hook(db, settings, app.state.clock))
    app.state.ats_callbacks = CallbackDeliverer(
        db, settings, app.state.clock, interval_s=settings.ats_delivery_s
    )
    app.state.retention_sweeper = RetentionSweeper(
        db, settings, app.state.clock, interval_s=settings.retention_sweep_s
    )


def _add_routes(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (
        health,
        api_reviewer,
        api_candidate,
        auth,
        candidate_pages,
        ledger_api,
        ledger_pages,
        review_api,
        review_pages,
        reviewer_pages,
        docs,
        workers,
        ats_greenhouse,
        candidate_feedback,
        feedback_pages,
        integrations_pages,
        privacy_pages,
    ):
        app.include_router(module.router)
    app.include_router(feedback_pages.api)
    runtime: GradingRuntime = app.state.runtime
    if runtime.settings.mode == Mode.distributed:
        # The endpoints workers call; their jobs are run by the API's grading runtime.
        from harness.jobs.remote import RemoteJobs

        app.state.remote_jobs = RemoteJobs.for_runtime(runtime)
        app.include_router(worker_api.router)


def create_app(
    settings: Settings | None = None,
    *,
    migrate: bool = True,
    dispatcher: Dispatcher | None = None,
    runtime: GradingRuntime | None = None,
    clock: Clock | None = None,
    notifier: Notifier | None = None,
) -> FastAPI:
    """The web app. Migrations run and the worker pool starts when the app starts (lifespan).

    ``clock`` is where the time box reads the time (tests pass a ``ManualClock`` to move it);
    ``notifier`` sends the time box's notifications (default: SMTP if configured, else the log).
    The ledger sweep runs beside the embedded worker pool, in the process that grades (in
    distributed mode, in the API).
    """
    settings = settings or get_settings()
    db = Database(settings.resolved_database_url)
    app = FastAPI(
        title="Take-home grading harness",
        version="1",
        description=DESCRIPTION,
        lifespan=_lifespan(settings, db, migrate=migrate),
        docs_url=None,
        redoc_url=None,
    )
    _set_state(
        app, settings, db, dispatcher=dispatcher, runtime=runtime, clock=clock, notifier=notifier
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="harness_session",
        # The cookie only carries the session's id and the CSRF token; the session itself
        # (idle and absolute expiry, revocation) is on the server.
        max_age=settings.session_max_hours * 3600,
        same_site="lax",
        https_only=settings.session_cookie_secure,
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.session_cookie_secure)
    app.add_middleware(TrustedHostMiddleware, allowed=settings.resolved_allowed_hosts)
    install_error_handlers(app)
    _add_routes(app)
    if settings.environment == Environment.production and not settings.session_cookie_secure:
        log.warning(
            "HARNESS_SESSION_COOKIE_SECURE is off in production: serve over HTTPS and turn it on"
        )
    return app

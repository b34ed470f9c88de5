"""All settings, from ``HARNESS_*`` environment variables (one class; nothing read at import time)."""

from __future__ import annotations

import functools
import secrets
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Environment", "Mode", "Settings", "get_settings"]

_DEV_SECRET = "dev-insecure-secret-change-me"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Mode(StrEnum):
    embedded = "embedded"
    """One process: API + in-process worker pool + SQLite."""
    distributed = "distributed"
    """Celery workers on a Redis broker, PostgreSQL."""


class Settings(BaseSettings):
    """The harness's configuration. Every field can be set as ``HARNESS_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="HARNESS_", env_file=None, extra="ignore")

    environment: Environment = Environment.development
    """``production`` refuses unsafe defaults (secret key, demo accounts)."""
    mode: Mode = Mode.embedded
    data_dir: Path = Path("var")
    """Root of everything the harness writes: database file, blobs, workspaces, artifacts."""
    database_url: str | None = None
    """SQLAlchemy URL; defaults to a SQLite file in ``data_dir``."""
    secret_key: str = _DEV_SECRET
    """Signs sessions, CSRF tokens and worker links. Must be set outside development."""
    assignments_dir: Path | None = None
    """Extra folder searched for assignments by name (besides the shipped ``assignments/``)."""

    # Sandbox
    sandbox_image_repo: str = "takehome-sandbox"
    """Repository name of the sandbox image; the tag is a hash of its inputs."""
    sandbox_base_image: str | None = None
    """A registry base image (e.g. ``python:3.11-slim``). Unset: try the registry, else debootstrap."""
    debian_mirror: str = "http://deb.debian.org/debian"
    """Mirror debootstrap uses when no registry answers."""
    docker_timeout_s: Annotated[int, Field(ge=5, le=600)] = 60

    # Worker
    workers: Annotated[int, Field(ge=0, le=64)] = 1
    """Grading slots: of the embedded pool in ``harness serve`` (0 disables grading in that
    process), and the default ``--concurrency`` of ``harness worker``."""
    broker_url: str = "redis://127.0.0.1:6379/0"
    """Redis of distributed mode: the Celery broker, worker heartbeats, the dispatch state."""
    api_url: str = "http://127.0.0.1:8000"
    """Where distributed workers reach the API."""
    worker_token: str | None = None
    """Credential a distributed worker presents to the API (required in distributed mode)."""
    worker_name: str | None = None
    """Name a ``harness worker`` reports (default: ``<hostname>-<pid>``)."""
    visibility_timeout_s: Annotated[int, Field(ge=60, le=7 * 24 * 3600)] = 6 * 3600
    """Seconds before the broker hands an unacknowledged grading task to another worker. Must
    exceed the longest grading run (all stages of an assignment); the API warns when not."""

    # Web
    max_upload_mb: Annotated[int, Field(ge=1, le=10240)] = 100
    session_cookie_secure: bool = False
    webhook_url: str | None = None
    webhook_secret: str | None = None
    demo: bool = True
    """Load the demo assignment, reviewer and submissions at start (development only)."""

    # Process
    process_target_days: Annotated[int, Field(ge=1, le=365)] = 14
    """Target from invitation to decision; the dashboard flags candidates heading past it."""
    review_wait_alert_hours: Annotated[int, Field(ge=1, le=24 * 60)] = 72
    smtp_url: str | None = None
    """``smtp://user:pass@host:port``; unset: notifications go to the log."""
    mail_from: str = "harness@localhost"
    public_url: str = "http://127.0.0.1:8000"
    """Base of the links people get outside a request: ``harness invite`` and reminder e-mails."""
    ledger_sweep_s: Annotated[int, Field(ge=0, le=3600)] = 60
    """Seconds between ledger sweeps in the embedded worker (expired invitations, no-submission
    pay, deadline and review reminders); 0 turns the sweep off in this process."""

    # Hiring-team integrations and data protection (issue 15)
    retention_sweep_s: Annotated[int, Field(ge=0, le=7 * 24 * 3600)] = 24 * 3600
    """Seconds between retention sweeps (expired archives, reports and personal data, left-over
    files), in the process that runs the ledger sweep; 0 turns it off in this process."""
    ats_delivery_s: Annotated[int, Field(ge=0, le=3600)] = 30
    """Seconds between passes that retry ATS completion callbacks that failed; 0 turns them off."""
    ats_callback_hosts: str = "app.greenhouse.io"
    """Comma-separated hosts an ATS may name as its completion-callback URL (a leaked
    integration key must not make the harness call arbitrary hosts). Loopback addresses are
    also allowed outside production."""

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.environment == Environment.production:
            if self.secret_key == _DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError(
                    "HARNESS_SECRET_KEY must be set to a random value of at least 32 characters "
                    f"in production, e.g. {secrets.token_urlsafe(32)!r}"
                )
            if self.demo:
                raise ValueError("HARNESS_DEMO must be false in production (demo accounts are public)")
            if self.mode == Mode.distributed and self.resolved_database_url.startswith("sqlite"):
                raise ValueError(
                    "distributed mode needs PostgreSQL in production: set HARNESS_DATABASE_URL, "
                    "e.g. postgresql+psycopg://harness:PASSWORD@db-host:5432/harness"
                )
        if self.mode == Mode.distributed and len(self.worker_token or "") < 24:
            raise ValueError(
                "HARNESS_WORKER_TOKEN must be set (at least 24 characters) in distributed mode: "
                f"workers present it to the API, e.g. {secrets.token_urlsafe(32)!r}"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'harness.db').resolve()}"

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def work_dir(self) -> Path:
        return self.data_dir / "work"

    @property
    def artifacts_dir(self) -> Path:
        return self.data_dir / "artifacts"

    @property
    def worker_outputs_dir(self) -> Path:
        """Distributed mode: output files workers upload, kept per submission until the API has
        graded their run."""
        return self.data_dir / "worker-outputs"

    @property
    def features_dir(self) -> Path:
        """Cached held-out features files (no labels), one per assignment data version."""
        return self.data_dir / "features"


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()

"""All settings, from ``HARNESS_*`` environment variables (one class; nothing read at import time)."""

from __future__ import annotations

import functools
import ipaddress
import secrets
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "DeploymentRefused",
    "Environment",
    "Mode",
    "Settings",
    "check_deployment",
    "get_settings",
    "is_loopback",
]

_DEV_SECRET = "dev-insecure-secret-change-me"
_DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


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
    max_upload_mb: Annotated[int, Field(ge=1, le=10240)] = 50
    """The one upload limit (MiB): streaming cap, intake check, the upload box and every message."""
    session_cookie_secure: bool = False
    """Cookies only over HTTPS. Defaults to on when ``public_url`` is ``https://``."""
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Host names the web app answers to (comma-separated), besides the host of ``public_url``;
    in development, loopback names too. Any other ``Host`` header gets 400."""
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Addresses or networks (comma-separated) of reverse proxies whose ``X-Forwarded-For`` is
    believed; the client address of a request from anyone else is the peer's address."""
    session_idle_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = 60
    """A reviewer's session ends after this long without a request."""
    session_max_hours: Annotated[int, Field(ge=1, le=7 * 24)] = 12
    """A reviewer's session ends this long after sign-in, however active."""
    webhook_url: str | None = None
    webhook_secret: str | None = None
    demo: bool = True
    """Load the demo assignment, reviewer and submissions at start (development only; off by
    default in production)."""

    # Process
    process_target_days: Annotated[int, Field(ge=1, le=365)] = 14
    """Target from invitation to decision; the dashboard flags candidates heading past it."""
    review_wait_alert_hours: Annotated[int, Field(ge=1, le=24 * 60)] = 72
    smtp_url: str | None = None
    """``smtp://user:pass@host:port``; unset: notifications go to the log."""
    mail_from: str = "harness@localhost"
    public_url: str = _DEFAULT_PUBLIC_URL
    """Base of every link the harness builds (candidate links, receipts, reminders, webhooks);
    never taken from a request's ``Host`` header. Must be set in production."""
    ledger_sweep_s: Annotated[int, Field(ge=0, le=3600)] = 60
    """Seconds between ledger sweeps in the embedded worker (expired invitations, no-submission
    pay, deadline and review reminders); 0 turns the sweep off in this process."""

    @model_validator(mode="before")
    @classmethod
    def _defaults_by_environment(cls, data: Any) -> Any:
        """Production turns the demo off unless asked; an ``https://`` public URL turns secure
        cookies on unless told otherwise."""
        if not isinstance(data, dict):
            return data
        keys = {k.lower(): k for k in data}
        env = str(data.get(keys.get("environment", ""), "")).lower()
        if env == Environment.production.value and "demo" not in keys:
            data = {**data, "demo": False}
        url = str(data.get(keys.get("public_url", ""), ""))
        if url.lower().startswith("https://") and "session_cookie_secure" not in keys:
            data = {**data, "session_cookie_secure": True}
        return data

    @field_validator("allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"HARNESS_TRUSTED_PROXIES: {item!r} is not an address or network "
                    "(e.g. 10.0.0.5 or 10.0.0.0/24)"
                ) from None
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError(
                f"HARNESS_PUBLIC_URL must be an http(s) URL such as https://grading.example.com "
                f"(got {value!r})"
            )
        return value.rstrip("/")
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
            if self.public_url == _DEFAULT_PUBLIC_URL:
                raise ValueError(
                    "HARNESS_PUBLIC_URL must be set in production: the address candidates and "
                    "reviewers use, e.g. https://grading.example.com (every link is built on it)"
                )
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
    def public_host(self) -> str:
        """The host name of ``public_url``."""
        return urlsplit(self.public_url).hostname or ""

    @property
    def resolved_allowed_hosts(self) -> list[str]:
        """Every ``Host`` the web app answers to: the public URL's, the configured ones, the
        one workers use in distributed mode (``api_url``), and loopback names outside
        production."""
        hosts = [self.public_host, *self.allowed_hosts]
        if self.mode == Mode.distributed:
            hosts.append(urlsplit(self.api_url).hostname or "")
        if self.environment != Environment.production:
            hosts += sorted(_LOOPBACK_NAMES - {"[::1]"})
        return list(dict.fromkeys(h.lower() for h in hosts if h))

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


class DeploymentRefused(Exception):
    """``harness serve`` would expose a development set-up; the message says what to set."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address to bind) is reachable only from this machine."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_deployment(settings: Settings, host: str) -> None:
    """Refuse to serve a development set-up beyond this machine.

    Binding an address other than loopback, a database URL or distributed mode is a
    deployment: it needs ``HARNESS_ENVIRONMENT=production``, which itself refuses the default
    secret key, the demo and a missing public URL (the validators above).
    """
    if settings.environment == Environment.production:
        return
    reasons = []
    if not is_loopback(host):
        reasons.append(f"listening on {host} (not loopback)")
    if settings.database_url:
        reasons.append("HARNESS_DATABASE_URL is set")
    if settings.mode == Mode.distributed:
        reasons.append("HARNESS_MODE=distributed")
    if reasons:
        raise DeploymentRefused(
            f"this is a deployment ({'; '.join(reasons)}) but HARNESS_ENVIRONMENT is "
            f"{settings.environment.value}, which has a public demo admin and a known secret. "
            "Set HARNESS_ENVIRONMENT=production, HARNESS_SECRET_KEY (at least 32 random "
            "characters, e.g. from `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`) "
            "and HARNESS_PUBLIC_URL (e.g. https://grading.example.com); the demo is off in "
            "production. To try the harness on this machine only, serve on 127.0.0.1."
        )


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()

"""``deploy/compose.yaml`` cannot be run here (no registry), so a test keeps it honest: its
services, the ``HARNESS_*`` names it sets (each a field of Settings), what each part needs and
what a worker must never get (the secret key, the database, the assignments with their labels).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from harness.cli.main import app as cli
from harness.settings import Environment, Mode, Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
FIELDS = {f"HARNESS_{name.upper()}" for name in Settings.model_fields}


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment as a mapping"
    return {k: str(v) for k, v in env.items()}


def _fill(value: str) -> str:
    """Compose interpolation with stand-in secrets: ${VAR:?msg}, ${VAR:-default}, ${VAR}."""
    def one(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if op == ":-":
            return rest
        if name.endswith("_URL"):
            return "https://grading.stand-in.example.com"
        return f"{name.lower()}-stand-in-0123456789abcdef0123456789"

    return re.sub(r"\$\{([A-Z_]+)(:[?-])?([^}]*)\}", one, value)


def _settings(env: dict[str, str]) -> Settings:
    values = {k.removeprefix("HARNESS_").lower(): _fill(v) for k, v in env.items()
              if k.startswith("HARNESS_")}
    return Settings(**values)  # type: ignore[arg-type]


def test_services_and_setting_names() -> None:
    services = _compose()["services"]
    assert set(services) == {"api", "worker", "db", "redis"}
    for name, service in services.items():
        unknown = {k for k in _env(service) if k.startswith("HARNESS_")} - FIELDS
        assert not unknown, f"{name} sets variables Settings does not read: {unknown}"


def test_the_api_is_a_valid_production_configuration() -> None:
    api = _compose()["services"]["api"]
    env = _env(api)
    settings = _settings(env)  # the production checks pass with real-looking secrets
    assert settings.environment == Environment.production and settings.mode == Mode.distributed
    assert settings.resolved_database_url.startswith("postgresql+psycopg://")
    assert settings.broker_url.startswith("redis://redis:")
    assert not settings.demo and settings.session_cookie_secure and settings.workers == 0
    # The workers call the API as http://api:8000: that host must be answered (issue 11).
    assert {"api", "grading.stand-in.example.com"} <= set(settings.resolved_allowed_hosts)
    assert api["command"][:2] == ["harness", "serve"]
    assert any(v.endswith(":/srv/assignments:ro") for v in api["volumes"])


def test_a_worker_gets_only_what_it_needs() -> None:
    services = _compose()["services"]
    worker, api = services["worker"], services["api"]
    env = _env(worker)
    for needed in ("HARNESS_API_URL", "HARNESS_BROKER_URL", "HARNESS_WORKER_TOKEN", "HARNESS_DATA_DIR"):
        assert needed in env, needed
    for never in ("HARNESS_SECRET_KEY", "HARNESS_DATABASE_URL", "HARNESS_ASSIGNMENTS_DIR"):
        assert never not in env, f"a worker must not get {never}"
    settings = _settings(env)
    assert settings.api_url == "http://api:8000" and settings.broker_url == _settings(_env(api)).broker_url
    assert settings.visibility_timeout_s == _settings(_env(api)).visibility_timeout_s
    # The longest run of the shipped assignment fits inside the visibility timeout.
    from harness.assignments.loader import load_assignment

    limits = load_assignment("support-tickets", Settings(demo=False)).spec.limits
    longest = limits.tests.wall_seconds + max(
        limits.train.wall_seconds + limits.predict.wall_seconds, limits.notebook.wall_seconds
    )
    assert settings.visibility_timeout_s > 2 * longest
    # Sandboxes are started by the host's engine: the data folder has one path on both sides.
    volumes = worker["volumes"]
    assert "/var/run/docker.sock:/var/run/docker.sock" in volumes
    assert f"{settings.data_dir}:{settings.data_dir}" in volumes
    assert worker["command"] == ["harness", "worker"]
    assert "worker" in {c.name or getattr(c.callback, "__name__", "") for c in cli.registered_commands}


def test_the_worker_image_holds_no_assignment_data() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.M)
    copies = [line for stage in stages for line in stage.splitlines() if line.startswith("COPY")]
    assert copies and not any("assignments" in line for line in copies), copies
    targets = {stage.split()[2] for stage in stages[1:] if " AS " in stage.splitlines()[0]}
    assert {"api", "worker"} <= targets

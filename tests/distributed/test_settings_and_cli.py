"""Distributed mode's settings checks, and ``harness worker`` refusing to start half-configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from harness.settings import Environment, Mode, Settings
from tests.distributed.cluster import wait_for
from tests.distributed.services import PostgresServer, free_port

REPO = Path(__file__).resolve().parents[2]
SECRET = "s" * 40


def test_distributed_mode_needs_a_worker_token_and_postgresql_in_production() -> None:
    with pytest.raises(ValidationError, match="HARNESS_WORKER_TOKEN"):
        Settings(mode=Mode.distributed, demo=False)
    with pytest.raises(ValidationError, match="HARNESS_WORKER_TOKEN"):
        Settings(mode=Mode.distributed, worker_token="short", demo=False)
    with pytest.raises(ValidationError, match="PostgreSQL"):
        Settings(mode=Mode.distributed, worker_token="t" * 32, environment=Environment.production,
                 secret_key=SECRET, demo=False, public_url="https://grading.example.com")
    ok = Settings(mode=Mode.distributed, worker_token="t" * 32, environment=Environment.production,
                  secret_key=SECRET, demo=False, public_url="https://grading.example.com",
                  database_url="postgresql+psycopg://h:p@db/harness")
    assert ok.visibility_timeout_s == 6 * 3600
    assert Settings(demo=False).worker_token is None  # embedded mode needs none


def _worker(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "worker"],
        cwd=REPO, env={**clean, "HARNESS_DATA_DIR": str(tmp_path), **env},
        capture_output=True, text=True, timeout=120,
    )


def test_worker_refuses_to_start_without_a_token_or_an_api(tmp_path: Path) -> None:
    done = _worker({}, tmp_path)
    assert done.returncode == 2 and "HARNESS_WORKER_TOKEN" in done.stderr, done.stderr
    # A production environment does not make a worker ask for the API's secret key.
    closed = f"http://127.0.0.1:{free_port()}"
    done = _worker({"HARNESS_WORKER_TOKEN": "t" * 32, "HARNESS_API_URL": closed,
                    "HARNESS_ENVIRONMENT": "production"}, tmp_path)
    assert done.returncode == 3, done.stderr
    assert "cannot reach the API" in done.stderr and closed in done.stderr.replace("\n", "")
    done = _worker({"HARNESS_WORKER_TOKEN": "t" * 32, "HARNESS_WORKER_NAME": "bad name!"}, tmp_path)
    assert done.returncode == 2 and "worker name" in done.stderr


@pytest.mark.services
def test_harness_serve_in_distributed_mode(
    tmp_path: Path, postgres_server: PostgresServer, broker_url: str
) -> None:
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    # A database URL and distributed mode are a deployment: production settings (issue 11).
    env = {**clean, "HARNESS_MODE": "distributed", "HARNESS_WORKER_TOKEN": "t" * 32,
           "HARNESS_DATABASE_URL": postgres_server.create_database("serve_cli"),
           "HARNESS_BROKER_URL": broker_url, "HARNESS_DATA_DIR": str(tmp_path / "var"),
           "HARNESS_ENVIRONMENT": "production", "HARNESS_SECRET_KEY": SECRET,
           "HARNESS_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "HARNESS_API_URL": f"http://127.0.0.1:{port}"}
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", "serve", "--port", str(port), "--no-demo"],
        cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 200, 60, "harness serve",
                 log=log, alive=lambda: proc.poll() is None)
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok", "mode": "distributed", "workers": 0}
        hello = httpx.get(f"{base}/api/worker/hello", headers={"Authorization": f"Bearer {'t' * 32}"})
        assert hello.status_code == 200 and hello.json()["stale_after_s"] == 120
        assert httpx.get(f"{base}/api/worker/hello").status_code == 401
    finally:
        proc.terminate()
        proc.wait(30)
    # uvicorn shuts down cleanly, then re-raises the signal it got.
    assert proc.returncode in (0, -15) and "Application shutdown complete" in log.read_text()

"""Production is the default outside loopback (issue 11): the real ``harness serve``, started
each way. On loopback with no settings it serves the development set-up; binding another
address, or any deployment setting, without an explicit production environment (real secret,
public URL, no demo) is refused with a message saying what to set."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from harness.settings import DeploymentRefused, Environment, Mode, Settings, check_deployment

REPO = Path(__file__).resolve().parents[2]
SECRET = "s3cret-" * 6
PUBLIC = "https://grading.example.test"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    return {**clean, "HARNESS_DATA_DIR": str(data_dir), "HARNESS_WORKERS": "0", **extra}


def _refused(tmp_path: Path, args: list[str], **extra: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "serve", *args],
        cwd=REPO,
        env=_env(tmp_path / "var", **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Serving on" not in done.stdout
    return " ".join(done.stderr.split())


def _serve(tmp_path: Path, args: list[str], **extra: str) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", "serve", *args],
        cwd=REPO,
        env=_env(tmp_path / "var", **extra),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return proc, log


def _wait_healthy(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"harness serve did not come up:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def test_loopback_by_default_serves_the_development_set_up(tmp_path: Path) -> None:
    port = _port()
    proc, log = _serve(tmp_path, ["--port", str(port)])
    try:
        _wait_healthy(port, proc, log)
        out = log.read_text()
        assert "Demo ready" in out and f"127.0.0.1:{port}" in out
        links = tmp_path / "var" / "demo-links.txt"
        assert links.stat().st_mode & 0o777 == 0o600  # the links file is the owner's only
        link = links.read_text().splitlines()[0].split("\t")[1]
        assert link.startswith(f"http://127.0.0.1:{port}/c/") and link not in out
        assert httpx.get(link).status_code == 200
    finally:
        _stop(proc)


def test_a_public_address_without_production_settings_is_refused(tmp_path: Path) -> None:
    message = _refused(tmp_path, ["--host", "0.0.0.0", "--port", str(_port())])
    assert "listening on 0.0.0.0 (not loopback)" in message
    for setting in ("HARNESS_ENVIRONMENT=production", "HARNESS_SECRET_KEY", "HARNESS_PUBLIC_URL"):
        assert setting in message
    assert not (tmp_path / "var" / "demo-links.txt").exists()  # no demo was created


def test_a_deployment_setting_on_loopback_is_refused_too(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    message = _refused(tmp_path, ["--port", str(_port())], HARNESS_DATABASE_URL=url)
    assert "HARNESS_DATABASE_URL is set" in message and "HARNESS_ENVIRONMENT=production" in message
    message = _refused(
        tmp_path,
        ["--port", str(_port())],
        HARNESS_MODE="distributed",
        HARNESS_WORKER_TOKEN="t" * 32,
    )
    assert "HARNESS_MODE=distributed" in message


def test_production_needs_a_secret_and_a_public_url_and_never_a_demo(tmp_path: Path) -> None:
    args = ["--host", "0.0.0.0", "--port", str(_port())]
    message = _refused(tmp_path, args, HARNESS_ENVIRONMENT="production")
    assert "HARNESS_SECRET_KEY must be set" in message
    message = _refused(
        tmp_path, args, HARNESS_ENVIRONMENT="production", HARNESS_SECRET_KEY=SECRET
    )
    assert "HARNESS_PUBLIC_URL must be set" in message
    message = _refused(
        tmp_path,
        [*args, "--demo"],
        HARNESS_ENVIRONMENT="production",
        HARNESS_SECRET_KEY=SECRET,
        HARNESS_PUBLIC_URL=PUBLIC,
    )
    assert "--demo is never allowed in production" in message


def test_production_on_a_public_address_serves_without_a_demo(tmp_path: Path) -> None:
    port = _port()
    proc, log = _serve(
        tmp_path,
        ["--host", "0.0.0.0", "--port", str(port)],
        HARNESS_ENVIRONMENT="production",
        HARNESS_SECRET_KEY=SECRET,
        HARNESS_PUBLIC_URL=PUBLIC,
    )
    try:
        _wait_healthy(port, proc, log)
        base, host = f"http://127.0.0.1:{port}", {"Host": "grading.example.test"}
        login = httpx.get(f"{base}/login", headers=host)
        assert login.status_code == 200
        cookie = login.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie  # an https public URL: secure cookies
        assert httpx.get(f"{base}/login").status_code == 400  # a Host that is not the public one
        assert "Demo ready" not in log.read_text()
        assert not (tmp_path / "var" / "demo-links.txt").exists()
    finally:
        _stop(proc)


def test_settings_defaults_by_environment() -> None:
    prod = Settings(environment=Environment.production, secret_key=SECRET, public_url=PUBLIC)
    assert prod.demo is False and prod.session_cookie_secure is True
    assert prod.resolved_allowed_hosts == ["grading.example.test"]
    dev = Settings()
    assert dev.demo is True and dev.session_cookie_secure is False
    assert "localhost" in dev.resolved_allowed_hosts
    with pytest.raises(ValidationError, match="HARNESS_DEMO must be false"):
        Settings(environment=Environment.production, secret_key=SECRET, public_url=PUBLIC, demo=True)
    with pytest.raises(ValidationError, match="HARNESS_TRUSTED_PROXIES"):
        Settings(trusted_proxies=["not-a-network"])
    with pytest.raises(ValidationError, match="HARNESS_PUBLIC_URL must be an http"):
        Settings(public_url="grading.example.com")


def test_check_deployment_names_every_reason() -> None:
    check_deployment(Settings(), "127.0.0.1")  # near miss: loopback development is fine
    check_deployment(Settings(), "::1")
    with pytest.raises(DeploymentRefused) as refused:
        check_deployment(
            Settings(mode=Mode.distributed, worker_token="t" * 32, database_url="sqlite:///x.db"),
            "10.1.2.3",
        )
    text = str(refused.value)
    for reason in ("10.1.2.3", "HARNESS_DATABASE_URL", "HARNESS_MODE=distributed"):
        assert reason in text
    prod = Settings(environment=Environment.production, secret_key=SECRET, public_url=PUBLIC)
    check_deployment(prod, "0.0.0.0")

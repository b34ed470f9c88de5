"""The operator commands, run as a user would: ``harness reviewer create`` and ``harness token create``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from tests.db.fixtures import make_settings

REPO = Path(__file__).resolve().parents[2]


def _harness(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HARNESS_DATA_DIR": str(data_dir), "HARNESS_DEMO": "false"}
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def test_reviewer_and_token_commands(tmp_path: Path) -> None:
    created = _harness(
        tmp_path, "reviewer", "create", "Lead@Example.com", "--admin", stdin="a long password 1\n"
    )
    assert created.returncode == 0, created.stderr
    assert "created admin lead@example.com" in created.stdout
    again = _harness(
        tmp_path, "reviewer", "create", "lead@example.com", stdin="a long password 1\n"
    )
    assert again.returncode != 0 and "already exists" in again.stderr
    short = _harness(tmp_path, "reviewer", "create", "x@example.com", stdin="short\n")
    assert short.returncode != 0 and "at least" in short.stderr
    missing = _harness(tmp_path, "token", "create", "nobody@example.com")
    assert missing.returncode != 0 and "harness reviewer create" in " ".join(missing.stderr.split())
    token = _harness(tmp_path, "token", "create", "lead@example.com", "--label", "ci")
    assert token.returncode == 0, token.stderr
    value = token.stdout.strip()
    assert value.startswith("hrt_") and len(value) > 40

    app = create_app(make_settings(tmp_path), migrate=False)
    with TestClient(app) as client:
        ok = client.get("/api/submissions", headers={"Authorization": f"Bearer {value}"})
        assert ok.status_code == 200 and ok.json()["total"] == 0
        assert (
            client.get("/api/audit", headers={"Authorization": f"Bearer {value}"}).status_code
            == 200
        )


def test_roles_from_the_command_line(tmp_path: Path) -> None:
    made = _harness(
        tmp_path,
        "reviewer",
        "create",
        "pay@example.com",
        "--role",
        "payroll",
        stdin="a long password 1\n",
    )
    assert made.returncode == 0 and "created payroll pay@example.com" in made.stdout
    wrong = _harness(
        tmp_path,
        "reviewer",
        "create",
        "x@example.com",
        "--role",
        "boss",
        stdin="a long password 1\n",
    )
    assert wrong.returncode == 2 and "is not a role" in wrong.stderr
    changed = _harness(tmp_path, "reviewer", "role", "pay@example.com", "admin")
    assert changed.returncode == 0 and "now admin" in changed.stdout
    listed = _harness(tmp_path, "reviewer", "list")
    assert listed.stdout.split() == ["pay@example.com", "admin", "active"]
    missing = _harness(tmp_path, "reviewer", "role", "nobody@example.com", "payroll")
    assert missing.returncode == 2 and "no account" in missing.stderr

"""The web app's API tests, the job tests and the database tests, again on PostgreSQL.

The suites run on SQLite by default; their fixtures switch to PostgreSQL when
``HARNESS_TEST_DATABASE_URL`` is set (migrated once, emptied before each test). This test starts
them in a child pytest against the throw-away PostgreSQL of this session, so ``make test``
covers both databases.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.distributed.services import PostgresServer

REPO = Path(__file__).resolve().parents[2]

SUITES = [
    "tests/api",
    "tests/db",
    "tests/jobs/test_lifecycle.py",
    "tests/jobs/test_embedded_pool.py",
    "tests/jobs/test_fairness.py",
    "tests/security/test_access_matrix.py",
    # Issue 15: erasure, export, retention, feedback, survey and the ATS, on PostgreSQL too.
    "tests/privacy",
    "tests/feedback",
    "tests/ats",
]

pytestmark = pytest.mark.services


def test_api_job_and_database_suites_pass_on_postgresql(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.create_database("harness_suites")
    env = {**os.environ, "HARNESS_TEST_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header",
         f"--basetemp={tmp_path / 'suites'}", *SUITES],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, f"{summary}\n{done.stdout[-8000:]}\n{done.stderr[-2000:]}"
    assert " passed" in summary and "skipped" not in summary, summary

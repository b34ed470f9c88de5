"""A small distributed deployment on this machine, for the tests and ``make bench-scale``.

- the API: the real app in distributed mode, served by uvicorn on 127.0.0.1 in a thread of the
  test process (so tests can look at its database), on PostgreSQL and Redis started on loopback;
- workers: real ``harness worker`` processes, each with its own empty data folder and only the
  API's URL, the broker's URL and the worker token in its environment: no database, no
  assignment folder, no shared filesystem.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import func, select

from harness.assignments.loader import Assignment, load_assignment
from harness.db.engine import Database
from harness.db.migrate import upgrade_head
from harness.jobs.distributed import CeleryDispatcher
from harness.jobs.runtime import GradingRuntime
from harness.settings import Environment, Mode, Settings
from harness.submissions.models import FINISHED, ReportRecord, Submission
from tests.db.factories import make_invitation, make_submission
from tests.distributed.services import free_port
from tests.factories import CONTRACT, PREDICT_PY, TRAIN_PY, make_assignment

REPO = Path(__file__).resolve().parents[2]
WORKER_TOKEN = "worker-token-for-tests-0123456789abcdef"
SECRET = "distributed-test-secret-0123456789abcdef0123"


def tiny_files(*, train_sleep_s: float = 0.0, tag: str = "") -> dict[str, str | bytes]:
    """A working submission for the tiny assignment (standard library only, grades in seconds).

    ``train_sleep_s`` makes training slow, to catch a worker mid-grade; ``tag`` makes archives
    differ, so each upload is its own blob.
    """
    train = TRAIN_PY.strip("\n")
    if train_sleep_s:
        train = f"import time\ntime.sleep({train_sleep_s})\n" + train
    return {
        "submission.toml": CONTRACT.strip("\n") + "\n",
        "train.py": train + "\n",
        "predict.py": PREDICT_PY.strip("\n") + "\n",
        "README.md": f"# Keyword model {tag}\n\nCounts words per label.\n",
    }


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen[bytes]
    data_dir: Path
    log: Path

    def alive(self) -> bool:
        return self.proc.poll() is None


@dataclass
class Cluster:
    root: Path
    database_url: str
    broker_url: str
    heartbeat_s: float = 1.0
    stale_after_s: float = 6.0
    assignment_name: str = "tiny"
    """``tiny`` (made by the test factory) or a shipped assignment such as ``support-tickets``."""
    settings: Settings = field(init=False)
    db: Database = field(init=False)
    assignment: Assignment = field(init=False)
    runtime: GradingRuntime = field(init=False)
    dispatcher: CeleryDispatcher = field(init=False)
    api_url: str = field(init=False)
    workers: dict[str, Worker] = field(default_factory=dict)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    # --- the API ------------------------------------------------------------------------------
    def start(self) -> Cluster:
        from api.app import create_app

        assignments = self.root / "assignments"
        make_assignment(assignments / "tiny", wall_seconds=60)
        port = free_port()
        self.api_url = f"http://127.0.0.1:{port}"
        self.settings = Settings(
            environment=Environment.test,
            mode=Mode.distributed,
            data_dir=self.root / "api",
            database_url=self.database_url,
            broker_url=self.broker_url,
            worker_token=WORKER_TOKEN,
            secret_key=SECRET,
            assignments_dir=assignments,
            api_url=self.api_url,
            workers=0,
            demo=False,
        )
        upgrade_head(self.database_url)
        self.db = Database(self.database_url)
        self.assignment = load_assignment(self.assignment_name, self.settings)
        self.runtime = GradingRuntime(
            settings=self.settings,
            db=self.db,
            heartbeat_s=self.heartbeat_s,
            stale_after_s=self.stale_after_s,
            backoff_s=(2.0,),
        )
        self.dispatcher = CeleryDispatcher(self.runtime, poll_s=0.5, redispatch_after_s=20.0)
        app = create_app(self.settings, migrate=False, dispatcher=self.dispatcher, runtime=self.runtime)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="api", daemon=True)
        self._thread.start()
        wait_for(lambda: self._server is not None and self._server.started, 30, "the API")
        return self

    def stop(self) -> None:
        for name in list(self.workers):
            self.stop_worker(name, graceful=False)
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(20)
        self.db.dispose()

    # --- workers ------------------------------------------------------------------------------
    def start_worker(self, name: str, *, concurrency: int = 1) -> Worker:
        data_dir = self.root / f"worker-{name}"
        data_dir.mkdir(parents=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(data_dir),
            "LANG": "C.UTF-8",
            "HARNESS_API_URL": self.api_url,
            "HARNESS_BROKER_URL": self.broker_url,
            "HARNESS_WORKER_TOKEN": WORKER_TOKEN,
            "HARNESS_DATA_DIR": str(data_dir),
            "HARNESS_WORKER_NAME": name,
        }
        for key in ("DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY"):
            if key in os.environ:
                env[key] = os.environ[key]
        log = self.root / f"worker-{name}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "harness.cli.main", "worker", f"--concurrency={concurrency}"],
            cwd=data_dir,  # not the repository: the worker finds nothing of the API's there
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill takes its pool along
        )
        worker = Worker(name, proc, data_dir, log)
        self.workers[name] = worker
        wait_for(lambda: name in {w.name for w in self.dispatcher.worker_info()}, 90,
                 f"worker {name}'s first heartbeat", log=log, alive=worker.alive)
        return worker

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker and its pool processes at once, as a host dying would."""
        worker = self.workers.pop(name)
        os.killpg(worker.proc.pid, signal.SIGKILL)
        worker.proc.wait(10)

    def stop_worker(self, name: str, *, graceful: bool = True) -> None:
        worker = self.workers.pop(name)
        if worker.alive():
            os.killpg(worker.proc.pid, signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                worker.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.proc.pid, signal.SIGKILL)
                worker.proc.wait(10)

    # --- jobs ---------------------------------------------------------------------------------
    def submit(self, files: dict[str, str | bytes], *, candidate: str = "ada") -> int:
        """Queue a submission for ``candidate`` (one invitation each) and wake the dispatcher."""
        with self.db.session(write=True) as s:
            from harness.invitations.models import Candidate, Invitation

            invitation = s.scalar(
                select(Invitation)
                .join(Candidate, Candidate.id == Invitation.candidate_id)
                .where(Candidate.email == f"{candidate}@example.com")
                .limit(1)
            )
            if invitation is None:
                invitation, _ = make_invitation(
                    s, name=candidate, email=f"{candidate}@example.com", spec=self.assignment.spec
                )
            sid = make_submission(s, self.settings, invitation, files=files).id
        self.dispatcher.enqueue(sid)
        return sid

    def statuses(self, ids: list[int]) -> dict[int, str]:
        with self.db.session() as s:
            rows = s.execute(select(Submission.id, Submission.status).where(Submission.id.in_(ids)))
            return {sid: status for sid, status in rows}

    def wait_finished(self, ids: list[int], timeout: float) -> None:
        finished = {f.value for f in FINISHED}
        wait_for(lambda: set(self.statuses(ids).values()) <= finished, timeout,
                 f"submissions {ids} to finish", log=None, on_timeout=self.describe)

    def reports(self, sid: int) -> list[ReportRecord]:
        with self.db.session() as s:
            return list(s.scalars(select(ReportRecord).where(ReportRecord.submission_id == sid)
                                  .order_by(ReportRecord.id)))

    def current_reports(self, sid: int) -> int:
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(ReportRecord).where(
                ReportRecord.submission_id == sid, ReportRecord.current.is_(True))) or 0

    def submission(self, sid: int) -> Submission:
        with self.db.session() as s:
            sub = s.get(Submission, sid)
            assert sub is not None
            return sub

    def describe(self) -> str:
        with self.db.session() as s:
            rows = s.execute(select(Submission.id, Submission.status, Submission.claimed_by,
                                    Submission.attempts, Submission.message)).all()
        logs = "\n".join(
            f"--- {w.name} ---\n{w.log.read_text(errors='replace')[-3000:]}" for w in self.workers.values()
        )
        return "\n".join(map(str, rows)) + "\n" + logs


def wait_for(
    predicate: Callable[[], Any],
    timeout: float,
    what: str,
    *,
    log: Path | None = None,
    alive: Callable[[], bool] | None = None,
    on_timeout: Callable[[], str] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:
            pass
        if alive is not None and not alive():
            break
        time.sleep(0.2)
    detail = log.read_text(errors="replace")[-4000:] if log is not None and log.exists() else ""
    if on_timeout is not None:
        detail += on_timeout()
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


__all__ = ["REPO", "WORKER_TOKEN", "Cluster", "Worker", "tiny_files", "wait_for"]

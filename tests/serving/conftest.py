"""The serving stage with real containers: a server script in one, the harness's client beside it.

:func:`run_server` runs one serving stage the way grading does (``build_serve_stage`` then
``run_serve_stage``) with small limits, so a hostile server ends in seconds.
"""

from __future__ import annotations

import csv
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

import sandbox
from graders.types import StageOutcome
from harness.assignments.spec import ServingSpec, StageLimits, StagesLimits
from harness.grading.serve import build_serve_stage, run_serve_stage
from harness.grading.stages import StageData
from harness.grading.workdir import RunDirs
from harness.serving.report import REPORT_FILE, ClientReport, read_client_report
from harness.submissions.contract import ProjectContract

TICKETS = [
    {"id": f"T-{100000 + i}", "subject": f"card reader {i}", "body": "it will not pair, please help",
     "channel": "email"}
    for i in range(12)
]

# A stdlib server that follows the contract: what the hostile ones below are variations of.
GOOD_SERVER = '''
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.answer(200, {"status": "ok"}) if self.path == "/health" else self.answer(404, {"detail": "no"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1_000_000:
            return self.answer(413, {"detail": "request body over 1 MB"})
        try:
            payload = json.loads(self.rfile.read(length).decode("utf-8"))
        except ValueError as exc:
            return self.answer(400, {"detail": f"not JSON: {exc}"})
        tickets = payload if isinstance(payload, list) else [payload]
        for t in tickets:
            if not isinstance(t, dict) or not all(isinstance(t.get(k), str) for k in ("subject", "body")):
                return self.answer(422, {"detail": "subject and body must be strings"})
            if not (t["subject"].strip() or t["body"].strip()):
                return self.answer(422, {"detail": "empty ticket"})
        labels = [{"id": t.get("id", ""), "label": "billing"} for t in tickets]
        self.answer(200, labels if isinstance(payload, list) else labels[0])

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
'''


@pytest.fixture(scope="session")
def serve_box() -> Iterator[sandbox.Sandbox]:
    label = f"takehome-harness.sandbox.test-serve-{uuid.uuid4().hex[:8]}"
    box = sandbox.Sandbox(docker.from_env(), label=label)
    yield box
    box.cleanup_leftovers()


def write_features(path: Path, tickets: list[dict[str, str]] = TICKETS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(tickets[0]))
        writer.writeheader()
        writer.writerows(tickets)
    path.chmod(0o644)
    return path


def small_spec(**overrides: Any) -> ServingSpec:
    values: dict[str, Any] = {"ready_seconds": 8, "request_timeout_s": 1.0, "sample": 10,
                              "concurrent_requests": 8, "concurrency": 2, "batches": 2, "batch_size": 4,
                              "long_text_chars": 5000, "max_response_kb": 64}
    values.update(overrides)
    return ServingSpec(**values)


def run_server(
    box: sandbox.Sandbox,
    image: str,
    tmp: Path,
    server_py: str,
    *,
    spec: ServingSpec | None = None,
    wall_seconds: int = 40,
    memory_mb: int = 128,
    command: str = "python serve.py {port}",
) -> StageOutcome:
    """One serving stage of a submission holding ``serve.py``."""
    dirs = RunDirs(tmp / f"run-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex[:12])
    dirs.create()
    (dirs.submission / "serve.py").write_text(textwrap.dedent(server_py), encoding="utf-8")
    features = write_features(tmp / f"features-{uuid.uuid4().hex[:6]}.csv")
    limits = StagesLimits(serve=StageLimits(wall_seconds=wall_seconds, memory_mb=memory_mb, pids=64,
                                            tmpfs_mb=32, log_kb=16))
    data = StageData(train_csv=features, test_csv=features, limits=limits, serving=spec or small_spec())
    contract = ProjectContract("python t.py {train} {model_dir}", "python p.py {test} {predictions}",
                               serve_command=command)
    stage = build_serve_stage(dirs, data, image, contract)
    assert stage is not None
    return run_serve_stage(box, stage)


def client_report(outcome: StageOutcome) -> ClientReport:
    report, problem = read_client_report(outcome.files.get(REPORT_FILE))
    assert report is not None, problem
    return report


def containers_of(client: docker.DockerClient, box: sandbox.Sandbox) -> list[Any]:
    return client.api.containers(all=True, filters={"label": box.label})

"""Hostile servers, each in a real container beside the real load client: every one ends in a
clear verdict within its limits, leaves no container behind, and the next stage works.

Traffic never leaves loopback: the server that tries to reach beyond its namespace reads the
kernel's view of interfaces and routes and tries a port this test listens on at the HOST's
loopback, which must be out of its reach.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import docker
import pytest

import sandbox
from graders.types import Verdict
from tests.serving.conftest import (
    GOOD_SERVER,
    client_report,
    containers_of,
    run_server,
    small_spec,
)

pytestmark = pytest.mark.docker


@pytest.fixture
def healthy(serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path,
            docker_client: docker.DockerClient) -> object:
    """After the test: nothing of the stage is left, and a good server is measured normally."""
    yield None
    assert containers_of(docker_client, serve_box) == []
    outcome = run_server(serve_box, sandbox_image, tmp_path, GOOD_SERVER)
    assert outcome.verdict is Verdict.ok, outcome.message


@pytest.fixture(scope="module")
def docker_client() -> docker.DockerClient:
    return docker.from_env()


def test_a_server_that_follows_the_contract_is_ok(serve_box: sandbox.Sandbox, sandbox_image: str,
                                                  tmp_path: Path) -> None:
    outcome = run_server(serve_box, sandbox_image, tmp_path, GOOD_SERVER)
    assert outcome.verdict is Verdict.ok, outcome.message
    report = client_report(outcome)
    assert report.ready.ok and report.ready.after_s is not None and report.ready.after_s < 8
    assert [r.label for r in report.single.requests] == ["billing"] * 10
    assert all(r.status == 200 for r in report.concurrent.requests) and len(report.concurrent.requests) == 8
    assert [len(b.labels) for b in report.batch.requests] == [4, 4]
    statuses = {r.case: r.status for r in report.bad_requests}
    assert statuses == {"malformed_json": 400, "not_a_ticket": 422, "missing_fields": 422,
                        "wrong_types": 422, "empty_text": 422, "non_utf8": 400, "long_text": 200,
                        "oversized": 413}
    assert all(r.alive_after for r in report.bad_requests) and report.alive_at_end
    assert outcome.exit_code is None and outcome.peak_memory_bytes  # stopped by the harness
    assert outcome.outputs == ["serving.json"]


def test_a_server_that_never_binds_fails_with_nothing_answering(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    started = time.monotonic()
    outcome = run_server(serve_box, sandbox_image, tmp_path, "import time\ntime.sleep(600)\n",
                         spec=small_spec(ready_seconds=3))
    assert outcome.verdict is Verdict.failed
    assert outcome.message == "nothing answered GET /health on port 8765 ({port}) within 3 s"
    assert time.monotonic() - started < 20


def test_a_server_on_another_port_is_told_which_port_it_used(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    # The candidate hard-coded 8000; the shell treats the rest as a comment.
    outcome = run_server(serve_box, sandbox_image, tmp_path, GOOD_SERVER,
                         spec=small_spec(ready_seconds=3), command="python serve.py 8000 # {port}")
    assert outcome.verdict is Verdict.failed
    assert "nothing listens on port 8765; the server listens on 8000" in outcome.message
    assert client_report(outcome).ready.listening == [8000]


def test_a_slow_server_times_out_request_by_request(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    slow = GOOD_SERVER.replace("    def do_POST(self):\n", "    def do_POST(self):\n        import time; time.sleep(3)\n")
    started = time.monotonic()
    outcome = run_server(serve_box, sandbox_image, tmp_path, slow)
    assert outcome.verdict is Verdict.timed_out
    assert outcome.message.startswith("the server answers too slowly: 3 single-ticket request(s) took longer than 1 s")
    report = client_report(outcome)
    assert report.single.stopped_early == "3 requests in a row timed out"
    assert all(r.error == "timeout" and 1000 <= r.ms < 1500 for r in report.single.requests)
    assert time.monotonic() - started < 40


HANGS = """
import socket, sys, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(64)
held = []
while True:
    conn, _ = server.accept()
    held.append(conn)  # accepted, never read, never answered, never closed
"""


def test_a_server_that_holds_connections_open_times_out_before_ready(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    outcome = run_server(serve_box, sandbox_image, tmp_path, HANGS, spec=small_spec(ready_seconds=3))
    assert outcome.verdict is Verdict.timed_out
    assert "never answered within 3 s (connections were accepted, no answer came)" in outcome.message


DRIBBLES = GOOD_SERVER.replace(
    "    def do_POST(self):\n",
    "    def do_POST(self):\n"
    "        import time\n"
    "        self.wfile.write(b'HTTP/1.1 200 OK\\r\\nContent-Length: 1000\\r\\n\\r\\n')\n"
    "        while True:\n"
    "            self.wfile.write(b'x'); self.wfile.flush(); time.sleep(0.2)\n",
)


def test_a_server_that_dribbles_bytes_cannot_stretch_the_deadline(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    outcome = run_server(serve_box, sandbox_image, tmp_path, DRIBBLES)
    assert outcome.verdict is Verdict.timed_out, outcome.message
    report = client_report(outcome)
    # Each byte came within the per-read wait; the request's deadline still cut it at 1 s.
    assert all(r.error == "timeout" and r.ms < 1500 for r in report.single.requests)


FLOODS = GOOD_SERVER.replace(
    "    def do_POST(self):\n",
    "    def do_POST(self):\n"
    "        self.send_response(200)\n"
    "        self.send_header('Content-Length', str(50 * 1024 * 1024))\n"
    "        self.end_headers()\n"
    "        for _ in range(800):\n"
    "            self.wfile.write(b'x' * 65536)\n"
    "        return\n",
)
CHUNK_FLOOD = GOOD_SERVER.replace(
    "    def do_POST(self):\n",
    "    def do_POST(self):\n"
    "        self.send_response(200)\n"
    "        self.send_header('Transfer-Encoding', 'chunked')\n"
    "        self.end_headers()\n"
    "        while True:\n"
    "            self.wfile.write(b'10000\\r\\n' + b'x' * 65536 + b'\\r\\n')\n",
)


@pytest.mark.parametrize("server", [FLOODS, CHUNK_FLOOD], ids=["content-length", "chunked-forever"])
def test_a_server_that_floods_its_answers_is_cut_off(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object, server: str
) -> None:
    outcome = run_server(serve_box, sandbox_image, tmp_path, server)
    assert outcome.verdict is Verdict.output_too_large
    assert "passed the 64 KiB response cap and were cut off" in outcome.message
    report = client_report(outcome)
    assert {r.error for r in report.single.requests} == {"too_large"}


def test_a_server_that_floods_its_log_is_killed(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    noisy = "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n"
    outcome = run_server(serve_box, sandbox_image, tmp_path, noisy)
    assert outcome.verdict is Verdict.output_too_large
    assert outcome.message.startswith("the server printed more than") and "killed as flooding" in outcome.message
    assert outcome.log_truncated


def test_a_server_that_daemonises_is_told_to_stay_in_the_foreground(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    daemon = "import os\nif os.fork():\n    os._exit(0)\n" + GOOD_SERVER
    outcome = run_server(serve_box, sandbox_image, tmp_path, daemon)
    assert outcome.verdict is Verdict.failed
    assert "exited with code 0 (a server must stay in the foreground, not daemonise)" in outcome.message


def test_a_server_that_forks_without_end_is_held_by_the_process_limit(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    bomb = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    refused = False\n"
        "    while True:\n"
        "        try:\n"
        "            os.fork()\n"
        "        except OSError:\n"
        "            if not refused:\n"
        "                print('fork refused', flush=True)\n"
        "                refused = True\n"
        "            time.sleep(0.05)\n"
        + GOOD_SERVER.replace("ThreadingHTTPServer((", "HTTPServer((")
        .replace("import json, sys", "import json, sys, time\ntime.sleep(1)")
    )
    started = time.monotonic()
    outcome = run_server(serve_box, sandbox_image, tmp_path, bomb, spec=small_spec(ready_seconds=5))
    assert "fork refused" in outcome.log_tail
    # Whatever the server still managed, the stage ended within its limits with a verdict.
    assert outcome.verdict in {Verdict.ok, Verdict.failed, Verdict.timed_out}, outcome.message
    assert time.monotonic() - started < 60


def test_a_server_that_fills_memory_is_out_of_memory(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    hungry = GOOD_SERVER.replace(
        "    def do_POST(self):\n",
        "    def do_POST(self):\n        hoard = []\n        while True:\n            hoard.append(b'x' * (8 << 20))\n",
    )
    outcome = run_server(serve_box, sandbox_image, tmp_path, hungry, memory_mb=96)
    assert outcome.verdict is Verdict.out_of_memory
    assert outcome.message == "the server was killed: out of memory (limit 96 MiB)"
    assert outcome.peak_memory_bytes is None or outcome.peak_memory_bytes > 80 * 1024 * 1024


def test_a_server_that_crashes_after_its_first_answer_fails(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    crashing = GOOD_SERVER.replace(
        "        self.answer(200, labels if isinstance(payload, list) else labels[0])\n",
        "        self.answer(200, labels if isinstance(payload, list) else labels[0])\n"
        "        self.wfile.flush()\n        import os; os._exit(3)\n",
    )
    outcome = run_server(serve_box, sandbox_image, tmp_path, crashing)
    assert outcome.verdict is Verdict.failed
    assert outcome.message == (
        "the server exited (exit code 3) while being measured, after answering 1 request(s)")
    assert outcome.exit_code == 3
    report = client_report(outcome)
    # The client stops sending once the host signals the exit, or once refusals say so first.
    assert len(report.single.requests) <= 5
    assert report.single.stopped_early in {"the server exited", "3 requests in a row were refused"}
    assert all(r.status is None and r.error in {"refused", "not_sent"} for r in report.bad_requests)


REACHES_OUT = """
import os, socket, sys
print("interfaces", sorted(os.listdir("/sys/class/net")), flush=True)
print("routes", len(open("/proc/net/route").read().splitlines()[1:]), flush=True)
probe = socket.socket()
probe.settimeout(2)
try:
    probe.connect(("127.0.0.1", int(sys.argv[2])))
    print("host port reached", flush=True)
except OSError as exc:
    print("host port refused:", type(exc).__name__, flush=True)
print("docker socket:", "present" if os.path.exists("/var/run/docker.sock") else "absent", flush=True)
sys.argv = sys.argv[:2]
"""


def test_a_server_cannot_reach_beyond_its_namespace(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, healthy: object
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    host_port = listener.getsockname()[1]
    try:
        outcome = run_server(serve_box, sandbox_image, tmp_path, REACHES_OUT + GOOD_SERVER,
                             command=f"python serve.py {{port}} {host_port}")
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing arrived at the host's loopback
    finally:
        listener.close()
    assert outcome.verdict is Verdict.ok, outcome.message
    log = outcome.log_tail
    assert "interfaces ['lo']" in log and "routes 0" in log
    assert "host port refused: ConnectionRefusedError" in log and "docker socket: absent" in log


def test_the_harness_s_own_trouble_raises_and_leaves_no_container(
    serve_box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    """Near miss of every verdict above: a client that cannot start is not the candidate's fault."""
    import dataclasses
    import textwrap
    import uuid

    from harness.assignments.spec import StageLimits, StagesLimits
    from harness.errors import InfrastructureError
    from harness.grading.serve import build_serve_stage, run_serve_stage
    from harness.grading.stages import StageData
    from harness.grading.workdir import RunDirs
    from harness.submissions.contract import ProjectContract
    from tests.serving.conftest import write_features

    dirs = RunDirs(tmp_path / "run", uuid.uuid4().hex[:12])
    dirs.create()
    (dirs.submission / "serve.py").write_text(textwrap.dedent(GOOD_SERVER))
    features = write_features(tmp_path / "features.csv")
    data = StageData(train_csv=features, test_csv=features, serving=small_spec(),
                     limits=StagesLimits(serve=StageLimits(wall_seconds=30, memory_mb=128)))
    contract = ProjectContract("t {train} {model_dir}", "p {test} {predictions}", serve_command="python serve.py {port}")
    stage = build_serve_stage(dirs, data, sandbox_image, contract)
    assert stage is not None
    broken = dataclasses.replace(stage, image="takehome-sandbox:no-such-image")  # the client's image only
    with pytest.raises(InfrastructureError, match="running the load client"):
        run_serve_stage(serve_box, broken)
    assert containers_of(docker_client, serve_box) == []

"""The load client's HTTP handling and phases, against small servers on this host's loopback.

The client runs in its own container in grading; its code is the standard library only, so it is
tested here directly. Every server below listens on 127.0.0.1 and nothing is sent anywhere else.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from harness.serving import loadclient
from harness.serving.loadclient import Answer, Client, Http, Streak
from harness.serving.plan import build_plan
from harness.serving.report import ClientReport
from tests.serving.conftest import TICKETS, small_spec

Raw = Callable[[socket.socket], None]


@pytest.fixture
def raw_server() -> Iterator[Callable[[Raw], int]]:
    """A loopback server whose every connection is handed to ``behaviour``; returns its port."""
    sockets: list[socket.socket] = []

    def start(behaviour: Raw) -> int:
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        sockets.append(server)

        def loop() -> None:
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                sockets.append(conn)
                threading.Thread(target=behaviour, args=(conn,), daemon=True).start()

        threading.Thread(target=loop, daemon=True).start()
        return int(server.getsockname()[1])

    yield start
    for sock in sockets:
        sock.close()


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def answering(response: bytes) -> Raw:
    def behaviour(conn: socket.socket) -> None:
        _read_request(conn)
        conn.sendall(response)
        conn.close()

    return behaviour


def test_a_content_length_answer_is_read_to_its_length(raw_server: Callable[[Raw], int]) -> None:
    port = raw_server(answering(b'HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n{"label": "a"}  '))
    answer = Http(port, 1024).call("GET", "/", None, 2.0)
    assert (answer.status, answer.body, answer.error) == (200, b'{"label": "a"}  ', "")


def test_a_chunked_answer_is_decoded(raw_server: Callable[[Raw], int]) -> None:
    body = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"
    port = raw_server(answering(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body))
    assert Http(port, 1024).call("GET", "/", None, 2.0).body == b"hello world"


def test_an_answer_closed_without_length_is_read_to_the_end(raw_server: Callable[[Raw], int]) -> None:
    port = raw_server(answering(b"HTTP/1.0 404 Not Found\r\n\r\nno such path"))
    answer = Http(port, 1024).call("GET", "/", None, 2.0)
    assert (answer.status, answer.body) == (404, b"no such path")


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", "too_large"),  # declared past the cap
        (b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 5000, "too_large"),  # streamed past the cap
        (b"SSH-2.0-OpenSSH\r\n\r\n", "bad_http"),
        (b"HTTP/1.1 200 OK\r\n" + b"X-Filler: y\r\n" * 8000, "bad_http"),  # headers without end
        (b"", "reset"),
    ],
    ids=["declared-too-large", "streamed-too-large", "not-http", "endless-headers", "closed"],
)
def test_unusable_answers_are_named(raw_server: Callable[[Raw], int], response: bytes, error: str) -> None:
    port = raw_server(answering(response))
    answer = Http(port, 1024).call("GET", "/", None, 2.0)
    assert answer.status is None and answer.error == error


def test_a_cap_just_large_enough_is_not_a_flood(raw_server: Callable[[Raw], int]) -> None:
    """Near miss of the cap: an answer of exactly the cap is read whole."""
    port = raw_server(answering(b"HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n" + b"x" * 1024))
    answer = Http(port, 1024).call("GET", "/", None, 2.0)
    assert answer.status == 200 and len(answer.body) == 1024


def test_a_dribbling_server_is_cut_at_the_deadline(raw_server: Callable[[Raw], int]) -> None:
    def dribble(conn: socket.socket) -> None:
        _read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        try:
            for _ in range(100):
                conn.sendall(b"x")
                time.sleep(0.1)
        except OSError:
            pass

    port = raw_server(dribble)
    started = time.monotonic()
    answer = Http(port, 1024).call("GET", "/", None, 0.5)
    assert answer.error == "timeout" and time.monotonic() - started < 0.9


def test_nothing_listening_is_refused() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    assert Http(port, 1024).call("GET", "/", None, 1.0).error == "refused"


def test_an_early_413_is_read_although_the_body_was_not() -> None:
    """A server may answer 413 and close before reading a large body: the client still reads it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def refuse() -> None:
        conn, _ = server.accept()
        _read_request(conn)
        conn.sendall(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 11\r\n\r\ntoo large!!")
        time.sleep(0.3)
        conn.close()

    thread = threading.Thread(target=refuse)
    thread.start()
    try:
        answer = Http(port, 1024).call("POST", "/", b"x" * 2_000_000, 3.0)
    finally:
        thread.join()
        server.close()
    assert answer.status == 413 and answer.body == b"too large!!"


def test_a_streak_stops_only_on_the_same_failure_in_a_row() -> None:
    streak = Streak(3)
    for error in ("timeout", "timeout", "refused", "timeout", "timeout"):
        streak.note(Answer(None, b"", error, 1.0))
    assert streak.reason() == ""
    streak.note(Answer(None, b"", "timeout", 1.0))
    assert streak.reason() == "3 requests in a row timed out"
    streak.note(Answer(200, b"{}", "", 1.0))
    assert streak.reason() == ""


def test_listening_ports_are_read_from_the_kernel() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        assert server.getsockname()[1] in loadclient.listening_ports()
    finally:
        server.close()


class _Contract(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._send(200, {"status": "ok"})

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            payload = json.loads(raw)
        except ValueError:
            return self._send(400, {"detail": "not JSON"})
        if isinstance(payload, list):
            return self._send(200, [{"label": "billing"} for _ in payload])
        if not isinstance(payload, dict) or not isinstance(payload.get("body"), str):
            return self._send(422, {"detail": "not a ticket"})
        self._send(200, {"label": "billing"})


def test_the_client_runs_every_phase_and_its_report_fits_the_schema(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Contract)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        spec = small_spec(port=server.server_address[1])
        plan = build_plan(spec, [dict(t) for t in TICKETS[:10]], id_column="id", server_started_at=time.time(),
                          wall_seconds=40)
        plan["control"] = str(tmp_path / "server-exited")
        (tmp_path / "plan.json").write_text(json.dumps(plan))
        assert loadclient.main(["loadclient", str(tmp_path / "plan.json"), str(tmp_path / "out.json")]) == 0
    finally:
        server.shutdown()
        server.server_close()
    report = ClientReport.model_validate_json((tmp_path / "out.json").read_bytes())
    assert report.ready.ok and report.single.planned == 10 and len(report.single.requests) == 10
    assert [r.id for r in report.single.requests] == [t["id"] for t in TICKETS[:10]]
    assert {r.label for r in report.single.requests} == {"billing"}
    assert report.concurrent.planned == 8 and len(report.concurrent.requests) == 8
    assert [b.labels for b in report.batch.requests] == [["billing"] * 4] * 2
    assert [r.case for r in report.bad_requests] == [
        "malformed_json", "not_a_ticket", "missing_fields", "wrong_types", "empty_text", "non_utf8",
        "long_text", "oversized"]
    assert report.alive_at_end and not report.server_exited


def test_the_client_stops_waiting_when_the_host_says_the_server_exited(tmp_path: Path) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    (tmp_path / "server-exited").write_text("exited\n")
    plan = build_plan(small_spec(port=port, ready_seconds=30), [dict(t) for t in TICKETS], id_column="id",
                      server_started_at=time.time(), wall_seconds=40)
    plan["control"] = str(tmp_path / "server-exited")
    started = time.monotonic()
    report = Client(plan).run()
    assert time.monotonic() - started < 2
    assert report["ready"] == {**report["ready"], "ok": False, "server_exited": True,
                               "last_error": "the server exited"}

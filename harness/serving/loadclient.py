"""The serving stage's load client: measures a candidate's model server from a container of its own.

Runs INSIDE the client container (never on the host), with the standard library only: it is
mounted read-only with its plan, and shares nothing with the server but the server container's
network namespace, whose loopback is all that exists there. It is ``python -I loadclient.py PLAN
OUT``: it reads the plan the harness wrote (port, paths, tickets, bad requests, limits), measures,
and writes one JSON report to ``OUT``, which the host reads back bounded and schema-checked.

Every wait is bounded here: each request has a deadline from connect to last byte (a server that
dribbles bytes or holds the connection open cannot stretch it), answers are read up to a cap and
then cut off, a phase stops after a few timeouts in a row, and the whole run has a budget. The host
kills the container if it overruns anyway.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import sys
import threading
import time
from typing import Any

REPORT_VERSION = 1
_HEADER_CAP = 64 * 1024
_FAILURES_IN_A_ROW = 3
_MESSAGE_CHARS = 200
_STREAK_SAYS = {"timeout": "timed out", "refused": "were refused", "reset": "were reset"}


class Answer:
    """One request's outcome: an HTTP status and body, or the error that stopped it."""

    __slots__ = ("body", "error", "ms", "status")

    def __init__(self, status: int | None, body: bytes, error: str, ms: float) -> None:
        self.status = status
        self.body = body
        self.error = error
        self.ms = ms


class Streak:
    """Requests failing the same way in a row: past a few, a phase stops (the server is down or
    too slow, and waiting on every remaining request would only spend the budget)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.error = ""
        self.count = 0

    def note(self, answer: Answer) -> None:
        if answer.error in _STREAK_SAYS and answer.error == self.error:
            self.count += 1
        else:
            self.error, self.count = (answer.error, 1) if answer.error in _STREAK_SAYS else ("", 0)

    def reason(self) -> str:
        if self.count >= self.limit:
            return f"{self.count} requests in a row {_STREAK_SAYS[self.error]}"
        return ""


class _Cut(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _head_end(buf: bytearray) -> int:
    end = buf.find(b"\r\n\r\n")
    if end < 0 and len(buf) > _HEADER_CAP:
        raise _Cut("bad_http")
    return end


def _parse_head(head: bytes) -> tuple[int, int | None, bool]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise _Cut("bad_http")
    length: int | None = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "content-length" and value.isdigit():
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    return int(parts[1]), length, chunked


def _dechunk(data: bytes) -> tuple[bytes, bool]:
    """The body of a chunked message so far, and whether its last chunk arrived."""
    out = bytearray()
    pos = 0
    while True:
        line_end = data.find(b"\r\n", pos)
        if line_end < 0:
            return bytes(out), False
        size_text = data[pos:line_end].split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise _Cut("bad_http") from None
        if size == 0:
            return bytes(out), True
        start = line_end + 2
        if len(data) < start + size + 2:
            return bytes(out), False
        out += data[start : start + size]
        pos = start + size + 2


class Http:
    """HTTP/1.1 over loopback, one connection per request (``Connection: close``)."""

    def __init__(self, port: int, cap: int) -> None:
        self.port = port
        self.cap = cap

    def call(self, method: str, path: str, body: bytes | None, timeout: float,
             content_type: str = "application/json") -> Answer:
        started = time.perf_counter()
        deadline = time.monotonic() + max(timeout, 0.001)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            status, data = self._exchange(sock, method, path, body, content_type, deadline)
            return Answer(status, data, "", (time.perf_counter() - started) * 1000)
        except _Cut as cut:
            return Answer(None, b"", cut.error, (time.perf_counter() - started) * 1000)
        finally:
            sock.close()

    def _exchange(self, sock: socket.socket, method: str, path: str, body: bytes | None,
                  content_type: str, deadline: float) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nConnection: close\r\n"
        head += "Accept: application/json\r\n"
        if body is not None:
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect(("127.0.0.1", self.port))
        except TimeoutError:
            raise _Cut("timeout") from None
        except ConnectionRefusedError:
            raise _Cut("refused") from None
        except OSError:
            raise _Cut("connect_failed") from None
        try:
            sock.settimeout(_remaining(deadline))
            sock.sendall(head.encode("latin-1") + b"\r\n" + (body or b""))
        except TimeoutError:
            raise _Cut("timeout") from None
        except OSError:
            pass  # it may have answered (413) and closed before reading everything: read on
        return self._read(sock, deadline)

    def _read(self, sock: socket.socket, deadline: float) -> tuple[int, bytes]:
        buf = bytearray()
        head_end = -1
        status, length, chunked = 0, None, False
        while True:
            if head_end < 0:
                head_end = _head_end(buf)
                if head_end >= 0:
                    status, length, chunked = _parse_head(bytes(buf[:head_end]))
            if head_end >= 0:
                body = bytes(buf[head_end + 4 :])
                if len(body) > self.cap or (length or 0) > self.cap:
                    raise _Cut("too_large")
                if chunked:
                    decoded, done = _dechunk(body)
                    if done:
                        return status, decoded
                elif length is not None and len(body) >= length:
                    return status, body[:length]
            try:
                sock.settimeout(_remaining(deadline))
                chunk = sock.recv(65536)
            except TimeoutError:
                raise _Cut("timeout") from None
            except OSError:
                chunk = b""
                if head_end < 0:
                    raise _Cut("reset") from None
            if not chunk:
                if head_end < 0:
                    raise _Cut("reset" if not buf else "bad_http")
                body = bytes(buf[head_end + 4 :])
                return status, (_dechunk(body)[0] if chunked else body)
            buf += chunk


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Cut("timeout")
    return left


def _label_of(item: Any) -> str | None:
    if isinstance(item, dict) and isinstance(item.get("label"), str):
        return str(item["label"])[:100]
    return None


def listening_ports() -> list[int]:
    """TCP ports something listens on in this network namespace (the server's)."""
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as fh:
                lines = fh.read(1 << 20).splitlines()[1:]
        except OSError:
            continue
        for line in lines[:4096]:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "0A":
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return sorted(ports)[:20]


class Client:
    """Runs the plan's phases in order and returns the report."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.http = Http(int(plan["port"]), int(plan["max_response_bytes"]))
        self.timeout = float(plan["request_timeout_s"])
        self.began = time.monotonic()
        self.budget_end = self.began + float(plan["budget_s"])
        self.exhausted = False

    # --- conditions ---------------------------------------------------------------------------
    def server_exited(self) -> bool:
        return os.path.exists(self.plan["control"])

    def out_of_budget(self) -> bool:
        if time.monotonic() >= self.budget_end:
            self.exhausted = True
        return self.exhausted

    def _stop_reason(self, streak: Streak) -> str:
        if self.server_exited():
            return "the server exited"
        if self.out_of_budget():
            return "the stage's time budget ran out"
        return streak.reason()

    def _limit(self, seconds: float) -> float:
        return max(0.001, min(seconds, self.budget_end - time.monotonic()))

    # --- requests -----------------------------------------------------------------------------
    def health(self, timeout: float | None = None) -> Answer:
        limit = self._limit(timeout or float(self.plan["health_timeout_s"]))
        return self.http.call("GET", self.plan["health_path"], None, limit)

    def predict(self, payload: bytes, content_type: str = "application/json") -> Answer:
        return self.http.call("POST", self.plan["predict_path"], payload, self._limit(self.timeout),
                              content_type)

    # --- phases -------------------------------------------------------------------------------
    def wait_ready(self) -> dict[str, Any]:
        # The limit runs from the server container's start, a little before this client's.
        since_start = max(0.0, time.time() - float(self.plan["server_started_at"]))
        deadline = self.began + max(0.5, float(self.plan["ready_seconds"]) - since_start)
        attempts, last_status, last_error = 0, None, ""
        while time.monotonic() < deadline and not self.out_of_budget():
            if self.server_exited():
                return self._not_ready(attempts, last_status, "the server exited", True)
            answer = self.health(min(float(self.plan["health_timeout_s"]), deadline - time.monotonic()))
            attempts += 1
            if answer.status is not None and 200 <= answer.status < 300:
                ready_at = time.time()
                after = ready_at - float(self.plan["server_started_at"])
                return {"ok": True, "after_s": round(max(after, 0.0), 3), "attempts": attempts,
                        "last_status": answer.status, "last_error": "", "listening": [],
                        "server_exited": False}
            last_status, last_error = answer.status, answer.error
            time.sleep(0.02 if answer.error == "refused" else 0.1)
        return self._not_ready(attempts, last_status, last_error, self.server_exited())

    def _not_ready(self, attempts: int, status: int | None, error: str, exited: bool) -> dict[str, Any]:
        return {"ok": False, "after_s": None, "attempts": attempts, "last_status": status,
                "last_error": error, "listening": listening_ports(), "server_exited": exited}

    def single(self) -> dict[str, Any]:
        records: list[dict[str, Any]] = []
        started = time.monotonic()
        streak = Streak(_FAILURES_IN_A_ROW)
        stopped = ""
        for ticket in self.plan["sample"]:
            stopped = self._stop_reason(streak)
            if stopped:
                break
            answer = self.predict(json.dumps(ticket).encode())
            record = _record(answer)
            record["id"] = str(ticket.get(self.plan["id_column"], ""))[:100]
            if answer.status is not None and 200 <= answer.status < 300:
                label, problem = _single_label(answer.body)
                record["label"], record["detail"] = label, problem
            records.append(record)
            streak.note(answer)
        return {"planned": len(self.plan["sample"]), "wall_s": round(time.monotonic() - started, 4),
                "stopped_early": stopped, "requests": records}

    def concurrent(self) -> dict[str, Any]:
        tickets = self.plan["sample"]
        total = int(self.plan["concurrent_requests"])
        if not tickets or total <= 0:
            return {"planned": 0, "wall_s": 0.0, "stopped_early": "", "requests": []}
        bodies = [json.dumps(t).encode() for t in tickets]
        lock = threading.Lock()
        streak = Streak(_FAILURES_IN_A_ROW * int(self.plan["concurrency"]))
        state: dict[str, Any] = {"next": 0, "stopped": ""}
        records: list[dict[str, Any]] = []

        def worker() -> None:
            while True:
                with lock:
                    if state["stopped"] or state["next"] >= total:
                        return
                    reason = self._stop_reason(streak)
                    if reason:
                        state["stopped"] = reason
                        return
                    index = state["next"]
                    state["next"] += 1
                answer = self.predict(bodies[index % len(bodies)])
                with lock:
                    records.append(_record(answer))
                    streak.note(answer)

        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(int(self.plan["concurrency"]))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return {"planned": total, "wall_s": round(time.monotonic() - started, 4),
                "stopped_early": state["stopped"], "requests": records}

    def batch(self) -> dict[str, Any]:
        tickets = self.plan["sample"]
        size, count = int(self.plan["batch_size"]), int(self.plan["batches"])
        records: list[dict[str, Any]] = []
        started = time.monotonic()
        streak = Streak(_FAILURES_IN_A_ROW)
        stopped = ""
        for index in range(count if tickets else 0):
            stopped = self._stop_reason(streak)
            if stopped:
                break
            chunk = [tickets[(index * size + k) % len(tickets)] for k in range(size)]
            answer = self.predict(json.dumps(chunk).encode())
            record = _record(answer)
            record["ids"] = [str(t.get(self.plan["id_column"], ""))[:100] for t in chunk]
            if answer.status is not None and 200 <= answer.status < 300:
                record["labels"], record["detail"] = _batch_labels(answer.body, size)
            records.append(record)
            streak.note(answer)
        return {"planned": count if tickets else 0, "wall_s": round(time.monotonic() - started, 4),
                "stopped_early": stopped, "requests": records}

    def bad_requests(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for case in self.plan["bad_requests"]:
            row: dict[str, Any] = {"case": case["case"]}
            if self.server_exited() or self.out_of_budget():
                row["error"] = "not_sent"
                rows.append(row)
                continue
            answer = self.predict(_case_body(case), case.get("content_type", "application/json"))
            row.update(_record(answer))
            row["message"] = answer.body[:_MESSAGE_CHARS * 4].decode("utf-8", "replace")[:_MESSAGE_CHARS]
            alive = self.health()
            row["alive_after"] = alive.status is not None and 200 <= alive.status < 300
            rows.append(row)
        return rows

    def run(self) -> dict[str, Any]:
        report: dict[str, Any] = {"version": REPORT_VERSION, "ready": self.wait_ready()}
        measuring = time.monotonic()
        if report["ready"]["ok"]:
            report["single"] = self.single()
            report["concurrent"] = self.concurrent()
            report["batch"] = self.batch()
            report["bad_requests"] = self.bad_requests()
            end = self.health() if not self.server_exited() and not self.out_of_budget() else None
            report["alive_at_end"] = (end is not None and end.status is not None
                                      and 200 <= end.status < 300)
        report["measured_s"] = round(time.monotonic() - measuring, 4)
        report["server_exited"] = self.server_exited()
        report["budget_exhausted"] = self.exhausted
        return report


def _record(answer: Answer) -> dict[str, Any]:
    return {"status": answer.status, "ms": round(answer.ms, 3), "error": answer.error}


def _single_label(body: bytes) -> tuple[str | None, str]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None, "the answer is not JSON"
    label = _label_of(parsed)
    return (label, "") if label is not None else (None, 'the answer has no "label" string')


def _batch_labels(body: bytes, size: int) -> tuple[list[str | None], str]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return [], "the answer is not JSON"
    if not isinstance(parsed, list):
        return [], "the answer to a batch is not a JSON array"
    labels = [_label_of(item) for item in parsed[: size + 1]]
    if len(parsed) != size:
        return labels[:size], f"{len(parsed)} answers for {size} tickets"
    return labels, "" if all(label is not None for label in labels) else 'an answer has no "label"'


def _case_body(case: dict[str, Any]) -> bytes:
    if "pad" in case:
        pad = case["pad"]
        payload = dict(case["json"])
        payload[pad["field"]] = "x" * int(pad["chars"])
        return json.dumps(payload).encode()
    return base64.b64decode(case["body_b64"])


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as fh:
        plan = json.load(fh)
    report = Client(plan).run()
    tmp = argv[2] + ".part"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(report, fh)
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""A local stand-in for Greenhouse's side of the Assessment Partner API, on 127.0.0.1.

It does what the contract (developers.greenhouse.io/assessment.html) says Greenhouse does:
calls the partner's ``list_tests``, ``send_test`` and ``test_status`` with HTTP Basic (the key as
the user name), validates the answers the way Greenhouse describes them (and reports a
malformed one to ``response_error``), polls ``test_status`` until ``complete`` and then stops,
and accepts ``PATCH`` on the ``url`` it gave with the send, after which it asks ``test_status``.
It also checks the harness's signature on the PATCH. Tests can make it refuse the next PATCHes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

__all__ = ["ContractViolation", "FakeGreenhouse", "Patch"]

PATCH_PATH = "/integrations/testing_partners/take_home_tests/"


class ContractViolation(AssertionError):
    """An answer of the partner that Greenhouse would refuse."""


@dataclass
class Patch:
    take_home_id: str
    status: int
    basic_ok: bool
    signature_ok: bool


@dataclass
class SentTest:
    take_home_id: str
    partner_interview_id: str
    body: dict[str, Any]
    statuses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.statuses) and self.statuses[-1]["partner_status"] == "complete"


def _validate_status(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("partner_status"), str):
        raise ContractViolation("test_status needs partner_status, a string")
    if body["partner_status"] == "complete" and not isinstance(body.get("partner_profile_url"), str):
        raise ContractViolation("partner_status is 'complete' but partner_profile_url is missing")
    score = body.get("partner_score")
    if score is not None and (not isinstance(score, int | float) or isinstance(score, bool)):
        raise ContractViolation("partner_score must be a number")
    metadata = body.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise ContractViolation("metadata must be an object")
        for key, value in metadata.items():
            if isinstance(value, dict | list):
                raise ContractViolation(f"metadata {key!r} is nested; values must be primitives")
    return body


class FakeGreenhouse:
    def __init__(
        self, partner_base: str, key: str, *, now: Callable[[], float] = time.time
    ) -> None:
        self.partner_base = partner_base.rstrip("/")
        self.key = key
        self.now = now
        """Greenhouse's clock, to refuse stale signatures (tests with a moved clock pass theirs)."""
        self.tests: dict[str, SentTest] = {}
        self.patches: list[Patch] = []
        self.polls = 0
        self.fail_next_patches = 0
        self.reported_errors: list[dict[str, Any]] = []
        self.known: set[str] = set()
        """Take-home ids Greenhouse accepts a PATCH for (those it sent)."""
        self._ids = itertools.count(12345)
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()
        self._polled = threading.Condition(self._lock)

    # --- Greenhouse calling the partner ---------------------------------------------------
    def _auth(self) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{self.key}:".encode()).decode()}

    def _call(self, method: str, name: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{self.partner_base}/{name}", headers=self._auth(), timeout=30, **kwargs)

    def _report(self, api_call: str, error: str, **extra: Any) -> None:
        body = {"api_call": api_call, "errors": [error], **extra}
        self.reported_errors.append(body)
        self._call("POST", "response_error", json=body)

    def list_tests(self) -> list[dict[str, Any]]:
        r = self._call("GET", "list_tests")
        r.raise_for_status()
        body = r.json()
        ok = isinstance(body, list) and all(
            isinstance(t, dict) and isinstance(t.get("partner_test_id"), str)
            and isinstance(t.get("partner_test_name"), str) for t in body
        )
        if not ok:
            self._report("list_tests", "each test needs partner_test_id and partner_test_name")
            raise ContractViolation("list_tests")
        return list(body)

    def send_test(self, test_id: str, first: str, last: str, email: str) -> SentTest:
        take_home_id = str(next(self._ids))
        body = {
            "partner_test_id": test_id,
            "candidate": {
                "first_name": first,
                "last_name": last,
                "email": email,
                "resume_url": "https://example.invalid/resume",
                "phone_number": "123-456-7890",
                "greenhouse_profile_url": f"https://app.greenhouse.io/people/{take_home_id}",
            },
            "url": f"{self.callback_base}{PATCH_PATH}{take_home_id}",
        }
        self.known.add(take_home_id)
        sent = SentTest(take_home_id, self._send(body), body)
        self.tests[take_home_id] = sent
        return sent

    def resend(self, sent: SentTest) -> str:
        """The same send again (Greenhouse retries a send that timed out)."""
        return self._send(sent.body)

    def _send(self, body: dict[str, Any]) -> str:
        r = self._call("POST", "send_test", json=body)
        r.raise_for_status()
        answer = r.json()
        if not isinstance(answer, dict) or not isinstance(answer.get("partner_interview_id"), str):
            self._report("send_test", "partner_interview_id is missing")
            raise ContractViolation("send_test")
        return str(answer["partner_interview_id"])

    def poll(self, sent: SentTest) -> dict[str, Any]:
        r = self._call("GET", "test_status", params={"partner_interview_id": sent.partner_interview_id})
        r.raise_for_status()
        try:
            body = _validate_status(r.json())
        except ContractViolation as exc:
            self._report("test_status", str(exc), partner_interview_id=sent.partner_interview_id)
            raise
        with self._polled:
            sent.statuses.append(body)
            self.polls += 1
            self._polled.notify_all()
        return body

    def hourly_poll(self) -> int:
        """What Greenhouse's hourly job does: poll every test that is not complete yet."""
        due = [t for t in self.tests.values() if not t.complete]
        for sent in due:
            self.poll(sent)
        return len(due)

    def wait_for_status(self, sent: SentTest, status: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._polled:
            while not (sent.statuses and sent.statuses[-1]["partner_status"] == status):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {status!r} status; got {sent.statuses[-1:]}")
                self._polled.wait(left)
            return sent.statuses[-1]

    # --- the partner calling Greenhouse (PATCH) -------------------------------------------
    @property
    def callback_base(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _check_patch(self, path: str, headers: Any) -> tuple[bool, bool]:
        expected = "Basic " + base64.b64encode(f"{self.key}:".encode()).decode()
        basic_ok = hmac.compare_digest(headers.get("Authorization", ""), expected)
        stamp = headers.get("X-Harness-Timestamp", "")
        url = f"{self.callback_base}{path}"
        mac = hmac.new(self.key.encode(), f"{stamp}.PATCH.{url}".encode(), hashlib.sha256).hexdigest()
        fresh = stamp.isdigit() and abs(self.now() - int(stamp)) < 600
        signature_ok = fresh and hmac.compare_digest(headers.get("X-Harness-Signature", ""), f"sha256={mac}")
        return basic_ok, signature_ok

    def _on_patch(self, path: str, headers: Any) -> int:
        take_home_id = path.removeprefix(PATCH_PATH)
        basic_ok, signature_ok = self._check_patch(path, headers)
        with self._lock:
            if take_home_id not in self.known or not path.startswith(PATCH_PATH):
                status = 404
            elif not (basic_ok and signature_ok):
                status = 401
            elif self.fail_next_patches > 0:
                self.fail_next_patches -= 1
                status = 503
            else:
                status = 204
            self.patches.append(Patch(take_home_id, status, basic_ok, signature_ok))
        if status == 204 and take_home_id in self.tests:  # "This will trigger a Test Status request"
            threading.Thread(target=self.poll, args=(self.tests[take_home_id],), daemon=True).start()
        return status

    def start(self) -> FakeGreenhouse:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_PATCH(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self.send_response(fake._on_patch(self.path, self.headers))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

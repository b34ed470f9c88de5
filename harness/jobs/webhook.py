"""The optional webhook sent when a submission finishes grading.

The body is JSON; ``X-Harness-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>``
lets the receiver check it came from us. ``X-Harness-Timestamp`` is inside the signed body too,
so a receiver can refuse replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from harness.db.engine import Database
from harness.settings import Settings
from harness.submissions.models import Submission

__all__ = ["deliver_event", "make_webhook_callback", "sign"]

log = logging.getLogger(__name__)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def make_webhook_callback(settings: Settings, db: Database) -> Callable[[int, str], None] | None:
    """A finished-callback posting to ``settings.webhook_url``, or None when not configured."""
    url = settings.webhook_url
    if not url:
        return None
    secret = settings.webhook_secret or settings.secret_key

    def send(submission_id: int, status: str) -> None:
        with db.session() as session:
            sub = session.get(Submission, submission_id)
            if sub is None:
                return
            payload = {
                "event": "submission.finished",
                "timestamp": int(time.time()),
                "submission": {
                    "id": sub.id,
                    "invitation_id": sub.invitation_id,
                    "version": sub.version,
                    "assignment": sub.assignment_name,
                    "status": status,
                    "overall_score": sub.overall_score,
                    "url": f"{settings.public_url.rstrip('/')}/api/submissions/{sub.id}",
                },
            }
        _post(url, secret, "submission.finished", payload)

    return send


def _post(url: str, secret: str, event: str, payload: dict[str, Any]) -> bool:
    """POST the signed payload, retrying server errors and network failures (3 attempts)."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Harness-Signature": sign(secret, body),
        "X-Harness-Event": event,
    }
    for attempt in range(3):
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=5.0)
            if response.status_code < 500:
                return True
        except httpx.HTTPError as exc:
            log.warning("webhook to %s failed (attempt %d): %s", url, attempt + 1, exc)
        time.sleep(0.5 * 2**attempt)
    log.error("webhook %s not delivered", event)
    return False


def deliver_event(settings: Settings, event: str, data: dict[str, Any]) -> bool:
    """Send one event (``review.scorecards_complete``, ...) to ``settings.webhook_url``, signed
    like ``submission.finished``; the body is ``{"event", "timestamp", "data"}``. Called after
    the transaction that produced the event committed. False when not configured or not
    delivered."""
    if not settings.webhook_url:
        return False
    payload = {"event": event, "timestamp": int(time.time()), "data": data}
    return _post(settings.webhook_url, settings.webhook_secret or settings.secret_key, event, payload)

"""Device cookies: a browser that signed in to an account before is recognised on its next
sign-in, so throttling aimed at the account (someone else guessing its password) does not lock
its owner out (see ``harness.accounts.throttle``).

The cookie is ``<reviewer id>.<issued, unix seconds>.<nonce>.<HMAC>``, signed with a key derived
from ``HARNESS_SECRET_KEY``. It proves only "this browser signed in to this account before";
the password is still required.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["DEVICE_COOKIE", "DEVICE_LIFETIME", "Device", "issue_device", "read_device"]

DEVICE_COOKIE = "harness_device"
DEVICE_LIFETIME = timedelta(days=90)


@dataclass(frozen=True)
class Device:
    reviewer_id: int
    nonce: str

    @property
    def key(self) -> str:
        """The device's name in the throttle's counters."""
        return f"{self.reviewer_id}:{self.nonce}"


def _key(secret: str) -> bytes:
    # A key of its own, so this signature never doubles as a session or link signature.
    return hmac.new(secret.encode(), b"harness device cookies v1", hashlib.sha256).digest()


def _sign(secret: str, payload: str) -> str:
    return hmac.new(_key(secret), payload.encode(), hashlib.sha256).hexdigest()[:32]


def issue_device(secret: str, reviewer_id: int, now: datetime) -> str:
    """A new device cookie value for a browser that just signed in as ``reviewer_id``."""
    payload = f"{reviewer_id}.{int(now.timestamp())}.{secrets.token_urlsafe(12)}"
    return f"{payload}.{_sign(secret, payload)}"


def read_device(secret: str, value: str | None, now: datetime) -> Device | None:
    """The device a cookie names, when its signature holds and it is younger than 90 days."""
    if not value or len(value) > 200:
        return None
    payload, _, signature = value.rpartition(".")
    parts = payload.split(".")
    if len(parts) != 3 or not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    reviewer_id, issued, nonce = parts
    if not reviewer_id.isdigit() or not issued.isdigit():
        return None
    if now.timestamp() - int(issued) > DEVICE_LIFETIME.total_seconds():
        return None
    return Device(int(reviewer_id), nonce)

"""Short-lived signed links to a job's input files.

A worker needs two things to download an input: its worker token (``Authorization``), which
says it is one of ours, and a link the API signed when it handed out the claim, which says
which file, for which claim, until when. The signature is an HMAC-SHA256, under a key derived
from ``HARNESS_SECRET_KEY``, of ``kind, submission id, attempt, expiry``. The API also checks
that the claim is still the current one, so a link dies with its claim even before it expires:
a leaked link, or one kept by a worker presumed dead, opens nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum
from urllib.parse import urlencode

from harness.errors import HarnessError

__all__ = ["LINK_TTL_S", "FileKind", "LinkRefused", "sign", "signed_path", "verify"]

LINK_TTL_S = 600
"""Links live ten minutes: the worker downloads its inputs right after the claim."""


class FileKind(StrEnum):
    bundle = "bundle"
    train = "train"
    features = "features"


class LinkRefused(HarnessError):
    status_code = 403


def _key(secret: str) -> bytes:
    # A key of its own, so a link signature can never double as a session or CSRF signature.
    return hmac.new(secret.encode(), b"harness worker links v1", hashlib.sha256).digest()


def sign(secret: str, kind: FileKind, submission_id: int, attempt: int, expires: int) -> str:
    message = f"{kind.value}\n{submission_id}\n{attempt}\n{expires}".encode()
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def signed_path(
    secret: str, kind: FileKind, submission_id: int, attempt: int, expires: int
) -> str:
    """``/api/worker/files/<kind>/<id>?attempt=..&expires=..&sig=..``."""
    query = urlencode(
        {
            "attempt": attempt,
            "expires": expires,
            "sig": sign(secret, kind, submission_id, attempt, expires),
        }
    )
    return f"/api/worker/files/{kind.value}/{submission_id}?{query}"


def verify(
    secret: str,
    kind: FileKind,
    submission_id: int,
    attempt: int,
    expires: int,
    sig: str,
    *,
    now: float,
) -> None:
    """Raise :class:`LinkRefused` unless ``sig`` is ours for these values and not expired."""
    expected = sign(secret, kind, submission_id, attempt, expires)
    if not hmac.compare_digest(expected, sig):
        raise LinkRefused("the link's signature does not match: ask the API for a new claim")
    if now > expires:
        raise LinkRefused("the link has expired: ask the API for a new claim")

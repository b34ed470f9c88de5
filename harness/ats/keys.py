"""API keys of ATS integrations: shown once, checked by hash, derivable again by the server.

The ATS authenticates with HTTP Basic, the key as the user name (Greenhouse appends a colon and
sends no password). The harness must present the same key when it calls the ATS back, so the key
is derived from the server's secret key and a random salt stored with the integration: the
database keeps the salt and the key's SHA-256, never the key. Rotating ``HARNESS_SECRET_KEY``
therefore changes every integration's key: create new keys after rotating it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = ["KEY_PREFIX", "NewKey", "derive_key", "key_hash", "new_key", "parse_basic"]

KEY_PREFIX = "hak_"
"""Marks harness ATS keys (so a leaked one is recognisable in a scan)."""


def derive_key(secret_key: str, salt: str) -> str:
    digest = hmac.new(secret_key.encode(), f"ats-key:{salt}".encode(), hashlib.sha256).digest()
    return KEY_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class NewKey:
    key: str
    """Shown once to the admin, who gives it to the ATS."""
    salt: str
    hash: str
    prefix: str


def new_key(secret_key: str) -> NewKey:
    salt = secrets.token_hex(16)
    key = derive_key(secret_key, salt)
    return NewKey(key=key, salt=salt, hash=key_hash(key), prefix=key[: len(KEY_PREFIX) + 6])


def parse_basic(header: str | None) -> str | None:
    """The key from an ``Authorization: Basic base64(key:)`` header; None when absent or
    malformed (the password part is ignored, as Greenhouse sends none)."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic" or not value.strip() or len(value) > 1024:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user = decoded.partition(":")[0].strip()
    return user or None

"""The one validation layer for what people type: e-mail addresses and names.

Every path that takes an address (an invitation by API, form or CSV, a reviewer account, a
notification's recipients) calls ``email_address``; every candidate or reviewer name goes
through ``person_name``. So an address accepted anywhere can be mailed everywhere, and the
API's schema, the form and the CSV say the same thing about the same input.

E-mail syntax is checked by ``email-validator`` (a maintained implementation of the RFCs),
without DNS lookups: invitations must not wait on, or leak to, a resolver.
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

from harness.errors import HarnessError

__all__ = ["MAX_EMAIL", "MAX_NAME", "InvalidInput", "email_address", "person_name"]

MAX_EMAIL = 320
MAX_NAME = 200
_NAME_FORBIDDEN = frozenset("<>{}[]\\|`")
_JOINERS = frozenset("\u200c\u200d")  # zero-width (non-)joiners: part of names in some scripts


class InvalidInput(HarnessError, ValueError):
    """A field that cannot be accepted as typed; the message says which and why."""

    status_code = 422


def email_address(value: str, *, field: str = "email") -> str:
    """One plain e-mail address, normalised (lower-cased, domain in ASCII), or ``InvalidInput``.

    Display names (``Eve <eve@example.com>``), several addresses, internationalised local parts
    and special-use domains (``.test``, ``.localhost``, ...) are refused: the notifier sends
    plain SMTP to exactly the address shown to reviewers.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_EMAIL:
        raise InvalidInput(f"{field}: give one email address (at most {MAX_EMAIL} characters)")
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"{field}: {text[:80]!r} is not an email address ({exc})") from None
    return (checked.ascii_email or checked.normalized).lower()


def person_name(value: str, *, field: str = "name") -> str:
    """A name as people write it: whitespace collapsed, 1 to 200 characters, no control or
    invisible formatting characters, none of ``< > { } [ ] \\ | `` ` (markup, not names)."""
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text or len(text) > MAX_NAME:
        raise InvalidInput(f"{field}: give 1 to {MAX_NAME} characters")
    bad = sorted(
        {
            ch
            for ch in text
            if ch in _NAME_FORBIDDEN
            or (unicodedata.category(ch) in ("Cc", "Cf") and ch not in _JOINERS)
        }
    )
    if bad:
        shown = ", ".join(repr(ch) for ch in bad[:5])
        raise InvalidInput(f"{field}: {shown} cannot be part of a name")
    if not any(ch.isalpha() for ch in text):
        raise InvalidInput(f"{field}: a name needs at least one letter")
    return text

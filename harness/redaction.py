"""Secrets out of logs: candidate links, API tokens, bearer credentials, signed worker links,
session cookies and passwords in URLs are replaced before a log line is written.

``redact(text)`` is the one rule; ``RedactSecrets`` applies it to log records (their message and
every string argument, so formatters that read ``record.args`` positionally, like uvicorn's
access log, keep working); ``install_log_redaction()`` puts it on the handlers a process writes
through. Imports nothing of the harness, so every layer may use it.
"""

from __future__ import annotations

import logging
import re

__all__ = ["REDACTED", "RedactSecrets", "install_log_redaction", "redact"]

REDACTED = "<redacted>"

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # A candidate link's token: /c/<token> (also inside /api/c/<token>/...).
    (re.compile(r"(/c/)[A-Za-z0-9_\-]{8,}"), rf"\1{REDACTED}"),
    # Reviewer API tokens (harness.accounts: "hrt_" and 256 random bits).
    (re.compile(r"\bhrt_[A-Za-z0-9_\-]{8,}"), f"hrt_{REDACTED}"),
    # Whatever follows "Bearer" in a header that reached a message.
    (re.compile(r"(?i)\b(bearer\s+)[^\s,;\"']+"), rf"\1{REDACTED}"),
    # Signatures and tokens in query strings (worker file links, anything else).
    (re.compile(r"(?i)([?&](?:sig|token|signature|key)=)[^&\s\"']+"), rf"\1{REDACTED}"),
    # Session and device cookies.
    (re.compile(r"(?i)\b(harness_session|harness_device)=[^;\s\"']+"), rf"\1={REDACTED}"),
    # user:password@ in URLs (SMTP, Redis, PostgreSQL).
    (re.compile(r"([a-z][a-z0-9+.\-]*://[^/\s:@]*:)[^/\s@]+@"), rf"\1{REDACTED}@"),
)


def redact(text: str) -> str:
    """``text`` with every secret the harness hands out replaced by ``<redacted>``."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Redacts a record's message and string arguments (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "celery", "harness")


def install_log_redaction() -> None:
    """Put ``RedactSecrets`` on every handler of the loggers this process writes through, and
    on uvicorn's access logger itself (idempotent; call again after logging is reconfigured)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        targets: list[logging.Filterer] = [*logger.handlers]
        if name == "uvicorn.access":
            targets.append(logger)
        for target in targets:
            if not any(isinstance(f, RedactSecrets) for f in target.filters):
                target.addFilter(RedactSecrets())

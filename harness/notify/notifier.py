"""Where notifications go: one ``Notifier`` protocol; e-mail over SMTP when configured, the log
otherwise, and a list in memory for tests and previews.

``HARNESS_SMTP_URL`` takes three schemes:

- ``smtp://[user:pass@]host[:25]``: plain SMTP. Credentials are refused unless the host is the
  loopback (a relay on the same machine), because they would cross the network in clear;
- ``smtp+starttls://user:pass@host[:587]``: SMTP upgraded with STARTTLS (submission port);
- ``smtps://user:pass@host[:465]``: SMTP over TLS from the first byte.

User and password are percent-decoded (``%40`` for ``@``).
"""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from harness.errors import HarnessError, InfrastructureError
from harness.ledger.clock import Clock, SystemClock
from harness.notify.messages import Notification
from harness.redaction import redact
from harness.settings import Environment, Settings

__all__ = [
    "LogNotifier",
    "MemoryNotifier",
    "NotificationError",
    "Notifier",
    "SmtpConfig",
    "SmtpConfigError",
    "SmtpNotifier",
    "SmtpSecurity",
    "notifier_from_settings",
    "parse_smtp_url",
]

_log = logging.getLogger("harness.notify")


class NotificationError(InfrastructureError):
    """The mail server could not be reached or refused the message; retry later."""


class SmtpConfigError(HarnessError):
    """``HARNESS_SMTP_URL`` cannot be used as given."""

    status_code = 500


@runtime_checkable
class Notifier(Protocol):
    """Sends one notification, or raises ``NotificationError`` (retriable)."""

    def send(self, notification: Notification) -> None: ...


class LogNotifier:
    """Writes each notification to the log (the default, where there is no mail server).

    With ``include_body`` (outside production) the body is logged too, with every secret in it
    redacted (``harness.redaction``): candidate links show as ``/c/<redacted>``, because logs
    travel further than mail. In production the body is left out altogether. The link itself
    is in the invitation's answer (API, page, ``harness invite``), shown once to the inviter.
    """

    def __init__(self, logger: logging.Logger | None = None, *, include_body: bool = True) -> None:
        self.logger = logger or _log
        self.include_body = include_body

    def send(self, notification: Notification) -> None:
        self.logger.info(
            "notification %s to %s: %s%s",
            notification.kind,
            ", ".join(notification.to),
            notification.subject,
            "\n" + redact(notification.body) if self.include_body else " (body not logged)",
            extra={"notification_key": notification.key},
        )


class MemoryNotifier:
    """Keeps sent notifications in ``sent`` (tests of the callers, previews)."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)


class SmtpSecurity(StrEnum):
    plain = "plain"
    starttls = "starttls"
    tls = "tls"


_SCHEMES = {
    "smtp": (SmtpSecurity.plain, 25),
    "smtp+starttls": (SmtpSecurity.starttls, 587),
    "smtps": (SmtpSecurity.tls, 465),
}


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """A parsed ``HARNESS_SMTP_URL``."""

    host: str
    port: int
    security: SmtpSecurity
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never print the password
        return (
            f"SmtpConfig(host={self.host!r}, port={self.port}, security={self.security.value!r}, "
            f"username={self.username!r})"
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_smtp_url(url: str) -> SmtpConfig:
    """The SMTP server described by ``url`` (see the module docstring for the schemes)."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise SmtpConfigError(
            f"HARNESS_SMTP_URL must start with smtp://, smtp+starttls:// or smtps:// "
            f"(got {parts.scheme or 'no scheme'}://)"
        )
    security, default_port = _SCHEMES[parts.scheme]
    if not parts.hostname:
        raise SmtpConfigError(
            "HARNESS_SMTP_URL has no host, e.g. smtp+starttls://user:pass@mail.example.org"
        )
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise SmtpConfigError(f"HARNESS_SMTP_URL has an invalid port: {exc}") from exc
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if username and security == SmtpSecurity.plain and not _is_loopback(parts.hostname):
        raise SmtpConfigError(
            "HARNESS_SMTP_URL sends a password without encryption to a remote host; "
            "use smtp+starttls:// or smtps://"
        )
    return SmtpConfig(parts.hostname, port, security, username, password)


class SmtpNotifier:
    """Sends each notification as one plain-text e-mail, one SMTP session per message."""

    def __init__(
        self,
        smtp_url: str,
        mail_from: str,
        *,
        timeout_s: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.config = parse_smtp_url(smtp_url)
        if "@" not in mail_from or any(c.isspace() for c in mail_from):
            raise SmtpConfigError(f"HARNESS_MAIL_FROM must be one address (got {mail_from!r})")
        self.mail_from = mail_from
        self.timeout_s = timeout_s
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.clock: Clock = clock or SystemClock()
        # Name ourselves after the sender's domain: the default, socket.getfqdn(), can stall on
        # a reverse DNS lookup.
        self._helo = mail_from.rsplit("@", 1)[1]

    def message(self, notification: Notification) -> EmailMessage:
        """The e-mail for ``notification`` (public so callers can preview it)."""
        msg = EmailMessage()
        msg["From"] = self.mail_from
        msg["To"] = ", ".join(notification.to)
        msg["Subject"] = notification.subject
        msg["Date"] = format_datetime(self.clock.now())
        msg["Message-ID"] = make_msgid(domain=self._helo)
        msg["X-Harness-Notification"] = notification.kind.value
        msg.set_content(notification.body)
        return msg

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        if cfg.security == SmtpSecurity.tls:
            return smtplib.SMTP_SSL(
                cfg.host,
                cfg.port,
                local_hostname=self._helo,
                timeout=self.timeout_s,
                context=self.ssl_context,
            )
        return smtplib.SMTP(cfg.host, cfg.port, local_hostname=self._helo, timeout=self.timeout_s)

    def send(self, notification: Notification) -> None:
        cfg = self.config
        try:
            with self._connect() as smtp:
                if cfg.security == SmtpSecurity.starttls:
                    smtp.starttls(context=self.ssl_context)
                if cfg.username:
                    smtp.login(cfg.username, cfg.password or "")
                smtp.send_message(self.message(notification))
        except (smtplib.SMTPException, OSError) as exc:
            raise NotificationError(
                f"could not send the {notification.kind.value} e-mail through "
                f"{cfg.host}:{cfg.port} ({type(exc).__name__}: {exc}); check HARNESS_SMTP_URL "
                "and that the mail server is up. It will be retried."
            ) from exc


def notifier_from_settings(settings: Settings) -> Notifier:
    """E-mail when ``HARNESS_SMTP_URL`` is set, the log otherwise (bodies only outside production)."""
    if settings.smtp_url:
        return SmtpNotifier(settings.smtp_url, settings.mail_from)
    return LogNotifier(include_body=settings.environment != Environment.production)

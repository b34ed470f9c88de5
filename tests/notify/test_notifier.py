"""Notifiers: the log, memory, the SMTP URL, and the factory from settings. (Sending over SMTP
to a real local server is in ``test_smtp.py``.)"""

from __future__ import annotations

import logging

import pytest

from harness.ledger.clock import FixedClock
from harness.notify.messages import Notification, NotificationKind
from harness.notify.notifier import (
    LogNotifier,
    MemoryNotifier,
    Notifier,
    SmtpConfigError,
    SmtpNotifier,
    SmtpSecurity,
    notifier_from_settings,
    parse_smtp_url,
)
from harness.settings import Environment, Settings
from tests.ledger.factories import at


def _note() -> Notification:
    return Notification(
        NotificationKind.submission_received,
        ("ada@example.org",),
        "Submission received",
        "Body line\n",
        "submission-received:1",
    )


def test_log_notifier_writes_the_message(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="harness.notify"):
        LogNotifier().send(_note())
    (record,) = caplog.records
    assert "submission_received to ada@example.org: Submission received" in record.getMessage()
    assert "Body line" in record.getMessage()
    assert record.notification_key == "submission-received:1"  # type: ignore[attr-defined]


def test_memory_notifier_keeps_what_was_sent() -> None:
    notifier = MemoryNotifier()
    notifier.send(_note())
    assert notifier.sent == [_note()]
    assert isinstance(notifier, Notifier)


def test_factory_picks_smtp_only_when_configured() -> None:
    assert isinstance(notifier_from_settings(Settings(smtp_url=None)), LogNotifier)
    smtp = notifier_from_settings(
        Settings(smtp_url="smtp+starttls://u:p@mail.example.org", mail_from="hire@example.org")
    )
    assert isinstance(smtp, SmtpNotifier)
    assert smtp.mail_from == "hire@example.org"
    assert smtp.config.host == "mail.example.org" and smtp.config.port == 587


@pytest.mark.parametrize(
    ("url", "host", "port", "security", "user", "password"),
    [
        ("smtp://127.0.0.1", "127.0.0.1", 25, SmtpSecurity.plain, None, None),
        ("smtp://localhost:2525", "localhost", 2525, SmtpSecurity.plain, None, None),
        ("smtp://me:secret@127.0.0.1:2525", "127.0.0.1", 2525, SmtpSecurity.plain, "me", "secret"),
        (
            "smtp+starttls://me%40corp:p%3Aw@mail.example.org",
            "mail.example.org",
            587,
            SmtpSecurity.starttls,
            "me@corp",
            "p:w",
        ),
        ("smtps://me:pw@mail.example.org", "mail.example.org", 465, SmtpSecurity.tls, "me", "pw"),
    ],
)
def test_parse_smtp_url(
    url: str, host: str, port: int, security: SmtpSecurity, user: str | None, password: str | None
) -> None:
    config = parse_smtp_url(url)
    assert (config.host, config.port, config.security, config.username, config.password) == (
        host,
        port,
        security,
        user,
        password,
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.org", "must start with smtp://"),
        ("mail.example.org", "must start with smtp://"),
        ("smtp://", "no host"),
        ("smtp://mail.example.org:99999", "invalid port"),
        ("smtp://me:secret@mail.example.org", "without encryption"),
    ],
)
def test_unusable_smtp_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(SmtpConfigError, match=message):
        parse_smtp_url(url)


def test_password_never_appears_in_the_config_repr() -> None:
    config = parse_smtp_url("smtps://me:hunter2@mail.example.org")
    assert "hunter2" not in repr(config)


def test_email_headers() -> None:
    notifier = SmtpNotifier(
        "smtp://127.0.0.1:2525", "hire@example.org", clock=FixedClock(at(2026, 3, 3, 15))
    )
    message = notifier.message(_note())
    assert message["From"] == "hire@example.org"
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Submission received"
    assert message["Date"] == "Tue, 03 Mar 2026 15:00:00 +0000"
    assert message["Message-ID"].endswith("@example.org>")
    assert message["X-Harness-Notification"] == "submission_received"
    assert message.get_content() == "Body line\n"
    with pytest.raises(SmtpConfigError, match="one address"):
        SmtpNotifier("smtp://127.0.0.1", "not an address")


def test_production_log_leaves_out_bodies_holding_secret_links(
    caplog: pytest.LogCaptureFixture,
) -> None:
    notifier = notifier_from_settings(
        Settings(
            environment=Environment.production,
            secret_key="s" * 40,
            demo=False,
            smtp_url=None,
            public_url="https://grading.example.com",
        )
    )
    assert isinstance(notifier, LogNotifier) and not notifier.include_body
    with caplog.at_level(logging.INFO, logger="harness.notify"):
        notifier.send(_note())
    assert "Body line" not in caplog.text
    assert "(body not logged)" in caplog.text

"""``SmtpNotifier`` against a real SMTP server (aiosmtpd) started on 127.0.0.1 by the tests:
plain, with a login, with STARTTLS and with TLS from the first byte, and when things go wrong."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from harness.ledger.clock import FixedClock
from harness.notify.messages import invitation_sent
from harness.notify.notifier import NotificationError, SmtpNotifier
from tests.ledger.factories import at

HOST = "127.0.0.1"
USER, PASSWORD = "mailer@corp", "p:ss word"
NOTE = invitation_sent(
    invitation_id=12,
    candidate_name="Zoë Ada",
    candidate_email="ada@example.org",
    assignment_title="Support tickets",
    link="https://harness.example.org/c/abc",
    time_box_hours=Decimal(5),
    window_ends_at=at(2026, 3, 9, 9),
)


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives, or refuses recipients when told to."""

    messages: list[tuple[str, list[str], Message]] = field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content))
        )
        return "250 Message accepted for delivery"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (USER, PASSWORD)
    # handled=False lets the server answer 535 itself on failure.
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the system's openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


def _client_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


@pytest.fixture
def serve() -> Iterator[Any]:
    controllers: list[Controller] = []

    def start(inbox: Inbox, **kwargs: Any) -> int:
        port = _free_port()
        controller = Controller(inbox, hostname=HOST, port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for controller in controllers:
        controller.stop()


def _notifier(url: str, **kwargs: Any) -> SmtpNotifier:
    return SmtpNotifier(
        url, "hire@example.org", timeout_s=5, clock=FixedClock(at(2026, 3, 2, 9)), **kwargs
    )


def test_plain_smtp_delivers_the_message(serve: Any) -> None:
    inbox = Inbox()
    port = serve(inbox)
    _notifier(f"smtp://{HOST}:{port}").send(NOTE)
    ((sender, recipients, message),) = inbox.messages
    assert sender == "hire@example.org"
    assert recipients == ["ada@example.org"]
    assert message["Subject"] == "Your take-home assignment: Support tickets"
    assert message["X-Harness-Notification"] == "invitation_sent"
    assert message["Date"] == "Mon, 02 Mar 2026 09:00:00 +0000"
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "Hello Zoë Ada," in body.decode(message.get_content_charset() or "utf-8")
    assert "https://harness.example.org/c/abc" in body.decode()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_login_with_percent_encoded_credentials(serve: Any) -> None:
    inbox = Inbox()
    port = serve(inbox, authenticator=_authenticator, auth_require_tls=False, auth_required=True)
    _notifier(f"smtp://mailer%40corp:p%3Ass%20word@{HOST}:{port}").send(NOTE)
    assert len(inbox.messages) == 1
    with pytest.raises(NotificationError, match="SMTPAuthenticationError"):
        _notifier(f"smtp://mailer%40corp:wrong@{HOST}:{port}").send(NOTE)
    assert len(inbox.messages) == 1


def test_starttls_with_login(serve: Any, certificate: tuple[Path, Path]) -> None:
    inbox = Inbox()
    port = serve(
        inbox,
        tls_context=_server_tls(certificate),
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    url = f"smtp+starttls://mailer%40corp:p%3Ass%20word@{HOST}:{port}"
    _notifier(url, ssl_context=_client_tls(certificate)).send(NOTE)
    assert len(inbox.messages) == 1
    # The default context does not trust a self-signed certificate: refused, not sent in clear.
    with pytest.raises(NotificationError, match="SSLCertVerificationError"):
        _notifier(url).send(NOTE)
    assert len(inbox.messages) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls(serve: Any, certificate: tuple[Path, Path]) -> None:
    inbox = Inbox()
    # aiosmtpd cannot tell a TLS-from-the-start connection is encrypted, so it is told not to ask.
    port = serve(
        inbox,
        ssl_context=_server_tls(certificate),
        authenticator=_authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    _notifier(
        f"smtps://mailer%40corp:p%3Ass%20word@{HOST}:{port}", ssl_context=_client_tls(certificate)
    ).send(NOTE)
    assert len(inbox.messages) == 1


def test_refused_recipient_is_a_retriable_error(serve: Any) -> None:
    port = serve(Inbox(refuse=True))
    with pytest.raises(NotificationError, match="SMTPRecipientsRefused") as caught:
        _notifier(f"smtp://{HOST}:{port}").send(NOTE)
    assert caught.value.status_code == 503
    assert "It will be retried" in caught.value.message


def test_server_down_is_a_retriable_error() -> None:
    port = _free_port()  # nothing listens there
    with pytest.raises(NotificationError, match=f"{HOST}:{port}.*ConnectionRefusedError"):
        _notifier(f"smtp://{HOST}:{port}").send(NOTE)

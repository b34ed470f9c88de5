"""Ticket text preparation."""
import re

_REPLY = re.compile(r"^(On .+wrote:|-{3,} ?Original Message ?-{3,})", re.M)
_QUOTE = re.compile(r"^>.*$", re.M)
_SIG = re.compile(r"^(Sent from my .*|Get Outlook for .*)$", re.M)


def strip_thread(body: str) -> str:
    """Remove quoted earlier e-mails and mobile signatures."""
    cut = _REPLY.search(body)
    if cut:
        body = body[: cut.start()]
    return _SIG.sub("", _QUOTE.sub("", body)).strip()


def prepare(subject: str, body: str) -> str:
    return f"{subject}. {strip_thread(body)}".lower()

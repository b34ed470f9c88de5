"""How people write: personas, greetings, signatures, quoted replies, typos and phrasing.

Nothing here knows about categories except the filler sentences, which are deliberately shared by
all of them (people mention their shop, their mood and their history whatever the problem).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import datetime

from .template import Context, expand

__all__ = [
    "CHANNELS",
    "PERSONAS",
    "closing",
    "fillers",
    "generic_subject",
    "greeting",
    "non_native",
    "quoted_reply",
    "regional",
    "signature",
    "terse",
    "typos",
]

# Channel and persona mixes per regime. The shifted period has many more tickets from the new
# mobile app, written tersely, and from markets where English is a second language.
CHANNELS = {
    "standard": {"email": 0.46, "web_form": 0.30, "chat": 0.19, "mobile_app": 0.05},
    "shifted": {"email": 0.16, "web_form": 0.10, "chat": 0.30, "mobile_app": 0.44},
}
PERSONAS = {
    "standard": {
        "formal": 0.24,
        "casual": 0.36,
        "terse": 0.10,
        "non_native": 0.12,
        "angry": 0.08,
        "rambling": 0.10,
    },
    "shifted": {
        "formal": 0.06,
        "casual": 0.16,
        "terse": 0.40,
        "non_native": 0.28,
        "angry": 0.06,
        "rambling": 0.04,
    },
}

_GREETINGS = {
    "formal": [
        "Dear Tillpoint Support,",
        "Dear Support Team,",
        "Good morning,",
        "Hello,",
        "Dear Sir or Madam,",
        "To whom it may concern,",
        "Good afternoon,",
    ],
    "casual": [
        "Hi,",
        "Hi there,",
        "Hey,",
        "Hello!",
        "Hi team,",
        "Hey guys,",
        "Hi Tillpoint,",
        "Morning,",
        "Hi folks,",
        "Hiya,",
    ],
    "non_native": [
        "Dear Sir/Madam,",
        "Hello Sir,",
        "Respected team,",
        "Dear Team,",
        "Hello dear,",
        "Good day,",
        "Hi Team,",
    ],
    "angry": ["Hello,", "", "Hi,", "To Tillpoint,"],
    "rambling": [
        "Hi there,",
        "Hello,",
        "Hi team,",
        "Hi, hope you're well.",
        "Hello, hope you are all well.",
    ],
    "terse": ["", "", "", "hi", "hello"],
}
_CLOSINGS = {
    "formal": [
        "Kind regards,",
        "Best regards,",
        "Regards,",
        "Many thanks,",
        "Sincerely,",
        "Thank you,",
    ],
    "casual": ["Thanks!", "Cheers,", "Thanks,", "Thx,", "Thanks a lot!", "Cheers!", "Best,", ""],
    "non_native": [
        "Thanks and regards,",
        "Waiting for your kind reply.",
        "Thanking you,",
        "Regards,",
        "Please revert asap.",
        "Thanks in advance.",
    ],
    "angry": ["", "Regards,", "Fix it.", "Waiting.", "Thanks,"],
    "rambling": ["Thanks so much in advance!", "Cheers,", "Thanks again,", "Best wishes,"],
    "terse": ["", "", "", "thx", "ty"],
}

# Shared filler: context people add whatever the topic. Kept topic-neutral on purpose.
_FILLER = {
    "formal": [
        "We are a {business} in {city} and have used Tillpoint for {years} years.",
        "I would appreciate a prompt response.",
        "Please find the details below.",
        "Thank you for your assistance.",
        "I look forward to hearing from you.",
        "[This is our second message about this.|I have already contacted you about this once.]",
    ],
    "casual": [
        "We run a small {business} in {city}.",
        "Hope you're having a good day!",
        "Sorry if this has been asked before.",
        "Not sure if this is the right place to ask.",
        "Thanks in advance!",
        "Appreciate the help.",
        "Let me know if you need anything else from me.",
        "[Long time user, first time writing in.|We've been with you for {years} years now.]",
    ],
    "non_native": [
        "We are having one {business} in {city}.",
        "Sorry for my bad english.",
        "Kindly do the needful.",
        "I am waiting since long time for solution.",
        "Please help me on priority basis.",
        "Thank you for understanding my situation.",
    ],
    "angry": [
        "This is [ridiculous|unacceptable|the third time this month].",
        "I have been waiting [two days|all week|for hours] for someone to answer.",
        "[Honestly|Frankly] I'm [thinking about|close to] switching to [Square|another provider].",
        "We pay you every month for this?",
        "Nobody answers the phone.",
    ],
    "rambling": [
        "So a bit of background: we opened our {business} in {city} about {years} years ago and have used Tillpoint [pretty much|almost] since day one.",
        "[My business partner|My husband|My wife|Our manager] usually deals with this stuff but [she|he] is [away|on holiday|off sick] this week.",
        "Sorry, this got longer than I meant.",
        "We're a small team of {staff} and it's been a [busy|crazy|long] week.",
        "I did try to search the help center first but couldn't find anything that matched.",
        "Overall we really like the system, this is the first real issue we've had.",
    ],
    "terse": ["pls help", "asap", "??", "urgent", "thx"],
}

_GENERIC_SUBJECTS = [
    "Help",
    "Question",
    "Urgent",
    "Support request",
    "Re: Your Tillpoint support request",
    "(no subject)",
    "Problem",
    "Please help!!",
    "Tillpoint",
    "Issue",
    "Hello",
    "Help needed",
    "Re: [Ticket #{ticket}]",
    "Fwd: Tillpoint",
    "Account",
    "Quick question",
    "URGENT!!!",
    "Follow up",
    "Still waiting",
    "Can someone call me?",
    "Help with my account",
    "Not happy",
    "Message from the app",
    "Support",
    "Need assistance",
]

_SIGNATURE_EXTRAS = [
    "Sent from my iPhone",
    "Sent from my Galaxy",
    "Get Outlook for iOS",
    "Sent from Mail for Windows",
]


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def choose_channel(rng: random.Random, regime: str) -> str:
    """Draw a channel for a ticket of this regime."""
    return _weighted(rng, CHANNELS[regime])


def choose_persona(rng: random.Random, regime: str, channel: str) -> str:
    """Draw a writing persona; chat and the mobile app pull towards terse writing."""
    persona = _weighted(rng, PERSONAS[regime])
    if (
        channel in ("chat", "mobile_app")
        and persona in ("formal", "rambling")
        and rng.random() < 0.6
    ):
        persona = "terse" if rng.random() < 0.6 else "casual"
    return persona


def greeting(rng: random.Random, persona: str, ctx: Context) -> str:
    """A greeting line, maybe empty."""
    if persona in ("casual", "formal") and rng.random() < 0.06:
        # Someone who has written in before greets the agent who answered them last time.
        return expand("[Hi|Hello|Dear] {agent},", rng, ctx)
    return rng.choice(_GREETINGS[persona])


def closing(rng: random.Random, persona: str) -> str:
    """A closing line such as 'Kind regards,', maybe empty."""
    return rng.choice(_CLOSINGS[persona])


def signature(rng: random.Random, persona: str, channel: str, ctx: Context) -> str:
    """Name, maybe title, shop and phone, as people sign emails; short or empty elsewhere."""
    if channel == "chat" or persona == "terse":
        if channel == "mobile_app" and rng.random() < 0.3:
            return (
                "Sent from Tillpoint Go"
                if ctx.regime == "shifted"
                else "Sent from the Tillpoint app"
            )
        return ""
    lines = [expand("{name}" if rng.random() < 0.55 else "{name} {last}", rng, ctx)]
    if channel == "email" and rng.random() < 0.55:
        if rng.random() < 0.5:
            lines.append(expand("{title}, {shop}", rng, ctx))
        else:
            lines.append(expand("{shop}", rng, ctx))
        if rng.random() < 0.4:
            lines.append(
                f"+1 ({rng.randrange(200, 999)}) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}"
            )
        if rng.random() < 0.15:
            lines.append(
                expand("www.{shop}.com", rng, ctx).lower().replace(" ", "").replace("&", "and")
            )
    if channel == "email" and rng.random() < 0.12:
        lines.append("")
        lines.append(rng.choice(_SIGNATURE_EXTRAS))
    return "\n".join(lines)


def fillers(rng: random.Random, persona: str, ctx: Context, count: int) -> list[str]:
    """``count`` different topic-neutral sentences in the persona's voice."""
    pool = _FILLER[persona]
    return [expand(t, rng, ctx) for t in rng.sample(pool, min(count, len(pool)))]


def generic_subject(rng: random.Random, ctx: Context) -> str:
    """A subject line that says nothing about the topic."""
    return expand(rng.choice(_GENERIC_SUBJECTS), rng, ctx)


_WEEKDAY_ABBR = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def quoted_reply(rng: random.Random, reply: str, ctx: Context, sent: datetime) -> str:
    """An earlier agent reply, sent at ``sent``, as mail clients quote it (Gmail or Outlook)."""
    agent = expand("{agent}", rng, ctx)
    customer = expand("{name}", rng, ctx)
    body_lines = [
        f"Hi {customer},",
        "",
        reply,
        "",
        rng.choice(["Best,", "Kind regards,", "Thanks,"]),
        f"{agent} | Tillpoint Support",
    ]
    when = f"{sent.day} {_MONTH_ABBR[sent.month - 1]} {sent.year}"
    clock = f"{sent.hour:02d}:{sent.minute:02d}"
    if rng.random() < 0.65:
        header = (
            f"On {_WEEKDAY_ABBR[sent.weekday()]}, {when} at {clock}, "
            "Tillpoint Support <support@tillpoint.com> wrote:"
        )
        quoted = "\n".join(">" if not line else f"> {line}" for line in body_lines)
        return f"{header}\n{quoted}"
    header = "\n".join(
        [
            "-----Original Message-----",
            "From: Tillpoint Support <support@tillpoint.com>",
            f"Sent: {when} {clock}",
            f"Subject: Re: Your request #{rng.randrange(10_000, 99_999)}",
        ]
    )
    return header + "\n\n" + "\n".join(body_lines)


# --- surface transformations ---------------------------------------------------------------

_MISSPELL = {
    "receive": "recieve",
    "received": "recieved",
    "account": "acount",
    "password": "pasword",
    "definitely": "definately",
    "separate": "seperate",
    "payment": "payement",
    "address": "adress",
    "business": "buisness",
    "immediately": "immediatly",
    "until": "untill",
    "which": "wich",
    "their": "there",
    "really": "realy",
    "because": "becuase",
    "subscription": "subcription",
    "invoice": "invoise",
    "cancelled": "canceled",
    "tomorrow": "tommorow",
    "necessary": "neccessary",
    "apparently": "apparantly",
    "printer": "priner",
    "connect": "conect",
    "settings": "setings",
    "different": "diffrent",
}
_KEYBOARD = {
    "a": "qs",
    "s": "ad",
    "d": "sf",
    "e": "wr",
    "r": "et",
    "t": "ry",
    "i": "uo",
    "o": "ip",
    "n": "bm",
    "m": "n",
    "l": "k",
    "c": "xv",
    "p": "o",
    "u": "yi",
    "g": "fh",
    "h": "gj",
}
_WORD = re.compile(r"[A-Za-z]{4,}")


def _typo(word: str, rng: random.Random) -> str:
    lower = word.lower()
    if lower in _MISSPELL and rng.random() < 0.7:
        fixed = _MISSPELL[lower]
        return fixed.capitalize() if word[0].isupper() else fixed
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.3:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.55:
        return word[:i] + word[i + 1 :]
    if kind < 0.75:
        return word[:i] + word[i] + word[i:]
    near = _KEYBOARD.get(word[i].lower())
    if near:
        return word[:i] + rng.choice(near) + word[i + 1 :]
    return word


def typos(text: str, rng: random.Random, rate: float) -> str:
    """Misspell about ``rate`` of the words of four letters or more."""
    if rate <= 0:
        return text

    def repl(m: re.Match[str]) -> str:
        return _typo(m.group(0), rng) if rng.random() < rate else m.group(0)

    return _WORD.sub(repl, text)


_NON_NATIVE = [
    (r"\bI can't\b", ["I am not able to", "I cannot able to", "I am unable to"]),
    (r"\bcan't\b", ["cannot", "is not able to"]),
    (r"\bdoesn't work\b", ["is not working", "not working"]),
    (r"\bisn't working\b", ["is not working", "not working"]),
    (r"\bI don't\b", ["I am not", "I do not"]),
    (r"\bsince (yesterday|last week|Monday)\b", [r"since \1 only", r"from \1"]),
    (r"\btwo days ago\b", ["since 2 days", "from 2 days"]),
    (r"\bfor a few days now\b", ["since few days", "from some days"]),
    (r"\b[Pp]lease\b", ["Kindly", "please", "Pls kindly"]),
    (r"\b[Cc]an you\b", ["Can you please", "Kindly", "Could you kindly"]),
    (r"\bI have a question\b", ["I have one doubt", "I have one query"]),
    (r"\bthe\s", ["", "the "]),
    (r"\ba\s", ["", "one "]),
    (r"\bIt's\b", ["It is", "Its"]),
    (r"\bI'm\b", ["I am", "I m"]),
    (r"\bhow do I\b", ["how to", "how I can"]),
    (r"\bHow do I\b", ["How to", "How I can"]),
    (r"\bWhere do I\b", ["Where I can", "Where to"]),
    (r"\bwe were\b", ["we got", "we are"]),
    (r"\bcustomers\b", ["customers", "clients"]),
    (r"\bthe money back\b", ["my amount back", "the amount"]),
]
_NON_NATIVE_RE = [(re.compile(p), subs) for p, subs in _NON_NATIVE]


def _picker(
    rng: random.Random, subs: list[str], *, expand_groups: bool
) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement that draws a fresh alternative for every match."""

    def pick(m: re.Match[str]) -> str:
        choice = rng.choice(subs)
        return m.expand(choice) if expand_groups else choice

    return pick


def non_native(text: str, rng: random.Random, strength: float) -> str:
    """Rewrite some phrases the way many second-language writers phrase them."""
    for pattern, subs in _NON_NATIVE_RE:
        if rng.random() < strength:
            text = pattern.sub(_picker(rng, subs, expand_groups=True), text)
    return text


_ABBREV = [
    (r"\b[Pp]lease\b", "pls"),
    (r"\b[Yy]ou\b", "u"),
    (r"\b[Aa]ccount\b", "acct"),
    (r"\b[Tt]hanks\b", "thx"),
    (r"\b[Bb]ecause\b", "bc"),
    (r"n't\b", "nt"),
    (r"'m\b", "m"),
    (r"\b[Ww]ith\b", "w/"),
    (r"\b[Aa]nd\b", "&"),
    (r"\bI\b", "i"),
    (r"\b[Tt]oday\b", "2day"),
    (r"\b[Ss]omeone\b", "some1"),
    (r"\b[Ss]omething\b", "smth"),
    (r"\b[Aa]re\b", "r"),
]
_ABBREV_RE = [(re.compile(p), s) for p, s in _ABBREV]


# Vocabulary of the markets the shifted period added (South and South-East Asia, West Africa):
# same problems, different words for them.
_REGIONAL = [
    (r"\blog ?in\b", ["login", "sign in", "do login"]),
    (r"\bcharged\b", ["debited", "deducted", "charged"]),
    (r"\bcharge\b", ["debit", "deduction"]),
    (r"\b(card )?reader\b", ["card machine", "POS machine", "swipe machine", "device", "machine"]),
    (r"\bkeeps crashing\b", ["keeps hanging", "is getting hang", "keeps closing automatically"]),
    (r"\bcrashes\b", ["hangs", "closes automatically"]),
    (r"\bcrashing\b", ["hanging", "closing automatically"]),
    (r"\bcrashed\b", ["hanged", "closed automatically"]),
    (r"\barrived\b", ["reached", "delivered", "come"]),
    (r"\barrive\b", ["reach", "come"]),
    (r"\bordered\b", ["booked", "purchased"]),
    (r"\binvoices?\b", ["bill", "tax bill"]),
    (r"\bsubscription\b", ["membership", "monthly plan", "package"]),
    (r"\bpassword\b", ["pwd", "passcode", "password"]),
    (r"\bthe app\b", ["the application", "app", "the software"]),
    (r"\bstaff\b", ["workers", "employees", "staffs"]),
    (r"\bcustomers\b", ["clients", "buyers"]),
    (r"\b[Rr]efund\b", ["reimbursement", "refund", "return of amount"]),
    (r"\bpayout\b", ["settlement", "payout"]),
    (r"\bdelivery\b", ["courier", "shipment"]),
    (r"\bissue\b", ["complaint", "issue"]),
    (r"\bproblem\b", ["complaint", "issue"]),
    (r"\b[Pp]lease add\b", ["Please provide option for", "Request to add"]),
    (r"\bfeature\b", ["option", "facility"]),
]
_REGIONAL_RE = [(re.compile(p), subs) for p, subs in _REGIONAL]


def regional(text: str, rng: random.Random, strength: float) -> str:
    """Swap words for the ones customers in the shifted period's new markets use."""
    for pattern, subs in _REGIONAL_RE:
        if rng.random() < strength:
            text = pattern.sub(_picker(rng, subs, expand_groups=False), text)
    return text


def terse(text: str, rng: random.Random) -> str:
    """Phone-keyboard style: lower case, abbreviations, dropped final full stops."""
    for pattern, sub in _ABBREV_RE:
        if rng.random() < 0.55:
            text = pattern.sub(sub, text)
    if rng.random() < 0.7:
        text = text.lower()
    text = re.sub(
        r"\.(\s|$)",
        lambda m: (" " if m.group(1) != "\n" else "\n") if rng.random() < 0.6 else m.group(0),
        text,
    )
    return text.strip()

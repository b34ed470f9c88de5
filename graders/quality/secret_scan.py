"""Committed secrets, found with high precision.

Two kinds of evidence, and nothing weaker:

- **Key-shaped tokens**: a known provider prefix (OpenAI/Anthropic ``sk-``, AWS ``AKIA``, GitHub
  ``ghp_``/``github_pat_``, Slack ``xoxb-``, Google ``AIza``, Stripe ``sk_live_``, Hugging Face
  ``hf_``), a PEM private-key block with a body, or a connection URL carrying a password. A prefix
  alone is not enough: the rest must look random (length, mixed character classes, entropy), which
  is what keeps CSS class names such as ``sk-toggleable__label-arrow`` out.
- **Secret-named assignments**: ``password = "..."`` or ``api_key = "<high-entropy literal>"``
  (also ``"token": "..."`` in JSON/YAML and ``API_KEY=...`` in ``.env`` files), where the value is
  not a placeholder (``<your-key>``, ``xxx``, ``changeme``, anything saying fake, dummy, example).

Only source and configuration text is scanned. A notebook contributes its code cells, never its
outputs (HTML, CSS, images, printed text). Base64 blobs and ``data:`` URIs are blanked first.
A finding shows the masked value (``sk-pr…9xQ2``) in its line, never the value itself.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from graders._notebooks import LoadedNotebook
from graders._workspace import FileKind, Inventory, read_text

__all__ = ["SecretHit", "find_secrets", "mask", "scan_secrets"]

MAX_SCAN_BYTES = 2 * 1024 * 1024
"""Bytes read per file."""
MAX_TOTAL_SCAN_BYTES = 40 * 1024 * 1024
"""Bytes read over the whole submission."""
MAX_HITS_PER_FILE = 20
MAX_HITS = 50
CONTEXT_CHARS = 120
"""Characters of the line shown around a masked secret."""
MIN_ENTROPY = 3.5
"""Shannon entropy (bits per character) a random-looking token must reach: random base62 text of
32 characters has about 4.7, hex about 3.8, English words or CSS class names about 3 or less."""

# Source and configuration files; data (csv, parquet), rendered HTML and images are not scanned.
_SCAN_SUFFIXES = frozenset(
    {".py", ".pyw", ".toml", ".yaml", ".yml", ".json", ".cfg", ".ini", ".conf", ".properties",
     ".env", ".sh", ".bash", ".zsh", ".ps1", ".bat", ".sql", ".r", ".md", ".rst", ".txt", ".pem",
     ".key", ".js", ".ts", ".java", ".kt", ".go", ".rb", ".php", ".cs", ".scala", ".swift", ""}
)  # fmt: skip
_CONFIG_SUFFIXES = frozenset(
    {".env", ".ini", ".cfg", ".conf", ".properties", ".yaml", ".yml", ".sh", ".bash", ".zsh"}
)
"""Files where ``NAME=value`` / ``name: value`` without quotes is an assignment."""
MAX_JSON_BYTES = 256 * 1024
"""Larger JSON files are data dumps, not configuration."""

_BLOBS = re.compile(
    r"data:[\w.+/-]+;base64,[A-Za-z0-9+/=\s]*|[A-Za-z0-9+/=_-]{400,}"
)  # data URIs and long base64 runs (embedded images, serialized models)

_PLACEHOLDER = re.compile(
    r"(?i)your|fake|dummy|example|sample|placeholder|changeme|change[_-]me|redacted|replace|"
    r"insert|insecure|not[_-]?a[_-]?real|x{4}|\*{3}|\.{3}|<[^>]*>|\$\{|\{\{|%\(|^\{.*\}$|"
    r"(.)\1{5}"
)
_CSS_CONTEXT = re.compile(r"[#.][\w-]*$|class\s*=\s*[\"'][^\"']*$|id\s*=\s*[\"'][^\"']*$")


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _classes(value: str) -> int:
    """How many of lower case, upper case and digits the value mixes."""
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
    )


def _entropy_floor(length: int) -> float:
    """:data:`MIN_ENTROPY`, lowered for short tokens (16 random characters cannot reach 3.5 often)."""
    return min(MIN_ENTROPY, 0.75 * math.log2(max(length, 2)))


def _random_looking(body: str, *, min_len: int, classes: int = 3) -> bool:
    return (
        len(body) >= min_len
        and _classes(body) >= classes
        and _entropy(body) >= _entropy_floor(len(body))
        and "__" not in body
        and not _PLACEHOLDER.search(body)
    )


def mask(value: str) -> str:
    """The value with its middle hidden: ``sk-proj-4f…9xQ2`` shows 5 leading and 4 trailing characters."""
    if len(value) >= 24:
        return f"{value[:5]}…{value[-4:]}"
    if len(value) >= 12:
        return f"{value[:3]}…{value[-2:]}"
    return f"{value[:1]}…"


@dataclass(frozen=True)
class SecretHit:
    """One committed secret."""

    rel: str
    line: int | None
    """1-based line in the file; None for a notebook (see :attr:`where`)."""
    where: str
    """`` (cell 3, line 2)`` for a notebook, else empty."""
    what: str
    """What it looks like, e.g. "an OpenAI API key"."""
    masked: str
    """The value with its middle hidden."""
    context: str
    """The line, with every secret on it masked, bounded to :data:`CONTEXT_CHARS`."""


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    value: str
    what: str
    shown: str
    """The masked form shown in place of ``value``."""


@dataclass(frozen=True)
class _Shape:
    """A provider's key shape: a pattern whose group 1 is the prefix and group 2 the random body."""

    what: str
    pattern: re.Pattern[str]
    min_body: int
    classes: int = 3
    literals: tuple[str, ...] = ()
    """Substrings every match contains: the pattern runs only over text that has one."""


_SHAPES: tuple[_Shape, ...] = (
    _Shape(
        "an OpenAI or Anthropic API key",
        re.compile(
            r"(?<![\w#.-])(sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d\d-)?)([A-Za-z0-9_-]{20,300})"
        ),
        32,
        literals=("sk-",),
    ),
    _Shape(
        "an AWS access key id",
        re.compile(r"\b((?:AKIA|ASIA|ABIA|ACCA))([A-Z2-7]{16})\b"),
        16,
        1,
        literals=("AKIA", "ASIA", "ABIA", "ACCA"),
    ),
    _Shape(
        "a GitHub token",
        re.compile(r"\b(gh[pousr]_|github_pat_)([A-Za-z0-9_]{36,255})\b"),
        36,
        literals=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    _Shape(
        "a Slack token",
        re.compile(r"\b(xox[baprs]-)((?:\d{6,}-){1,3}[A-Za-z0-9]{16,64})\b"),
        24,
        2,
        literals=("xox",),
    ),
    _Shape(
        "a Google API key",
        re.compile(r"\b(AIza)([0-9A-Za-z_-]{35})(?![\w-])"),
        35,
        literals=("AIza",),
    ),
    _Shape(
        "a Stripe live secret key",
        re.compile(r"\b((?:sk|rk)_live_)([0-9A-Za-z]{24,247})\b"),
        24,
        literals=("_live_",),
    ),
    _Shape(
        "a Hugging Face token",
        re.compile(r"\b(hf_)([A-Za-z0-9]{34,64})\b"),
        34,
        2,
        literals=("hf_",),
    ),
)

_PEM = re.compile(
    r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----[ \t]*\r?\n"
    r"(?:[\w-]+:[^\n]*\n|\s*\n)*\s*([A-Za-z0-9+/=]{40,})"
)
_URL = re.compile(
    r"\b([a-z][a-z0-9+.-]{1,24})://([^\s:/@\"'<>]{1,64}):([^\s@/\"'<>]{3,128})@([^\s/\"'<>:?#]{1,255})"
)
_DEFAULT_PASSWORDS = frozenset(
    {"password", "pass", "passwd", "pwd", "secret", "postgres", "root", "admin", "guest", "test",
     "user", "mysql", "redis", "changeme", "example", "default"}
)  # fmt: skip

# A name, a separator and a quoted literal: `api_key = "..."`, `"token": "..."`, `password="..."`.
_QUOTED = re.compile(
    r"(?<![\w.-])(?P<name>[A-Za-z_][\w.-]{0,80}+)[\"']?\]?\s*(?::\s*str\s*)?(?:=|:|=>)\s*[rbuRBU]?"
    r"(?P<q>[\"'])(?P<value>[^\"'\n]{1,400})(?P=q)"
)
# A name and a bare value, in .env / ini / yaml files: `API_KEY=abc...`, `password: abc`.
_BARE = re.compile(
    r"^[ \t]*(?:export[ \t]+)?(?P<name>[A-Za-z_][\w.-]{0,80})[ \t]*[=:][ \t]*"
    r"(?P<value>[^\s\"'#]\S{0,400})(?:[ \t]+#.*)?[ \t]*$",
    re.MULTILINE,
)
_BEARER = re.compile(r"^(?:Bearer|Token|token)\s+(\S{20,})$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SECRET_WORDS = frozenset({"secret", "token", "apikey", "credential", "credentials", "bearer"})
_KEY_QUALIFIERS = frozenset(
    {"api", "secret", "private", "access", "auth", "client", "signing", "encryption", "master",
     "account", "subscription", "service"}
)  # fmt: skip
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase"})


def _name_kind(name: str) -> str | None:
    """``password`` or ``secret`` when the name is one a secret is assigned to, else None."""
    words = [w for w in re.split(r"[_.\-\s]+", _CAMEL.sub("_", name).lower()) if w]
    if not words:
        return None
    last = words[-1]
    if last in _PASSWORD_WORDS:
        return "password"
    if last in _SECRET_WORDS:
        return "secret"
    if last == "key" and len(words) >= 2 and words[-2] in _KEY_QUALIFIERS:
        return "secret"
    return None


def _password_ok(value: str) -> bool:
    """A literal that really looks like a password, not a label or a placeholder."""
    return (
        len(value) >= 6
        and " " not in value
        and value.lower() not in _DEFAULT_PASSWORDS
        and not _PLACEHOLDER.search(value)
        and "password" not in value.lower()
        and _classes(value) + any(not c.isalnum() for c in value) >= 2
    )


def _generic_ok(value: str) -> bool:
    """A literal that looks like a random token: long, mixed classes, high entropy."""
    return (
        len(value) >= 20
        and " " not in value
        and "://" not in value
        and not value.startswith(("/", "./", "~"))
        and _classes(value) >= 2
        and any(c.isdigit() for c in value)
        and _entropy(value) >= _entropy_floor(len(value))
        and not _PLACEHOLDER.search(value)
    )


def _key_shapes(text: str) -> Iterator[_Match]:
    for shape in _SHAPES:
        if not any(literal in text for literal in shape.literals):
            continue
        for m in shape.pattern.finditer(text):
            prefix, body = m.group(1), m.group(2)
            if shape.what.startswith("an OpenAI") and _CSS_CONTEXT.search(
                text[max(0, m.start() - 80) : m.start()]
            ):
                continue
            if not _random_looking(body, min_len=shape.min_body, classes=shape.classes):
                continue
            value = prefix + body
            yield _Match(m.start(), m.end(), value, shape.what, mask(value))
    for m in _PEM.finditer(text) if "PRIVATE KEY" in text else ():
        body = m.group(2)
        shown = f"-----BEGIN {m.group(1)}----- {mask(body)}"
        yield _Match(m.start(), m.end(), body, f"a private key ({m.group(1).lower()})", shown)
    for start, end in _lines_with(text, text, ("://",)) if "@" in text else ():
        yield from _url_passwords(text, start, end)


def _url_passwords(text: str, start: int, end: int) -> Iterator[_Match]:
    for m in _URL.finditer(text, start, end):
        user, password = m.group(2), m.group(3)
        if (
            password == user
            or password.lower() in _DEFAULT_PASSWORDS
            or _PLACEHOLDER.search(password)
            or password.startswith(("$", "%", "{"))
        ):
            continue
        yield _Match(
            m.start(3), m.end(3), password, f"a password in a {m.group(1)}:// URL", mask(password)
        )


_SECRET_HINTS = ("pass", "pwd", "secret", "token", "key", "credential", "bearer", "auth")
"""Lower-case substrings of every name (or header) a secret assignment is recognised by."""


def _lines_with(text: str, haystack: str, needles: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of the lines of ``text`` where ``haystack`` (the text or its lower-case
    copy) contains one of ``needles``: the slow patterns run over these lines only."""
    spans: set[tuple[int, int]] = set()
    for needle in needles:
        at = haystack.find(needle)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            spans.add((start, end))
            at = haystack.find(needle, end)
    return sorted(spans)


def _assignments(text: str, config: bool) -> Iterator[_Match]:
    patterns = [_QUOTED, _BARE] if config else [_QUOTED]
    lines = _lines_with(text, text.lower(), _SECRET_HINTS)
    for pattern in patterns:
        for m in (m for start, end in lines for m in pattern.finditer(text, start, end)):
            name, value = m.group("name"), m.group("value")
            start = m.start("value")
            bearer = _BEARER.match(value)
            if bearer is not None and _generic_ok(bearer.group(1)):
                token = bearer.group(1)
                at = start + bearer.start(1)
                yield _Match(at, at + len(token), token, f"a bearer token ({name})", mask(token))
                continue
            kind = _name_kind(name)
            if kind is None:
                continue
            if kind == "password" and _password_ok(value):
                what = f"a hard-coded password ({name})"
            elif _generic_ok(value):
                what = f"a hard-coded secret ({name})"
            else:
                continue
            yield _Match(start, start + len(value), value, what, mask(value))


def _blank_blobs(text: str) -> str:
    """Base64 blobs replaced by spaces (newlines kept, so line numbers hold). Blobs sit in long
    lines (or follow a ``data:`` URI), so only those are searched."""
    if "base64," not in text and not any(len(line) >= 400 for line in text.split("\n")):
        return text
    return _BLOBS.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _context(text: str, matches: list[_Match], at: _Match) -> str:
    start, end = _line_bounds(text, at.start)
    line = text[start:end]
    shown = line
    for other in sorted((m for m in matches if start <= m.start < end), key=lambda m: -m.start):
        a, b = other.start - start, min(other.end, end) - start
        shown = shown[:a] + other.shown + shown[b:]
    shown = shown.strip()
    if len(shown) > CONTEXT_CHARS:
        centre = shown.find(at.shown)
        left = max(0, centre - CONTEXT_CHARS // 2)
        shown = ("…" if left else "") + shown[left : left + CONTEXT_CHARS] + "…"
    return shown


def find_secrets(
    rel: str,
    text: str,
    *,
    limit: int = MAX_HITS_PER_FILE,
    locate: Callable[[int], tuple[int | None, str]] | None = None,
) -> list[SecretHit]:
    """Secrets in one file's text (or one notebook cell's code, with ``locate`` naming the cell)."""
    text = _blank_blobs(text)
    suffix = PurePosixPath(rel.lower()).suffix
    config = suffix in _CONFIG_SUFFIXES or PurePosixPath(rel).name.lower().startswith(".env")
    matches: list[_Match] = []
    for found in (*_key_shapes(text), *_assignments(text, config)):
        # one finding per place: a key shape wins over the assignment that holds it
        if any(m.start < found.end and found.start < m.end for m in matches):
            continue
        matches.append(found)
    matches.sort(key=lambda m: m.start)
    hits: list[SecretHit] = []
    for match in matches[:limit]:
        line = text.count("\n", 0, match.start) + 1
        at, where = locate(line) if locate is not None else (line, "")
        hits.append(
            SecretHit(rel, at, where, match.what, match.shown, _context(text, matches, match))
        )
    return hits


def _scanned(rel: str, size: int) -> bool:
    name = PurePosixPath(rel).name.lower()
    suffix = PurePosixPath(name).suffix
    if name.startswith(".env"):
        return True
    if suffix == ".json":
        return size <= MAX_JSON_BYTES
    return suffix in _SCAN_SUFFIXES


def scan_secrets(
    inv: Inventory, notebooks: list[LoadedNotebook], *, limit: int = MAX_HITS
) -> list[SecretHit]:
    """Secrets over the workspace's source and configuration files and its notebooks' code cells."""
    hits: list[SecretHit] = []
    budget = MAX_TOTAL_SCAN_BYTES
    for f in inv.files:
        if f.kind is FileKind.notebook or not _scanned(f.rel, f.size):
            continue
        if f.size > MAX_SCAN_BYTES or f.size > budget:
            continue
        budget -= f.size
        read = read_text(inv.root, f.rel, f.size, MAX_SCAN_BYTES)
        if read.text is None:
            continue
        hits.extend(find_secrets(f.rel, read.text))
        if len(hits) >= limit:
            return hits[:limit]
    for nb in notebooks:
        for cell in nb.code_cells:
            number = cell.index + 1

            def locate(line: int, number: int = number) -> tuple[int | None, str]:
                return None, f" (cell {number}, line {line})"

            hits.extend(find_secrets(nb.rel, cell.source, locate=locate))
            if len(hits) >= limit:
                return hits[:limit]
    return hits

"""Code fingerprints: a submission's Python, normalised, cut into token k-grams and winnowed.

Normalisation is what makes a copy visible through the usual disguises:

- comments, docstrings, blank lines, line breaks inside brackets, trailing commas and parentheses
  wrapping a whole right-hand side are dropped (reformatting and rewritten comments change
  nothing);
- names the code chooses itself (variables, functions, classes, parameters, import aliases)
  become ``V`` (renaming changes nothing), while the names it borrows stay: keywords, builtins,
  attributes after a dot, keyword arguments of calls and imported names (``TfidfVectorizer``,
  ``fit_transform``, ``max_iter=``), so two unrelated programs do not collapse into one shape;
- string and number literals become ``S`` and ``N``.

The normalised tokens of each file are cut into k-grams of :data:`K` tokens; each k-gram is
hashed (keyed with the assignment, so fingerprints of two assignments never meet) and winnowing
keeps the smallest hash of every window of :data:`WINDOW` k-grams (Schleimer, Wilkerson and
Aiken, 2003): any run of ``K + WINDOW - 1`` equal tokens shares at least one fingerprint, and the
fingerprints form a set, so reordered functions keep theirs. Notebooks contribute their code
cells (shell and magic lines left out), so a notebook converted to a script still matches.

Nothing here executes candidate code: files are read as text and tokenised with :mod:`tokenize`.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import keyword
import re
import tokenize
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

__all__ = [
    "SCHEME",
    "WINDOW",
    "CodeFile",
    "Fingerprint",
    "Fingerprinted",
    "K",
    "fingerprint",
    "is_code_path",
    "local_modules",
    "normalise",
    "notebook_code",
    "winnow",
]

K = 16
"""Tokens per k-gram: shorter runs of equal tokens (idioms every solution shares) never match."""
WINDOW = 8
"""Winnowing window: every run of ``K + WINDOW - 1`` = 23 equal tokens is detected."""
SCHEME = f"py-k{K}-w{WINDOW}-v1"
"""Names the normalisation and parameters; fingerprints of another scheme are not compared."""

MAX_FILE_CHARS = 512 * 1024
MAX_FILES = 400
MAX_TOKENS = 400_000
_SKIPPED_PARTS = frozenset({"__pycache__", "venv", "env", "site-packages", "node_modules"})
_BUILTINS = frozenset(dir(builtins)) | {"self", "cls"}
_SKIP = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER,
                   tokenize.TYPE_COMMENT})
_FALLBACK = re.compile(
    r"#[^\n]*|\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'"
    r"|\d[\w.]*|[A-Za-z_]\w*|\*\*|//|==|!=|<=|>=|->|\S"
)


@dataclass(frozen=True)
class CodeFile:
    """Python text of one file: a ``.py`` file, or a notebook's code cells joined."""

    path: str
    text: str


@dataclass(frozen=True)
class Fingerprint:
    """One winnowed k-gram: its hash and where it is (file index, first and last line)."""

    hash: int
    file: int
    first_line: int
    last_line: int


@dataclass(frozen=True)
class Fingerprinted:
    """A body of code and its fingerprints."""

    files: tuple[CodeFile, ...]
    prints: tuple[Fingerprint, ...]
    tokens: int
    hashes: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hashes", frozenset(p.hash for p in self.prints))


def is_code_path(path: str) -> bool:
    """Whether a submission file is fingerprinted: Python files and notebooks, outside hidden
    folders, caches and virtualenvs."""
    parts = path.split("/")
    if any(p.startswith(".") or p in _SKIPPED_PARTS for p in parts[:-1]):
        return False
    return parts[-1].endswith((".py", ".ipynb")) and not parts[-1].startswith(".")


def notebook_code(text: str) -> str | None:
    """The code cells of a notebook, joined, without shell (``!``) and magic (``%``) lines;
    None when the text is not a notebook."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return None
    chunks = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        kept = ["" if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines()]
        chunks.append("\n".join(kept))
    return "\n\n".join(chunks) + "\n"


def _raw_tokens(text: str) -> list[tuple[int, str, int, int]]:
    """(type, string, first line, last line) of every token; a regex tokeniser when
    :mod:`tokenize` refuses the text (broken indentation, unterminated brackets)."""
    try:
        return [(t.type, t.string, t.start[0], t.end[0])
                for t in tokenize.generate_tokens(io.StringIO(text).readline)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        out = []
        for match in _FALLBACK.finditer(text):
            word = match.group(0)
            if word.startswith("#"):
                continue
            line = text.count("\n", 0, match.start()) + 1
            kind = (tokenize.STRING if word[0] in "'\"" else tokenize.NUMBER if word[0].isdigit()
                    else tokenize.NAME if word[0].isalpha() or word[0] == "_" else tokenize.OP)
            out.append((kind, word, line, line + word.count("\n")))
        return out


def _imported(tokens: list[tuple[int, str, int, int]], local: frozenset[str]) -> set[str]:
    """Names import statements borrow from other people's code (modules and the names imported
    from them, not ``as`` aliases): they stay as they are wherever they are used. Imports of the
    submission's own modules (``local``) borrow nothing: renaming those is renaming."""
    names: set[str] = set()
    statement: list[str] = []
    for kind, word, _, _ in [*tokens, (tokenize.NEWLINE, "", 0, 0)]:
        if kind != tokenize.NEWLINE:
            statement.append(word)
            continue
        if statement and statement[0] in ("import", "from"):
            names |= _borrowed(statement, local)
        statement = []
    return names


def _borrowed(statement: list[str], local: frozenset[str]) -> set[str]:
    if statement[0] == "from" and (len(statement) < 2 or statement[1] in local or statement[1] == "."):
        return set()
    out = set()
    for i, word in enumerate(statement):
        if not word.isidentifier() or keyword.iskeyword(word) or statement[i - 1] == "as":
            continue
        if statement[0] == "import" and word in local and statement[i - 1] != ".":
            continue
        out.add(word)
    return out


_WRAPPABLE = frozenset({"=", "return", "in", "+=", "-=", "yield", "assert"})


def _layout_only(raw: list[tuple[int, str, int, int]]) -> set[int]:
    """Tokens a formatter adds or removes without changing the code: a trailing comma before a
    closing bracket, and parentheses wrapping a whole right-hand side (``x = (...)``)."""
    drop: set[int] = set()
    opened: list[int] = []
    for i, (kind, word, _, _) in enumerate(raw):
        following = raw[i + 1] if i + 1 < len(raw) else (tokenize.ENDMARKER, "", 0, 0)
        if word == "," and following[1] in (")", "]", "}"):
            drop.add(i)
        if kind != tokenize.OP:
            continue
        if word in "([{":
            opened.append(i)
        elif word in ")]}" and opened:
            start = opened.pop()
            wraps = raw[start][1] == "(" and start > 0 and raw[start - 1][1] in _WRAPPABLE
            if wraps and following[0] in (tokenize.NEWLINE, tokenize.ENDMARKER):
                drop.update((start, i))
    return drop


def normalise(text: str, local: frozenset[str] = frozenset()) -> list[tuple[str, int, int]]:
    """The normalised tokens of Python ``text`` with their first and last lines. ``local`` names
    the modules of the submission itself (see :func:`local_modules`)."""
    raw = [t for t in _raw_tokens(text) if t[0] not in _SKIP]
    layout = _layout_only(raw)
    raw = [t for i, t in enumerate(raw) if i not in layout]
    kept_names = _imported(raw, local) | _BUILTINS
    out: list[tuple[str, int, int]] = []
    depth, signature_depth, statement_start, skip_newline = 0, -1, True, False
    for i, (kind, word, first, last) in enumerate(raw):
        following_kind, following = raw[i + 1][:2] if i + 1 < len(raw) else (tokenize.ENDMARKER, "")
        if kind == tokenize.NEWLINE:
            statement_start = True
            if not skip_newline and out and out[-1][0] != ";":
                out.append((";", first, last))
            skip_newline = False
            continue
        if kind == tokenize.STRING and statement_start and following_kind in (
                tokenize.NEWLINE, tokenize.ENDMARKER):
            skip_newline = True  # a docstring, or a bare string used as a comment
            continue
        starts = statement_start
        statement_start = kind in (tokenize.INDENT, tokenize.DEDENT)
        if kind in (tokenize.INDENT, tokenize.DEDENT):
            out.append(("{" if kind == tokenize.INDENT else "}", first, last))
        elif kind in (tokenize.STRING, tokenize.NUMBER):
            out.append(("S" if kind == tokenize.STRING else "N", first, last))
        elif kind == tokenize.NAME:
            previous = out[-1][0] if out and not starts else ""
            borrowed = (keyword.iskeyword(word) or previous == "." or word in kept_names
                        or (following == "=" and depth > 0 and depth != signature_depth))
            out.append((word if borrowed else "V", first, last))
            if word == "def":
                signature_depth = depth + 1
        elif kind == tokenize.OP:
            if word in "([{":
                depth += 1
            elif word in ")]}":
                signature_depth = -1 if depth == signature_depth else signature_depth
                depth = max(0, depth - 1)
            out.append((word, first, last))
        elif word.strip():
            out.append((word, first, last))
    return out


def winnow(hashes: list[int], window: int = WINDOW) -> list[int]:
    """Indices of the winnowed hashes: the rightmost smallest of every window, each once
    (a monotonic queue, linear in the number of hashes)."""
    if len(hashes) <= window:
        return [min(range(len(hashes)), key=lambda j: (hashes[j], -j))] if hashes else []
    chosen: list[int] = []
    queue: deque[int] = deque()  # indices whose hashes increase strictly from the left
    for i, value in enumerate(hashes):
        while queue and hashes[queue[-1]] >= value:
            queue.pop()
        queue.append(i)
        if queue[0] <= i - window:
            queue.popleft()
        if i >= window - 1 and (not chosen or chosen[-1] != queue[0]):
            chosen.append(queue[0])
    return chosen


_MASK = (1 << 64) - 1
_BASE = 0x100000001B3
_TOP = pow(_BASE, K - 1, 1 << 64)


def _token_codes(words: list[str], key: bytes, cache: dict[str, int]) -> list[int]:
    """A keyed 64-bit code per token (the key is the assignment's)."""
    codes = []
    for word in words:
        code = cache.get(word)
        if code is None:
            digest = hashlib.blake2b(word.encode(), digest_size=8, key=key).digest()
            code = cache[word] = int.from_bytes(digest, "big")
        codes.append(code)
    return codes


def _mix(value: int) -> int:
    """A 64-bit finaliser (splitmix64), so winnowing minima spread evenly; signed, to fit a
    database BIGINT."""
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    value ^= value >> 31
    return value - (1 << 64) if value >= 1 << 63 else value


def _kgram_hashes(codes: list[int]) -> list[int]:
    """A polynomial rolling hash of every run of :data:`K` token codes, mixed."""
    value = 0
    out = []
    for i, code in enumerate(codes):
        if i >= K:
            value = (value - codes[i - K] * _TOP) & _MASK
        value = (value * _BASE + code) & _MASK
        if i >= K - 1:
            out.append(_mix(value))
    return out


def _hasher(salt: str) -> bytes:
    return hashlib.blake2b(f"{SCHEME}\x00{salt}".encode(), digest_size=32).digest()


def _file_prints(tokens: list[tuple[str, int, int]], file_index: int, key: bytes,
                 cache: dict[str, int]) -> Iterator[Fingerprint]:
    if len(tokens) < K:
        return
    hashes = _kgram_hashes(_token_codes([t[0] for t in tokens], key, cache))
    for i in winnow(hashes):
        yield Fingerprint(hashes[i], file_index, tokens[i][1], tokens[i + K - 1][2])


def local_modules(paths: Iterable[str]) -> frozenset[str]:
    """The module and package names a submission defines itself (every folder and file stem)."""
    names = set()
    for path in paths:
        for part in path.split("/"):
            stem = part.rsplit(".", 1)[0] if part.endswith((".py", ".ipynb")) else part
            if stem.isidentifier():
                names.add(stem)
    return frozenset(names)


def fingerprint(files: Iterable[CodeFile], salt: str) -> Fingerprinted:
    """Fingerprint ``files`` (at most :data:`MAX_FILES` and :data:`MAX_TOKENS` tokens in all),
    keyed with ``salt`` (the assignment's name)."""
    files = list(files)[:MAX_FILES]
    local = local_modules(f.path for f in files)
    key = _hasher(salt)
    cache: dict[str, int] = {}
    kept: list[CodeFile] = []
    prints: list[Fingerprint] = []
    total = 0
    for code in files:
        if len(kept) >= MAX_FILES or total >= MAX_TOKENS:
            break
        tokens = normalise(code.text[:MAX_FILE_CHARS], local)
        total += len(tokens)
        prints.extend(_file_prints(tokens, len(kept), key, cache))
        kept.append(code)
    return Fingerprinted(files=tuple(kept), prints=tuple(prints), tokens=total)

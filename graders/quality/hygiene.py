"""Repository hygiene: secrets in files, hard-coded absolute paths, committed data and binaries.

Secrets are matched by well-known token shapes (AWS, GitHub, Slack, OpenAI-style, Google, Stripe,
Hugging Face, private-key blocks) and by ``api_key = "<high-entropy literal>"`` assignments. A
finding never repeats the secret: it shows the first four characters and the length.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath

from graders._workspace import FileKind, Inventory, read_text
from graders.types import Severity

__all__ = [
    "ABSOLUTE_PATH",
    "SecretHit",
    "Stored",
    "find_absolute_path",
    "find_secrets",
    "scan_secrets",
    "stored_artifacts",
]

MAX_SCAN_BYTES = 2 * 1024 * 1024
"""Bytes read per file when looking for secrets."""
MAX_TOTAL_SCAN_BYTES = 40 * 1024 * 1024
DATA_FILE_BYTES = 1024 * 1024
"""Data files larger than this are reported as committed data."""
LARGE_FILE_BYTES = 5 * 1024 * 1024
"""Other files larger than this are reported as large binaries."""

_TOKENS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "an AWS secret access key",
        re.compile(r"(?i)aws_?secret_?access_?key[\"']?\s*[=:]\s*[\"']?([A-Za-z0-9/+=]{40})"),
    ),
    (
        "a private key",
        re.compile(
            r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----"
        ),
    ),
    (
        "a GitHub token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b"),
    ),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("an OpenAI-style API key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a Stripe live key", re.compile(r"\b[sr]k_live_[0-9a-zA-Z]{16,}")),
    ("a Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
)
_ASSIGNED = re.compile(
    r"(?i)\b(api[_-]?key|apikey|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|"
    r"bearer|password|passwd|token|secret)\b[\"']?\s*[:=]\s*[rbf]?[\"']([^\"'\s]{12,200})[\"']"
)
_PLACEHOLDER = re.compile(
    r"(?i)your|xxxx|<|>|\{|\}|changeme|placeholder|dummy|example|redacted|\*\*\*|\.\.\.|environ"
)
_SCAN_SUFFIXES = frozenset(
    {".py", ".ipynb", ".md", ".txt", ".rst", ".toml", ".yaml", ".yml", ".json", ".cfg", ".ini",
     ".env", ".sh", ".sql", ".r", ".conf", ".properties", ".pem", ".key", ""}
)  # fmt: skip

ABSOLUTE_PATH = re.compile(
    r"^(?:/(?:home|Users|root|mnt|media|Volumes|content|kaggle|data|datasets|workspace|work|opt|srv|"
    r"scratch|gpfs|nfs|shared|project|projects)/[^\s]*|[A-Za-z]:[\\/][^\s]*|~/[^\s]+)"
)


def find_absolute_path(value: str) -> str | None:
    """The hard-coded absolute path a string literal starts with, if any."""
    match = ABSOLUTE_PATH.match(value)
    return match.group(0) if match else None


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _mask(value: str) -> str:
    return f"{value[:4]}… ({len(value)} characters)"


@dataclass(frozen=True)
class SecretHit:
    rel: str
    line: int
    what: str
    masked: str


def find_secrets(rel: str, text: str, *, limit: int = 20) -> list[SecretHit]:
    """Secrets in one file's text."""
    hits: list[SecretHit] = []
    for what, pattern in _TOKENS:
        for match in pattern.finditer(text):
            value = match.group(1) if match.groups() else match.group(0)
            hits.append(SecretHit(rel, text.count("\n", 0, match.start()) + 1, what, _mask(value)))
            if len(hits) >= limit:
                return hits
    for match in _ASSIGNED.finditer(text):
        value = match.group(2)
        if _PLACEHOLDER.search(value) or _entropy(value) < 3.0:
            continue
        line = text.count("\n", 0, match.start()) + 1
        if any(h.line == line for h in hits):
            continue
        hits.append(SecretHit(rel, line, f"a hard-coded {match.group(1).lower()}", _mask(value)))
        if len(hits) >= limit:
            break
    return hits


def scan_secrets(inv: Inventory, *, limit: int = 50) -> list[SecretHit]:
    """Secrets over the workspace's text files, bounded per file and in total."""
    hits: list[SecretHit] = []
    budget = MAX_TOTAL_SCAN_BYTES
    for f in inv.files:
        suffix = PurePosixPath(f.rel.lower()).suffix
        if suffix not in _SCAN_SUFFIXES and not f.name.lower().startswith(".env"):
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
    return hits


@dataclass(frozen=True)
class Stored:
    """A file that should not be committed, and why."""

    rel: str
    size: int
    rule: str
    """``quality:model-binary``, ``quality:committed-data``, ``quality:large-binary``,
    ``quality:env-file`` or ``quality:archive``."""
    severity: Severity


def stored_artifacts(inv: Inventory) -> list[Stored]:
    """Model binaries, data files over :data:`DATA_FILE_BYTES`, other big files, ``.env`` files."""
    out: list[Stored] = []
    for f in inv.files:
        lower = f.name.lower()
        if f.kind is FileKind.model:
            out.append(Stored(f.rel, f.size, "quality:model-binary", Severity.warning))
        elif f.kind is FileKind.data and f.size > DATA_FILE_BYTES:
            out.append(Stored(f.rel, f.size, "quality:committed-data", Severity.warning))
        elif f.kind is FileKind.archive:
            out.append(Stored(f.rel, f.size, "quality:archive", Severity.info))
        elif lower == ".env" or (
            lower.startswith(".env.") and not lower.endswith((".example", ".sample"))
        ):
            out.append(Stored(f.rel, f.size, "quality:env-file", Severity.warning))
        elif f.size > LARGE_FILE_BYTES and f.kind not in {FileKind.notebook, FileKind.python}:
            out.append(Stored(f.rel, f.size, "quality:large-binary", Severity.warning))
    return out

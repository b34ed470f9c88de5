"""Metric claims in a writeup, and how they compare with what the harness measured.

Extraction is deliberately simple and explainable: a value (``0.91``, ``.91``, ``91%``,
``91.3 percent``) belongs to the nearest metric name before it in the same sentence (within
:data:`AFTER_METRIC` characters), or else to one right after it (``91% accuracy``); Markdown tables
map each cell to its column's metric. Each claim gets a context from the words right around the
value:

- ``baseline`` (baseline, dummy, majority class), ``train`` (training-set scores) and ``target``
  (goals, literature) are not claims about the candidate's held-out performance and are not checked;
- ``cv`` (cross-validation, validation or dev set) is checked with a wider margin: a validation
  estimate on data from the same distribution should be near the held-out score, and one far above
  it signals leakage or misreporting, but a few points of optimism are normal;
- anything else is a claim about test performance, checked with :data:`MARGIN`.

A claim is inflated when it exceeds the high end of the measured bootstrap interval by more than
the margin. An unqualified "F1" is compared with the higher of macro-F1 (its interval) and
weighted-F1 (plus the macro interval's half-width), since candidates use the word for either.
"Micro-F1" equals accuracy for single-label classification and is compared with it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from graders.types import SplitScores

__all__ = [
    "AFTER_METRIC",
    "CV_MARGIN",
    "MARGIN",
    "Claim",
    "ClaimCheck",
    "ClaimContext",
    "check_claim",
    "extract_claims",
]

MARGIN = 0.02
"""How far above the interval's high end a test-set claim may be before it is inflated."""
CV_MARGIN = 0.05
"""The same for claims labelled as cross-validation or validation scores."""
AFTER_METRIC = 60
"""Characters between a metric name and a value that still tie them together."""
BEFORE_METRIC = 20
"""Characters between a value and a metric name after it (``91% accuracy``)."""
MAX_CLAIM_TEXT = 200_000
MAX_SENTENCE = 2_000
MAX_PER_SENTENCE = 50
MAX_CLAIMS = 200


class ClaimContext(StrEnum):
    test = "test"
    cv = "cv"
    train = "train"
    baseline = "baseline"
    target = "target"


_METRICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("macro_f1", re.compile(
        r"macro[\s_-]*(?:averaged\s+|avg\.?\s+|average\s+)?f[\s_-]?1(?:[\s_-]*score)?|"
        r"f[\s_-]?1(?:[\s_-]*score)?\s*\(\s*macro(?:[\s-]*avg)?\s*\)|f1[\s_-]macro", re.I)),
    ("weighted_f1", re.compile(
        r"weighted[\s_-]*(?:averaged\s+|avg\.?\s+|average\s+)?f[\s_-]?1(?:[\s_-]*score)?|"
        r"f[\s_-]?1(?:[\s_-]*score)?\s*\(\s*weighted\s*\)|f1[\s_-]weighted", re.I)),
    ("accuracy", re.compile(r"micro[\s_-]*(?:averaged\s+|avg\.?\s+)?f[\s_-]?1(?:[\s_-]*score)?", re.I)),
    ("balanced", re.compile(r"balanced[\s_-]*acc(?:uracy)?", re.I)),
    ("accuracy", re.compile(r"\bacc(?:uracy)?\b", re.I)),
    ("f1", re.compile(r"\bf[\s_-]?1(?:[\s_-]*score)?\b|\bf[\s_-]?score\b|\bf[\s_-]?measure\b", re.I)),
)  # fmt: skip
_VALUE = re.compile(
    r"(?<![\w.])(?:(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|pct\b)|([01]?\.\d{1,4}|1\.0+)(?![\d%]))"
)
_DELTA_BEFORE = re.compile(
    r"(±|\+/-|\+-|\bby|\+|\bpoints?|\bdelta|\bgain of|\bimprovement of|\bstd\.?|\bsd)\s*$", re.I
)
_UNIT_AFTER = re.compile(
    r"^\s*(s\b|sec|seconds|ms\b|min|minutes|hours|mb\b|gb\b|k\b|x\b|pp\b|points?\b)", re.I
)
# Sentences end at . ! ? ; (not inside numbers), at blank lines and before a new block (list
# item, table row, heading, quote); a single newline inside a paragraph is just a wrapped line.
_SENTENCE = re.compile(
    r"[.!?](?=\s+[A-Z])|(?<!\d)[.!?](?!\d)|;|\n\s*\n|\n(?=\s*(?:[-*+|#>]|\d+[.)]\s))"
)

_CONTEXTS: tuple[tuple[ClaimContext, re.Pattern[str]], ...] = (
    (ClaimContext.baseline, re.compile(r"baseline|dummy|majority|most[\s-]frequent|random guess|starter", re.I)),
    (ClaimContext.target, re.compile(
        r"target|goal|\baim|hope|expect|would like|could reach|state[\s-]of[\s-]the[\s-]art|\bsota\b|literature|paper",
        re.I)),
    (ClaimContext.cv, re.compile(
        r"cross[\s-]?val|\bcv\b|k[\s-]fold|\d+[\s-]fold|validation|\bval\b|dev(?:elopment)?[\s-]set|out[\s-]of[\s-]fold|oof",
        re.I)),
    (ClaimContext.train, re.compile(r"train(?:ing)?[\s-]*(?:set|data|split|accuracy|score|acc)|in[\s-]sample|on train", re.I)),
)  # fmt: skip
_CONTEXT_BEFORE = 40
_CONTEXT_AFTER = 25


@dataclass(frozen=True)
class Claim:
    """One number the writeup states for a metric."""

    metric: str
    """``accuracy``, ``macro_f1``, ``weighted_f1`` or ``f1`` (unqualified)."""
    value: float
    """As a fraction, 0-1."""
    text: str
    """The snippet it was read from."""
    context: ClaimContext
    doc: str
    """The file (or notebook) it is in."""
    line: int | None


def _metric_spans(sentence: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for metric, pattern in _METRICS:
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e, _ in spans):
                continue
            spans.append((m.start(), m.end(), metric))
    spans.sort()
    return spans


def _value_spans(sentence: str) -> list[tuple[int, int, float]]:
    out: list[tuple[int, int, float]] = []
    for m in _VALUE.finditer(sentence):
        if _DELTA_BEFORE.search(sentence[max(0, m.start() - 16) : m.start()]):
            continue
        if _UNIT_AFTER.match(sentence[m.end() : m.end() + 10]):
            continue
        value = float(m.group(1)) / 100.0 if m.group(1) is not None else float(m.group(2))
        if 0.0 < value <= 1.0:
            out.append((m.start(), m.end(), value))
    return out


def _context(window: str) -> ClaimContext:
    for context, pattern in _CONTEXTS:
        if pattern.search(window):
            return context
    return ClaimContext.test


def _sentences(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    start = 0
    for m in _SENTENCE.finditer(text):
        out.append((start, text[start : m.start()]))
        start = m.end()
    out.append((start, text[start:]))
    return out


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table_claims(text: str, doc: str, has_lines: bool) -> tuple[list[Claim], set[int]]:
    """Claims from Markdown tables (metric columns or metric rows); returns the table's line indexes.

    The context of a table claim comes from its column header and the row's other labels, so a
    ``5-fold CV`` column or a ``baseline`` row is recognised.
    """
    claims: list[Claim] = []
    used: set[int] = set()
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        separator = i + 1 < len(lines) and re.match(r"^\s*\|?[\s:|-]+\|[\s:|-]*$", lines[i + 1])
        if not (lines[i].lstrip().startswith("|") and separator):
            i += 1
            continue
        header = _cells(lines[i])
        columns = {
            k: spans[0][2] for k, cell in enumerate(header) if (spans := _metric_spans(cell))
        }
        used.update((i, i + 1))
        j = i + 2
        while j < len(lines) and lines[j].lstrip().startswith("|"):
            used.add(j)
            cells = _cells(lines[j])
            row_spans = _metric_spans(cells[0]) if cells else []
            row_metric = row_spans[0][2] if row_spans else None
            labels = " ".join(
                c for k, c in enumerate(cells) if k not in columns and not _value_spans(c)
            )
            for k, cell in enumerate(cells):
                values = _value_spans(cell)
                metric = columns.get(k) or (row_metric if k > 0 else None)
                if not values or metric is None or metric == "balanced":
                    continue
                context = _context(f"{labels} {header[k] if k < len(header) else ''}")
                line = j + 1 if has_lines else None
                claims.append(
                    Claim(metric, values[0][2], lines[j].strip()[:160], context, doc, line)
                )
            j += 1
        i = j
    return claims, used


def _line_index(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


def _sentence_claims(
    sentence: str, start: int, doc: str, line_of: Callable[[int], int | None]
) -> list[Claim]:
    metrics = _metric_spans(sentence)[:MAX_PER_SENTENCE]
    if not metrics:
        return []
    ends = [m[1] for m in metrics]
    claims: list[Claim] = []
    for v_start, v_end, value in _value_spans(sentence)[:MAX_PER_SENTENCE]:
        # nearest metric name ending before the value, and the first one starting after it
        k = bisect.bisect_right(ends, v_start) - 1
        before = metrics[k] if k >= 0 and v_start - metrics[k][1] <= AFTER_METRIC else None
        after = next((m for m in metrics[k + 1 :] if m[0] >= v_end), None)
        # "86% accuracy": a metric name right after the value, with nothing but spaces between
        if (
            after
            and after[0] - v_end <= BEFORE_METRIC
            and not sentence[v_end : after[0]].strip(" \t\n(-")
        ):
            metric = after[2]
        elif before is not None:
            metric = before[2]
        else:
            continue
        if metric == "balanced":
            continue
        window = sentence[max(0, v_start - _CONTEXT_BEFORE) : v_end + _CONTEXT_AFTER]
        snippet = " ".join(sentence[max(0, v_start - 60) : v_end + 20].split())
        claims.append(
            Claim(metric, value, snippet, _context(window), doc, line_of(start + v_start))
        )
    return claims


def extract_claims(text: str, doc: str, *, has_lines: bool = True) -> list[Claim]:
    """Every metric claim in ``text`` (tables included), in document order, without duplicates.

    Bounded for hostile input: :data:`MAX_CLAIM_TEXT` characters are read, sentences are cut at
    :data:`MAX_SENTENCE` characters and at most :data:`MAX_CLAIMS` claims are kept.
    """
    text = text[:MAX_CLAIM_TEXT]
    claims, table_lines = _table_claims(text, doc, has_lines)
    starts = _line_index(text)

    def line_of(offset: int) -> int | None:
        return bisect.bisect_right(starts, offset) if has_lines else None

    for start, sentence in _sentences(text):
        if bisect.bisect_right(starts, start) - 1 in table_lines:
            continue
        claims.extend(_sentence_claims(sentence[:MAX_SENTENCE], start, doc, line_of))
        if len(claims) >= MAX_CLAIMS:
            break
    seen: set[tuple[str, float, ClaimContext, int | None]] = set()
    unique: list[Claim] = []
    for claim in sorted(claims, key=lambda c: c.line or 0):
        key = (claim.metric, round(claim.value, 4), claim.context, claim.line)
        if key not in seen:
            seen.add(key)
            unique.append(claim)
    return unique[:MAX_CLAIMS]


@dataclass(frozen=True)
class ClaimCheck:
    """A checked claim."""

    claim: Claim
    measured: float
    """The held-out point estimate it is compared with."""
    high: float
    """The bound the claim may not exceed by more than the margin."""
    low: float
    margin: float
    inflated: bool

    @property
    def excess(self) -> float:
        return round(self.claim.value - self.high, 4)


def check_claim(claim: Claim, heldout: SplitScores) -> ClaimCheck | None:
    """Compare a claim with the held-out scores; None when its context is not checked."""
    if claim.context not in {ClaimContext.test, ClaimContext.cv}:
        return None
    margin = CV_MARGIN if claim.context is ClaimContext.cv else MARGIN
    if claim.metric == "accuracy":
        measured, low, high = heldout.accuracy, heldout.accuracy_ci.low, heldout.accuracy_ci.high
    elif claim.metric == "macro_f1":
        measured, low, high = heldout.macro_f1, heldout.macro_f1_ci.low, heldout.macro_f1_ci.high
    elif claim.metric == "weighted_f1":
        half = (heldout.macro_f1_ci.high - heldout.macro_f1_ci.low) / 2
        measured, low, high = (
            heldout.weighted_f1,
            heldout.weighted_f1 - half,
            heldout.weighted_f1 + half,
        )
    else:  # unqualified F1: the kinder of the two readings
        half = (heldout.macro_f1_ci.high - heldout.macro_f1_ci.low) / 2
        if heldout.weighted_f1 + half > heldout.macro_f1_ci.high:
            measured, low, high = (
                heldout.weighted_f1,
                heldout.weighted_f1 - half,
                heldout.weighted_f1 + half,
            )
        else:
            measured, low, high = (
                heldout.macro_f1,
                heldout.macro_f1_ci.low,
                heldout.macro_f1_ci.high,
            )
    return ClaimCheck(claim, measured, high, low, margin, claim.value > high + margin)

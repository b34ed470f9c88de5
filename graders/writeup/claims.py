"""Metric claims in a writeup: which number the candidate states for which metric, and where.

Extraction is deliberately simple and explainable. Metric names are recognised by pattern
(:data:`METRIC_NAMES`): accuracy, macro-/weighted-/micro-F1 and plain F1, precision, recall,
balanced and top-k accuracy, ROC AUC, average precision, log loss, Cohen's kappa and MCC. A value
(``0.91``, ``.91``, ``91%``, ``91.3 percent``) belongs to

- every metric of a list right before it, when the list shares it ("Accuracy, Precision, Recall
  and F1 all sit at about 0.88" is four claims of 0.88), or to each in turn when the list is
  followed by as many values ("accuracy and macro-F1 are 0.88 and 0.86");
- otherwise to a metric name right after it with nothing between (``91% accuracy``), or else to
  the nearest metric name before it in the same sentence (within :data:`AFTER_METRIC` characters).

Markdown tables map each cell to its column's (or row's) metric, and rows named after one of the
assignment's labels give per-class claims; scikit-learn classification reports pasted as text are
read row by row (per-class precision, recall and F1; accuracy; macro and weighted averages). An
unqualified precision, recall or F1 next to a label in a sentence ("security_privacy F1 is 0.7")
is a per-class claim.

Each claim gets a context from the words around the value (and, for cross-validation, the
sentence before it):

- ``baseline`` (baseline, dummy, majority class), ``train`` (training-set scores) and ``target``
  (goals, literature) are not claims about the candidate's held-out performance;
- ``cv`` (cross-validation, validation or dev set, out-of-fold): an estimate on data from the same
  distribution as the held-out set;
- anything else is a claim about test performance.

How claims are compared with the held-out measurement is :mod:`graders.writeup.verify`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

__all__ = [
    "AFTER_METRIC",
    "METRIC_NAMES",
    "Claim",
    "ClaimContext",
    "extract_claims",
    "label_patterns",
]

AFTER_METRIC = 60
"""Characters between a metric name and a value that still tie them together."""
BEFORE_METRIC = 20
"""Characters between a value and a metric name after it (``91% accuracy``)."""
LABEL_BEFORE_METRIC = 50
"""Characters between a label and the metric after it for a per-class claim in a sentence."""
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


METRIC_NAMES: dict[str, str] = {
    "accuracy": "accuracy",
    "macro_f1": "macro-F1",
    "weighted_f1": "weighted-F1",
    "f1": "F1",
    "precision": "precision",
    "recall": "recall",
    "balanced_accuracy": "balanced accuracy",
    "top_k_accuracy": "top-k accuracy",
    "auc": "ROC AUC",
    "average_precision": "average precision",
    "log_loss": "log loss",
    "kappa": "Cohen's kappa",
    "mcc": "MCC",
}
"""Every metric kind a claim can be about, with its name in messages."""

# Longer and more specific names first: a span taken by one is not matched again by a later one.
_METRICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("macro_f1", re.compile(
        r"macro[\s_-]*(?:averaged\s+|avg\.?\s+|average\s+)?f[\s_-]?1(?:[\s_-]*score)?|"
        r"f[\s_-]?1(?:[\s_-]*score)?\s*\(\s*macro(?:[\s-]*avg)?\s*\)|f1[\s_-]macro", re.I)),
    ("weighted_f1", re.compile(
        r"weighted[\s_-]*(?:averaged\s+|avg\.?\s+|average\s+)?f[\s_-]?1(?:[\s_-]*score)?|"
        r"f[\s_-]?1(?:[\s_-]*score)?\s*\(\s*weighted\s*\)|f1[\s_-]weighted", re.I)),
    ("accuracy", re.compile(r"micro[\s_-]*(?:averaged\s+|avg\.?\s+)?f[\s_-]?1(?:[\s_-]*score)?", re.I)),
    ("balanced_accuracy", re.compile(r"balanced[\s_-]*acc(?:uracy)?", re.I)),
    ("top_k_accuracy", re.compile(r"top[\s_-]?\d+[\s_-]*acc(?:uracy)?", re.I)),
    ("average_precision", re.compile(
        r"(?:mean[\s_-])?average[\s_-]precision|\bpr[\s_-]?auc\b|\bauprc\b", re.I)),
    ("auc", re.compile(
        r"\b(?:roc[\s_-]?)?auc(?:[\s_-]roc)?\b|area\s+under\s+(?:the\s+)?(?:roc\s+)?curve|\broc\b", re.I)),
    ("log_loss", re.compile(r"\blog[\s_-]?loss\b|\bcross[\s-]entropy(?:[\s-]loss)?\b|\bnll\b", re.I)),
    ("kappa", re.compile(r"\bcohen'?s?[\s-]+kappa\b|\bkappa\b", re.I)),
    ("mcc", re.compile(r"\bmatthews(?:[\s-]correlation(?:[\s-]coefficient)?)?\b|\bmcc\b", re.I)),
    ("accuracy", re.compile(r"\bacc(?:uracy)?\b", re.I)),
    ("f1", re.compile(r"\bf[\s_-]?1(?:[\s_-]*score)?\b|\bf[\s_-]?score\b|\bf[\s_-]?measure\b", re.I)),
    ("precision", re.compile(r"\bprecision\b", re.I)),
    ("recall", re.compile(r"\brecall\b|\bsensitivity\b", re.I)),
)  # fmt: skip
_PER_CLASS_METRICS = frozenset({"f1", "precision", "recall"})
_VALUE = re.compile(
    r"(?<![\w.])(?:(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|pct\b)|([01]?\.\d{1,4}|1\.0+)(?![\d%]))"
)
_DELTA_BEFORE = re.compile(
    r"(±|\+/-|\+-|\bby|\+|\bpoints?|\bdelta|\bgain of|\bimprovement of|\bstd\.?|\bsd|\bci|"
    r"\binterval)\s*:?\s*$",
    re.I,
)
_UNIT_AFTER = re.compile(
    r"^\s*(s\b|sec|seconds|ms\b|min|minutes|hours|mb\b|gb\b|k\b|x\b|pp\b|points?\b|"
    r"ci\b|c\.i\.|confidence|interval|bootstrap)",
    re.I,
)
# The upper end of a range ("0.86-0.90", "0.86 to 0.90"): an interval, not a second claim.
_RANGE_BEFORE = re.compile(r"\d%?\s*(?:-|\u2013|\u2014|to)\s*$", re.I)
# A qualifier right after an F1 value: "F1 0.86 (macro)", "F1-score 0.87 weighted".
_AVERAGE_AFTER = re.compile(r"^\s*\(?\s*(macro|weighted|micro)\b", re.I)
# What may separate the names of a list of metrics sharing a value: "Accuracy, Precision, Recall
# and F1", "accuracy/F1", "accuracy and the macro-F1".
_LIST_SEPARATOR = re.compile(
    r"^\s*(?:,\s*)?(?:and|&|/|\+|or|as well as)?\s*(?:the\s+|its\s+)?$", re.I
)
_RESPECTIVELY_GAP = 120
# Sentences end at . ! ? ; (not inside numbers), at blank lines and before a new block (list
# item, table row, heading, quote); a single newline inside a paragraph is just a wrapped line.
_SENTENCE = re.compile(
    r"[.!?](?=\s+[A-Z])|(?<!\d)[.!?](?!\d)|;|\n\s*\n|\n(?=\s*(?:[-*+|#>]|\d+[.)]\s))"
)

_CV = re.compile(
    r"cross[\s-]?val|\bcv\b|k[\s-]fold|\d+[\s-]fold|\b(?:two|three|four|five|ten)[\s-]fold|\bfolds?\b|"
    r"validation|\bval\b|dev(?:elopment)?[\s-]set|out[\s-]of[\s-]fold|\boof\b",
    re.I,
)
_TRAIN_SCORE = re.compile(
    r"train(?:ing)?[\s-]*(?:accuracy|score|acc|f1|loss)|in[\s-]sample|"
    r"\(\s*train(?:ing)?(?:\s+set)?\s*\)|\btrain(?:ing)?\s*[:=]",
    re.I,
)
# "on the training data" is a training score, "20% of the training data" a hold-out carved from it.
_TRAIN_DATA = re.compile(
    r"(?<!of the )(?<!from the )(?<!of )(?<!from )train(?:ing)?[\s-]*(?:set|data|split)\b", re.I
)
_TEST = re.compile(
    r"\btest(?:ing)?[\s-]?(?:set|split|data|tickets)\b|held[\s-]?out|hold[\s-]?out|\bunseen\b|"
    r"\(\s*test(?:\s+set)?\s*\)|"
    r"\bon (?:the )?test\b",
    re.I,
)
_BASELINE = re.compile(r"baseline|dummy|majority|most[\s-]frequent|random guess|starter", re.I)
_COMPARED_BEFORE = re.compile(
    r"\b(?:against|vs\.?|versus|compared (?:to|with)|than|over)\s+(?:the\s+|a\s+|an\s+)?$", re.I
)
# In order of precedence when two markers are as near to a value.
_CONTEXTS: tuple[tuple[ClaimContext, re.Pattern[str]], ...] = (
    (ClaimContext.baseline, _BASELINE),
    (ClaimContext.target, re.compile(
        r"target|goal|\baim|hope|expect|would like|could reach|state[\s-]of[\s-]the[\s-]art|\bsota\b|literature|paper",
        re.I)),
    (ClaimContext.cv, _CV),
    (ClaimContext.train, _TRAIN_SCORE),
    (ClaimContext.train, _TRAIN_DATA),
    (ClaimContext.test, _TEST),
)  # fmt: skip
_CONTEXT_BEFORE = 40
_CONTEXT_AFTER = 25


@dataclass(frozen=True)
class Claim:
    """One number the writeup states for a metric."""

    metric: str
    """One of :data:`METRIC_NAMES`; ``f1`` is an F1 that does not say which average."""
    value: float
    """As a fraction, 0-1."""
    text: str
    """The snippet it was read from."""
    context: ClaimContext
    doc: str
    """The file (or notebook) it is in."""
    line: int | None
    label: str | None = None
    """The assignment label a per-class claim is about; None for an overall figure. A per-class
    row for a label the assignment does not have keeps its own spelling here."""
    known_label: bool = True
    """False when :attr:`label` is not one of the assignment's labels."""


def label_patterns(labels: Sequence[str]) -> dict[str, re.Pattern[str]]:
    """Each label, matching its spellings in prose: ``bug_report``, "bug report(s)", "Bug-Report";
    ``security_privacy`` also "security & privacy", "security and privacy"."""
    out: dict[str, re.Pattern[str]] = {}
    for label in labels:
        words = [w for w in re.split(r"[^A-Za-z0-9]+", label) if w]
        if not words:
            continue
        if len(words) == 1:
            body = re.escape(words[0])
        elif len(words) == 2 and {w.lower() for w in words} <= {"how", "to"}:
            body = r"[_-]".join(map(re.escape, words))  # "how to" is English, "how-to" the queue
        else:
            body = r"(?:[\s_/-]+|\s*&\s*|\s+and\s+)".join(map(re.escape, words))
        out[label] = re.compile(rf"(?<![A-Za-z0-9]){body}(?:e?s)?(?![A-Za-z0-9])", re.I)
    return out


def _match_label(name: str, patterns: dict[str, re.Pattern[str]]) -> str | None:
    """The label a table row or report row names (its whole first cell)."""
    cleaned = name.strip(" *`_'\"")
    for label, pattern in patterns.items():
        m = pattern.search(cleaned)
        if m and m.start() == 0 and m.end() == len(cleaned):
            return label
    return None


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
        if _UNIT_AFTER.match(sentence[m.end() : m.end() + 12]):
            continue
        if _RANGE_BEFORE.search(sentence[max(0, m.start() - 8) : m.start()]):
            continue
        value = float(m.group(1)) / 100.0 if m.group(1) is not None else float(m.group(2))
        if 0.0 < value <= 1.0:
            out.append((m.start(), m.end(), value))
    return out


def _marked_context(text: str) -> ClaimContext | None:
    """The first context, by precedence, whose marker ``text`` holds; None when it holds none."""
    return next((c for c, pattern in _CONTEXTS if pattern.search(text)), None)


def _context_of(text: str) -> ClaimContext:
    """The context a table cell's labels or a report's preceding lines give (test by default)."""
    return _marked_context(text) or ClaimContext.test


def _context(sentence: str, v_start: int, v_end: int) -> ClaimContext:
    """The context of the value at ``sentence[v_start:v_end]``.

    The nearest marker wins (one after the value counts double its distance); a marker with
    another value between it and this one belongs to that value ("0.88 against 0.80 for the
    baseline": the baseline marker is 0.80's). With no marker near, a cross-validation marker
    earlier in the sentence ("5-fold cross-validation on the training data: accuracy 0.88, macro-F1
    0.86") makes the figure a validation one; so it does for a "training data" marker, but not for
    a training score ("training accuracy").
    """
    if _COMPARED_BEFORE.search(sentence[max(0, v_start - 20) : v_start]) and _BASELINE.search(
        sentence, v_end, v_end + 70
    ):
        return ClaimContext.baseline  # "... against 0.80 macro-F1 for a TF-IDF baseline"
    lo, hi = max(0, v_start - _CONTEXT_BEFORE), v_end + _CONTEXT_AFTER
    best: tuple[float, int, ClaimContext, re.Pattern[str]] | None = None
    for rank, (context, pattern) in enumerate(_CONTEXTS):
        # searched in place (not in a slice) so that look-behinds see the words before the window
        for m in pattern.finditer(sentence, lo, v_start):
            if not _VALUE.search(sentence[m.end() : v_start]):
                candidate = (float(v_start - m.end()), rank, context, pattern)
                best = candidate if best is None or candidate[:2] < best[:2] else best
        for m in pattern.finditer(sentence, v_end, hi):
            gap = sentence[v_end : m.start()]
            if not _VALUE.search(gap):
                # "0.85 (test)": a marker in brackets right after the value is its own
                distance = 0.0 if not gap.strip(" (") else 2.0 * len(gap) + 1
                candidate = (distance, rank, context, pattern)
                best = candidate if best is None or candidate[:2] < best[:2] else best
    prefix_cv = bool(_CV.search(sentence[:v_start]))
    if best is None:
        return ClaimContext.cv if prefix_cv else ClaimContext.test
    context, pattern = best[2], best[3]
    if prefix_cv and pattern is _TRAIN_DATA:
        return ClaimContext.cv
    return context


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


def _qualified(metric: str, qualifier: str) -> str:
    """An F1 column read in a ``macro avg`` / ``weighted avg`` / ``micro avg`` row."""
    if metric != "f1":
        return metric
    low = qualifier.lower()
    if "macro" in low:
        return "macro_f1"
    if "weighted" in low:
        return "weighted_f1"
    if "micro" in low:
        return "accuracy"
    return metric


def _table_claims(
    text: str, doc: str, has_lines: bool, labels: dict[str, re.Pattern[str]]
) -> tuple[list[Claim], set[int]]:
    """Claims from Markdown tables (metric columns or metric rows); returns the table's line indexes.

    The context of a table claim comes from its column header and the row's other labels, so a
    ``5-fold CV`` column or a ``baseline`` row is recognised; with no marker there, from the lines
    right before the table ("5-fold cross-validation, mean over folds:"). A row whose first cell is one of the
    assignment's labels holds per-class figures; a row named ``macro avg`` or ``weighted avg``
    qualifies its F1 column; a row named after a metric (``accuracy``) wins over the column.
    """
    claims: list[Claim] = []
    used: set[int] = set()
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        separator = i + 1 < len(lines) and _TABLE_SEPARATOR.match(lines[i + 1])
        if not ("|" in lines[i] and separator):
            i += 1
            continue
        header = _cells(lines[i])
        columns = {
            k: spans[0][2] for k, cell in enumerate(header) if (spans := _metric_spans(cell))
        }
        used.update((i, i + 1))
        j = i + 2
        classes = _is_class_table(header)
        lead_in = _context_of(" ".join(lines[max(0, i - 3) : i])[-300:])
        while j < len(lines) and "|" in lines[j]:
            used.add(j)
            for claim in _row_claims(lines[j], j, header, columns, classes, doc, has_lines, labels):
                marked = _marked_context(f"{claim.text} {header}")
                claims.append(claim if marked else replace(claim, context=lead_in))
            j += 1
        i = j
    return claims, used


def _is_class_table(header: list[str]) -> bool:
    """Whether a table's rows are classes: its first column is named like one, or it has a
    ``support`` column (a classification report)."""
    return bool(header) and (
        bool(_CLASS_COLUMN.search(header[0])) or any(c.lower() == "support" for c in header)
    )


def _row_claims(
    line: str,
    j: int,
    header: list[str],
    columns: dict[int, str],
    classes: bool,
    doc: str,
    has_lines: bool,
    labels: dict[str, re.Pattern[str]],
) -> list[Claim]:
    cells = _cells(line)
    first = cells[0] if cells else ""
    row_spans = _metric_spans(first)
    row_metric = row_spans[0][2] if row_spans else None
    label = _match_label(first, labels) if columns else None
    known = True
    if label is None and classes and row_metric is None and not _AVERAGE_ROW.search(first):
        # a row of a class table naming a class this task does not have
        label, known = first.strip(" *`_'\"")[:60] or None, False
    row_labels = " ".join(
        c for k, c in enumerate(cells) if k not in columns and not _value_spans(c)
    )
    claims: list[Claim] = []
    for k, cell in enumerate(cells):
        values = _value_spans(cell)
        metric = (row_metric if k > 0 else None) or columns.get(k)
        if not values or metric is None:
            continue
        metric = _qualified(metric, first)
        per_class = label is not None and metric in _PER_CLASS_METRICS
        context = _context_of(f"{row_labels} {header[k] if k < len(header) else ''}")
        claims.append(
            Claim(
                metric,
                values[0][2],
                line.strip()[:160],
                context,
                doc,
                j + 1 if has_lines else None,
                label if per_class else None,
                known if per_class else True,
            )
        )
    return claims


_TABLE_SEPARATOR = re.compile(r"^\s*\|?[\s:|-]+\|[\s:|-]*$|^\s*-{10,}\s*$")
"""A Markdown table's separator row, or a plain line of dashes under a pipe-separated header."""
_CLASS_COLUMN = re.compile(r"class|categor|label|queue|intent|topic|target|group", re.I)
_AVERAGE_ROW = re.compile(r"\b(?:macro|weighted|micro|avg|average|mean|total|overall|all)\b", re.I)
_REPORT_HEADER = re.compile(r"^\s*precision\s+recall\s+f1[-_ ]?score\s+support\s*$", re.I)
_REPORT_ROW = re.compile(
    r"^\s*(?P<name>\S.*?)\s+(?P<p>\d?\.\d+)\s+(?P<r>\d?\.\d+)\s+(?P<f>\d?\.\d+)\s+(?P<n>\d+)\s*$"
)
_REPORT_ACCURACY = re.compile(r"^\s*accuracy\s+(?P<f>\d?\.\d+)\s+(?P<n>\d+)\s*$", re.I)


def _report_claims(
    text: str, doc: str, has_lines: bool, labels: dict[str, re.Pattern[str]]
) -> tuple[list[Claim], set[int]]:
    """Claims from scikit-learn classification reports pasted as text.

    Label rows give per-class precision, recall and F1 (rows for labels this task does not have
    are kept, marked unknown); ``accuracy``, ``macro avg`` and ``weighted avg`` rows give the
    overall figures. The context comes from the lines right before the report.
    """
    claims: list[Claim] = []
    used: set[int] = set()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not _REPORT_HEADER.match(line):
            continue
        before = " ".join(lines[max(0, i - 4) : i])
        context = _context_of(before[-200:])
        used.add(i)
        for j in range(i + 1, min(len(lines), i + 400)):
            row = lines[j]
            if not row.strip():
                continue
            number = j + 1 if has_lines else None
            snippet = " ".join(row.split())[:160]
            if m := _REPORT_ACCURACY.match(row):
                used.add(j)
                claims.append(Claim("accuracy", float(m["f"]), snippet, context, doc, number))
                continue
            m = _REPORT_ROW.match(row)
            if m is None:
                break
            used.add(j)
            name = m["name"].strip()
            label = _match_label(name, labels)
            figures = {"precision": float(m["p"]), "recall": float(m["r"]), "f1": float(m["f"])}
            for metric, value in figures.items():
                qualified = _qualified(metric, name)
                if label is not None:
                    claims.append(Claim(metric, value, snippet, context, doc, number, label))
                elif re.search(r"\b(?:macro|weighted|micro)\b", name, re.I):
                    claims.append(Claim(qualified, value, snippet, context, doc, number))
                else:
                    claims.append(Claim(metric, value, snippet, context, doc, number, name, False))
    return claims, used


def _line_index(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


def _chains(sentence: str, metrics: list[tuple[int, int, str]]) -> list[list[int]]:
    """Runs of metric names separated only by list separators (indexes into ``metrics``)."""
    chains: list[list[int]] = []
    current = [0] if metrics else []
    for k in range(1, len(metrics)):
        gap = sentence[metrics[k - 1][1] : metrics[k][0]]
        if _LIST_SEPARATOR.match(gap):
            current.append(k)
        else:
            chains.append(current)
            current = [k]
    if current:
        chains.append(current)
    return [c for c in chains if len(c) > 1]


def _shared_values(
    sentence: str,
    metrics: list[tuple[int, int, str]],
    values: list[tuple[int, int, float]],
) -> dict[int, list[int]]:
    """Values bound to a list of metrics: value index -> metric indexes.

    A list followed by exactly as many values (before the next metric) pairs them in order;
    otherwise the first value after the list is shared by every metric of it.
    """
    bound: dict[int, list[int]] = {}
    for chain in _chains(sentence, metrics):
        end = metrics[chain[-1]][1]
        nxt = metrics[chain[-1] + 1][0] if chain[-1] + 1 < len(metrics) else len(sentence)
        after = [
            v
            for v, (start, _, _) in enumerate(values)
            if end <= start < min(nxt, end + _RESPECTIVELY_GAP)
        ]
        if not after:
            continue
        if len(after) == len(chain):
            for v, k in zip(after, chain, strict=True):
                bound[v] = [k]
        elif values[after[0]][0] - end <= AFTER_METRIC:
            bound[after[0]] = list(chain)
    return bound


_LABEL_VALUE_GAP = re.compile(r"^[\s:=`'\"*(),]*(?:is|at|of|reaches|gets)?[\s:=`'\"*(]*$", re.I)


def _label_before_value(
    sentence: str, v_start: int, floor: int, labels: dict[str, re.Pattern[str]]
) -> str | None:
    """The label written right before a value ("bug_report 0.91", "refund: 0.85"), if any."""
    lo = max(floor, v_start - 40)
    found = [
        (m.end(), label)
        for label, p in labels.items()
        for m in p.finditer(sentence, lo, v_start)
        if _LABEL_VALUE_GAP.match(sentence[m.end() : v_start])
    ]
    return max(found)[1] if found else None


def _sentence_label(
    sentence: str, metric_start: int, floor: int, labels: dict[str, re.Pattern[str]]
) -> str | None:
    """The label named right before a metric ("security_privacy F1 of 0.7"), if any."""
    window_start = max(floor, metric_start - LABEL_BEFORE_METRIC)
    window = sentence[window_start:metric_start]
    found = [(m.end(), label) for label, p in labels.items() for m in p.finditer(window)]
    return max(found)[1] if found else None


def _sentence_claims(
    sentence: str,
    start: int,
    doc: str,
    line_of: Callable[[int], int],
    labels: dict[str, re.Pattern[str]],
) -> list[Claim]:
    """Claims of one sentence; ``line`` holds the 0-based line index (the caller fixes it up)."""
    metrics = _metric_spans(sentence)[:MAX_PER_SENTENCE]
    if not metrics:
        return []
    values = _value_spans(sentence)[:MAX_PER_SENTENCE]
    shared = _shared_values(sentence, metrics, values)
    ends = [m[1] for m in metrics]
    claims: list[Claim] = []
    for v, (v_start, v_end, value) in enumerate(values):
        previous_value = values[v - 1][1] if v > 0 else 0
        k = bisect.bisect_right(ends, v_start) - 1
        listed = _label_before_value(sentence, v_start, previous_value, labels)
        if listed is not None and k >= 0 and metrics[k][2] in _PER_CLASS_METRICS:
            # "F1 per class: bug_report 0.91, how_to 0.90, ...": each label with its value
            snippet = " ".join(sentence[max(0, v_start - 60) : v_end + 20].split())
            context = _context(sentence, v_start, v_end)
            claims.append(
                Claim(metrics[k][2], value, snippet, context, doc, line_of(start + v_start), listed)
            )
            continue
        if v in shared:
            chosen = [metrics[k] for k in shared[v]]
        else:
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
                chosen = [after]
            elif before is not None:
                chosen = [before]
            else:
                continue
        context = _context(sentence, v_start, v_end)
        snippet = " ".join(sentence[max(0, v_start - 60) : v_end + 20].split())
        qualifier = _AVERAGE_AFTER.match(sentence[v_end : v_end + 15])
        for m_start, _, metric in chosen:
            if qualifier is not None and metric == "f1":
                metric = _qualified(metric, qualifier.group(1))
            label = (
                _sentence_label(sentence, m_start, previous_value, labels)
                if metric in _PER_CLASS_METRICS
                else None
            )
            claims.append(
                Claim(metric, value, snippet, context, doc, line_of(start + v_start), label)
            )
    return claims


def extract_claims(
    text: str, doc: str, *, has_lines: bool = True, labels: Sequence[str] = ()
) -> list[Claim]:
    """Every metric claim in ``text`` (tables and classification reports included), in document
    order, without duplicates. ``labels`` are the assignment's, for per-class claims.

    Bounded for hostile input: :data:`MAX_CLAIM_TEXT` characters are read, sentences are cut at
    :data:`MAX_SENTENCE` characters and at most :data:`MAX_CLAIMS` claims are kept.
    """
    text = text[:MAX_CLAIM_TEXT]
    patterns = label_patterns(labels)
    # "0" or "a1" are found in table rows by their whole cell; in prose they would match anywhere
    in_prose = {k: p for k, p in patterns.items() if len(k) >= 3 and not k.isdigit()}
    claims, table_lines = _table_claims(text, doc, has_lines, patterns)
    report_claims, report_lines = _report_claims(text, doc, has_lines, patterns)
    claims.extend(report_claims)
    skipped = table_lines | report_lines
    starts = _line_index(text)

    def index_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    for start, sentence in _sentences(text):
        if index_of(start) in skipped and index_of(start + len(sentence)) in skipped:
            continue
        found = _sentence_claims(sentence[:MAX_SENTENCE], start, doc, index_of, in_prose)
        claims.extend(
            replace(c, line=c.line + 1 if has_lines else None)
            for c in found
            if c.line is not None and c.line not in skipped
        )
        if len(claims) >= MAX_CLAIMS:
            break
    seen: set[tuple[str, float, ClaimContext, int | None, str | None]] = set()
    unique: list[Claim] = []
    for claim in sorted(claims, key=lambda c: c.line or 0):
        key = (claim.metric, round(claim.value, 4), claim.context, claim.line, claim.label)
        if key not in seen:
            seen.add(key)
            unique.append(claim)
    return unique[:MAX_CLAIMS]

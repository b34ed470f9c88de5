"""Reading and validating a predictions file written by an untrusted container.

The file is read with a byte cap and the ``csv`` module only; every problem is described so a
candidate can fix it ("312 ids missing, first: T-10023") instead of failing vaguely.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graders.types import PredictionCheck

__all__ = ["MAX_PREDICTIONS_BYTES", "read_labels_csv", "validate_predictions"]

MAX_PREDICTIONS_BYTES = 32 * 1024 * 1024
_EXAMPLES = 3


def _first(items: list[str]) -> str:
    shown = ", ".join(items[:_EXAMPLES])
    return shown + (", ..." if len(items) > _EXAMPLES else "")


def _read_bounded(path: Path, cap: int) -> tuple[str | None, str | None]:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return None, f"the predictions file cannot be opened ({exc.strerror})"
    with os.fdopen(fd, "rb") as fh:
        # O_NONBLOCK keeps a FIFO from hanging the open; refuse anything but a regular file.
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, "the predictions file is not a regular file"
        data = fh.read(cap + 1)
    if len(data) > cap:
        return None, f"the predictions file is larger than {cap // (1024 * 1024)} MiB"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, f"the predictions file is not UTF-8 text (byte {exc.start})"


def _failed(problem: str, rows: int = 0) -> tuple[PredictionCheck, dict[str, str]]:
    return PredictionCheck(ok=False, problems=[problem], rows=rows), {}


def _header_problem(header: list[str] | None) -> str | None:
    if header is None:
        return "the predictions file is empty; expected a header `id,label`"
    cleaned = [h.strip() for h in header]
    if cleaned != ["id", "label"]:
        return f"the header is {','.join(cleaned)[:80]!r}; it must be exactly `id,label`"
    return None


@dataclass
class _Rows:
    """The data rows of a predictions file, as read (before any check against the ids)."""

    predictions: dict[str, str] = field(default_factory=dict)
    """The first label given for each id."""
    duplicates: list[str] = field(default_factory=list)
    bad_rows: list[str] = field(default_factory=list)
    """Lines without exactly two cells."""
    count: int = 0
    """Non-blank rows."""


def _read_rows(reader: Iterator[list[str]], out: _Rows) -> None:
    """Fill ``out`` with the rows; raises ``csv.Error`` for text the CSV reader cannot parse
    (``out`` then holds the rows before it)."""
    for line_no, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        out.count += 1
        if len(row) != 2:
            out.bad_rows.append(f"line {line_no}")
            continue
        ticket_id, label = row[0].strip(), row[1].strip()
        if ticket_id in out.predictions:
            out.duplicates.append(ticket_id)
            continue
        out.predictions[ticket_id] = label


def _row_problems(rows: _Rows, expected_ids: list[str], labels: list[str]) -> list[str]:
    predictions = rows.predictions
    expected = set(expected_ids)
    missing = [i for i in expected_ids if i not in predictions]
    unknown_ids = [i for i in predictions if i not in expected]
    label_set = set(labels)
    unknown_labels: Counter[str] = Counter(
        label
        for ticket_id, label in predictions.items()
        if ticket_id in expected and label not in label_set
    )
    problems: list[str] = []
    if rows.bad_rows:
        problems.append(
            f"{len(rows.bad_rows)} rows do not have exactly 2 columns, first: {_first(rows.bad_rows)}"
        )
    if missing:
        problems.append(f"{len(missing)} ids missing, first: {_first(missing)}")
    if rows.duplicates:
        problems.append(
            f"{len(rows.duplicates)} ids appear more than once, first: {_first(rows.duplicates)}"
        )
    if unknown_ids:
        problems.append(f"{len(unknown_ids)} ids are not held-out ids, first: {_first(unknown_ids)}")
    if unknown_labels:
        shown = [f"{label[:40]!r} ({count})" for label, count in unknown_labels.most_common()]
        problems.append(
            f"{sum(unknown_labels.values())} predictions use labels outside the label set, first: "
            f"{_first(shown)}; valid labels: {', '.join(labels)}"
        )
    return problems


def validate_predictions(
    path: Path | None,
    expected_ids: list[str],
    labels: list[str],
    *,
    cap_bytes: int = MAX_PREDICTIONS_BYTES,
) -> tuple[PredictionCheck, dict[str, str]]:
    """Check a predictions CSV against the held-out ids and the label set.

    Returns the check and, when it passed, the prediction for every expected id.
    """
    if path is None:
        return _failed("no predictions file was written")
    text, error = _read_bounded(path, cap_bytes)
    if text is None:
        return _failed(error or "unreadable predictions file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return _failed(f"the predictions file is not valid CSV ({exc})")
    problem = _header_problem(header)
    if problem is not None:
        return _failed(problem)
    rows = _Rows()
    try:
        _read_rows(reader, rows)
    except csv.Error as exc:
        return _failed(f"the predictions file is not valid CSV ({exc})", rows=rows.count)
    problems = _row_problems(rows, expected_ids, labels)
    if problems:
        return PredictionCheck(ok=False, problems=problems, rows=rows.count), {}
    return PredictionCheck(ok=True, rows=rows.count), {i: rows.predictions[i] for i in expected_ids}


def read_labels_csv(path: Path, id_column: str, label_column: str) -> dict[str, str]:
    """Read a trusted ``id,label`` file of the assignment (host side only)."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return {row[id_column]: row[label_column] for row in reader}

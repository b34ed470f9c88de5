"""Predictions from a container are validated with specific, countable problems."""

from __future__ import annotations

import os
from pathlib import Path

from harness.evaluation.predictions import validate_predictions

IDS = [f"T-{10000 + i}" for i in range(400)]
LABELS = ["billing", "refund", "bug_report"]


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "predictions.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def good_rows(ids: list[str]) -> str:
    return "id,label\n" + "".join(f"{i},{LABELS[n % 3]}\n" for n, i in enumerate(ids))


def test_valid(tmp_path: Path) -> None:
    check, predicted = validate_predictions(write(tmp_path, good_rows(IDS)), IDS, LABELS)
    assert check.ok and check.rows == 400 and predicted["T-10001"] == "refund"


def test_bom_and_crlf_accepted(tmp_path: Path) -> None:
    text = "\ufeff" + good_rows(IDS).replace("\n", "\r\n")
    assert validate_predictions(write(tmp_path, text), IDS, LABELS)[0].ok


def test_missing_ids_counted_with_first_examples(tmp_path: Path) -> None:
    check, _ = validate_predictions(write(tmp_path, good_rows(IDS[312:])), IDS, LABELS)
    assert not check.ok
    assert check.problems == ["312 ids missing, first: T-10000, T-10001, T-10002, ..."]


def test_duplicates_unknown_ids_and_labels(tmp_path: Path) -> None:
    text = good_rows(IDS) + "T-10000,billing\nX-1,billing\n"
    text = text.replace("T-10005,", "T-10005,").replace("T-10003,billing", "T-10003,Billing")
    check, _ = validate_predictions(write(tmp_path, text), IDS, LABELS)
    assert not check.ok
    joined = " | ".join(check.problems)
    assert "1 ids appear more than once, first: T-10000" in joined
    assert "1 ids are not held-out ids, first: X-1" in joined
    assert "1 predictions use labels outside the label set, first: 'Billing' (1)" in joined


def test_wrong_header(tmp_path: Path) -> None:
    check, _ = validate_predictions(write(tmp_path, "ticket,prediction\nT-10000,billing\n"), IDS, LABELS)
    assert check.problems == ["the header is 'ticket,prediction'; it must be exactly `id,label`"]


def test_empty_and_binary_files(tmp_path: Path) -> None:
    assert validate_predictions(write(tmp_path, ""), IDS, LABELS)[0].problems[0].startswith("the predictions file is empty")
    assert "not UTF-8" in validate_predictions(write(tmp_path, b"\xff\xfe\x00garbage"), IDS, LABELS)[0].problems[0]


def test_extra_columns_reported(tmp_path: Path) -> None:
    text = "id,label\n" + "".join(f"{i},billing,0.9\n" for i in IDS)
    check, _ = validate_predictions(write(tmp_path, text), IDS, LABELS)
    assert check.problems[0].startswith("400 rows do not have exactly 2 columns, first: line 2")


def test_oversized_file_is_not_read_whole(tmp_path: Path) -> None:
    path = write(tmp_path, good_rows(IDS) + "x" * 5000)
    check, _ = validate_predictions(path, IDS, LABELS, cap_bytes=1024)
    assert check.problems == ["the predictions file is larger than 0 MiB"] or "larger than" in check.problems[0]


def test_symlink_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "secret.csv"
    target.write_text(good_rows(IDS))
    link = tmp_path / "predictions.csv"
    link.symlink_to(target)
    check, _ = validate_predictions(link, IDS, LABELS)
    assert not check.ok and "cannot be opened" in check.problems[0]


def test_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "predictions.csv"
    os.mkfifo(fifo)
    check, _ = validate_predictions(fifo, IDS, LABELS)
    assert not check.ok and "not a regular file" in check.problems[0]


def test_no_file(tmp_path: Path) -> None:
    check, _ = validate_predictions(None, IDS, LABELS)
    assert check.problems == ["no predictions file was written"]

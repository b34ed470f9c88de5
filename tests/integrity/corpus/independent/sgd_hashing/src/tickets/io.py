from __future__ import annotations

import csv
from pathlib import Path


def read(path: str | Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as stream:
        return [dict(row) for row in csv.DictReader(stream)]


def write_predictions(path: str | Path, ids: list[str], labels: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(("id", "label"))
        out.writerows(zip(ids, labels))

"""Generate the support-ticket data set: train, held-out and shifted files plus metadata.

Run from the repository root::

    python -m assignments.support_tickets.generator            # writes into the assignment folder
    python -m assignments.support_tickets.generator --out DIR  # writes elsewhere (tests use this)

Everything random comes from ``random.Random`` seeded from ``config.toml``, so every run writes
byte-identical files. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
import time
import tomllib
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from .compose import NEIGHBOURS, Knobs, Ticket, compose
from .topics import CATEGORIES, PRIORS_SHIFTED, PRIORS_STANDARD
from .vocab import slot_table

__all__ = ["FEATURE_COLUMNS", "LABELS", "Row", "generate", "main"]

HERE = Path(__file__).resolve().parent
ASSIGNMENT_DIR = HERE.parent
LABELS = list(CATEGORIES)
FEATURE_COLUMNS = [
    "id",
    "subject",
    "body",
    "channel",
    "customer_plan",
    "product_area",
    "created_at",
]

TRAIN_FILE = "public/train.csv"
HELDOUT_FEATURES = "private/heldout_features.csv"
HELDOUT_LABELS = "private/heldout_labels.csv"
SHIFTED_FEATURES = "private/shifted_features.csv"
SHIFTED_LABELS = "private/shifted_labels.csv"
METADATA_FILE = "private/generation_metadata.json"

_FOLLOW_UPS = [
    "Sending this again as I haven't heard back.",
    "Any update on this?",
    "Re-sending, see below.",
    "2nd time asking!!",
    "Hello? Is anyone there?",
    "Following up on my message from earlier.",
    "I sent this through the app too, sorry if it's a duplicate.",
    "Still not solved.",
]


@dataclass
class Row:
    """One ticket with its id, timestamp and both its true and recorded label."""

    id: str
    ticket: Ticket
    created_at: datetime
    label: str
    """The recorded label, which is wrong for the noisy rows."""
    source_id: str | None = None
    """For a near-duplicate, the id of the ticket it re-sends."""


def _timestamp(rng: random.Random, start: date, end: date) -> datetime:
    span = (end - start).days + 1
    while True:
        day = start + timedelta(days=rng.randrange(span))
        # Fewer tickets at weekends, as in any business-software queue.
        if day.weekday() < 5 or rng.random() < 0.45:
            break
    hour = rng.choices(
        range(24),
        weights=[1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 11, 10, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
    )[0]
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60))


def _resend(rng: random.Random, src: Row, new_id: str) -> Row:
    """A near-duplicate: the same ticket sent again, a little later, slightly edited."""
    t = src.ticket
    body = t.body
    lines = body.split("\n")
    if rng.random() < 0.5 and lines and lines[0].rstrip().endswith(","):
        body = "\n".join(lines[1:]).lstrip("\n")
    if rng.random() < 0.7:
        body = rng.choice(_FOLLOW_UPS) + "\n\n" + body
    roll = rng.random()
    if roll < 0.4:
        subject = t.subject
    elif roll < 0.6:
        subject = "Fwd: " + t.subject
    elif roll < 0.8:
        subject = "Re: " + t.subject
    else:
        subject = t.subject + " - 2nd request"
    channel = (
        t.channel
        if rng.random() < 0.75
        else rng.choice(["email", "web_form", "chat", "mobile_app"])
    )
    area = t.product_area if rng.random() < 0.8 else ""
    ticket = replace(t, subject=subject, body=body, channel=channel, product_area=area)
    later = src.created_at + timedelta(minutes=rng.randrange(90, 4 * 24 * 60))
    return Row(id=new_id, ticket=ticket, created_at=later, label=t.label, source_id=src.id)


def _noisy_label(rng: random.Random, label: str, neighbour_share: float) -> str:
    if rng.random() < neighbour_share:
        return rng.choice(NEIGHBOURS[label])
    return rng.choice([c for c in LABELS if c != label])


def _make_split(
    name: str,
    spec: dict[str, Any],
    ids: list[str],
    seed: int,
    noise: dict[str, float],
    dup_rate: float,
    knobs: Knobs,
) -> list[Row]:
    rng = random.Random(f"{seed}:{name}")
    regime = spec["regime"]
    start = date.fromisoformat(spec["start"])
    end = date.fromisoformat(spec["end"])
    priors = PRIORS_STANDARD if regime == "standard" else PRIORS_SHIFTED
    n_rows = int(spec["rows"])
    n_dups = round(dup_rate * n_rows)
    slots = slot_table()

    rows: list[Row] = []
    for i in range(n_rows - n_dups):
        label = rng.choices(LABELS, weights=[priors[c] for c in LABELS])[0]
        created = _timestamp(rng, start, end)
        ticket = compose(rng, label, regime, created, knobs, slots)
        rows.append(Row(id=ids[i], ticket=ticket, created_at=created, label=label))
    sources = rng.sample(range(len(rows)), n_dups)
    for j, src in enumerate(sources):
        rows.append(_resend(rng, rows[src], ids[n_rows - n_dups + j]))

    n_noisy = round(noise["rate"] * n_rows)
    for idx in sorted(rng.sample(range(n_rows), n_noisy)):
        rows[idx].label = _noisy_label(rng, rows[idx].ticket.label, noise["neighbour_share"])

    rows.sort(key=lambda r: (r.created_at, r.id))
    return rows


def _write_csv(path: Path, header: list[str], records: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(records)


def _features(row: Row) -> list[str]:
    t = row.ticket
    return [
        row.id,
        t.subject,
        t.body,
        t.channel,
        t.customer_plan,
        t.product_area,
        row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    ]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The generator's inputs (seed, split sizes, noise) from ``config.toml``."""
    with (path or HERE / "config.toml").open("rb") as fh:
        return tomllib.load(fh)


def generate(out: Path, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write every data file under ``out`` and return the metadata that was written."""
    cfg = config or load_config()
    seed = int(cfg["seed"])
    knobs = Knobs()
    splits: dict[str, dict[str, Any]] = cfg["splits"]
    total = sum(int(s["rows"]) for s in splits.values())
    # One pool of ids for all splits: uniform format, unique, and saying nothing about the split.
    id_rng = random.Random(f"{seed}:ids")
    pool = [f"T-{n}" for n in id_rng.sample(range(100_000, 1_000_000), total)]

    by_split: dict[str, list[Row]] = {}
    offset = 0
    for name, spec in splits.items():
        n = int(spec["rows"])
        by_split[name] = _make_split(
            name,
            spec,
            pool[offset : offset + n],
            seed,
            cfg["noise"],
            float(cfg["near_duplicates"]["rate"]),
            knobs,
        )
        offset += n

    train = by_split["train"]
    _write_csv(
        out / TRAIN_FILE, [*FEATURE_COLUMNS, "label"], [[*_features(r), r.label] for r in train]
    )
    for name, feats, labels in (
        ("heldout", HELDOUT_FEATURES, HELDOUT_LABELS),
        ("shifted", SHIFTED_FEATURES, SHIFTED_LABELS),
    ):
        rows = by_split[name]
        _write_csv(out / feats, FEATURE_COLUMNS, [_features(r) for r in rows])
        _write_csv(out / labels, ["id", "label"], [[r.id, r.label] for r in rows])

    files = [TRAIN_FILE, HELDOUT_FEATURES, HELDOUT_LABELS, SHIFTED_FEATURES, SHIFTED_LABELS]
    metadata: dict[str, Any] = {
        "seed": seed,
        "format_version": cfg["format_version"],
        "labels": LABELS,
        "knobs": {k: getattr(knobs, k) for k in Knobs.__dataclass_fields__},
        "splits": {
            name: {
                "rows": len(rows),
                "regime": splits[name]["regime"],
                "class_counts": {c: sum(r.label == c for r in rows) for c in LABELS},
                "true_class_counts": {c: sum(r.ticket.label == c for r in rows) for c in LABELS},
                "label_noise_rate": round(
                    sum(r.label != r.ticket.label for r in rows) / len(rows), 6
                ),
            }
            for name, rows in by_split.items()
        },
        "label_noise": [
            {"id": r.id, "split": name, "true_label": r.ticket.label, "label": r.label}
            for name, rows in by_split.items()
            for r in rows
            if r.label != r.ticket.label
        ],
        "near_duplicates": [
            {"id": r.id, "source_id": r.source_id, "split": name}
            for name, rows in by_split.items()
            for r in rows
            if r.source_id is not None
        ],
        "files": {f: _sha256(out / f) for f in files},
    }
    meta_path = out / METADATA_FILE
    meta_path.write_text(
        json.dumps(metadata, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return metadata


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Generate the support-ticket data set.")
    parser.add_argument(
        "--out",
        type=Path,
        default=ASSIGNMENT_DIR,
        help="folder to write public/ and private/ into (default: the assignment folder)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    meta = generate(args.out)
    took = time.perf_counter() - started
    for name, split in meta["splits"].items():
        print(
            f"{name}: {split['rows']} rows, label noise {split['label_noise_rate']:.2%}",
            file=sys.stderr,
        )
    print(f"wrote {args.out} in {took:.1f}s", file=sys.stderr)
    return 0

"""Properties of the generated data: sizes, labels, columns, separation of labels from features,
ids, label noise, near-duplicates, CSV form, realism markers and the distribution shift."""

from __future__ import annotations

import csv
import re
from typing import Any

import pandas as pd

from harness.assignments.loader import Assignment

from .conftest import ASSIGNMENT_DIR

FEATURES = ["id", "subject", "body", "channel", "customer_plan", "product_area", "created_at"]
ID_FORMAT = re.compile(r"^T-\d{6}$")
NEW_PRODUCTS = ["Reader R3", "Tillpoint Flex", "Tillpoint Go", "Tap to Pay", "Kitchen Display"]


def test_split_sizes(labelled: dict[str, pd.DataFrame]) -> None:
    assert len(labelled["train"]) >= 6000
    assert len(labelled["heldout"]) >= 1500
    assert len(labelled["shifted"]) >= 1000


def test_labels_are_the_spec_labels_and_imbalanced(
    assignment: Assignment, labelled: dict[str, pd.DataFrame]
) -> None:
    for name, frame in labelled.items():
        assert set(frame["label"]) == set(assignment.spec.labels), name
    shares = labelled["train"]["label"].value_counts(normalize=True)
    assert len(shares) >= 8
    assert 0.20 <= shares.max() <= 0.30
    assert 0.025 <= shares.min() <= 0.05
    assert shares.max() / shares.min() >= 5


def test_columns_and_labels_kept_apart(frames: dict[str, pd.DataFrame]) -> None:
    assert list(frames["train"].columns) == [*FEATURES, "label"]
    for split in ("heldout", "shifted"):
        features, labels = frames[f"{split}_features"], frames[f"{split}_labels"]
        assert list(features.columns) == FEATURES
        assert "label" not in features.columns
        assert list(labels.columns) == ["id", "label"]
        assert list(labels["id"]) == list(features["id"])


def test_ids_are_uniform_unique_and_do_not_overlap(frames: dict[str, pd.DataFrame]) -> None:
    ids = {name: frames[name]["id"] for name in ("train", "heldout_features", "shifted_features")}
    everything = pd.concat(ids.values())
    assert everything.is_unique
    assert everything.map(lambda i: bool(ID_FORMAT.match(i))).all()
    # A uniform format means the id says nothing about the split.
    lengths = {name: set(series.str.len()) for name, series in ids.items()}
    assert all(v == {8} for v in lengths.values())


def test_label_noise_is_recorded_and_between_two_and_four_percent(
    metadata: dict[str, Any], labelled: dict[str, pd.DataFrame]
) -> None:
    for split, frame in labelled.items():
        noisy = [n for n in metadata["label_noise"] if n["split"] == split]
        rate = len(noisy) / len(frame)
        assert 0.02 <= rate <= 0.04, (split, rate)
        recorded = frame.set_index("id")["label"]
        for entry in noisy:
            assert recorded[entry["id"]] == entry["label"] != entry["true_label"]
        assert metadata["splits"][split]["label_noise_rate"] == round(rate, 6)


def test_near_duplicates_exist_and_resemble_their_source(
    metadata: dict[str, Any], labelled: dict[str, pd.DataFrame]
) -> None:
    for split, frame in labelled.items():
        pairs = [d for d in metadata["near_duplicates"] if d["split"] == split]
        assert len(pairs) >= 0.005 * len(frame)
        bodies = frame.set_index("id")["body"]
        subjects = frame.set_index("id")["subject"]
        for pair in pairs:
            source, resent = bodies[pair["source_id"]], bodies[pair["id"]]
            # A re-send keeps the message, maybe without its greeting line, maybe with a follow-up.
            assert source in resent or source.split("\n", 1)[-1].strip() in resent, pair
            assert subjects[pair["source_id"]] in subjects[pair["id"]], pair


def test_csv_is_utf8_and_quoted_bodies_round_trip(frames: dict[str, pd.DataFrame]) -> None:
    path = ASSIGNMENT_DIR / "public" / "train.csv"
    text = path.read_bytes().decode("utf-8")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) - 1 == len(frames["train"])
    assert {len(r) for r in rows} == {8}
    body = frames["train"]["body"]
    assert body.str.contains(",").mean() > 0.5
    assert body.str.contains("\n").mean() > 0.5
    assert body.str.contains('"').sum() > 50
    assert re.search(r"[^\x00-\x7f]", text)


def test_text_looks_like_real_tickets(labelled: dict[str, pd.DataFrame]) -> None:
    body = labelled["train"]["body"]
    lengths = body.str.len()
    assert lengths.min() < 60 and lengths.max() > 600
    assert lengths.std() / lengths.mean() > 0.4
    quoted = body.str.contains(r"^On .* wrote:$|-----Original Message-----", regex=True, flags=re.M)
    assert 0.05 < quoted.mean() < 0.30
    assert body.str.contains(r"^(?:Hi|Hello|Dear|Hey)", regex=True).mean() > 0.3
    assert body.str.contains("Sent from my").sum() > 20
    assert body.str.contains(r"\b(?:recieve|acount|pasword|adress|buisness)", regex=True).sum() > 10
    second_topic = body.str.contains(
        r"\b(?:Also,|One more thing:|Unrelated, but|Before I forget)", regex=True
    )
    assert second_topic.mean() > 0.05
    assert labelled["train"]["subject"].str.startswith("Re: ").mean() > 0.05


def test_metadata_helps_only_weakly(labelled: dict[str, pd.DataFrame]) -> None:
    train, heldout = labelled["train"], labelled["heldout"]
    by_area = train.groupby("product_area")["label"].agg(lambda s: s.value_counts().index[0])
    area_accuracy = (heldout["product_area"].map(by_area) == heldout["label"]).mean()
    majority = heldout["label"].value_counts(normalize=True).max()
    assert majority + 0.02 < area_accuracy < 0.45
    assert (train["product_area"] == "").mean() > 0.02


def test_heldout_is_drawn_like_train(labelled: dict[str, pd.DataFrame]) -> None:
    train, heldout = labelled["train"], labelled["heldout"]
    assert heldout["created_at"].min() >= train["created_at"].min()[:10]
    assert heldout["created_at"].max()[:7] <= train["created_at"].max()[:7]
    gap = (
        train["label"].value_counts(normalize=True) - heldout["label"].value_counts(normalize=True)
    ).abs()
    assert gap.max() < 0.03


def test_shifted_set_is_later_with_new_products_channels_and_style(
    labelled: dict[str, pd.DataFrame],
) -> None:
    train, shifted = labelled["train"], labelled["shifted"]
    assert shifted["created_at"].min() > train["created_at"].max()
    seen = train["subject"] + " " + train["body"]
    new = shifted["subject"] + " " + shifted["body"]
    for product in NEW_PRODUCTS:
        pattern = rf"\b{product}\b"
        assert not seen.str.contains(pattern, regex=True).any(), product
        assert new.str.contains(pattern, regex=True).sum() >= 10, product
    share = {
        n: f["channel"].value_counts(normalize=True).get("mobile_app", 0.0)
        for n, f in labelled.items()
    }
    assert share["shifted"] > 3 * share["train"]
    assert shifted["body"].str.len().median() < train["body"].str.len().median()
    regional = r"\b(?:debited|deducted|card machine|POS machine|swipe machine|settlement|getting hang|kindly)"
    regional_share = {
        n: (f["subject"] + " " + f["body"]).str.contains(regional, case=False, regex=True).mean()
        for n, f in labelled.items()
    }
    assert regional_share["shifted"] > max(0.1, 3 * regional_share["train"])

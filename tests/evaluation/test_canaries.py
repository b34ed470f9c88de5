"""Canary rows: how they are made, that they reveal no label, and that scoring ignores them."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from harness.assignments.loader import load_assignment
from harness.evaluation.canaries import Canary, CanaryKind, check_canaries, fresh_id, make_canaries
from harness.evaluation.heldout import score_run
from harness.grading.features import HeldoutFeatures, write_test_features
from harness.settings import Settings
from tests.factories import make_assignment

HEADER = ["id", "subject", "body", "channel"]
ROWS = [[f"T-{100000 + i}", f"Refund for Order {i}", f"Please  send my money back {i}", "email"] for i in range(50)]


def test_fresh_ids_look_like_the_others_and_collide_with_none() -> None:
    rng = random.Random(1)
    taken = {r[0] for r in ROWS}
    made = {fresh_id("T-123456", rng, taken) for _ in range(200)}
    assert all(i.startswith("T-") and len(i) == 8 and i[2:].isdigit() for i in made)
    assert not made & taken
    assert fresh_id("ab-1", random.Random(2), set()).count("-") == 1  # few digits: letters redrawn too
    with pytest.raises(ValueError, match="too few free ids"):
        fresh_id("7", random.Random(3), {str(d) for d in range(10)})


def test_half_are_exact_duplicates_and_half_harmless_changes() -> None:
    made = make_canaries(HEADER, ROWS, count=10, id_column="id", text_columns=["subject", "body"],
                         taken_ids={r[0] for r in ROWS}, rng=random.Random(4))
    kinds = [c.kind for _, c in made]
    assert kinds.count(CanaryKind.exact) == 5
    assert kinds.count(CanaryKind.whitespace) == 3 and kinds.count(CanaryKind.case) == 2
    sources = {r[0]: r for r in ROWS}
    for row, canary in made:
        source = sources[canary.source]
        assert row[0] == canary.id != source[0] and row[3] == source[3]
        if canary.kind is CanaryKind.exact:
            assert row[1:] == source[1:]
        elif canary.kind is CanaryKind.whitespace:
            assert row[1] != source[1] and row[1].split() == source[1].split()
        else:
            assert row[1] != source[1] and row[1].lower() == source[1].lower()


def test_without_text_columns_every_canary_is_exact_and_unknown_columns_are_refused() -> None:
    made = make_canaries(HEADER, ROWS, count=6, id_column="id", text_columns=[], taken_ids=set(),
                         rng=random.Random(5))
    assert {c.kind for _, c in made} == {CanaryKind.exact}
    with pytest.raises(ValueError, match="lack: \\['summary'\\]"):
        make_canaries(HEADER, ROWS, count=6, id_column="id", text_columns=["summary"], taken_ids=set(),
                      rng=random.Random(5))


def test_agreement_is_counted_per_kind_and_disagreements_shown_exact_first() -> None:
    canaries = [Canary("C1", "S1", CanaryKind.exact), Canary("C2", "S2", CanaryKind.exact),
                Canary("C3", "S3", CanaryKind.case), Canary("C4", "S4", CanaryKind.whitespace)]
    predicted = {"S1": "a", "C1": "a", "S2": "a", "C2": "b", "S3": "a", "C3": "b", "S4": "c", "C4": "c"}
    check = check_canaries(predicted, canaries)
    assert (check.exact, check.exact_disagree, check.changed, check.changed_disagree) == (2, 1, 2, 1)
    assert check.by_kind == {"exact": [2, 1], "case": [1, 1], "whitespace": [1, 0]}
    assert check.changed_agreement == 0.5
    assert [e.canary_id for e in check.examples] == ["C2", "C3"]
    assert "1 of 2 exact duplicate" in check.flags()[0]
    clean = check_canaries({k: "a" for k in predicted}, canaries)
    assert clean.flags() == [] and clean.changed_agreement == 1.0


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = make_assignment(tmp_path / "tiny")
    with (folder / "assignment.toml").open("a") as fh:
        fh.write('\n[integrity]\ncanaries = 20\ncanary_text_columns = ["subject", "body"]\n')
    return folder


def test_the_features_file_holds_canaries_but_no_label_and_no_mapping(tiny: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    assignment = load_assignment(str(tiny), settings)
    features = HeldoutFeatures(settings.features_dir)
    stored, ids = features(assignment)
    canaries = features.canaries(assignment)
    assert len(canaries) == 20 and len(ids) == 90 + 20 and len(set(ids)) == len(ids)
    with stored.path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["id", "subject", "body", "channel"]  # no label column
    assert {c.id for c in canaries} <= {r[0] for r in rows[1:]}
    # The mapping stays beside the file on the host; the file itself names no source.
    text = stored.path.read_text()
    assert all(text.count(c.source) == 1 for c in canaries)  # each source only in its own row
    assert (stored.path.parent / "canaries.json").is_file()
    # Sources are not picked by label: canaries come from both held-out sets.
    with (tiny / "private" / "shifted_features.csv").open(newline="") as fh:
        shifted = {r["id"] for r in csv.DictReader(fh)}
    assert any(c.source in shifted for c in canaries) and any(c.source not in shifted for c in canaries)
    assert write_test_features(assignment, tmp_path / "copy.csv") == ids


def _predictions(path: Path, labels: dict[str, str]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "label"])
        writer.writerows(labels.items())
    return path


def test_scores_are_the_same_with_and_without_canary_rows(tiny: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    assignment = load_assignment(str(tiny), settings)
    features = HeldoutFeatures(settings.features_dir)
    _, ids = features(assignment)
    canaries = features.canaries(assignment)
    canary_ids = {c.id for c in canaries}
    held = [i for i in ids if i not in canary_ids]
    rng = random.Random(9)
    base = {i: rng.choice(assignment.spec.labels) for i in held}
    # Canaries predicted with labels that disagree with everything: they must not count.
    noisy = {**base, **{c.id: assignment.spec.labels[0] for c in canaries}}
    with_canaries = score_run(assignment, _predictions(tmp_path / "a.csv", noisy), ids, [], canary_ids=canary_ids)
    without = score_run(assignment, _predictions(tmp_path / "b.csv", base), held, [])
    assert with_canaries.scores.check.ok and without.scores.check.ok
    assert with_canaries.scores.heldout == without.scores.heldout
    assert with_canaries.scores.shifted == without.scores.shifted
    assert set(with_canaries.predicted) == set(ids)
    # Rows in another order score the same.
    shuffled = dict(sorted(noisy.items(), key=lambda kv: rng.random()))
    again = score_run(assignment, _predictions(tmp_path / "c.csv", shuffled), ids, [], canary_ids=canary_ids)
    assert again.scores == with_canaries.scores
    # A predictions file that leaves the canaries out is incomplete, like any missing id.
    missing = score_run(assignment, _predictions(tmp_path / "d.csv", base), ids, [], canary_ids=canary_ids)
    assert not missing.scores.check.ok and "20 ids missing" in missing.scores.check.problems[0]

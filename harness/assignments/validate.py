"""``harness assignment validate``: check an assignment folder and say what is wrong."""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from graders.registry import default_registry
from harness.assignments.loader import Assignment
from harness.assignments.spec import BaselineScores

__all__ = ["ValidationReport", "compare_scores", "validate_assignment"]


@dataclass
class ValidationReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _check_pair(assignment: Assignment, features: str, labels: str, report: ValidationReport,
                train_columns: list[str], train_ids: set[str]) -> None:
    data = assignment.spec.data
    try:
        feat_cols, feat_rows = _read(assignment.path(features))
        label_cols, label_rows = _read(assignment.path(labels))
    except FileNotFoundError as exc:
        report.problems.append(f"missing data file: {exc.filename}")
        return
    if data.label_column in feat_cols:
        report.problems.append(f"{features} has a {data.label_column!r} column: held-out features must not carry labels")
    expected = [c for c in train_columns if c != data.label_column]
    if feat_cols != expected:
        report.problems.append(f"{features} columns {feat_cols} differ from the training columns {expected}")
    if label_cols[:2] != [data.id_column, data.label_column]:
        report.problems.append(f"{labels} must have columns {data.id_column},{data.label_column}; has {label_cols}")
        return
    feat_ids = [r[data.id_column] for r in feat_rows]
    label_ids = [r[data.id_column] for r in label_rows]
    for name, ids in ((features, feat_ids), (labels, label_ids)):
        dupes = [i for i, n in Counter(ids).items() if n > 1]
        if dupes:
            report.problems.append(f"{name} repeats {len(dupes)} ids, first: {dupes[0]}")
    if set(feat_ids) != set(label_ids):
        report.problems.append(f"{features} and {labels} hold different ids "
                               f"({len(set(feat_ids) - set(label_ids))} without a label, "
                               f"{len(set(label_ids) - set(feat_ids))} labels without features)")
    overlap = set(feat_ids) & train_ids
    if overlap:
        report.problems.append(f"{len(overlap)} ids of {features} also appear in the training data")
    unknown = {r[data.label_column] for r in label_rows} - set(assignment.spec.labels)
    if unknown:
        report.problems.append(f"{labels} uses labels outside the label set: {sorted(unknown)[:5]}")
    report.notes.append(f"{features}: {len(feat_rows)} tickets, labels apart in {labels}")


def _check_integrity(assignment: Assignment, report: ValidationReport, feature_columns: list[str]) -> None:
    """The AI policy is stated in the task text; canary columns exist; known solutions listed."""
    integrity = assignment.spec.integrity
    statement = " ".join(integrity.ai_policy.statement.split())
    if statement not in " ".join(assignment.task_markdown().split()):
        report.problems.append(
            f"{assignment.spec.task_file} does not state the AI policy {integrity.ai_policy.value!r}; "
            f"add this sentence: {integrity.ai_policy.statement}")
    missing = [c for c in integrity.canary_text_columns if c not in feature_columns]
    if missing:
        report.problems.append(f"[integrity] canary_text_columns names columns the held-out "
                               f"features lack: {missing}")
    known = assignment.root / integrity.known_solutions
    count = sum(1 for p in known.iterdir() if p.is_dir()) if known.is_dir() else 0
    report.notes.append(f"AI policy: {integrity.ai_policy.value}; {integrity.canaries} canary rows; "
                        f"{count} known solutions in {integrity.known_solutions}/")


def validate_assignment(assignment: Assignment) -> ValidationReport:
    """Static checks of an assignment folder (no Docker needed)."""
    report = ValidationReport()
    spec, data = assignment.spec, assignment.spec.data
    for rel in (spec.task_file, data.train, data.heldout_features, data.heldout_labels,
                data.shifted_features, data.shifted_labels, *spec.starter_kit):
        if rel and not assignment.path(rel).is_file():
            report.problems.append(f"{rel} is named in the spec but does not exist")
    if report.problems:
        return report
    registered = set(default_registry().names())
    for name in spec.rubric:
        if name not in registered:
            report.problems.append(f"rubric weights {name!r}, which is not a registered grader ({sorted(registered)})")

    train_cols, train_rows = _read(assignment.train_csv)
    for col in (data.id_column, data.label_column):
        if col not in train_cols:
            report.problems.append(f"{data.train} has no {col!r} column")
    if report.problems:
        return report
    counts = Counter(r[data.label_column] for r in train_rows)
    unknown = set(counts) - set(spec.labels)
    if unknown:
        report.problems.append(f"{data.train} uses labels outside the label set: {sorted(unknown)[:5]}")
    absent = [label for label in spec.labels if counts[label] == 0]
    if absent:
        report.problems.append(f"{data.train} has no examples of: {', '.join(absent)}")
    report.notes.append(f"{data.train}: {len(train_rows)} labelled tickets, {len(counts)} labels")
    train_ids = {r[data.id_column] for r in train_rows}
    _check_pair(assignment, data.heldout_features, data.heldout_labels, report, train_cols, train_ids)
    if data.shifted_features and data.shifted_labels:
        _check_pair(assignment, data.shifted_features, data.shifted_labels, report, train_cols, train_ids)
    _check_integrity(assignment, report, [c for c in train_cols if c != data.label_column])
    with tempfile.TemporaryDirectory() as tmp:
        try:
            assignment.starter_kit_zip(Path(tmp) / "kit.zip")
            report.notes.append("starter kit builds and holds no held-out data")
        except ValueError as exc:
            report.problems.append(str(exc))
    return report


def compare_scores(recorded: BaselineScores, measured: dict[str, float], tolerance: float = 1e-4) -> list[str]:
    """Differences between recorded and measured scores beyond ``tolerance``."""
    problems = []
    for key, value in recorded.as_metrics().items():
        got = measured.get(key)
        if got is None:
            problems.append(f"{key}: recorded {value:.4f}, not measured")
        elif abs(got - value) > tolerance:
            problems.append(f"{key}: recorded {value:.4f}, measured {got:.4f}")
    return problems

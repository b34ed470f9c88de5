"""The support-ticket spec loads, validates and says what the brief asks it to say."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest
from pydantic import ValidationError

from harness.assignments.loader import Assignment
from harness.assignments.spec import AssignmentSpec
from harness.assignments.validate import validate_assignment

from .conftest import ASSIGNMENT_DIR

LABELS = [
    "bug_report",
    "how_to",
    "billing",
    "account_access",
    "feature_request",
    "refund",
    "shipping",
    "security_privacy",
]


def test_spec_is_the_support_tickets_assignment(assignment: Assignment) -> None:
    spec = assignment.spec
    assert spec.name == "support-tickets"
    assert spec.task_file == "TASK.md"
    assert spec.labels == LABELS
    assert assignment.task_markdown().startswith("# Take-home")


def test_rubric_weights_the_four_graders(assignment: Assignment) -> None:
    # Without a server (serving is optional), the five graders count exactly as before.
    assert assignment.spec.core_rubric_weights() == pytest.approx(
        {"accuracy": 0.35, "tests": 0.2, "quality": 0.15, "writeup": 0.2, "methodology": 0.1}
    )
    assert assignment.spec.rubric["serving"] == pytest.approx(0.1)
    assert assignment.spec.optional_graders() == {"serving"}
    assert assignment.spec.rubric.get("notebooks", 0) == 0


def test_limits_time_box_and_pay(assignment: Assignment) -> None:
    spec = assignment.spec
    limits = {
        name: (
            getattr(spec.limits, name).wall_seconds,
            getattr(spec.limits, name).memory_mb,
            getattr(spec.limits, name).cpus,
        )
        for name in ("tests", "train", "predict", "notebook")
    }
    assert limits == {
        "tests": (300, 2048, 1.0),
        "train": (600, 4096, 1.0),
        "predict": (300, 4096, 1.0),
        "notebook": (1200, 4096, 1.0),
    }
    assert spec.time_box_hours == Decimal(5)
    assert spec.pay.kind == "hourly"
    assert (spec.pay.hourly_rate, spec.pay.cap_hours, spec.pay.currency) == (
        Decimal("60.00"),
        Decimal(5),
        "USD",
    )


def test_recorded_scores_cover_every_label_and_reference_beats_baseline(
    assignment: Assignment,
) -> None:
    spec = assignment.spec
    assert spec.reference is not None
    for scores in (spec.baseline, spec.reference):
        assert list(scores.per_class_f1) == LABELS
        assert scores.shifted_accuracy is not None
        assert scores.shifted_accuracy < scores.heldout_accuracy
    assert 0.75 <= spec.baseline.heldout_accuracy <= 0.92
    assert spec.reference.heldout_macro_f1 - spec.baseline.heldout_macro_f1 >= 0.03


def test_harness_validation_finds_no_problem(assignment: Assignment) -> None:
    report = validate_assignment(assignment)
    assert report.problems == []


def test_spec_model_rejects_an_edited_copy_with_a_bad_label() -> None:
    data = tomllib.loads((ASSIGNMENT_DIR / "assignment.toml").read_text(encoding="utf-8"))
    data["labels"] = [*data["labels"][:-1], "bug_report"]
    with pytest.raises(ValidationError, match="labels must be unique"):
        AssignmentSpec.model_validate(data)

"""The spec's ``[pay]`` table and ``[policy]`` are thin parse layers over the ledger's values:
``AssignmentSpec.time_box_terms`` and ``AssignmentSpec.pay_terms`` build them, and the ledger's
rules decide what is valid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from harness.assignments.spec import AssignmentSpec, Policy
from harness.ledger.pay import PayKind, PayTerms
from harness.ledger.timebox import ClockStart, LatePolicy


def _spec(**overrides: Any) -> AssignmentSpec:
    data: dict[str, Any] = {
        "name": "tiny",
        "title": "Tiny",
        "summary": "A tiny assignment.",
        "labels": ["a", "b"],
        "data": {"train": "t.csv", "heldout_features": "h.csv", "heldout_labels": "l.csv"},
        "rubric": {"accuracy": 1},
        "time_box_hours": "4.5",
        "pay": {"kind": "hourly", "hourly_rate": "60", "currency": "EUR"},
        "policy": {
            "start_window_days": 5,
            "grace_minutes": 10,
            "late": "refuse",
            "clock_start": "download",
        },
        "baseline": {"heldout_accuracy": 0.5, "heldout_macro_f1": 0.5},
    }
    data.update(overrides)
    return AssignmentSpec.model_validate(data)


def test_time_box_terms_come_from_the_spec_and_can_be_overridden_per_invitation() -> None:
    terms = _spec().time_box_terms()
    assert terms.time_box_hours == Decimal("4.5")
    assert terms.time_box == timedelta(hours=4, minutes=30)
    assert terms.grace == timedelta(minutes=10)
    assert terms.start_window == timedelta(days=5)
    assert terms.late == LatePolicy.refuse
    assert terms.clock_start == ClockStart.download

    custom = _spec().time_box_terms(
        time_box_hours=Decimal(6), grace_minutes=0, start_window_days=10
    )
    assert (custom.time_box, custom.grace, custom.start_window) == (
        timedelta(hours=6),
        timedelta(0),
        timedelta(days=10),
    )
    assert Policy().time_box_terms(Decimal(4)).grace == timedelta(minutes=15)


def test_pay_terms_cap_hourly_pay_at_the_time_box_given() -> None:
    spec = _spec()
    assert spec.pay_terms() == PayTerms(
        kind=PayKind.hourly, currency="EUR", hourly_rate=Decimal(60), cap_hours=Decimal("4.5")
    )
    # An invitation with a longer time box and no cap of its own is capped at its own box.
    assert spec.pay_terms(Decimal(6)).cap_hours == Decimal(6)
    capped = _spec(pay={"kind": "hourly", "hourly_rate": "60", "cap_hours": "3"})
    assert capped.pay_terms(Decimal(6)).cap_hours == Decimal(3)


@pytest.mark.parametrize(
    ("pay", "message"),
    [
        ({"kind": "hourly", "currency": "USD"}, "hourly_rate is required"),
        ({"kind": "hourly", "hourly_rate": "0"}, "hourly_rate must be more than 0"),
        ({"kind": "hourly", "hourly_rate": "50", "cap_hours": "0"}, "cap_hours must be more"),
        ({"kind": "flat"}, "flat_fee is required"),
        ({"kind": "flat", "flat_fee": "-5"}, "flat_fee must be more than 0"),
    ],
)
def test_the_ledger_rules_decide_which_pay_tables_are_valid(
    pay: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _spec(pay=pay)


def test_a_complete_flat_pay_table_is_valid() -> None:
    """Near miss of the cases above: a flat fee needs no rate and no cap."""
    spec = _spec(pay={"kind": "flat", "flat_fee": "250", "currency": "JPY"})
    assert spec.pay_terms().maximum.format() == "JPY 250"


def test_mutation_limits_default_to_a_sample_within_a_budget_that_fits_the_stage() -> None:
    mutation = _spec().limits.mutation
    assert mutation.enabled and mutation.mutants >= 30 and mutation.seed == 16
    assert mutation.budget_seconds + 15 <= mutation.wall_seconds


@pytest.mark.parametrize(
    ("table", "fine"),
    [
        ({"wall_seconds": 60, "memory_mb": 512, "budget_seconds": 45}, True),
        ({"wall_seconds": 60, "memory_mb": 512, "budget_seconds": 46}, False),
        ({"wall_seconds": 60, "memory_mb": 512, "budget_seconds": 30, "mutants": 0}, False),
        ({"wall_seconds": 60, "memory_mb": 512, "budget_seconds": 30, "sample": 5}, False),
        ({"wall_seconds": 60, "memory_mb": 512, "budget_seconds": 30, "enabled": False}, True),
    ],
)
def test_the_mutation_budget_must_leave_room_in_the_stage(table: dict[str, Any], fine: bool) -> None:
    limits = {"mutation": table}
    if fine:
        assert _spec(limits=limits).limits.mutation.budget_seconds == table["budget_seconds"]
    else:
        with pytest.raises(ValidationError):
            _spec(limits=limits)

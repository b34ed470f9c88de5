"""Agreement figures against known values.

Krippendorff's alpha is checked against the worked examples of Krippendorff, "Computing
Krippendorff's Alpha-Reliability" (2011): the 4-coder, 12-unit reliability data with missing
values (nominal 0.743, ordinal 0.815, interval 0.849) and the 2-coder binary data (0.095).
"""

from __future__ import annotations

import pytest

from harness.assignments.review_spec import Criterion
from harness.review.agreement import (
    CardFacts,
    interval_alpha,
    machine_agreement,
    ordinal_alpha,
    per_criterion,
    recommendation_alpha,
    reviewer_calibration,
    rule_precision,
    spearman,
)

# Rows are coders A-D, columns units 1-12; None is a missing value.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _units(matrix: list[list[int | None]]) -> list[list[int]]:
    return [[row[j] for row in matrix if row[j] is not None] for j in range(len(matrix[0]))]


def test_ordinal_alpha_matches_krippendorffs_worked_example() -> None:
    assert ordinal_alpha(_units(KRIPPENDORFF_2011), 5) == pytest.approx(0.815, abs=5e-4)


def test_interval_alpha_matches_krippendorffs_worked_example() -> None:
    units = [[float(v) for v in u] for u in _units(KRIPPENDORFF_2011)]
    assert interval_alpha(units) == pytest.approx(0.849, abs=5e-4)


def test_binary_example_two_coders() -> None:
    # With two values every metric is the nominal one: 0.095 in Krippendorff (2011).
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    units = [[x + 1, y + 1] for x, y in zip(a, b, strict=True)]
    assert ordinal_alpha(units, 2) == pytest.approx(0.095, abs=5e-4)


def test_alpha_is_one_for_perfect_agreement_and_none_when_undefined() -> None:
    assert ordinal_alpha([[1, 1], [3, 3], [4, 4]], 4) == pytest.approx(1.0)
    # A unit with one value carries nothing pairable; a single value used: no variation.
    assert ordinal_alpha([[2], [3]], 4) is None
    assert ordinal_alpha([[2, 2], [2, 2]], 4) is None
    assert interval_alpha([[50.0]]) is None


def _card(sid: int, who: str, a: int, rec: str, score: float, auto: float | None) -> CardFacts:
    return CardFacts(sid, who, {"a": a}, rec, score, auto, {"quality": auto} if auto else {})


CRIT = [
    Criterion(
        key="a", name="A", judges="a", weight=1, levels=["1", "2", "3", "4"], compare_with="quality"
    )
]


def test_reviewer_offsets_leave_the_reviewer_out_of_the_consensus() -> None:
    cards = [
        _card(1, "lenient", 4, "advance", 100.0, 60.0),
        _card(1, "strict", 2, "hold", 33.33, 60.0),
        _card(1, "third", 3, "advance", 66.67, 60.0),
        _card(2, "lenient", 3, "advance", 66.67, 50.0),
        _card(2, "strict", 1, "reject", 0.0, 50.0),
    ]
    rows = {r.reviewer: r for r in reviewer_calibration(CRIT, cards)}
    # lenient: sub 1: 100 - mean(33.33, 66.67) = 50; sub 2: 66.67 - 0 = 66.67 -> 58.33.
    assert rows["lenient"].offset_consensus == pytest.approx(58.335, abs=0.01)
    assert rows["lenient"].offset_automated == pytest.approx(
        ((100 - 60) + (66.67 - 50)) / 2, abs=0.01
    )
    # strict, criterion a: sub 1: 2 - median(4, 3) = -1.5; sub 2: 1 - 3 = -2 -> -1.75.
    assert rows["strict"].criteria["a"] == pytest.approx(-1.75)
    assert rows["strict"].offset_consensus is not None and rows["strict"].offset_consensus < 0
    assert rows["lenient"].scorecards == 2 and rows["third"].scorecards == 1


def test_a_lone_scorecard_has_no_consensus_offset() -> None:
    rows = reviewer_calibration(CRIT, [_card(9, "alone", 3, "hold", 66.67, None)])
    assert rows[0].offset_consensus is None and rows[0].offset_automated is None


def test_machine_agreement_and_per_criterion_correlation() -> None:
    cards = []
    for sid, (level, auto) in enumerate([(1, 20.0), (2, 45.0), (3, 60.0), (4, 90.0)], start=1):
        cards += [_card(sid, "x", level, "hold", (level - 1) / 3 * 100, auto)]
        cards += [_card(sid, "y", level, "hold", (level - 1) / 3 * 100, auto)]
    rho, gaps = machine_agreement(CRIT, cards)
    assert rho == pytest.approx(1.0)
    assert len(gaps) == 4 and abs(gaps[0].gap) >= abs(gaps[-1].gap)
    (row,) = per_criterion(CRIT, cards)
    assert row.alpha == pytest.approx(1.0) and row.units == 4
    assert row.rho_machine == pytest.approx(1.0) and row.machine_pairs == 4


def test_spearman_known_values_and_undefined_cases() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # Ties take average ranks: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): rho = 0.9487.
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9487, abs=1e-4)
    assert spearman([1, 2], [2, 1]) is None
    assert spearman([5, 5, 5], [1, 2, 3]) is None


def test_recommendation_alpha_orders_reject_hold_advance() -> None:
    agree = [
        _card(i, w, 1, rec, 0.0, None)
        for i, rec in enumerate(["reject", "hold", "advance"])
        for w in "xy"
    ]
    assert recommendation_alpha(agree) == pytest.approx(1.0)
    near = [
        _card(1, "x", 1, "reject", 0, None),
        _card(1, "y", 1, "hold", 0, None),
        _card(2, "x", 1, "advance", 0, None),
        _card(2, "y", 1, "advance", 0, None),
        _card(3, "x", 1, "reject", 0, None),
        _card(3, "y", 1, "reject", 0, None),
    ]
    far = [_card(1, "x", 1, "reject", 0, None), _card(1, "y", 1, "advance", 0, None), *near[2:]]
    a_near, a_far = recommendation_alpha(near), recommendation_alpha(far)
    assert a_near is not None and a_far is not None and a_near > a_far


def test_rule_precision_counts_confirmed_against_dismissed() -> None:
    rows = rule_precision(
        [
            ("quality:F401", "confirmed"),
            ("quality:F401", "wrong"),
            ("quality:F401", "confirmed"),
            ("writeup:claim", "unhelpful"),
            ("writeup:claim", "wrong"),
        ]
    )
    assert [r.rule for r in rows] == ["writeup:claim", "quality:F401"]  # most dismissed first
    assert rows[0].precision == 0.0 and rows[1].precision == pytest.approx(2 / 3)
    assert rows[1].dismissed == 1 and rows[0].dismissed == 2

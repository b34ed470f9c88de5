"""The pure rules of a scorecard: checking it, its human score, disagreement, the combined
recommendation (README, "Human review")."""

from __future__ import annotations

import pytest

from harness.assignments.review_spec import Criterion, ReviewSpec
from harness.review.rules import (
    Rated,
    check_scorecard,
    combine,
    consensus_levels,
    disagreements,
    human_score,
)

LEVELS4 = ["poor work", "weak work", "good work", "excellent work"]
A = Criterion(key="a", name="Framing", judges="framing", weight=3, levels=LEVELS4)
B = Criterion(key="b", name="Rigour", judges="rigour", weight=1, levels=["no", "some", "yes"])
SPEC = ReviewSpec(criteria=[A, B], automated_weight=0.4, human_weight=0.6)


def test_a_complete_scorecard_is_accepted_with_levels_as_integers() -> None:
    assert check_scorecard([A, B], {"a": "4", "b": 1}, "advance") == {"a": 4, "b": 1}


@pytest.mark.parametrize(
    ("ratings", "recommendation", "message"),
    [
        ({"a": 4}, "advance", "rate 'Rigour'"),
        ({"a": 4, "b": 1, "c": 2}, "advance", "unknown criteria: c"),
        ({"a": 5, "b": 1}, "advance", "takes levels 1 to 4, not 5"),
        ({"a": 0, "b": 1}, "advance", "not 0"),
        ({"a": "x", "b": 1}, "advance", "is not a level"),
        ({"a": 4, "b": 1}, "maybe", "recommendation must be one of"),
    ],
)
def test_a_bad_scorecard_says_what_is_wrong(
    ratings: dict[str, object], recommendation: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        check_scorecard([A, B], ratings, recommendation)


def test_human_score_weights_each_criterion_on_its_own_scale() -> None:
    # a: level 4 of 4 -> 100 (weight 3); b: level 2 of 3 -> 50 (weight 1): (300 + 50) / 4.
    assert human_score([A, B], {"a": 4, "b": 2}) == 87.5
    assert human_score([A, B], {"a": 1, "b": 1}) == 0.0
    assert human_score([A, B], {}) is None


def test_consensus_is_the_median_level_per_criterion() -> None:
    assert consensus_levels([A, B], [{"a": 1, "b": 3}, {"a": 4, "b": 3}, {"a": 2, "b": 1}]) == {
        "a": 2.0,
        "b": 3.0,
    }
    assert consensus_levels([A, B], [{"a": 1, "b": 3}, {"a": 4, "b": 2}]) == {"a": 2.5, "b": 2.5}


def test_two_levels_apart_is_a_disagreement_one_level_is_not() -> None:
    one_apart = [Rated("1", {"a": 2, "b": 2}, "advance"), Rated("2", {"a": 3, "b": 3}, "advance")]
    assert disagreements([A, B], one_apart, levels_apart=2) == []
    two_apart = [Rated("1", {"a": 1, "b": 2}, "advance"), Rated("2", {"a": 3, "b": 2}, "advance")]
    assert disagreements([A, B], two_apart, levels_apart=2) == ["Framing: levels 1 and 3"]
    assert disagreements([A, B], one_apart, levels_apart=1) == [
        "Framing: levels 2 and 3",
        "Rigour: levels 2 and 3",
    ]


def test_different_recommendations_are_a_disagreement() -> None:
    same_levels = [Rated("1", {"a": 3, "b": 2}, "advance"), Rated("2", {"a": 3, "b": 2}, "hold")]
    assert disagreements([A, B], same_levels, levels_apart=2) == [
        "recommendations differ (hold, advance)"
    ]


def test_combined_score_and_recommendation_follow_the_formula() -> None:
    c = combine(80.0, 60.0, SPEC)  # (0.4 * 80 + 0.6 * 60) / 1.0 = 68
    assert c.score == 68.0 and c.recommendation == "hold"
    assert combine(90.0, 70.0, SPEC).recommendation == "advance"  # 78
    assert (
        combine(70.0, 69.99, SPEC).score == pytest.approx(69.99)
        and combine(70.0, 69.99, SPEC).recommendation == "hold"
    )  # just under advance_at
    assert combine(40.0, 50.0, SPEC).recommendation == "reject"  # 46 < 50
    assert combine(50.0, 50.0, SPEC).recommendation == "hold"  # exactly reject_below is not below
    assert "0.4 x automated + 0.6 x human" in c.formula


def test_a_missing_part_drops_out_with_its_weight() -> None:
    assert combine(None, 75.0, SPEC).score == 75.0
    assert combine(64.0, None, SPEC).score == 64.0
    nothing = combine(None, None, SPEC)
    assert nothing.score is None and nothing.recommendation is None
    # Without a review spec the combined score is the automated overall.
    assert combine(81.0, None, None).score == 81.0

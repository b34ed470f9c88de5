"""The ``[review]`` table of an assignment: validated like the rest of the spec, versioned by
its content, shown to candidates."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from harness.assignments.loader import load_assignment
from harness.assignments.review_spec import ReviewSpec
from harness.assignments.starter_kit import rubric_markdown
from harness.settings import Settings
from tests.db.factories import make_spec

L4 = ["no sign of it", "a little of it", "most of it", "all of it"]


def _review(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "criteria": [
            {
                "key": "framing",
                "name": "Framing",
                "judges": "the problem",
                "weight": 2,
                "levels": L4,
            },
            {
                "key": "rigour",
                "name": "Rigour",
                "judges": "evaluation",
                "weight": 1,
                "levels": L4,
                "compare_with": "writeup",
            },
        ]
    }
    data.update(over)
    return data


def test_a_valid_review_table_defaults_to_two_scorecards() -> None:
    spec = make_spec(review=_review())
    assert spec.review is not None and spec.review.scorecards == 2
    assert spec.review.criterion("rigour") is not None and spec.review.criteria[0].top == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"criteria": []}, "at least 1"),
        ({"scorecards": 0}, "greater than or equal to 1"),
        ({"reject_below": 80, "advance_at": 70}, "reject_below must not be above advance_at"),
        ({"automated_weight": 0, "human_weight": 0}, "cannot both be 0"),
    ],
)
def test_invalid_review_tables_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make_spec(review=_review(**change))


@pytest.mark.parametrize(
    ("criterion", "message"),
    [
        ({"key": "Bad Key"}, "lowercase letters"),
        ({"levels": ["only one"]}, "at least 2"),
        ({"levels": ["same", "same"]}, "its own description"),
        ({"levels": ["fine", " "]}, "level 2 needs a description"),
        ({"weight": 0}, "greater than 0"),
        ({"compare_with": "astrology"}, "not a grader of the rubric"),
    ],
)
def test_invalid_criteria_are_refused(criterion: dict[str, Any], message: str) -> None:
    base = _review()
    base["criteria"][1] = {**base["criteria"][1], **criterion}
    with pytest.raises(ValidationError, match=message):
        make_spec(review=base)


def test_duplicate_keys_are_refused() -> None:
    base = _review()
    base["criteria"][1]["key"] = "framing"
    with pytest.raises(ValidationError, match="keys must be unique"):
        make_spec(review=base)


def test_the_version_changes_with_any_edit_of_the_criteria_only() -> None:
    v1 = ReviewSpec.model_validate(_review()).criteria_version
    assert ReviewSpec.model_validate(_review()).criteria_version == v1  # stable
    # Settings outside the criteria (how many scorecards, weights of the parts) keep the version.
    assert ReviewSpec.model_validate(_review(scorecards=3, human_weight=0.9)).criteria_version == v1
    reworded = _review()
    reworded["criteria"][0]["levels"] = [*L4[:3], "all of it, and more"]
    assert ReviewSpec.model_validate(reworded).criteria_version != v1
    reweighted = _review()
    reweighted["criteria"][0]["weight"] = 3
    assert ReviewSpec.model_validate(reweighted).criteria_version != v1


def test_the_shipped_support_tickets_scorecard() -> None:
    assignment = load_assignment("support-tickets", Settings())
    review = assignment.spec.review
    assert review is not None and review.scorecards == 2
    assert [c.key for c in review.criteria] == [
        "framing",
        "evaluation",
        "tradeoffs",
        "maintainability",
        "communication",
    ]
    assert all(c.top == 4 for c in review.criteria)
    # Candidates read the same criteria, with their anchored levels, in the rubric.
    rubric = rubric_markdown(assignment)
    for c in review.criteria:
        assert c.name in rubric and c.levels[-1] in rubric
    assert make_spec().review is None  # an assignment without [review] needs no scorecard

"""Spearman's rho with ties, MAE and bias against values worked out by hand (and scipy)."""

from __future__ import annotations

import math
import random

import pytest
from scipy.stats import spearmanr

from harness.calibration.stats import (
    average_ranks,
    mean_absolute_error,
    mean_signed_error,
    pearson,
    spearman,
)


def test_average_ranks_share_the_mean_rank_among_ties() -> None:
    assert average_ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]
    assert average_ranks([7, 7, 7]) == [2.0, 2.0, 2.0]
    assert average_ranks([3, 1, 2]) == [3.0, 1.0, 2.0]
    assert average_ranks([]) == []


def test_spearman_without_ties_matches_the_textbook_formula() -> None:
    # d = [-1, 1, -1, 1, 0], sum d^2 = 4: rho = 1 - 6 * 4 / (5 * 24) = 0.8
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)


def test_spearman_with_ties_uses_average_ranks() -> None:
    # ranks of y: [1, 2, 3.5, 5, 3.5]; centred x [-2..2], centred y [-2, -1, .5, 2, .5]
    # sum of products 8, sum x^2 10, sum y^2 9.5: rho = 8 / sqrt(95)
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / math.sqrt(95))


def test_spearman_is_one_for_any_increasing_map_and_minus_one_reversed() -> None:
    x = [3.0, 10.0, 40.0, 41.0]
    assert spearman(x, [v**3 for v in x]) == pytest.approx(1.0)
    assert spearman(x, [-v for v in x]) == pytest.approx(-1.0)


def test_spearman_is_undefined_without_variance_or_pairs() -> None:
    assert spearman([1, 2, 3], [5, 5, 5]) is None
    assert spearman([4], [9]) is None
    assert spearman([], []) is None
    # near miss: one differing value is enough to define it
    assert spearman([1, 2, 3], [5, 5, 6]) is not None


def test_spearman_agrees_with_scipy_on_tied_integer_scores() -> None:
    rng = random.Random(9)
    for _ in range(50):
        n = rng.randint(3, 30)
        x = [rng.randint(0, 10) * 10 for _ in range(n)]
        y = [rng.randint(0, 6) * 15 for _ in range(n)]
        ours = spearman(x, y)
        if ours is None:
            assert len(set(x)) == 1 or len(set(y)) == 1
            continue
        assert ours == pytest.approx(float(spearmanr(x, y).statistic), abs=1e-12)


def test_pearson_of_a_hand_worked_example() -> None:
    # centred x [-1, 0, 1], centred y [-2, 1, 1]: 3 / sqrt(2 * 6)
    assert pearson([1, 2, 3], [1, 4, 4]) == pytest.approx(3 / math.sqrt(12))


def test_mean_absolute_and_signed_error() -> None:
    harness, expert = [10, 20, 30], [12, 18, 35]
    assert mean_absolute_error(harness, expert) == pytest.approx(3.0)  # (2 + 2 + 5) / 3
    assert mean_signed_error(harness, expert) == pytest.approx(-5 / 3)  # (-2 + 2 - 5) / 3
    assert mean_signed_error([80, 90], [60, 50]) == pytest.approx(30.0)  # the harness runs high
    assert mean_absolute_error([], []) is None and mean_signed_error([], []) is None


def test_unpaired_lists_are_refused() -> None:
    for function in (spearman, pearson, mean_absolute_error, mean_signed_error):
        with pytest.raises(ValueError, match="differ in length"):
            function([1, 2], [1, 2, 3])

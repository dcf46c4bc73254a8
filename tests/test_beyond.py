"""Beyond-accuracy metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eval.beyond import catalog_coverage, exposure_counts, gini, intra_list_diversity, long_tail_share, novelty


def test_coverage_and_exposure():
    lists = [["a", "b"], ["b", "c"]]
    assert catalog_coverage(lists, 10) == 0.3
    assert exposure_counts(lists, ["a", "b", "c", "d"]) == [1, 2, 1, 0]


def test_intra_list_diversity_of_orthogonal_and_identical_vectors():
    assert intra_list_diversity(np.eye(3)) == pytest.approx(1.0)
    same = np.tile(np.array([[0.6, 0.8]]), (4, 1))
    assert intra_list_diversity(same) == pytest.approx(0.0)
    assert intra_list_diversity(np.eye(3)[:1]) == 0.0


def test_gini_extremes_and_a_hand_computed_case():
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)  # (n-1)/n for one item taking everything
    assert gini([1, 3]) == pytest.approx((2 * 1 - 3) * 1 / 8 + (2 * 2 - 3) * 3 / 8)  # = 0.25


def test_novelty_and_long_tail():
    pop = {"hit": 6.0, "mid": 3.0, "rare": 1.0}
    assert novelty([["hit"]], pop) == pytest.approx(-math.log2(0.6))
    assert novelty([["unknown"]], pop) == pytest.approx(-math.log2(0.1))
    assert long_tail_share([["hit", "mid", "rare", "rare"]], pop, head_share=0.34) == pytest.approx(0.75)

"""Operating points: warning thresholds, grades from probabilities and grade cut-offs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.models.thresholds import (
    fit_grade_cutoffs,
    grade_from_probabilities,
    warning_threshold_for_capacity,
    warning_threshold_for_precision,
)
from arrearsrisk.vocabulary import GRADES, grade_codes


def synthetic(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Seeded grades and unrelated Dirichlet probabilities."""
    rng = np.random.default_rng(seed)
    grades = rng.choice(np.array(GRADES), size=n, p=[0.2, 0.3, 0.5])
    truth = pd.DataFrame({"grade": grades, "a_warning": rng.random(n) < 0.2})
    return truth, rng.dirichlet([1, 1, 1], size=n)


# --- warning thresholds ----------------------------------------------------------


def test_threshold_for_precision_is_the_lowest_reaching_it():
    y = [False, True, False, True, True]
    p = [0.1, 0.2, 0.3, 0.6, 0.9]
    # Precision of p >= t: .1 -> 3/5, .2 -> 3/4, .3 -> 2/3, .6 -> 1, .9 -> 1.
    assert warning_threshold_for_precision(y, p, 0.6) == 0.1
    assert warning_threshold_for_precision(y, p, 0.7) == 0.2
    assert warning_threshold_for_precision(y, p, 0.8) == 0.6


def test_threshold_for_precision_falls_back_to_the_best_f1():
    y = [True, False, True, False]
    p = [0.1, 0.2, 0.3, 0.4]
    # No threshold reaches .9; F1: .1 -> 2/3, .2 -> .4, .3 -> .5, .4 -> 0.
    assert warning_threshold_for_precision(y, p, 0.9) == 0.1


def test_threshold_for_precision_errors():
    with pytest.raises(ArrearsRiskError, match="y has no positive"):
        warning_threshold_for_precision([False, False], [0.1, 0.2], 0.5)
    with pytest.raises(ArrearsRiskError, match=r"target_precision must be in \(0, 1\]; got 0"):
        warning_threshold_for_precision([True, False], [0.1, 0.2], 0)
    with pytest.raises(ArrearsRiskError, match="y and p must have the same length; got 2 and 3"):
        warning_threshold_for_precision([True, False], [0.1, 0.2, 0.3], 0.5)


def test_threshold_for_capacity_is_the_kth_highest_score():
    p = [0.9, 0.1, 0.4, 0.7, 0.3, 0.8]
    assert warning_threshold_for_capacity(p, capacity=1) == 0.9
    assert warning_threshold_for_capacity(p, capacity=2) == 0.8
    # Two months pooled: 2 a month is 4 flags.
    assert warning_threshold_for_capacity(p, capacity=2, n_months=2) == 0.4
    # More capacity than customers: flag everyone.
    assert warning_threshold_for_capacity(p, capacity=100) == 0.1
    flagged = np.asarray(p) >= warning_threshold_for_capacity(p, capacity=3)
    assert flagged.sum() == 3


def test_threshold_for_capacity_errors():
    with pytest.raises(ArrearsRiskError, match=r"capacity must be a whole number >= 1; got 0"):
        warning_threshold_for_capacity([0.1], capacity=0)
    with pytest.raises(ArrearsRiskError, match=r"n_months must be a whole number >= 1; got 1.5"):
        warning_threshold_for_capacity([0.1], capacity=1, n_months=1.5)  # type: ignore[arg-type]


# --- grades from probabilities ---------------------------------------------------


@pytest.mark.parametrize(
    ("row", "cutoffs", "grade"),
    [
        ([0.2, 0.3, 0.5], None, "III"),
        ([0.4, 0.4, 0.2], None, "I"),  # tie: the higher risk
        ([0.3, 0.4, 0.3], None, "II"),
        ([0.3, 0.1, 0.6], (0.3, 0.9), "I"),  # p_I >= t_I, however likely III is
        ([0.25, 0.25, 0.5], (0.3, 0.5), "II"),  # p_I + p_II = .5 >= t_I_II
        ([0.25, 0.24, 0.51], (0.3, 0.5), "III"),
        ([0.0, 1.0, 0.0], (0.0, 1.0), "I"),  # t_I = 0: everyone is Grade I
    ],
)
def test_grade_from_probabilities_rule(row, cutoffs, grade):
    assert grade_from_probabilities([row], cutoffs).tolist() == [grade]


def test_grade_from_probabilities_reads_frames_by_column_name():
    frame = pd.DataFrame({"p_III": [0.6, 0.1], "p_I": [0.3, 0.1], "p_II": [0.1, 0.8]})
    assert grade_from_probabilities(frame, (0.3, 0.5)).tolist() == ["I", "II"]


@pytest.mark.parametrize(
    ("p", "cutoffs", "message"),
    [
        ([[0.5, 0.5]], None, r"must have 3 columns .*got shape \(1, 2\)"),
        ([[0.5, 0.4, 0.2]], None, r"must sum to 1 within 1e-06"),
        ([[0.5, 0.6, -0.1]], None, r"must lie in \[0, 1\]"),
        ([[0.5, 0.3, 0.2]], (1.2, 0.5), r"t_I must be a number in \[0, 1\]; got 1.2"),
        ([[0.5, 0.3, 0.2]], (0.5,), r"cutoffs must be \(t_I, t_I_II\)"),
    ],
)
def test_grade_from_probabilities_errors(p, cutoffs, message):
    with pytest.raises(ArrearsRiskError, match=message):
        grade_from_probabilities(p, cutoffs)


def test_grade_from_probabilities_follows_the_vocabulary_rule():
    _, p = synthetic(n=500, seed=3)
    for cutoffs in [(0.3, 0.6), (0.0, 1.0), (0.5, 0.5), (1.0, 0.0)]:
        codes = grade_codes(p[:, 0], p[:, 0] + p[:, 1], *cutoffs)
        assert grade_from_probabilities(p, cutoffs).tolist() == [GRADES[c] for c in codes]


# --- grade cut-offs --------------------------------------------------------------


def sample_with_cutoffs(
    t_i: float, t_i_ii: float, n: int = 3000, seed: int = 11, noise: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Dirichlet probabilities graded by the cumulative rule, a share relabelled at random."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet([1.0, 1.0, 1.0], size=n)
    y = grade_from_probabilities(p, (t_i, t_i_ii))
    flip = rng.random(n) < noise
    y[flip] = rng.choice(np.array(GRADES), size=int(flip.sum()))
    return y, p


def test_fit_grade_cutoffs_recovers_the_rule_that_made_the_grades():
    y, p = sample_with_cutoffs(0.40, 0.70)
    assert fit_grade_cutoffs(y, p) == (0.40, 0.70)


def test_fit_grade_cutoffs_is_close_under_label_noise_and_deterministic():
    y, p = sample_with_cutoffs(0.35, 0.60, noise=0.1)
    t_i, t_i_ii = fit_grade_cutoffs(y, p)
    assert abs(t_i - 0.35) <= 0.05 and abs(t_i_ii - 0.60) <= 0.05
    assert fit_grade_cutoffs(y, p) == (t_i, t_i_ii)


def test_fit_grade_cutoffs_matches_a_brute_force_search_with_sklearn():
    truth, p = synthetic(n=240, seed=5)
    y = truth["grade"].to_numpy()
    grid = np.arange(5, 96, 3) / 100
    f1_i = [f1_score(y == "I", p[:, 0] >= t, zero_division=np.nan) for t in grid]
    t_i = float(grid[int(np.nanargmax(f1_i))])
    macro = [
        f1_score(
            y,
            grade_from_probabilities(p, (t_i, t)),
            labels=list(GRADES),
            average="macro",
            zero_division=np.nan,
        )
        for t in grid
    ]
    t_i_ii = float(grid[int(np.nanargmax(macro))])
    assert fit_grade_cutoffs(y, p, grid=grid) == (t_i, t_i_ii)


def test_fit_grade_cutoffs_errors():
    y, p = sample_with_cutoffs(0.4, 0.7, n=50)
    with pytest.raises(ArrearsRiskError, match=r"must hold Grade I and some other grade"):
        fit_grade_cutoffs(["III"] * 50, p)
    with pytest.raises(ArrearsRiskError, match="y_grade and p must have the same rows; got 49"):
        fit_grade_cutoffs(y[1:], p)
    with pytest.raises(ArrearsRiskError, match=r"grid must lie in \[0, 1\]"):
        fit_grade_cutoffs(y, p, grid=[0.5, 1.5])

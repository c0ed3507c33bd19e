"""The statistics of monitoring: exact values on literals, properties against slow twins."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrearsrisk.evaluation.drift import population_stability
from arrearsrisk.monitoring.checks import ReferenceView, drift_rows, psi_verdict, sized_verdict
from arrearsrisk.monitoring.performance import (
    calibration_verdict,
    estimated_figures,
    performance_verdict,
    realised_figures,
)
from arrearsrisk.monitoring.statistics import (
    expected_auc,
    null_scale,
    psi_from_counts,
    psi_p_value,
    relative_expected,
    shift_z,
)
from arrearsrisk.monitoring.verdicts import Thresholds


def test_psi_from_counts_is_the_drift_modules_psi_on_the_same_bins() -> None:
    expected = np.repeat(np.arange(10.0), 10)  # 10 values, 10 each: deciles cut at each
    actual = np.concatenate([np.repeat(np.arange(10.0), 5), np.zeros(50)])
    counts_e = np.bincount(expected.astype(int), minlength=10)
    counts_a = np.bincount(actual.astype(int), minlength=10)
    assert psi_from_counts(counts_a, counts_e) == pytest.approx(
        population_stability(expected, actual, bins=10), rel=1e-12
    )


def test_psi_of_a_literal_shift() -> None:
    # shares (0.8, 0.2) against (0.5, 0.5): 0.3 ln 1.6 + 0.3 ln 2.5
    assert psi_from_counts([8, 2], [5, 5]) == pytest.approx(
        0.3 * math.log(1.6) + 0.3 * math.log(2.5), abs=1e-12
    )


def test_psi_p_value_follows_the_chi_square_with_both_sizes() -> None:
    from scipy.stats import chi2

    # PSI 0.02 on 1,000 customers against 4,000: statistic 0.02 / (1/1000 + 1/4000) = 16
    assert psi_p_value(0.02, 1000, 4000, 5) == pytest.approx(chi2.sf(16.0, 4))
    assert psi_p_value(0.5, 0, 100, 5) == 1.0
    assert psi_p_value(0.5, 100, 100, 1) == 1.0


def test_psi_p_value_is_uniform_under_the_null() -> None:
    """Samples of one population: the p-values are about uniform (few under 1 %)."""
    rng = np.random.default_rng(0)
    shares_ = np.array([0.1, 0.2, 0.3, 0.25, 0.15])
    ps = []
    for _ in range(400):
        ref = rng.multinomial(5000, shares_)
        now = rng.multinomial(800, shares_)
        ps.append(psi_p_value(psi_from_counts(now, ref), 800, 5000, 5))
    ps = np.asarray(ps)
    assert 0.0 <= (ps < 0.01).mean() <= 0.03
    assert 0.35 <= (ps < 0.5).mean() <= 0.65


def test_relative_expected_moves_with_the_portfolio() -> None:
    # the portfolio moved from (50, 50) to (60, 40); a segment like it moves the same way
    assert relative_expected([10, 10], [50, 50], [60, 40]) == pytest.approx([0.6, 0.4])
    # a segment with a permanent tilt keeps its tilt relative to the portfolio
    e = relative_expected([30, 10], [50, 50], [50, 50])
    assert e[0] > 0.6
    # a bin the reference never had gets the segment's overall share of it
    assert relative_expected([0, 10], [0, 100], [30, 70]) == pytest.approx([0.3, 0.7])


@given(
    st.lists(st.integers(0, 50), min_size=3, max_size=3),
    st.lists(st.integers(1, 500), min_size=3, max_size=3),
    st.lists(st.integers(0, 500), min_size=3, max_size=3),
)
def test_relative_expected_is_a_distribution(
    seg: list[int], ref: list[int], now: list[int]
) -> None:
    e = relative_expected(seg, ref, now)
    assert np.all(e >= 0)
    if sum(now) > 0 and sum(seg) > 0:
        assert e.sum() == pytest.approx(1.0)


def test_shift_z_literal() -> None:
    # segment +0.10 over its reference, portfolio +0.04 over its own: d = 0.06
    d, z = shift_z((400, 0.30, 0.04), (800, 0.20, 0.04), (10_000, 0.14, 0.02), (20_000, 0.10, 0.02))
    se = math.sqrt(0.04 / 400 + 0.04 / 800 + 0.02 / 10_000 + 0.02 / 20_000)
    assert d == pytest.approx(0.06)
    assert z == pytest.approx(0.06 / se)
    assert math.isnan(shift_z((0, 0, 0), (10, 0.1, 0.01), (0, 0, 0), (0, 0, 0))[1])


def test_null_scale() -> None:
    assert null_scale([0.5, -0.5, 0.2, -0.2, 1.0, -1.0, 0.1, 0.0]) == 1.0
    wide = np.random.default_rng(1).normal(0, 3, 400)
    assert null_scale(wide) == pytest.approx(3, rel=0.15)
    assert null_scale([9.0, 9.0]) == 1.0  # too few to tell
    # a few really moving segments do not widen it
    assert null_scale([*np.random.default_rng(2).normal(0, 1, 60), 25, 30, 40]) < 1.3


def _brute_auc(p: np.ndarray, s: np.ndarray) -> float:
    num = den = 0.0
    for i in range(len(p)):
        for j in range(len(p)):
            if i == j:
                continue
            w = p[i] * (1 - p[j])
            den += w
            num += w * (1.0 if s[i] > s[j] else 0.5 if s[i] == s[j] else 0.0)
    return num / den if den > 0 else math.nan


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=25),
    st.lists(st.integers(0, 4), min_size=25, max_size=25),
)
def test_expected_auc_equals_the_pairwise_sum(p: list[float], ties: list[int]) -> None:
    pv = np.asarray(p)
    s = np.asarray(ties[: len(p)], dtype=float)  # few distinct scores: ties
    fast, slow = expected_auc(pv, s), _brute_auc(pv, s)
    if math.isnan(slow) or not np.isfinite(slow):
        return
    assert fast == pytest.approx(slow, abs=1e-9)


def test_expected_auc_tracks_the_realised_auc_of_calibrated_scores() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    p = rng.beta(0.5, 4, 20_000)
    y = rng.random(20_000) < p
    assert expected_auc(p) == pytest.approx(roc_auc_score(y, p), abs=0.01)


def test_estimated_figures_literal() -> None:
    p = np.array([0.9, 0.5, 0.1, 0.1])
    est = estimated_figures(
        p,
        np.array([0, 0, 2, 1]),
        np.array([0.4, 0.1, 0.0, 0.0]),
        np.array([True, False, False, False]),
    )
    assert est["grade_I_precision"] == pytest.approx(0.7)
    assert est["grade_I_recall"] == pytest.approx(1.4 / 1.6)
    assert est["warning_precision"] == pytest.approx(0.4)
    assert est["warning_recall"] == pytest.approx(0.8)
    assert est["grade_I_rate"] == pytest.approx(0.4)


def test_estimated_precision_tracks_realised_on_calibrated_outcomes() -> None:
    rng = np.random.default_rng(4)
    p = rng.beta(0.6, 5, 50_000)
    grade = np.where(p >= 0.3, 0, 2)
    y = rng.random(len(p)) < p
    warned = np.zeros(len(p), dtype=bool)
    est = estimated_figures(p, grade, p * 0, warned)
    real = realised_figures(p, grade, p * 0, warned, y, np.zeros(len(p), dtype=bool))
    assert est["grade_I_precision"] == pytest.approx(real["grade_I_precision"], abs=0.01)
    assert est["grade_I_recall"] == pytest.approx(real["grade_I_recall"], abs=0.01)


def test_realised_figures_literal() -> None:
    p = np.array([0.9, 0.8, 0.3, 0.2])
    grade = np.array([0, 0, 1, 2])
    truth = np.array([True, False, True, False])
    real = realised_figures(p, grade, p, grade == 0, truth, truth)
    assert real["grade_I_precision"] == 0.5
    assert real["grade_I_recall"] == 0.5
    assert real["grade_I_auc"] == 0.75  # pairs: (0.9>0.8), (0.9>0.2), (0.3<0.8), (0.3>0.2)
    assert real["grade_I_ks"] == 0.5
    assert real["grade_I_rate"] == 0.5
    assert real["grade_I_predicted_rate"] == pytest.approx(0.55)


def test_verdict_rules() -> None:
    t = Thresholds()
    assert psi_verdict(0.3, 1e-9, t) == "alert"
    assert psi_verdict(0.3, 1e-4, t) == "watch"  # large but only watch-significant
    assert psi_verdict(0.3, 0.2, t) == "stable"  # large but chance for a small segment
    assert psi_verdict(0.05, 1e-12, t) == "stable"  # significant but small
    assert sized_verdict(0.015, 1e-6, 0.01, 0.02, t) == "watch"
    assert sized_verdict(float("nan"), 0.0, 0.01, 0.02, t) == "stable"
    assert performance_verdict("grade_I_precision", 0.40, 0.62, t) == "alert"
    assert performance_verdict("grade_I_precision", 0.50, 0.62, t) == "watch"
    assert performance_verdict("grade_I_auc", 0.91, 0.93, t) == "stable"
    assert calibration_verdict(0.101, np.full(1000, 0.1), t)[0] == "stable"


def test_thresholds_are_checked() -> None:
    from arrearsrisk.errors import ArrearsRiskError

    with pytest.raises(ArrearsRiskError, match=r"psi_watch .* must not exceed psi_alert"):
        Thresholds(psi_watch=0.5)
    with pytest.raises(ArrearsRiskError, match=r"must be finite and >= 0"):
        Thresholds(shift_watch=-1.0)
    with pytest.raises(ArrearsRiskError, match=r"p_alert <= p_watch"):
        Thresholds(p_alert=0.1)
    with pytest.raises(ArrearsRiskError, match="min_customers must be a whole number"):
        Thresholds(min_customers=0)


def _loop_drift(now: np.ndarray, expected: np.ndarray) -> list[tuple[float, float]]:
    """The slow twin of drift_rows' arithmetic, one segment at a time (no null scaling)."""
    out = []
    for j in range(len(now)):
        e = expected[0] if j == 0 else relative_expected(expected[j], expected[0], now[0])
        e = e / e.sum()
        psi = psi_from_counts(now[j], e)
        used = int(np.count_nonzero((now[j] > 0) | (e > 0)))
        out.append((psi, psi_p_value(psi, now[j].sum(), expected[j].sum(), used)))
    return out


def test_drift_rows_equal_a_loop_over_segments() -> None:
    rng = np.random.default_rng(5)
    shares_ = rng.dirichlet(np.ones(6), size=4)
    expected = np.array(
        [rng.multinomial(n, s) for n, s in zip([9000, 3000, 2500, 900], shares_, strict=True)],
        float,
    )
    expected[0] = expected[1:].sum(axis=0) + rng.multinomial(2000, shares_[0])
    now = np.array(
        [rng.multinomial(n, s) for n, s in zip([3000, 1000, 800, 300], shares_, strict=True)], float
    )
    now[0] = now[1:].sum(axis=0) + rng.multinomial(900, shares_[0])
    counts = {"x": expected[:, None, :].repeat(12, axis=1)}
    moments = {"p_I": np.ones((4, 12, 3))}
    view = ReferenceView(counts, moments, np.ones(12))
    rows = drift_rows(
        "2025-01", 1, ["all", "a", "b", "c"], now, view, "x", "feature_psi", Thresholds()
    )
    slow = _loop_drift(now, expected)
    assert [r["segment"] for r in rows] == ["all", "a", "b", "c"]
    for r, (psi, p) in zip(rows, slow, strict=True):
        assert r["value"] == pytest.approx(psi, rel=1e-9)
        if "empirical-null" not in r["note"]:
            assert r["p_value"] == pytest.approx(p, rel=1e-6, abs=1e-300)

"""compare_models: a paired bootstrap of two models' metrics on the same outcomes.

Exact values on tiny literal predictions, each resample checked against ``evaluate`` on
the drawn rows, and the properties a promotion relies on: identical models differ by
exactly 0, a clearly better model has its whole interval above 0.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.evaluation import compare_models, evaluate
from arrearsrisk.evaluation.checks import read_outcomes
from arrearsrisk.evaluation.compare import (
    COMPARE_COLUMNS,
    DEFAULT_COMPARE_METRICS,
    LOWER_IS_BETTER,
    _draws,
)
from arrearsrisk.evaluation.metrics import _metrics

# --- tiny literal data -----------------------------------------------------------------

TRUTH = pd.DataFrame(
    {
        "grade": ["I", "II", "III", "III", "I", "III"],
        "a_warning": [True, False, False, False, False, False],
        "as_of": ["2025-07-31"] * 3 + ["2025-08-31"] * 3,
        "customer_id": ["C1", "C2", "C3", "C1", "C2", "C3"],
    }
)


def pred(p_i, p_ii, grade, p_warning) -> pd.DataFrame:
    p_i, p_ii = np.asarray(p_i, dtype=float), np.asarray(p_ii, dtype=float)
    return pd.DataFrame(
        {
            "p_I": p_i,
            "p_II": p_ii,
            "p_III": 1.0 - p_i - p_ii,
            "grade": grade,
            "p_warning": p_warning,
            "a_warning": np.asarray(p_warning) >= 0.5,
        }
    )


# A ranks one Grade I customer below a Grade III one; B ranks every Grade I first.
A = pred(
    [0.5, 0.3, 0.6, 0.1, 0.2, 0.1],
    [0.3, 0.4, 0.2, 0.2, 0.3, 0.2],
    ["I", "II", "I", "III", "II", "III"],
    [0.4, 0.1, 0.6, 0.1, 0.2, 0.1],
)
B = pred(
    [0.7, 0.2, 0.1, 0.1, 0.6, 0.05],
    [0.2, 0.5, 0.2, 0.1, 0.3, 0.15],
    ["I", "II", "III", "III", "I", "III"],
    [0.8, 0.1, 0.2, 0.1, 0.3, 0.05],
)


def test_the_values_are_evaluate_s_and_the_difference_is_b_minus_a():
    table = compare_models(TRUTH, A, B, n_boot=200)
    assert list(table.index) == list(DEFAULT_COMPARE_METRICS)
    assert list(table.columns) == list(COMPARE_COLUMNS)
    ev_a, ev_b = evaluate(TRUTH, A).metrics, evaluate(TRUTH, B).metrics
    for metric in DEFAULT_COMPARE_METRICS:
        assert table.loc[metric, "a"] == ev_a[metric]
        assert table.loc[metric, "b"] == ev_b[metric]
        assert table.loc[metric, "difference"] == ev_b[metric] - ev_a[metric]
    # by hand: 2 Grade I (A's p_I 0.5, 0.2) against 4 others (0.3, 0.6, 0.1, 0.1): the
    # first beats 3 of them, the second 2, so 5 of 8 pairs; B ranks both Grade I first
    assert table.loc["grade_I_auc", ["a", "b", "difference"]].tolist() == [5 / 8, 1.0, 3 / 8]
    # I or II (0.8, 0.7, 0.5) against III (0.8, 0.3, 0.3): 2.5 + 2 + 2 of 9 pairs
    assert table.loc["grade_I_II_auc", "a"] == pytest.approx(6.5 / 9)
    # one warning: A ranks it second (0.4 after 0.6), so precision 1/2 where it is found
    assert table.loc["warning_pr_auc", ["a", "b", "difference"]].tolist() == [0.5, 1.0, 0.5]
    # multi-class Brier of B's first row: (0.7 - 1)^2 + 0.2^2 + 0.1^2 = 0.14
    assert table.loc["brier", "b"] == pytest.approx(np.mean([0.14, 0.38, 0.14, 0.06, 0.26, 0.065]))
    assert table["higher_is_better"].to_dict() == {
        m: m not in LOWER_IS_BETTER for m in DEFAULT_COMPARE_METRICS
    }
    assert table.attrs == {
        "n_boot": 200,
        "seed": 0,
        "level": 0.95,
        "by": None,
        "cluster": None,
        "rows": 6,
    }


def test_a_perfect_model_against_a_reversed_one_differs_by_one_in_every_resample():
    truth = pd.DataFrame({"grade": ["I", "I", "III", "III", "III"]})
    right = pred([0.9, 0.8, 0.1, 0.2, 0.3], [0.05] * 5, ["I", "I", "III", "III", "III"], [0] * 5)
    wrong = pred([0.1, 0.2, 0.9, 0.8, 0.7], [0.05] * 5, ["III", "III", "I", "I", "I"], [0] * 5)
    table = compare_models(truth, wrong, right, metrics=["grade_I_auc"], n_boot=300)
    row = table.loc["grade_I_auc"]
    assert (row["a"], row["b"], row["difference"], row["low"], row["high"]) == (0, 1, 1, 1, 1)
    # a resample without a Grade I or without another grade leaves the AUC undefined
    rng = np.random.default_rng(0)
    defined = sum(
        0 < (truth["grade"].to_numpy()[rng.integers(0, 5, 5)] == "I").sum() < 5 for _ in range(300)
    )
    assert row["resamples"] == defined < 300


def measure(truth: pd.DataFrame, pred: pd.DataFrame) -> dict[str, float]:
    """evaluate(truth, pred, top_k=[2]).metrics, without the curves and tables."""
    return _metrics(
        read_outcomes(truth.reset_index(drop=True), pred.reset_index(drop=True), None), [2]
    )


def test_measure_is_evaluate_s_metrics():
    assert measure(TRUTH, A) == pytest.approx(evaluate(TRUTH, A, top_k=[2]).metrics, nan_ok=True)


def reference(truth, a, b, metrics, n_boot, seed, level=0.95, by=None, cluster=None):
    """The bootstrap written out: draw rows (or customers, within months) with
    rng.integers, run evaluate on the drawn rows of each model, take percentiles."""
    rng = np.random.default_rng(seed)
    if cluster is not None:
        codes, _ = pd.factorize(truth[cluster])
        units = [np.flatnonzero(codes == c) for c in range(codes.max() + 1)]
    else:
        units = [np.array([i]) for i in range(len(truth))]
    if by is None:
        strata = [np.arange(len(units))]
    else:
        first = np.array([truth[by].iloc[u[0]] for u in units])
        strata = [np.flatnonzero(first == v) for v in sorted(set(first))]
    diffs = []
    for _ in range(n_boot):
        drawn = [s[rng.integers(0, len(s), len(s))] for s in strata]
        rows = np.concatenate([units[u] for u in np.concatenate(drawn)])
        rows.sort()
        ma, mb = (measure(truth.iloc[rows], p.iloc[rows]) for p in (a, b))
        diffs.append([mb[m] - ma[m] for m in metrics])
    diffs = np.array(diffs)
    out = {}
    for j, m in enumerate(metrics):
        ok = diffs[np.isfinite(diffs[:, j]), j]
        tail = 100 * (1 - level) / 2
        out[m] = (*np.percentile(ok, [tail, 100 - tail]), len(ok))
    return out


ALL = [
    "grade_I_auc",
    "grade_I_II_auc",
    "warning_auc",
    "warning_pr_auc",
    "macro_f1",
    "qwk",
    "brier",
    "grade_I_brier",
    "warning_brier",
    "grade_I_ks",  # no fast form: recomputed on the drawn rows
    "grade_I_precision_at_2",
]


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"by": "as_of"}, {"cluster": "customer_id"}, {"level": 0.8, "seed": 7}],
    ids=["rows", "by month", "by customer", "level and seed"],
)
def test_every_interval_is_that_of_evaluate_on_the_drawn_rows(kwargs):
    metrics = ALL if not kwargs else ALL[:-2]  # the slow ones once
    table = compare_models(TRUTH, A, B, metrics=metrics, n_boot=25, **{"seed": 3, **kwargs})
    want = reference(TRUTH, A, B, metrics, 25, **{"seed": 3, **kwargs})
    for metric, (low, high, count) in want.items():
        row = table.loc[metric]
        assert row["low"] == pytest.approx(low, abs=1e-12), metric
        assert row["high"] == pytest.approx(high, abs=1e-12), metric
        assert row["resamples"] == count, metric


# --- properties ------------------------------------------------------------------------


def simulated(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Outcomes over three months, a noisy model and one that knows much more."""
    rng = np.random.default_rng(seed)
    grade = rng.choice(["I", "II", "III"], n, p=[0.15, 0.2, 0.65])
    warning = (grade == "I") & (rng.random(n) < 0.3)
    truth = pd.DataFrame(
        {
            "grade": grade,
            "a_warning": warning,
            "as_of": rng.choice(pd.date_range("2025-07-31", periods=3, freq="ME"), n),
            "customer_id": [f"C{i}" for i in rng.integers(0, n // 3, n)],
        }
    )

    def model(noise: float) -> pd.DataFrame:
        signal = (grade == "I") * 1.0 + (grade == "II") * 0.5 + rng.normal(0, noise, n)
        p_i = 1 / (1 + np.exp(-(3 * signal - 2)))
        p_ii = (1 - p_i) * 0.4
        p_w = 1 / (1 + np.exp(-(2 * warning + rng.normal(0, noise, n) - 2)))
        grades = np.where(p_i > 0.4, "I", np.where(p_i + p_ii > 0.5, "II", "III"))
        return pred(p_i, p_ii, grades, p_w)

    return truth, model(1.5), model(0.3)


def test_identical_models_differ_by_exactly_zero():
    truth, noisy, _ = simulated(600)
    table = compare_models(truth, noisy, noisy.copy(), metrics=ALL[:-2], n_boot=100, by="as_of")
    assert (table["difference"] == 0).all()
    assert (table["low"] == 0).all() and (table["high"] == 0).all()


def test_a_clearly_better_model_has_its_whole_interval_on_the_better_side():
    truth, noisy, sharp = simulated(3000)
    table = compare_models(truth, noisy, sharp, cluster="customer_id")
    for metric in ("grade_I_auc", "grade_I_II_auc", "warning_pr_auc", "macro_f1"):
        assert table.loc[metric, "low"] > 0, metric
    assert table.loc["brier", "high"] < 0  # lower is better
    assert (table["low"] <= table["difference"]).all()
    assert (table["difference"] <= table["high"]).all()
    assert (table["resamples"] == 1000).all()


def test_swapping_the_models_negates_the_difference_and_its_interval():
    truth, noisy, sharp = simulated(800)
    ab = compare_models(truth, noisy, sharp, n_boot=200, seed=5)
    ba = compare_models(truth, sharp, noisy, n_boot=200, seed=5)
    np.testing.assert_allclose(ba["difference"], -ab["difference"], atol=1e-15)
    np.testing.assert_allclose(ba["low"], -ab["high"], atol=1e-12)
    np.testing.assert_allclose(ba["high"], -ab["low"], atol=1e-12)


def test_the_same_seed_gives_the_same_table_and_another_seed_another_interval():
    truth, noisy, sharp = simulated(500)
    one = compare_models(truth, noisy, sharp, n_boot=100, seed=1)
    pd.testing.assert_frame_equal(one, compare_models(truth, noisy, sharp, n_boot=100, seed=1))
    other = compare_models(truth, noisy, sharp, n_boot=100, seed=2)
    pd.testing.assert_series_equal(one["difference"], other["difference"])
    assert not one["low"].equals(other["low"])


def test_a_resample_keeps_each_month_s_size_and_each_customer_whole():
    truth, _, _ = simulated(900)
    rng = np.random.default_rng(0)
    months = truth.groupby("as_of").size()
    by_month = _draws(truth, "as_of", None)
    for _ in range(5):
        w = by_month.weights(rng)
        assert pd.Series(w).groupby(truth["as_of"].to_numpy()).sum().tolist() == months.tolist()
    by_customer = _draws(truth, None, "customer_id")
    for _ in range(5):
        w = pd.Series(by_customer.weights(rng))
        assert (w.groupby(truth["customer_id"].to_numpy()).nunique() == 1).all()


def test_a_thousand_resamples_of_ten_thousand_rows_take_seconds():
    truth, noisy, sharp = simulated(10_000)
    start = time.perf_counter()
    compare_models(truth, noisy, sharp, by="as_of")
    assert time.perf_counter() - start < 20  # about 1.2 s alone on the reference machine


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metrics": ["auc"]}, r"unknown metrics \['auc'\]; evaluate measures these"),
        ({"metrics": []}, r"metrics must be metric names of evaluate"),
        ({"by": "month"}, r"by names columns of truth; \['month'\] not among"),
        ({"cluster": 3}, r"cluster must name one column of truth; got 3"),
        ({"n_boot": 0}, r"n_boot must be a whole number >= 1; got 0"),
        ({"level": 1.0}, r"level must be a number in \(0, 1\); got 1.0"),
    ],
)
def test_bad_arguments_say_what_was_expected(kwargs, message):
    with pytest.raises(ArrearsRiskError, match=message):
        compare_models(TRUTH, A, B, **kwargs)


def test_warning_metrics_need_the_warning_columns():
    with pytest.raises(ArrearsRiskError, match=r"unknown metrics \['warning_pr_auc'\]"):
        compare_models(TRUTH.drop(columns="a_warning"), A, B)


def test_predictions_of_other_rows_are_refused():
    with pytest.raises(ArrearsRiskError, match=r"truth and pred must share the same index"):
        compare_models(TRUTH, A, B.set_axis(range(10, 16)))


def test_customers_must_lie_within_the_months_to_resample_within_them():
    with pytest.raises(ArrearsRiskError, match=r"cluster 'customer_id' must lie within"):
        compare_models(TRUTH, A, B, by="as_of", cluster="customer_id")

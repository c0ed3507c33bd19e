"""The logistic baseline: its stratified row sample (deterministic, every grade, at most
N rows) and that, fitted on a sample of the sample ledger, it still ranks out of time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import arrearsrisk as ar
from arrearsrisk.models import FeatureSpec
from arrearsrisk.models.baselines import BASELINE_MAX_ROWS, LogisticBaseline, stratified_rows


def labels(n: int = 5000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded grades (I rare) and warnings (only in Grade I, rarer still)."""
    rng = np.random.default_rng(seed)
    grade = rng.choice(np.array(["I", "II", "III"]), size=n, p=[0.1, 0.2, 0.7])
    warning = (grade == "I") & (rng.random(n) < 0.1)
    return grade, warning


# --- the row sample --------------------------------------------------------------


def test_the_sample_is_deterministic_for_a_seed():
    grade, warning = labels()
    first = stratified_rows(grade, warning, 500, seed=3)
    assert np.array_equal(first, stratified_rows(grade, warning, 500, seed=3))
    assert not np.array_equal(first, stratified_rows(grade, warning, 500, seed=4))


@pytest.mark.parametrize("max_rows", [4, 37, 500, 4999])
def test_the_sample_has_at_most_n_rows_of_every_stratum(max_rows):
    grade, warning = labels()
    rows = stratified_rows(grade, warning, max_rows, seed=0)
    assert len(rows) == max_rows
    assert len(np.unique(rows)) == len(rows) and np.all(np.diff(rows) > 0)
    assert set(grade[rows]) == {"I", "II", "III"}
    assert warning[rows].any()


def test_the_sample_keeps_each_stratum_share():
    grade, warning = labels(20_000)
    rows = stratified_rows(grade, warning, 2_000, seed=0)
    for g in ("I", "II", "III"):
        for w in (False, True):
            whole = np.mean((grade == g) & (warning == w))
            part = np.mean((grade[rows] == g) & (warning[rows] == w))
            assert part == pytest.approx(whole, abs=1 / 2_000)


def test_a_small_frame_or_no_cap_keeps_every_row():
    grade, warning = labels(300)
    assert np.array_equal(stratified_rows(grade, warning, 300), np.arange(300))
    assert np.array_equal(stratified_rows(grade, warning, None), np.arange(300))


def test_the_sample_refuses_what_it_cannot_do():
    grade, warning = labels(300)
    with pytest.raises(ValueError, match="strata"):
        stratified_rows(grade, warning, 3)  # four strata: I with and without warning
    with pytest.raises(ValueError, match="rows"):
        stratified_rows(grade, warning[:-1], 100)


# --- fitted on the sample ledger -------------------------------------------------


@pytest.fixture(scope="module")
def frame(sample_ledger) -> pd.DataFrame:
    """Four cutoffs to train on, and a later one, after the outcome gap, to test on."""
    cuts = ["2024-06-30", "2024-07-31", "2024-08-31", "2024-09-30", "2025-03-31"]
    return ar.training_frame(sample_ledger, cuts).reset_index(drop=True)


def test_a_baseline_fitted_on_a_sample_of_rows_still_ranks(frame):
    names = [c for c in frame.columns if c not in ("customer_id", "as_of", "grade", "a_warning")]
    cats = list(FeatureSpec.from_frame(frame, names).categories)
    train = frame[frame["as_of"] < pd.Timestamp("2025-01-01")]
    test = frame[frame["as_of"] == pd.Timestamp("2025-03-31")]
    assert len(train) > 3_000
    model = LogisticBaseline(names, cats, seed=0, max_rows=3_000)
    model.fit(train[names], train["grade"], train["a_warning"])
    assert len(model.rows_) == 3_000
    assert list(model.grade_model_.classes_) == [0, 1, 2]  # every grade was seen
    p, w = model.predict_proba(test[names])
    assert p.shape == (len(test), 3) and np.allclose(p.sum(axis=1), 1)
    assert roc_auc_score(test["grade"].astype(str) == "I", p[:, 0]) > 0.7
    assert roc_auc_score(test["a_warning"], w) > 0.7
    again = LogisticBaseline(names, cats, seed=0, max_rows=3_000)
    again.fit(train[names], train["grade"], train["a_warning"])
    assert np.array_equal(again.rows_, model.rows_)
    assert np.array_equal(again.predict_proba(test[names])[0], p)


def test_the_sample_ledger_is_fitted_on_every_row_by_default(frame):
    assert BASELINE_MAX_ROWS >= 30_000  # the sample's largest backtest training slice
    names = ["late_bills_count_12m", "arrears_amount", "category"]
    model = LogisticBaseline(names, ["category"]).fit(
        frame[names], frame["grade"], frame["a_warning"]
    )
    assert np.array_equal(model.rows_, np.arange(len(frame)))

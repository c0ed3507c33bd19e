"""How a frame is split: rolling-origin backtests in time and customer-grouped folds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.asof.labels import label_end
from arrearsrisk.models.splits import customer_folds, time_backtests

CUTS = pd.Series(pd.date_range("2024-01-31", "2025-09-30", freq="ME"))


def test_each_backtest_month_is_scored_by_a_model_that_never_saw_its_outcome():
    folds = time_backtests(CUTS.repeat(4).reset_index(drop=True), backtest_months=4)
    assert [f.name for f in folds] == ["2025-06-30", "2025-07-31", "2025-08-31", "2025-09-30"]
    for f in folds:
        c = f.cutoffs(CUTS.repeat(4).reset_index(drop=True))
        month = pd.Timestamp(f.name)
        assert c["test"] == [f.name]
        assert all(label_end(pd.Timestamp(t)) <= month for t in c["train"] + c["valid"])
        assert all(label_end(pd.Timestamp(t)) <= pd.Timestamp(c["valid"][0]) for t in c["train"])
        assert not (f.train & f.valid).any() and not (f.valid & f.test).any()


def test_too_few_cutoffs_for_backtests_say_what_to_do():
    with pytest.raises(ar.ArrearsRiskError, match="validation='customers'"):
        time_backtests(CUTS[:6])
    with pytest.raises(ar.ArrearsRiskError, match="backtest_months must be between 1"):
        time_backtests(CUTS, backtest_months=0)


@settings(max_examples=40, deadline=None)
@given(
    n_customers=st.integers(10, 60),
    rows_each=st.integers(1, 4),
    folds=st.integers(3, 6),
    seed=st.integers(0, 1000),
)
def test_no_customer_is_ever_on_two_sides_of_a_fold(n_customers, rows_each, folds, seed):
    ids = pd.Series([f"C{i}" for i in range(n_customers) for _ in range(rows_each)])
    strata = np.random.default_rng(seed).integers(0, 3, len(ids))
    if n_customers < folds:
        return
    parts = customer_folds(ids, strata, folds=folds, seed=seed)
    assert len(parts) == folds
    tested = np.zeros(len(ids), dtype=int)
    for f in parts:
        sides = [set(ids[f.train]), set(ids[f.valid]), set(ids[f.test])]
        assert not sides[0] & sides[1] and not sides[0] & sides[2] and not sides[1] & sides[2]
        assert f.train.any() and f.valid.any() and f.test.any()
        tested += f.test
    assert (tested == 1).all()  # every row is scored out of sample exactly once


def test_customer_folds_keep_the_outcome_mix_and_are_seeded():
    ids = pd.Series([f"C{i}" for i in range(300)])
    strata = np.array([0] * 30 + [1] * 60 + [2] * 210)
    one = customer_folds(ids, strata, folds=5, seed=1)
    two = customer_folds(ids, strata, folds=5, seed=1)
    assert all((a.test == b.test).all() for a, b in zip(one, two, strict=True))
    for f in one:
        assert (strata[f.test] == 0).sum() == 6  # 30 Grade I customers over 5 folds


def test_customer_folds_errors():
    with pytest.raises(ar.ArrearsRiskError, match="folds must be a whole number of at least 3"):
        customer_folds(pd.Series(["a"] * 9), np.zeros(9), folds=2)
    with pytest.raises(ar.ArrearsRiskError, match="need at least 5 customers; the frame has 2"):
        customer_folds(pd.Series(["a", "b"] * 3), np.zeros(6), folds=5)

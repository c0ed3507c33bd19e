"""The logistic baseline warm-started from the previous backtest's."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import arrearsrisk as ar
from arrearsrisk.models.baselines import BASELINE_WARM_ITER, LogisticBaseline
from arrearsrisk.models.risk_model import FeatureSpec


@pytest.fixture(scope="module")
def frame(sample_ledger):
    cuts = ar.monthly_cutoffs(sample_ledger)[-8:]
    return ar.training_frame(sample_ledger, cuts).reset_index(drop=True)


def _parts(frame):
    names = [c for c in frame.columns if c not in ("customer_id", "as_of", "grade", "a_warning")]
    cats = list(FeatureSpec.from_frame(frame, names).categories)
    cuts = sorted(frame["as_of"].unique())
    return (
        names,
        cats,
        frame[frame["as_of"] <= cuts[3]],
        frame[frame["as_of"] <= cuts[4]],
        frame[frame["as_of"] == cuts[-1]],
    )


def test_a_warm_start_begins_from_the_previous_coefficients_and_ranks_as_well(frame):
    names, cats, first, second, test = _parts(frame)
    before = LogisticBaseline(names, cats, seed=0).fit(
        first[names], first["grade"], first["a_warning"]
    )
    cold = LogisticBaseline(names, cats, seed=0).fit(
        second[names], second["grade"], second["a_warning"]
    )
    warm = LogisticBaseline(names, cats, seed=0).fit(
        second[names], second["grade"], second["a_warning"], start=before
    )
    assert warm.grade_model_.warm_start and warm.grade_model_.max_iter == BASELINE_WARM_ITER
    assert not cold.grade_model_.warm_start
    # the warning regression converges: from the previous optimum it needs fewer steps
    assert warm.warning_model_.n_iter_[0] < cold.warning_model_.n_iter_[0]
    y = test["grade"].astype(str) == "I"
    auc_cold = roc_auc_score(y, cold.predict_proba(test[names])[0][:, 0])
    auc_warm = roc_auc_score(y, warm.predict_proba(test[names])[0][:, 0])
    assert auc_warm == pytest.approx(auc_cold, abs=0.01)
    # the start is not changed by the fit that began from it
    again = LogisticBaseline(names, cats, seed=0).fit(
        first[names], first["grade"], first["a_warning"]
    )
    assert np.array_equal(again.grade_model_.coef_, before.grade_model_.coef_)


def test_a_start_with_other_encoded_columns_is_ignored(frame):
    names, cats, first, second, _ = _parts(frame)
    other = LogisticBaseline(names[:5], [], seed=0).fit(
        first[names[:5]], first["grade"], first["a_warning"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no shape error or warning from the ignored start
        model = LogisticBaseline(names, cats, seed=0).fit(
            second[names], second["grade"], second["a_warning"], start=other
        )
    assert not model.grade_model_.warm_start
    assert isinstance(model.grade_model_.coef_, np.ndarray)
    assert pd.notna(model.grade_model_.coef_).all()


def test_a_shared_encoding_fits_as_encoding_the_rows_anew(frame):
    """The fast path (a preprocessing fitted once, rows encoded once) against the slow
    twin (each fit encodes its own rows), with the preprocessing fitted on the same rows."""
    names, cats, first, _, test = _parts(frame)
    slow = LogisticBaseline(names, cats, seed=0).fit(
        first[names], first["grade"], first["a_warning"]
    )
    shared = LogisticBaseline(names, cats, seed=0).fit_preprocessing(first[names])
    encoded = shared.encode(frame[names])  # every row, as the backtests do
    at = frame.index.get_indexer(first.index)
    fast = LogisticBaseline(names, cats, seed=0).fit(
        first[names], first["grade"], first["a_warning"], encoding=(shared.prep_, encoded[at])
    )
    np.testing.assert_array_equal(fast.grade_model_.coef_, slow.grade_model_.coef_)
    np.testing.assert_array_equal(fast.warning_model_.coef_, slow.warning_model_.coef_)
    rows = frame.index.get_indexer(test.index)
    for a, b in zip(
        fast.predict_proba(encoded=encoded[rows]), slow.predict_proba(test[names]), strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_a_shared_encoding_must_match_the_rows(frame):
    names, cats, first, _, _ = _parts(frame)
    shared = LogisticBaseline(names, cats, seed=0).fit_preprocessing(first[names])
    with pytest.raises(ValueError, match=r"the encoding has 10 rows but features \d+"):
        LogisticBaseline(names, cats).fit(
            first[names],
            first["grade"],
            first["a_warning"],
            encoding=(shared.prep_, shared.encode(first[names].iloc[:10])),
        )
    with pytest.raises(ValueError, match="needs features or encoded rows"):
        shared.predict_proba()

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

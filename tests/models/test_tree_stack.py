"""The three boosters walked as one equal each walked alone, to the last bit: on the
sample's feature rows, at split edges and missing values, with odd category codes, and
for models of different shapes (categorical splits, single-leaf trees, a regression)."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from arrearsrisk.errors import BundleError
from arrearsrisk.models.tree_stack import EnsembleStack
from arrearsrisk.models.tree_walk import TreeEnsemble
from tests.models.test_tree_walk import TARGETS, _binary, _data, _edges, _with_missing


def _equal_alone(texts: dict[str, str], x: np.ndarray) -> None:
    stack = EnsembleStack(texts)
    raw, p = stack.raw_scores(x), stack.predict(x)
    walked, left = stack.walk(x)
    assert list(raw) == list(texts) == list(left)
    for name, text in texts.items():
        alone = TreeEnsemble(text)
        assert np.array_equal(raw[name], alone.raw_score(x)), name
        assert np.array_equal(p[name], alone.predict(x)), name
        assert np.array_equal(walked[name], p[name]), name
        assert np.array_equal(left[name], alone.goes_left(x)), name
        assert np.array_equal(alone.contributions(x, left[name]), alone.contributions(x)), name
        for i in range(min(len(x), 3)):  # one row as the single-account path gives it
            assert np.array_equal(stack.predict(x[i : i + 1])[name], alone.predict(x[i])), name


def test_the_sample_bundle_stacked_equals_each_booster(sample_model, sample_ledger):
    import arrearsrisk as ar

    x = sample_model.spec.matrix(ar.build_features(sample_ledger, "2025-09-30"))
    texts = {t: sample_model.booster_texts()[f"{t}.txt"] for t in TARGETS}
    edges = _edges(texts["grade_I"], x)
    odd = x[:40].copy()
    odd[:, sample_model.spec.categorical_indices] = np.resize(
        [0, 1, 2.5, -0.5, -1, 31, 32, 64, 2.0**31, np.nan], (40, 1)
    )
    rows = np.vstack([x, edges, odd])
    _equal_alone(texts, rows)
    stacked = EnsembleStack(texts).raw_scores(rows)
    for name, text in texts.items():  # and LightGBM's own raw scores, to the last bit
        booster = lgb.Booster(model_str=text)
        assert np.array_equal(stacked[name], booster.predict(rows, raw_score=True)), name
    assert sample_model.stack.names == TARGETS
    one = x[:1]
    assert {t: p.tolist() for t, p in sample_model.stack.predict(one).items()} == {
        t: sample_model.trees[t].predict(one).tolist() for t in TARGETS
    }


def test_models_of_different_shapes_stacked():
    x, y = _data(900)
    xm = _with_missing(x, 0.15)
    categorical = _binary(xm, y, num_leaves=31, categorical=[3], min_data_per_group=5)
    constant = _binary(x, np.r_[np.ones(3), np.zeros(len(y) - 3)], min_gain_to_split=1e9)
    regression = lgb.train(
        {"objective": "regression", "verbose": -1, "num_threads": 1, "num_leaves": 7},
        lgb.Dataset(x, x[:, 0] * 2.0),
        8,
    ).model_to_string()
    texts = {"cat": categorical, "constant": constant, "regression": regression}
    _equal_alone(texts, np.vstack([_edges(categorical, xm), _edges(regression, x)]))
    assert EnsembleStack(texts).sigmoids == {"cat": 1.0, "constant": 1.0, "regression": None}


def test_models_of_other_features_or_no_model_are_refused():
    x, y = _data()
    five = _binary(x, y, rounds=3)
    four = _binary(x[:, :4], y, rounds=3)
    with pytest.raises(BundleError, match="must share their features"):
        EnsembleStack({"a": five, "b": four})
    with pytest.raises(BundleError, match="b: not a LightGBM model text"):
        EnsembleStack({"a": five, "b": "tree"})
    with pytest.raises(BundleError, match="needs at least one model text"):
        EnsembleStack({})

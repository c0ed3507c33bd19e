"""The numpy predictor of LightGBM text models against LightGBM itself: raw scores
within 1e-12 (in fact equal), probabilities, and TreeSHAP contributions within 1e-9, on
the sample bundle and on small boosters trained here with missing values, zero as
missing, categorical splits met with unseen categories, single-leaf trees and deep trees
that split on one feature many times on a path."""

from __future__ import annotations

import pickle
import threading

import lightgbm as lgb
import numpy as np
import pytest

import arrearsrisk as ar
from arrearsrisk.models.tree_walk import K_ZERO_THRESHOLD, TreeEnsemble

RAW_TOL = 1e-12
CONTRIB_TOL = 1e-9
TARGETS = ("grade_I", "grade_I_II", "warning")


def _check(text: str, x: np.ndarray, **kwargs: int) -> TreeEnsemble:
    """Parity of every output of the ensemble of ``text`` with LightGBM's on ``x``."""
    booster = lgb.Booster(model_str=text)
    trees = TreeEnsemble(text, **kwargs)
    raw = booster.predict(x, raw_score=True, num_threads=1)
    assert np.abs(trees.raw_score(x) - raw).max(initial=0) <= RAW_TOL
    assert np.abs(trees.predict(x) - booster.predict(x, num_threads=1)).max(initial=0) <= RAW_TOL
    contrib = booster.predict(x, pred_contrib=True, num_threads=1)
    ours = trees.contributions(x)
    assert ours.shape == contrib.shape
    assert np.abs(ours - contrib).max(initial=0) <= CONTRIB_TOL
    for i in range(min(len(x), 5)):  # one row at a time gives the same
        assert np.array_equal(trees.raw_score(x[i]), trees.raw_score(x[i : i + 1]))
        assert np.abs(trees.contributions(x[i]) - contrib[i]).max() <= CONTRIB_TOL
    return trees


def _edges(text: str, x: np.ndarray) -> np.ndarray:
    """Rows holding every split threshold exactly, one ulp either side, zeros, -0.0,
    values below LightGBM's zero threshold, NaN and infinities."""
    trees = TreeEnsemble(text)
    rng = np.random.default_rng(7)
    rows = [x[rng.integers(len(x), size=len(trees._feature))].copy() for _ in range(3)]
    for k, out in enumerate(rows):
        f, t = trees._feature, trees._threshold
        finite = np.isfinite(t)
        shift = [t, np.nextafter(t, np.inf), np.nextafter(t, -np.inf)][k]
        out[np.flatnonzero(finite), f[finite]] = shift[finite]
    specials = np.array([0.0, -0.0, K_ZERO_THRESHOLD, -K_ZERO_THRESHOLD, 1e-36, np.nan, np.inf])
    extra = x[rng.integers(len(x), size=200)].copy()
    mask = rng.random(extra.shape) < 0.3
    extra[mask] = rng.choice(specials, size=int(mask.sum()))
    return np.vstack([*rows, extra])


@pytest.fixture(scope="module")
def sample_matrix(sample_ledger, sample_model) -> np.ndarray:
    feats = [ar.build_features(sample_ledger, d) for d in ("2024-06-30", "2025-09-30")]
    return np.vstack([sample_model.spec.matrix(f) for f in feats])


@pytest.mark.parametrize("target", TARGETS)
def test_the_sample_bundle_predicts_as_lightgbm(sample_model, sample_matrix, target):
    text = sample_model.booster_texts()[f"{target}.txt"]
    trees = _check(text, sample_matrix)
    booster = lgb.Booster(model_str=text)
    # the raw scores are LightGBM's to the last bit (leaves summed in tree order)
    assert np.array_equal(
        trees.raw_score(sample_matrix), booster.predict(sample_matrix, raw_score=True)
    )


@pytest.mark.parametrize("target", TARGETS)
def test_the_sample_bundle_at_split_edges_and_missing_values(sample_model, sample_matrix, target):
    text = sample_model.booster_texts()[f"{target}.txt"]
    x = _edges(text, sample_matrix)
    _check(text, x)
    # unseen or odd category codes on the categorical features
    odd = x[:60].copy()
    cats = sample_model.spec.categorical_indices
    odd[:, cats] = np.resize([0, 1, 2.5, -0.5, -1, 31, 32, 63, 64, 1e9, 2.0**31, np.nan], (60, 1))
    _check(text, odd)


def _binary(
    x: np.ndarray,
    y: np.ndarray,
    rounds: int = 20,
    categorical: list[int] | None = None,
    **params: object,
) -> str:
    base = {"objective": "binary", "verbose": -1, "num_threads": 1, "seed": 1}
    data = lgb.Dataset(x, y, categorical_feature=categorical or "auto")
    return lgb.train({**base, **params}, data, rounds).model_to_string()


def _data(n: int = 600, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5))
    x[:, 3] = rng.integers(0, 8, size=n)  # a category code
    x[:, 4] = np.where(rng.random(n) < 0.4, 0.0, rng.exponential(size=n))  # many zeros
    logit = x[:, 0] - 0.5 * x[:, 1] + (x[:, 3] % 3 == 0) + (x[:, 4] == 0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, y


def _with_missing(x: np.ndarray, share: float = 0.2, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = x.copy()
    out[rng.random(out.shape) < share] = np.nan
    return out


def _missing_types(text: str) -> set[int]:
    """The missing types (0 none, 1 zero, 2 NaN) of the text's splits."""
    return {
        (int(t) >> 2) & 3
        for line in text.splitlines()
        if line.startswith("decision_type=")
        for t in line.split("=")[1].split()
    }


def test_missing_values_go_their_learnt_way():
    x, y = _data()
    xm = _with_missing(x)
    text = _binary(xm, y, num_leaves=15)
    assert 2 in _missing_types(text)  # splits sending NaN a learnt way
    _check(text, _edges(text, xm))


def test_missing_values_when_missing_is_not_used():
    x, y = _data()
    text = _binary(_with_missing(x), y, num_leaves=15, use_missing=False)
    assert _missing_types(text) == {0}  # NaN counts as 0
    _check(text, _edges(text, _with_missing(x, 0.3, seed=9)))


def test_zero_as_missing():
    x, y = _data()
    text = _binary(_with_missing(x, 0.1), y, num_leaves=15, zero_as_missing=True)
    assert 1 in _missing_types(text)  # splits treating zero (and NaN) as missing
    _check(text, _edges(text, _with_missing(x, 0.2, seed=11)))


def test_categorical_splits_and_unseen_categories():
    x, y = _data(900)
    text = _binary(x, y, num_leaves=15, categorical=[3], min_data_per_group=5, cat_smooth=1)
    assert any(line.startswith("num_cat=") and line != "num_cat=0" for line in text.splitlines())
    odd = np.resize(x[:48], (48, 5)).copy()
    odd[:, 3] = np.resize(
        [0, 3, 7, 8, 9, 31, 32, 33, 64, 1000, -1, -0.5, 0.5, 2.9, np.nan, 2.0**31, 1e12], 48
    )
    _check(text, np.vstack([_edges(text, x), odd]))


def test_categorical_splits_of_few_categories_one_against_the_rest():
    x, y = _data(900)
    x[:, 3] = x[:, 3] % 3  # three categories: one-hot splits (max_cat_to_onehot)
    text = _binary(x, y, num_leaves=7, categorical=[3], min_data_per_group=5)
    odd = x[:20].copy()
    odd[:, 3] = np.resize([0, 1, 2, 3, 5, -1, np.nan], 20)
    _check(text, np.vstack([_edges(text, x), odd]))


def test_categorical_features_with_missing_values():
    x, y = _data(900)
    xm = _with_missing(x, 0.15)
    text = _binary(xm, y, num_leaves=31, categorical=[3], min_data_per_group=5)
    _check(text, _edges(text, xm))


def test_single_leaf_trees_alone_and_among_others():
    x, y = _data()
    constant = _binary(x, np.r_[np.ones(3), np.zeros(len(y) - 3)], min_gain_to_split=1e9)
    assert "num_leaves=1\n" in constant
    _check(constant, x[:50])
    first = lgb.Booster(model_str=constant)
    more = lgb.train(
        {"objective": "binary", "verbose": -1, "num_threads": 1, "num_leaves": 7},
        lgb.Dataset(x, y),
        10,
        init_model=first,
    )
    mixed = more.model_to_string()
    assert mixed.count("num_leaves=1\n") == 1 and mixed.count("Tree=") == 11
    _check(mixed, _edges(mixed, _with_missing(x)))


def test_deep_trees_splitting_on_one_feature_many_times_with_and_without_tables():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3000, 2))
    y = (np.sin(3 * x[:, 0]) + 0.3 * x[:, 1] + rng.normal(scale=0.3, size=3000) > 0).astype(int)
    text = _binary(x, y, rounds=15, num_leaves=63, min_data_in_leaf=5)
    tabled = _check(text, _edges(text, x))
    assert tabled._leaf_depth.max() == 2  # repeated splits merge into one path feature each
    assert tabled._ensure_table().values is not None
    untabled = _check(text, _edges(text, x), table_limit=0)
    assert untabled._ensure_table().values is None
    rows = _edges(text, x)
    assert np.abs(tabled.contributions(rows) - untabled.contributions(rows)).max() <= 1e-12


def test_many_features_deep_paths_fall_back_past_the_table_limit():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(4000, 12))
    y = (x @ rng.normal(size=12) + rng.normal(size=4000) > 0).astype(int)
    text = _binary(x, y, rounds=8, num_leaves=255, min_data_in_leaf=3, max_depth=14)
    trees = _check(text, _edges(text, x)[:120], table_limit=50_000)
    assert trees._leaf_depth.max() > 8 and trees._ensure_table().values is None


def test_the_ensemble_is_read_only_and_safe_on_threads(sample_model, sample_matrix):
    text = sample_model.booster_texts()["grade_I.txt"]
    expected = lgb.Booster(model_str=text).predict(sample_matrix[:40], pred_contrib=True)
    trees = TreeEnsemble(text)  # its table is built by whichever thread comes first
    results: list[np.ndarray] = []

    def work() -> None:
        results.append(trees.contributions(sample_matrix[:40]))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    assert all(np.abs(r - expected).max() <= CONTRIB_TOL for r in results)


def test_an_ensemble_and_a_loaded_model_pickle(sample_matrix):
    model = ar.load_model("models/sample")
    again = pickle.loads(pickle.dumps(model))  # with its lazy boosters and its lock
    x = sample_matrix[:30]
    for target in TARGETS:
        trees = pickle.loads(pickle.dumps(model.trees[target]))
        assert np.array_equal(trees.contributions(x), model.trees[target].contributions(x))
        assert np.array_equal(again.trees[target].raw_score(x), trees.raw_score(x))
    assert np.array_equal(again.raw(x, "warning"), model.raw(x, "warning"))


def test_a_text_that_is_not_a_model_is_refused():
    with pytest.raises(ar.BundleError, match="no 'Tree=' blocks"):
        TreeEnsemble("tree\nversion=v4\n")
    x, y = _data()
    text = _binary(x, y, rounds=2)
    with pytest.raises(ar.BundleError, match="one value per node"):
        TreeEnsemble(text.replace("leaf_value=", "leaf_value=1 ", 1))
    with pytest.raises(ValueError, match="rows of 5 features"):
        TreeEnsemble(text).raw_score(np.zeros((2, 4)))

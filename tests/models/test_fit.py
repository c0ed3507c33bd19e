"""Training on the sample: out-of-time wins over the baselines, reproducibility, the
time split, thresholds, and clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.asof.labels import label_end
from arrearsrisk.models import fit, time_split

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # trains models


@pytest.fixture(scope="module")
def frame(sample_ledger) -> pd.DataFrame:
    return ar.training_frame(sample_ledger, ar.monthly_cutoffs(sample_ledger))


@pytest.fixture(scope="module")
def result(frame) -> ar.TrainResult:
    return ar.train(frame, track=False)


def test_model_beats_both_baselines_out_of_time(result):
    m = result.metrics
    assert set(m.index) == {"model", "manual", "logistic"}
    for baseline in ("manual", "logistic"):
        assert m.loc["model", "grade_I_auc"] > m.loc[baseline, "grade_I_auc"]
        assert m.loc["model", "warning_pr_auc"] > m.loc[baseline, "warning_pr_auc"]
    assert m.loc["model", "grade_I_auc"] > 0.85


def test_slices_are_ordered_in_time_with_a_gap(result):
    s = result.split
    assert label_end(s["train"][-1]) <= s["valid"][0]
    assert label_end(s["valid"][-1]) <= s["test"][0]
    assert len(s["test"]) == 3 and len(s["valid"]) == 3


def test_the_result_is_typed_and_records_how_it_was_made(result):
    assert result.params["monotone_constraints"].count(1) >= 20
    assert result.psi_verdict in {"stable", "minor shift", "major shift"}
    assert "late" in result.manual_rule
    assert len(result.logistic_cutoffs) == 2 and 0 < result.logistic_threshold <= 1
    assert result.model.info["grade_rule"].startswith("I if p_I >= cutoff_I, else II")


def test_model_info_and_thresholds(result):
    info = result.model.info
    assert info["window"]["test"] == ["2025-07-31", "2025-09-30"]
    assert 0 < result.model.cutoff_I <= 1 and 0 < result.model.warning_threshold <= 1
    assert info["test_metrics"]["grade_I_auc"] == pytest.approx(
        result.metrics.loc["model", "grade_I_auc"]
    )
    breakdown = result.evaluations["model"].breakdown
    assert set(breakdown["by"]) == {"category", "as_of"}


def test_calibration_preserves_the_ranking(result, frame):
    part = frame[frame["as_of"] == result.split["test"][0]]
    x = result.model.spec.matrix(part)
    raw = result.model.raw(x, "warning")
    calibrated = result.model.predict_matrix(x)["p_warning"].to_numpy()
    order = np.argsort(raw, kind="stable")
    assert (np.diff(calibrated[order]) >= -1e-15).all()


def small(frame: pd.DataFrame) -> pd.DataFrame:
    ids = frame["customer_id"].drop_duplicates().iloc[:1500]
    return frame[frame["customer_id"].isin(ids)]


def test_same_data_and_seed_give_the_same_model_and_train_is_fit_plus_io(frame, tmp_path):
    data = small(frame)
    one = fit(data, num_boost_round=80, seed=3)
    two = ar.train(data, track=False, num_boost_round=80, seed=3, save_to=tmp_path / "m")
    for target, booster in one.model.boosters.items():
        assert booster.model_to_string() == two.model.boosters[target].model_to_string()
    assert one.model.version == two.model.version
    pd.testing.assert_frame_equal(one.metrics, two.metrics)
    assert one.params == two.params and one.psi_verdict == two.psi_verdict
    assert (one.bundle, one.run_id) == (None, None)  # fit writes nothing
    assert two.bundle == tmp_path / "m" and two.run_id is None
    assert ar.load_model(two.bundle).version == one.model.version


def test_capacity_sets_the_warning_threshold(frame):
    res = ar.train(small(frame), track=False, num_boost_round=60, warning_capacity=10)
    valid = small(frame)[lambda f: f["as_of"].isin(res.split["valid"])]
    flagged = res.model.predict(valid)["p_warning"] >= res.model.warning_threshold
    assert 10 <= flagged.sum() <= 3 * 10 + 5  # about 10 a month over 3 months
    assert "capacity" in res.model.info["warning_rule"]


def test_time_split_needs_enough_cutoffs():
    cuts = list(pd.date_range("2024-01-31", periods=6, freq="ME"))
    with pytest.raises(ar.ArrearsRiskError, match="leave no train / valid slice"):
        time_split(cuts)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="a_warning"), r"lacks columns \['a_warning'\]"),
        (lambda f: f.assign(grade="IV"), "grade must be I, II or III"),
        (lambda f: f.iloc[:, :5].assign(grade="I", a_warning=False), "leave no"),
    ],
)
def test_bad_frames(frame, change, message):
    with pytest.raises(ar.ArrearsRiskError, match=message):
        ar.train(change(frame.iloc[:2000]), track=False)


def test_saved_bundle_scores_like_the_model(result, frame, tmp_path):
    path = result.model.save(str(tmp_path / "m"))
    loaded = ar.load_model(path)
    part = frame.iloc[:300]
    pd.testing.assert_frame_equal(loaded.predict(part), result.model.predict(part))

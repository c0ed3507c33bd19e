"""Training on the sample: the rolling-origin backtests, out-of-time wins over the
baselines, the deployed model fitted on every labelled month, customer folds for a frame
of one date with the user's labels, reproducibility, thresholds, and clear errors."""

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


def test_each_backtest_trains_only_on_what_was_labelled_before_its_month(result, frame):
    assert result.validation == "time"
    backtests = result.model.info["backtests"]
    assert [b["fold"] for b in backtests] == ["2025-07-31", "2025-08-31", "2025-09-30"]
    for b in backtests:
        month = pd.Timestamp(b["fold"])
        assert b["test"] == [b["fold"]]
        assert label_end(pd.Timestamp(b["train"][-1])) <= pd.Timestamp(b["valid"][0])
        assert label_end(pd.Timestamp(b["valid"][-1])) <= month
        assert len(b["valid"]) == 3
    assert set(result.backtests["fold"]) == {b["fold"] for b in backtests}
    assert set(result.backtests["model"]) == {"model", "manual", "logistic"}


def test_the_deployed_model_is_fitted_on_every_labelled_cutoff(result, frame):
    cutoffs = sorted(pd.to_datetime(frame["as_of"]).unique())
    assert result.split["train"] == [pd.Timestamp(t) for t in cutoffs]
    assert result.model.info["trained_on"] == [str(pd.Timestamp(t).date()) for t in cutoffs]
    assert result.model.info["rows"]["train"] == len(frame)
    rounds = result.model.info["best_iteration"]
    for target, booster in result.model.boosters.items():
        assert booster.current_iteration() == rounds[target]


def test_the_result_is_typed_and_records_how_it_was_made(result):
    assert result.params["monotone_constraints"].count(1) >= 20
    assert result.psi_verdict in {"stable", "minor shift", "major shift"}
    assert "late" in result.manual_rule
    assert len(result.logistic_cutoffs) == 2 and 0 < result.logistic_threshold <= 1
    assert result.model.info["grade_rule"].startswith("I if p_I >= cutoff_I, else II")


def test_model_info_and_thresholds(result):
    info = result.model.info
    assert info["window"]["test"] == ["2025-07-31", "2025-09-30"]
    assert info["window"]["train"] == ["2024-01-31", "2025-09-30"]
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


def test_boosters_fitted_side_by_side_are_the_boosters_fitted_one_after_the_other(frame):
    data = small(frame)
    one = fit(data, num_boost_round=60, seed=2, workers=1)
    two = fit(data, num_boost_round=60, seed=2, workers=3)
    for target, booster in one.model.boosters.items():
        assert booster.model_to_string() == two.model.boosters[target].model_to_string()
    assert one.model.version == two.model.version
    pd.testing.assert_frame_equal(one.backtests, two.backtests)
    pd.testing.assert_frame_equal(one.out_of_sample, two.out_of_sample)


def test_workers_must_be_positive(frame):
    with pytest.raises(ValueError, match="at least 1 worker"):
        fit(small(frame), workers=0)


def test_capacity_sets_the_warning_threshold(frame):
    res = ar.train(small(frame), track=False, num_boost_round=60, warning_capacity=10)
    oos = res.out_of_sample  # the backtests' raw scores, calibrated as the model does
    last = oos[oos["fold"] == res.model.info["calibrated_on"][0]]
    flagged = res.model.calibrators["warning"](last["raw_warning"]) >= res.model.warning_threshold
    assert 10 <= flagged.sum() <= 10 + 5  # about 10 in the month the threshold was set on
    assert "capacity" in res.model.info["warning_rule"]


def test_calibration_and_cutoffs_come_from_the_most_recent_backtest_month(result):
    from arrearsrisk.models.risk_model import Calibrator
    from arrearsrisk.models.thresholds import fit_grade_cutoffs

    info = result.model.info
    assert info["calibrated_on"] == ["2025-09-30"]  # the latest backtest month
    assert "backtest 2025-09-30" in info["calibration"]
    last = result.out_of_sample[result.out_of_sample["fold"] == "2025-09-30"]
    assert len(last) == result.backtests.query("model == 'model'")["n"].iloc[-1]
    for target, truth in (
        ("grade_I", last["grade"] == "I"),
        ("grade_I_II", last["grade"] != "III"),
        ("warning", last["a_warning"]),
    ):  # the reference: Platt scaling on that month's rows alone
        reference = Calibrator.fit(last[f"raw_{target}"].to_numpy(), truth.to_numpy())
        assert result.model.calibrators[target] == reference
    cal = result.model.calibrators
    p1 = cal["grade_I"](last["raw_grade_I"].to_numpy())
    p12 = np.maximum(cal["grade_I_II"](last["raw_grade_I_II"].to_numpy()), p1)
    cuts = fit_grade_cutoffs(
        last["grade"].astype(str).to_numpy(), np.column_stack([p1, p12 - p1, 1 - p12])
    )
    assert (result.model.cutoff_I, result.model.cutoff_I_II) == cuts


def test_calibration_months_pool_the_latest_backtests(frame):
    res = fit(small(frame), num_boost_round=60, calibration_months=2)
    assert res.model.info["calibrated_on"] == ["2025-08-31", "2025-09-30"]
    assert "backtest 2025-08-31, 2025-09-30" in res.model.info["warning_rule"]


@pytest.mark.parametrize(
    ("months", "message"),
    [
        (0, "between 1 and test_months"),
        (4, r"between 1 and test_months \(3\)"),
        (1.5, "whole number"),
    ],
)
def test_calibration_months_must_be_backtest_months(frame, months, message):
    with pytest.raises(ar.ArrearsRiskError, match=message):
        fit(small(frame), calibration_months=months)


def test_a_one_date_frame_with_the_users_labels_trains_on_customer_folds(sample_ledger):
    feats = ar.build_features(sample_ledger, "2025-06-30")
    mine = ar.build_labels(sample_ledger, "2025-06-30").reset_index()
    mine["as_of"] = pd.Timestamp("2025-06-30")  # the user's own labels for one date
    frame = ar.training_frame(sample_ledger, ["2025-06-30"], labels=mine)
    assert frame["as_of"].nunique() == 1 and len(frame) > 2000
    with pytest.raises(ar.ArrearsRiskError, match="validation='customers'"):
        fit(frame, validation="time", num_boost_round=60)
    res = fit(frame, num_boost_round=60, folds=4)
    assert res.validation == "customers" and res.model.info["validation"] == "customers"
    assert list(res.backtests["fold"].unique()) == [f"fold {k}/4" for k in range(1, 5)]
    assert res.metrics.loc["model", "grade_I_auc"] > 0.85
    scores = ar.score(sample_ledger, "2025-06-30", res.model)
    assert len(scores) == len(feats)


def test_validation_must_be_known(frame):
    with pytest.raises(ar.ArrearsRiskError, match="validation must be 'auto', 'time' or"):
        fit(small(frame), validation="random")


def test_time_split_needs_enough_cutoffs():
    cuts = list(pd.date_range("2024-01-31", periods=6, freq="ME"))
    with pytest.raises(ar.ArrearsRiskError, match="leave no train / valid slice"):
        time_split(cuts)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="a_warning"), r"lacks columns \['a_warning'\]"),
        (lambda f: f.assign(grade="IV"), "grade must be I, II or III"),
        (
            lambda f: f.iloc[:, :5].assign(grade="I", a_warning=False),
            "no positive 'grade_I_II'|no positive 'warning'",
        ),
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

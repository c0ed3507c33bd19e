"""The champion in the registry: ``champion()`` reads which version the alias names and
its run's test metrics; ``promote(run_id)`` registers a run's model (once) and moves the
alias to it on evidence only: once there is a champion, both models are re-scored on the
months neither has learned from and compared with a paired bootstrap; ``rollback()``
moves the alias back.

Real MLflow, no mocks, no network: a SQLite store in a temporary folder.  The models
learn from the cutoffs up to 2025-03-31 of the sample's first 1,500 customers (60
rounds), so the months whose outcomes none of them has seen, 2025-07-31 to 2025-09-30,
can judge them.  One tracked training for the module and a second run logging the same
result; for the evidence, an underfit champion (five rounds of stumps), a seed-only
challenger (seed 1) and a model of 150 customers.  Each test registers under a name of
its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

import arrearsrisk as ar
from arrearsrisk.errors import TrackingError
from arrearsrisk.tracking import Promotion, champion, log_training, promote, rollback
from arrearsrisk.tracking.promotion import _decide
from arrearsrisk.tracking.registry import _set_alias

pytestmark = pytest.mark.slow  # trains models
CUSTOMERS = 1500
LEARNED_UNTIL = "2025-03-31"  # label_end: 2025-07-30; the months from 2025-07-31 are unseen
UNSEEN = "2025-07-31..2025-09-30"
UNDERFIT = {"num_leaves": 2, "max_depth": 1, "learning_rate": 0.02}  # 5 rounds of stumps
FEW = 150  # customers


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, sample_ledger) -> Iterator[SimpleNamespace]:
    """Two tracked, unregistered runs of one model in a store in ``folder``; MLflow
    points at it.  ``frame`` reaches 2025-09-30, ``early`` (the training data) stops at
    :data:`LEARNED_UNTIL`."""
    folder = tmp_path_factory.mktemp("promote")
    ledger = sample_ledger.subset(sorted(sample_ledger.customers["customer_id"])[:CUSTOMERS])
    frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    early = frame[frame["as_of"] <= LEARNED_UNTIL]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder}/mlflow.db")
        mp.chdir(folder)
        result = ar.train(early, register_as=None, num_boost_round=60)
        second = log_training(result, early, run_name="second")
        yield SimpleNamespace(
            folder=folder,
            frame=frame,
            early=early,
            result=result,
            first=result.run_id,
            second=second,
        )


@pytest.fixture(scope="module")
def rivals(runs) -> SimpleNamespace:
    """An underfit model (five boosting rounds of stumps), the first model with another
    seed, and one trained on the first 150 customers only."""
    weak = ar.train(runs.early, params=UNDERFIT, register_as=None, num_boost_round=5)
    seed = ar.train(runs.early, seed=1, register_as=None, num_boost_round=60)
    few = runs.early[runs.early["customer_id"].isin(runs.early["customer_id"].unique()[:FEW])]
    small = ar.train(few, register_as=None, num_boost_round=60)
    assert seed.model.version != runs.result.model.version
    return SimpleNamespace(
        weak=weak.run_id, seed=seed.run_id, few=small.run_id, weak_model=weak.model
    )


def versions(name: str) -> list[int]:
    return sorted(int(v.version) for v in MlflowClient().search_model_versions(f"name = '{name}'"))


def aliases(name: str) -> dict[str, int]:
    return {a: int(v) for a, v in MlflowClient().get_registered_model(name).aliases.items()}


def tags(name: str, version: int) -> dict[str, str]:
    return dict(MlflowClient().get_model_version(name, str(version)).tags)


# --- the first champion ------------------------------------------------------------------


def test_no_champion_before_the_first_promotion(runs):
    assert champion("never-promoted") is None
    assert not versions("never-promoted")


def test_no_champion_and_no_store_file_where_there_is_no_store(tmp_path, monkeypatch):
    db = tmp_path / "nothing-here.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{db}")
    assert champion() is None
    assert not db.exists()


def test_the_first_promotion_needs_no_comparison(runs):
    promotion = promote(runs.first, "first-promotion")
    assert isinstance(promotion, Promotion)
    assert (promotion.promoted, promotion.version, promotion.previous) == (True, 1, None)
    assert promotion.reason == (
        "promoted: no first-promotion@champion before; version 1 is the first."
    )
    assert promotion.comparison.empty
    best = champion("first-promotion")
    assert best is not None
    assert best["name"] == "first-promotion" and best["alias"] == "champion"
    assert best["version"] == 1 and best["run_id"] == runs.first
    assert best["model_version"] == runs.result.model.version
    assert best["previous"] is None
    expected = runs.result.metrics.loc["model"].dropna()
    assert set(best["metrics"]) >= {f"model_{k}" for k in expected.index}
    for key, value in expected.items():
        assert best["metrics"][f"model_{key}"] == pytest.approx(float(value))
    alias = MlflowClient().get_model_version_by_alias("first-promotion", "champion")
    assert int(alias.version) == 1 and alias.run_id == runs.first
    assert alias.tags["model_version"] == runs.result.model.version
    assert alias.tags["promotion_decision"] == "promoted"
    assert alias.tags["promotion_reason"] == promotion.reason
    assert runs.result.model.version in alias.description
    assert "| grade_I_auc |" in alias.description  # the run's headline
    assert f"Logged by run `{runs.first}`." in alias.description


def test_promoting_the_same_run_or_model_again_reuses_its_version(runs):
    assert promote(runs.first, "again").version == 1
    again = promote(runs.first, "again")
    assert (again.promoted, again.version) == (True, 1)
    assert again.reason == f"run {runs.first}'s model is already again@champion (version 1)."
    # another run that logged the same model: no second version, nothing to compare
    same = promote(runs.second, "again")
    assert (same.promoted, same.version) == (True, 1)
    assert promote(runs.first, "again", alias="challenger").version == 1
    assert versions("again") == [1]
    challenger = champion("again", alias="challenger")
    assert challenger is not None and challenger["version"] == 1


def test_an_alias_the_model_lacks_is_no_champion(runs):
    promote(runs.first, "one-alias")
    assert champion("one-alias", alias="staging") is None


def test_the_promoted_model_loads_from_the_registry(runs):
    promote(runs.second, "loadable")
    model = ar.load_model("models:/loadable@champion")
    assert model.version == runs.result.model.version
    assert model.spec.names == runs.result.model.spec.names


# --- on evidence -------------------------------------------------------------------------


def test_without_a_frame_a_champion_is_not_replaced(runs, rivals):
    promote(rivals.weak, "no-frame")
    with pytest.raises(
        ar.ArrearsRiskError, match=r"(?s)no-frame@champion is version 1 .*frame=frame"
    ) as e:
        promote(runs.first, "no-frame")
    assert not isinstance(e.value, TrackingError)
    assert versions("no-frame") == [1]  # nothing registered
    assert aliases("no-frame") == {"champion": 1}


def test_a_seed_only_challenger_is_refused(runs, rivals):
    promote(runs.first, "seed-only")
    decision = promote(rivals.seed, "seed-only", frame=runs.frame)
    table = decision.comparison
    print(f"\nseed-only challenger:\n{table.to_string()}\n{decision.reason}")
    assert (decision.promoted, decision.version, decision.previous) == (False, 2, None)
    assert list(table.index) == ["grade_I_auc", "warning_pr_auc", "brier"]
    auc = table.loc["grade_I_auc"]
    assert auc["low"] <= 0 < auc["high"]  # no evidence either way
    assert abs(auc["difference"]) < 0.01
    assert decision.reason.startswith("refused: grade_I_auc: the challenger ")
    assert "no evidence of a gain (the interval reaches 0)" in decision.reason
    # the champion stays; the refused challenger is registered with the record
    best = champion("seed-only")
    assert best is not None and (best["version"], best["run_id"]) == (1, runs.first)
    assert aliases("seed-only") == {"champion": 1}
    record = tags("seed-only", 2)
    assert record["promotion_decision"] == "refused"
    assert record["promotion_reason"] == decision.reason
    assert record["promotion_against_version"] == "1"
    assert record["promotion_rows"] == f"{table.attrs['rows']:,} rows, months {UNSEEN}"
    assert record["promotion_grade_I_auc"].startswith(f"champion {auc['a']:.6f}, challenger ")
    description = MlflowClient().get_model_version("seed-only", "2").description
    assert "refused" in description and "| grade_I_auc |" in description
    assert table.attrs["cluster"] == "customer_id"
    months = pd.to_datetime(runs.frame["as_of"])
    assert table.attrs["rows"] == int((months >= "2025-07-31").sum())


def test_a_challenger_better_on_the_primary_but_worse_on_a_guard_is_refused(runs, rivals):
    promote(rivals.few, "guarded")  # trained on 150 customers: it ranks warnings well
    decision = promote(runs.first, "guarded", frame=runs.frame)
    table = decision.comparison
    print(f"\nguarded:\n{table.to_string()}\n{decision.reason}")
    assert table.loc["grade_I_auc", "low"] > 0  # the primary alone would promote it
    worse = -table.loc["warning_pr_auc", "difference"]
    assert worse > 0.01
    assert not decision.promoted
    assert decision.reason.startswith(
        f"refused: guard warning_pr_auc worse by {worse:.4f} (tolerance 0.01): "
    )
    assert "; passed: grade_I_auc: the challenger " in decision.reason
    assert aliases("guarded") == {"champion": 1}
    # a looser tolerance, stated by the caller, lets it through
    looser = promote(runs.first, "guarded", frame=runs.frame, guards={"warning_pr_auc": 0.2})
    assert (looser.promoted, looser.version, looser.previous) == (True, 2, 1)
    assert tags("guarded", 2)["promotion_decision"] == "promoted"


def test_a_truly_better_challenger_is_accepted_and_the_champion_kept_as_previous(runs, rivals):
    promote(rivals.weak, "better")
    decision = promote(runs.first, "better", frame=runs.frame)
    table = decision.comparison
    print(f"\nbetter challenger:\n{table.to_string()}\n{decision.reason}")
    assert (decision.promoted, decision.version, decision.previous) == (True, 2, 1)
    assert table.loc["grade_I_auc", "low"] > 0
    assert table.loc["warning_pr_auc", "difference"] >= -0.01
    assert table.loc["brier", "difference"] <= 0.005
    assert decision.reason.startswith("promoted: grade_I_auc: the challenger ")
    assert "guard warning_pr_auc within its tolerance 0.01" in decision.reason
    assert "guard brier within its tolerance 0.005" in decision.reason
    best = champion("better")
    assert best is not None
    assert (best["version"], best["run_id"], best["previous"]) == (2, runs.first, 1)
    assert aliases("better") == {"champion": 2, "previous": 1}
    record = tags("better", 2)
    assert record["promotion_decision"] == "promoted"
    assert record["champion_previous"] == "1"
    assert record["champion_since"].endswith(decision.reason)
    assert tags("better", 1)["champion_replaced_by"] == "2"
    assert ar.load_model("models:/better@champion").version == runs.result.model.version


def test_rollback_restores_the_previous_champion(runs, rivals):
    promote(rivals.weak, "rollback")
    assert promote(runs.first, "rollback", frame=runs.frame).promoted
    assert rollback("rollback", reason="Grade I rate doubled in the first batch") == 1
    best = champion("rollback")
    assert best is not None and (best["version"], best["run_id"]) == (1, rivals.weak)
    assert ar.load_model("models:/rollback@champion").version == rivals.weak_model.version
    assert aliases("rollback") == {"champion": 1}  # version 1 had replaced nothing
    demoted, restored = tags("rollback", 2), tags("rollback", 1)
    assert demoted["champion_rolled_back"].endswith(
        "rollback@champion from version 2 back to version 1 "
        "(Grade I rate doubled in the first batch)"
    )
    assert restored["champion_restored"] == demoted["champion_rolled_back"]
    with pytest.raises(TrackingError, match=r"no alias 'previous': no version to roll"):
        rollback("rollback")
    # the better model can come back, on evidence again
    again = promote(runs.first, "rollback", frame=runs.frame)
    assert (again.promoted, again.version, again.previous) == (True, 2, 1)
    assert versions("rollback") == [1, 2]


def test_rolling_back_twice_goes_two_steps_back(runs, rivals):
    client = MlflowClient()
    promote(rivals.weak, "chain")  # version 1, champion
    promote(runs.first, "chain", alias="staging")  # version 2
    promote(rivals.seed, "chain", alias="other")  # version 3
    # the alias moves promote and train(register_as=...) make: 1 -> 2 -> 3
    assert _set_alias(client, "chain", "champion", 2, "test") == 1
    assert _set_alias(client, "chain", "champion", 3, "test") == 2
    assert aliases("chain")["previous"] == 2
    assert rollback("chain") == 2
    assert aliases("chain")["previous"] == 1
    assert rollback("chain") == 1
    assert "previous" not in aliases("chain")


def test_a_frame_of_months_a_model_learned_from_is_refused(runs, rivals):
    promote(rivals.weak, "in-sample")
    with pytest.raises(ar.ArrearsRiskError, match=r"no cutoff on or after 2025-07-30"):
        promote(runs.first, "in-sample", frame=runs.early)
    assert versions("in-sample") == [1]  # compared before registering: nothing written


def test_another_alias_keeps_its_own_previous(runs, rivals):
    promote(rivals.weak, "aliases", alias="challenger")
    decision = promote(runs.first, "aliases", alias="challenger", frame=runs.frame)
    assert decision.promoted
    assert aliases("aliases") == {"challenger": 2, "challenger-previous": 1}
    assert rollback("aliases", alias="challenger") == 1


# --- the decision rule -------------------------------------------------------------------


def table(**rows: tuple[float, float, float]) -> pd.DataFrame:
    """A comparison table: each row (difference, low, high), champion 0.5."""
    out = pd.DataFrame(
        [
            {
                "metric": m,
                "a": 0.5,
                "b": 0.5 + d,
                "difference": d,
                "low": lo,
                "high": hi,
                "higher_is_better": m != "brier",
                "resamples": 1000,
            }
            for m, (d, lo, hi) in rows.items()
        ]
    ).set_index("metric")
    out.attrs["level"] = 0.95
    return out


GUARDS = {"warning_pr_auc": 0.01, "brier": 0.005}


@pytest.mark.parametrize(
    ("rows", "promoted", "says"),
    [
        ({"grade_I_auc": (0.02, 0.001, 0.04)}, True, "promoted: grade_I_auc"),
        ({"grade_I_auc": (0.02, 0.0, 0.04)}, False, "no evidence of a gain"),
        ({"grade_I_auc": (-0.01, -0.02, 0.0)}, False, "no evidence of a gain"),
        ({"grade_I_auc": (np.nan, np.nan, np.nan)}, False, "grade_I_auc is undefined"),
        ({"warning_pr_auc": (-0.0099, -0.05, 0.03)}, True, "within its tolerance 0.01"),
        ({"warning_pr_auc": (-0.0101, -0.05, 0.03)}, False, "warning_pr_auc worse by 0.0101"),
        ({"brier": (0.0049, 0.001, 0.009)}, True, "brier within its tolerance 0.005"),
        ({"brier": (0.0051, 0.001, 0.009)}, False, "guard brier worse by 0.0051"),
        ({"brier": (-0.05, -0.06, -0.04)}, True, "brier within"),  # lower is better
        ({"warning_pr_auc": (np.nan, np.nan, np.nan)}, False, "warning_pr_auc is undefined"),
    ],
)
def test_promotion_needs_the_primary_interval_above_zero_and_the_guards_within(
    rows, promoted, says
):
    base = {
        "grade_I_auc": (0.02, 0.005, 0.035),
        "warning_pr_auc": (0.0, -0.02, 0.02),
        "brier": (0.0, -0.001, 0.001),
    }
    decided, reason = _decide(table(**{**base, **rows}), "grade_I_auc", GUARDS)
    assert decided is promoted
    assert reason.startswith("promoted: " if promoted else "refused: ")
    assert says in reason


def test_a_lower_is_better_primary_must_have_its_interval_below_zero():
    assert _decide(table(brier=(-0.01, -0.02, -0.001)), "brier", {})[0]
    assert not _decide(table(brier=(-0.01, -0.02, 0.0)), "brier", {})[0]


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("",), {}, r"run_id must be the id of an MLflow run .* got ''"),
        ((None,), {}, r"run_id must be the id of an MLflow run .* got None"),
        (("RUN", ""), {}, r"name must be a non-empty name; got ''"),
        (("RUN", "ok", " "), {}, r"alias must be a non-empty name; got ' '"),
        (("RUN",), {"primary": ""}, r"primary must be a metric name; got ''"),
        (("RUN",), {"guards": ["brier"]}, r"guards must map metric names to tolerances"),
        (("RUN",), {"guards": {"brier": -1}}, r"tolerances >= 0; got 'brier': -1"),
        (("RUN",), {"n_boot": 0}, r"n_boot must be a whole number >= 1; got 0"),
        (("RUN",), {"frame": "frame.csv"}, r"frame must be a training frame; got str"),
    ],
)
def test_promote_refuses_bad_arguments(runs, args, kwargs, message):
    args = tuple(runs.first if a == "RUN" else a for a in args)
    with pytest.raises(ar.ArrearsRiskError, match=message) as raised:
        promote(*args, **kwargs)
    assert not isinstance(raised.value, TrackingError)


def test_an_unknown_primary_metric_is_refused_before_anything_is_registered(runs, rivals):
    promote(rivals.weak, "unknown-metric")
    with pytest.raises(ar.ArrearsRiskError, match=r"unknown metrics \['gini'\]"):
        promote(runs.first, "unknown-metric", frame=runs.frame, primary="gini")
    assert versions("unknown-metric") == [1]


@pytest.mark.parametrize(
    ("run_id", "message"),
    [
        ("0" * 32, r"no MLflow run '0{32}' in the store at sqlite:///"),
        ("not a run id!", r"no MLflow run 'not a run id!'"),
    ],
)
def test_promote_refuses_a_run_the_store_lacks(runs, run_id, message):
    with pytest.raises(TrackingError, match=message):
        promote(run_id)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, r"name must be a non-empty name; got ''"),
        ({"alias": None}, r"alias must be a non-empty name; got None"),
    ],
)
def test_champion_and_rollback_refuse_empty_names(runs, kwargs, message):
    with pytest.raises(ar.ArrearsRiskError, match=message):
        champion(**kwargs)
    with pytest.raises(ar.ArrearsRiskError, match=message):
        rollback(**kwargs)


def test_rollback_of_an_unknown_model_lists_the_registered_ones(runs):
    promote(runs.first, "known")
    with pytest.raises(TrackingError, match=r"no registered model 'unknown'.*known"):
        rollback("unknown")


def test_a_run_without_a_model_cannot_be_promoted(runs):
    client = MlflowClient()
    experiment = client.get_run(runs.first).info.experiment_id
    empty = client.create_run(experiment, run_name="no model").info.run_id
    client.set_terminated(empty)
    with pytest.raises(TrackingError, match=r"logged no model named 'model'.*none"):
        promote(empty, "never-registered")
    assert not versions("never-registered")


def test_a_deleted_run_cannot_be_promoted(runs):
    client = MlflowClient()
    experiment = client.get_run(runs.first).info.experiment_id
    gone = client.create_run(experiment, run_name="deleted").info.run_id
    client.delete_run(gone)
    with pytest.raises(TrackingError, match=r"run [0-9a-f]+ is deleted.*restore_run"):
        promote(gone, "never-registered")

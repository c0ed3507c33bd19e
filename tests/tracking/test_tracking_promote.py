"""The champion in the registry: ``champion()`` reads which version the alias names and
its run's test metrics, ``promote(run_id)`` registers a run's model (once) and moves
the alias to it.

Real MLflow, no mocks, no network: a SQLite store in a temporary folder.  One small
tracked training for the module (the sample's first 1,500 customers, 60 rounds) and a
second run logging the same result; each test registers under a name of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from mlflow.tracking import MlflowClient

import arrearsrisk as ar
from arrearsrisk.errors import TrackingError
from arrearsrisk.tracking import champion, log_training, promote

pytestmark = pytest.mark.slow  # trains models
CUSTOMERS = 1500


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, sample_ledger) -> Iterator[SimpleNamespace]:
    """Two tracked, unregistered runs in a store in ``folder``; MLflow points at it."""
    folder = tmp_path_factory.mktemp("promote")
    ledger = sample_ledger.subset(sorted(sample_ledger.customers["customer_id"])[:CUSTOMERS])
    frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder}/mlflow.db")
        mp.chdir(folder)
        result = ar.train(frame, register_as=None, num_boost_round=60)
        second = log_training(result, frame, run_name="second")
        yield SimpleNamespace(folder=folder, result=result, first=result.run_id, second=second)


def versions(name: str) -> list[int]:
    return sorted(int(v.version) for v in MlflowClient().search_model_versions(f"name = '{name}'"))


def test_no_champion_before_the_first_promotion(runs):
    assert champion("never-promoted") is None
    assert not versions("never-promoted")


def test_no_champion_and_no_store_file_where_there_is_no_store(tmp_path, monkeypatch):
    db = tmp_path / "nothing-here.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{db}")
    assert champion() is None
    assert not db.exists()


def test_promote_registers_the_run_and_points_the_alias_at_it(runs):
    assert promote(runs.first, "first-promotion") == 1
    best = champion("first-promotion")
    assert best is not None
    assert best["name"] == "first-promotion" and best["alias"] == "champion"
    assert best["version"] == 1 and best["run_id"] == runs.first
    assert best["model_version"] == runs.result.model.version
    expected = runs.result.metrics.loc["model"].dropna()
    assert set(best["metrics"]) == {f"model_{k}" for k in expected.index}
    for key, value in expected.items():
        assert best["metrics"][f"model_{key}"] == pytest.approx(float(value))
    alias = MlflowClient().get_model_version_by_alias("first-promotion", "champion")
    assert int(alias.version) == 1 and alias.run_id == runs.first
    assert alias.tags["model_version"] == runs.result.model.version


def test_promoting_the_same_run_again_reuses_its_version(runs):
    assert promote(runs.first, "again") == 1
    assert promote(runs.first, "again") == 1
    assert promote(runs.first, "again", alias="challenger") == 1
    assert versions("again") == [1]
    challenger = champion("again", alias="challenger")
    assert challenger is not None and challenger["version"] == 1


def test_promoting_another_run_moves_the_alias_and_back(runs):
    assert promote(runs.first, "moving") == 1
    assert promote(runs.second, "moving") == 2
    best = champion("moving")
    assert best is not None and (best["version"], best["run_id"]) == (2, runs.second)
    assert promote(runs.first, "moving") == 1  # back to the first: no new version
    assert versions("moving") == [1, 2]
    best = champion("moving")
    assert best is not None and (best["version"], best["run_id"]) == (1, runs.first)


def test_an_alias_the_model_lacks_is_no_champion(runs):
    promote(runs.first, "one-alias")
    assert champion("one-alias", alias="staging") is None


def test_the_promoted_model_loads_from_the_registry(runs):
    promote(runs.second, "loadable")
    model = ar.load_model("models:/loadable@champion")
    assert model.version == runs.result.model.version
    assert model.spec.names == runs.result.model.spec.names


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("",), r"run_id must be the id of an MLflow run .* got ''"),
        ((None,), r"run_id must be the id of an MLflow run .* got None"),
        (("RUN", ""), r"name must be a non-empty name; got ''"),
        (("RUN", "ok", " "), r"alias must be a non-empty name; got ' '"),
    ],
)
def test_promote_refuses_bad_arguments(runs, args, message):
    args = tuple(runs.first if a == "RUN" else a for a in args)
    with pytest.raises(ar.ArrearsRiskError, match=message) as raised:
        promote(*args)
    assert not isinstance(raised.value, TrackingError)


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
def test_champion_refuses_empty_names(runs, kwargs, message):
    with pytest.raises(ar.ArrearsRiskError, match=message):
        champion(**kwargs)


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

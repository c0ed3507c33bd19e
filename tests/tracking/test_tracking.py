"""Tracking: one training is one MLflow run in a temporary local store, and the model
comes back from it (pyfunc, registry alias, run URI) predicting exactly as trained.

Real MLflow, no mocks, no network: the store is SQLite in a temporary folder.  The
model is trained once for the module, on the sample's first 1,500 customers.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

import arrearsrisk as ar
import arrearsrisk.models.fitting as fitting
import arrearsrisk.pipeline.training as pipeline_training
from arrearsrisk import tracking  # imports mlflow.pyfunc, quietly (see tracking/store.py)
from arrearsrisk.errors import TrackingError
from arrearsrisk.models.baselines import MANUAL_RULE
from arrearsrisk.models.bundle import package_versions
from arrearsrisk.tracking import serving

pytestmark = pytest.mark.slow  # trains models
CUSTOMERS = 1500
REGISTERED = "arrearsrisk-test"
MODELS = ("model", "manual", "logistic")
PLOTS = {
    "roc_grade_I",
    "roc_grade_I_II",
    "calibration_grade_I",
    "calibration_warning",
    "confusion_model",
    "feature_importance_grade_I",
    "grade_distribution",
    "pr_warning",
}
TABLES = {
    "breakdown",
    "calibration",
    "confusion",
    "roc_grade_I",
    "roc_grade_I_II",
    "roc_warning",
    "pr_warning",
}
OUTPUT = ["grade", "p_I", "p_II", "p_III", "a_warning", "p_warning"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, sample_ledger) -> Iterator[SimpleNamespace]:
    """One tracked and registered training; MLflow points at a store in ``folder``.
    ``fit_ms`` holds when the fit started and ended (epoch milliseconds)."""
    folder = tmp_path_factory.mktemp("tracking")
    ledger = sample_ledger.subset(sorted(sample_ledger.customers["customer_id"])[:CUSTOMERS])
    frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    fit_ms: list[int] = []

    def timed_fit(*args, **kwargs):
        fit_ms.append(int(time.time() * 1000))
        out = fitting.fit(*args, **kwargs)
        fit_ms.append(int(time.time() * 1000))
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder}/mlflow.db")
        mp.chdir(folder)
        with pytest.MonkeyPatch.context() as timing:
            timing.setattr(pipeline_training, "fit", timed_fit)
            result = ar.train(
                frame,
                track=True,
                register_as=REGISTERED,
                params={"num_threads": 1},  # a user parameter (one thread: no oversubscription)
                num_boost_round=200,
            )
        features = ar.build_features(ledger, result.split["test"][-1])
        yield SimpleNamespace(
            folder=folder, frame=frame, result=result, features=features, fit_ms=fit_ms
        )


@pytest.fixture(scope="module")
def run(trained: SimpleNamespace) -> mlflow.entities.Run:
    return MlflowClient().get_run(trained.result.run_id)


def expected_output(model, features: pd.DataFrame) -> pd.DataFrame:
    out = model.predict(features)[OUTPUT]
    out["grade"] = out["grade"].astype(str)
    return out


def assert_same_predictions(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == OUTPUT
    assert got["grade"].astype(str).tolist() == want["grade"].astype(str).tolist()
    assert got["a_warning"].to_numpy(dtype=bool).tolist() == want["a_warning"].tolist()
    for column in ("p_I", "p_II", "p_III", "p_warning"):
        np.testing.assert_allclose(got[column].to_numpy(), want[column].to_numpy(), rtol=1e-12)


def artifact_paths(run_id: str) -> set[str]:
    client = MlflowClient()
    found, todo = set(), [""]
    while todo:
        for item in client.list_artifacts(run_id, todo.pop() or None):
            (todo.append(item.path) if item.is_dir else found.add(item.path))
    return found


# --- the run -----------------------------------------------------------------------------


def test_a_training_is_exactly_one_run_in_the_experiment(trained, run):
    experiment = MlflowClient().get_experiment_by_name("arrearsrisk")
    runs = MlflowClient().search_runs([experiment.experiment_id])
    assert [r.info.run_id for r in runs] == [trained.result.run_id]
    assert run.info.status == "FINISHED"


def test_the_run_logs_the_training_parameters(trained, run):
    result, params = trained.result, run.data.params
    model, info = result.model, result.model.info
    lgb_params = result.params
    for key, value in lgb_params.items():
        if key != "monotone_constraints":
            assert params[key] == str(value), key
    assert params["num_threads"] == "1"
    assert params["monotone_constraints"] == ",".join(
        str(v) for v in lgb_params["monotone_constraints"]
    )
    assert params["seed"] == "0"
    assert params["label_horizon_months"] == "3"
    assert params["label_grace_days"] == "30"
    for part in result.split:
        cutoffs = result.split[part]
        assert params[f"{part}_first"] == str(cutoffs[0].date())
        assert params[f"{part}_last"] == str(cutoffs[-1].date())
        assert params[f"{part}_cutoffs"] == str(len(cutoffs))
        assert params[f"{part}_rows"] == str(info["rows"][part])
    assert float(params["cutoff_I"]) == model.cutoff_I
    assert float(params["cutoff_I_II"]) == model.cutoff_I_II
    assert float(params["warning_threshold"]) == model.warning_threshold
    assert params["grade_rule"] == info["grade_rule"]
    assert params["warning_rule"] == info["warning_rule"]
    assert params["n_features"] == str(len(model.spec.names))
    assert params["data_sha256_16"] == info["data_sha256_16"]
    assert params["version_lightgbm"] == package_versions()["lightgbm"]
    assert params["version_mlflow"] == mlflow.__version__
    for target, best in info["best_iteration"].items():
        assert params[f"best_iteration_{target}"] == str(best)


def test_the_run_logs_every_finite_metric_of_every_model(trained, run):
    result, metrics = trained.result, run.data.metrics
    expected = {
        f"{name}_{key}"
        for name, ev in result.evaluations.items()
        for key, value in {**ev.metrics, **result.metrics.loc[name].to_dict()}.items()
        if np.isfinite(value)
    }
    flat = {k for k in metrics if "/" not in k}  # the step series have a section/
    assert flat == expected | {"psi_p_I_train_test"}
    for name in MODELS:
        assert metrics[f"{name}_grade_I_auc"] == pytest.approx(
            result.metrics.loc[name, "grade_I_auc"]
        )
    for key, value in result.metrics.loc["model"].items():
        if np.isfinite(value):
            assert metrics[f"model_{key}"] == pytest.approx(value), key
    assert metrics["psi_p_I_train_test"] == pytest.approx(result.psi)


def test_the_run_is_tagged_with_model_version_and_psi_verdict(trained, run):
    assert run.data.tags["model_version"] == trained.result.model.version
    assert run.data.tags["psi_verdict"] == trained.result.psi_verdict


def test_the_run_is_named_after_its_data_window_and_model_version(trained, run):
    result = trained.result
    cutoffs = [t for part in result.split.values() for t in part]
    window = f"{min(cutoffs):%Y-%m}..{max(cutoffs):%Y-%m}"
    assert run.info.run_name == f"{window} {result.model.version}"
    assert run.data.tags["data_window"] == window
    note = run.data.tags["mlflow.note.content"]  # the run's description in the UI
    assert result.model.version in note and "| grade_I_auc |" in note


def test_the_run_lasts_as_long_as_the_training(trained, run):
    fit_started, fit_ended = trained.fit_ms
    assert run.info.start_time <= fit_started  # opened before the fit
    assert run.info.end_time >= fit_ended
    assert run.info.end_time - run.info.start_time >= fit_ended - fit_started


def test_the_run_logs_the_training_frame_as_a_dataset_with_its_digest(trained, run):
    result, frame = trained.result, trained.frame
    (item,) = run.inputs.dataset_inputs
    assert {t.key: t.value for t in item.tags} == {"mlflow.data.context": "training"}
    dataset = item.dataset
    assert dataset.digest == result.model.info["data_sha256_16"]
    assert dataset.source_type == "code"
    profile = json.loads(dataset.profile)
    columns = 2 + len(result.model.spec.names) + 2  # ids, features, labels
    assert profile == {"num_rows": len(frame), "num_elements": len(frame) * columns}
    schema = json.loads(dataset.schema)["mlflow_colspec"]
    assert [c["name"] for c in schema][:2] == ["customer_id", "as_of"]


def test_the_months_are_step_series(trained, run):
    result, client = trained.result, MlflowClient()
    backtests = getattr(result, "backtests", None)
    when = None if backtests is None else ("month" if "month" in backtests else "fold")
    monthly = backtests is not None and all(
        isinstance(v, pd.Timestamp) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(v))
        for v in backtests[when]
    )
    if backtests is not None:
        rows = backtests[backtests["model"] == "manual"]
        history = client.get_metric_history(run.info.run_id, "backtest/manual_grade_I_auc")
        order = sorted(rows[when], key=lambda v: pd.Timestamp(v) if monthly else str(v))
        got = {m.step: m for m in history}
        assert sorted(got) == list(range(len(rows)))
        want = rows.set_index(when)["grade_I_auc"]
        assert [got[i].value for i in range(len(order))] == pytest.approx([want[v] for v in order])
        if monthly:
            stamps = [int(pd.Timestamp(v).timestamp() * 1000) for v in order]
            assert [got[i].timestamp for i in range(len(order))] == stamps
    names = client.get_run(run.info.run_id).data.metrics
    if monthly:  # the test months are the backtest months: not logged twice
        assert not any(k.startswith("test_month/") for k in names)
        return
    by_month = result.evaluations["model"].breakdown.query("by == 'as_of'")
    months = sorted(pd.to_datetime(by_month["group"]))
    history = client.get_metric_history(run.info.run_id, "test_month/model_grade_I_auc")
    assert [m.step for m in history] == list(range(len(months)))
    assert [m.timestamp for m in history] == [int(t.timestamp() * 1000) for t in months]
    assert [m.value for m in history] == pytest.approx(by_month["grade_I_auc"].tolist())


def test_backtests_by_month_or_by_fold_become_steps():
    from arrearsrisk.tracking.runs import _month_series

    months = pd.to_datetime(["2025-08-31", "2025-07-31", "2025-09-30"])
    by_month = pd.DataFrame(
        {
            "month": list(months) * 2,
            "model": ["model"] * 3 + ["manual"] * 3,
            "grade_I_auc": [0.92, 0.91, 0.93, 0.81, 0.80, np.nan],
            "note": ["x"] * 6,  # not a number: not a metric
        }
    )
    series = _month_series(SimpleNamespace(evaluations={}, backtests=by_month))
    got = {(m.key, m.step): (m.value, m.timestamp) for m in series}
    july = int(pd.Timestamp("2025-07-31").timestamp() * 1000)
    assert got[("backtest/model_grade_I_auc", 0)] == (0.91, july)
    assert got[("backtest/model_grade_I_auc", 2)][0] == 0.93
    assert ("backtest/manual_grade_I_auc", 2) not in got  # NaN is not logged
    assert len(series) == 5
    folds = pd.DataFrame({"fold": ["fold 2/3", "fold 1/3"], "model": "model", "brier": [0.3, 0.2]})
    series = _month_series(SimpleNamespace(evaluations={}, backtests=folds))
    assert [(m.step, m.value) for m in series] == [(1, 0.3), (0, 0.2)]


def test_the_experiment_opens_in_the_model_training_view(trained, run):
    experiment = MlflowClient().get_experiment(run.info.experiment_id)
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"


def test_the_registered_version_is_described_and_tagged(trained):
    result = trained.result
    version = MlflowClient().get_model_version_by_alias(REGISTERED, "champion")
    assert version.tags["model_version"] == result.model.version
    assert result.model.version in version.description
    assert f"`{result.run_id}`" in version.description
    assert "| grade_I_auc |" in version.description
    registered = MlflowClient().get_registered_model(REGISTERED)
    assert "arrearsrisk" in registered.description
    assert MlflowClient().get_run(result.run_id).data.tags["registered_model"] == (
        f"{REGISTERED}/{version.version}"
    )


def test_logging_the_same_model_again_registers_no_duplicate(trained):
    client = MlflowClient()
    before = client.search_model_versions(f"name = '{REGISTERED}'")
    again = tracking.log_training(
        trained.result, trained.frame, experiment="again", run_name="again", register_as=REGISTERED
    )
    after = client.search_model_versions(f"name = '{REGISTERED}'")
    assert len(after) == len(before) == 1
    assert after[0].tags["also_logged_by_run"] == again
    assert client.get_run(again).data.tags["registered_model"] == f"{REGISTERED}/1"
    assert client.get_run(again).info.run_name == "again"  # a given name is kept
    assert "previous" not in client.get_registered_model(REGISTERED).aliases


def test_a_failing_training_leaves_a_failed_run(trained):
    client = MlflowClient()
    with pytest.raises(ar.ArrearsRiskError, match="the frame has 0"):
        ar.train(trained.frame.iloc[:0], experiment="failing")
    experiment = client.get_experiment_by_name("failing")
    (failed,) = client.search_runs([experiment.experiment_id])
    assert failed.info.status == "FAILED"


def test_training_run_opens_before_the_work_and_logs_in_it(trained):
    client = MlflowClient()
    agents = client.create_experiment("agents", tags={"mlflow.experimentKind": "genai_development"})
    with tracking.training_run(trained.frame, experiment="agents") as opened:
        running = client.get_run(opened.run_id)
        assert running.info.status == "RUNNING"
        assert running.info.run_name.endswith(" training")
        assert opened.log(trained.result, trained.frame) == opened.run_id
        with pytest.raises(ar.ArrearsRiskError, match=r"holds a training already"):
            opened.log(trained.result, trained.frame)
    done = client.get_run(opened.run_id)
    assert done.info.status == "FINISHED"
    assert done.info.run_name.endswith(trained.result.model.version)
    # an experiment of another kind keeps it
    assert client.get_experiment(agents).tags["mlflow.experimentKind"] == "genai_development"


def test_importing_tracking_in_a_jupyter_kernel_shows_no_tqdm_warning():
    # tqdm.auto takes a process that has imported ipykernel.zmqshell for a notebook, and
    # warns "IProgress not found" when ipywidgets is missing; mlflow.genai imports it.
    code = textwrap.dedent(
        """
        import sys, types, warnings
        import IPython
        sys.modules["ipykernel.zmqshell"] = types.ModuleType("ipykernel.zmqshell")
        warnings.simplefilter("always")
        with warnings.catch_warnings(record=True) as caught:
            import arrearsrisk.tracking
        print([f"{w.category.__name__}: {w.message}" for w in caught])
        print("tqdm.auto" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    shown, imported = out.stdout.strip().splitlines()
    assert imported == "True"  # the import that warned did happen
    assert "Tqdm" not in shown and "IProgress" not in shown, shown
    assert "IProgress" not in out.stderr


def test_the_run_holds_plots_tables_feature_list_rule_and_bundle(trained):
    paths = artifact_paths(trained.result.run_id)
    expected = (
        {f"plots/{name}.png" for name in PLOTS}
        | {f"tables/{m}/{t}.csv" for m in MODELS for t in TABLES}
        | {"metrics.csv", "feature_list.json", "split.json", "manual_rule.txt"}
        | {f"bundle/{f}" for f in ("manifest.json", "grade_I.txt", "grade_I_II.txt")}
        | {"bundle/warning.txt", "bundle/monitoring.json"}
    )
    if getattr(trained.result, "backtests", None) is not None:
        expected.add("tables/backtests.csv")
        from arrearsrisk.evaluation import plots

        if hasattr(plots, "backtest_figure"):
            expected.add("plots/backtests.png")
    assert paths == expected


def test_the_logged_files_hold_what_was_trained(trained):
    result = trained.result
    folder = Path(mlflow.artifacts.download_artifacts(run_id=result.run_id))
    assert all(
        (folder / "plots" / f"{p}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in PLOTS
    )
    features = json.loads((folder / "feature_list.json").read_text())
    assert [f["name"] for f in features] == list(result.model.spec.names)
    kinds = {f["name"]: f["kind"] for f in features}
    assert {n for n, k in kinds.items() if k == "categorical"} == set(result.model.spec.categories)
    metrics = pd.read_csv(folder / "metrics.csv", index_col="model")
    assert list(metrics.index) == list(MODELS)
    np.testing.assert_allclose(
        metrics["grade_I_auc"].to_numpy(), result.metrics["grade_I_auc"].to_numpy()
    )
    assert (folder / "manual_rule.txt").read_text().strip() == MANUAL_RULE.strip()
    assert ar.load_model(folder / "bundle").version == result.model.version


# --- the model back ----------------------------------------------------------------------


def test_the_pyfunc_model_scores_ledger_rows_as_the_trained_model(trained, sample_ledger):
    # The pyfunc takes each customer's ledger rows (tests/tracking/test_serving.py has
    # the details); without peer contexts ("none") it is score_account without peers.
    result = trained.result
    pyfunc = mlflow.pyfunc.load_model(
        f"runs:/{result.run_id}/model", model_config={"peers": "none"}
    )
    schema = pyfunc.metadata.get_input_schema()
    assert schema.input_names() == ["customer", "bills", "payments", "as_of"]
    as_of = result.split["test"][-1]
    ids = sorted(sample_ledger.customers["customer_id"])[:3]
    records = serving.ledger_records(sample_ledger, ids)
    got = pyfunc.predict(pd.DataFrame(records), params={"as_of": str(as_of.date())})
    for record, row in zip(records, got.to_dict("records"), strict=True):
        want = ar.score_account(
            result.model, as_of, record["customer"], record["bills"], record["payments"]
        )
        want = {k: None if isinstance(v, float) and np.isnan(v) else v for k, v in want.items()}
        assert row == {**want, "as_of": str(as_of.date()), "notes": "", "error": ""}
        assert row["model_version"] == result.model.version


def test_the_pyfunc_model_pins_its_requirements_and_ships_arrearsrisk(trained):
    folder = Path(mlflow.artifacts.download_artifacts(f"runs:/{trained.result.run_id}/model"))
    requirements = (folder / "requirements.txt").read_text().split()
    assert f"lightgbm=={package_versions()['lightgbm']}" in requirements
    assert f"mlflow=={mlflow.__version__}" in requirements
    assert {r.split("==")[0] for r in requirements} >= {
        "numpy",
        "pandas",
        "pyarrow",
        "lightgbm",
        "scikit-learn",
        "mlflow",
    }
    assert (folder / "code" / "arrearsrisk" / "models" / "bundle.py").is_file()
    assert not list(folder.rglob("*.pkl"))  # logged as code, not pickled
    assert (folder / "input_example.json").is_file()


def test_the_registered_alias_loads_the_trained_model(trained):
    result, features = trained.result, trained.features
    model = ar.load_model(f"models:/{REGISTERED}@champion")
    assert model.version == result.model.version
    assert_same_predictions(
        expected_output(model, features), expected_output(result.model, features)
    )
    version = MlflowClient().get_model_version_by_alias(REGISTERED, "champion")
    assert version.run_id == result.run_id
    assert ar.load_model(f"models:/{REGISTERED}/{version.version}").version == model.version
    assert ar.load_model(f"runs:/{result.run_id}/model").version == model.version


def test_download_bundle_returns_the_folder_of_the_manifest(trained):
    folder = tracking.download_bundle(f"models:/{REGISTERED}@champion")
    assert (folder / "manifest.json").is_file()
    assert folder.is_relative_to(trained.folder)  # a local store: no copy


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (f"models:/{REGISTERED}@nope", rf"'{REGISTERED}' has no alias 'nope'.*champion"),
        ("models:/missing@champion", rf"no registered model 'missing'.*{REGISTERED}"),
        (f"models:/{REGISTERED}/99", r"has no version '99'; versions: 1"),
        ("runs:/0123456789abcdef/model", r"no MLflow run '0123456789abcdef'"),
    ],
)
def test_an_unknown_model_says_what_exists(trained, uri, message):
    with pytest.raises(TrackingError, match=message):
        ar.load_model(uri)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("models:/arrearsrisk-test", r"names no version: use models:/arrearsrisk-test@ALIAS"),
        ("s3://bucket/m", r"not an MLflow model URI: 's3://bucket/m'"),
    ],
)
def test_a_malformed_uri_is_bad_input_not_a_store_error(trained, uri, message):
    with pytest.raises(ar.ArrearsRiskError, match=message) as raised:
        tracking.download_bundle(uri)
    assert not isinstance(raised.value, TrackingError)


def test_an_unknown_model_name_in_a_run_lists_its_models(trained):
    with pytest.raises(TrackingError, match=r"logged no model named 'other'.*model"):
        tracking.download_bundle(f"runs:/{trained.result.run_id}/other")


def test_a_deleted_experiment_is_refused_before_any_work(trained):
    client = MlflowClient()
    client.delete_experiment(client.create_experiment("gone"))
    with pytest.raises(TrackingError, match=r"experiment 'gone'.*is deleted"):
        tracking.log_training(trained.result, trained.frame, experiment="gone")


# --- where runs go -----------------------------------------------------------------------


def test_the_default_store_is_sqlite_in_the_working_folder(monkeypatch, tmp_path, trained):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    assert not mlflow.is_tracking_uri_set()  # logging left no global URI behind
    assert tracking.tracking_uri() == f"sqlite:///{tmp_path.resolve()}/mlflow.db"


def test_without_configuration_runs_and_artifacts_land_in_the_working_folder(
    monkeypatch, tmp_path, trained
):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    run_id = tracking.log_training(trained.result, trained.frame, experiment="local")
    assert (tmp_path / "mlflow.db").is_file()
    assert (tmp_path / "mlruns" / "local" / run_id / "artifacts" / "metrics.csv").is_file()
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path}/mlflow.db")
    location = client.get_experiment_by_name("local").artifact_location
    assert location == (tmp_path / "mlruns" / "local").resolve().as_uri()
    assert not mlflow.is_tracking_uri_set()


def test_the_package_names_its_public_api_and_the_entry_point_uses_it():
    from arrearsrisk.tracking import pyfunc

    assert tracking.__all__ == [
        "DEFAULT_EXPERIMENT",
        "DEFAULT_GUARDS",
        "Promotion",
        "RiskModelPyfunc",
        "TrainingRun",
        "champion",
        "download_bundle",
        "log_training",
        "previous_alias",
        "promote",
        "rollback",
        "tracking_uri",
        "training_run",
    ]
    assert issubclass(tracking.RiskModelPyfunc, mlflow.pyfunc.PythonModel)
    assert "from arrearsrisk.tracking import RiskModelPyfunc\n" in pyfunc._ENTRY_POINT
    assert Path(ar.__file__).resolve().parent == pyfunc._PACKAGE  # shipped whole as code/


def test_loading_a_bundle_folder_never_imports_mlflow(trained):
    folder = tracking.download_bundle(f"runs:/{trained.result.run_id}/model")
    code = (
        "import sys, arrearsrisk\n"
        f"model = arrearsrisk.load_model({str(folder)!r})\n"
        "print(model.version, 'mlflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [trained.result.model.version, "False"]

"""A monitoring logged to a real MLflow store (SQLite in tmp_path) against the model's
registered version: one run, a step per month, the table and pages as artifacts, the
registry told; refusals of a wrong version or a malformed URI."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from arrearsrisk import tracking
from arrearsrisk.errors import ArrearsRiskError, TrackingError
from arrearsrisk.tracking.monitoring_runs import log_monitoring, monitoring_metrics
from tests.monitoring_project import monitored, project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("store")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder}/mlflow.db")
        p = project()
        training = tracking.log_training(p.result, p.frame, register_as="arrearsrisk")
        result = monitored()
        run = log_monitoring(result, model_uri="models:/arrearsrisk@champion")
        client = MlflowClient()
        yield SimpleNamespace(
            training=training, run=run, result=result, client=client, folder=folder
        )


def test_the_monitoring_is_one_run_against_the_registered_version(logged):
    client, run = logged.client, logged.run
    assert run.registered == "arrearsrisk/1"
    data = client.get_run(run.run_id).data
    assert data.tags["run_kind"] == "monitoring"
    assert data.tags["model_version"] == logged.result.model_version
    assert data.tags["registered_model"] == "arrearsrisk/1"
    # the training run and the monitoring run sit in the same experiment, found by the tag
    runs = mlflow.search_runs(
        [run.experiment_id],
        filter_string=f"tags.model_version = '{logged.result.model_version}'",
    )
    assert set(runs["run_id"]) == {logged.training, run.run_id}
    version = client.get_model_version("arrearsrisk", "1")
    assert version.tags["last_monitoring_run"] == run.run_id
    assert version.tags["last_monitoring_months"] == "2024-12..2025-05"


def test_each_month_is_a_step_of_the_portfolio_figures(logged):
    client, run, result = logged.client, logged.run, logged.result
    psi = client.get_metric_history(run.run_id, "monitor/psi_p_I")
    t = result.table
    want = t[(t["check"] == "score_psi") & (t["segment"] == "all")].set_index("month")["value"]
    assert [m.step for m in sorted(psi, key=lambda m: m.step)] == list(range(len(result.months)))
    got = {result.months[m.step]: m.value for m in psi}
    assert got == pytest.approx(want.to_dict())
    stamp = {m.step: m.timestamp for m in psi}
    assert pd.Timestamp(stamp[0], unit="ms").strftime("%Y-%m-%d") == "2024-12-31"
    realised = client.get_metric_history(run.run_id, "monitor/grade_I_precision_realised")
    estimated = client.get_metric_history(run.run_id, "monitor/grade_I_precision_estimated")
    assert {m.step for m in realised} == {result.months.index(m) for m in result.matured}
    assert len(estimated) == len(result.months)
    alerts = client.get_metric_history(run.run_id, "monitor/alert_cells")
    assert sum(m.value for m in alerts) > 0
    assert len(monitoring_metrics(result)) == run.metrics


def test_the_table_and_pages_are_artifacts(logged):
    client, run = logged.client, logged.run
    names = {a.path for a in client.list_artifacts(run.run_id)}
    assert names == {
        "monitoring.csv",
        "first_flags.csv",
        "segments.csv",
        "monitoring.html",
        "monitoring_en.html",
    }
    local = client.download_artifacts(run.run_id, "monitoring.csv", str(logged.folder))
    back = pd.read_csv(local)
    assert len(back) == len(logged.result.table)
    assert list(back.columns) == list(logged.result.table.columns)
    page = client.download_artifacts(run.run_id, "monitoring.html", str(logged.folder))
    assert "电费风险模型运行监测报告" in Path(page).read_text(encoding="utf-8")


def test_a_version_holding_another_model_or_a_bad_uri_is_refused(logged, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{logged.folder}/mlflow.db")

    def monitoring_runs() -> list[str]:
        found = mlflow.search_runs(
            [logged.run.experiment_id], filter_string="tags.run_kind = 'monitoring'"
        )
        return sorted(found["run_id"])

    before = monitoring_runs()
    other = type(logged.result)(
        logged.result.table, months=logged.result.months, model_version="someone-else"
    )
    with pytest.raises(TrackingError, match=r"holds model .* but the monitoring is of model"):
        log_monitoring(other, model_name="arrearsrisk", version=1, pages=False)
    with pytest.raises(TrackingError, match="no version of registered model 'arrearsrisk'"):
        log_monitoring(other, model_name="arrearsrisk", pages=False)
    with pytest.raises(ArrearsRiskError, match="model_uri must be models:/NAME@ALIAS"):
        log_monitoring(logged.result, model_uri="runs:/abc/model", pages=False)
    with pytest.raises(ArrearsRiskError, match="logs the result of arrearsrisk"):
        log_monitoring(logged.result.table, pages=False)  # type: ignore[arg-type]
    assert monitoring_runs() == before  # nothing was logged by the refused calls


def test_a_bundle_version_is_found_by_its_model_version(logged, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{logged.folder}/mlflow.db")
    run = log_monitoring(logged.result, model_name="arrearsrisk", pages=False)
    assert run.registered == "arrearsrisk/1"
    names = {a.path for a in logged.client.list_artifacts(run.run_id)}
    assert "monitoring.html" not in names and "monitoring.csv" in names
    alone = log_monitoring(logged.result, experiment="unregistered", pages=False)
    assert alone.registered is None
    tags = logged.client.get_run(alone.run_id).data.tags
    assert "registered_model" not in tags and tags["run_kind"] == "monitoring"

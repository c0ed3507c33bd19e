"""A monitoring as one MLflow run, against the model's registered version, so the run
history of a model shows its training and then its life month by month.

:func:`log_monitoring` logs one run per :func:`arrearsrisk.monitor` result:

* **name** ``monitor 2025-01..2025-09 <model_version>``; **tags** ``run_kind`` =
  ``monitoring``, ``model_version``, ``monitoring_months``, the counts of flags, and
  ``registered_model`` (``NAME/VERSION``) when the model is registered;
* **params**: the months, the matured months, the reference months and every threshold;
* **metrics**, one step per monitored month (step: the month's index; timestamp: its
  month end), for the portfolio (segment ``all``): ``monitor/psi_p_I``,
  ``monitor/grade_mix_psi``, ``monitor/mean_p_I_shift``, ``monitor/grade_I_share_shift``,
  ``monitor/arrears_share_shift`` (changes on the reference's same month),
  ``monitor/arrears_amount``, ``monitor/customers``, the realised (matured months) and
  estimated Grade I / warning figures (``monitor/grade_I_precision_realised``,
  ``monitor/grade_I_precision_estimated``, ...) and the counts of cells at watch and
  alert over segments and checks (``monitor/watch_cells``, ``monitor/alert_cells``);
* **artifacts**: ``monitoring.csv`` (the long table), ``first_flags.csv``,
  ``segments.csv`` and the pages ``monitoring.html`` (zh) and ``monitoring_en.html``.

The registered version gets the tags ``last_monitoring_run`` and
``last_monitoring_months``, so the registry says when the model was last watched.

Examples
--------
>>> result = arrearsrisk.monitoring.monitor(ledger, "models:/arrearsrisk@champion",
...                                         ("2025-01", "2025-06"))  # doctest: +SKIP
>>> run = log_monitoring(result, model_uri="models:/arrearsrisk@champion")  # doctest: +SKIP
>>> run.registered  # doctest: +SKIP
'arrearsrisk/3'
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from arrearsrisk.errors import ArrearsRiskError, TrackingError
from arrearsrisk.tracking.registry import _MODELS
from arrearsrisk.tracking.runs import DEFAULT_EXPERIMENT
from arrearsrisk.tracking.store import (
    MlflowClient,
    MlflowException,
    _experiment_id,
    _redacted,
    _using,
    tracking_uri,
)

__all__ = ["PORTFOLIO_METRICS", "MonitoringRun", "log_monitoring", "monitoring_metrics"]

RUN_KIND = "monitoring"
"""The ``run_kind`` tag of a monitoring run."""

PORTFOLIO_METRICS: dict[tuple[str, str], str] = {
    ("score_psi", "p_I"): "psi_p_I",
    ("grade_mix_psi", "grade"): "grade_mix_psi",
    ("score_shift", "mean_p_I"): "mean_p_I_shift",
    ("grade_I_share", "grade_I"): "grade_I_share_shift",
    ("arrears", "share"): "arrears_share_shift",
    ("arrears", "amount"): "arrears_amount",
    ("volume", "customers"): "customers_change",
    ("feature_drift", ""): "feature_psi_max",
    **{
        ("performance", item): f"{item}_realised"
        for item in ("grade_I_precision", "grade_I_recall", "grade_I_auc", "warning_precision")
    },
    **{
        ("estimated_performance", item): f"{item}_estimated"
        for item in ("grade_I_precision", "grade_I_recall", "grade_I_auc", "warning_precision")
    },
}
"""(check, item) of the portfolio's rows -> metric name (under ``monitor/``); an empty
item takes the check's one row a month."""

PREFIX = "monitor/"


@dataclass(frozen=True)
class MonitoringRun:
    """What :func:`log_monitoring` logged.

    Attributes
    ----------
    run_id : str
        The MLflow run.
    experiment_id : str
        Its experiment.
    registered : str or None
        ``NAME/VERSION`` of the registered model version it was logged against.
    metrics : int
        How many metric values were logged.
    """

    run_id: str
    experiment_id: str
    registered: str | None
    metrics: int


def _month_end_ms(month: str) -> int:
    end = pd.Timestamp(f"{month}-01") + pd.offsets.MonthEnd(0)
    return int(end.tz_localize("UTC").timestamp() * 1000)


def monitoring_metrics(result: Any) -> list[tuple[str, float, int, int]]:
    """The step series of a monitoring: ``(key, value, step, timestamp_ms)`` per month.

    Examples
    --------
    >>> import pandas as pd
    >>> from arrearsrisk.monitoring import Monitoring
    >>> table = pd.DataFrame({"month": ["2025-01", "2025-02"], "check": ["score_psi"] * 2,
    ...     "segment": ["all"] * 2, "item": ["p_I"] * 2, "value": [0.02, 0.3],
    ...     "threshold": [0.1] * 2, "verdict": ["stable", "alert"], "n": [900.0] * 2,
    ...     "p_value": [0.5, 1e-9], "estimated": [False] * 2, "note": [""] * 2})
    >>> result = Monitoring(table, months=["2025-01", "2025-02"])
    >>> [(k, v, s) for k, v, s, _ in monitoring_metrics(result)][:3]
    [('monitor/psi_p_I', 0.02, 0), ('monitor/customers', 900.0, 0), ('monitor/watch_cells', 0.0, 0)]
    """
    table = result.table
    months = list(result.months) or sorted(set(table["month"]))
    steps = {m: i for i, m in enumerate(months)}
    out: list[tuple[str, float, int, int]] = []
    portfolio = table[table["segment"] == "all"]
    single = {c for (c, item) in PORTFOLIO_METRICS if item == ""}
    worst = table[~table["check"].isin(["feature_psi", "grade_migration"])]
    worst = worst.assign(_r=worst["verdict"].map({"stable": 0, "watch": 1, "alert": 2}))
    cells = worst.groupby(["month", "check", "segment"])["_r"].max().reset_index()
    for month in months:
        if month not in steps:
            continue
        step, stamp = steps[month], _month_end_ms(month)
        rows = portfolio[portfolio["month"] == month]
        seen: set[str] = set()
        for row in rows.itertuples(index=False):
            item = "" if row.check in single else str(row.item)
            key = PORTFOLIO_METRICS.get((str(row.check), item))
            value = float(row.value)
            if key is None or key in seen or not math.isfinite(value):
                continue
            seen.add(key)
            out.append((PREFIX + key, value, step, stamp))
        customers = rows.loc[rows["check"] == "score_psi", "n"]
        if len(customers) and math.isfinite(float(customers.iloc[0])):
            out.append((PREFIX + "customers", float(customers.iloc[0]), step, stamp))
        mine = cells[cells["month"] == month]["_r"]
        out.append((PREFIX + "watch_cells", float((mine == 1).sum()), step, stamp))
        out.append((PREFIX + "alert_cells", float((mine == 2).sum()), step, stamp))
    return out


def _params(result: Any) -> dict[str, Any]:
    months, ref = list(result.months), list(result.reference_months)
    params: dict[str, Any] = {
        "months_first": months[0] if months else "",
        "months_last": months[-1] if months else "",
        "months": len(months),
        "matured": len(result.matured),
        "matured_last": result.matured[-1] if result.matured else "",
        "reference_first": str(ref[0])[:10] if ref else "",
        "reference_last": str(ref[-1])[:10] if ref else "",
        "reference_months": len(ref),
    }
    if dataclasses.is_dataclass(result.thresholds) and not isinstance(result.thresholds, type):
        for key, value in dataclasses.asdict(result.thresholds).items():
            params[f"threshold_{key}"] = value
    return params


def _resolve(
    client: MlflowClient,
    model_uri: str | None,
    name: str | None,
    version: str | int | None,
    model_version: str,
) -> tuple[str, str] | None:
    """The registered (name, version) the monitoring is logged against, or None."""
    if model_uri is not None:
        found = _MODELS.match(model_uri)
        if not found:
            raise ArrearsRiskError(
                f"model_uri must be models:/NAME@ALIAS or models:/NAME/VERSION; got {model_uri!r}."
            )
        name = found["name"]
        if found["alias"]:
            version = client.get_model_version_by_alias(name, found["alias"]).version
        elif found["version"] and found["version"] != "latest":
            version = found["version"]
    if name is None:
        return None
    if version is None:
        same = [
            int(v.version)
            for v in client.search_model_versions(f"name = '{name}'")
            if (getattr(v, "tags", None) or {}).get("model_version") == model_version
        ]
        if not same:
            raise TrackingError(
                f"no version of registered model {name!r} holds model {model_version!r}.\n"
                "  hint: pass version=..., or log without model_name."
            )
        version = max(same)
    held = client.get_model_version(name, str(version))
    tag = (getattr(held, "tags", None) or {}).get("model_version")
    if tag and model_version and tag != model_version:
        raise TrackingError(
            f"registered model {name!r} version {version} holds model {tag}, but the "
            f"monitoring is of model {model_version}: log it against the right version."
        )
    return name, str(version)


def _summary(result: Any, registered: str | None) -> str:
    flags = result.first_flags()
    counts = result.table["verdict"].value_counts()
    span = f", months {result.months[0]}..{result.months[-1]}" if result.months else ""
    where = f" (registered `{registered}`)" if registered else ""
    lines = [
        f"Monitoring of model `{result.model_version}`{where}{span}.",
        "",
        f"{int(counts.get('alert', 0))} alert rows, {int(counts.get('watch', 0))} watch rows; "
        f"{len(flags)} first flags.",
    ]
    if len(flags):
        lines += ["", "| first month | segment | check | verdict |", "|---|---|---|---|"]
        lines += [
            f"| {r.first_month} | {r.segment} | {r.check} | {r.verdict} |"
            for r in flags.head(20).itertuples(index=False)
        ]
    return "\n".join(lines)


def log_monitoring(
    result: Any,
    *,
    model_name: str | None = None,
    version: str | int | None = None,
    model_uri: str | None = None,
    experiment: str = DEFAULT_EXPERIMENT,
    pages: bool = True,
) -> MonitoringRun:
    """Log ``result`` (from :func:`arrearsrisk.monitor`) as one MLflow run.

    Parameters
    ----------
    result : Monitoring
        The monitoring to log.
    model_name : str, optional
        The registered model holding the monitored model; its version is ``version``,
        else the one tagged with the monitored ``model_version``.
    version : str or int, optional
        The registered version (with ``model_name``).
    model_uri : str, optional
        ``models:/NAME@ALIAS`` or ``models:/NAME/VERSION``: the registered version the
        model was loaded from (instead of ``model_name`` and ``version``).
    experiment : str, default "arrearsrisk"
        The MLflow experiment (the training runs' by default, so a model's runs sit
        together).
    pages : bool, default True
        Also log the monitoring pages (zh and en) as artifacts.

    Returns
    -------
    MonitoringRun
        The run id, its experiment and the registered version (``NAME/VERSION``) if any.

    Raises
    ------
    ArrearsRiskError
        If ``result`` is not a Monitoring or ``model_uri`` is malformed.
    TrackingError
        If the store fails, no version of ``model_name`` holds the model, or the version
        named holds another model.
    """
    from arrearsrisk.monitoring import Monitoring

    if not isinstance(result, Monitoring):
        raise ArrearsRiskError(
            f"log_monitoring logs the result of arrearsrisk.monitor; got {type(result).__name__}."
        )
    uri = tracking_uri()
    with _using(uri):
        client = MlflowClient()
        try:
            where = _resolve(client, model_uri, model_name, version, result.model_version)
            registered = f"{where[0]}/{where[1]}" if where else None
            experiment_id = _experiment_id(client, experiment, uri)
            metrics = monitoring_metrics(result)
            run_id = _log(client, result, experiment_id, registered, metrics, pages)
            if where is not None:
                span = f"{result.months[0]}..{result.months[-1]}" if result.months else ""
                client.set_model_version_tag(where[0], where[1], "last_monitoring_run", run_id)
                client.set_model_version_tag(where[0], where[1], "last_monitoring_months", span)
        except MlflowException as err:
            raise TrackingError(
                f"MLflow tracking at {_redacted(uri)} failed to log the monitoring: {err.message}"
            ) from err
    return MonitoringRun(run_id, experiment_id, registered, len(metrics))


def _log(
    client: MlflowClient,
    result: Any,
    experiment_id: str,
    registered: str | None,
    metrics: list[tuple[str, float, int, int]],
    pages: bool,
) -> str:
    from mlflow.entities import Metric

    months = list(result.months)
    span = f"{months[0]}..{months[-1]}" if months else "-"
    tags = {
        "run_kind": RUN_KIND,
        "model_version": result.model_version,
        "monitoring_months": span,
        "alert_rows": str(int((result.table["verdict"] == "alert").sum())),
        "watch_rows": str(int((result.table["verdict"] == "watch").sum())),
        "mlflow.note.content": _summary(result, registered),
    }
    if registered:
        tags["registered_model"] = registered
    run = client.create_run(
        experiment_id, run_name=f"monitor {span} {result.model_version}", tags=tags
    )
    run_id = str(run.info.run_id)
    try:
        for key, value in _params(result).items():
            client.log_param(run_id, key, value)
        batch = [Metric(k, v, t, s) for k, v, s, t in metrics]
        for start in range(0, len(batch), 1000):
            client.log_batch(run_id, metrics=batch[start : start + 1000])
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            result.table.to_csv(folder / "monitoring.csv", index=False)
            result.first_flags().to_csv(folder / "first_flags.csv", index=False)
            if isinstance(result.segments, pd.DataFrame):
                result.segments.to_csv(folder / "segments.csv", index=False)
            if pages:
                from arrearsrisk.reports.monitoring_page import write_monitoring_page

                write_monitoring_page(result, folder / "monitoring.html", "zh")
                write_monitoring_page(result, folder / "monitoring_en.html", "en")
            client.log_artifacts(run_id, str(folder))
    except BaseException:
        client.set_terminated(run_id, "FAILED")
        raise
    client.set_terminated(run_id, "FINISHED")
    return run_id

"""What a run holds, and how a training becomes one MLflow run: :func:`training_run`
opens the run before the fit (so its duration is the training's) and its
:meth:`TrainingRun.log` logs the result; :func:`log_training` does both after the fact.

A run holds:

* **name**: its data window and model version, e.g. ``2024-01..2025-09 20261122-f5a622cb``
  (unless a name is given); **description** (the run's note): the headline test metrics;
* **params**: LightGBM parameters, seed, label parameters, the train / valid / test
  windows, grade cut-offs and warning threshold with their rules, feature counts, the
  data hash, package versions and the boosters' best iterations;
* **dataset** input (context ``training``): the training frame's ids, features and
  labels as an MLflow pandas dataset, its digest the bundle's data hash
  (``data_sha256_16``: sha256 of the whole frame, first 16 hex digits);
* **metrics**: every out-of-time metric of each model, prefixed by its name
  (``model_grade_I_auc``, ``manual_grade_I_auc``, ``logistic_grade_I_auc``, ...; the
  figures of ``TrainResult.metrics``, else of its evaluations), and
  ``psi_p_I_train_test``; and step series, one step a month (the step is the month's
  index, the timestamp the month end): ``backtest/<model>_<metric>`` over the backtests
  of ``TrainResult.backtests``, and ``test_month/<model>_<metric>`` over the test months
  (the evaluations' breakdown by month) unless the backtests are months already;
* **tags**: ``model_version``, ``psi_verdict``, ``data_window``, and
  ``registered_model`` once registered;
* **artifacts**: ``plots/*.png``, ``tables/<model>/*.csv``, ``metrics.csv``,
  ``feature_list.json``, ``split.json``, ``manual_rule.txt``, ``bundle/`` (the saved
  model folder), with backtests ``tables/backtests.csv`` (and ``plots/backtests.png``
  when :mod:`arrearsrisk.evaluation.plots` has ``backtest_figure``), and ``model``, an
  MLflow pyfunc model with its signature that scores customers from their ledger rows
  (:mod:`arrearsrisk.tracking.pyfunc`, :mod:`arrearsrisk.tracking.serving`).

Registering (``register_as``) reuses the version of an identical model (same
``model_version``) instead of registering it again, describes a new version (window,
seed, test metrics) and moves the alias, keeping the version it replaces as
``previous`` (:func:`~arrearsrisk.tracking.promotion.rollback` moves it back).

Examples
--------
>>> import arrearsrisk as ar
>>> result = ar.train(frame, register_as="arrearsrisk")  # doctest: +SKIP
>>> model = ar.load_model("models:/arrearsrisk@champion")  # doctest: +SKIP

A training of your own, tracked from its start:

>>> with training_run(frame, experiment="arrearsrisk") as run:  # doctest: +SKIP
...     result = ar.models.fit(frame)
...     run.log(result, frame)
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from arrearsrisk.errors import ArrearsRiskError, TrackingError
from arrearsrisk.tracking.pyfunc import BUNDLE_ARTIFACT, _log_model
from arrearsrisk.tracking.registry import _register, _set_alias
from arrearsrisk.tracking.store import (
    TRACKING_URI_ENV,
    MlflowClient,
    MlflowException,
    _experiment_id,
    _redacted,
    _using,
    mlflow,
    tracking_uri,
)

if TYPE_CHECKING:
    from arrearsrisk.models import RiskModel, TrainResult

__all__ = ["DEFAULT_EXPERIMENT", "TrainingRun", "log_training", "training_run"]

DEFAULT_EXPERIMENT = "arrearsrisk"
"""The experiment of :func:`log_training` unless another is named."""

ID_COLUMNS = ("customer_id", "as_of")
LABEL_COLUMNS = ("grade", "a_warning")
DATASET_CONTEXT = "training"
"""The context of the training frame among the run's inputs."""
_BATCH = 1000  # metrics per log_batch call (the REST API's limit)


# --- what a run holds -------------------------------------------------------------------


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _params(result: TrainResult) -> dict[str, Any]:
    from arrearsrisk.models.bundle import package_versions

    model = result.model
    info = model.info
    params: dict[str, Any] = {}
    for key, value in result.params.items():
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)  # monotone_constraints: "0,1,1,-1,..."
        params[key] = value
    params["seed"] = info.get("seed")
    for key, value in info.get("labels", {}).items():
        params[f"label_{key}"] = value
    rows = info.get("rows", {})
    for part, cutoffs in result.split.items():
        params[f"{part}_first"] = str(pd.Timestamp(cutoffs[0]).date())
        params[f"{part}_last"] = str(pd.Timestamp(cutoffs[-1]).date())
        params[f"{part}_cutoffs"] = len(cutoffs)
        params[f"{part}_rows"] = rows.get(part)
    params["cutoff_I"] = model.cutoff_I
    params["cutoff_I_II"] = model.cutoff_I_II
    params["warning_threshold"] = model.warning_threshold
    params["grade_rule"] = info.get("grade_rule")
    params["warning_rule"] = info.get("warning_rule")
    params["logistic_cutoff_I"], params["logistic_cutoff_I_II"] = result.logistic_cutoffs
    params["logistic_warning_threshold"] = result.logistic_threshold
    params["n_features"] = len(model.spec.names)
    params["n_categorical_features"] = len(model.spec.categories)
    params["data_sha256_16"] = info.get("data_sha256_16")
    for package, version in package_versions().items():
        params[f"version_{package}"] = version
    params["version_mlflow"] = mlflow.__version__
    for target, iteration in info.get("best_iteration", {}).items():
        params[f"best_iteration_{target}"] = iteration
    return {k: v for k, v in params.items() if v is not None}


def _metrics(result: TrainResult) -> dict[str, float]:
    """Every metric of each model's evaluation, with the headline figures of
    ``result.metrics`` where they differ (e.g. means over backtests)."""
    out = {}
    for name, evaluation in result.evaluations.items():
        values: dict[Any, Any] = dict(evaluation.metrics)
        if name in result.metrics.index:
            values.update(result.metrics.loc[name].to_dict())
        out.update({f"{name}_{key}": float(v) for key, v in values.items() if _finite(v)})
    if _finite(result.psi):
        out["psi_p_I_train_test"] = float(result.psi)
    return out


def _feature_list(model: RiskModel, monotone: Any) -> list[dict[str, Any]]:
    signs = list(monotone) if isinstance(monotone, list | tuple) else []
    out = []
    for i, name in enumerate(model.spec.names):
        entry: dict[str, Any] = {
            "name": name,
            "kind": "categorical" if name in model.spec.categories else "numeric",
        }
        if name in model.spec.categories:
            entry["categories"] = list(model.spec.categories[name])
        if i < len(signs):
            entry["monotone"] = int(signs[i])
        out.append(entry)
    return out


def _write_plots(result: TrainResult, folder: Path) -> None:
    from arrearsrisk.evaluation import plots

    evals = result.evaluations
    confusion = {name: ev.confusion for name, ev in evals.items()}
    first = next(iter(confusion.values()))
    counts = pd.DataFrame(
        {
            "true": first.sum(axis=1),
            **{name: table.sum(axis=0) for name, table in confusion.items()},
        }
    )
    figures = {
        "roc_grade_I": lambda: plots.roc_figure(evals, "grade_I"),
        "roc_grade_I_II": lambda: plots.roc_figure(evals, "grade_I_II"),
        "calibration_grade_I": lambda: plots.calibration_figure(evals, "grade_I"),
        "calibration_warning": lambda: plots.calibration_figure(evals, "warning"),
        "confusion_model": lambda: plots.confusion_figure(evals["model"], name="model"),
        "feature_importance_grade_I": lambda: plots.feature_importance_figure(
            result.model.feature_importance("grade_I")
        ),
        "grade_distribution": lambda: plots.grade_distribution_figure(counts),
        "pr_warning": lambda: plots.pr_figure(evals),
    }
    for name, draw in figures.items():
        plots.save_figure(draw(), folder / "plots" / f"{name}.png")


def _write_files(result: TrainResult, folder: Path) -> Path:
    """Write every artifact but the pyfunc model under ``folder``; return the bundle."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_plots(result, folder)
    for name, evaluation in result.evaluations.items():
        tables = folder / "tables" / name
        tables.mkdir(parents=True, exist_ok=True)
        for table, data in evaluation.tables().items():
            data.to_csv(tables / f"{table}.csv", index=False)
    result.metrics.rename_axis("model").to_csv(folder / "metrics.csv")
    features = _feature_list(result.model, result.params.get("monotone_constraints"))
    (folder / "feature_list.json").write_text(json.dumps(features, indent=2, ensure_ascii=False))
    split = {k: [str(pd.Timestamp(t).date()) for t in v] for k, v in result.split.items()}
    (folder / "split.json").write_text(json.dumps(split, indent=2))
    (folder / "manual_rule.txt").write_text(result.manual_rule + "\n", encoding="utf-8")
    backtests = _backtests(result)
    if backtests is not None:
        backtests.to_csv(folder / "tables" / "backtests.csv", index=False)
        _write_backtest_plot(backtests, folder)
    return Path(result.model.save(folder / BUNDLE_ARTIFACT))


def _backtests(result: TrainResult) -> pd.DataFrame | None:
    """The result's backtests (one row per backtest and model: ``month``, or ``fold``,
    ``model`` and metric columns), if it has any."""
    backtests = getattr(result, "backtests", None)
    if not isinstance(backtests, pd.DataFrame) or backtests.empty:
        return None
    if "model" not in backtests.columns or not {"month", "fold"} & set(backtests.columns):
        return None
    return backtests


def _write_backtest_plot(backtests: pd.DataFrame, folder: Path) -> None:
    """``plots/backtests.png``, when the plots module can draw it."""
    from arrearsrisk.evaluation import plots

    draw = getattr(plots, "backtest_figure", None)
    if draw is not None:
        plots.save_figure(draw(backtests), folder / "plots" / "backtests.png")


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _month(label: Any) -> pd.Timestamp | None:
    """A backtest's month: a date, or a fold named by its ISO date; else None."""
    if isinstance(label, pd.Timestamp | dt.date):
        return pd.Timestamp(label)
    if isinstance(label, str) and _ISO_DATE.match(label):
        return pd.Timestamp(label)
    return None


def _series(prefix: str, table: pd.DataFrame, when: str) -> list[Any]:
    """One MLflow metric per row and metric column of ``table``: the key
    ``<prefix>/<model>_<metric>``, the step the index of the row's ``when`` value (in
    order), the timestamp its month end (now, for a fold that is no month)."""
    from mlflow.entities import Metric

    labels = table[when]
    months = {label: _month(label) for label in labels.unique()}

    def position(label: Any) -> tuple[int, int, str]:  # months in time, then other folds
        month = months[label]
        return (0, int(month.value), "") if month is not None else (1, 0, str(label))

    order = sorted(months, key=position)
    steps = {label: i for i, label in enumerate(order)}
    now = int(pd.Timestamp.now(tz="UTC").timestamp() * 1000)
    values = table.drop(columns=[when, "model"]).select_dtypes(["number", "bool"])
    grid = values.to_numpy(dtype=float, na_value=math.nan)
    out = []
    for i, (label, model) in enumerate(zip(labels, table["model"].astype(str), strict=True)):
        month = months[label]
        stamp = now if month is None else int(month.timestamp() * 1000)
        for key, value in zip(values.columns, grid[i], strict=True):
            if math.isfinite(value):
                out.append(Metric(f"{prefix}/{model}_{key}", float(value), stamp, steps[label]))
    return out


def _month_series(result: TrainResult) -> list[Any]:
    """The step series of the run, one MLflow metric per model, metric and month: per
    backtest, and per test month (the evaluations' breakdown by ``as_of``) unless the
    backtests are months already."""
    out = []
    backtests = _backtests(result)
    monthly = False
    if backtests is not None:
        when = "month" if "month" in backtests else "fold"
        out += _series("backtest", backtests, when)
        monthly = all(_month(label) is not None for label in backtests[when])
    if monthly:
        return out
    for name, evaluation in result.evaluations.items():
        table = evaluation.breakdown
        if table.empty or "by" not in table.columns:
            continue
        months = table[table["by"] == "as_of"].drop(columns=["by"])
        out += _series("test_month", months.assign(model=name), "group")
    return out


def _window(first: Any, last: Any) -> str:
    return f"{pd.Timestamp(first):%Y-%m}..{pd.Timestamp(last):%Y-%m}"


def _data_window(result: TrainResult) -> str:
    cutoffs = [t for part in result.split.values() for t in part]
    return _window(min(cutoffs), max(cutoffs))


def _run_name(result: TrainResult) -> str:
    """The run's name: its data window and model version."""
    return f"{_data_window(result)} {result.model.version}"


def _headline(result: TrainResult) -> str:
    """Markdown: the window and the out-of-time test metrics of the model and baselines."""
    headline = ("grade_I_auc", "grade_I_II_auc", "warning_pr_auc", "macro_f1", "brier")
    shown = [c for c in headline if c in result.metrics.columns]
    lines = [
        "| test metric | " + " | ".join(result.metrics.index) + " |",
        "|---|" + "---|" * len(result.metrics.index),
    ]
    for column in shown:
        values = " | ".join(f"{v:.4f}" for v in result.metrics[column])
        lines.append(f"| {column} | {values} |")
    windows = ", ".join(
        f"{part} {_window(cutoffs[0], cutoffs[-1])} ({len(cutoffs)} months)"
        for part, cutoffs in result.split.items()
    )
    return (
        f"arrearsrisk model **{result.model.version}**, seed {result.model.info.get('seed')}; "
        f"{windows}.\n\n" + "\n".join(lines)
    )


def _dataset(result: TrainResult, frame: pd.DataFrame) -> Any:
    """The training frame as an MLflow dataset: ids, the model's features and labels,
    with the bundle's data hash as its digest (MLflow's own digest reads only the first
    10,000 rows)."""
    from mlflow.data.pandas_dataset import from_pandas

    from arrearsrisk.models.fitting import _data_hash

    columns = [*ID_COLUMNS, *result.model.spec.names, *LABEL_COLUMNS]
    data = frame[columns] if all(c in frame.columns for c in columns) else frame
    digest = result.model.info.get("data_sha256_16") or _data_hash(data)
    return from_pandas(
        data,
        targets="grade" if "grade" in data.columns else None,
        name=f"training frame {_data_window(result)}",
        digest=str(digest),
    )


# --- logging a training -----------------------------------------------------------------


@dataclass
class TrainingRun:
    """An open MLflow run of one training, from :func:`training_run`.

    Attributes
    ----------
    run_id : str
        The run's id.
    experiment_id : str
        Its experiment.
    name : str or None
        The run name asked for (None: named after its data window and model version
        when logged).
    """

    run_id: str
    experiment_id: str
    name: str | None
    _uri: str
    logged: bool = False

    def log(
        self,
        result: TrainResult,
        frame: pd.DataFrame,
        *,
        register_as: str | None = None,
        alias: str = "champion",
    ) -> str:
        """Log ``result`` (and ``frame`` as the run's training dataset) in this run;
        optionally register its model.  Returns the run id.

        Parameters are those of :func:`log_training`.

        Raises
        ------
        ArrearsRiskError
            If ``register_as`` or ``alias`` is not a name, or the run was logged already.
        TrackingError
            If the tracking store refuses the run or the registration.
        """
        _check_registration(register_as, alias)
        if self.logged:
            raise ArrearsRiskError(
                f"run {self.run_id} holds a training already; open another training_run."
            )
        uri = self._uri
        with _using(uri):
            client = MlflowClient()
            try:
                info = _log_result(result, frame, client, self.run_id, self.name)
            except MlflowException as err:
                raise TrackingError(
                    f"MLflow tracking at {_redacted(uri)} failed: {err.message}\n"
                    f"  hint: check {TRACKING_URI_ENV}, or train(..., track=False)."
                ) from err
            self.logged = True
            if register_as is not None:
                try:
                    version = _register(
                        client,
                        register_as,
                        info.model_uri,
                        self.run_id,
                        result.model.version,
                        _headline(result) + f"\n\nLogged by run `{self.run_id}`.",
                    )
                    _set_alias(
                        client,
                        register_as,
                        alias,
                        version,
                        f"set by train(register_as={register_as!r}) from run {self.run_id}, "
                        "without a comparison",
                    )
                    client.set_tag(self.run_id, "registered_model", f"{register_as}/{version}")
                except MlflowException as err:
                    raise TrackingError(
                        f"run {self.run_id} was logged to {_redacted(uri)}, but registering "
                        f"its model as {register_as!r} failed: {err.message}\n"
                        f"  hint: register it later with arrearsrisk.tracking.promote("
                        f"{self.run_id!r}, {register_as!r})."
                    ) from err
        return self.run_id


def _check_registration(register_as: str | None, alias: str) -> None:
    if register_as is not None and (not isinstance(register_as, str) or not register_as.strip()):
        raise ArrearsRiskError(f"register_as must be a model name; got {register_as!r}.")
    if register_as is not None and (not isinstance(alias, str) or not alias.strip()):
        raise ArrearsRiskError(f"alias must be a non-empty name; got {alias!r}.")


def _log_result(
    result: TrainResult, frame: pd.DataFrame, client: MlflowClient, run_id: str, name: str | None
) -> Any:
    """Log everything of ``result`` into the active run ``run_id``; return the model info."""
    mlflow.log_params(_params(result))
    mlflow.set_tags(
        {
            "model_version": result.model.version,
            "psi_verdict": str(result.psi_verdict),
            "data_window": _data_window(result),
            "mlflow.note.content": _headline(result),
        }
    )
    mlflow.log_input(_dataset(result, frame), context=DATASET_CONTEXT)
    with tempfile.TemporaryDirectory(prefix="arrearsrisk-run-") as tmp:
        files = Path(tmp) / "run"
        bundle = _write_files(result, files)
        mlflow.log_artifacts(str(files))
        info = _log_model(result, frame, bundle, Path(tmp))
    mlflow.log_metrics(_metrics(result), model_id=info.model_id)
    series = _month_series(result)
    for start in range(0, len(series), _BATCH):
        client.log_batch(run_id, metrics=series[start : start + _BATCH])
    client.update_run(run_id, name=name or _run_name(result))
    return info


def _provisional_name(frame: pd.DataFrame | None) -> str:
    if isinstance(frame, pd.DataFrame) and "as_of" in frame.columns and len(frame):
        as_of = pd.to_datetime(frame["as_of"])
        return f"{_window(as_of.min(), as_of.max())} training"
    return "training"


@contextmanager
def training_run(
    frame: pd.DataFrame | None = None,
    *,
    experiment: str = DEFAULT_EXPERIMENT,
    run_name: str | None = None,
) -> Iterator[TrainingRun]:
    """Open one MLflow run around a training, so the run lasts as long as the work.

    Fit inside the ``with`` block, then call :meth:`TrainingRun.log` with the result.
    The run is FINISHED when the block ends, FAILED if it raises.  Until it is logged
    it is named after the frame's window (``2024-01..2025-09 training``), then after
    its data window and model version, unless ``run_name`` is given.

    Parameters
    ----------
    frame : pandas.DataFrame, optional
        The training frame, only to name the run while it trains.
    experiment : str, default "arrearsrisk"
        MLflow experiment, created if missing (tagged to open in MLflow's model-training
        view).
    run_name : str, optional
        The run's name.

    Yields
    ------
    TrainingRun
        The open run; ``.log(result, frame, register_as=..., alias=...)`` logs the
        training in it.

    Raises
    ------
    ArrearsRiskError
        If ``experiment`` is not a name.
    TrackingError
        If the experiment is deleted or the tracking store refuses the run (before
        the block runs).

    Examples
    --------
    >>> with training_run(frame) as run:  # doctest: +SKIP
    ...     result = ar.models.fit(frame)
    ...     run.log(result, frame, register_as="arrearsrisk")
    """
    uri = tracking_uri()
    with _using(uri):
        client = MlflowClient()
        try:
            experiment_id = _experiment_id(client, experiment, uri)
            active = mlflow.start_run(
                experiment_id=experiment_id,
                run_name=run_name or _provisional_name(frame),
                nested=mlflow.active_run() is not None,
            )
        except MlflowException as err:
            raise TrackingError(
                f"MLflow tracking at {_redacted(uri)} failed: {err.message}\n"
                f"  hint: check {TRACKING_URI_ENV}, or train(..., track=False)."
            ) from err
        with active:  # FINISHED at the end of the block, FAILED if it raises
            yield TrainingRun(str(active.info.run_id), experiment_id, run_name, uri)


def log_training(
    result: TrainResult,
    frame: pd.DataFrame,
    *,
    experiment: str = DEFAULT_EXPERIMENT,
    run_name: str | None = None,
    register_as: str | None = None,
    alias: str = "champion",
) -> str:
    """Log one training, after the fact, as one MLflow run; optionally register its model.

    :func:`arrearsrisk.train` opens the run before fitting instead (:func:`training_run`),
    so the run's duration is the training's; this logs a result fitted elsewhere.

    Parameters
    ----------
    result : TrainResult
        What :func:`arrearsrisk.train` fitted and measured.
    frame : pandas.DataFrame
        The training frame: logged as the run's training dataset; a few of its feature
        rows become the model's input example.
    experiment : str, default "arrearsrisk"
        MLflow experiment, created if missing.
    run_name : str, optional
        The run's name (default: its data window and model version).
    register_as : str, optional
        Register the logged model under this name (or reuse the version of an identical
        model, same ``model_version``) and point ``alias`` at it, so
        ``ar.load_model(f"models:/{register_as}@{alias}")`` loads it; the version the
        alias named before keeps the alias ``previous``.  No comparison: use
        :func:`~arrearsrisk.tracking.promotion.promote` to move an alias on evidence.
    alias : str, default "champion"
        The alias set when registering.

    Returns
    -------
    str
        The run id; the pyfunc model is ``runs:/<run_id>/model``.

    Raises
    ------
    ArrearsRiskError
        If ``experiment``, ``register_as`` or ``alias`` is not a name.
    TrackingError
        If the experiment is deleted or the tracking store refuses the run.
    """
    _check_registration(register_as, alias)
    with training_run(frame, experiment=experiment, run_name=run_name) as run:
        return run.log(result, frame, register_as=register_as, alias=alias)

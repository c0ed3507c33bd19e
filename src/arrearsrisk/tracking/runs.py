"""What a run holds, and :func:`log_training`, which logs one training as one MLflow run.

A run of :func:`log_training` holds:

* **params**: LightGBM parameters, seed, label parameters, the train / valid / test
  windows, grade cut-offs and warning threshold with their rules, feature counts, the
  data hash, package versions and the boosters' best iterations;
* **metrics**: every out-of-time metric of each model, prefixed by its name
  (``model_grade_I_auc``, ``manual_grade_I_auc``, ``logistic_grade_I_auc``, ...), and
  ``psi_p_I_train_test``;
* **tags**: ``model_version``, ``psi_verdict``;
* **artifacts**: ``plots/*.png``, ``tables/<model>/*.csv``, ``metrics.csv``,
  ``feature_list.json``, ``split.json``, ``manual_rule.txt``, ``bundle/`` (the saved
  model folder) and ``model``, an MLflow pyfunc model with its signature that serves
  :meth:`RiskModel.predict <arrearsrisk.models.risk_model.RiskModel.predict>`
  (:mod:`arrearsrisk.tracking.pyfunc`).

Examples
--------
>>> import arrearsrisk as ar
>>> result = ar.train(frame, register_as="arrearsrisk")  # doctest: +SKIP
>>> model = ar.load_model("models:/arrearsrisk@champion")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from arrearsrisk.errors import ArrearsRiskError, TrackingError
from arrearsrisk.tracking.pyfunc import BUNDLE_ARTIFACT, _log_model
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

__all__ = ["DEFAULT_EXPERIMENT", "log_training"]

DEFAULT_EXPERIMENT = "arrearsrisk"
"""The experiment of :func:`log_training` unless another is named."""


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
    out = {
        f"{name}_{key}": float(value)
        for name, evaluation in result.evaluations.items()
        for key, value in evaluation.metrics.items()
        if _finite(value)
    }
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
    return Path(result.model.save(folder / BUNDLE_ARTIFACT))


# --- logging a training -----------------------------------------------------------------


def log_training(
    result: TrainResult,
    frame: pd.DataFrame,
    *,
    experiment: str = DEFAULT_EXPERIMENT,
    run_name: str | None = None,
    register_as: str | None = None,
    alias: str = "champion",
) -> str:
    """Log one training as one MLflow run; optionally register its model.

    Parameters
    ----------
    result : TrainResult
        What :func:`arrearsrisk.train` fitted and measured.
    frame : pandas.DataFrame
        The training frame (a few of its feature rows become the model's input example).
    experiment : str, default "arrearsrisk"
        MLflow experiment, created if missing.
    run_name : str, optional
        The run's name (MLflow makes one up otherwise).
    register_as : str, optional
        Register the logged model under this name and point ``alias`` at the new
        version, so ``ar.load_model(f"models:/{register_as}@{alias}")`` loads it.
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
    if register_as is not None and (not isinstance(register_as, str) or not register_as.strip()):
        raise ArrearsRiskError(f"register_as must be a model name; got {register_as!r}.")
    if register_as is not None and (not isinstance(alias, str) or not alias.strip()):
        raise ArrearsRiskError(f"alias must be a non-empty name; got {alias!r}.")
    uri = tracking_uri()
    with _using(uri):
        client = MlflowClient()
        try:
            experiment_id = _experiment_id(client, experiment, uri)
            with (
                tempfile.TemporaryDirectory(prefix="arrearsrisk-run-") as tmp,
                mlflow.start_run(
                    experiment_id=experiment_id,
                    run_name=run_name,
                    nested=mlflow.active_run() is not None,
                ) as run,
            ):
                mlflow.log_params(_params(result))
                mlflow.set_tags(
                    {
                        "model_version": result.model.version,
                        "psi_verdict": str(result.psi_verdict),
                    }
                )
                files = Path(tmp) / "run"
                bundle = _write_files(result, files)
                mlflow.log_artifacts(str(files))
                info = _log_model(result, frame, bundle, Path(tmp))
                mlflow.log_metrics(_metrics(result), model_id=info.model_id)
                run_id = str(run.info.run_id)
        except MlflowException as err:
            raise TrackingError(
                f"MLflow tracking at {_redacted(uri)} failed: {err.message}\n"
                f"  hint: check {TRACKING_URI_ENV}, or train(..., track=False)."
            ) from err
        if register_as is not None:
            try:
                version = mlflow.register_model(info.model_uri, register_as)
                client.set_registered_model_alias(register_as, alias, version.version)
                client.set_model_version_tag(
                    register_as, version.version, "model_version", result.model.version
                )
            except MlflowException as err:
                raise TrackingError(
                    f"run {run_id} was logged to {_redacted(uri)}, but registering its model "
                    f"as {register_as!r} failed: {err.message}\n"
                    f"  hint: register it later with mlflow.register_model("
                    f"{info.model_uri!r}, {register_as!r})."
                ) from err
    return run_id

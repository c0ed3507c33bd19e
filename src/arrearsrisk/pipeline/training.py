"""``arrearsrisk.train``: fit, then save the bundle, then log the run to MLflow.

The one place that composes training with I/O: :func:`arrearsrisk.models.fit` fits and
measures (no I/O), :meth:`RiskModel.save <arrearsrisk.models.RiskModel.save>` writes the
bundle, and :func:`arrearsrisk.tracking.training_run` holds the MLflow run open around
both and logs the result in it (MLflow is imported only when ``track=True``).
"""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from arrearsrisk.models.fitting import TrainResult, fit
from arrearsrisk.models.risk_model import RiskModel

__all__ = ["train", "training_reference"]

_OWN_STEPS = 2
"""Saving and tracking, on the progress bar that :func:`~arrearsrisk.models.fit` extends
with its own steps (one per backtest, the evaluation, the deployed model)."""


def train(
    frame: pd.DataFrame,
    *,
    features: list[str] | None = None,
    validation: str = "auto",
    valid_months: int = 3,
    test_months: int = 3,
    folds: int = 5,
    horizon_months: int | None = None,
    grace_days: int | None = None,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    num_boost_round: int = 2000,
    early_stopping_rounds: int = 50,
    warning_precision: float = 0.5,
    warning_capacity: int | None = None,
    calibration_months: int = 1,
    workers: int | None = None,
    track: bool = True,
    experiment: str = "arrearsrisk",
    run_name: str | None = None,
    register_as: str | None = None,
    alias: str = "champion",
    save_to: str | Path | None = None,
    progress: bool = False,
) -> TrainResult:
    """Train the grade and warning models on a training frame and evaluate them out of
    time; save the bundle and log the run if asked.

    Parameters
    ----------
    frame, features, validation, valid_months, test_months, folds, horizon_months, \
grace_days, seed, params, num_boost_round, early_stopping_rounds, warning_precision, \
warning_capacity, calibration_months, workers
        As :func:`arrearsrisk.models.fit`: the training frame from
        :func:`arrearsrisk.training_frame`, how to measure it (rolling-origin backtests
        or customer folds) and how to fit it.
    track : bool, default True
        Log the run to MLflow (``MLFLOW_TRACKING_URI``, else ``sqlite:///mlflow.db``
        in the working folder): the run opens before the fit and closes after the
        logging, FAILED if the training raises.
    experiment, run_name : str
        MLflow experiment and run names.
    register_as : str, optional
        Register the logged model under this name and point ``alias`` at it, so
        ``ar.load_model(f"models:/{register_as}@{alias}")`` loads it.
    alias : str, default "champion"
        The alias set when registering.
    save_to : str or path, optional
        Also save the bundle to this folder (e.g. ``models/latest``).
    progress : bool
        Show a progress bar over the steps.

    Returns
    -------
    TrainResult
        With ``bundle`` set when saved and ``run_id`` when tracked.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> ledger = ar.read_ledger("data/sample")
    >>> frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    >>> result = ar.train(frame, track=False)  # doctest: +SKIP
    >>> result.metrics.loc[["model", "manual", "logistic"], "grade_I_auc"]  # doctest: +SKIP

    (Skipped here: training takes a minute; ``tests/models/test_fit.py`` trains on the
    sample.)
    """
    steps = tqdm(total=_OWN_STEPS, desc="train", unit="step", disable=not progress)
    run: Any = contextlib.nullcontext()
    if track:  # the MLflow run opens before the fit, so it lasts as long as the training
        from arrearsrisk.tracking import training_run

        run = training_run(frame, experiment=experiment, run_name=run_name)
    with run as tracked:
        result = fit(
            frame,
            features=features,
            validation=validation,
            valid_months=valid_months,
            test_months=test_months,
            folds=folds,
            horizon_months=horizon_months,
            grace_days=grace_days,
            seed=seed,
            params=params,
            num_boost_round=num_boost_round,
            early_stopping_rounds=early_stopping_rounds,
            warning_precision=warning_precision,
            warning_capacity=warning_capacity,
            calibration_months=calibration_months,
            workers=workers,
            progress=steps,
        )
        result.model.reference = training_reference(frame, result.model)
        if save_to is not None:
            steps.set_postfix_str("save")
            result = dataclasses.replace(result, bundle=Path(result.model.save(save_to)))
        steps.update()
        if tracked is not None:
            steps.set_postfix_str("MLflow")
            run_id = tracked.log(result, frame, register_as=register_as, alias=alias)
            result = dataclasses.replace(result, run_id=run_id)
        steps.update()
    steps.close()
    return result


def training_reference(frame: pd.DataFrame, model: RiskModel) -> dict[str, Any]:
    """The frozen monitoring reference of ``model`` on its training ``frame`` (every
    cutoff, at most :data:`~arrearsrisk.monitoring.sampling.MAX_REFERENCE_ROWS` rows
    sampled by whole customers within each month, scored by the deployed model), as
    saved in the bundle (:func:`arrearsrisk.monitoring.sampling.reference_of_frame`)."""
    from arrearsrisk.monitoring.sampling import reference_of_frame

    return reference_of_frame(frame, model).to_dict()

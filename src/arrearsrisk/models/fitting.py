"""Training: time-ordered splits, LightGBM with monotone constraints, calibration,
grade cut-offs and the warning threshold, baselines, evaluation and tracking.

The as-of dates of a training frame are split in time, never at random:

* **test**: the last ``test_months`` cutoffs, reported on (out of time);
* **validation**: the ``valid_months`` latest cutoffs whose outcome window ends on or
  before the first test cutoff; used for early stopping, calibration, grade cut-offs
  and the warning threshold;
* **train**: every cutoff whose outcome window ends on or before the first validation
  cutoff.

The outcome of cutoff *t* is known only at *t + H months + g days*, so the gaps
("embargo") keep every label used for fitting in the past of the data it is judged
on.  Cutoffs inside a gap are left out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from arrearsrisk.asof.labels import GRADE_DTYPE, label_end
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.models.risk_model import TARGETS, Calibrator, FeatureSpec, RiskModel

if TYPE_CHECKING:  # scikit-learn is imported when training, not with the package
    from arrearsrisk.evaluation.metrics import Evaluation

__all__ = ["DEFAULT_PARAMS", "MONOTONE", "TrainResult", "time_split", "train"]

ID_COLUMNS = ("customer_id", "as_of")
LABEL_COLUMNS = ("grade", "a_warning")

DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.08,
    "num_leaves": 7,
    "max_depth": 4,
    "min_data_in_leaf": 80,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_cat_to_onehot": 8,
    "cat_smooth": 20.0,
    "deterministic": True,
    "force_col_wise": True,
    "verbose": -1,
}
"""LightGBM parameters of every booster (``seed`` is added from ``train``'s ``seed``).

Shallow trees (7 leaves, depth 4): on the sample they rank as well as 31-leaf trees
(Grade I AUC 0.925 against 0.926 out of time) while the per-customer contributions
behind the reasons, whose cost grows with leaves times depth squared, are 11 times
cheaper (1.2 s against 12.9 s per 20,000 customers).

No ``num_threads``: LightGBM then uses OpenMP's default (all cores, or
``OMP_NUM_THREADS``).  Never run several trainings that each take every core: OpenMP
threads spin while they wait, and oversubscribed cores slow training tenfold."""

MONOTONE: dict[str, int] = {
    **{
        f"{stem}_{w}m": 1
        for stem in (
            "late_bills_count",
            "late_bills_share",
            "serious_late_bills_count",
            "serious_late_bills_share",
        )
        for w in (3, 6, 12, 24)
    },
    "days_late_mean_12m": 1,
    "days_late_max_12m": 1,
    "arrears_amount": 1,
    "arrears_to_bill_ratio": 1,
    "overdue_bills_open": 1,
    "oldest_overdue_days": 1,
    "late_streak": 1,
    "on_time_streak": -1,
}
"""Features whose effect on risk has a known direction: more (seriously) late bills or
arrears never lower the risk; a longer run of on-time bills never raises it."""


@dataclass
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    model : RiskModel
        The fitted model (grade and warning).
    metrics : pandas.DataFrame
        Out-of-time metrics, one row per model (``model``, ``manual``, ``logistic``).
    evaluations : dict of str to Evaluation
        The full evaluation of each, on the test slice, broken down by category and
        month.
    split : dict of str to list of Timestamp
        The cutoffs of ``train``, ``valid`` and ``test``.
    psi : float
        Population stability of ``p_I`` between the train and test slices.
    run_id : str or None
        The MLflow run, when tracked.
    bundle : pathlib.Path or None
        Where the model was saved, if it was.
    """

    model: RiskModel
    metrics: pd.DataFrame
    evaluations: dict[str, Evaluation]
    split: dict[str, list[pd.Timestamp]]
    psi: float
    run_id: str | None = None
    bundle: Path | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        head = self.metrics[["grade_I_auc", "warning_pr_auc", "macro_f1"]].round(3)
        return (
            f"TrainResult({self.model.version}, run_id={self.run_id})\n"
            f"out-of-time metrics:\n{head.to_string()}"
        )


def time_split(
    cutoffs: list[pd.Timestamp],
    *,
    valid_months: int = 3,
    test_months: int = 3,
    horizon_months: int = 3,
    grace_days: int = 30,
) -> dict[str, list[pd.Timestamp]]:
    """Split sorted cutoffs into train, validation and test with embargo gaps.

    >>> cuts = list(pd.date_range("2024-01-31", "2025-09-30", freq="ME"))
    >>> s = time_split(cuts)
    >>> for name, part in s.items():
    ...     print(name, part[0].date(), part[-1].date(), len(part))
    train 2024-01-31 2024-09-30 9
    valid 2025-01-31 2025-03-31 3
    test 2025-07-31 2025-09-30 3
    """
    cuts = sorted(cutoffs)
    test = cuts[-test_months:] if test_months > 0 else []
    first_test = test[0] if test else cuts[-1] + pd.Timedelta(days=1)
    before = [t for t in cuts if label_end(t, horizon_months, grace_days) <= first_test]
    valid = before[-valid_months:] if valid_months > 0 else []
    train = (
        [t for t in cuts if label_end(t, horizon_months, grace_days) <= valid[0]] if valid else []
    )
    split = {"train": train, "valid": valid, "test": test}
    empty = [name for name, part in split.items() if not part]
    if empty or len(test) < test_months:
        raise ArrearsRiskError(
            f"the frame's {len(cuts)} cutoffs ({cuts[0].date()} to {cuts[-1].date()}) leave "
            f"no {' / '.join(empty) or 'full test'} slice with valid_months={valid_months}, "
            f"test_months={test_months} and the {horizon_months}-month + {grace_days}-day outcome "
            "gap between slices.\n  hint: use more cutoffs (a longer ledger) or smaller slices."
        )
    return split


def _targets(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    grade = frame["grade"].astype(str).to_numpy()
    return {
        "grade_I": grade == "I",
        "grade_I_II": grade != "III",
        "warning": frame["a_warning"].to_numpy(dtype=bool),
    }


def _check_frame(frame: pd.DataFrame, features: list[str] | None) -> list[str]:
    if not isinstance(frame, pd.DataFrame):
        raise ArrearsRiskError(
            f"train needs a DataFrame from training_frame, got {type(frame).__name__}."
        )
    missing = [c for c in (*ID_COLUMNS, *LABEL_COLUMNS) if c not in frame.columns]
    if missing:
        raise ArrearsRiskError(
            f"the training frame lacks columns {missing}; build it with ar.training_frame "
            "(labels need both grade and a_warning)."
        )
    names = features or [c for c in frame.columns if c not in (*ID_COLUMNS, *LABEL_COLUMNS)]
    unknown = [c for c in names if c not in frame.columns]
    if unknown:
        raise ArrearsRiskError(f"features not in the frame: {unknown[:10]}.")
    bad = ~frame["grade"].astype(str).isin(["I", "II", "III"])
    if bad.any():
        raise ArrearsRiskError(
            f"grade must be I, II or III; got {frame.loc[bad, 'grade'].unique()[:5].tolist()}."
        )
    return names


def _fit_booster(
    params: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    xv: np.ndarray,
    yv: np.ndarray,
    spec: FeatureSpec,
    rounds: int,
    patience: int,
) -> Any:
    import lightgbm as lgb

    names = list(spec.names)
    train_set = lgb.Dataset(
        x,
        y.astype(np.float64),
        feature_name=names,
        categorical_feature=spec.categorical_indices,
        free_raw_data=False,
    )
    valid_set = lgb.Dataset(xv, yv.astype(np.float64), reference=train_set)
    return lgb.train(
        params,
        train_set,
        num_boost_round=rounds,
        valid_sets=[valid_set],
        valid_names=["valid"],
        callbacks=[lgb.early_stopping(patience, verbose=False), lgb.log_evaluation(0)],
    )


def _data_hash(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def _predictions(
    p: np.ndarray,
    pw: np.ndarray | None,
    cutoffs: tuple[float, float],
    threshold: float | None,
    index: pd.Index,
) -> pd.DataFrame:
    from arrearsrisk.evaluation.metrics import grade_from_probabilities

    grades = grade_from_probabilities(p, cutoffs)
    out = pd.DataFrame({"p_I": p[:, 0], "p_II": p[:, 1], "p_III": p[:, 2]}, index=index)
    out["grade"] = pd.Categorical(grades, dtype=GRADE_DTYPE)
    if pw is not None and threshold is not None:
        out["p_warning"] = pw
        out["a_warning"] = pw >= threshold
        out.loc[out["a_warning"], "grade"] = "I"
    return out


def train(
    frame: pd.DataFrame,
    *,
    features: list[str] | None = None,
    valid_months: int = 3,
    test_months: int = 3,
    horizon_months: int | None = None,
    grace_days: int | None = None,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    num_boost_round: int = 2000,
    early_stopping_rounds: int = 100,
    warning_precision: float = 0.5,
    warning_capacity: int | None = None,
    track: bool = True,
    experiment: str = "arrearsrisk",
    run_name: str | None = None,
    register_as: str | None = None,
    alias: str = "champion",
    save_to: str | Path | None = None,
    progress: bool = False,
) -> TrainResult:
    """Train the grade and warning models on a training frame and evaluate them out of time.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`arrearsrisk.training_frame`: ``customer_id``, ``as_of``, features,
        ``grade`` and ``a_warning``.
    features : list of str, optional
        Input columns (default: every column but ids and labels).
    valid_months, test_months : int, default 3
        Cutoffs in the validation and test slices (see :func:`time_split`).
    horizon_months, grace_days : int, optional
        The labels' horizon and grace (for the gaps between slices); default: those the
        frame was built with (``frame.attrs["labels"]``), else 3 and 30.
    seed : int, default 0
        Seed of LightGBM and the baselines: same data and seed give the same model.
    params : dict, optional
        LightGBM parameters overriding :data:`DEFAULT_PARAMS`.
    num_boost_round, early_stopping_rounds : int
        Boosting rounds, stopped early on the validation slice's log loss.
    warning_precision : float, default 0.5
        The warning threshold is the lowest with at least this precision on the
        validation slice...
    warning_capacity : int, optional
        ...unless a collection team's capacity (warnings per month) is given: then the
        threshold flags about that many customers a month on the validation slice.
    track : bool, default True
        Log the run to MLflow (``MLFLOW_TRACKING_URI``, else ``sqlite:///mlflow.db``
        in the working folder).
    experiment, run_name : str
        MLflow experiment and run names.
    register_as : str, optional
        Register the logged model under this name and point ``alias`` at it, so
        ``ar.load_model(f"models:/{register_as}@{alias}")`` loads it.
    save_to : str or path, optional
        Also save the bundle to this folder (e.g. ``models/latest``).
    progress : bool
        Show a progress bar over the steps.

    Returns
    -------
    TrainResult

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> ledger = ar.read_ledger("data/sample")
    >>> frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    >>> result = ar.train(frame, track=False)  # doctest: +SKIP
    >>> result.metrics.loc[["model", "manual", "logistic"], "grade_I_auc"]  # doctest: +SKIP

    (Skipped here: training takes a minute; ``tests/test_fit.py`` trains on the sample.)
    """
    from arrearsrisk.evaluation.metrics import (
        evaluate,
        fit_grade_cutoffs,
        population_stability,
        psi_verdict,
        warning_threshold_for_capacity,
        warning_threshold_for_precision,
    )
    from arrearsrisk.models.baselines import MANUAL_RULE, LogisticBaseline, manual_grades

    names = _check_frame(frame, features)
    labels = frame.attrs.get("labels", {})
    horizon = int(horizon_months if horizon_months is not None else labels.get("horizon_months", 3))
    grace = int(grace_days if grace_days is not None else labels.get("grace_days", 30))
    cutoffs = sorted(pd.to_datetime(frame["as_of"]).unique())
    split = time_split(
        [pd.Timestamp(t) for t in cutoffs],
        valid_months=valid_months,
        test_months=test_months,
        horizon_months=horizon,
        grace_days=grace,
    )
    parts = {k: frame[frame["as_of"].isin(v)] for k, v in split.items()}
    spec = FeatureSpec.from_frame(frame, names)
    x = {k: spec.matrix(p) for k, p in parts.items()}
    y = {k: _targets(p) for k, p in parts.items()}
    lgb_params = {**DEFAULT_PARAMS, **(params or {}), "seed": seed}
    lgb_params["monotone_constraints"] = [MONOTONE.get(n, 0) for n in names]

    steps = tqdm(total=7, desc="train", unit="step", disable=not progress)
    boosters, calibrators, best = {}, {}, {}
    for target in TARGETS:
        steps.set_postfix_str(target)
        if not y["train"][target].any() or not y["valid"][target].any():
            raise ArrearsRiskError(
                f"no positive '{target}' outcome in the "
                f"{'train' if not y['train'][target].any() else 'validation'} slice; "
                "the frame is too small or too short to train on."
            )
        booster = _fit_booster(
            lgb_params,
            x["train"],
            y["train"][target],
            x["valid"],
            y["valid"][target],
            spec,
            num_boost_round,
            early_stopping_rounds,
        )
        boosters[target] = booster
        best[target] = int(booster.best_iteration or booster.current_iteration())
        calibrators[target] = Calibrator.fit(booster.predict(x["valid"]), y["valid"][target])
        steps.update()

    model = RiskModel(boosters, spec, calibrators, 0.5, 0.5, 1.0)
    steps.set_postfix_str("cut-offs and threshold")
    valid_pred = model.predict_matrix(x["valid"])
    p_valid = valid_pred[["p_I", "p_II", "p_III"]].to_numpy()
    cut_i, cut_i_ii = fit_grade_cutoffs(parts["valid"]["grade"].astype(str).to_numpy(), p_valid)
    if warning_capacity is not None:
        threshold = warning_threshold_for_capacity(
            valid_pred["p_warning"].to_numpy(), warning_capacity, len(split["valid"])
        )
        rule = f"capacity: about {warning_capacity} warnings a month on the validation slice"
    else:
        threshold = warning_threshold_for_precision(
            y["valid"]["warning"], valid_pred["p_warning"].to_numpy(), warning_precision
        )
        rule = f"lowest threshold with precision >= {warning_precision} on the validation slice"
    model.cutoff_I, model.cutoff_I_II, model.warning_threshold = cut_i, cut_i_ii, threshold
    steps.update()

    steps.set_postfix_str("baselines and evaluation")
    test = parts["test"]
    truth = test[["grade", "a_warning", "category", "as_of"]].reset_index(drop=True)
    preds = {"model": model.predict_matrix(x["test"])}
    preds["manual"] = manual_grades(test[names].reset_index(drop=True))
    categorical = list(spec.categories)
    logistic = LogisticBaseline(names, categorical, seed).fit(
        parts["train"][names], parts["train"]["grade"], parts["train"]["a_warning"]
    )
    lr_valid_p, lr_valid_w = logistic.predict_proba(parts["valid"][names])
    lr_cuts = fit_grade_cutoffs(parts["valid"]["grade"].astype(str).to_numpy(), lr_valid_p)
    lr_threshold = (
        warning_threshold_for_capacity(lr_valid_w, warning_capacity, len(split["valid"]))
        if warning_capacity is not None
        else warning_threshold_for_precision(y["valid"]["warning"], lr_valid_w, warning_precision)
    )
    lr_p, lr_w = logistic.predict_proba(test[names])
    preds["logistic"] = _predictions(lr_p, lr_w, lr_cuts, lr_threshold, truth.index)
    evaluations = {
        name: evaluate(truth, p.reset_index(drop=True), by=("category", "as_of"))
        for name, p in preds.items()
    }
    metrics = pd.DataFrame({name: ev.metrics for name, ev in evaluations.items()}).T
    train_p = model.predict_matrix(x["train"])["p_I"].to_numpy()
    psi = population_stability(train_p, preds["model"]["p_I"].to_numpy())
    steps.update()

    stamp = "".join(b.model_to_string() for b in boosters.values()) + repr(
        (calibrators, model.cutoff_I, model.cutoff_I_II, model.warning_threshold)
    )
    model.version = f"{dt.date.today():%Y%m%d}-{hashlib.sha256(stamp.encode()).hexdigest()[:8]}"
    model.info = {
        "labels": {
            "horizon_months": horizon,
            "grace_days": grace,
            "warning_multiple": labels.get("warning_multiple", 2.0),
        },
        "window": {k: [str(v[0].date()), str(v[-1].date())] for k, v in split.items()},
        "rows": {k: len(p) for k, p in parts.items()},
        "data_sha256_16": _data_hash(frame[[*ID_COLUMNS, *names, *LABEL_COLUMNS]]),
        "seed": seed,
        "best_iteration": best,
        "grade_rule": "I if p_I >= cutoff_I, else II if p_I + p_II >= cutoff_I_II, else III; "
        "cut-offs maximise F1 of I, then macro-F1, on the validation slice",
        "warning_rule": rule,
        "test_metrics": {k: float(v) for k, v in evaluations["model"].metrics.items()},
        "psi_p_I_train_test": psi,
    }
    details = {
        "params": lgb_params,
        "manual_rule": MANUAL_RULE,
        "psi_verdict": psi_verdict(psi),
        "logistic_cutoffs": lr_cuts,
        "logistic_threshold": lr_threshold,
    }
    result = TrainResult(model, metrics, evaluations, split, psi, details=details)
    if save_to is not None:
        result.bundle = Path(model.save(str(save_to)))
    steps.update()
    if track:
        steps.set_postfix_str("MLflow")
        from arrearsrisk.tracking.runs import log_training

        result.run_id = log_training(
            result,
            frame,
            experiment=experiment,
            run_name=run_name,
            register_as=register_as,
            alias=alias,
        )
    steps.update()
    steps.close()
    return result

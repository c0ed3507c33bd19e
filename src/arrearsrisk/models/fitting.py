"""Fitting the grade and warning models: an honest protocol, then a model that uses
everything.

1. **Measure** (:mod:`arrearsrisk.models.splits`): with many cutoffs, rolling-origin
   backtests: for each of the last ``test_months`` month ends, boosters are fitted on
   what was labelled by then, stopped early, calibrated and given cut-offs on a later
   validation slice, and that month is scored out of time; with one or a few cutoffs
   (user labels from a survey or a campaign), customer-grouped stratified K-fold.  The
   reported metrics are those out-of-sample scores, per backtest month and pooled, for
   the model and the two baselines (today's manual grading, a logistic regression).
2. **Deploy**: the boosters are refitted on every labelled cutoff with the number of
   rounds the most recent backtest chose (the median over folds for customer folds);
   calibration and the cut-offs come from the out-of-time scores of the most recent
   backtest month (``calibration_months``; every fold's with customer folds).

:func:`fit` does no I/O: saving the bundle and logging to MLflow are composed around it
by :func:`arrearsrisk.train` (:mod:`arrearsrisk.pipeline.training`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.features import monotone_constraints
from arrearsrisk.models.boosting import Boosting, Slice
from arrearsrisk.models.risk_model import TARGETS, Calibrator, FeatureSpec, RiskModel
from arrearsrisk.models.splits import Fold, customer_folds, time_backtests
from arrearsrisk.models.threads import training_threads, training_workers
from arrearsrisk.vocabulary import GRADE_DTYPE, GRADE_RULE, GRADES

if TYPE_CHECKING:  # scikit-learn is imported when training, not with the package
    from arrearsrisk.evaluation import Evaluation

__all__ = ["DEFAULT_PARAMS", "TrainResult", "fit"]

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
    "force_row_wise": True,
    "verbose": -1,
}
"""LightGBM parameters of every booster (``seed`` is added from ``train``'s ``seed``).

Shallow trees (7 leaves, depth 4): on the sample they rank as well as 31-leaf trees
(Grade I AUC 0.925 against 0.926 out of time) while the per-customer contributions
behind the reasons, whose cost grows with leaves times depth squared, are 11 times
cheaper (1.2 s against 12.9 s per 20,000 customers).

Row-wise histograms (``force_row_wise``): the same trees as column-wise on the sample,
and training 18% faster on one thread (5.3 against 6.5 ms a round on the 40,537 rows of
a backtest; ``col_wise`` wins on wide frames with many threads, not here).

No ``num_threads`` here: :func:`fit` sets it from
:func:`arrearsrisk.models.threads.training_threads` (half the usable cores, one on a
2-core machine; ``ARREARSRISK_THREADS`` or ``OMP_NUM_THREADS`` override it) unless
``params`` names it.  OpenMP threads spin while they wait, and oversubscribed cores
slow training several times."""


@dataclass
class TrainResult:
    """What :func:`fit` (and :func:`arrearsrisk.train`) returns.

    Attributes
    ----------
    model : RiskModel
        The fitted model (grade and warning).
    metrics : pandas.DataFrame
        Out-of-sample metrics, one row per model (``model``, ``manual``, ``logistic``):
        the mean over the backtests of :attr:`backtests`.
    evaluations : dict of str to Evaluation
        The full evaluation of each on all out-of-sample scores pooled, broken down by
        category and month.
    split : dict of str to list of Timestamp
        The cutoffs the deployed model was fitted on (``train``) and those whose
        out-of-sample scores are reported (``test``: the backtest months; with customer
        folds, every cutoff).
    validation : str
        ``"time"`` (rolling-origin backtests) or ``"customers"`` (grouped K-fold).
    backtests : pandas.DataFrame
        The out-of-sample metrics per backtest (``fold``: the month, or ``fold k/K``)
        and model, with the rows and cutoffs each was trained and measured on.
    out_of_sample : pandas.DataFrame
        Every row scored out of sample: ``customer_id``, ``as_of``, ``fold``, the truth
        (``grade``, ``a_warning``) and the backtest boosters' raw scores
        (``raw_grade_I``, ``raw_grade_I_II``, ``raw_warning``); those of the last
        ``calibration_months`` backtests (``model.info["calibrated_on"]``) chose the
        deployed model's calibration, cut-offs and threshold.
    psi : float
        Population stability of ``p_I`` between the most recent backtest's training
        rows and its out-of-sample rows.
    psi_verdict : str
        Its verdict (:func:`arrearsrisk.evaluation.psi_verdict`).
    params : dict
        The LightGBM parameters of the boosters (with ``seed`` and
        ``monotone_constraints``).
    manual_rule : str
        Today's manual grading rule, the first baseline, in words.
    logistic_cutoffs : (float, float)
        Grade cut-offs of the logistic-regression baseline.
    logistic_threshold : float
        Warning threshold of the logistic-regression baseline.
    run_id : str or None
        The MLflow run, when tracked (set by :func:`arrearsrisk.train`).
    bundle : pathlib.Path or None
        Where the model was saved, if it was (set by :func:`arrearsrisk.train`).
    """

    model: RiskModel
    metrics: pd.DataFrame
    evaluations: dict[str, Evaluation]
    split: dict[str, list[pd.Timestamp]]
    validation: str
    backtests: pd.DataFrame
    out_of_sample: pd.DataFrame
    psi: float
    psi_verdict: str
    params: dict[str, Any]
    manual_rule: str
    logistic_cutoffs: tuple[float, float]
    logistic_threshold: float
    run_id: str | None = None
    bundle: Path | None = None

    def __repr__(self) -> str:
        head = self.metrics[["grade_I_auc", "warning_pr_auc", "macro_f1"]].round(3)
        return (
            f"TrainResult({self.model.version}, run_id={self.run_id})\n"
            f"out-of-time metrics:\n{head.to_string()}"
        )


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
    bad = ~frame["grade"].astype(str).isin(GRADES)
    if bad.any():
        raise ArrearsRiskError(
            f"grade must be I, II or III; got {frame.loc[bad, 'grade'].unique()[:5].tolist()}."
        )
    return names


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
    from arrearsrisk.models.thresholds import grade_from_probabilities

    grades = grade_from_probabilities(p, cutoffs)
    out = pd.DataFrame({"p_I": p[:, 0], "p_II": p[:, 1], "p_III": p[:, 2]}, index=index)
    out["grade"] = pd.Categorical(grades, dtype=GRADE_DTYPE)
    if pw is not None and threshold is not None:
        out["p_warning"] = pw
        out["a_warning"] = pw >= threshold
        out.loc[out["a_warning"], "grade"] = "I"
    return out


def _strata(frame: pd.DataFrame) -> np.ndarray:
    """Grade and warning in one code, to stratify customer folds by."""
    grade = pd.Categorical(frame["grade"].astype(str), dtype=GRADE_DTYPE).codes
    return np.asarray(grade * 2 + frame["a_warning"].to_numpy(dtype=bool), dtype=np.int64)


def _plan(
    frame: pd.DataFrame,
    validation: str,
    *,
    test_months: int,
    valid_months: int,
    folds: int,
    horizon: int,
    grace: int,
    seed: int,
) -> tuple[str, list[Fold]]:
    if validation not in ("auto", "time", "customers"):
        raise ArrearsRiskError(
            f"validation must be 'auto', 'time' or 'customers'; got {validation!r}."
        )
    if validation in ("auto", "time"):
        try:
            plan = time_backtests(
                frame["as_of"],
                backtest_months=test_months,
                valid_months=valid_months,
                horizon_months=horizon,
                grace_days=grace,
            )
            return "time", plan
        except ArrearsRiskError:
            if validation == "time":
                raise
    return "customers", customer_folds(frame["customer_id"], _strata(frame), folds=folds, seed=seed)


def _check_outcomes(y: dict[str, np.ndarray], fold: Fold) -> None:
    for target, outcome in y.items():
        for part in ("train", "valid"):
            if not outcome[getattr(fold, part)].any():
                raise ArrearsRiskError(
                    f"no positive '{target}' outcome in the {part} rows of {fold.name}; "
                    "the frame is too small or too short to train on."
                )


def _operating_point(
    grades: np.ndarray,
    p: np.ndarray,
    p_warning: np.ndarray,
    warned: np.ndarray,
    n_months: int,
    warning_precision: float,
    warning_capacity: int | None,
) -> tuple[tuple[float, float], float, str]:
    """Grade cut-offs and the warning threshold chosen on one set of scores."""
    from arrearsrisk.models.thresholds import (
        fit_grade_cutoffs,
        warning_threshold_for_capacity,
        warning_threshold_for_precision,
    )

    cuts = fit_grade_cutoffs(grades, p)
    if warning_capacity is not None:
        threshold = warning_threshold_for_capacity(p_warning, warning_capacity, n_months)
        rule = f"capacity: about {warning_capacity} warnings a month"
    else:
        threshold = warning_threshold_for_precision(warned, p_warning, warning_precision)
        rule = f"lowest threshold with precision >= {warning_precision}"
    return cuts, threshold, rule


class _Scores:
    """Out-of-sample scores gathered fold by fold, in the frame's row order."""

    def __init__(self, n: int) -> None:
        self.raw = {t: np.full(n, np.nan) for t in TARGETS}
        self.preds: dict[str, list[pd.DataFrame]] = {"model": [], "manual": [], "logistic": []}
        self.rows: list[np.ndarray] = []
        self.folds: list[str] = []


def _backtest_then_deployed(
    part: Slice,
    whole: Slice,
    labels: tuple[np.ndarray, np.ndarray, np.ndarray],
    num_boost_round: int,
    patience: int,
) -> tuple[Any, Any]:
    """The latest backtest's booster (stopped early on its validation rows), then the
    deployed booster on every row with the rounds it chose: one task, so the deployed
    fit starts as soon as its rounds are known.  ``labels``: the backtest's training
    and validation labels, and every row's."""
    booster = part.fit(labels[0], labels[1], num_boost_round, patience)
    rounds = int(booster.best_iteration or booster.current_iteration())
    return booster, whole.fit(labels[2], None, max(rounds, 1), 0)


def _logistic_chain(
    frame: pd.DataFrame,
    plan: list[Fold],
    names: list[str],
    categorical: list[str],
    seed: int,
    warm: bool,
    done: list[Future[Any]],
) -> None:
    """The logistic baseline of each fold, fitted on its training rows: its
    probabilities on the validation and the test rows, set in ``done`` fold by fold
    (an error is set on the folds left).  With nested windows (``warm``: time
    backtests) each regression starts from the previous one's coefficients, and the
    preprocessing fitted on the first (oldest) window, which every later one contains,
    encodes every row once for all of them."""
    from arrearsrisk.models.baselines import LogisticBaseline

    previous: LogisticBaseline | None = None
    encoded: np.ndarray | None = None
    for k, fold in enumerate(plan):
        try:
            logistic = LogisticBaseline(names, categorical, seed)
            if warm and encoded is None:  # nested windows: encode every row once
                prep = logistic.fit_preprocessing(frame.loc[fold.train, names]).prep_
                encoded = logistic.encode(frame[names])
            share = (prep, encoded[fold.train]) if warm and encoded is not None else None
            logistic.fit(
                frame.loc[fold.train, names],
                frame.loc[fold.train, "grade"],
                frame.loc[fold.train, "a_warning"],
                start=previous if warm else None,
                encoding=share,
            )
            if encoded is not None:
                done[k].set_result(
                    (
                        logistic.predict_proba(encoded=encoded[fold.valid]),
                        logistic.predict_proba(encoded=encoded[fold.test]),
                    )
                )
            else:
                done[k].set_result(
                    (
                        logistic.predict_proba(frame.loc[fold.valid, names]),
                        logistic.predict_proba(frame.loc[fold.test, names]),
                    )
                )
        except BaseException as err:
            for left in done[k:]:
                left.set_exception(err)
            raise
        previous = logistic


def fit(
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
    progress: bool | tqdm[Any] = False,
) -> TrainResult:
    """Measure the grade and warning models out of sample, then fit the deployed model
    on every labelled cutoff.

    Nothing is written: :func:`arrearsrisk.train` (same parameters, and where to save
    and log) saves the bundle and logs the run around this.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`arrearsrisk.training_frame`: ``customer_id``, ``as_of``, features,
        ``grade`` and ``a_warning`` (the library's labels or the user's own).
    features : list of str, optional
        Input columns (default: every column but ids and labels).
    validation : {"auto", "time", "customers"}, default "auto"
        ``"time"``: rolling-origin backtests over the last ``test_months`` cutoffs
        (:func:`~arrearsrisk.models.splits.time_backtests`); ``"customers"``:
        customer-grouped stratified K-fold (:func:`~arrearsrisk.models.splits.
        customer_folds`), for a frame of one or a few dates; ``"auto"``: time when the
        cutoffs allow it, else customers.  The choice is in the result and the bundle.
    valid_months : int, default 3
        Validation cutoffs of each backtest (early stopping, calibration, cut-offs).
    test_months : int, default 3
        Backtest months (the last ones of the frame), each scored out of time.
    folds : int, default 5
        Customer folds (with ``validation="customers"``).
    horizon_months, grace_days : int, optional
        The labels' horizon and grace (for the gaps between slices); default: those the
        frame was built with (``frame.attrs["labels"]``), else 3 and 30.
    seed : int, default 0
        Seed of LightGBM, the folds and the baselines: same data and seed give the same
        model.
    params : dict, optional
        LightGBM parameters overriding :data:`DEFAULT_PARAMS`.
    num_boost_round, early_stopping_rounds : int
        Boosting rounds of the backtests, stopped early on their validation log loss;
        the deployed boosters are fitted with the rounds the backtests chose.
    warning_precision : float, default 0.5
        The warning threshold is the lowest with at least this precision on the
        out-of-sample scores...
    warning_capacity : int, optional
        ...unless a collection team's capacity (warnings per month) is given: then the
        threshold flags about that many customers a month.
    calibration_months : int, default 1
        The deployed model's calibration, grade cut-offs and warning threshold are
        chosen on the out-of-time scores of the most recent ``calibration_months``
        backtest months (default: the latest one, closest to the scoring months);
        more months pool more rows for a steadier, older operating point.  With
        customer folds every out-of-fold row is used.
    workers : int, optional
        Boosters (and the logistic baselines) fitted side by side, each on
        ``num_threads`` LightGBM threads (default
        :func:`~arrearsrisk.models.threads.training_workers`: two on a 2-core machine).
        The model does not depend on it.
    progress : bool or tqdm
        Show a progress bar over the steps (or advance the given bar).

    Returns
    -------
    TrainResult
        With ``run_id`` and ``bundle`` unset.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> ledger = ar.read_ledger("data/sample")
    >>> frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    >>> result = fit(frame)  # doctest: +SKIP
    >>> result.backtests[["fold", "model", "grade_I_auc"]]  # doctest: +SKIP

    (Skipped here: training takes a minute; ``tests/models/test_fit.py`` trains on the
    sample.)
    """
    # scikit-learn comes with these: imported when training, not with the package
    from arrearsrisk.evaluation import evaluate, population_stability, psi_verdict
    from arrearsrisk.models.baselines import MANUAL_RULE, manual_grades

    names = _check_frame(frame, features)
    if isinstance(calibration_months, bool) or not isinstance(calibration_months, int):
        raise ArrearsRiskError(
            f"calibration_months must be a whole number of months, got {calibration_months!r}."
        )
    if not 1 <= calibration_months <= test_months:
        raise ArrearsRiskError(
            f"calibration_months must be between 1 and test_months ({test_months}); "
            f"got {calibration_months}."
        )
    labels = frame.attrs.get("labels", {})
    horizon = int(horizon_months if horizon_months is not None else labels.get("horizon_months", 3))
    grace = int(grace_days if grace_days is not None else labels.get("grace_days", 30))
    frame = frame.reset_index(drop=True)
    kind, plan = _plan(
        frame,
        validation,
        test_months=test_months,
        valid_months=valid_months,
        folds=folds,
        horizon=horizon,
        grace=grace,
        seed=seed,
    )
    spec = FeatureSpec.from_frame(frame, names)
    x_all = spec.matrix(frame)
    y = _targets(frame)
    grades = frame["grade"].astype(str).to_numpy()
    lgb_params = {**DEFAULT_PARAMS, **(params or {}), "seed": seed}
    lgb_params.setdefault("num_threads", training_threads())  # never more than is free
    if lgb_params.get("force_col_wise"):  # the caller's choice of histograms wins
        lgb_params.pop("force_row_wise", None)
    threads = int(lgb_params["num_threads"])  # predictions too: LightGBM's default is every core
    lgb_params["monotone_constraints"] = monotone_constraints(names)  # declared by families
    n_months = test_months if kind == "time" else max(1, frame["as_of"].nunique())
    # the folds whose out-of-sample scores set the deployed operating point
    chosen = (
        [f.name for f in plan[-calibration_months:]] if kind == "time" else [f.name for f in plan]
    )
    n_chosen = calibration_months if kind == "time" else n_months

    own_bar = not isinstance(progress, tqdm)
    steps: tqdm[Any] = (
        progress
        if isinstance(progress, tqdm)
        else tqdm(total=0, desc="train", unit="step", disable=not progress)
    )
    steps.total = (steps.total or 0) + len(plan) + 2  # the backtests, evaluation, deployment
    steps.refresh()
    scores = _Scores(len(frame))
    records: list[dict[str, Any]] = []
    best: dict[str, list[int]] = {t: [] for t in TARGETS}
    truth_cols = ["grade", "a_warning", "category", "as_of"]
    psi = float("nan")
    for fold in plan:
        _check_outcomes(y, fold)
    operating = np.logical_or.reduce([f.test for f in plan if f.name in chosen])
    for target, outcome in y.items():  # before any training: the deployed operating point
        if not outcome[operating].any():
            raise ArrearsRiskError(
                f"no positive '{target}' outcome in the backtest rows of {chosen}, on which "
                "the deployed calibration and cut-offs are chosen; raise calibration_months."
            )
    cols = list(spec.names)
    pool = Boosting(training_workers(threads) if workers is None else workers)
    with pool:
        # the logistic baselines, one after the other (each starts from the previous
        # one's coefficients), beside the boosters of every backtest
        baselines: list[Future[Any]] = [Future() for _ in plan]  # set fold by fold
        chain = pool.submit(
            _logistic_chain,
            frame,
            plan,
            names,
            list(spec.categories),
            seed,
            kind == "time",
            baselines,
        )
        slices = [
            Slice(x_all[f.train], x_all[f.valid], cols, spec.categorical_indices, lgb_params)
            for f in plan
        ]
        whole = Slice(x_all, None, cols, spec.categorical_indices, lgb_params)
        last = plan[-1]
        latest: dict[str, Future[Any]] = {}
        if kind == "time":  # the deployed rounds are the latest backtest's: it goes first,
            # each of its boosters followed by the deployed one, so those large fits start
            # early and the older backtests' small ones fill the cores at the end
            latest = {
                t: pool.submit(
                    _backtest_then_deployed,
                    slices[-1],
                    whole,
                    (y[t][last.train], y[t][last.valid], y[t]),
                    num_boost_round,
                    early_stopping_rounds,
                )
                for t in TARGETS
            }
        fits = [
            {
                t: pool.submit(
                    part.fit,
                    y[t][fold.train],
                    y[t][fold.valid],
                    num_boost_round,
                    early_stopping_rounds,
                )
                for t in TARGETS
            }
            for fold, part in zip(plan, slices, strict=True)
            if not (latest and fold is last)
        ]
        del slices
        deployed: dict[str, Future[Any]] = {}
        if not latest:  # customer folds: the median rounds over every fold
            for fold_fits in fits:
                for t, future in fold_fits.items():
                    booster = future.result()
                    best[t].append(int(booster.best_iteration or booster.current_iteration()))
            rounds = {t: int(np.median(b)) for t, b in best.items()}
            deployed = {
                t: pool.submit(whole.fit, y[t], None, max(rounds[t], 1), 0) for t in TARGETS
            }

        # each backtest is evaluated as soon as its boosters are fitted, while the others,
        # the deployed boosters and the baselines train (LightGBM releases the GIL)
        for k, fold in enumerate(plan):
            if latest and fold is last:
                fold_boosters = {t: f.result()[0] for t, f in latest.items()}
            else:
                fold_boosters = {t: f.result() for t, f in fits[k].items()}
            if latest:
                for t, booster in fold_boosters.items():
                    best[t].append(int(booster.best_iteration or booster.current_iteration()))
            steps.set_postfix_str(fold.name)
            calibrators = {}
            raw_valid, raw_test = {}, {}  # each booster predicts each slice once
            for target, booster in fold_boosters.items():
                raw_valid[target] = booster.predict(x_all[fold.valid], num_threads=threads)
                raw_test[target] = booster.predict(x_all[fold.test], num_threads=threads)
                calibrators[target] = Calibrator.fit(raw_valid[target], y[target][fold.valid])
                scores.raw[target][fold.test] = raw_test[target]
            model = RiskModel(fold_boosters, spec, calibrators, 0.5, 0.5, 1.0)
            valid_pred = model.predict_raw(raw_valid)
            cuts, threshold, _ = _operating_point(
                grades[fold.valid],
                valid_pred[["p_I", "p_II", "p_III"]].to_numpy(),
                valid_pred["p_warning"].to_numpy(),
                y["warning"][fold.valid],
                valid_months if kind == "time" else n_months,
                warning_precision,
                warning_capacity,
            )
            model.cutoff_I, model.cutoff_I_II, model.warning_threshold = *cuts, threshold
            test_rows = np.flatnonzero(fold.test)
            index = pd.RangeIndex(len(test_rows))
            fold_preds = {"model": model.predict_raw(raw_test)}
            test = frame.iloc[test_rows]
            fold_preds["manual"] = manual_grades(test.reset_index(drop=True))  # its own columns
            (lr_valid_p, lr_valid_w), (lr_p, lr_w) = baselines[k].result()
            lr_cuts, lr_threshold, _ = _operating_point(
                grades[fold.valid],
                lr_valid_p,
                lr_valid_w,
                y["warning"][fold.valid],
                valid_months if kind == "time" else n_months,
                warning_precision,
                warning_capacity,
            )
            fold_preds["logistic"] = _predictions(lr_p, lr_w, lr_cuts, lr_threshold, index)
            truth = test[truth_cols].reset_index(drop=True)
            parts = fold.cutoffs(frame["as_of"])
            for name, pred in fold_preds.items():
                scores.preds[name].append(pred.reset_index(drop=True))
                records.append(
                    {
                        "fold": fold.name,
                        "model": name,
                        **evaluate(truth, pred.reset_index(drop=True)).metrics,
                        "train_rows": int(fold.train.sum()),
                        "train_cutoffs": f"{parts['train'][0]}..{parts['train'][-1]}",
                        "valid_cutoffs": f"{parts['valid'][0]}..{parts['valid'][-1]}",
                        "test_cutoffs": f"{parts['test'][0]}..{parts['test'][-1]}",
                    }
                )
            scores.rows.append(test_rows)
            scores.folds += [fold.name] * len(test_rows)
            if fold is plan[-1]:  # the stability of the most recent backtest is reported
                psi = population_stability(
                    calibrators["grade_I"](model.raw(x_all[fold.train], "grade_I", threads)),
                    fold_preds["model"]["p_I"].to_numpy(),
                )
            steps.update()
        chain.result()  # its errors, if any
        # the pooled evaluation too, while the deployed boosters may still be training
        steps.set_postfix_str("out-of-sample evaluation")
        rows = np.concatenate(scores.rows)
        truth = frame.iloc[rows][truth_cols].reset_index(drop=True)
        evaluations = {
            name: evaluate(truth, pd.concat(parts, ignore_index=True), by=("category", "as_of"))
            for name, parts in scores.preds.items()
        }
        backtests = pd.DataFrame(records)
        # each backtest month is scored by its own model: summarise them as cross-validation
        # does, by the mean over backtests (pooling scores of differently calibrated models
        # would mix their scales); the pooled evaluations keep the breakdowns and curves
        measured = [c for c in backtests.columns if c in evaluations["model"].metrics]
        metrics = backtests.groupby("model", sort=False)[measured].mean().loc[list(evaluations)]
        metrics["n"] = backtests.groupby("model", sort=False)["n"].sum()  # rows scored, all folds
        metrics.index.name = None
        steps.update()

        if latest:
            boosters = {t: f.result()[1] for t, f in latest.items()}
        else:
            boosters = {t: f.result() for t, f in deployed.items()}
        rounds = {t: (b[-1] if kind == "time" else int(np.median(b))) for t, b in best.items()}
        del whole, fits

    steps.set_postfix_str("deployed model")
    oos_raw = {t: scores.raw[t][rows] for t in TARGETS}
    at = np.flatnonzero(np.isin(np.asarray(scores.folds), chosen))  # positions in rows
    picked = rows[at]
    calibrators = {t: Calibrator.fit(oos_raw[t][at], y[t][picked]) for t in TARGETS}
    p1 = calibrators["grade_I"](oos_raw["grade_I"][at])
    p12 = np.maximum(calibrators["grade_I_II"](oos_raw["grade_I_II"][at]), p1)
    pw = calibrators["warning"](oos_raw["warning"][at])
    cuts, threshold, rule = _operating_point(
        grades[picked],
        np.column_stack([p1, p12 - p1, 1.0 - p12]),
        pw,
        y["warning"][picked],
        n_chosen,
        warning_precision,
        warning_capacity,
    )
    model = RiskModel(boosters, spec, calibrators, *cuts, threshold)
    # the logistic baseline's operating point on its own out-of-sample scores (recorded)
    lr_all = pd.concat(scores.preds["logistic"], ignore_index=True).iloc[at]
    lr_cuts, lr_threshold, _ = _operating_point(
        grades[picked],
        lr_all[["p_I", "p_II", "p_III"]].to_numpy(),
        lr_all["p_warning"].to_numpy(),
        y["warning"][picked],
        n_chosen,
        warning_precision,
        warning_capacity,
    )
    steps.update()

    where = f"backtest {', '.join(chosen)}" if kind == "time" else "every customer fold"
    model.version = f"{dt.date.today():%Y%m%d}-{model.content_hash()}"  # checked on load
    cutoffs = sorted(pd.to_datetime(frame["as_of"]).unique())
    tested = sorted(pd.to_datetime(frame["as_of"].iloc[rows]).unique())
    split = {"train": [pd.Timestamp(t) for t in cutoffs], "test": [pd.Timestamp(t) for t in tested]}
    model.info = {
        "labels": {
            "horizon_months": horizon,
            "grace_days": grace,
            "warning_multiple": labels.get("warning_multiple", 2.0),
        },
        "validation": kind,
        "window": {k: [str(v[0].date()), str(v[-1].date())] for k, v in split.items()},
        "trained_on": [str(t.date()) for t in split["train"]],
        "backtests": [
            {"fold": f.name, **f.cutoffs(frame["as_of"]), "rows": int(f.test.sum())} for f in plan
        ],
        "rows": {"train": len(frame), "test": len(rows)},
        "data_sha256_16": _data_hash(frame[[*ID_COLUMNS, *names, *LABEL_COLUMNS]]),
        "seed": seed,
        "best_iteration": rounds,
        "grade_rule": f"{GRADE_RULE}; cut-offs maximise F1 of I, then macro-F1, on the "
        f"out-of-sample scores of {where}",
        "warning_rule": f"{rule} on the out-of-sample scores of {where}",
        "calibration": f"Platt scaling on the out-of-sample scores of {where}",
        "calibrated_on": chosen,
        "test_metrics": {str(k): float(v) for k, v in metrics.loc["model"].to_dict().items()},
        "psi_p_I_train_test": psi,
    }
    out_of_sample = frame.iloc[rows][["customer_id", "as_of", "grade", "a_warning"]]
    out_of_sample = out_of_sample.reset_index(drop=True).assign(
        fold=scores.folds, **{f"raw_{t}": oos_raw[t] for t in TARGETS}
    )
    if own_bar:
        steps.close()
    return TrainResult(
        model,
        metrics,
        evaluations,
        split,
        kind,
        backtests,
        out_of_sample,
        psi,
        psi_verdict=psi_verdict(psi),
        params=lgb_params,
        manual_rule=MANUAL_RULE,
        logistic_cutoffs=lr_cuts,
        logistic_threshold=lr_threshold,
    )

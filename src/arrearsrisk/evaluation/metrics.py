"""Out-of-time evaluation of grade and warning predictions: metrics, curves and tables.

:func:`evaluate` compares one model's predictions (``p_I``, ``p_II``, ``p_III``, the
predicted ``grade``, ``p_warning``, ``a_warning``) with the outcomes of
:func:`arrearsrisk.build_labels` and returns an :class:`Evaluation`: a flat dict of
MLflow-friendly metrics and the tables behind the plots of :mod:`arrearsrisk.evaluation.plots`.
Run it on the model and on each baseline with the same ``truth`` to compare them.

The helpers set the operating points of a model on a validation slice:
:func:`fit_grade_cutoffs` and :func:`grade_from_probabilities` for the grade,
:func:`warning_threshold_for_precision` and :func:`warning_threshold_for_capacity` for
the warning.  :func:`population_stability` and :func:`psi_verdict` monitor drift.

Computing only: this module never imports matplotlib.  Metrics that the data leave
undefined (e.g. an AUC when every customer has the same outcome) are ``NaN``, with no
warning.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)

from arrearsrisk.asof.labels import GRADES
from arrearsrisk.errors import ArrearsRiskError

__all__ = [
    "BREAKDOWN_METRICS",
    "CALIBRATION_BINS",
    "GRADES",
    "PROBABILITY_COLUMNS",
    "PSI_SHIFT",
    "PSI_STABLE",
    "Evaluation",
    "evaluate",
    "fit_grade_cutoffs",
    "grade_from_probabilities",
    "population_stability",
    "psi_verdict",
    "warning_threshold_for_capacity",
    "warning_threshold_for_precision",
]

PROBABILITY_COLUMNS: tuple[str, ...] = tuple(f"p_{g}" for g in GRADES)
"""The predicted grade probabilities, in the order of :data:`GRADES`."""

SUM_TOLERANCE = 1e-6
"""How far a row of grade probabilities may sum from 1 (and stray outside [0, 1])."""

CALIBRATION_BINS = 10
"""Uniform bins of predicted probability in the calibration table: [0, 0.1], (0.1, 0.2], ..."""

BREAKDOWN_METRICS: tuple[str, ...] = (
    "grade_I_auc",
    "grade_I_II_auc",
    "warning_pr_auc",
    "macro_f1",
    "grade_I_rate",
    "brier",
)
"""The metrics of each group in :attr:`Evaluation.breakdown`."""

PSI_STABLE = 0.1
"""PSI below this: the population is stable."""

PSI_SHIFT = 0.25
"""PSI from :data:`PSI_STABLE` up to this: a minor shift; from this up: a major shift."""

PSI_EPSILON = 1e-4
"""Floor on a bin's share in :func:`population_stability`, so empty bins stay finite."""

_CODES = np.arange(len(GRADES))
_SHOWN = 5
_CUTOFF_GRID = np.arange(5, 96) / 100


@dataclass(frozen=True)
class Evaluation:
    """Everything :func:`evaluate` measured on one model's predictions.

    Attributes
    ----------
    metrics : dict of str to float
        Flat metrics with MLflow-friendly keys (see :func:`evaluate`).
    breakdown : pandas.DataFrame
        One row per value of each ``by`` column: ``by``, ``group``, ``n`` and the
        :data:`BREAKDOWN_METRICS`.  Empty without ``by``.
    calibration : pandas.DataFrame
        Reliability table: ``target`` (``grade_I``, ``grade_II``, ``grade_III``,
        ``warning``), ``bin``, ``bin_low``, ``bin_high``, ``mean_predicted``,
        ``observed_rate``, ``count``; one row per non-empty bin of
        :data:`CALIBRATION_BINS` uniform bins.
    confusion : pandas.DataFrame
        3x3 counts, rows the true grade, columns the predicted grade, both I, II, III.
    roc : dict of str to pandas.DataFrame
        ROC curves (``fpr``, ``tpr``, ``threshold``) of ``grade_I`` (I vs rest, score
        ``p_I``), ``grade_I_II`` (I or II vs III, score ``p_I + p_II``) and, when
        evaluated, ``warning``.  A curve the data leave undefined is an empty frame.
    pr : pandas.DataFrame
        The warning's precision-recall curve: ``precision``, ``recall``, ``threshold``
        (``NaN`` on the last point, recall 0).  Empty when the warning is not evaluated.
    """

    metrics: dict[str, float]
    breakdown: pd.DataFrame
    calibration: pd.DataFrame
    confusion: pd.DataFrame
    roc: dict[str, pd.DataFrame]
    pr: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by artifact name, e.g. to write as CSV beside the plots.

        >>> truth = pd.DataFrame({"grade": ["I", "III"]})
        >>> pred = pd.DataFrame({"p_I": [0.6, 0.1], "p_II": [0.3, 0.2], "p_III": [0.1, 0.7],
        ...                      "grade": ["I", "III"]})
        >>> sorted(evaluate(truth, pred).tables())  # doctest: +NORMALIZE_WHITESPACE
        ['breakdown', 'calibration', 'confusion', 'pr_warning', 'roc_grade_I',
         'roc_grade_I_II']
        """
        out = {
            "breakdown": self.breakdown,
            "calibration": self.calibration,
            "confusion": self.confusion.rename_axis(index="true_grade").reset_index(),
        }
        out.update({f"roc_{name}": curve for name, curve in self.roc.items()})
        out["pr_warning"] = self.pr
        return out

    def __repr__(self) -> str:
        main = ("n", "grade_I_auc", "grade_I_II_auc", "macro_f1", "qwk", "warning_pr_auc")
        shown = ", ".join(f"{k}={self.metrics[k]:.4g}" for k in main if k in self.metrics)
        return f"Evaluation({shown})"


# --- input checks -------------------------------------------------------------------


def _examples(values: pd.Series, bad: np.ndarray) -> str:
    n_bad = int(bad.sum())
    shown = values[bad].head(_SHOWN).to_dict()
    return f"{n_bad:,} of {len(values):,} rows, first (by row label): {shown}"


def _grade_codes(values: pd.Series, what: str) -> np.ndarray:
    """Codes 0, 1, 2 of grades I, II, III; an error names any other value."""
    codes = pd.Index(list(GRADES)).get_indexer(pd.Index(values.astype("string")))
    bad = codes < 0
    if bad.any():
        hint = (
            "\n  hint: map class indices 0, 1, 2 to grades with arrearsrisk.vocabulary.GRADES."
            if pd.api.types.is_numeric_dtype(values.dtype)
            else ""
        )
        raise ArrearsRiskError(
            f"{what} must hold the grades {', '.join(GRADES)}; other values in "
            f"{_examples(values, bad)}.{hint}"
        )
    return np.asarray(codes, dtype=np.int64)


def _float_array(values: ArrayLike, what: str) -> np.ndarray:
    try:
        out = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ArrearsRiskError(f"{what} must be numbers; got {err}.") from None
    return out


def _probability_matrix(p: np.ndarray, index: pd.Index, what: str) -> np.ndarray:
    """Check that every row holds finite probabilities summing to 1; clip to [0, 1]."""
    if p.ndim != 2 or p.shape[1] != len(GRADES):
        raise ArrearsRiskError(
            f"{what} must have {len(GRADES)} columns (grades {', '.join(GRADES)}); "
            f"got shape {p.shape}."
        )
    frame = pd.DataFrame(p, index=index, columns=list(PROBABILITY_COLUMNS))
    finite = np.isfinite(p).all(axis=1)
    if not finite.all():
        raise ArrearsRiskError(
            f"{what} must be finite; NaN or infinite in "
            f"{_examples(frame.apply(tuple, axis=1), ~finite)}."
        )
    outside = np.asarray(((p < -SUM_TOLERANCE) | (p > 1 + SUM_TOLERANCE)).any(axis=1))
    if outside.any():
        raise ArrearsRiskError(
            f"{what} must lie in [0, 1]; outside in "
            f"{_examples(frame.apply(tuple, axis=1), outside)}."
        )
    sums = p.sum(axis=1)
    off = np.abs(sums - 1) > SUM_TOLERANCE
    if off.any():
        raise ArrearsRiskError(
            f"{what}: each row's probabilities must sum to 1 within {SUM_TOLERANCE:g}; "
            f"sums differ in {_examples(pd.Series(sums, index=index), off)}.\n"
            "  hint: normalise the rows, p / p.sum(axis=1)."
        )
    return np.clip(p, 0.0, 1.0)


def _probability_vector(
    values: ArrayLike, what: str, *, index: pd.Index | None = None
) -> np.ndarray:
    p = _float_array(values, what)
    if p.ndim != 1:
        raise ArrearsRiskError(f"{what} must be one-dimensional; got shape {p.shape}.")
    series = pd.Series(p, index=index)
    bad = ~np.isfinite(p) | (p < -SUM_TOLERANCE) | (p > 1 + SUM_TOLERANCE)
    if bad.any():
        raise ArrearsRiskError(
            f"{what} must be probabilities in [0, 1]; other values in {_examples(series, bad)}."
        )
    return np.clip(p, 0.0, 1.0)


def _bool_vector(values: ArrayLike, what: str, *, index: pd.Index | None = None) -> np.ndarray:
    series = pd.Series(values, index=index)
    bad = (series.isna() | ~series.isin([True, False])).to_numpy()
    if bad.any():
        raise ArrearsRiskError(
            f"{what} must hold booleans (True/False); other values in {_examples(series, bad)}."
        )
    return series.to_numpy(dtype=bool)


def _score_vector(values: ArrayLike, what: str) -> np.ndarray:
    s = _float_array(values, what)
    if s.ndim != 1 or s.size == 0:
        raise ArrearsRiskError(f"{what} must be a non-empty 1-D array; got shape {s.shape}.")
    bad = ~np.isfinite(s)
    if bad.any():
        raise ArrearsRiskError(
            f"{what} must be finite; NaN or infinite in {_examples(pd.Series(s), bad)}."
        )
    return s


def _whole(value: object, what: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ArrearsRiskError(f"{what} must be a whole number >= {minimum}; got {value!r}.")
    return int(value)


@dataclass(frozen=True)
class _Outcomes:
    """Aligned arrays of one evaluation: true and predicted grades and warnings."""

    grade: np.ndarray  # true grade codes 0, 1, 2
    pred_grade: np.ndarray  # predicted grade codes
    proba: np.ndarray  # (n, 3) p_I, p_II, p_III
    warning: np.ndarray | None  # true A-level warning
    p_warning: np.ndarray | None
    pred_warning: np.ndarray | None

    def subset(self, mask: np.ndarray) -> _Outcomes:
        def cut(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[mask]

        return _Outcomes(
            self.grade[mask],
            self.pred_grade[mask],
            self.proba[mask],
            cut(self.warning),
            cut(self.p_warning),
            cut(self.pred_warning),
        )


def _outcomes(
    truth: pd.DataFrame, pred: pd.DataFrame, warning_threshold: float | None
) -> _Outcomes:
    for name, frame in (("truth", truth), ("pred", pred)):
        if not isinstance(frame, pd.DataFrame):
            raise ArrearsRiskError(f"{name} must be a DataFrame; got {type(frame).__name__}.")
    if len(truth) != len(pred):
        raise ArrearsRiskError(
            f"truth and pred must have the same rows; truth has {len(truth):,} rows "
            f"and pred {len(pred):,}."
        )
    if len(truth) == 0:
        raise ArrearsRiskError("truth and pred are empty; there is nothing to evaluate.")
    if not truth.index.equals(pred.index):
        raise ArrearsRiskError(
            "truth and pred must share the same index, row for row; they differ, e.g. "
            f"truth {truth.index[:3].tolist()} vs pred {pred.index[:3].tolist()}.\n"
            "  hint: pred.loc[truth.index] aligns them by label; "
            "pred.set_axis(truth.index) if the order already matches."
        )
    needed = {"truth": ["grade"], "pred": [*PROBABILITY_COLUMNS, "grade"]}
    for name, frame in (("truth", truth), ("pred", pred)):
        missing = [c for c in needed[name] if c not in frame.columns]
        if missing:
            raise ArrearsRiskError(
                f"{name} needs columns {needed[name]}; missing {missing} "
                f"(got {list(frame.columns)})."
            )
    proba = _probability_matrix(
        _float_array(pred[list(PROBABILITY_COLUMNS)], "pred's p_I, p_II, p_III"),
        pred.index,
        "pred's p_I, p_II, p_III",
    )
    warning = (
        _bool_vector(truth["a_warning"], "truth's 'a_warning'") if "a_warning" in truth else None
    )
    p_warning = (
        _probability_vector(pred["p_warning"], "pred's 'p_warning'", index=pred.index)
        if "p_warning" in pred
        else None
    )
    if warning_threshold is not None and p_warning is not None:
        if not 0 <= warning_threshold <= 1:
            raise ArrearsRiskError(
                f"warning_threshold must be in [0, 1]; got {warning_threshold!r}."
            )
        pred_warning: np.ndarray | None = p_warning >= warning_threshold
    elif "a_warning" in pred:
        pred_warning = _bool_vector(pred["a_warning"], "pred's 'a_warning'")
    else:
        pred_warning = None
    return _Outcomes(
        grade=_grade_codes(truth["grade"], "truth's 'grade'"),
        pred_grade=_grade_codes(pred["grade"], "pred's 'grade'"),
        proba=proba,
        warning=warning,
        p_warning=p_warning,
        pred_warning=pred_warning,
    )


# --- metrics ------------------------------------------------------------------------


def _both_classes(y: np.ndarray) -> bool:
    return bool(y.any() and not y.all())


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    return float(roc_auc_score(y, score)) if _both_classes(y) else math.nan


def _ks(y: np.ndarray, score: np.ndarray) -> float:
    """Kolmogorov-Smirnov statistic: the largest ``tpr - fpr`` along the ROC curve."""
    if not _both_classes(y):
        return math.nan
    fpr, tpr, _ = roc_curve(y, score)
    return float(np.max(tpr - fpr))


def _average_precision(y: np.ndarray, score: np.ndarray) -> float:
    return float(average_precision_score(y, score)) if y.any() else math.nan


def _precision_at(y: np.ndarray, score: np.ndarray, k: int) -> float:
    """Share of positives among the ``k`` highest scores (all rows if fewer than ``k``).

    Rows tied with the k-th score share its remaining places in proportion, so the
    result does not depend on row order.
    """
    k = min(k, len(score))
    kth = np.sort(score)[::-1][k - 1]
    above, tied = score > kth, score == kth
    hits = y[above].sum() + (k - above.sum()) * y[tied].mean()
    return float(hits / k)


def _grade_scores(data: _Outcomes) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The binary targets and their scores: Grade I vs rest, I or II vs III."""
    return {
        "grade_I": (data.grade == 0, data.proba[:, 0]),
        "grade_I_II": (data.grade <= 1, data.proba[:, 0] + data.proba[:, 1]),
    }


def _macro_f1(data: _Outcomes) -> float:
    return float(
        f1_score(data.grade, data.pred_grade, labels=_CODES, average="macro", zero_division=np.nan)
    )


def _qwk(data: _Outcomes) -> float:
    """Quadratic weighted kappa with I < II < III; NaN when truth and prediction are one
    and the same grade (no disagreement is possible)."""
    classes = np.union1d(data.grade, data.pred_grade)
    if len(classes) == 1:
        return math.nan
    return float(cohen_kappa_score(data.grade, data.pred_grade, labels=_CODES, weights="quadratic"))


def _brier(data: _Outcomes) -> float:
    """Multi-class Brier score: mean over rows of the sum over grades of (p - one-hot)²."""
    return float(brier_score_loss(data.grade, data.proba, labels=_CODES))


def _binary_brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(brier_score_loss(y.astype(int), p, pos_label=1))


def _precision_recall(y: np.ndarray, flagged: np.ndarray) -> tuple[float, float]:
    precision, recall, _, _ = precision_recall_fscore_support(
        y, flagged, labels=[True], average=None, zero_division=np.nan
    )
    return float(precision[0]), float(recall[0])


def _metrics(data: _Outcomes, top_k: Sequence[int]) -> dict[str, float]:
    out: dict[str, float] = {"n": float(len(data.grade))}
    scores = _grade_scores(data)
    y_i, p_i = scores["grade_I"]
    out["grade_I_rate"] = float(y_i.mean())
    for name, (y, score) in scores.items():
        out[f"{name}_auc"] = _auc(y, score)
        out[f"{name}_ks"] = _ks(y, score)
    for k in top_k:
        out[f"grade_I_precision_at_{k}"] = _precision_at(y_i, p_i, k)
    precision, recall, _, _ = precision_recall_fscore_support(
        data.grade, data.pred_grade, labels=_CODES, average=None, zero_division=np.nan
    )
    for code, grade in enumerate(GRADES):
        out[f"grade_{grade}_precision"] = float(precision[code])
        out[f"grade_{grade}_recall"] = float(recall[code])
    out["macro_f1"] = _macro_f1(data)
    out["qwk"] = _qwk(data)
    out["brier"] = _brier(data)
    out["grade_I_brier"] = _binary_brier(y_i, p_i)
    if data.warning is None:
        return out
    y_w = data.warning
    out["warning_rate"] = float(y_w.mean())
    if data.p_warning is not None:
        out["warning_auc"] = _auc(y_w, data.p_warning)
        out["warning_pr_auc"] = _average_precision(y_w, data.p_warning)
    if data.pred_warning is not None:
        out["warning_precision"], out["warning_recall"] = _precision_recall(y_w, data.pred_warning)
    if data.p_warning is not None:
        for k in top_k:
            out[f"warning_precision_at_{k}"] = _precision_at(y_w, data.p_warning, k)
        out["warning_brier"] = _binary_brier(y_w, data.p_warning)
    return out


def _group_metrics(data: _Outcomes) -> dict[str, float]:
    y_i, p_i = _grade_scores(data)["grade_I"]
    y_ii, p_ii = _grade_scores(data)["grade_I_II"]
    has_warning = data.warning is not None and data.p_warning is not None
    return {
        "n": float(len(data.grade)),
        "grade_I_auc": _auc(y_i, p_i),
        "grade_I_II_auc": _auc(y_ii, p_ii),
        "warning_pr_auc": (
            _average_precision(data.warning, data.p_warning)  # type: ignore[arg-type]
            if has_warning
            else math.nan
        ),
        "macro_f1": _macro_f1(data),
        "grade_I_rate": float(y_i.mean()),
        "brier": _brier(data),
    }


def _breakdown(truth: pd.DataFrame, data: _Outcomes, by: Sequence[str]) -> pd.DataFrame:
    rows = []
    for column in by:
        codes, uniques = pd.factorize(truth[column], sort=True, use_na_sentinel=False)
        for code, value in enumerate(uniques):
            rows.append(
                {"by": column, "group": value, **_group_metrics(data.subset(codes == code))}
            )
    columns = ["by", "group", "n", *BREAKDOWN_METRICS]
    frame = pd.DataFrame(rows, columns=columns)
    frame["group"] = frame["group"].astype(object)
    frame["n"] = frame["n"].astype("int64")
    return frame


def _check_by(truth: pd.DataFrame, by: Sequence[str] | str) -> list[str]:
    columns = [by] if isinstance(by, str) else list(by)
    missing = [c for c in columns if c not in truth.columns]
    if missing:
        raise ArrearsRiskError(
            f"by names columns of truth; {missing} not among {list(truth.columns)}."
        )
    return columns


def _check_top_k(top_k: Sequence[int]) -> list[int]:
    values = [_whole(k, "each top_k") for k in top_k]
    return sorted(set(values))


# --- curves and tables --------------------------------------------------------------


def _calibration(data: _Outcomes) -> pd.DataFrame:
    targets = {f"grade_{g}": (data.grade == c, data.proba[:, c]) for c, g in enumerate(GRADES)}
    if data.warning is not None and data.p_warning is not None:
        targets["warning"] = (data.warning, data.p_warning)
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    parts = []
    for name, (y, p) in targets.items():
        observed, predicted = calibration_curve(
            y.astype(int), p, n_bins=CALIBRATION_BINS, strategy="uniform"
        )
        # The same bins as calibration_curve: [0, 0.1], (0.1, 0.2], ..., (0.9, 1].
        counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=CALIBRATION_BINS)
        bins = np.flatnonzero(counts)
        assert len(bins) == len(observed), "calibration bins out of step with scikit-learn"
        parts.append(
            pd.DataFrame(
                {
                    "target": name,
                    "bin": bins,
                    "bin_low": edges[bins],
                    "bin_high": edges[bins + 1],
                    "mean_predicted": predicted,
                    "observed_rate": observed,
                    "count": counts[bins],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _confusion(data: _Outcomes) -> pd.DataFrame:
    counts = confusion_matrix(data.grade, data.pred_grade, labels=_CODES)
    return pd.DataFrame(
        counts,
        index=pd.Index(list(GRADES), name="true"),
        columns=pd.Index(list(GRADES), name="predicted"),
    )


def _roc_frame(y: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    if not _both_classes(y):
        return pd.DataFrame({"fpr": [], "tpr": [], "threshold": []}, dtype=float)
    fpr, tpr, threshold = roc_curve(y, score)
    return pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": threshold})


def _curves(data: _Outcomes) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    roc = {name: _roc_frame(y, s) for name, (y, s) in _grade_scores(data).items()}
    pr = pd.DataFrame({"precision": [], "recall": [], "threshold": []}, dtype=float)
    if data.warning is not None and data.p_warning is not None:
        roc["warning"] = _roc_frame(data.warning, data.p_warning)
        if data.warning.any():
            precision, recall, threshold = precision_recall_curve(data.warning, data.p_warning)
            pr = pd.DataFrame(
                {"precision": precision, "recall": recall, "threshold": [*threshold, np.nan]}
            )
    return roc, pr


def evaluate(
    truth: pd.DataFrame,
    pred: pd.DataFrame,
    *,
    warning_threshold: float | None = None,
    top_k: Sequence[int] = (100, 500),
    by: Sequence[str] = (),
) -> Evaluation:
    """Measure one model's grade and warning predictions against the outcomes.

    Parameters
    ----------
    truth : pandas.DataFrame
        The outcomes: ``grade`` (``"I"``, ``"II"``, ``"III"``; categorical or text) and
        optionally ``a_warning`` (bool), plus any grouping columns named in ``by``.
    pred : pandas.DataFrame
        The predictions, on the same index in the same order: ``p_I``, ``p_II``,
        ``p_III`` (each row summing to 1 within 1e-6), ``grade`` (predicted), and
        optionally ``p_warning`` and ``a_warning`` (predicted bool).
    warning_threshold : float, optional
        Flag a warning where ``p_warning >= warning_threshold`` instead of reading
        ``pred["a_warning"]``.  Ignored when ``pred`` has no ``p_warning``.
    top_k : sequence of int, default (100, 500)
        The ``k`` of the precision-at-k metrics: the share of positives among the
        ``k`` customers with the highest score (all customers if fewer than ``k``;
        rows tied with the k-th score share its remaining places in proportion).
    by : sequence of str, default ()
        Columns of ``truth`` (e.g. ``"category"``, ``"as_of"``) to break the main
        metrics down by; missing values form a group of their own.

    Returns
    -------
    Evaluation
        ``metrics`` holds, as floats:

        - ``n``, ``grade_I_rate``;
        - ``grade_I_auc``, ``grade_I_ks``: Grade I vs rest, scored by ``p_I``; KS is the
          largest ``tpr - fpr`` on the ROC curve;
        - ``grade_I_II_auc``, ``grade_I_II_ks``: Grade I or II vs III, scored by
          ``p_I + p_II``;
        - ``grade_I_precision_at_{k}`` for each ``k`` of ``top_k``;
        - ``grade_{g}_precision``, ``grade_{g}_recall`` for g in I, II, III, of the
          predicted grade; ``macro_f1`` (mean F1 over the grades that occur in truth or
          prediction); ``qwk``, the quadratic weighted kappa with I < II < III;
        - ``brier``, the multi-class Brier score (mean over rows of the sum over grades
          of ``(p - onehot)**2``, from 0 to 2); ``grade_I_brier``, the binary one of
          ``p_I``;
        - with ``truth["a_warning"]``: ``warning_rate``; and with ``p_warning``:
          ``warning_auc``, ``warning_pr_auc`` (average precision),
          ``warning_precision_at_{k}``, ``warning_brier``; and with a predicted
          warning (``pred["a_warning"]`` or ``warning_threshold``):
          ``warning_precision``, ``warning_recall``.

        A warning metric whose inputs are absent is left out; a metric the data leave
        undefined (one class only, nothing flagged) is ``NaN``.

    Raises
    ------
    ArrearsRiskError
        If a column is missing, the frames differ in length or index, a grade is not
        I/II/III, probabilities are outside [0, 1] or do not sum to 1, or a warning
        column is not boolean.

    Examples
    --------
    >>> import pandas as pd
    >>> from arrearsrisk.evaluation.metrics import evaluate
    >>> truth = pd.DataFrame({"grade": ["I", "II", "III", "III"],
    ...                       "a_warning": [True, False, False, False]})
    >>> pred = pd.DataFrame({"p_I": [0.7, 0.2, 0.3, 0.1], "p_II": [0.2, 0.5, 0.2, 0.1],
    ...                      "p_III": [0.1, 0.3, 0.5, 0.8], "grade": ["I", "II", "III", "III"],
    ...                      "p_warning": [0.6, 0.1, 0.2, 0.05]})
    >>> ev = evaluate(truth, pred, warning_threshold=0.5, top_k=[1])
    >>> ev.metrics["grade_I_auc"], ev.metrics["macro_f1"], ev.metrics["warning_recall"]
    (1.0, 1.0, 1.0)
    >>> ev.confusion.loc["III", "III"]
    np.int64(2)
    """
    data = _outcomes(truth, pred, warning_threshold)
    columns = _check_by(truth, by)
    roc, pr = _curves(data)
    return Evaluation(
        metrics=_metrics(data, _check_top_k(top_k)),
        breakdown=_breakdown(truth, data, columns),
        calibration=_calibration(data),
        confusion=_confusion(data),
        roc=roc,
        pr=pr,
    )


# --- drift --------------------------------------------------------------------------


def population_stability(
    expected: ArrayLike, actual: ArrayLike, bins: int = 10, *, eps: float = PSI_EPSILON
) -> float:
    """Population stability index of ``actual`` against ``expected``.

    .. math::

        \\mathrm{PSI} = \\sum_i (a_i - e_i) \\ln(a_i / e_i)

    where ``e_i`` and ``a_i`` are the shares of ``expected`` and ``actual`` in bin
    ``i``.  The bins are cut at the ``1/bins, 2/bins, ...`` quantiles of ``expected``
    (repeated quantiles merged), right-closed, the outer ones open to ±infinity so
    every value of ``actual`` lands in one.  A share below ``eps`` is raised to
    ``eps`` (not renormalised), so an empty bin adds a large but finite term.

    Parameters
    ----------
    expected, actual : array-like of float
        The reference sample (e.g. training scores) and the one to compare.
    bins : int, default 10
        Number of quantile bins of ``expected``.
    eps : float, default 1e-4
        Floor on a bin's share.

    Returns
    -------
    float
        0 for identical distributions; see :func:`psi_verdict` to read it.

    Examples
    --------
    Half of ``expected`` falls at or below its median 4.5; 80 % of ``actual`` does:

    >>> import math
    >>> psi = population_stability(range(10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] + [0, 1, 2] * 5,
    ...                            bins=2)
    >>> round(psi, 6) == round(0.3 * math.log(1.6) + 0.3 * math.log(2.5), 6)
    True
    """
    e = _score_vector(expected, "expected")
    a = _score_vector(actual, "actual")
    n_bins = _whole(bins, "bins")
    if not 0 < eps < 1:
        raise ArrearsRiskError(f"eps must be in (0, 1); got {eps!r}.")
    inner = np.unique(np.quantile(e, np.linspace(0, 1, n_bins + 1)[1:-1]))
    # side="left": a value equal to a cut point goes to the bin below, (q_{i-1}, q_i].
    e_share = np.bincount(np.searchsorted(inner, e), minlength=len(inner) + 1) / len(e)
    a_share = np.bincount(np.searchsorted(inner, a), minlength=len(inner) + 1) / len(a)
    e_share, a_share = np.maximum(e_share, eps), np.maximum(a_share, eps)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))


def psi_verdict(value: float) -> str:
    """Read a PSI: ``"stable"`` below :data:`PSI_STABLE` (0.1), ``"minor shift"`` below
    :data:`PSI_SHIFT` (0.25), else ``"major shift"``.

    >>> psi_verdict(0.05), psi_verdict(0.1), psi_verdict(0.3)
    ('stable', 'minor shift', 'major shift')
    """
    if not (isinstance(value, int | float | np.floating) and value >= 0):
        raise ArrearsRiskError(f"a PSI is a number >= 0; got {value!r}.")
    if value < PSI_STABLE:
        return "stable"
    if value < PSI_SHIFT:
        return "minor shift"
    return "major shift"


# --- operating points ---------------------------------------------------------------


def _labels_and_scores(y: ArrayLike, p: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    score = _score_vector(p, "p")
    flags = _bool_vector(np.asarray(y).ravel(), "y")
    if len(flags) != len(score):
        raise ArrearsRiskError(
            f"y and p must have the same length; got {len(flags):,} and {len(score):,}."
        )
    return flags, score


def warning_threshold_for_precision(y: ArrayLike, p: ArrayLike, target_precision: float) -> float:
    """The lowest threshold whose warnings reach ``target_precision``.

    Among the thresholds ``t`` (the distinct values of ``p``) flagging ``p >= t``, the
    lowest one whose precision on ``(y, p)`` is at least ``target_precision``, i.e. the
    one catching the most warnings at that precision.  If no threshold reaches it,
    the threshold with the highest F1 (the lowest such on ties).

    Parameters
    ----------
    y : array-like of bool
        The true A-level warnings of a validation slice; at least one True.
    p : array-like of float
        The predicted ``p_warning``.
    target_precision : float
        In (0, 1].

    Returns
    -------
    float
        A value of ``p``.

    Examples
    --------
    >>> y = [False, True, False, True, True]
    >>> p = [0.1, 0.2, 0.3, 0.6, 0.9]
    >>> warning_threshold_for_precision(y, p, 0.75)  # 3 of the 4 from 0.2 up
    0.2
    >>> warning_threshold_for_precision(y, p, 1.0)
    0.6
    """
    flags, score = _labels_and_scores(y, p)
    if not 0 < target_precision <= 1:
        raise ArrearsRiskError(f"target_precision must be in (0, 1]; got {target_precision!r}.")
    if not flags.any():
        raise ArrearsRiskError(
            "y has no positive (True) warning, so no threshold has a precision; "
            "use a validation slice that holds warnings."
        )
    precision, recall, thresholds = precision_recall_curve(flags, score)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    reached = np.flatnonzero(precision >= target_precision)
    if reached.size:
        return float(thresholds[reached[0]])
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)
    return float(thresholds[int(np.argmax(f1))])


def warning_threshold_for_capacity(p: ArrayLike, capacity: int, n_months: int = 1) -> float:
    """The threshold flagging about ``capacity`` customers a month.

    With ``p`` the warning scores of ``n_months`` months pooled, the threshold is the
    ``capacity * n_months``-th highest value, so ``p >= threshold`` flags that many
    (more on ties at the threshold).  If ``p`` has fewer values, its minimum: every
    customer is flagged.

    Parameters
    ----------
    p : array-like of float
        Warning scores, e.g. ``p_warning`` of the last ``n_months`` as-of dates.
    capacity : int
        Customers the collection team can handle a month.
    n_months : int, default 1
        Months pooled in ``p``.

    Examples
    --------
    >>> warning_threshold_for_capacity([0.9, 0.1, 0.4, 0.7, 0.3, 0.8], capacity=2)
    0.8
    >>> warning_threshold_for_capacity([0.9, 0.1, 0.4, 0.7, 0.3, 0.8], capacity=2, n_months=2)
    0.4
    """
    score = _score_vector(p, "p")
    k = _whole(capacity, "capacity") * _whole(n_months, "n_months")
    ranked = np.sort(score)[::-1]
    return float(ranked[min(k, len(ranked)) - 1])


def _as_probabilities(p: ArrayLike | pd.DataFrame) -> np.ndarray:
    if isinstance(p, pd.DataFrame) and set(PROBABILITY_COLUMNS) <= set(p.columns):
        return _probability_matrix(_float_array(p[list(PROBABILITY_COLUMNS)], "p"), p.index, "p")
    matrix = _float_array(p, "p")
    index = p.index if isinstance(p, pd.DataFrame) else pd.RangeIndex(len(matrix))
    return _probability_matrix(matrix, index, "p")


def _check_cutoff(value: float, what: str) -> float:
    if not (isinstance(value, int | float | np.floating) and 0 <= value <= 1):
        raise ArrearsRiskError(f"{what} must be a number in [0, 1]; got {value!r}.")
    return float(value)


def grade_from_probabilities(
    p: ArrayLike | pd.DataFrame, cutoffs: tuple[float, float] | None = None
) -> np.ndarray:
    """Grades from the probabilities ``p_I, p_II, p_III``.

    With ``cutoffs=None``, the most probable grade (the higher risk on ties).  With
    ``cutoffs=(t_I, t_I_II)``, cumulatively from the highest risk: ``"I"`` if
    ``p_I >= t_I``, else ``"II"`` if ``p_I + p_II >= t_I_II``, else ``"III"``.

    Parameters
    ----------
    p : array-like of shape (n, 3), or DataFrame
        Columns I, II, III (a DataFrame's ``p_I``, ``p_II``, ``p_III`` if it has them);
        each row summing to 1 within 1e-6.
    cutoffs : (float, float), optional
        ``(t_I, t_I_II)``, each in [0, 1], e.g. from :func:`fit_grade_cutoffs`.

    Returns
    -------
    numpy.ndarray of str

    Examples
    --------
    >>> p = [[0.40, 0.10, 0.50], [0.20, 0.45, 0.35], [0.05, 0.35, 0.60]]
    >>> grade_from_probabilities(p).tolist()
    ['III', 'II', 'III']
    >>> grade_from_probabilities(p, cutoffs=(0.3, 0.6)).tolist()
    ['I', 'II', 'III']
    """
    proba = _as_probabilities(p)
    if cutoffs is None:
        codes = np.argmax(proba, axis=1)
    else:
        if len(cutoffs) != 2:
            raise ArrearsRiskError(f"cutoffs must be (t_I, t_I_II); got {cutoffs!r}.")
        t_i = _check_cutoff(cutoffs[0], "t_I")
        t_i_ii = _check_cutoff(cutoffs[1], "t_I_II")
        codes = np.where(proba[:, 0] >= t_i, 0, np.where(proba[:, 0] + proba[:, 1] >= t_i_ii, 1, 2))
    return np.asarray(GRADES)[codes]


def _count_at_least(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """How many ``values`` are ``>= t``, for each ``t`` of ``grid``."""
    return len(values) - np.searchsorted(np.sort(values), grid, side="left")


def _f1(tp: np.ndarray, flagged: np.ndarray, positives: int | np.ndarray) -> np.ndarray:
    """F1 = 2 TP / (flagged + positives); NaN where both are 0 (as scikit-learn's
    ``zero_division=np.nan``)."""
    total = np.asarray(flagged + positives, dtype=float)
    f1 = np.full(total.shape, np.nan)
    np.divide(2 * tp, total, out=f1, where=total > 0)
    return f1


def fit_grade_cutoffs(
    y_grade: ArrayLike, p: ArrayLike | pd.DataFrame, *, grid: ArrayLike | None = None
) -> tuple[float, float]:
    """Choose the cut-offs ``(t_I, t_I_II)`` of :func:`grade_from_probabilities`.

    Two steps on a validation slice, over ``grid`` (default 0.05, 0.06, ..., 0.95):

    1. ``t_I`` maximises the F1 of Grade I vs rest, predicting I where ``p_I >= t_I``;
    2. with ``t_I`` fixed, ``t_I_II`` maximises the macro-F1 of the three grades
       predicted by the cumulative rule (as ``macro_f1`` of :func:`evaluate`: grades
       absent from both truth and prediction are left out of the mean).

    Ties go to the lowest cut-off, so the result is deterministic.

    Parameters
    ----------
    y_grade : array-like of str
        True grades ``"I"``, ``"II"``, ``"III"``; at least one Grade I and one other.
    p : array-like of shape (n, 3), or DataFrame
        Predicted probabilities, as in :func:`grade_from_probabilities`.
    grid : array-like of float, optional
        Candidate cut-offs in [0, 1].

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> y = ["I", "I", "II", "II", "III", "III"]
    >>> p = [[0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.3, 0.5, 0.2],
    ...      [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.1, 0.2, 0.7]]
    >>> fit_grade_cutoffs(y, p)
    (0.31, 0.41)
    """
    proba = _as_probabilities(p)
    grade = _grade_codes(pd.Series(np.asarray(y_grade, dtype=object).ravel()), "y_grade")
    if len(grade) != len(proba):
        raise ArrearsRiskError(
            f"y_grade and p must have the same rows; got {len(grade):,} and {len(proba):,}."
        )
    if not (grade == 0).any() or (grade == 0).all():
        raise ArrearsRiskError(
            "y_grade must hold Grade I and some other grade to fit cut-offs; "
            f"got only {sorted({GRADES[c] for c in grade})}."
        )
    cuts = _CUTOFF_GRID if grid is None else np.unique(_score_vector(grid, "grid"))
    if cuts.min() < 0 or cuts.max() > 1:
        raise ArrearsRiskError(f"grid must lie in [0, 1]; got {cuts.min()} to {cuts.max()}.")
    p_i, p_i_ii = proba[:, 0], proba[:, 0] + proba[:, 1]
    is_i = grade == 0
    f1_i = _f1(_count_at_least(p_i[is_i], cuts), _count_at_least(p_i, cuts), int(is_i.sum()))
    t_i = float(cuts[int(np.nanargmax(f1_i))])

    rest = p_i < t_i  # rows not predicted Grade I
    s = p_i_ii[rest]
    is_ii, is_iii = grade[rest] == 1, grade[rest] == 2
    flagged_ii = _count_at_least(s, cuts)
    tp_ii = _count_at_least(s[is_ii], cuts)
    tp_iii = is_iii.sum() - _count_at_least(s[is_iii], cuts)
    f1_ii = _f1(tp_ii, flagged_ii, int((grade == 1).sum()))
    f1_iii = _f1(tp_iii, len(s) - flagged_ii, int((grade == 2).sum()))
    f1_i_fixed = _f1(np.array([(is_i & ~rest).sum()]), np.array([(~rest).sum()]), int(is_i.sum()))
    per_grade = np.vstack([np.broadcast_to(f1_i_fixed, f1_ii.shape), f1_ii, f1_iii])
    macro = np.nanmean(per_grade, axis=0)  # F1 of Grade I is always defined
    return t_i, float(cuts[int(np.argmax(macro))])

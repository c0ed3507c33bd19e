"""Out-of-time evaluation of grade and warning predictions: the metrics.

:func:`evaluate` compares one model's predictions (``p_I``, ``p_II``, ``p_III``, the
predicted ``grade``, ``p_warning``, ``a_warning``) with the outcomes of
:func:`arrearsrisk.build_labels` and returns an :class:`Evaluation`: a flat dict of
MLflow-friendly metrics and the tables (from :mod:`arrearsrisk.evaluation.curves`) behind
the plots of :mod:`arrearsrisk.evaluation.plots`.  Run it on the model and on each
baseline with the same ``truth`` to compare them.

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
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    cohen_kappa_score,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)

from arrearsrisk.evaluation.checks import (
    CODES,
    Outcomes,
    both_classes,
    check_by,
    check_top_k,
    read_outcomes,
)
from arrearsrisk.evaluation.curves import calibration_table, confusion_table, roc_and_pr
from arrearsrisk.vocabulary import GRADES

__all__ = ["BREAKDOWN_METRICS", "Evaluation", "evaluate"]

BREAKDOWN_METRICS: tuple[str, ...] = (
    "grade_I_auc",
    "grade_I_II_auc",
    "warning_pr_auc",
    "macro_f1",
    "grade_I_rate",
    "brier",
)
"""The metrics of each group in :attr:`Evaluation.breakdown`."""


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
        :data:`~arrearsrisk.evaluation.curves.CALIBRATION_BINS` uniform bins.
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


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    return float(roc_auc_score(y, score)) if both_classes(y) else math.nan


def _ks(y: np.ndarray, score: np.ndarray) -> float:
    """Kolmogorov-Smirnov statistic: the largest ``tpr - fpr`` along the ROC curve."""
    if not both_classes(y):
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


def _macro_f1(data: Outcomes) -> float:
    return float(
        f1_score(data.grade, data.pred_grade, labels=CODES, average="macro", zero_division=np.nan)
    )


def _qwk(data: Outcomes) -> float:
    """Quadratic weighted kappa with I < II < III; NaN when truth and prediction are one
    and the same grade (no disagreement is possible)."""
    classes = np.union1d(data.grade, data.pred_grade)
    if len(classes) == 1:
        return math.nan
    return float(cohen_kappa_score(data.grade, data.pred_grade, labels=CODES, weights="quadratic"))


def _brier(data: Outcomes) -> float:
    """Multi-class Brier score: mean over rows of the sum over grades of (p - one-hot)²."""
    return float(brier_score_loss(data.grade, data.proba, labels=CODES))


def _binary_brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(brier_score_loss(y.astype(int), p, pos_label=1))


def _precision_recall(y: np.ndarray, flagged: np.ndarray) -> tuple[float, float]:
    precision, recall, _, _ = precision_recall_fscore_support(
        y, flagged, labels=[True], average=None, zero_division=np.nan
    )
    return float(precision[0]), float(recall[0])


def _metrics(data: Outcomes, top_k: Sequence[int]) -> dict[str, float]:
    out: dict[str, float] = {"n": float(len(data.grade))}
    scores = data.grade_scores()
    y_i, p_i = scores["grade_I"]
    out["grade_I_rate"] = float(y_i.mean())
    for name, (y, score) in scores.items():
        out[f"{name}_auc"] = _auc(y, score)
        out[f"{name}_ks"] = _ks(y, score)
    for k in top_k:
        out[f"grade_I_precision_at_{k}"] = _precision_at(y_i, p_i, k)
    precision, recall, _, _ = precision_recall_fscore_support(
        data.grade, data.pred_grade, labels=CODES, average=None, zero_division=np.nan
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


def _group_metrics(data: Outcomes) -> dict[str, float]:
    y_i, p_i = data.grade_scores()["grade_I"]
    y_ii, p_ii = data.grade_scores()["grade_I_II"]
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


def _breakdown(truth: pd.DataFrame, data: Outcomes, by: Sequence[str]) -> pd.DataFrame:
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
    >>> from arrearsrisk.evaluation import evaluate
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
    data = read_outcomes(truth, pred, warning_threshold)
    columns = check_by(truth, by)
    roc, pr = roc_and_pr(data)
    return Evaluation(
        metrics=_metrics(data, check_top_k(top_k)),
        breakdown=_breakdown(truth, data, columns),
        calibration=calibration_table(data),
        confusion=confusion_table(data),
        roc=roc,
        pr=pr,
    )

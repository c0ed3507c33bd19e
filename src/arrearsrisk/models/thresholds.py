"""Operating points of a model, set on a validation slice.

:func:`fit_grade_cutoffs` and :func:`grade_from_probabilities` for the grade (the
cumulative rule of :data:`arrearsrisk.vocabulary.GRADE_RULE`),
:func:`warning_threshold_for_precision` and :func:`warning_threshold_for_capacity` for
the A-level warning.  Inputs are checked by :mod:`arrearsrisk.evaluation.checks`, as in
:func:`arrearsrisk.evaluation.evaluate`.

Examples
--------
>>> grade_from_probabilities([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6]], cutoffs=(0.4, 0.5)).tolist()
['I', 'III']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import precision_recall_curve

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.evaluation.checks import (
    PROBABILITY_COLUMNS,
    bool_vector,
    check_grades,
    float_array,
    probability_matrix,
    score_vector,
    whole,
)
from arrearsrisk.vocabulary import GRADES, grade_codes

__all__ = [
    "fit_grade_cutoffs",
    "grade_from_probabilities",
    "warning_threshold_for_capacity",
    "warning_threshold_for_precision",
]

_CUTOFF_GRID = np.arange(5, 96) / 100


def _labels_and_scores(y: ArrayLike, p: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    score = score_vector(p, "p")
    flags = bool_vector(np.asarray(y).ravel(), "y")
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
    score = score_vector(p, "p")
    k = whole(capacity, "capacity") * whole(n_months, "n_months")
    ranked = np.sort(score)[::-1]
    return float(ranked[min(k, len(ranked)) - 1])


def _as_probabilities(p: ArrayLike | pd.DataFrame) -> np.ndarray:
    if isinstance(p, pd.DataFrame) and set(PROBABILITY_COLUMNS) <= set(p.columns):
        return probability_matrix(float_array(p[list(PROBABILITY_COLUMNS)], "p"), p.index, "p")
    matrix = float_array(p, "p")
    index = p.index if isinstance(p, pd.DataFrame) else pd.RangeIndex(len(matrix))
    return probability_matrix(matrix, index, "p")


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
    ``p_I >= t_I``, else ``"II"`` if ``p_I + p_II >= t_I_II``, else ``"III"``
    (:data:`arrearsrisk.vocabulary.GRADE_RULE`, by
    :func:`arrearsrisk.vocabulary.grade_codes`).

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
        codes = grade_codes(proba[:, 0], proba[:, 0] + proba[:, 1], t_i, t_i_ii)
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
    grade = check_grades(pd.Series(np.asarray(y_grade, dtype=object).ravel()), "y_grade")
    if len(grade) != len(proba):
        raise ArrearsRiskError(
            f"y_grade and p must have the same rows; got {len(grade):,} and {len(proba):,}."
        )
    if not (grade == 0).any() or (grade == 0).all():
        raise ArrearsRiskError(
            "y_grade must hold Grade I and some other grade to fit cut-offs; "
            f"got only {sorted({GRADES[c] for c in grade})}."
        )
    cuts = _CUTOFF_GRID if grid is None else np.unique(score_vector(grid, "grid"))
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

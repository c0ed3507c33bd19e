"""Input checks of the evaluation: each turns what a caller passed into clean arrays or
raises an :class:`~arrearsrisk.errors.ArrearsRiskError` naming the bad rows.

Shared by :mod:`arrearsrisk.evaluation.metrics`, :mod:`arrearsrisk.evaluation.curves`,
:mod:`arrearsrisk.evaluation.drift` and :mod:`arrearsrisk.models.thresholds`.  Grades are
coded 0, 1, 2 for I, II, III (:data:`CODES`), in the order of
:data:`arrearsrisk.vocabulary.GRADES`.

Examples
--------
>>> import pandas as pd
>>> check_grades(pd.Series(["III", "I"]), "grade").tolist()
[2, 0]
>>> whole(3, "bins")
3
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.vocabulary import GRADES

__all__ = [
    "CODES",
    "PROBABILITY_COLUMNS",
    "SUM_TOLERANCE",
    "Outcomes",
    "bool_vector",
    "both_classes",
    "check_by",
    "check_grades",
    "check_top_k",
    "examples",
    "float_array",
    "probability_matrix",
    "probability_vector",
    "read_outcomes",
    "score_vector",
    "whole",
]

PROBABILITY_COLUMNS: tuple[str, ...] = tuple(f"p_{g}" for g in GRADES)
"""The predicted grade probabilities, in the order of :data:`~arrearsrisk.vocabulary.GRADES`."""

SUM_TOLERANCE = 1e-6
"""How far a row of grade probabilities may sum from 1 (and stray outside [0, 1])."""

CODES = np.arange(len(GRADES))
"""The grade codes 0, 1, 2 of grades I, II, III."""

_SHOWN = 5


def examples(values: pd.Series, bad: np.ndarray) -> str:
    """How many ``values`` are ``bad`` and the first few of them, for an error."""
    n_bad = int(bad.sum())
    shown = values[bad].head(_SHOWN).to_dict()
    return f"{n_bad:,} of {len(values):,} rows, first (by row label): {shown}"


def check_grades(values: pd.Series, what: str) -> np.ndarray:
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
            f"{examples(values, bad)}.{hint}"
        )
    return np.asarray(codes, dtype=np.int64)


def float_array(values: ArrayLike, what: str) -> np.ndarray:
    """``values`` as a float array; an error if they are not numbers."""
    try:
        out = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ArrearsRiskError(f"{what} must be numbers; got {err}.") from None
    return out


def probability_matrix(p: np.ndarray, index: pd.Index, what: str) -> np.ndarray:
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
            f"{examples(frame.apply(tuple, axis=1), ~finite)}."
        )
    outside = np.asarray(((p < -SUM_TOLERANCE) | (p > 1 + SUM_TOLERANCE)).any(axis=1))
    if outside.any():
        raise ArrearsRiskError(
            f"{what} must lie in [0, 1]; outside in "
            f"{examples(frame.apply(tuple, axis=1), outside)}."
        )
    sums = p.sum(axis=1)
    off = np.abs(sums - 1) > SUM_TOLERANCE
    if off.any():
        raise ArrearsRiskError(
            f"{what}: each row's probabilities must sum to 1 within {SUM_TOLERANCE:g}; "
            f"sums differ in {examples(pd.Series(sums, index=index), off)}.\n"
            "  hint: normalise the rows, p / p.sum(axis=1)."
        )
    return np.clip(p, 0.0, 1.0)


def probability_vector(
    values: ArrayLike, what: str, *, index: pd.Index | None = None
) -> np.ndarray:
    """A 1-D array of probabilities in [0, 1] (clipped within the tolerance)."""
    p = float_array(values, what)
    if p.ndim != 1:
        raise ArrearsRiskError(f"{what} must be one-dimensional; got shape {p.shape}.")
    series = pd.Series(p, index=index)
    bad = ~np.isfinite(p) | (p < -SUM_TOLERANCE) | (p > 1 + SUM_TOLERANCE)
    if bad.any():
        raise ArrearsRiskError(
            f"{what} must be probabilities in [0, 1]; other values in {examples(series, bad)}."
        )
    return np.clip(p, 0.0, 1.0)


def bool_vector(values: ArrayLike, what: str, *, index: pd.Index | None = None) -> np.ndarray:
    """A boolean array; an error names missing or non-boolean values."""
    series = pd.Series(values, index=index)
    bad = (series.isna() | ~series.isin([True, False])).to_numpy()
    if bad.any():
        raise ArrearsRiskError(
            f"{what} must hold booleans (True/False); other values in {examples(series, bad)}."
        )
    return series.to_numpy(dtype=bool)


def score_vector(values: ArrayLike, what: str) -> np.ndarray:
    """A non-empty 1-D array of finite scores."""
    s = float_array(values, what)
    if s.ndim != 1 or s.size == 0:
        raise ArrearsRiskError(f"{what} must be a non-empty 1-D array; got shape {s.shape}.")
    bad = ~np.isfinite(s)
    if bad.any():
        raise ArrearsRiskError(
            f"{what} must be finite; NaN or infinite in {examples(pd.Series(s), bad)}."
        )
    return s


def whole(value: object, what: str, minimum: int = 1) -> int:
    """``value`` if it is a whole number (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ArrearsRiskError(f"{what} must be a whole number >= {minimum}; got {value!r}.")
    return int(value)


@dataclass(frozen=True)
class Outcomes:
    """Aligned arrays of one evaluation: true and predicted grades and warnings."""

    grade: np.ndarray  # true grade codes 0, 1, 2
    pred_grade: np.ndarray  # predicted grade codes
    proba: np.ndarray  # (n, 3) p_I, p_II, p_III
    warning: np.ndarray | None  # true A-level warning
    p_warning: np.ndarray | None
    pred_warning: np.ndarray | None

    def subset(self, mask: np.ndarray) -> Outcomes:
        def cut(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[mask]

        return Outcomes(
            self.grade[mask],
            self.pred_grade[mask],
            self.proba[mask],
            cut(self.warning),
            cut(self.p_warning),
            cut(self.pred_warning),
        )

    def grade_scores(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The binary targets and their scores: Grade I vs rest, I or II vs III."""
        return {
            "grade_I": (self.grade == 0, self.proba[:, 0]),
            "grade_I_II": (self.grade <= 1, self.proba[:, 0] + self.proba[:, 1]),
        }


def read_outcomes(
    truth: pd.DataFrame, pred: pd.DataFrame, warning_threshold: float | None
) -> Outcomes:
    """Check ``truth`` and ``pred`` of :func:`~arrearsrisk.evaluation.metrics.evaluate`
    and align them as :class:`Outcomes`."""
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
    proba = probability_matrix(
        float_array(pred[list(PROBABILITY_COLUMNS)], "pred's p_I, p_II, p_III"),
        pred.index,
        "pred's p_I, p_II, p_III",
    )
    warning = (
        bool_vector(truth["a_warning"], "truth's 'a_warning'") if "a_warning" in truth else None
    )
    p_warning = (
        probability_vector(pred["p_warning"], "pred's 'p_warning'", index=pred.index)
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
        pred_warning = bool_vector(pred["a_warning"], "pred's 'a_warning'")
    else:
        pred_warning = None
    return Outcomes(
        grade=check_grades(truth["grade"], "truth's 'grade'"),
        pred_grade=check_grades(pred["grade"], "pred's 'grade'"),
        proba=proba,
        warning=warning,
        p_warning=p_warning,
        pred_warning=pred_warning,
    )


def both_classes(y: np.ndarray) -> bool:
    """Whether the binary target ``y`` holds both True and False."""
    return bool(y.any() and not y.all())


def check_by(truth: pd.DataFrame, by: Sequence[str] | str) -> list[str]:
    """The ``by`` columns as a list; an error names any not in ``truth``."""
    columns = [by] if isinstance(by, str) else list(by)
    missing = [c for c in columns if c not in truth.columns]
    if missing:
        raise ArrearsRiskError(
            f"by names columns of truth; {missing} not among {list(truth.columns)}."
        )
    return columns


def check_top_k(top_k: Sequence[int]) -> list[int]:
    """The distinct ``k`` of ``top_k``, sorted; each a whole number >= 1."""
    values = [whole(k, "each top_k") for k in top_k]
    return sorted(set(values))

"""Comparing two models on the same outcomes: :func:`compare_models`, a paired bootstrap.

Both models are scored on one frame of outcomes; each resample draws rows (or whole
customers, ``cluster=``; optionally within each month, ``by=``) with replacement, and the
*same* draw measures both models, so the interval is that of the difference itself, not
of two separate estimates.  The metrics are those of
:func:`~arrearsrisk.evaluation.metrics.evaluate`: the point values are exactly its
figures, and a resample's value equals :func:`evaluate` on the drawn rows (a row drawn
*k* times counts *k* times).  The common metrics are computed from the draw counts
directly (a few ``bincount`` per resample: 1,000 resamples of 10,000 rows take about a
second); any other metric of :func:`evaluate` is recomputed on the drawn rows, slower.

Examples
--------
>>> import pandas as pd
>>> truth = pd.DataFrame({"grade": ["I", "II", "III", "III"]})
>>> a = pd.DataFrame({"p_I": [0.2, 0.6, 0.1, 0.1], "p_II": [0.3, 0.2, 0.2, 0.1],
...                   "p_III": [0.5, 0.2, 0.7, 0.8], "grade": ["III", "I", "III", "III"]})
>>> b = pd.DataFrame({"p_I": [0.7, 0.2, 0.1, 0.1], "p_II": [0.2, 0.5, 0.2, 0.1],
...                   "p_III": [0.1, 0.3, 0.7, 0.8], "grade": ["I", "II", "III", "III"]})
>>> table = compare_models(truth, a, b, metrics=["grade_I_auc", "macro_f1"], n_boot=200)
>>> table.loc["grade_I_auc", ["a", "b", "difference"]].round(3).tolist()
[0.667, 1.0, 0.333]
>>> table.loc["macro_f1", ["a", "b", "difference"]].round(3).tolist()
[0.267, 1.0, 0.733]
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.evaluation.checks import CODES, Outcomes, check_by, read_outcomes, whole
from arrearsrisk.evaluation.metrics import _metrics

__all__ = ["COMPARE_COLUMNS", "DEFAULT_COMPARE_METRICS", "LOWER_IS_BETTER", "compare_models"]

DEFAULT_COMPARE_METRICS: tuple[str, ...] = (
    "grade_I_auc",
    "grade_I_II_auc",
    "warning_pr_auc",
    "macro_f1",
    "brier",
)
"""The metrics :func:`compare_models` compares unless told otherwise."""

LOWER_IS_BETTER: frozenset[str] = frozenset({"brier", "grade_I_brier", "warning_brier"})
"""Metrics where a lower value is better (the Brier scores); for every other metric of
:func:`~arrearsrisk.evaluation.metrics.evaluate`, higher is better."""

COMPARE_COLUMNS: tuple[str, ...] = (
    "a",
    "b",
    "difference",
    "low",
    "high",
    "higher_is_better",
    "resamples",
)
"""The columns of :func:`compare_models`' table."""

_TOP_K = re.compile(r"_precision_at_(\d+)$")


# --- weighted metrics: a resample as draw counts ----------------------------------------


def _auc(y: np.ndarray, score: np.ndarray) -> Callable[[np.ndarray], float]:
    """ROC AUC with integer row weights (Mann-Whitney, ties counting one half)."""
    _, group = np.unique(score, return_inverse=True)  # ascending scores, ties grouped
    size = int(group.max()) + 1
    pos = y.astype(float)

    def auc(w: np.ndarray) -> float:
        p = np.bincount(group, weights=w * pos, minlength=size)
        n = np.bincount(group, weights=w, minlength=size) - p
        n_pos, n_neg = p.sum(), n.sum()
        if n_pos == 0 or n_neg == 0:
            return math.nan
        # negatives scored below each group, and half of those tied with it
        return float(p @ (np.cumsum(n) - 0.5 * n) / (n_pos * n_neg))

    return auc


def _average_precision(y: np.ndarray, score: np.ndarray) -> Callable[[np.ndarray], float]:
    """Average precision with integer row weights: the sum over distinct thresholds
    (highest first) of the recall gained times the precision there."""
    _, group = np.unique(-score, return_inverse=True)  # descending scores, ties grouped
    size = int(group.max()) + 1
    pos = y.astype(float)

    def ap(w: np.ndarray) -> float:
        p = np.bincount(group, weights=w * pos, minlength=size)
        n_pos = p.sum()
        if n_pos == 0:
            return math.nan
        tp = np.cumsum(p)
        flagged = np.cumsum(np.bincount(group, weights=w, minlength=size))
        precision = np.divide(tp, flagged, out=np.zeros(size), where=flagged > 0)
        return float(p @ precision / n_pos)

    return ap


def _mean(values: np.ndarray) -> Callable[[np.ndarray], float]:
    """The weighted mean of one value per row (Brier terms, rates)."""
    values = values.astype(float)
    return lambda w: float(w @ values / w.sum())


def _confusion(data: Outcomes) -> Callable[[np.ndarray], np.ndarray]:
    cell = data.grade * len(CODES) + data.pred_grade
    k = len(CODES)
    return lambda w: np.bincount(cell, weights=w, minlength=k * k).reshape(k, k)


def _macro_f1(data: Outcomes) -> Callable[[np.ndarray], float]:
    """Mean F1 over the grades that occur in truth or prediction (as scikit-learn's
    ``f1_score(average="macro", zero_division=nan)``)."""
    confusion = _confusion(data)

    def f1(w: np.ndarray) -> float:
        c = confusion(w)
        tp = np.diag(c)
        denominator = c.sum(axis=0) + c.sum(axis=1)  # 2 tp + fp + fn
        scores = np.divide(2 * tp, denominator, out=np.full(len(tp), np.nan), where=denominator > 0)
        return float(np.nanmean(scores)) if np.isfinite(scores).any() else math.nan

    return f1


def _qwk(data: Outcomes) -> Callable[[np.ndarray], float]:
    """Quadratic weighted kappa (as scikit-learn's ``cohen_kappa_score``); NaN when truth
    and prediction hold one and the same grade."""
    confusion = _confusion(data)
    k = len(CODES)
    weights = (np.arange(k)[:, None] - np.arange(k)[None, :]) ** 2.0

    def qwk(w: np.ndarray) -> float:
        c = confusion(w)
        rows, columns = c.sum(axis=1), c.sum(axis=0)
        if int(((rows > 0) | (columns > 0)).sum()) < 2:
            return math.nan
        expected = np.outer(rows, columns) / c.sum()
        return float(1 - (weights * c).sum() / (weights * expected).sum())

    return qwk


def _fast(name: str, data: Outcomes) -> Callable[[np.ndarray], float] | None:
    """The weighted form of metric ``name`` for ``data``, if there is one."""
    scores = data.grade_scores()
    onehot = np.eye(len(CODES))[data.grade]
    y_i, p_i = scores["grade_I"]
    if name in ("grade_I_auc", "grade_I_II_auc"):
        return _auc(*scores[name.removesuffix("_auc")])
    if name == "brier":
        return _mean(((data.proba - onehot) ** 2).sum(axis=1))
    if name == "grade_I_brier":
        return _mean((p_i - y_i) ** 2)
    if name == "grade_I_rate":
        return _mean(y_i)
    if name == "macro_f1":
        return _macro_f1(data)
    if name == "qwk":
        return _qwk(data)
    if data.warning is None:
        return None
    if name == "warning_rate":
        return _mean(data.warning)
    if data.p_warning is None:
        return None
    if name == "warning_auc":
        return _auc(data.warning, data.p_warning)
    if name == "warning_pr_auc":
        return _average_precision(data.warning, data.p_warning)
    if name == "warning_brier":
        return _mean((data.p_warning - data.warning) ** 2)
    return None


@dataclass
class _Scorer:
    """The requested metrics of one model on a resample given as row draw counts."""

    data: Outcomes
    metrics: list[str]
    top_k: list[int]

    def __post_init__(self) -> None:
        self.fast = {m: f for m in self.metrics if (f := _fast(m, self.data)) is not None}
        self.slow = [m for m in self.metrics if m not in self.fast]
        self.rows = np.arange(len(self.data.grade))

    def __call__(self, w: np.ndarray) -> list[float]:
        slow = (
            _metrics(self.data.subset(np.repeat(self.rows, w.astype(np.int64))), self.top_k)
            if self.slow
            else {}
        )
        return [self.fast[m](w) if m in self.fast else slow[m] for m in self.metrics]


# --- resampling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draws:
    """How to draw one resample: units (rows, or the rows of one cluster) with
    replacement, as many as there are, within each stratum."""

    unit_of_row: np.ndarray  # unit code of each row
    strata: list[np.ndarray]  # the unit codes of each stratum
    n_units: int

    def weights(self, rng: np.random.Generator) -> np.ndarray:
        """How many times each row is drawn in one resample."""
        counts = np.zeros(self.n_units)
        for units in self.strata:
            counts += np.bincount(
                units[rng.integers(0, len(units), len(units))], minlength=self.n_units
            )
        return counts[self.unit_of_row]


def _draws(truth: pd.DataFrame, by: str | None, cluster: str | None) -> _Draws:
    n = len(truth)
    if cluster is None:
        unit_of_row = np.arange(n)
    else:
        unit_of_row = pd.factorize(truth[cluster], use_na_sentinel=False)[0]
    n_units = int(unit_of_row.max()) + 1
    if by is None:
        return _Draws(unit_of_row, [np.arange(n_units)], n_units)
    of_row = pd.factorize(truth[by], sort=True, use_na_sentinel=False)[0]
    stratum = np.zeros(n_units, dtype=np.int64)
    stratum[unit_of_row] = of_row
    if not np.array_equal(stratum[unit_of_row], of_row):
        raise ArrearsRiskError(
            f"cluster {cluster!r} must lie within the strata of by {by!r}: some "
            f"{cluster} has rows in several {by} groups.\n"
            f"  hint: pass one of them, e.g. cluster={cluster!r} alone to resample "
            "customers with all their months."
        )
    strata = [np.flatnonzero(stratum == s) for s in range(int(stratum.max()) + 1)]
    return _Draws(unit_of_row, strata, n_units)


# --- the comparison -----------------------------------------------------------------------


def _column(truth: pd.DataFrame, value: str | None, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArrearsRiskError(f"{what} must name one column of truth; got {value!r}.")
    return check_by(truth, value)[0]


def _check_metrics(metrics: Sequence[str] | str, available: dict[str, float]) -> list[str]:
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    if not names or not all(isinstance(m, str) for m in names):
        raise ArrearsRiskError(f"metrics must be metric names of evaluate; got {metrics!r}.")
    unknown = [m for m in names if m not in available]
    if unknown:
        raise ArrearsRiskError(
            f"unknown metrics {unknown}; evaluate measures these on the given frames: "
            f"{sorted(available)}.\n  hint: warning metrics need truth['a_warning'] and "
            "the predictions' p_warning."
        )
    return list(dict.fromkeys(names))


def compare_models(
    truth: pd.DataFrame,
    preds_a: pd.DataFrame,
    preds_b: pd.DataFrame,
    *,
    metrics: Sequence[str] = DEFAULT_COMPARE_METRICS,
    n_boot: int = 1000,
    seed: int = 0,
    by: str | None = None,
    cluster: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Compare model B with model A on the same outcomes, with a paired bootstrap
    interval of each metric's difference B − A.

    Parameters
    ----------
    truth : pandas.DataFrame
        The outcomes, as for :func:`~arrearsrisk.evaluation.metrics.evaluate`:
        ``grade``, optionally ``a_warning``, and the columns named by ``by`` and
        ``cluster``.
    preds_a, preds_b : pandas.DataFrame
        The two models' predictions of the same rows (the index of ``truth``, in its
        order), as for :func:`evaluate`: ``p_I``, ``p_II``, ``p_III``, ``grade`` and
        optionally ``p_warning``, ``a_warning``.  A is the reference (the champion), B
        the candidate.
    metrics : sequence of str
        Metric names of :func:`evaluate` (default :data:`DEFAULT_COMPARE_METRICS`).
    n_boot : int, default 1000
        Bootstrap resamples.
    seed : int, default 0
        Seed of the resampling: the same inputs and seed give the same table.
    by : str, optional
        A column of ``truth`` (e.g. ``"as_of"``) to resample within: each group keeps
        its number of rows (or clusters) in every resample, so the months stay weighted
        as in the data.
    cluster : str, optional
        A column of ``truth`` (e.g. ``"customer_id"``) whose values are drawn instead of
        rows: a drawn customer brings all of their rows, so repeated months of one
        customer are not taken for independent evidence.  With ``by``, each cluster must
        lie within one group.
    level : float, default 0.95
        Coverage of the percentile interval.

    Returns
    -------
    pandas.DataFrame
        One row per metric (index ``metric``), columns :data:`COMPARE_COLUMNS`: ``a``,
        ``b`` (each model's value on all rows, exactly :func:`evaluate`'s),
        ``difference`` (``b - a``), ``low``, ``high`` (the percentile interval of the
        resampled differences at ``level``), ``higher_is_better`` (False for the Brier
        scores, :data:`LOWER_IS_BETTER`) and ``resamples`` (how many resamples left the
        metric defined, e.g. held a warning; the interval is over those, NaN if none).
        ``attrs`` records ``n_boot``, ``seed``, ``level``, ``by``, ``cluster`` and
        ``rows``.

    Raises
    ------
    ArrearsRiskError
        If a frame is malformed (as :func:`evaluate`), a metric is unknown, ``by`` or
        ``cluster`` is not a column of ``truth``, ``n_boot`` is not a whole number >= 1
        or ``level`` is not in (0, 1).

    Examples
    --------
    Identical predictions differ by exactly 0, in every resample:

    >>> import pandas as pd
    >>> truth = pd.DataFrame({"grade": ["I", "II", "III"], "a_warning": [True, False, False]})
    >>> pred = pd.DataFrame({"p_I": [0.6, 0.3, 0.1], "p_II": [0.3, 0.4, 0.2],
    ...                      "p_III": [0.1, 0.3, 0.7], "grade": ["I", "II", "III"],
    ...                      "p_warning": [0.5, 0.2, 0.1]})
    >>> table = compare_models(truth, pred, pred, n_boot=50)
    >>> table.loc["brier", ["difference", "low", "high"]].tolist()
    [0.0, 0.0, 0.0]
    """
    data_a = read_outcomes(truth, preds_a, None)
    data_b = read_outcomes(truth, preds_b, None)
    by_column = _column(truth, by, "by")
    cluster_column = _column(truth, cluster, "cluster")
    n_boot = whole(n_boot, "n_boot")
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ArrearsRiskError(f"level must be a number in (0, 1); got {level!r}.")
    requested = [metrics] if isinstance(metrics, str) else list(metrics)
    top_k = sorted({int(m[1]) for name in requested if (m := _TOP_K.search(str(name)))})
    value_a, value_b = _metrics(data_a, top_k), _metrics(data_b, top_k)
    names = _check_metrics(metrics, {k: v for k, v in value_a.items() if k in value_b})

    draws = _draws(truth, by_column, cluster_column)
    score_a, score_b = _Scorer(data_a, names, top_k), _Scorer(data_b, names, top_k)
    rng = np.random.default_rng(seed)
    differences = np.empty((n_boot, len(names)))
    for i in range(n_boot):
        w = draws.weights(rng)
        differences[i] = np.subtract(score_b(w), score_a(w))

    finite = np.isfinite(differences)
    tail = 100 * (1 - level) / 2
    rows = []
    for j, name in enumerate(names):
        valid = differences[finite[:, j], j]
        low, high = np.percentile(valid, [tail, 100 - tail]) if valid.size else (np.nan, np.nan)
        a, b = float(value_a[name]), float(value_b[name])
        rows.append(
            {
                "metric": name,
                "a": a,
                "b": b,
                "difference": b - a,
                "low": float(low),
                "high": float(high),
                "higher_is_better": name not in LOWER_IS_BETTER,
                "resamples": int(valid.size),
            }
        )
    table = pd.DataFrame(rows, columns=["metric", *COMPARE_COLUMNS]).set_index("metric")
    table.attrs = {
        "n_boot": n_boot,
        "seed": seed,
        "level": float(level),
        "by": by_column,
        "cluster": cluster_column,
        "rows": len(truth),
    }
    return table

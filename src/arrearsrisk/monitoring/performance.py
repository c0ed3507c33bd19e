r"""Matured and estimated performance of a month's grades.

A month's outcome is known ``horizon`` months and ``grace`` days later
(:func:`arrearsrisk.asof.labels.label_end`).  For a **matured** month (every table of the
ledger reaches that end: :func:`arrearsrisk.asof.labels.uncovered` is empty) the realised
figures are computed against :func:`arrearsrisk.build_labels`; for **every** month the
figures are also **estimated** from the calibrated probabilities alone (confidence-based
performance estimation), and on matured months the estimate's error is reported.

With :math:`p_i` the calibrated ``p_I`` of customer :math:`i` and :math:`G` the customers
graded I (a warned customer is Grade I):

.. math::

    \widehat{\mathrm{precision}}_I = \frac{1}{|G|} \sum_{i \in G} p_i, \qquad
    \widehat{\mathrm{recall}}_I = \frac{\sum_{i \in G} p_i}{\sum_i p_i}, \qquad
    \widehat{\mathrm{rate}}_I = \frac{1}{n} \sum_i p_i

and :math:`\widehat{\mathrm{AUC}}` by :func:`~arrearsrisk.monitoring.statistics.expected_auc`;
the warning's the same with ``p_warning`` and the warned customers.

Examples
--------
>>> import numpy as np
>>> est = estimated_figures(np.array([0.9, 0.5, 0.1, 0.1]), np.array([0, 0, 2, 2]),
...                         np.array([0.2, 0.0, 0.0, 0.0]), np.array([1, 0, 0, 0], bool))
>>> round(est["grade_I_precision"], 3), round(est["grade_I_recall"], 3)
(0.7, 0.875)
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import pandas as pd

from arrearsrisk.monitoring.statistics import expected_auc, two_sided_p
from arrearsrisk.monitoring.verdicts import ALERT, STABLE, WATCH, Thresholds

__all__ = [
    "ESTIMATED_ITEMS",
    "INSUFFICIENT",
    "REALISED_ITEMS",
    "backtest_figures",
    "calibration_verdict",
    "estimated_figures",
    "figure_events",
    "insufficient",
    "judged_on_events",
    "labels_frame",
    "performance_verdict",
    "realised_figures",
]

REALISED_ITEMS: tuple[str, ...] = (
    "grade_I_auc",
    "grade_I_ks",
    "grade_I_precision",
    "grade_I_recall",
    "warning_auc",
    "warning_precision",
    "warning_recall",
    "grade_I_rate",
    "grade_I_predicted_rate",
    "warning_rate",
    "warning_predicted_rate",
)
"""The matured figures (``*_rate``: observed; ``*_predicted_rate``: mean probability)."""

ESTIMATED_ITEMS: tuple[str, ...] = (
    "grade_I_auc",
    "grade_I_precision",
    "grade_I_recall",
    "warning_precision",
    "warning_recall",
    "grade_I_rate",
    "warning_rate",
)
"""The figures estimated from the probabilities."""


INSUFFICIENT: Final[str] = "insufficient data"
"""How the note of a performance row judged on too few events starts (fewer than
:attr:`Thresholds.min_events <arrearsrisk.monitoring.Thresholds.min_events>`): its
verdict is then :data:`~arrearsrisk.monitoring.STABLE` whatever the figure, and the
monitoring page shows it grey, "insufficient data", not as an alert."""


def figure_events(
    flagged_I: float, flagged_warning: float, events_I: float, events_warning: float
) -> dict[str, float]:
    """The number of events each performance item rests on: a precision on the customers
    flagged (graded I, or warned), every other item (AUC, KS, recall, rates, calibration,
    estimate errors) on the customers with the outcome (observed Grade I or warning
    outcomes; for estimates, the expected number: the sum of the probabilities).

    >>> e = figure_events(40, 6, 55.0, 9.5)
    >>> e["grade_I_precision"], e["grade_I_auc"], e["warning_precision"], e["warning_recall"]
    (40.0, 55.0, 6.0, 9.5)
    """
    items = {*REALISED_ITEMS, *ESTIMATED_ITEMS, "grade_I_calibration", "warning_calibration"}
    out = {}
    for item in sorted(items):
        grade_I = item.startswith("grade_I")
        if item.endswith("_precision"):
            out[item] = float(flagged_I if grade_I else flagged_warning)
        else:
            out[item] = float(events_I if grade_I else events_warning)
    return out


def judged_on_events(verdict: str, events: float, note: str, t: Thresholds) -> tuple[str, str]:
    """``(verdict, note)`` of a performance row resting on ``events`` events: unchanged
    with at least ``t.min_events``, else :data:`~arrearsrisk.monitoring.STABLE` and a
    note starting with :data:`INSUFFICIENT`.

    >>> judged_on_events("alert", 7, "", Thresholds())
    ('stable', 'insufficient data: 7 events, fewer than 20; not judged')
    >>> judged_on_events("alert", 25, "", Thresholds())
    ('alert', '')
    """
    if events >= t.min_events:
        return verdict, note
    shown = f"{events:.0f}" if float(events).is_integer() else f"{events:.1f}"
    head = f"{INSUFFICIENT}: {shown} events, fewer than {t.min_events}; not judged"
    return STABLE, f"{head}; {note}" if note else head


def insufficient(note: Any) -> bool:
    """Whether a row's ``note`` says it rests on too few events (:data:`INSUFFICIENT`).

    >>> insufficient("insufficient data: 3 events, fewer than 20; not judged"), insufficient("")
    (True, False)
    """
    return isinstance(note, str) and note.startswith(INSUFFICIENT)


def estimated_figures(
    p_I: np.ndarray, grade: np.ndarray, p_warning: np.ndarray, warned: np.ndarray
) -> dict[str, float]:
    """Confidence-based estimates (see the module's docstring); ``grade`` codes 0 = I,
    1 = II, 2 = III (warned customers are Grade I whatever their code)."""
    p = np.asarray(p_I, dtype=np.float64)
    pw = np.asarray(p_warning, dtype=np.float64)
    w = np.asarray(warned, dtype=bool)
    g = (np.asarray(grade) == 0) | w
    return {
        "grade_I_auc": expected_auc(p),
        "grade_I_precision": float(p[g].mean()) if g.any() else math.nan,
        "grade_I_recall": float(p[g].sum() / p.sum()) if p.sum() > 0 else math.nan,
        "warning_precision": float(pw[w].mean()) if w.any() else math.nan,
        "warning_recall": float(pw[w].sum() / pw.sum()) if pw.sum() > 0 else math.nan,
        "grade_I_rate": float(p.mean()) if len(p) else math.nan,
        "warning_rate": float(pw.mean()) if len(pw) else math.nan,
    }


def realised_figures(
    p_I: np.ndarray,
    grade: np.ndarray,
    p_warning: np.ndarray,
    warned: np.ndarray,
    truth_I: np.ndarray,
    truth_warning: np.ndarray,
) -> dict[str, float]:
    """AUC, KS, precision and recall of Grade I and of the warning, and the observed and
    predicted rates, on labelled customers."""
    from sklearn.metrics import roc_auc_score, roc_curve

    y1 = np.asarray(truth_I, dtype=bool)
    yw = np.asarray(truth_warning, dtype=bool)
    w = np.asarray(warned, dtype=bool)
    g = (np.asarray(grade) == 0) | w
    out: dict[str, float] = {}
    both = 0 < y1.sum() < len(y1)
    out["grade_I_auc"] = float(roc_auc_score(y1, p_I)) if both else math.nan
    if both:
        fpr, tpr, _ = roc_curve(y1, p_I)
        out["grade_I_ks"] = float(np.max(tpr - fpr))
    else:
        out["grade_I_ks"] = math.nan
    out["grade_I_precision"] = float(y1[g].mean()) if g.any() else math.nan
    out["grade_I_recall"] = float(g[y1].mean()) if y1.any() else math.nan
    out["warning_auc"] = float(roc_auc_score(yw, p_warning)) if 0 < yw.sum() < len(yw) else math.nan
    out["warning_precision"] = float(yw[w].mean()) if w.any() else math.nan
    out["warning_recall"] = float(w[yw].mean()) if yw.any() else math.nan
    out["grade_I_rate"] = float(y1.mean()) if len(y1) else math.nan
    out["grade_I_predicted_rate"] = float(np.mean(p_I)) if len(y1) else math.nan
    out["warning_rate"] = float(yw.mean()) if len(yw) else math.nan
    out["warning_predicted_rate"] = float(np.mean(p_warning)) if len(yw) else math.nan
    return out


def performance_verdict(item: str, value: float, backtest: float, t: Thresholds) -> str:
    """A figure against the backtest's: AUC (and KS) falling by ``auc_watch`` /
    ``auc_alert``, precision and recall by ``rate_watch`` / ``rate_alert``; rates are not
    judged here (see :func:`calibration_verdict`).

    >>> performance_verdict("grade_I_auc", 0.85, 0.93, Thresholds())
    'alert'
    """
    if not (math.isfinite(value) and math.isfinite(backtest)):
        return STABLE
    drop = backtest - value
    if item.endswith(("_auc", "_ks")):
        watch, alert = t.auc_watch, t.auc_alert
    elif item.endswith(("_precision", "_recall")):
        watch, alert = t.rate_watch, t.rate_alert
    else:
        return STABLE
    if drop >= alert:
        return ALERT
    if drop >= watch:
        return WATCH
    return STABLE


def calibration_verdict(observed: float, p: np.ndarray, t: Thresholds) -> tuple[str, float]:
    r"""The gap between an observed rate and the mean of the probabilities ``p``, judged
    when beyond chance: :math:`z = (\bar y - \bar p) / \sqrt{\sum p_i (1 - p_i)} \cdot n`.

    Returns the verdict and the p-value.

    >>> calibration_verdict(0.2, np.full(1000, 0.1), Thresholds())[0]
    'alert'
    """
    n = len(p)
    if n == 0 or not math.isfinite(observed):
        return STABLE, math.nan
    var = float(np.sum(p * (1 - p)))
    gap = observed - float(np.mean(p))
    z = gap * n / math.sqrt(var) if var > 0 else (0.0 if gap == 0 else math.inf)
    pv = two_sided_p(z)
    if abs(gap) >= t.calibration_alert and pv <= t.p_alert:
        return ALERT, pv
    if abs(gap) >= t.calibration_watch and pv <= t.p_watch:
        return WATCH, pv
    return STABLE, pv


def backtest_figures(info: dict[str, Any]) -> dict[str, float]:
    """The training's out-of-time figures (``model.info["test_metrics"]``) by item."""
    metrics = info.get("test_metrics", {}) if isinstance(info, dict) else {}
    out = {}
    for key, value in metrics.items() if isinstance(metrics, dict) else ():
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[str(key)] = float(value)
    return out


def labels_frame(truth: pd.DataFrame) -> pd.DataFrame:
    """``build_labels`` output as ``truth_I`` / ``truth_warning`` by customer_id."""
    frame = truth.reset_index() if "customer_id" not in truth.columns else truth
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"].astype(str).to_numpy(),
            "truth_I": (frame["grade"].astype(str) == "I").to_numpy(),
            "truth_warning": frame["a_warning"].to_numpy(dtype=bool),
        }
    )

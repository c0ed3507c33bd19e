"""Curves and tables of an evaluation: calibration, confusion, ROC and precision-recall.

Each function takes the checked :class:`~arrearsrisk.evaluation.checks.Outcomes` and
returns the frames that :func:`arrearsrisk.evaluation.metrics.evaluate` stores in an
:class:`~arrearsrisk.evaluation.metrics.Evaluation` and that
:mod:`arrearsrisk.evaluation.plots` draws.

Examples
--------
>>> import numpy as np
>>> from arrearsrisk.evaluation.checks import Outcomes
>>> data = Outcomes(grade=np.array([0, 2]), pred_grade=np.array([0, 1]),
...                 proba=np.array([[0.6, 0.3, 0.1], [0.1, 0.5, 0.4]]),
...                 warning=None, p_warning=None, pred_warning=None)
>>> confusion_table(data).loc["III"].tolist()
[0, 1, 0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_curve

from arrearsrisk.evaluation.checks import CODES, Outcomes, both_classes
from arrearsrisk.vocabulary import GRADES

__all__ = ["CALIBRATION_BINS", "calibration_table", "confusion_table", "roc_and_pr"]

CALIBRATION_BINS = 10
"""Uniform bins of predicted probability in the calibration table: [0, 0.1], (0.1, 0.2], ..."""


def calibration_table(data: Outcomes) -> pd.DataFrame:
    """The reliability table of :attr:`~arrearsrisk.evaluation.metrics.Evaluation.calibration`:
    one row per non-empty bin of each target."""
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


def confusion_table(data: Outcomes) -> pd.DataFrame:
    """3x3 counts, rows the true grade, columns the predicted grade."""
    counts = confusion_matrix(data.grade, data.pred_grade, labels=CODES)
    return pd.DataFrame(
        counts,
        index=pd.Index(list(GRADES), name="true"),
        columns=pd.Index(list(GRADES), name="predicted"),
    )


def _roc_frame(y: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    if not both_classes(y):
        return pd.DataFrame({"fpr": [], "tpr": [], "threshold": []}, dtype=float)
    fpr, tpr, threshold = roc_curve(y, score)
    return pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": threshold})


def roc_and_pr(data: Outcomes) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The ROC curves by target and the warning's precision-recall curve (empty
    frames where the data leave them undefined)."""
    roc = {name: _roc_frame(y, s) for name, (y, s) in data.grade_scores().items()}
    pr = pd.DataFrame({"precision": [], "recall": [], "threshold": []}, dtype=float)
    if data.warning is not None and data.p_warning is not None:
        roc["warning"] = _roc_frame(data.warning, data.p_warning)
        if data.warning.any():
            precision, recall, threshold = precision_recall_curve(data.warning, data.p_warning)
            pr = pd.DataFrame(
                {"precision": precision, "recall": recall, "threshold": [*threshold, np.nan]}
            )
    return roc, pr

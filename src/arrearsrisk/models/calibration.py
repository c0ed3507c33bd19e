"""Calibration of a booster's scores: Platt scaling, one :class:`Calibrator` per target
(:data:`~arrearsrisk.models.manifest_checks.TARGETS`) of a
:class:`~arrearsrisk.models.risk_model.RiskModel`.

A calibrator is two floats, saved in the bundle's manifest; it maps a whole column of
raw scores (:meth:`Calibrator.__call__`, the batch) or one customer's
(:meth:`Calibrator.one`, :func:`arrearsrisk.score_account`) with the same operations,
so to the same bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arrearsrisk.errors import ArrearsRiskError

__all__ = ["Calibrator"]


@dataclass(frozen=True)
class Calibrator:
    """Platt scaling: ``p = 1 / (1 + exp(-(a * logit(raw) + b)))``.

    Strictly increasing (``a > 0``), so it calibrates without changing how customers
    rank: AUC and PR-AUC stay those of the booster.  (Isotonic regression, tried first,
    merges scores into steps and lost ranking on the small warning class.)
    """

    a: float
    b: float

    @classmethod
    def fit(cls, raw: np.ndarray, outcome: np.ndarray) -> Calibrator:
        """Fit the two parameters by (almost unpenalised) logistic regression."""
        from sklearn.linear_model import LogisticRegression

        z = _logit(raw).reshape(-1, 1)
        y = outcome.astype(int)
        if y.min() == y.max():
            raise ArrearsRiskError("cannot calibrate on a slice with only one outcome class.")
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(z, y)
        a = float(lr.coef_[0, 0])
        if a <= 0:  # the booster ranks backwards on this slice: keep its order
            return cls(1.0, 0.0)
        return cls(a, float(lr.intercept_[0]))

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of ``raw``.

        >>> Calibrator(1.0, 0.0)(np.array([0.2, 0.5])).round(3).tolist()
        [0.2, 0.5]
        """
        return 1.0 / (1.0 + np.exp(-(self.a * _logit(raw) + self.b)))

    def one(self, raw: float) -> float:
        """:meth:`__call__` of one value, without arrays: the same operations in the same
        order (numpy's own ``log`` and ``exp`` of a scalar), so the same bits (tested).

        >>> c = Calibrator(1.3, -0.2)
        >>> c.one(0.37) == float(c(np.array([0.37]))[0])
        True
        """
        q = float(raw)
        q = 1e-9 if q < 1e-9 else (1 - 1e-9 if q > 1 - 1e-9 else q)  # np.clip; NaN stays
        z = self.a * np.log(np.float64(q / (1.0 - q))) + self.b
        return float(1.0 / (1.0 + np.exp(-z)))


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-9, 1 - 1e-9)
    return np.log(q / (1.0 - q))

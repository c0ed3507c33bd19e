"""Out-of-time evaluation: metrics, curves and tables of a model's predictions, and drift.

:func:`evaluate` measures one model's grade and warning predictions against the outcomes
and returns an :class:`Evaluation`; :func:`population_stability` and :func:`psi_verdict`
monitor drift.  The modules: ``checks`` (input checks), ``metrics`` (:func:`evaluate`),
``curves`` (calibration, confusion, ROC and precision-recall tables), ``drift`` (PSI) and
``plots`` (figures; import :mod:`arrearsrisk.evaluation.plots` itself, it is not loaded
here, so importing this package never imports matplotlib).

Examples
--------
>>> import pandas as pd
>>> from arrearsrisk.evaluation import evaluate
>>> truth = pd.DataFrame({"grade": ["I", "III"]})
>>> pred = pd.DataFrame({"p_I": [0.6, 0.1], "p_II": [0.3, 0.2], "p_III": [0.1, 0.7],
...                      "grade": ["I", "III"]})
>>> evaluate(truth, pred).metrics["grade_I_auc"]
1.0
"""

from __future__ import annotations

from arrearsrisk.evaluation.checks import PROBABILITY_COLUMNS
from arrearsrisk.evaluation.compare import compare_models
from arrearsrisk.evaluation.curves import CALIBRATION_BINS
from arrearsrisk.evaluation.drift import PSI_SHIFT, PSI_STABLE, population_stability, psi_verdict
from arrearsrisk.evaluation.metrics import BREAKDOWN_METRICS, Evaluation, evaluate

__all__ = [
    "BREAKDOWN_METRICS",
    "CALIBRATION_BINS",
    "PROBABILITY_COLUMNS",
    "PSI_SHIFT",
    "PSI_STABLE",
    "Evaluation",
    "compare_models",
    "evaluate",
    "population_stability",
    "psi_verdict",
]

"""Monitoring a model month by month: drift, observed arrears, matured and estimated
performance, by segment, against a reference frozen at training.

:func:`monitor` returns a :class:`Monitoring` (a long table of verdicts and helpers).
The modules, one job each:

============ =====================================================================
module       what it does
============ =====================================================================
verdicts     the verdicts (stable / watch / alert) and :class:`Thresholds`
segments     segment keys: portfolio, region, category, industry section, crosses
reference    the frozen bins and counts (:class:`MonitoringReference`)
sampling     the reference's rows: sampled by customer and month, scored
migration    grade migration counts (shared with the manager's report)
pooling      which segments are judged, pooled or skipped
month        one month scored and counted by segment (vectorised)
statistics   PSI and its chi-square test, difference-in-differences, CBPE
checks       counts to rows of the table
performance  matured and estimated performance
texts        check names and verdicts in Chinese and English
result       :class:`Monitoring`
runner       :func:`monitor`
============ =====================================================================
"""

import importlib
from typing import TYPE_CHECKING, Any

from arrearsrisk.monitoring.reference import (
    MonitoringError,
    MonitoringReference,
    reference_from_scored,
)
from arrearsrisk.monitoring.sampling import build_reference, reference_of_frame, reference_rows
from arrearsrisk.monitoring.texts import (
    check_label,
    feature_label,
    item_label,
    segment_label,
    verdict_label,
)
from arrearsrisk.monitoring.verdicts import ALERT, STABLE, VERDICTS, WATCH, Thresholds

if TYPE_CHECKING:  # imported on first use: the checks read scikit-learn's metrics
    from arrearsrisk.monitoring.result import JUDGED_CHECKS, Monitoring
    from arrearsrisk.monitoring.runner import monitor, month_ends

_LAZY = {
    "monitor": "arrearsrisk.monitoring.runner",
    "month_ends": "arrearsrisk.monitoring.runner",
    "JUDGED_CHECKS": "arrearsrisk.monitoring.result",
    "Monitoring": "arrearsrisk.monitoring.result",
}


def __getattr__(name: str) -> Any:
    """:func:`monitor` and the result's names, imported on first use, so the manager's
    report (which counts grade migration with :mod:`.migration`) never imports
    scikit-learn."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # over the submodule of the same name the import set
        return value
    raise AttributeError(f"module 'arrearsrisk.monitoring' has no attribute {name!r}")


__all__ = [
    "ALERT",
    "JUDGED_CHECKS",
    "STABLE",
    "VERDICTS",
    "WATCH",
    "Monitoring",
    "MonitoringError",
    "MonitoringReference",
    "Thresholds",
    "build_reference",
    "check_label",
    "feature_label",
    "item_label",
    "monitor",
    "month_ends",
    "reference_from_scored",
    "reference_of_frame",
    "reference_rows",
    "segment_label",
    "verdict_label",
]

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
pooling      which segments are judged, pooled or skipped
month        one month scored and counted by segment (vectorised)
statistics   PSI and its chi-square test, difference-in-differences, CBPE
checks       counts to rows of the table
performance  matured and estimated performance
texts        check names and verdicts in Chinese and English
result       :class:`Monitoring`
monitor      :func:`monitor`
============ =====================================================================
"""

from arrearsrisk.monitoring.monitor import monitor, month_ends
from arrearsrisk.monitoring.reference import (
    MonitoringError,
    MonitoringReference,
    build_reference,
    reference_from_scored,
)
from arrearsrisk.monitoring.result import JUDGED_CHECKS, Monitoring
from arrearsrisk.monitoring.texts import check_label, item_label, segment_label, verdict_label
from arrearsrisk.monitoring.verdicts import ALERT, STABLE, VERDICTS, WATCH, Thresholds

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
    "item_label",
    "monitor",
    "month_ends",
    "reference_from_scored",
    "segment_label",
    "verdict_label",
]

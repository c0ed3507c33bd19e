"""The as-of view: the ledger cut at a date, and the labels that follow it.

========= ======================================================================
module    what it holds
========= ======================================================================
snapshot  :func:`take_snapshot`: the one place time is cut (nothing dated after
          ``as_of`` passes); what every feature family reads
labels    :func:`build_labels`: Grade I / II / III and the A-level warning over
          the outcome window after ``as_of``
========= ======================================================================
"""

from arrearsrisk.asof.labels import build_labels, label_end, uncovered
from arrearsrisk.asof.snapshot import Snapshot, take_snapshot

__all__ = ["Snapshot", "build_labels", "label_end", "take_snapshot", "uncovered"]

"""arrearsrisk: which electricity customers will fall into arrears, graded I / II / III.

The public API (``CONTRACT.md`` section 3); everything else is private.

Examples
--------
>>> import arrearsrisk as ar
>>> ledger = ar.read_ledger("data/sample")
>>> features = ar.build_features(ledger, "2024-06-30")
>>> labels = ar.build_labels(ledger, "2024-06-30")
"""

from __future__ import annotations

from arrearsrisk.errors import ArrearsRiskError, LedgerError, LedgerWarning
from arrearsrisk.features import PeerContext, build_features, feature_names, peer_context
from arrearsrisk.labels import build_labels
from arrearsrisk.ledger import Ledger, read_ledger
from arrearsrisk.training import monthly_cutoffs, training_frame

__version__ = "0.1.0"

__all__ = [
    "ArrearsRiskError",
    "Ledger",
    "LedgerError",
    "LedgerWarning",
    "PeerContext",
    "build_features",
    "build_labels",
    "feature_names",
    "monthly_cutoffs",
    "peer_context",
    "read_ledger",
    "training_frame",
]

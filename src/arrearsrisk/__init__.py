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

from arrearsrisk._version import __version__ as __version__
from arrearsrisk.asof.labels import build_labels
from arrearsrisk.errors import (
    ArrearsRiskError,
    BundleError,
    LedgerError,
    LedgerWarning,
    PolicyError,
)
from arrearsrisk.features import PeerContext, build_features, feature_names, peer_context
from arrearsrisk.features.frames import monthly_cutoffs, training_frame
from arrearsrisk.ledger.tables import Ledger, read_ledger
from arrearsrisk.models.bundle import load_model
from arrearsrisk.models.fitting import TrainResult, train
from arrearsrisk.models.risk_model import RiskModel
from arrearsrisk.plans.policy import load_policy
from arrearsrisk.plans.risk_plans import plan_measures, release_candidates, risk_plans
from arrearsrisk.reports.html import write_report, write_workbook
from arrearsrisk.scoring.scores import SCORE_COLUMNS, score

__all__ = [
    "SCORE_COLUMNS",
    "ArrearsRiskError",
    "BundleError",
    "Ledger",
    "LedgerError",
    "LedgerWarning",
    "PeerContext",
    "PolicyError",
    "RiskModel",
    "TrainResult",
    "build_features",
    "build_labels",
    "feature_names",
    "load_model",
    "load_policy",
    "monthly_cutoffs",
    "peer_context",
    "plan_measures",
    "read_ledger",
    "release_candidates",
    "risk_plans",
    "score",
    "train",
    "training_frame",
    "write_report",
    "write_workbook",
]

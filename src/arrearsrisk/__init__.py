"""arrearsrisk: which electricity customers will fall into arrears, graded I / II / III.

The public API (``docs/contract.md``, section 3); the stage subpackages below hold
the rest.

Examples
--------
>>> import arrearsrisk as ar
>>> ledger = ar.read_ledger("data/sample")
>>> features = ar.build_features(ledger, "2024-06-30")
>>> labels = ar.build_labels(ledger, "2024-06-30")
"""

from __future__ import annotations

from typing import Any

from arrearsrisk._version import __version__ as __version__
from arrearsrisk.asof.labels import build_labels
from arrearsrisk.errors import (
    ArrearsRiskError,
    BundleError,
    LedgerError,
    LedgerWarning,
    PeerContextWarning,
    PolicyError,
)
from arrearsrisk.features import PeerContext, build_features, feature_names, peer_context
from arrearsrisk.features.frames import monthly_cutoffs, training_frame
from arrearsrisk.ledger import Ledger, read_ledger
from arrearsrisk.models import RiskModel, TrainResult, load_model
from arrearsrisk.models.loading import register_model_source as _register_model_source
from arrearsrisk.pipeline.training import train
from arrearsrisk.plans import load_policy, plan_measures, release_candidates, risk_plans
from arrearsrisk.reports import write_report, write_workbook
from arrearsrisk.scoring.account import score_account
from arrearsrisk.scoring.scores import SCORE_COLUMNS, score

__all__ = [
    "SCORE_COLUMNS",
    "ArrearsRiskError",
    "BundleError",
    "Ledger",
    "LedgerError",
    "LedgerWarning",
    "Monitoring",
    "PeerContext",
    "PeerContextWarning",
    "PolicyError",
    "RiskModel",
    "TrainResult",
    "build_features",
    "build_labels",
    "feature_names",
    "load_model",
    "load_policy",
    "monitor",
    "monthly_cutoffs",
    "peer_context",
    "plan_measures",
    "read_ledger",
    "release_candidates",
    "risk_plans",
    "score",
    "score_account",
    "train",
    "training_frame",
    "write_report",
    "write_workbook",
]

# MLflow URIs load through the tracking edge, imported only when such a URI is loaded.
_register_model_source("models", "arrearsrisk.tracking:download_bundle")
_register_model_source("runs", "arrearsrisk.tracking:download_bundle")


def __getattr__(name: str) -> Any:
    """``monitor`` and ``Monitoring``, imported on first use: monitoring reads the
    evaluation metrics (scikit-learn), which ``import arrearsrisk`` and scoring skip."""
    if name in ("monitor", "Monitoring"):
        from arrearsrisk import monitoring

        return getattr(monitoring, name)
    raise AttributeError(f"module 'arrearsrisk' has no attribute {name!r}")

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

import importlib
from typing import TYPE_CHECKING, Any

from arrearsrisk._version import __version__ as __version__
from arrearsrisk.errors import (
    ArrearsRiskError,
    BundleError,
    LedgerError,
    LedgerWarning,
    PeerContextWarning,
    PolicyError,
)

if TYPE_CHECKING:  # the names below are imported on first use (``__getattr__``)
    from arrearsrisk.asof.labels import build_labels
    from arrearsrisk.features import PeerContext, build_features, feature_names, peer_context
    from arrearsrisk.features.frames import monthly_cutoffs, training_frame
    from arrearsrisk.industries import industry_name
    from arrearsrisk.ledger import Ledger, read_ledger
    from arrearsrisk.models import RiskModel, TrainResult, load_model
    from arrearsrisk.monitoring import Monitoring, monitor
    from arrearsrisk.pipeline.training import train
    from arrearsrisk.plans import load_policy, plan_measures, release_candidates, risk_plans
    from arrearsrisk.reports import write_report, write_workbook
    from arrearsrisk.scoring.account import score_account
    from arrearsrisk.scoring.reasons import translate_reasons
    from arrearsrisk.scoring.scores import SCORE_COLUMNS, score

_LAZY: dict[str, str] = {
    "build_labels": "arrearsrisk.asof.labels",
    "PeerContext": "arrearsrisk.features",
    "build_features": "arrearsrisk.features",
    "feature_names": "arrearsrisk.features",
    "peer_context": "arrearsrisk.features.build",  # not the package: a submodule has that name
    "monthly_cutoffs": "arrearsrisk.features.frames",
    "training_frame": "arrearsrisk.features.frames",
    "Ledger": "arrearsrisk.ledger",
    "read_ledger": "arrearsrisk.ledger",
    "register_model_source": "arrearsrisk.models.loading",  # documented, not in __all__
    "RiskModel": "arrearsrisk.models",
    "TrainResult": "arrearsrisk.models",
    "load_model": "arrearsrisk.models",
    "Monitoring": "arrearsrisk.monitoring",
    "monitor": "arrearsrisk.monitoring",
    "train": "arrearsrisk.pipeline.training",
    "load_policy": "arrearsrisk.plans",
    "plan_measures": "arrearsrisk.plans",
    "release_candidates": "arrearsrisk.plans",
    "risk_plans": "arrearsrisk.plans.risk_plans",  # the function, not its module of that name
    "write_report": "arrearsrisk.reports",
    "write_workbook": "arrearsrisk.reports",
    "score_account": "arrearsrisk.scoring.account",
    "SCORE_COLUMNS": "arrearsrisk.scoring.scores",
    "score": "arrearsrisk.scoring.scores",
    "translate_reasons": "arrearsrisk.scoring.reasons",
    "industry_name": "arrearsrisk.industries",
}
"""Where each public name lives: ``import arrearsrisk`` imports none of them, so a
billing system that calls :func:`score_account` pays only for scoring (monitoring reads
scikit-learn, reports and plans their own modules)."""

_SUBPACKAGES = frozenset(
    {
        "asof", "cli", "engines", "evaluation", "features", "i18n", "industries", "ledger",
        "models", "monitoring", "pipeline", "plans", "reports", "sample", "scoring",
        "spark", "timeline", "tracking", "vocabulary", "writers",
    }
)  # fmt: skip

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
    "industry_name",
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
    "translate_reasons",
    "write_report",
    "write_workbook",
]


def __getattr__(name: str) -> Any:
    """The public names (:data:`_LAZY`) and the stage subpackages, imported on first use.

    >>> import arrearsrisk as ar
    >>> ar.score.__module__, ar.plans.__name__
    ('arrearsrisk.scoring.scores', 'arrearsrisk.plans')
    """
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"arrearsrisk.{name}")
    raise AttributeError(f"module 'arrearsrisk' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBPACKAGES})

"""Models: the fitted risk model, its bundle files, training, splits, thresholds,
baselines.

================ ================================================================
module           what it holds
================ ================================================================
risk_model       :class:`RiskModel` (boosters, calibration, cut-offs, threshold) and
                 its plain manifest; :class:`FeatureSpec`, :class:`Calibrator`
bundle           the bundle folder: text models, manifest, hashes, format checks
manifest_checks  the manifest's fields: types, ranges, the hash over the manifest
booster_text     LightGBM model text checked before LightGBM parses it
tree_walk        the text models predicted in numpy (raw scores, TreeSHAP), no LightGBM
loading          :func:`load_model` from a folder or a URI; URI schemes by registry
fitting          :func:`fit` (no I/O) returning a typed :class:`TrainResult`
boosting         boosters fitted side by side on shared binned data
splits           rolling-origin backtests, customer folds, the single time split
threads          thread counts: LightGBM threads, tasks side by side, pool caps
thresholds       grade cut-offs and warning thresholds (operating points)
baselines        today's manual grading and a logistic regression, for comparison
================ ================================================================
"""

import importlib
from typing import TYPE_CHECKING, Any

from arrearsrisk.models.bundle import BUNDLE_FORMAT, package_versions, read_bundle, write_bundle
from arrearsrisk.models.loading import load_model, model_sources, register_model_source
from arrearsrisk.models.risk_model import TARGETS, Calibrator, FeatureSpec, RiskModel

if TYPE_CHECKING:  # training's names are imported on first use: loading a model skips them
    from arrearsrisk.models.fitting import DEFAULT_PARAMS, TrainResult, fit
    from arrearsrisk.models.splits import time_split

_LAZY = {
    "DEFAULT_PARAMS": "arrearsrisk.models.fitting",
    "TrainResult": "arrearsrisk.models.fitting",
    "fit": "arrearsrisk.models.fitting",
    "time_split": "arrearsrisk.models.splits",
}


def __getattr__(name: str) -> Any:
    """Training's names (:data:`_LAZY`), imported on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'arrearsrisk.models' has no attribute {name!r}")


__all__ = [
    "BUNDLE_FORMAT",
    "DEFAULT_PARAMS",
    "TARGETS",
    "Calibrator",
    "FeatureSpec",
    "RiskModel",
    "TrainResult",
    "fit",
    "load_model",
    "model_sources",
    "package_versions",
    "read_bundle",
    "register_model_source",
    "time_split",
    "write_bundle",
]

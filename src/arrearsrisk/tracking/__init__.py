"""MLflow tracking: the only subpackage that imports MLflow."""

from arrearsrisk.tracking.runs import (
    DEFAULT_EXPERIMENT,
    champion,
    download_bundle,
    log_training,
    promote,
    tracking_uri,
)

__all__ = [
    "DEFAULT_EXPERIMENT",
    "champion",
    "download_bundle",
    "log_training",
    "promote",
    "tracking_uri",
]

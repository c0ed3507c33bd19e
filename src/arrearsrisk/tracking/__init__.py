"""MLflow tracking: one run per training, and models loaded back from the registry.

The only subpackage of arrearsrisk that imports MLflow; :func:`arrearsrisk.train` and
:func:`arrearsrisk.load_model` import it only when they need it, so scoring from a
bundle folder never pays for MLflow.

* :mod:`~arrearsrisk.tracking.store`: where runs go (:func:`tracking_uri`);
* :mod:`~arrearsrisk.tracking.runs`: what a run holds (:func:`log_training`);
* :mod:`~arrearsrisk.tracking.pyfunc`: the logged pyfunc model (:class:`RiskModelPyfunc`);
* :mod:`~arrearsrisk.tracking.registry`: models back from the store
  (:func:`download_bundle`) and the champion (:func:`champion`, :func:`promote`).
"""

from arrearsrisk.tracking.pyfunc import RiskModelPyfunc
from arrearsrisk.tracking.registry import champion, download_bundle, promote
from arrearsrisk.tracking.runs import DEFAULT_EXPERIMENT, log_training
from arrearsrisk.tracking.store import tracking_uri

__all__ = [
    "DEFAULT_EXPERIMENT",
    "RiskModelPyfunc",
    "champion",
    "download_bundle",
    "log_training",
    "promote",
    "tracking_uri",
]

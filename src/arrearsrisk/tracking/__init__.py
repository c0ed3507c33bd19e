"""MLflow tracking: one run per training, and models loaded back from the registry.

The only subpackage of arrearsrisk that imports MLflow; :func:`arrearsrisk.train` and
:func:`arrearsrisk.load_model` import it only when they need it, so scoring from a
bundle folder never pays for MLflow.

* :mod:`~arrearsrisk.tracking.store`: where runs go (:func:`tracking_uri`);
* :mod:`~arrearsrisk.tracking.runs`: what a run holds (:func:`training_run`, opened
  around a training, and :func:`log_training`, after the fact);
* :mod:`~arrearsrisk.tracking.pyfunc`: the logged pyfunc model (:class:`RiskModelPyfunc`);
* :mod:`~arrearsrisk.tracking.serving`: what the served model does with a request
  (:func:`~arrearsrisk.tracking.serving.score_records`,
  :class:`~arrearsrisk.tracking.serving.PeerSource`,
  :func:`~arrearsrisk.tracking.serving.ledger_records`);
* :mod:`~arrearsrisk.tracking.registry`: models back from the store
  (:func:`download_bundle`) and the champion (:func:`champion`);
* :mod:`~arrearsrisk.tracking.promotion`: the champion moved on evidence
  (:func:`promote`) and back (:func:`rollback`).
"""

from arrearsrisk.tracking.promotion import DEFAULT_GUARDS, Promotion, promote, rollback
from arrearsrisk.tracking.pyfunc import RiskModelPyfunc
from arrearsrisk.tracking.registry import champion, download_bundle, previous_alias
from arrearsrisk.tracking.runs import DEFAULT_EXPERIMENT, TrainingRun, log_training, training_run
from arrearsrisk.tracking.store import tracking_uri

__all__ = [
    "DEFAULT_EXPERIMENT",
    "DEFAULT_GUARDS",
    "Promotion",
    "RiskModelPyfunc",
    "TrainingRun",
    "champion",
    "download_bundle",
    "log_training",
    "previous_alias",
    "promote",
    "rollback",
    "tracking_uri",
    "training_run",
]

"""The pyfunc model of a run: :class:`RiskModelPyfunc`, its signature, input example and
pinned requirements, logged as code (MLflow's models-from-code, no pickle).

The logged ``model`` holds a three-line entry point, the whole arrearsrisk package as
``code/`` and the saved bundle as its artifact.  It takes what a billing system holds,
one record per customer with the account's ledger rows, and returns one score row per
customer (:func:`arrearsrisk.tracking.serving.score_records`): served by
``mlflow models serve``, a request is::

    POST /invocations
    {"dataframe_records": [{"customer": {...}, "bills": [...], "payments": [...]}],
     "params": {"as_of": "2025-09-30", "lang": "en"}}

(The feature-frame input of earlier versions is gone: a service holding features calls
:meth:`RiskModel.predict <arrearsrisk.models.risk_model.RiskModel.predict>` of the
bundle.)  The request format, the peer contexts and the errors are in
``docs/serving.md``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from arrearsrisk.tracking.serving import (
    INPUT_COLUMNS,
    PARAM_DEFAULTS,
    PEERS_CONFIG_KEY,
    RESPONSE_COLUMNS,
    PeerSource,
    score_records,
)
from arrearsrisk.tracking.store import MlflowException, PythonModel, mlflow

if TYPE_CHECKING:
    from arrearsrisk.models import TrainResult

__all__ = ["RiskModelPyfunc"]

_logger = logging.getLogger(__name__)

MODEL_NAME = "model"
"""Name of the logged pyfunc model: ``runs:/<run_id>/model``."""
BUNDLE_ARTIFACT = "bundle"
"""Key (and folder) of the bundle among the pyfunc model's artifacts."""
RUNTIME_PACKAGES = (
    "numpy",
    "pandas",
    "pyarrow",
    "lightgbm",
    "scikit-learn",
    "joblib",
    "click",
    "tqdm",
)
"""arrearsrisk's runtime dependencies, if its installed metadata cannot be read."""

EXAMPLE_RECORDS: list[dict[str, Any]] = [
    {
        "customer": {
            "customer_id": "C1",
            "category": "commercial",
            "industry": "F51",
            "region": "R01",
            "opened": "2023-01-10",
        },
        "bills": [
            {
                "customer_id": "C1",
                "period": "2025-07",
                "issue_date": "2025-08-01",
                "due_date": "2025-08-15",
                "kwh": 5100.0,
                "amount": 4335.0,
            },
            {
                "customer_id": "C1",
                "period": "2025-08",
                "issue_date": "2025-09-01",
                "due_date": "2025-09-15",
                "kwh": 5200.0,
                "amount": 4420.0,
            },
        ],
        "payments": [{"customer_id": "C1", "paid_date": "2025-08-20", "amount": 4335.0}],
    }
]
"""The logged input example: one account's rows (with the parameters of
:data:`EXAMPLE_PARAMS`)."""
EXAMPLE_PARAMS: dict[str, Any] = {"as_of": "2025-09-30", "lang": "en"}


class RiskModelPyfunc(PythonModel):
    """An MLflow pyfunc scoring customers from their ledger rows with the bundle in its
    artifacts.

    Input: one record per customer, ``customer`` (a dict), ``bills`` and ``payments``
    (lists of dicts) and optionally ``as_of``; parameters ``as_of``, ``lang``,
    ``reasons``, ``top``.  Output: one row per record, the columns of
    :data:`~arrearsrisk.tracking.serving.RESPONSE_COLUMNS` (those of
    :func:`arrearsrisk.score`, then ``notes`` and ``error``).  The peer contexts come
    from the model config's ``peers`` or ``ARREARSRISK_PEERS``
    (:class:`~arrearsrisk.tracking.serving.PeerSource`).
    """

    def load_context(self, context: Any) -> None:
        from arrearsrisk.models import load_model

        self.model = load_model(context.artifacts[BUNDLE_ARTIFACT])
        self.peers = PeerSource.configured(getattr(context, "model_config", None))

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        try:
            return score_records(self.model, model_input, params, self.peers)
        except Exception as err:  # a bug: no traceback in the response, it is in the log
            _logger.exception("scoring a request failed")
            raise MlflowException(  # error code INTERNAL_ERROR: HTTP 500
                f"internal error while scoring the request ({type(err).__name__}); the "
                "server's log has the details."
            ) from None


def _example() -> pd.DataFrame:
    """:data:`EXAMPLE_RECORDS` as a frame with object column labels: MLflow compares them
    with a range when saving the example, which pandas 3 deprecates for its str dtype
    (Pandas4Warning)."""
    example = pd.DataFrame(EXAMPLE_RECORDS)
    example.columns = pd.Index(list(example.columns), dtype=object)
    return example


def _signature() -> Any:
    """Records of four free-form fields (their checks are ours, so a bad record gets its
    own error row instead of failing the request), the response columns and the
    parameters with their defaults."""
    from mlflow.models.signature import ModelSignature
    from mlflow.types.schema import AnyType, ColSpec, ParamSchema, ParamSpec, Schema

    inputs = Schema([ColSpec(AnyType(), name, required=False) for name in INPUT_COLUMNS])
    kinds = {"a_warning": "boolean", "p_I": "double", "p_II": "double", "p_III": "double"}
    kinds.update(p_warning="double", exposure="double", arrears="double")
    outputs = Schema(
        [ColSpec(kinds.get(name, "string"), name, required=False) for name in RESPONSE_COLUMNS]
    )
    params = ParamSchema(
        [
            ParamSpec(name, "long" if isinstance(value, int) else "string", value)
            for name, value in PARAM_DEFAULTS.items()
        ]
    )
    return ModelSignature(inputs=inputs, outputs=outputs, params=params)


def _pip_requirements() -> list[str]:
    """arrearsrisk's runtime dependencies and mlflow, pinned to the installed versions."""
    from importlib import metadata

    try:
        from packaging.requirements import Requirement

        names = [
            Requirement(r).name
            for r in metadata.requires("arrearsrisk") or []
            if Requirement(r).marker is None
        ]
    except metadata.PackageNotFoundError:
        names = list(RUNTIME_PACKAGES)
    pinned = []
    for name in [*names, "mlflow"]:
        try:
            pinned.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pinned.append(name)
    return pinned


# Runs in MLflow's process, from the arrearsrisk shipped as code/: the public name.
_ENTRY_POINT = """\
\"\"\"MLflow models-from-code entry point of an arrearsrisk model (arrearsrisk.tracking).\"\"\"
from mlflow.models import set_model

from arrearsrisk.tracking import RiskModelPyfunc

set_model(RiskModelPyfunc())
"""

_PACKAGE = Path(__file__).resolve().parents[1]
"""The arrearsrisk package folder, shipped whole as the model's ``code/arrearsrisk``."""


def _log_model(result: TrainResult, frame: pd.DataFrame, bundle: Path, folder: Path) -> Any:
    """Log the pyfunc model as code (no pickle): a three-line entry point, the
    arrearsrisk package as ``code/`` and the bundle as its artifact (``frame``, the
    training frame, is not needed: the model takes ledger rows)."""
    del frame  # the input example is ledger rows, not the training frame's features
    entry = folder / "arrearsrisk_model.py"
    entry.write_text(_ENTRY_POINT)
    return mlflow.pyfunc.log_model(
        name=MODEL_NAME,
        python_model=str(entry),
        artifacts={BUNDLE_ARTIFACT: str(bundle)},
        code_paths=[str(_PACKAGE)],
        signature=_signature(),
        model_config={PEERS_CONFIG_KEY: ""},  # empty: ARREARSRISK_PEERS, unless overridden
        input_example=(_example(), EXAMPLE_PARAMS),
        pip_requirements=_pip_requirements(),
    )

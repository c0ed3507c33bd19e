"""The pyfunc model of a run: :class:`RiskModelPyfunc`, its signature, input example and
pinned requirements, logged as code (MLflow's models-from-code, no pickle).

The logged ``model`` holds a three-line entry point, the whole arrearsrisk package as
``code/`` and the saved bundle as its artifact; it serves
:meth:`RiskModel.predict <arrearsrisk.models.risk_model.RiskModel.predict>`.  Its input is
a features frame with categorical columns as text (cast pandas categoricals with
``.astype(str)``: MLflow's schema check refuses the category dtype).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from arrearsrisk.tracking.store import PythonModel, infer_signature, mlflow

if TYPE_CHECKING:
    from arrearsrisk.models import RiskModel, TrainResult

__all__ = ["RiskModelPyfunc"]

MODEL_NAME = "model"
"""Name of the logged pyfunc model: ``runs:/<run_id>/model``."""
BUNDLE_ARTIFACT = "bundle"
"""Key (and folder) of the bundle among the pyfunc model's artifacts."""
INPUT_EXAMPLE_ROWS = 5
OUTPUT_COLUMNS = ("grade", "p_I", "p_II", "p_III", "a_warning", "p_warning")
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


class RiskModelPyfunc(PythonModel):
    """An MLflow pyfunc serving :meth:`RiskModel.predict` from the bundle in its artifacts.

    Input: a features frame (the model's feature columns; categorical ones as text).
    Output: grade (``"I"``, ``"II"``, ``"III"``), p_I, p_II, p_III, a_warning, p_warning.
    """

    def load_context(self, context: Any) -> None:
        from arrearsrisk.models import load_model

        self.model = load_model(context.artifacts[BUNDLE_ARTIFACT])

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        if not isinstance(model_input, pd.DataFrame):
            model_input = pd.DataFrame(model_input)
        return _output(self.model.predict(model_input))


def _output(pred: pd.DataFrame) -> pd.DataFrame:
    out = pred[list(OUTPUT_COLUMNS)].copy()
    out["grade"] = out["grade"].astype(str).astype(object)
    return out


def _input_example(model: RiskModel, frame: pd.DataFrame) -> pd.DataFrame:
    """A few feature rows as a caller would send them: categorical columns as text."""
    names = list(model.spec.names)
    rows = frame.loc[:, names].head(INPUT_EXAMPLE_ROWS).reset_index(drop=True)
    for name in names:
        col = rows[name]
        if name in model.spec.categories:
            text = col.astype(object).where(col.notna(), None)
            rows[name] = text.map(lambda v: v if v is None else str(v)).astype(object)
        elif isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
            rows[name] = col.to_numpy(dtype="float64", na_value=float("nan"))
    # Object column labels: MLflow compares them with a range when saving the example,
    # which pandas 3 deprecates for its str dtype (Pandas4Warning).
    rows.columns = pd.Index(names, dtype=object)
    return rows


def _signature(model: RiskModel, example: pd.DataFrame) -> Any:
    """Signature from the example; categorical inputs may be missing (None)."""
    from mlflow.models.signature import ModelSignature
    from mlflow.types.schema import ColSpec, Schema

    inferred = infer_signature(example, _output(model.predict(example)))
    inputs = Schema(
        [
            ColSpec(spec.type, spec.name, required=spec.name not in model.spec.categories)
            for spec in inferred.inputs.inputs
        ]
    )
    return ModelSignature(inputs=inputs, outputs=inferred.outputs)


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
    arrearsrisk package as ``code/`` and the bundle as its artifact."""
    entry = folder / "arrearsrisk_model.py"
    entry.write_text(_ENTRY_POINT)
    example = _input_example(result.model, frame)
    return mlflow.pyfunc.log_model(
        name=MODEL_NAME,
        python_model=str(entry),
        artifacts={BUNDLE_ARTIFACT: str(bundle)},
        code_paths=[str(_PACKAGE)],
        signature=_signature(result.model, example),
        input_example=example,
        pip_requirements=_pip_requirements(),
    )

"""Where runs go: the MLflow tracking store, and the one module-level import of MLflow.

The store (:func:`tracking_uri`) is the standard ``MLFLOW_TRACKING_URI`` (which
``mlflow.set_tracking_uri`` also sets) if given, else a SQLite store ``mlflow.db`` in
the working folder.  An experiment created here in a SQLite store keeps its artifacts in
``mlruns/<experiment>/`` beside the database file (local, absolute).

The other modules of :mod:`arrearsrisk.tracking` take the MLflow names they need from
here, so a missing MLflow says how to install it once, whichever of them is imported.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from arrearsrisk.errors import ArrearsRiskError, TrackingError

try:
    from tqdm import TqdmWarning

    with warnings.catch_warnings():
        # Importing mlflow.pyfunc infers schemas of MLflow's own agent types and warns
        # "Any type hint is inferred as AnyType" about them (MLflow 3.x): nothing of ours.
        warnings.filterwarnings(
            "ignore", message=r".*Any type hint is inferred as AnyType", category=UserWarning
        )
        # It also imports mlflow.genai, whose simulators import tqdm.auto: in a Jupyter
        # kernel without ipywidgets that warns "IProgress not found" (a TqdmWarning),
        # about progress bars of GenAI evaluation we never show.
        warnings.filterwarnings("ignore", category=TqdmWarning, module=r"tqdm\.auto")
        import mlflow
        import mlflow.pyfunc
        from mlflow.exceptions import MlflowException
        from mlflow.models import infer_signature as infer_signature  # for pyfunc.py
        from mlflow.pyfunc.model import PythonModel as PythonModel  # for pyfunc.py
        from mlflow.tracking import MlflowClient
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ModuleNotFoundError(
        f"MLflow tracking needs mlflow ({err}).\n"
        "  hint: pip install 'arrearsrisk[tracking]', or train(..., track=False)."
    ) from err

TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
DEFAULT_DB = "mlflow.db"
ARTIFACT_FOLDER = "mlruns"
EXPERIMENT_KIND_TAG = "mlflow.experimentKind"
"""The experiment tag that chooses the MLflow 3 UI's view of an experiment."""
EXPERIMENT_KIND = "custom_model_development"
"""Its value for model training: the UI opens on runs, metrics and models (without the
tag it infers a kind, and an experiment with no run yet opens on GenAI traces)."""


def tracking_uri() -> str:
    """The MLflow tracking URI that :func:`log_training` and :func:`download_bundle` use.

    The standard ``MLFLOW_TRACKING_URI`` (or a URI set with ``mlflow.set_tracking_uri``)
    if there is one, else ``sqlite:///<working folder>/mlflow.db`` as an absolute path.

    Examples
    --------
    >>> import mlflow
    >>> mlflow.is_tracking_uri_set() or tracking_uri().endswith("/mlflow.db")
    True
    """
    if mlflow.is_tracking_uri_set():
        return str(mlflow.get_tracking_uri())
    return f"sqlite:///{Path(DEFAULT_DB).resolve().as_posix()}"


def _redacted(uri: str) -> str:
    """``uri`` without a password (database and HTTP URIs may carry one)."""
    return re.sub(r"//[^/@]*@", "//***@", uri)


def _sqlite_file(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI, else None."""
    if not uri.startswith("sqlite:///"):
        return None
    path = uri[len("sqlite:///") :].split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path).resolve()


_DATABASES = ("sqlite", "postgresql", "mysql", "mssql")


def _import_sql_stores(uri: str) -> None:
    """Import MLflow's SQL stores before first use, quietly (a database URI only)."""
    if uri.split(":", 1)[0].split("+", 1)[0] not in _DATABASES:
        return
    with warnings.catch_warnings():
        # MLflow 3.x's ORM models use the ``noload`` loader strategy, deprecated since
        # SQLAlchemy 2.1; SQLAlchemy warns once, when MLflow configures its mappers on
        # import. Nothing we can act on; the stores work.
        warnings.filterwarnings(
            "ignore",
            message=r"The ``noload`` loader strategy is deprecated",
            category=DeprecationWarning,
        )
        import mlflow.store.model_registry.sqlalchemy_store
        import mlflow.store.tracking.sqlalchemy_store  # noqa: F401


@contextmanager
def _using(uri: str) -> Iterator[None]:
    """Point MLflow's fluent API at ``uri``, then restore what was there before."""
    _import_sql_stores(uri)
    env = os.environ.get(TRACKING_URI_ENV)
    before = str(mlflow.get_tracking_uri()) if mlflow.is_tracking_uri_set() else None
    mlflow.set_tracking_uri(uri)
    try:
        yield
    finally:
        # Leave MLflow's global URI unset when it only mirrored the variable, so a later
        # change of MLFLOW_TRACKING_URI still counts; then put the variable back.
        mlflow.set_tracking_uri(None if before == env else before)  # type: ignore[arg-type]
        if env is None:
            os.environ.pop(TRACKING_URI_ENV, None)
        else:
            os.environ[TRACKING_URI_ENV] = env


def _experiment_id(client: MlflowClient, name: str, uri: str) -> str:
    """The id of experiment ``name``, created if missing (with local, absolute artifacts
    beside a SQLite database), and tagged as model training (:data:`EXPERIMENT_KIND`)
    unless it has a kind already."""
    if not isinstance(name, str) or not name.strip():
        raise ArrearsRiskError(f"experiment must be a non-empty name; got {name!r}.")
    found = client.get_experiment_by_name(name)
    if found is None:
        db = _sqlite_file(uri)
        # One folder per experiment under mlruns/ beside the database, named after it.
        folder = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "experiment"
        location = (db.parent / ARTIFACT_FOLDER / folder).as_uri() if db is not None else None
        try:
            return str(
                client.create_experiment(
                    name,
                    artifact_location=location,
                    tags={EXPERIMENT_KIND_TAG: EXPERIMENT_KIND},
                )
            )
        except MlflowException as err:
            if err.error_code != "RESOURCE_ALREADY_EXISTS":  # else: created meanwhile
                raise
            found = client.get_experiment_by_name(name)
            assert found is not None
    if found.lifecycle_stage != "active":
        raise TrackingError(
            f"MLflow experiment {name!r} (id {found.experiment_id}) at {_redacted(uri)} "
            "is deleted.\n"
            f"  hint: restore it with MlflowClient().restore_experiment({found.experiment_id!r})"
            ", or train with another experiment name."
        )
    if EXPERIMENT_KIND_TAG not in (found.tags or {}):
        client.set_experiment_tag(found.experiment_id, EXPERIMENT_KIND_TAG, EXPERIMENT_KIND)
    return str(found.experiment_id)

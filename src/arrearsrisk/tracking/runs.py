"""MLflow tracking: one run per training, and models loaded back from the registry.

This is the only module of arrearsrisk that imports MLflow; :func:`arrearsrisk.models.fitting.train`
and :func:`arrearsrisk.models.bundle.load_model` import it only when they need it, so scoring
from a bundle folder never pays for MLflow.

Where runs go (:func:`tracking_uri`): the standard ``MLFLOW_TRACKING_URI`` (which
``mlflow.set_tracking_uri`` also sets) if given, else a SQLite store ``mlflow.db`` in
the working folder.  An experiment created here in a SQLite store keeps its artifacts in
``mlruns/<experiment>/`` beside the database file (local, absolute).

A run of :func:`log_training` holds:

* **params**: LightGBM parameters, seed, label parameters, the train / valid / test
  windows, grade cut-offs and warning threshold with their rules, feature counts, the
  data hash, package versions and the boosters' best iterations;
* **metrics**: every out-of-time metric of each model, prefixed by its name
  (``model_grade_I_auc``, ``manual_grade_I_auc``, ``logistic_grade_I_auc``, ...), and
  ``psi_p_I_train_test``;
* **tags**: ``model_version``, ``psi_verdict``;
* **artifacts**: ``plots/*.png``, ``tables/<model>/*.csv``, ``metrics.csv``,
  ``feature_list.json``, ``split.json``, ``manual_rule.txt``, ``bundle/`` (the saved
  model folder) and ``model``, an MLflow pyfunc model with its signature that serves
  :meth:`RiskModel.predict <arrearsrisk.models.risk_model.RiskModel.predict>`.  Its input is a
  features frame with categorical columns as text (cast pandas categoricals with
  ``.astype(str)``: MLflow's schema check refuses the category dtype).

Examples
--------
>>> from arrearsrisk.models.bundle import load_model
>>> from arrearsrisk.models.fitting import train
>>> result = train(frame, register_as="arrearsrisk")  # doctest: +SKIP
>>> model = load_model("models:/arrearsrisk@champion")  # doctest: +SKIP

Or register later, and only if the new run beats the current champion
(:func:`champion`, :func:`promote`):

>>> result = train(frame)  # doctest: +SKIP
>>> best = champion()  # doctest: +SKIP
>>> new = result.metrics.loc["model", "grade_I_auc"]  # doctest: +SKIP
>>> if best is None or new > best["metrics"]["model_grade_I_auc"]:  # doctest: +SKIP
...     promote(result.run_id)
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.models.baselines import MANUAL_RULE

try:
    with warnings.catch_warnings():
        # Importing mlflow.pyfunc infers schemas of MLflow's own agent types and warns
        # "Any type hint is inferred as AnyType" about them (MLflow 3.x): nothing of ours.
        warnings.filterwarnings(
            "ignore", message=r".*Any type hint is inferred as AnyType", category=UserWarning
        )
        import mlflow
        import mlflow.pyfunc
        from mlflow.exceptions import MlflowException
        from mlflow.models import infer_signature
        from mlflow.pyfunc.model import PythonModel
        from mlflow.tracking import MlflowClient
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ModuleNotFoundError(
        f"MLflow tracking needs mlflow ({err}).\n"
        "  hint: pip install 'arrearsrisk[tracking]', or train(..., track=False)."
    ) from err

if TYPE_CHECKING:
    from arrearsrisk.models.fitting import TrainResult
    from arrearsrisk.models.risk_model import RiskModel

__all__ = [
    "DEFAULT_EXPERIMENT",
    "champion",
    "download_bundle",
    "log_training",
    "promote",
    "tracking_uri",
]

DEFAULT_EXPERIMENT = "arrearsrisk"
"""The experiment of :func:`log_training` unless another is named."""

TRACKING_URI_ENV = "MLFLOW_TRACKING_URI"
DEFAULT_DB = "mlflow.db"
ARTIFACT_FOLDER = "mlruns"
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
_SHOWN = 20


# --- where runs go ----------------------------------------------------------------------


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
    beside a SQLite database)."""
    if not isinstance(name, str) or not name.strip():
        raise ArrearsRiskError(f"experiment must be a non-empty name; got {name!r}.")
    found = client.get_experiment_by_name(name)
    if found is None:
        db = _sqlite_file(uri)
        # One folder per experiment under mlruns/ beside the database, named after it.
        folder = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "experiment"
        location = (db.parent / ARTIFACT_FOLDER / folder).as_uri() if db is not None else None
        try:
            return str(client.create_experiment(name, artifact_location=location))
        except MlflowException as err:
            if err.error_code != "RESOURCE_ALREADY_EXISTS":  # else: created meanwhile
                raise
            found = client.get_experiment_by_name(name)
            assert found is not None
    if found.lifecycle_stage != "active":
        raise ArrearsRiskError(
            f"MLflow experiment {name!r} (id {found.experiment_id}) at {_redacted(uri)} "
            "is deleted.\n"
            f"  hint: restore it with MlflowClient().restore_experiment({found.experiment_id!r})"
            ", or train with another experiment name."
        )
    return str(found.experiment_id)


# --- what a run holds -------------------------------------------------------------------


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _params(result: TrainResult) -> dict[str, Any]:
    from arrearsrisk.models.bundle import package_versions

    model = result.model
    info = model.info
    params: dict[str, Any] = {}
    for key, value in result.details.get("params", {}).items():
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)  # monotone_constraints: "0,1,1,-1,..."
        params[key] = value
    params["seed"] = info.get("seed")
    for key, value in info.get("labels", {}).items():
        params[f"label_{key}"] = value
    rows = info.get("rows", {})
    for part, cutoffs in result.split.items():
        params[f"{part}_first"] = str(pd.Timestamp(cutoffs[0]).date())
        params[f"{part}_last"] = str(pd.Timestamp(cutoffs[-1]).date())
        params[f"{part}_cutoffs"] = len(cutoffs)
        params[f"{part}_rows"] = rows.get(part)
    params["cutoff_I"] = model.cutoff_I
    params["cutoff_I_II"] = model.cutoff_I_II
    params["warning_threshold"] = model.warning_threshold
    params["grade_rule"] = info.get("grade_rule")
    params["warning_rule"] = info.get("warning_rule")
    logistic_cuts = result.details.get("logistic_cutoffs")
    if logistic_cuts is not None:
        params["logistic_cutoff_I"], params["logistic_cutoff_I_II"] = logistic_cuts
    params["logistic_warning_threshold"] = result.details.get("logistic_threshold")
    params["n_features"] = len(model.spec.names)
    params["n_categorical_features"] = len(model.spec.categories)
    params["data_sha256_16"] = info.get("data_sha256_16")
    for package, version in package_versions().items():
        params[f"version_{package}"] = version
    params["version_mlflow"] = mlflow.__version__
    for target, iteration in info.get("best_iteration", {}).items():
        params[f"best_iteration_{target}"] = iteration
    return {k: v for k, v in params.items() if v is not None}


def _metrics(result: TrainResult) -> dict[str, float]:
    out = {
        f"{name}_{key}": float(value)
        for name, evaluation in result.evaluations.items()
        for key, value in evaluation.metrics.items()
        if _finite(value)
    }
    if _finite(result.psi):
        out["psi_p_I_train_test"] = float(result.psi)
    return out


def _feature_list(model: RiskModel, monotone: Any) -> list[dict[str, Any]]:
    signs = list(monotone) if isinstance(monotone, list | tuple) else []
    out = []
    for i, name in enumerate(model.spec.names):
        entry: dict[str, Any] = {
            "name": name,
            "kind": "categorical" if name in model.spec.categories else "numeric",
        }
        if name in model.spec.categories:
            entry["categories"] = list(model.spec.categories[name])
        if i < len(signs):
            entry["monotone"] = int(signs[i])
        out.append(entry)
    return out


def _write_plots(result: TrainResult, folder: Path) -> None:
    from arrearsrisk.evaluation import plots

    evals = result.evaluations
    confusion = {name: ev.confusion for name, ev in evals.items()}
    first = next(iter(confusion.values()))
    counts = pd.DataFrame(
        {
            "true": first.sum(axis=1),
            **{name: table.sum(axis=0) for name, table in confusion.items()},
        }
    )
    figures = {
        "roc_grade_I": lambda: plots.roc_figure(evals, "grade_I"),
        "roc_grade_I_II": lambda: plots.roc_figure(evals, "grade_I_II"),
        "calibration_grade_I": lambda: plots.calibration_figure(evals, "grade_I"),
        "calibration_warning": lambda: plots.calibration_figure(evals, "warning"),
        "confusion_model": lambda: plots.confusion_figure(evals["model"], name="model"),
        "feature_importance_grade_I": lambda: plots.feature_importance_figure(
            result.model.feature_importance("grade_I")
        ),
        "grade_distribution": lambda: plots.grade_distribution_figure(counts),
        "pr_warning": lambda: plots.pr_figure(evals),
    }
    for name, draw in figures.items():
        plots.save_figure(draw(), folder / "plots" / f"{name}.png")


def _write_files(result: TrainResult, folder: Path) -> Path:
    """Write every artifact but the pyfunc model under ``folder``; return the bundle."""
    from arrearsrisk.models.bundle import save_bundle

    folder.mkdir(parents=True, exist_ok=True)
    _write_plots(result, folder)
    for name, evaluation in result.evaluations.items():
        tables = folder / "tables" / name
        tables.mkdir(parents=True, exist_ok=True)
        for table, data in evaluation.tables().items():
            data.to_csv(tables / f"{table}.csv", index=False)
    result.metrics.rename_axis("model").to_csv(folder / "metrics.csv")
    features = _feature_list(
        result.model, result.details.get("params", {}).get("monotone_constraints")
    )
    (folder / "feature_list.json").write_text(json.dumps(features, indent=2, ensure_ascii=False))
    split = {k: [str(pd.Timestamp(t).date()) for t in v] for k, v in result.split.items()}
    (folder / "split.json").write_text(json.dumps(split, indent=2))
    manual_rule = result.details.get("manual_rule") or MANUAL_RULE
    (folder / "manual_rule.txt").write_text(str(manual_rule) + "\n", encoding="utf-8")
    return save_bundle(result.model, folder / BUNDLE_ARTIFACT)


# --- the pyfunc model -------------------------------------------------------------------


class RiskModelPyfunc(PythonModel):
    """An MLflow pyfunc serving :meth:`RiskModel.predict` from the bundle in its artifacts.

    Input: a features frame (the model's feature columns; categorical ones as text).
    Output: grade (``"I"``, ``"II"``, ``"III"``), p_I, p_II, p_III, a_warning, p_warning.
    """

    def load_context(self, context: Any) -> None:
        from arrearsrisk.models.bundle import load_model

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


_ENTRY_POINT = """\
\"\"\"MLflow models-from-code entry point of an arrearsrisk model (arrearsrisk.tracking).\"\"\"
from mlflow.models import set_model

from arrearsrisk.tracking.runs import RiskModelPyfunc

set_model(RiskModelPyfunc())
"""


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
        code_paths=[str(Path(__file__).resolve().parents[1])],
        signature=_signature(result.model, example),
        input_example=example,
        pip_requirements=_pip_requirements(),
    )


# --- logging a training -----------------------------------------------------------------


def log_training(
    result: TrainResult,
    frame: pd.DataFrame,
    *,
    experiment: str = DEFAULT_EXPERIMENT,
    run_name: str | None = None,
    register_as: str | None = None,
    alias: str = "champion",
) -> str:
    """Log one training as one MLflow run; optionally register its model.

    Parameters
    ----------
    result : TrainResult
        What :func:`arrearsrisk.models.fitting.train` fitted and measured.
    frame : pandas.DataFrame
        The training frame (a few of its feature rows become the model's input example).
    experiment : str, default "arrearsrisk"
        MLflow experiment, created if missing.
    run_name : str, optional
        The run's name (MLflow makes one up otherwise).
    register_as : str, optional
        Register the logged model under this name and point ``alias`` at the new
        version, so ``load_model(f"models:/{register_as}@{alias}")`` loads it.
    alias : str, default "champion"
        The alias set when registering.

    Returns
    -------
    str
        The run id; the pyfunc model is ``runs:/<run_id>/model``.

    Raises
    ------
    ArrearsRiskError
        If the experiment is deleted or the tracking store refuses the run.
    """
    if register_as is not None and (not isinstance(register_as, str) or not register_as.strip()):
        raise ArrearsRiskError(f"register_as must be a model name; got {register_as!r}.")
    if register_as is not None and (not isinstance(alias, str) or not alias.strip()):
        raise ArrearsRiskError(f"alias must be a non-empty name; got {alias!r}.")
    uri = tracking_uri()
    with _using(uri):
        client = MlflowClient()
        try:
            experiment_id = _experiment_id(client, experiment, uri)
            with (
                tempfile.TemporaryDirectory(prefix="arrearsrisk-run-") as tmp,
                mlflow.start_run(
                    experiment_id=experiment_id,
                    run_name=run_name,
                    nested=mlflow.active_run() is not None,
                ) as run,
            ):
                mlflow.log_params(_params(result))
                mlflow.set_tags(
                    {
                        "model_version": result.model.version,
                        "psi_verdict": str(result.details.get("psi_verdict", "")),
                    }
                )
                files = Path(tmp) / "run"
                bundle = _write_files(result, files)
                mlflow.log_artifacts(str(files))
                info = _log_model(result, frame, bundle, Path(tmp))
                mlflow.log_metrics(_metrics(result), model_id=info.model_id)
                run_id = str(run.info.run_id)
        except MlflowException as err:
            raise ArrearsRiskError(
                f"MLflow tracking at {_redacted(uri)} failed: {err.message}\n"
                f"  hint: check {TRACKING_URI_ENV}, or train(..., track=False)."
            ) from err
        if register_as is not None:
            try:
                version = mlflow.register_model(info.model_uri, register_as)
                client.set_registered_model_alias(register_as, alias, version.version)
                client.set_model_version_tag(
                    register_as, version.version, "model_version", result.model.version
                )
            except MlflowException as err:
                raise ArrearsRiskError(
                    f"run {run_id} was logged to {_redacted(uri)}, but registering its model "
                    f"as {register_as!r} failed: {err.message}\n"
                    f"  hint: register it later with mlflow.register_model("
                    f"{info.model_uri!r}, {register_as!r})."
                ) from err
    return run_id


# --- loading a logged bundle ------------------------------------------------------------


_MODELS = re.compile(r"^models:/(?P<name>[^/@]+)(?:@(?P<alias>[^/@]+)|/(?P<version>[^/@]+))?/?$")
_RUNS = re.compile(r"^runs:/(?P<run>[^/]+)/(?P<path>.+?)/?$")


def _shown(items: list[str]) -> str:
    more = f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return (", ".join(items[:_SHOWN]) or "none") + more


def _registered(client: MlflowClient, name: str, uri: str) -> Any:
    try:
        return client.get_registered_model(name)
    except MlflowException as err:
        if err.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
    names = sorted(m.name for m in client.search_registered_models(max_results=1000))
    raise ArrearsRiskError(
        f"no registered model {name!r} in the MLflow store at {_redacted(uri)}; registered models: "
        f"{_shown(names)}.\n  hint: train(frame, register_as={name!r}), or set "
        f"{TRACKING_URI_ENV} to the store that holds it."
    )


def _versions(client: MlflowClient, name: str) -> list[str]:
    found = client.search_model_versions(f"name = '{name}'")
    return sorted((str(v.version) for v in found), key=int)


def _model_location(client: MlflowClient, uri: str, store: str) -> str:
    """The artifact location of the logged model that ``uri`` names."""
    models = _MODELS.match(uri)
    if models and models["alias"] is None and models["version"] is None:
        if models["name"].startswith("m-"):  # an MLflow 3 logged model id
            try:
                return str(client.get_logged_model(models["name"]).artifact_location)
            except MlflowException:
                pass
        raise ArrearsRiskError(
            f"{uri!r} names no version: use models:/{models['name']}@ALIAS or "
            f"models:/{models['name']}/VERSION."
        )
    if models:
        name, alias, version = models["name"], models["alias"], models["version"]
        registered = _registered(client, name, store)
        if alias is not None:
            aliases = dict(getattr(registered, "aliases", {}) or {})
            if alias not in aliases:
                shown = ", ".join(f"{a} -> version {v}" for a, v in sorted(aliases.items()))
                raise ArrearsRiskError(
                    f"registered model {name!r} has no alias {alias!r}; its aliases: "
                    f"{shown or 'none'}; versions: {_shown(_versions(client, name))}.\n"
                    f"  hint: MlflowClient().set_registered_model_alias({name!r}, {alias!r}, "
                    "VERSION), or load models:/NAME/VERSION."
                )
            version = str(aliases[alias])
        elif version == "latest":
            versions = _versions(client, name)
            if not versions:
                raise ArrearsRiskError(f"registered model {name!r} has no versions.")
            version = versions[-1]
        elif not version.isdigit() or version not in _versions(client, name):
            raise ArrearsRiskError(
                f"registered model {name!r} has no version {version!r}; versions: "
                f"{_shown(_versions(client, name))}."
            )
        return str(client.get_model_version_download_uri(name, version))
    runs = _RUNS.match(uri)
    if runs is None:
        raise ArrearsRiskError(
            f"not an MLflow model URI: {uri!r}; expected models:/NAME@ALIAS, "
            "models:/NAME/VERSION or runs:/RUN_ID/model."
        )
    run_id, path = runs["run"], runs["path"]
    try:
        run = client.get_run(run_id)
    except MlflowException as err:
        if err.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        where = _redacted(store)
        raise ArrearsRiskError(f"no MLflow run {run_id!r} in the store at {where}.") from None
    logged = client.search_logged_models(
        experiment_ids=[run.info.experiment_id],
        filter_string=f"source_run_id = '{run_id}'",
    )
    names = sorted(m.name for m in logged)
    chosen = [m for m in logged if m.name == path]
    if not chosen:
        raise ArrearsRiskError(
            f"run {run_id} logged no model named {path!r}; its models: {_shown(names)}."
        )
    return str(chosen[-1].artifact_location)


def download_bundle(uri: str) -> Path:
    """Fetch the bundle of a model logged by :func:`log_training`; return its folder.

    Parameters
    ----------
    uri : str
        ``models:/NAME@ALIAS``, ``models:/NAME/VERSION`` (or ``latest``) or
        ``runs:/RUN_ID/model``, in the store of :func:`tracking_uri`.

    Returns
    -------
    pathlib.Path
        The local folder holding the bundle's ``manifest.json``: the store's own folder
        when the artifacts are local, else a fresh download in a temporary folder.

    Raises
    ------
    ArrearsRiskError
        If the URI is malformed, or names an unknown model, alias, version or run
        (the message lists what exists), or a model that holds no arrearsrisk bundle.
    """
    from mlflow.artifacts import download_artifacts

    text = str(uri).strip()
    store = tracking_uri()
    with _using(store):
        client = MlflowClient()
        try:
            location = _model_location(client, text, store)
            source = f"{location.rstrip('/')}/artifacts/{BUNDLE_ARTIFACT}"
            try:
                folder = Path(download_artifacts(artifact_uri=source))
            except (MlflowException, OSError) as err:
                raise ArrearsRiskError(
                    f"{text} holds no arrearsrisk bundle (looked for {source}: {err}).\n"
                    "  hint: load a model logged by arrearsrisk.models.fitting.train."
                ) from None
        except MlflowException as err:
            raise ArrearsRiskError(
                f"MLflow store at {_redacted(store)} failed to resolve {text}: {err.message}"
            ) from err
    if not (folder / "manifest.json").is_file():
        raise ArrearsRiskError(
            f"{text} holds no arrearsrisk bundle: {folder} has no manifest.json."
        )
    return folder


# --- the champion: comparing and promoting runs -----------------------------------------


def _check_names(**names: Any) -> None:
    for what, value in names.items():
        if not isinstance(value, str) or not value.strip():
            raise ArrearsRiskError(f"{what} must be a non-empty name; got {value!r}.")


def champion(name: str = "arrearsrisk", alias: str = "champion") -> dict[str, Any] | None:
    """The registered model version that ``alias`` points at, with its run's test metrics.

    Parameters
    ----------
    name : str, default "arrearsrisk"
        The registered model.
    alias : str, default "champion"
        The alias naming the version in use.

    Returns
    -------
    dict or None
        ``name``, ``alias``, ``version`` (int), ``run_id`` (the run that logged the
        model; None if it was registered from elsewhere), ``model_version`` (the
        arrearsrisk model version, a tag of the run) and ``metrics``: the model's
        out-of-time metrics as logged in the run (``model_grade_I_auc``,
        ``model_warning_pr_auc``, ...; empty if the run is gone).  None when the store
        has no registered model ``name`` or it has no alias ``alias``; a SQLite store
        whose file does not exist yet is not created.

    Raises
    ------
    ArrearsRiskError
        If ``name`` or ``alias`` is empty, or the tracking store fails.

    Examples
    --------
    >>> print(champion())  # before the first promote  # doctest: +SKIP
    None
    >>> best = champion("arrearsrisk")  # doctest: +SKIP
    >>> best["version"], round(best["metrics"]["model_grade_I_auc"], 3)  # doctest: +SKIP
    (3, 0.925)
    """
    _check_names(name=name, alias=alias)
    uri = tracking_uri()
    db = _sqlite_file(uri)
    if db is not None and not db.exists():
        return None
    with _using(uri):
        client = MlflowClient()
        try:
            try:
                registered = client.get_registered_model(name)
            except MlflowException as err:
                if err.error_code != "RESOURCE_DOES_NOT_EXIST":
                    raise
                return None
            aliases = dict(getattr(registered, "aliases", {}) or {})
            if alias not in aliases:
                return None
            version = client.get_model_version(name, str(aliases[alias]))
            run_id = str(version.run_id) if version.run_id else None
            metrics: dict[str, float] = {}
            tags: dict[str, str] = {}
            if run_id is not None:
                try:
                    run = client.get_run(run_id)
                except MlflowException as err:
                    if err.error_code != "RESOURCE_DOES_NOT_EXIST":
                        raise
                else:
                    metrics = {
                        k: float(v)
                        for k, v in sorted(run.data.metrics.items())
                        if k.startswith("model_")
                    }
                    tags = dict(run.data.tags)
        except MlflowException as err:
            raise ArrearsRiskError(
                f"MLflow store at {_redacted(uri)} failed to read {name}@{alias}: {err.message}"
            ) from err
    model_tag = (getattr(version, "tags", None) or {}).get("model_version")
    return {
        "name": name,
        "alias": alias,
        "version": int(version.version),
        "run_id": run_id,
        "model_version": model_tag or tags.get("model_version"),
        "metrics": metrics,
    }


def promote(run_id: str, name: str = "arrearsrisk", alias: str = "champion") -> int:
    """Point ``name@alias`` at the model logged by run ``run_id``; return its version.

    The run's model (``runs:/<run_id>/model``, logged by :func:`log_training`) is
    registered under ``name`` unless a version of ``name`` from that run exists already;
    then the alias moves to that version (an alias names one version at a time), so
    ``load_model(f"models:/{name}@{alias}")`` loads it.

    Parameters
    ----------
    run_id : str
        The MLflow run of a tracked training (``TrainResult.run_id``).
    name : str, default "arrearsrisk"
        The registered model, created if missing.
    alias : str, default "champion"
        The alias to set.

    Returns
    -------
    int
        The registered version the alias now points at.

    Raises
    ------
    ArrearsRiskError
        If ``run_id`` is not a run of the store (or is deleted), the run logged no model,
        a name is empty, or the store refuses the registration.

    Examples
    --------
    >>> result = train(frame, register_as=None)  # doctest: +SKIP
    >>> promote(result.run_id)  # doctest: +SKIP
    1
    >>> promote(result.run_id, alias="challenger")  # same run: same version  # doctest: +SKIP
    1
    """
    if not isinstance(run_id, str) or not run_id.strip():
        raise ArrearsRiskError(
            f"run_id must be the id of an MLflow run (TrainResult.run_id); got {run_id!r}.\n"
            "  hint: train with track=True to log a run."
        )
    _check_names(name=name, alias=alias)
    uri = tracking_uri()
    with _using(uri):
        client = MlflowClient()
        try:
            try:
                run = client.get_run(run_id)
            except MlflowException as err:
                if err.error_code not in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
                    raise
                raise ArrearsRiskError(
                    f"no MLflow run {run_id!r} in the store at {_redacted(uri)}.\n"
                    f"  hint: check {TRACKING_URI_ENV}; the run id is TrainResult.run_id."
                ) from None
            if run.info.lifecycle_stage != "active":
                raise ArrearsRiskError(
                    f"MLflow run {run_id} is deleted; restore it with "
                    f"MlflowClient().restore_run({run_id!r}) before promoting it."
                )
            found = client.search_model_versions(f"name = '{name}' and run_id = '{run_id}'")
            if found:
                version = max(int(v.version) for v in found)
            else:
                logged = client.search_logged_models(
                    experiment_ids=[run.info.experiment_id],
                    filter_string=f"source_run_id = '{run_id}'",
                )
                chosen = [m for m in logged if m.name == MODEL_NAME]
                if not chosen:
                    raise ArrearsRiskError(
                        f"run {run_id} logged no model named {MODEL_NAME!r} (its models: "
                        f"{_shown(sorted(m.name for m in logged))}); nothing to promote.\n"
                        "  hint: promote a run of arrearsrisk.train(..., track=True)."
                    )
                registered = mlflow.register_model(chosen[-1].model_uri, name)
                version = int(registered.version)
                model_version = run.data.tags.get("model_version")
                if model_version:
                    client.set_model_version_tag(name, str(version), "model_version", model_version)
            client.set_registered_model_alias(name, alias, str(version))
        except MlflowException as err:
            raise ArrearsRiskError(
                f"MLflow store at {_redacted(uri)} failed to promote run {run_id} to "
                f"{name}@{alias}: {err.message}"
            ) from err
    return version

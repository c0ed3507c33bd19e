"""Models back from the store: :func:`download_bundle` for ``models:/NAME@ALIAS``,
``models:/NAME/VERSION`` and ``runs:/RUN_ID/model``; the champion, :func:`champion`, and
the registry's bookkeeping shared by :func:`~arrearsrisk.tracking.runs.log_training` and
:func:`~arrearsrisk.tracking.promotion.promote`: a run's model registered once (an
identical model is never registered twice), and an alias that moves keeps the version it
named as :func:`previous_alias`.

Examples
--------
>>> import arrearsrisk as ar
>>> model = ar.load_model("models:/arrearsrisk@champion")  # doctest: +SKIP
>>> champion()["version"]  # doctest: +SKIP
3
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from arrearsrisk.errors import ArrearsRiskError, TrackingError
from arrearsrisk.tracking.pyfunc import BUNDLE_ARTIFACT
from arrearsrisk.tracking.store import (
    TRACKING_URI_ENV,
    MlflowClient,
    MlflowException,
    _redacted,
    _sqlite_file,
    _using,
    mlflow,
    tracking_uri,
)

__all__ = ["champion", "download_bundle", "previous_alias"]

_SHOWN = 20


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
    raise TrackingError(
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
                raise TrackingError(
                    f"registered model {name!r} has no alias {alias!r}; its aliases: "
                    f"{shown or 'none'}; versions: {_shown(_versions(client, name))}.\n"
                    f"  hint: MlflowClient().set_registered_model_alias({name!r}, {alias!r}, "
                    "VERSION), or load models:/NAME/VERSION."
                )
            version = str(aliases[alias])
        elif version == "latest":
            versions = _versions(client, name)
            if not versions:
                raise TrackingError(f"registered model {name!r} has no versions.")
            version = versions[-1]
        elif not version.isdigit() or version not in _versions(client, name):
            raise TrackingError(
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
        raise TrackingError(f"no MLflow run {run_id!r} in the store at {where}.") from None
    logged = client.search_logged_models(
        experiment_ids=[run.info.experiment_id],
        filter_string=f"source_run_id = '{run_id}'",
    )
    names = sorted(m.name for m in logged)
    chosen = [m for m in logged if m.name == path]
    if not chosen:
        raise TrackingError(
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
        If the URI is malformed (not a ``models:/`` or ``runs:/`` URI, or no version).
    TrackingError
        If the URI names an unknown model, alias, version or run (the message lists what
        exists), or a model that holds no arrearsrisk bundle, or the store fails.
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
                raise TrackingError(
                    f"{text} holds no arrearsrisk bundle (looked for {source}: {err}).\n"
                    "  hint: load a model logged by arrearsrisk.train."
                ) from None
        except MlflowException as err:
            raise TrackingError(
                f"MLflow store at {_redacted(store)} failed to resolve {text}: {err.message}"
            ) from err
    if not (folder / "manifest.json").is_file():
        raise TrackingError(f"{text} holds no arrearsrisk bundle: {folder} has no manifest.json.")
    return folder


# --- the champion: registering, aliases ---------------------------------------------

REGISTERED_DESCRIPTION = (
    "arrearsrisk: LightGBM models grading electricity customers' arrears risk "
    "(Grade I / II / III) with an A-level warning. Versions are logged by "
    "arrearsrisk.train; move the champion with arrearsrisk.tracking.promote "
    "(on evidence) and back with rollback."
)


def _check_names(**names: Any) -> None:
    for what, value in names.items():
        if not isinstance(value, str) or not value.strip():
            raise ArrearsRiskError(f"{what} must be a non-empty name; got {value!r}.")


def previous_alias(alias: str = "champion") -> str:
    """The alias that keeps the version ``alias`` named before it moved.

    >>> previous_alias(), previous_alias("challenger")
    ('previous', 'challenger-previous')
    """
    return "previous" if alias == "champion" else f"{alias}-previous"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _aliases(client: MlflowClient, name: str) -> dict[str, int]:
    try:
        registered = client.get_registered_model(name)
    except MlflowException as err:
        if err.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        return {}
    return {a: int(v) for a, v in (getattr(registered, "aliases", {}) or {}).items()}


def _register(
    client: MlflowClient,
    name: str,
    model_uri: str,
    run_id: str,
    model_version: str | None,
    description: str,
) -> int:
    """The version of ``name`` holding the run's model: the version registered from
    ``run_id``, else one of an identical model (same ``model_version`` tag), else a new
    version registered from ``model_uri`` with ``description``."""
    found = client.search_model_versions(f"name = '{name}' and run_id = '{run_id}'")
    if found:
        return max(int(v.version) for v in found)
    if model_version:
        same = [
            int(v.version)
            for v in client.search_model_versions(f"name = '{name}'")
            if (getattr(v, "tags", None) or {}).get("model_version") == model_version
        ]
        if same:
            version = str(max(same))
            client.set_model_version_tag(name, version, "also_logged_by_run", run_id)
            return int(version)
    try:
        client.get_registered_model(name)
    except MlflowException as err:
        if err.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        try:
            client.create_registered_model(name, description=REGISTERED_DESCRIPTION)
        except MlflowException as again:
            if again.error_code != "RESOURCE_ALREADY_EXISTS":  # else: created meanwhile
                raise
    tags = {"model_version": model_version} if model_version else None
    registered = mlflow.register_model(model_uri, name, tags=tags)
    client.update_model_version(name, str(registered.version), description=description)
    return int(registered.version)


def _set_alias(client: MlflowClient, name: str, alias: str, version: int, why: str) -> int | None:
    """Point ``name@alias`` at ``version``; the version it named before (returned) keeps
    :func:`previous_alias` and is recorded on the new one (tag ``<alias>_previous``)."""
    old = _aliases(client, name).get(alias)
    if old == version:
        return None
    if old is not None:
        client.set_registered_model_alias(name, previous_alias(alias), str(old))
        client.set_model_version_tag(name, str(version), f"{alias}_previous", str(old))
        client.set_model_version_tag(name, str(old), f"{alias}_replaced_by", str(version))
    client.set_registered_model_alias(name, alias, str(version))
    client.set_model_version_tag(name, str(version), f"{alias}_since", f"{_now()}: {why}")
    return old


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
        ``model_warning_pr_auc``, ...; empty if the run is gone) and ``previous``, the
        version the alias named before (alias :func:`previous_alias`; None if none).
        None when the store
        has no registered model ``name`` or it has no alias ``alias``; a SQLite store
        whose file does not exist yet is not created.

    Raises
    ------
    ArrearsRiskError
        If ``name`` or ``alias`` is empty.
    TrackingError
        If the tracking store fails.

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
            previous = aliases.get(previous_alias(alias))
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
            raise TrackingError(
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
        "previous": None if previous is None else int(previous),
    }

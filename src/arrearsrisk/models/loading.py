"""Loading a model from a bundle folder or from a URI, and where URIs are resolved.

A URI such as ``models:/arrearsrisk@champion`` names a bundle kept elsewhere (an MLflow
registry).  Each URI scheme has a *model source*: a function that fetches the bundle to
a local folder and returns that folder.  Sources are registered by scheme; the package
registers MLflow's ``models:/`` and ``runs:/`` (:mod:`arrearsrisk.tracking`) by dotted
name, so MLflow is imported only when such a URI is loaded.

Examples
--------
>>> import arrearsrisk as ar
>>> ar.load_model("models/sample").spec.names[:2]
('bills_due_count_3m', 'late_bills_count_3m')
>>> sorted(model_sources())
['models', 'runs']
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from arrearsrisk.errors import ArrearsRiskError, BundleError
from arrearsrisk.models.bundle import BUNDLE_FORMAT, MANIFEST, read_bundle
from arrearsrisk.models.manifest_checks import TARGETS, check_model_fields
from arrearsrisk.models.risk_model import _CONTENT_VERSION, RiskModel

__all__ = [
    "ModelSource",
    "load_model",
    "model_sources",
    "register_model_source",
    "upgrade_bundle",
]

ModelSource = Callable[[str], Path]
"""Fetches the bundle a URI names to a local folder and returns the folder."""

_SOURCES: dict[str, ModelSource | str] = {
    # MLflow URIs load through the tracking edge, imported only when such a URI is loaded
    "models": "arrearsrisk.tracking:download_bundle",
    "runs": "arrearsrisk.tracking:download_bundle",
}
_SCHEME = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*):/")


def register_model_source(scheme: str, source: ModelSource | str) -> None:
    """Resolve URIs ``<scheme>:/...`` with ``source``.

    Parameters
    ----------
    scheme : str
        Lower-case URI scheme, e.g. ``"models"``.
    source : callable or str
        ``source(uri) -> folder``, or its dotted name ``"package.module:function"``,
        imported on first use (so a heavy client is imported only when needed).
    """
    if not re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme):
        raise ArrearsRiskError(f"a URI scheme is lower-case letters and digits; got {scheme!r}.")
    if isinstance(source, str) and ":" not in source:
        raise ArrearsRiskError(f"a source by name is 'module:function'; got {source!r}.")
    if not isinstance(source, str) and not callable(source):
        raise ArrearsRiskError(f"a model source is callable; got {type(source).__name__}.")
    _SOURCES[scheme] = source


def model_sources() -> dict[str, ModelSource | str]:
    """The registered URI schemes and their sources."""
    return dict(_SOURCES)


def _resolve(source: ModelSource | str) -> ModelSource:
    if not isinstance(source, str):
        return source
    module, _, name = source.partition(":")
    fetch: ModelSource = getattr(importlib.import_module(module), name)
    return fetch


def load_model(path_or_uri: str | os.PathLike[str] | RiskModel) -> RiskModel:
    """Load a :class:`RiskModel` from a bundle folder or a registered URI.

    Parameters
    ----------
    path_or_uri : str, path-like or RiskModel
        A folder written by :meth:`RiskModel.save`; or a URI of a registered scheme,
        e.g. ``models:/NAME@ALIAS`` / ``models:/NAME/VERSION`` / ``runs:/RUN_ID/model``
        of a model logged by :func:`arrearsrisk.train` (this imports MLflow; a folder
        never does); a loaded model is returned as it is.

    Raises
    ------
    BundleError
        If the folder is not a bundle, or anything in it is damaged, changed after
        saving, outside the folder, too large or of the wrong kind (see
        :func:`~arrearsrisk.models.bundle.read_bundle` and
        :meth:`RiskModel.from_manifest`), or the bundle needs another lightgbm.
    """
    if isinstance(path_or_uri, RiskModel):
        return path_or_uri
    text = str(path_or_uri)
    match = _SCHEME.match(text)
    if match and match["scheme"] in _SOURCES:
        return RiskModel.load(_resolve(_SOURCES[match["scheme"]])(text))
    return RiskModel.load(path_or_uri)


def upgrade_bundle(path: str | os.PathLike[str]) -> str:
    """Re-save a bundle of format 1 (no manifest hash) in the current format, in place.

    Format 1 covered the model files by their sha256 but not the manifest.  The upgrade
    checks what format 1 can vouch for -- the files' hashes, every field and text model
    (as :meth:`RiskModel.from_manifest`), and the model version recomputed from the
    model files, calibration and thresholds -- then saves the same model with
    :meth:`RiskModel.save`.  The feature list and category levels are not covered by
    format 1: upgrade only a bundle you trust.  A bundle already in the current format
    is left as it is.

    Parameters
    ----------
    path : str or path-like
        The bundle folder.

    Returns
    -------
    str
        The folder.

    Raises
    ------
    BundleError
        If the bundle fails a check, or its model version is not the content version
        training writes (``YYYYMMDD-xxxxxxxx``), so nothing vouches for its thresholds.
    """
    folder = Path(path)
    source = str(folder / MANIFEST)

    def check(manifest: dict[str, object]) -> None:
        check_model_fields(manifest, source)

    texts, manifest = read_bundle(
        folder, required=[f"{t}.txt" for t in TARGETS], check=check, accept_unhashed=True
    )
    if manifest["format_version"] == BUNDLE_FORMAT:
        return str(folder)
    model = RiskModel.from_manifest(manifest, texts, source=source)
    if not _CONTENT_VERSION.fullmatch(model.version):
        raise BundleError(
            f"{source}: model_version {model.version!r} is not a trained model's content "
            "version, so nothing vouches for this format-1 manifest; it is not upgraded.\n"
            "  hint: retrain."
        )
    return model.save(folder)

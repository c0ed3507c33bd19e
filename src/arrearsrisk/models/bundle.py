"""Model bundles: a folder with the LightGBM models as text and a JSON manifest.

::

    models/arrearsrisk-20251122-1a2b3c4d/
        manifest.json        feature names and categories, calibration, grade cut-offs,
                             warning threshold, training window, metrics, versions,
                             sha256 of every file
        grade_I.txt          LightGBM text models
        grade_I_II.txt
        warning.txt

No pickle: everything is readable, diffable and safe to load.
:func:`load_model` verifies every file's hash and the versions before it loads, and
refuses a tampered, truncated or incompatible bundle with a :class:`BundleError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from pathlib import Path
from typing import Any

from arrearsrisk.errors import BundleError
from arrearsrisk.models.risk_model import TARGETS, Calibrator, FeatureSpec, RiskModel

__all__ = ["BUNDLE_FORMAT", "load_model", "package_versions", "save_bundle"]

BUNDLE_FORMAT = 1
"""Version of the bundle layout; a bundle of a newer format is refused."""

MANIFEST = "manifest.json"


def package_versions() -> dict[str, str]:
    """Versions of the packages a bundle depends on."""
    import lightgbm
    import numpy
    import pandas

    from arrearsrisk._version import __version__

    return {
        "arrearsrisk": __version__,
        "lightgbm": lightgbm.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "python": platform.python_version(),
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_bundle(model: RiskModel, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` to the folder ``path`` (created; existing files are replaced).

    Examples
    --------
    See :func:`load_model`.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for target in TARGETS:
        file = folder / f"{target}.txt"
        model.boosters[target].save_model(str(file))
        files[file.name] = _sha256(file)
    manifest: dict[str, Any] = {
        "format": "arrearsrisk-bundle",
        "format_version": BUNDLE_FORMAT,
        "model_version": model.version,
        "features": [
            {
                "name": n,
                "kind": "categorical" if n in model.spec.categories else "numeric",
                **(
                    {"categories": list(model.spec.categories[n])}
                    if n in model.spec.categories
                    else {}
                ),
            }
            for n in model.spec.names
        ],
        "calibration": {
            t: {"method": "platt", "a": c.a, "b": c.b} for t, c in model.calibrators.items()
        },
        "grade_cutoffs": {"I": model.cutoff_I, "I_II": model.cutoff_I_II},
        "warning_threshold": model.warning_threshold,
        "info": model.info,
        "versions": package_versions(),
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    return folder


def _read_manifest(folder: Path) -> dict[str, Any]:
    file = folder / MANIFEST
    if not folder.is_dir():
        raise BundleError(f"model bundle not found: {folder} is not a folder.")
    if not file.exists():
        raise BundleError(f"{folder} is not a model bundle: it has no {MANIFEST}.")
    try:
        manifest = json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise BundleError(f"{file} is not valid JSON ({err}); the bundle is damaged.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != "arrearsrisk-bundle":
        raise BundleError(f"{file} is not an arrearsrisk bundle manifest.")
    return manifest


def _check_versions(manifest: dict[str, Any]) -> None:
    fmt = manifest.get("format_version")
    if not isinstance(fmt, int) or fmt > BUNDLE_FORMAT:
        raise BundleError(
            f"bundle format {fmt!r} is newer than this arrearsrisk reads ({BUNDLE_FORMAT}); "
            "upgrade arrearsrisk."
        )
    import lightgbm

    made = str(manifest.get("versions", {}).get("lightgbm", "?"))
    if made.split(".")[0] != lightgbm.__version__.split(".")[0]:
        raise BundleError(
            f"bundle was made with lightgbm {made}, this environment has "
            f"{lightgbm.__version__}: incompatible major version; retrain, or install "
            f"lightgbm {made}."
        )


def load_model(path_or_uri: str | os.PathLike[str]) -> RiskModel:
    """Load a :class:`RiskModel` from a bundle folder or an MLflow ``models:/`` URI.

    Parameters
    ----------
    path_or_uri : str or path-like
        A folder written by :meth:`RiskModel.save`, or ``models:/NAME@ALIAS`` /
        ``models:/NAME/VERSION`` of a model logged by :func:`arrearsrisk.train` (this
        imports MLflow; a folder never does).

    Raises
    ------
    BundleError
        If the folder is not a bundle, a file is missing, changed or truncated (its
        sha256 differs from the manifest), or the bundle needs another lightgbm.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> model = ar.load_model("models/sample")
    >>> model.spec.names[:2]
    ('bills_due_count_3m', 'late_bills_count_3m')
    """
    text = str(path_or_uri)
    if text.startswith("models:/") or text.startswith("runs:/"):
        from arrearsrisk.tracking.runs import download_bundle

        return load_model(download_bundle(text))
    folder = Path(path_or_uri)
    manifest = _read_manifest(folder)
    _check_versions(manifest)
    files = manifest.get("files", {})
    for target in TARGETS:
        name = f"{target}.txt"
        if name not in files:
            raise BundleError(f"{folder / MANIFEST} lists no {name}; the bundle is incomplete.")
    for name, digest in files.items():
        file = folder / name
        if not file.exists():
            raise BundleError(f"bundle file {file} is missing.")
        if _sha256(file) != digest:
            raise BundleError(
                f"bundle file {file} does not match its sha256 in the manifest: it was changed "
                "or truncated after saving. Refusing to load it; restore the bundle or retrain."
            )
    import lightgbm as lgb

    try:
        boosters = {t: lgb.Booster(model_file=str(folder / f"{t}.txt")) for t in TARGETS}
        spec = FeatureSpec(
            tuple(f["name"] for f in manifest["features"]),
            {
                f["name"]: tuple(f["categories"])
                for f in manifest["features"]
                if f["kind"] == "categorical"
            },
        )
        calibrators = {
            t: Calibrator(float(c["a"]), float(c["b"])) for t, c in manifest["calibration"].items()
        }
        return RiskModel(
            boosters,
            spec,
            calibrators,
            float(manifest["grade_cutoffs"]["I"]),
            float(manifest["grade_cutoffs"]["I_II"]),
            float(manifest["warning_threshold"]),
            info=manifest.get("info", {}),
            version=str(manifest.get("model_version", folder.name)),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise BundleError(f"{folder / MANIFEST} is incomplete or malformed: {err!r}.") from None

"""Model bundles as files: a folder with LightGBM text models and a JSON manifest.

::

    models/arrearsrisk-20251122-1a2b3c4d/
        manifest.json        what the model learned (written by RiskModel.to_manifest),
                             the bundle format, package versions, sha256 of every file
        grade_I.txt          LightGBM text models
        grade_I_II.txt
        warning.txt

This module owns only the files: it writes texts and a manifest, and reads them back
after checking the format, the versions and every file's hash.  It knows nothing of
what a model is (:class:`~arrearsrisk.models.risk_model.RiskModel` turns itself into a
manifest and back).  No pickle: everything is readable, diffable and safe to load; a
tampered, truncated or incompatible bundle is refused with a :class:`BundleError`.

Examples
--------
>>> import tempfile
>>> folder = write_bundle(tempfile.mkdtemp(), {"a.txt": "tree\\n"}, {"model_version": "x"})
>>> texts, manifest = read_bundle(folder, required=("a.txt",))
>>> texts["a.txt"], manifest["model_version"], manifest["format_version"]
('tree\\n', 'x', 1)
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from arrearsrisk._version import __version__
from arrearsrisk.errors import BundleError

__all__ = ["BUNDLE_FORMAT", "MANIFEST", "package_versions", "read_bundle", "write_bundle"]

BUNDLE_FORMAT = 1
"""Version of the bundle layout; a bundle of a newer format is refused."""

MANIFEST = "manifest.json"
"""The manifest's file name inside a bundle folder."""

_FORMAT_NAME = "arrearsrisk-bundle"


def package_versions() -> dict[str, str]:
    """Versions of the packages a bundle depends on."""
    import lightgbm
    import numpy
    import pandas

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


def write_bundle(
    path: str | os.PathLike[str], texts: Mapping[str, str], manifest: Mapping[str, Any]
) -> Path:
    """Write ``texts`` (file name to content) and ``manifest`` to the folder ``path``.

    The folder is created; existing files of the same names are replaced.  The manifest
    written has the bundle format, the package versions and each file's sha256 added
    around ``manifest``'s own keys.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for name, content in texts.items():
        file = folder / name
        file.write_text(content)
        files[name] = _sha256(file)
    full: dict[str, Any] = {
        "format": _FORMAT_NAME,
        "format_version": BUNDLE_FORMAT,
        **manifest,
        "versions": package_versions(),
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(full, indent=2, ensure_ascii=False, default=str))
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
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT_NAME:
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


def read_bundle(
    path: str | os.PathLike[str], *, required: Sequence[str] = ()
) -> tuple[dict[str, str], dict[str, Any]]:
    """The texts and the manifest of the bundle folder ``path``, once checked.

    Parameters
    ----------
    path : str or path-like
        A folder written by :func:`write_bundle`.
    required : sequence of str
        File names the manifest must list.

    Returns
    -------
    (dict of str to str, dict)
        Every listed file's text by name, and the manifest.

    Raises
    ------
    BundleError
        If the folder is not a bundle, lists no required file, a file is missing,
        changed or truncated (its sha256 differs from the manifest), the format is
        newer than this arrearsrisk reads, or the bundle needs another lightgbm major.
    """
    folder = Path(path)
    manifest = _read_manifest(folder)
    _check_versions(manifest)
    files = manifest.get("files", {})
    for name in required:
        if name not in files:
            raise BundleError(f"{folder / MANIFEST} lists no {name}; the bundle is incomplete.")
    texts: dict[str, str] = {}
    for name, digest in files.items():
        file = folder / name
        if not file.exists():
            raise BundleError(f"bundle file {file} is missing.")
        if _sha256(file) != digest:
            raise BundleError(
                f"bundle file {file} does not match its sha256 in the manifest: it was changed "
                "or truncated after saving. Refusing to load it; restore the bundle or retrain."
            )
        texts[name] = file.read_text()
    return texts, manifest

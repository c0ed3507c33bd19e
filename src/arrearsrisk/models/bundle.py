"""Model bundles as files: a folder with LightGBM text models and a JSON manifest.

::

    models/arrearsrisk-20251122-1a2b3c4d/
        manifest.json        what the model learned (written by RiskModel.to_manifest),
                             the bundle format, package versions, sha256 of every file
                             and the sha256 of the manifest itself
        grade_I.txt          LightGBM text models
        grade_I_II.txt
        warning.txt

This module owns only the files: it writes texts and a manifest, and reads them back
after checking the format, the versions, the manifest's own hash and every file's
hash.  It knows nothing of what a model is (:class:`~arrearsrisk.models.risk_model.RiskModel`
turns itself into a manifest and back, and checks its own fields through ``check``).
No pickle: everything is readable, diffable and safe to load; a tampered, truncated or
incompatible bundle is refused with a :class:`BundleError`.

What a reader refuses, before it reads a byte of a listed file:

* a manifest that is not UTF-8 JSON of one object, holds ``NaN`` / ``Infinity`` or a
  key twice, is over :data:`MAX_MANIFEST_BYTES`, or whose content does not hash to its
  ``manifest_sha256`` (the sha256 of the manifest without that key, as JSON with keys
  sorted, no spaces, UTF-8: see :func:`manifest_digest`);
* a listed name that is not a plain file name (no folder, no ``..``, no absolute path),
  a link that leads out of the bundle folder, anything but a regular file (a device
  such as ``/dev/zero``, a pipe, a folder), a file over :data:`MAX_FILE_BYTES`, more
  than :data:`MAX_FILES` files;
* a file whose bytes do not hash to the manifest's sha256, or are not UTF-8.

The hashes find a bundle that was changed, by hand or by damage; they are not a
signature (whoever can write the folder can write new hashes): keep bundles where only
the people who train can write.

Examples
--------
>>> import tempfile
>>> folder = write_bundle(tempfile.mkdtemp(), {"a.txt": "tree\\n"}, {"model_version": "x"})
>>> texts, manifest = read_bundle(folder, required=("a.txt",))
>>> texts["a.txt"], manifest["model_version"], manifest["format_version"]
('tree\\n', 'x', 2)
>>> manifest["manifest_sha256"] == manifest_digest(manifest)
True
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import re
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from arrearsrisk._version import __version__
from arrearsrisk.errors import BundleError

__all__ = [
    "BUNDLE_FORMAT",
    "MANIFEST",
    "MANIFEST_HASH",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_MANIFEST_BYTES",
    "lightgbm_version",
    "manifest_digest",
    "package_versions",
    "read_bundle",
    "write_bundle",
]

BUNDLE_FORMAT = 2
"""Version of the bundle layout; a bundle of a newer format is refused.  Format 2
added ``manifest_sha256``; format 1 bundles are refused (see
:func:`arrearsrisk.models.loading.upgrade_bundle`)."""

MANIFEST = "manifest.json"
"""The manifest's file name inside a bundle folder."""

MANIFEST_HASH = "manifest_sha256"
"""The manifest key holding the sha256 of the rest of the manifest."""

MAX_FILE_BYTES = 512 * 1024 * 1024
"""Largest file a bundle may list (512 MiB; the sample's models are 0.1-0.2 MiB)."""

MAX_MANIFEST_BYTES = 64 * 1024 * 1024
"""Largest manifest.json read (64 MiB; the sample's is 10 KiB)."""

MAX_FILES = 16
"""Most files a manifest may list."""

_FORMAT_NAME = "arrearsrisk-bundle"
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_HINT = "  hint: restore the bundle from where it was saved (or download it again), or retrain."


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


def lightgbm_version() -> str:
    """The installed LightGBM's version, without importing LightGBM (it imports
    scikit-learn: most of a cold start) unless it is imported already.

    >>> lightgbm_version().split(".")[0]
    '4'
    """
    module = sys.modules.get("lightgbm")
    if module is not None:
        return str(module.__version__)
    spec = importlib.util.find_spec("lightgbm")  # finds the package, imports nothing
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        shipped = Path(folder) / "VERSION.txt"  # LightGBM's own version file
        if shipped.is_file():
            return shipped.read_text(encoding="utf-8").strip()
    from importlib import metadata  # reads every installed distribution: slower

    try:
        return metadata.version("lightgbm")
    except metadata.PackageNotFoundError:  # not installed as a distribution
        import lightgbm

        return str(lightgbm.__version__)


def manifest_digest(manifest: Mapping[str, Any]) -> str:
    """The sha256 of ``manifest`` without its ``manifest_sha256`` key.

    Hashed as canonical JSON: keys sorted, no spaces, UTF-8, no NaN.

    >>> manifest_digest({"b": 1, "a": [0.5]}) == manifest_digest({"a": [0.5], "b": 1})
    True
    """
    rest = {k: v for k, v in manifest.items() if k != MANIFEST_HASH}
    text = json.dumps(
        rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` as JSON would read it back; NaN and infinities become null (JSON has none)."""
    plain: dict[str, Any] = json.loads(json.dumps(data, default=str), parse_constant=lambda _: None)
    return plain


def _check_name(name: object, where: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name == MANIFEST:
        raise BundleError(
            f"{where}: {name!r} is not a plain file name of a bundle (letters, digits, '_', "
            "'.', '-'; no folder, no '..', no absolute path).\n" + _HINT
        )
    return name


def write_bundle(
    path: str | os.PathLike[str], texts: Mapping[str, str], manifest: Mapping[str, Any]
) -> Path:
    """Write ``texts`` (file name to content) and ``manifest`` to the folder ``path``.

    The folder is created; existing files of the same names are replaced.  The manifest
    written has the bundle format, the package versions, each file's sha256 and its own
    sha256 (:data:`MANIFEST_HASH`) added around ``manifest``'s own keys; texts are
    written as UTF-8, and a NaN or infinity in ``manifest`` is written as null.

    Raises
    ------
    BundleError
        If a name in ``texts`` is not a plain file name.
    """
    folder = Path(path)
    names = [_check_name(name, "write_bundle") for name in texts]
    if len(names) > MAX_FILES:
        raise BundleError(f"a bundle holds at most {MAX_FILES} files; got {len(names)}.")
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for name, content in texts.items():
        data = content.encode("utf-8")
        (folder / name).write_bytes(data)
        files[name] = hashlib.sha256(data).hexdigest()
    full = _plain(
        {
            "format": _FORMAT_NAME,
            "format_version": BUNDLE_FORMAT,
            **manifest,
            "versions": package_versions(),
            "files": files,
        }
    )
    full.pop(MANIFEST_HASH, None)
    full[MANIFEST_HASH] = manifest_digest(full)
    text = json.dumps(full, indent=2, ensure_ascii=False, allow_nan=False)
    (folder / MANIFEST).write_bytes(text.encode("utf-8"))
    return folder


def _read_file(folder: Path, resolved: Path, name: str, cap: int) -> bytes:
    """The bytes of ``folder / name``, once known to be a regular file inside the folder
    of at most ``cap`` bytes (``resolved`` is the folder with links resolved)."""
    file = folder / name
    try:
        target = file
        if (folder / name).is_symlink():
            target = file.resolve(strict=True)
            if not target.is_relative_to(resolved):
                raise BundleError(
                    f"bundle file {file} is a link to {target}, outside the bundle folder; "
                    "refusing to read it.\n" + _HINT
                )
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(target, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise BundleError(f"bundle file {file} is missing.\n" + _HINT) from None
    except (OSError, RuntimeError) as err:  # a link loop, no permission, ...
        raise BundleError(f"bundle file {file} cannot be read: {err}.\n" + _HINT) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BundleError(
                f"bundle file {file} is not a regular file (a device, pipe or folder); "
                "refusing to read it.\n" + _HINT
            )
        if info.st_size > cap:
            raise BundleError(
                f"bundle file {file} is {info.st_size:,} bytes, more than the {cap:,} a bundle "
                "file may have; refusing to read it.\n" + _HINT
            )
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as err:
        raise BundleError(f"bundle file {file} cannot be read: {err}.\n" + _HINT) from None
    finally:
        os.close(fd)
    if len(data) > cap:
        raise BundleError(f"bundle file {file} grew past {cap:,} bytes while read.\n" + _HINT)
    return data


def _decode(data: bytes, file: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BundleError(
            f"bundle file {file} is not UTF-8 text (byte {data[err.start]:#04x} at offset "
            f"{err.start:,}); the bundle is damaged.\n" + _HINT
        ) from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _read_manifest(folder: Path, resolved: Path) -> dict[str, Any]:
    file = folder / MANIFEST
    if not (folder / MANIFEST).exists() and not (folder / MANIFEST).is_symlink():
        raise BundleError(f"{folder} is not a model bundle: it has no {MANIFEST}.")
    text = _decode(_read_file(folder, resolved, MANIFEST, MAX_MANIFEST_BYTES), file)
    try:
        manifest = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as err:
        raise BundleError(
            f"{file} is not valid JSON ({str(err)[:200] or type(err).__name__}); "
            "the bundle is damaged.\n" + _HINT
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT_NAME:
        raise BundleError(
            f"{file} is not an arrearsrisk bundle manifest (a JSON object with "
            f'"format": "{_FORMAT_NAME}").'
        )
    return manifest


def _check_versions(manifest: dict[str, Any], file: Path, formats: Sequence[int]) -> None:
    fmt = manifest.get("format_version")
    if type(fmt) is not int:
        raise BundleError(f"{file}: format_version must be an integer; got {fmt!r}.\n" + _HINT)
    if fmt > BUNDLE_FORMAT:
        raise BundleError(
            f"bundle format {fmt!r} is newer than this arrearsrisk reads ({BUNDLE_FORMAT}); "
            "upgrade arrearsrisk."
        )
    if fmt not in formats:
        raise BundleError(
            f"{file}: bundle format {fmt} is older than this arrearsrisk reads "
            f"({BUNDLE_FORMAT}): its manifest is not covered by a hash.\n"
            "  hint: retrain; or, for a bundle you trust, upgrade it in place with "
            "arrearsrisk.models.loading.upgrade_bundle(path) (it re-saves the bundle after "
            "checking the model version against the model files)."
        )
    versions = manifest.get("versions", {})
    made = versions.get("lightgbm", "?") if isinstance(versions, dict) else "?"
    here = lightgbm_version()
    if not isinstance(made, str) or made.split(".")[0] != here.split(".")[0]:
        raise BundleError(
            f"bundle was made with lightgbm {made}, this environment has "
            f"{here}: incompatible major version; retrain, or install "
            f"lightgbm {made}."
        )


def _check_digest(manifest: dict[str, Any], file: Path) -> None:
    recorded = manifest.get(MANIFEST_HASH)
    if not isinstance(recorded, str) or not _SHA256.fullmatch(recorded):
        raise BundleError(f"{file} has no valid {MANIFEST_HASH}; the bundle is damaged.\n" + _HINT)
    if manifest_digest(manifest) != recorded:
        raise BundleError(
            f"{file} was changed after saving: its content does not match its "
            f"{MANIFEST_HASH}. Refusing to load it (an edited cut-off, feature or "
            "calibration would score with the old model version).\n"
            "  hint: restore the bundle from where it was saved, or retrain; to change "
            "cut-offs or thresholds, train again with other options."
        )


def _listed(manifest: dict[str, Any], file: Path, required: Sequence[str]) -> dict[str, str]:
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise BundleError(f"{file}: files must be an object of file name to sha256.\n" + _HINT)
    if len(files) > MAX_FILES:
        raise BundleError(f"{file} lists {len(files)} files; a bundle holds at most {MAX_FILES}.")
    for name, digest in files.items():
        _check_name(name, f"{file}: files")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise BundleError(f"{file}: the sha256 of {name} is not 64 hex digits.\n" + _HINT)
    for name in required:
        if name not in files:
            raise BundleError(f"{file} lists no {name}; the bundle is incomplete.")
    return files


def read_bundle(
    path: str | os.PathLike[str],
    *,
    required: Sequence[str] = (),
    check: Callable[[dict[str, Any]], None] | None = None,
    accept_unhashed: bool = False,
) -> tuple[dict[str, str], dict[str, Any]]:
    """The texts and the manifest of the bundle folder ``path``, once checked.

    Parameters
    ----------
    path : str or path-like
        A folder written by :func:`write_bundle`.
    required : sequence of str
        File names the manifest must list.
    check : callable, optional
        Called with the manifest before its hash is checked and any file is read, to
        refuse wrong fields by name (a :class:`BundleError`).
    accept_unhashed : bool, default False
        Also read format 1 (no manifest hash): only for
        :func:`arrearsrisk.models.loading.upgrade_bundle`.

    Returns
    -------
    (dict of str to str, dict)
        Every listed file's text by name, and the manifest.

    Raises
    ------
    BundleError
        If the folder is not a bundle; the manifest is not JSON, was changed after
        saving or fails ``check``; a listed file is missing, not a plain name, outside
        the folder, not a regular file, too large, changed or truncated (its sha256
        differs from the manifest); the format is newer (or older) than this arrearsrisk
        reads, or the bundle needs another lightgbm major.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise BundleError(f"model bundle not found: {folder} is not a folder.")
    resolved = folder.resolve()
    file = folder / MANIFEST
    manifest = _read_manifest(folder, resolved)
    _check_versions(manifest, file, (1, BUNDLE_FORMAT) if accept_unhashed else (BUNDLE_FORMAT,))
    if check is not None:
        check(manifest)
    if manifest["format_version"] >= 2:
        _check_digest(manifest, file)
    files = _listed(manifest, file, required)
    data: dict[str, bytes] = {}
    for name in files:  # every file is checked before the next is read
        data[name] = _read_file(folder, resolved, name, MAX_FILE_BYTES)
        if hashlib.sha256(data[name]).hexdigest() != files[name]:
            raise BundleError(
                f"bundle file {folder / name} does not match its sha256 in the manifest: it "
                "was changed or truncated after saving. Refusing to load it; restore the "
                "bundle or retrain."
            )
    return {name: _decode(raw, folder / name) for name, raw in data.items()}, manifest

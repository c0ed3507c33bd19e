"""The fields of a model manifest, checked by name before a model is built from them.

A manifest is JSON anyone can open and edit, so each field :meth:`RiskModel.to_manifest
<arrearsrisk.models.risk_model.RiskModel.to_manifest>` writes is checked for its type
and range, and a wrong one is a :class:`BundleError` naming the field (never a
``TypeError``, ``AttributeError`` or ``KeyError`` from deep inside):

================== ===========================================================
field              rule
================== ===========================================================
model_version      optional; text of letters, digits, ``.``, ``_``, ``-`` (1-100)
features           a list of 1 to :data:`MAX_FEATURES` objects, each with a
                   ``name`` (text without spaces, unique) and a ``kind``
                   (``numeric``, or ``categorical`` with ``categories``: a list of
                   up to :data:`MAX_CATEGORIES` distinct texts)
calibration        an object with exactly ``grade_I``, ``grade_I_II``,
                   ``warning``, each ``{"method": "platt", "a": a > 0, "b": b}``
grade_cutoffs      ``{"I": p, "I_II": p}``, each a probability in [0, 1]
warning_threshold  a probability in [0, 1]
info               optional; an object
================== ===========================================================

Numbers are JSON numbers (not text, not true/false) and finite.  The two cut-offs need
no order: the rule is cumulative (Grade I if ``p_I >= cutoff_I``, else Grade II if
``p_I + p_II >= cutoff_I_II``), so any pair in [0, 1] grades every customer once.

Examples
--------
>>> fields = check_model_fields({"features": [{"name": "x", "kind": "numeric"}],
...     "calibration": {t: {"method": "platt", "a": 1.0, "b": 0.0}
...                     for t in ("grade_I", "grade_I_II", "warning")},
...     "grade_cutoffs": {"I": 0.3, "I_II": 0.4}, "warning_threshold": 0.2}, "m.json")
>>> fields.names, fields.cutoffs
(('x',), (0.3, 0.4))
>>> try:
...     check_model_fields({"features": "x"}, "m.json")
... except BundleError as err:
...     print(str(err).splitlines()[0])
m.json is incomplete or malformed: features must be a list of objects; got str.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arrearsrisk.errors import BundleError

__all__ = ["MAX_CATEGORIES", "MAX_FEATURES", "TARGETS", "ModelFields", "check_model_fields"]

MAX_FEATURES = 10_000
"""Most features a manifest may list."""

MAX_CATEGORIES = 100_000
"""Most levels a categorical feature may list."""

TARGETS: tuple[str, ...] = ("grade_I", "grade_I_II", "warning")
"""The binary models of a :class:`~arrearsrisk.models.risk_model.RiskModel`."""

_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_FEATURE = re.compile(r"[^\s,:\[\]{}\"]{1,200}")


@dataclass(frozen=True)
class ModelFields:
    """The checked fields: plain values to build a model from."""

    version: str | None
    names: tuple[str, ...]
    categories: dict[str, tuple[str, ...]]
    calibration: dict[str, tuple[float, float]]
    cutoffs: tuple[float, float]
    warning_threshold: float
    info: dict[str, Any]


class _Wrong(Exception):
    pass


def check_model_fields(manifest: Mapping[str, Any], source: str) -> ModelFields:
    """The model fields of ``manifest``, checked (see the module's table).

    Parameters
    ----------
    manifest : mapping
        A manifest as :meth:`RiskModel.to_manifest` writes it (other keys are ignored).
    source : str
        Where it came from, for the message.

    Raises
    ------
    BundleError
        ``<source> is incomplete or malformed: <field> ...``, naming the first wrong field.
    """
    try:
        if not isinstance(manifest, Mapping):
            raise _Wrong(f"the manifest must be an object; got {type(manifest).__name__}")
        version = manifest.get("model_version")
        if version is not None and not (isinstance(version, str) and _VERSION.fullmatch(version)):
            raise _Wrong(
                f"model_version must be 1-100 letters, digits, '.', '_' or '-'; got {version!r:.60}"
            )
        names, categories = _features(_field(manifest, "features"))
        calibration = _calibration(_field(manifest, "calibration"))
        cuts = _field(manifest, "grade_cutoffs")
        if not isinstance(cuts, dict) or set(cuts) != {"I", "I_II"}:
            raise _Wrong('grade_cutoffs must be an object {"I": ..., "I_II": ...}')
        cutoffs = (
            _probability(cuts["I"], "grade_cutoffs.I"),
            _probability(cuts["I_II"], "grade_cutoffs.I_II"),
        )
        threshold = _probability(_field(manifest, "warning_threshold"), "warning_threshold")
        info = manifest.get("info", {})
        if not isinstance(info, dict):
            raise _Wrong(f"info must be an object; got {type(info).__name__}")
    except _Wrong as err:
        raise BundleError(
            f"{source} is incomplete or malformed: {err}.\n"
            "  hint: the manifest was edited or damaged; restore the bundle from where it was "
            "saved, or retrain."
        ) from None
    return ModelFields(version, names, categories, calibration, cutoffs, threshold, info)


def _field(manifest: Mapping[str, Any], key: str) -> Any:
    if key not in manifest:
        raise _Wrong(f"{key} is missing")
    return manifest[key]


def _number(value: Any, field: str) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise _Wrong(f"{field} must be a finite number; got {value!r:.40}")
    return float(value)


def _probability(value: Any, field: str) -> float:
    number = _number(value, field)
    if not 0.0 <= number <= 1.0:
        raise _Wrong(f"{field} must be a probability in [0, 1]; got {number!r}")
    return number


def _features(value: Any) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    if not isinstance(value, list) or not all(isinstance(f, dict) for f in value):
        raise _Wrong(f"features must be a list of objects; got {type(value).__name__}")
    if not 1 <= len(value) <= MAX_FEATURES:
        raise _Wrong(f"features must list 1 to {MAX_FEATURES:,} features; got {len(value):,}")
    names: list[str] = []
    categories: dict[str, tuple[str, ...]] = {}
    for i, feature in enumerate(value):
        name = feature.get("name")
        if not isinstance(name, str) or not _FEATURE.fullmatch(name):
            raise _Wrong(f"features[{i}].name must be a text without spaces; got {name!r:.60}")
        if name in names:
            raise _Wrong(f"features[{i}].name {name!r} appears twice")
        names.append(name)
        kind = feature.get("kind")
        if kind == "categorical":
            levels = feature.get("categories")
            if not isinstance(levels, list) or not all(isinstance(c, str) for c in levels):
                raise _Wrong(f"features[{i}].categories ({name}) must be a list of texts")
            if len(levels) > MAX_CATEGORIES or len(set(levels)) != len(levels):
                raise _Wrong(
                    f"features[{i}].categories ({name}) must be at most {MAX_CATEGORIES:,} "
                    "distinct texts"
                )
            categories[name] = tuple(levels)
        elif kind == "numeric":
            if "categories" in feature:
                raise _Wrong(f"features[{i}] ({name}) is numeric but lists categories")
        else:
            raise _Wrong(f"features[{i}].kind ({name}) must be 'numeric' or 'categorical'")
    return tuple(names), categories


def _calibration(value: Any) -> dict[str, tuple[float, float]]:
    if not isinstance(value, dict) or set(value) != set(TARGETS):
        raise _Wrong(f"calibration must be an object with exactly {', '.join(TARGETS)}")
    out: dict[str, tuple[float, float]] = {}
    for target in TARGETS:  # in the order fitting builds them (the model version hashes it)
        c = value[target]
        if not isinstance(c, dict) or c.get("method") != "platt" or set(c) != {"method", "a", "b"}:
            raise _Wrong(f'calibration.{target} must be {{"method": "platt", "a": ..., "b": ...}}')
        a = _number(c["a"], f"calibration.{target}.a")
        if a <= 0:
            raise _Wrong(f"calibration.{target}.a must be positive (it keeps the ranking); got {a}")
        out[target] = (a, _number(c["b"], f"calibration.{target}.b"))
    return out

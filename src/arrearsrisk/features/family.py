"""What a feature family declares, in one place (its own module), and the static part
of its contract.

A :class:`FeatureFamily` names its columns, its builder, the context the builder needs,
the known monotone directions of its features and their reason texts in every language
of :data:`~arrearsrisk.vocabulary.LANGS`.  :func:`check_declarations` refuses a family
whose declarations are missing or inconsistent; :func:`arrearsrisk.features.
check_feature_family` also runs the builder on a small ledger.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import FeatureFamilyError
from arrearsrisk.features.texts import ReasonText, is_missing, literals, resolve, value_formats
from arrearsrisk.vocabulary import LANGS

if TYPE_CHECKING:
    from arrearsrisk.ledger.tables import Ledger

__all__ = [
    "CONTEXTS",
    "ID_AND_LABEL_COLUMNS",
    "Builder",
    "Column",
    "FeatureFamily",
    "OneBuilder",
    "OneValue",
    "check_declarations",
]

Column = np.ndarray | pd.Categorical
"""A feature column: ``float64`` numbers or a ``pandas.Categorical``, one value per
customer of the snapshot."""

Builder = Callable[..., Mapping[str, Column]]
"""``build(snapshot, **context)``: the family's columns, in declared order."""

OneValue = float | str | None
"""One account's value of a feature: a number, or a categorical's text (None: missing)."""

OneBuilder = Callable[..., Mapping[str, OneValue]]
"""``build_one(account, **context)``: one account's values, in declared order."""

CONTEXTS: Mapping[str, str] = {
    "peers": "the PeerContext given to build_features (None: the snapshot's own peers)",
    "reserved": "the names an extra customer column may not take (every registered "
    "feature and the id and label columns)",
}
"""What a builder may ask for in ``needs``; it receives each as a keyword argument."""

ID_AND_LABEL_COLUMNS: tuple[str, ...] = ("customer_id", "as_of", "grade", "a_warning")
"""Columns next to the features in a training frame: no feature may take their names."""

_TRY_VALUES = (math.nan, 0.0, 1.0)


@dataclass(frozen=True)
class FeatureFamily:
    """A named group of features and everything the library needs to know about them.

    Parameters
    ----------
    name : str
        The family's name (``payments``).
    names : tuple of str
        Its columns, in output order.
    build : callable
        ``build(snapshot, **context) -> {name: column}``: the declared columns (then
        the ``extra_names``), each ``float64`` or ``pandas.Categorical`` with one value
        per customer of the :class:`~arrearsrisk.asof.snapshot.Snapshot`, computed from
        the snapshot only.
    monotone : mapping of str to int
        Known direction of a feature's effect on risk: 1 (more never lowers the risk),
        -1 (more never raises it); features left out (or 0) are unconstrained.  Empty
        when no feature has a known direction.
    reasons : mapping of str to ReasonText
        Reason texts keyed by feature name or stem (see :func:`~arrearsrisk.features.
        texts.resolve`); every feature of ``names`` needs one unless
        ``default_reason`` is given.
    needs : tuple of str
        Context the builder takes as keyword arguments, from :data:`CONTEXTS`.
    extra_names : callable, optional
        ``extra_names(ledger)``: columns known only from the ledger (the extra
        customer columns of ``account``), built after ``names``.
    default_reason : ReasonText, optional
        The text of a feature without an entry in ``reasons`` (required with
        ``extra_names``).
    summary : str
        What the family sees, in a line.
    build_one : callable, optional
        ``build_one(account, **context) -> {name: value}``: the same columns for one
        account, from its :class:`~arrearsrisk.asof.account.AccountSnapshot`, in plain
        Python (a ``float``, or for a categorical column its text or ``None``).  Used by
        :func:`arrearsrisk.score_account`, where numpy's cost per call would be most of
        the time; it must equal ``build`` on every account (the twin tests check the
        built-in families, :func:`arrearsrisk.features.check_feature_family` a family of
        one's own).  Without it, one account's features come from ``build``.
    """

    name: str
    names: tuple[str, ...]
    build: Builder
    monotone: Mapping[str, int]
    reasons: Mapping[str, ReasonText]
    needs: tuple[str, ...] = ()
    extra_names: Callable[[Ledger], Sequence[str]] | None = None
    default_reason: ReasonText | None = None
    summary: str = ""
    build_one: OneBuilder | None = None

    def columns(self, ledger: Ledger) -> list[str]:
        """Every column the family builds on ``ledger``: ``names``, then ``extra_names``."""
        extra = self.extra_names(ledger) if self.extra_names is not None else ()
        return [*self.names, *extra]

    def reason(self, name: str) -> ReasonText | None:
        """The reason text of feature ``name``: its entry in ``reasons``, else
        ``default_reason``."""
        return resolve(name, [self.reasons]) or self.default_reason


def _fail(name: object, problems: list[str]) -> FeatureFamilyError:
    label = name if isinstance(name, str) and name else repr(name)
    lines = "\n".join(f"  - {p}" for p in problems)
    return FeatureFamilyError(
        f"feature family '{label}' breaks its contract:\n{lines}", family=str(label)
    )


_ASCII_IN_ZH = re.compile(r"[:;,()?!]")
"""ASCII punctuation a Chinese text writes full width (：；，（）？！)."""
_SEPARATORS = re.compile(r"[;；]")
"""What splits joined reasons (:func:`~arrearsrisk.vocabulary.split_items`)."""


def _check_phrase(key: str, what: str, lang: str, text: str, problems: list[str]) -> None:
    try:
        fixed = "".join(literals(text))
    except ValueError as err:
        problems.append(f"reason text '{key}' ({what}, {lang}) is not a template: {err}")
        return
    if _SEPARATORS.search(fixed):
        problems.append(
            f"reason text '{key}' ({what}, {lang}) contains a reason separator ';' or '；' "
            f"(it would split into two reasons): {text!r}"
        )
    if lang == "zh" and _ASCII_IN_ZH.search(fixed):
        problems.append(
            f"reason text '{key}' ({what}, zh) uses ASCII punctuation "
            f"{sorted(set(_ASCII_IN_ZH.findall(fixed)))}; write it full width "
            f"(：；，（）？！): {text!r}"
        )


def _check_texts(key: str, entry: ReasonText, problems: list[str]) -> None:
    for what, texts in entry.texts():
        formats = {}
        for lang in LANGS:
            text = texts.get(lang) if isinstance(texts, Mapping) else None
            if not isinstance(text, str) or not text.strip():
                problems.append(f"reason text '{key}' has no '{lang}' text ({what})")
                continue
            try:
                formats[lang] = value_formats(text)
            except ValueError:
                continue  # reported by _check_phrase
        if len({tuple(f) for f in formats.values()}) > 1:
            problems.append(
                f"reason text '{key}' ({what}) writes the value differently by language "
                f"({formats}): a reason could not be read back in the other language"
            )
    try:
        phrases = list(entry.phrases())
    except Exception as err:  # any failure of the entry is the family's
        problems.append(f"reason text '{key}' cannot list its phrases: {type(err).__name__}: {err}")
        return
    for what, lang, text in phrases:
        _check_phrase(key, what, lang, text, problems)


def _check_names(family: FeatureFamily, problems: list[str]) -> list[str]:
    names = family.names
    if not isinstance(names, tuple) or not names:
        problems.append("no names: declare the columns as a non-empty tuple of str")
        return []
    ok = [n for n in names if isinstance(n, str) and n.strip()]
    if len(ok) != len(names):
        problems.append(f"names must be non-empty str, got {list(names)}")
    seen: set[str] = set()
    for n in ok:
        if n in seen:
            problems.append(f"name '{n}' is declared twice")
        seen.add(n)
    for n in ok:
        if n in ID_AND_LABEL_COLUMNS:
            problems.append(f"name '{n}' is an id or label column")
    return ok


def _check_needs(family: FeatureFamily, problems: list[str]) -> None:
    needs = family.needs
    if not isinstance(needs, tuple):
        problems.append(f"needs must be a tuple of context names, got {needs!r}")
        return
    for need in needs:
        if need not in CONTEXTS:
            problems.append(f"needs unknown context {need!r} (known: {', '.join(CONTEXTS)})")
    if not callable(family.build):
        return
    try:
        params = inspect.signature(family.build).parameters
    except (TypeError, ValueError):  # a builtin without a signature: trust it
        return
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    for need in needs:
        p = params.get(need)
        if not takes_any and (p is None or p.kind is inspect.Parameter.POSITIONAL_ONLY):
            problems.append(f"builder does not take the context '{need}' it needs")


def _check_monotone(family: FeatureFamily, names: list[str], problems: list[str]) -> None:
    monotone: Any = family.monotone
    if not isinstance(monotone, Mapping):
        problems.append(
            "no monotone directions: declare a mapping of feature name to -1, 0 or 1 "
            "(empty when no feature has a known direction)"
        )
        return
    for key, sign in monotone.items():
        if key not in names:
            problems.append(f"monotone names '{key}', not a feature of the family")
        if (
            isinstance(sign, bool)
            or not isinstance(sign, int | np.integer)
            or sign not in (-1, 0, 1)
        ):
            problems.append(f"monotone direction of '{key}' must be -1, 0 or 1, got {sign!r}")


def _check_reasons(family: FeatureFamily, names: list[str], problems: list[str]) -> None:
    reasons: Any = family.reasons
    if not isinstance(reasons, Mapping):
        problems.append("no reason texts: declare a mapping of feature name or stem to text")
        return
    default: Any = family.default_reason
    if default is not None and not isinstance(default, ReasonText):
        problems.append(f"default_reason must be a ReasonText, got {type(default).__name__}")
        default = None
    entries = {k: v for k, v in reasons.items() if isinstance(v, ReasonText)}
    for key in reasons:
        if key not in entries:
            problems.append(f"reason text '{key}' is not a ReasonText")
    for key, entry in entries.items():
        _check_texts(key, entry, problems)
    for n in names:
        entry = resolve(n, [entries]) or default
        if entry is None:
            problems.append(f"no reason text for '{n}' (in zh and en) and no default_reason")
            continue
        for lang in LANGS:
            for value in _TRY_VALUES:
                try:
                    text = entry.say(n, value, lang)
                    fact = entry.states_fact(n, value)
                    back = entry.parse(n, text, lang)
                    shaped = bool(entry.forms(n, lang))
                except Exception as err:  # any failure of a template is the family's
                    problems.append(
                        f"reason text of '{n}' fails in '{lang}' for {value}: "
                        f"{type(err).__name__}: {err}"
                    )
                    break
                if not isinstance(fact, bool):
                    problems.append(
                        f"states_fact of '{n}' must be a bool, got {type(fact).__name__}"
                    )
                elif not fact and not is_missing(value):
                    problems.append(f"states_fact of '{n}' says its value {value} is no fact")
                if any(entry.say(n, b, lang) != text for b in back):
                    problems.append(f"reason text of '{n}' reads {text!r} back wrongly: {back}")
                elif not back and shaped:
                    problems.append(f"reason text of '{n}' cannot read {text!r} back")
    extra: Any = family.extra_names
    if extra is not None and not callable(extra):
        problems.append("extra_names must be a function of the ledger")
    elif extra is not None and default is None:
        problems.append("extra_names needs a default_reason for the extra columns")


def check_declarations(family: FeatureFamily) -> None:
    """Refuse ``family`` unless its declarations are complete and consistent.

    Its reason texts must be given in every language, write the value ``{v}`` with the
    same format in each, contain no reason separator (``;`` or ``；``), use full-width
    punctuation in Chinese (no ASCII ``:;,()?!`` in a zh template or label), say whether
    each value states a fact (:meth:`~arrearsrisk.features.texts.ReasonText.states_fact`)
    and read their own texts back (:meth:`~arrearsrisk.features.texts.ReasonText.parse`).

    Raises
    ------
    FeatureFamilyError
        Naming the family and every declaration that is missing or wrong.
    """
    if not isinstance(family, FeatureFamily):
        raise FeatureFamilyError(
            f"a feature family must be a FeatureFamily, got {type(family).__name__}",
            family=repr(family),
        )
    problems: list[str] = []
    if (
        not isinstance(family.name, str)
        or not family.name.strip()
        or family.name != family.name.strip()
    ):
        problems.append(f"name must be a non-empty str, got {family.name!r}")
    names = _check_names(family, problems)
    if not callable(family.build):
        problems.append("no builder: build must be build(snapshot, **context) -> {name: column}")
    if family.build_one is not None and not callable(family.build_one):
        problems.append(
            "build_one must be build_one(account, **context) -> {name: value}, got "
            f"{type(family.build_one).__name__}"
        )
    _check_needs(family, problems)
    _check_monotone(family, names, problems)
    _check_reasons(family, names, problems)
    if not isinstance(family.summary, str):
        problems.append(f"summary must be a str, got {type(family.summary).__name__}")
    if problems:
        raise _fail(family.name, problems)

"""Reason texts: how a feature and a customer's value of it read as a sentence.

Each family declares, next to its features, a ``reasons`` table keyed by feature name
or by *stem* (the name without its window, ``serious_late_bills_count`` for
``serious_late_bills_count_12m``), and :mod:`arrearsrisk.scoring.reasons` renders a
driver with the entry found by :func:`resolve`.  Every text is given in each of
:data:`~arrearsrisk.vocabulary.LANGS`; in templates ``{v}`` is the value and ``{w}``
the window in months.

>>> NumberText(zh_en("近{w}个月有{v:.0f}笔电费逾期", "{v:.0f} late bills in {w} months")).say(
...     "late_bills_count_12m", 7.0, "en")
'7 late bills in 12 months'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "NO_BILL",
    "CategoryText",
    "FlagText",
    "NameAndValue",
    "NumberText",
    "PatternText",
    "ReasonText",
    "Texts",
    "is_missing",
    "resolve",
    "zh_en",
]

Texts = Mapping[str, str]
"""One text per language: ``{"zh": ..., "en": ...}``."""

_WINDOW = re.compile(r"^(?P<stem>.+)_(?P<w>\d+)m$")
_UNKNOWN: Texts = {"zh": "未知", "en": " unknown"}


def zh_en(zh: str, en: str) -> dict[str, str]:
    """``{"zh": zh, "en": en}``: the texts of one sentence in both languages."""
    return {"zh": zh, "en": en}


NO_BILL = zh_en("近12个月没有电费记录", "no bills in the last 12 months")
"""What a missing value of a feature over the bills of 12 months means."""


def is_missing(value: object) -> bool:
    """A value that means "unknown": None, NaN or ``pd.NA``.

    >>> is_missing(float("nan")), is_missing(0.0), is_missing(None)
    (True, False, True)
    """
    return value is None or (isinstance(value, float) and bool(np.isnan(value))) or value is pd.NA


def _window(name: str) -> str:
    match = _WINDOW.match(name)
    return match["w"] if match else ""


class ReasonText:
    """Base of the reason texts: :meth:`say` renders one feature and its value."""

    by_stem = False
    """Whether the entry also serves windowed names of its stem (``kwh_mean_3m``)."""
    pattern: re.Pattern[str] | None = None
    """Names this entry serves whatever its key (e.g. every channel share)."""

    def say(self, name: str, value: object, lang: str) -> str:
        """Feature ``name`` with ``value`` as a sentence in ``lang``."""
        raise NotImplementedError

    def texts(self) -> Iterator[tuple[str, Texts]]:
        """``(what, texts by language)`` of every text, for the contract check."""
        return iter(())


@dataclass(frozen=True)
class NumberText(ReasonText):
    """A number: ``said`` with ``{v}`` and ``{w}``; ``missing`` (with ``{w}``, 12 when the
    name has no window) for NaN, by default the start of ``said`` + "unknown"."""

    said: Texts
    missing: Texts | None = None
    by_stem = True

    def say(self, name: str, value: object, lang: str) -> str:
        w = _window(name)
        if is_missing(value):
            if self.missing is not None:
                return self.missing[lang].format(w=w or 12)
            return (self.said[lang].split("{v")[0] + _UNKNOWN[lang]).format(w=w or 12)
        return self.said[lang].format(v=float(value), w=w)  # type: ignore[arg-type]

    def texts(self) -> Iterator[tuple[str, Texts]]:
        yield "said", self.said
        if self.missing is not None:
            yield "missing", self.missing


@dataclass(frozen=True)
class FlagText(ReasonText):
    """A yes/no flag (1.0 / 0.0 / NaN): a text for each state."""

    yes: Texts
    no: Texts
    unknown: Texts

    def say(self, name: str, value: object, lang: str) -> str:
        if is_missing(value):
            return self.unknown[lang]
        return (self.yes if float(value) == 1 else self.no)[lang]  # type: ignore[arg-type]

    def texts(self) -> Iterator[tuple[str, Texts]]:
        yield from (("yes", self.yes), ("no", self.no), ("unknown", self.unknown))


@dataclass(frozen=True)
class CategoryText(ReasonText):
    """A category: ``said`` with ``{v}``, the level as ``labels[lang]`` names it (or
    as it is); a missing level reads ``unknown[lang]`` in the languages given there and
    as the value itself in the others."""

    said: Texts
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    unknown: Mapping[str, str] = field(default_factory=dict)

    def say(self, name: str, value: object, lang: str) -> str:
        if is_missing(value) and lang in self.unknown:
            return self.said[lang].format(v=self.unknown[lang])
        labels = self.labels.get(lang)
        shown = labels.get(str(value), str(value)) if labels is not None else value
        return self.said[lang].format(v=shown)

    def texts(self) -> Iterator[tuple[str, Texts]]:
        yield "said", self.said


@dataclass(frozen=True)
class PatternText(ReasonText):
    """Names matching ``regex`` (with a group ``w``, the window, and others): ``said``
    with ``{v}``, ``{w}`` and the other groups as ``shown[lang][group]`` renders them;
    ``missing`` (with ``{w}``) for NaN."""

    regex: str
    said: Texts
    missing: Texts
    shown: Mapping[str, Mapping[str, Callable[[str], str]]] = field(default_factory=dict)
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile(self.regex))

    def say(self, name: str, value: object, lang: str) -> str:
        match = self.pattern.match(name)
        if match is None:
            raise KeyError(name)
        if is_missing(value):
            return self.missing[lang].format(w=match["w"])
        groups = {
            g: self.shown.get(lang, {}).get(g, str)(text)
            for g, text in match.groupdict().items()
            if g != "w"
        }
        return self.said[lang].format(v=float(value), w=match["w"], **groups)  # type: ignore[arg-type]

    def texts(self) -> Iterator[tuple[str, Texts]]:
        yield from (("said", self.said), ("missing", self.missing))


@dataclass(frozen=True)
class NameAndValue(ReasonText):
    """``name: value`` in every language: the text of a feature nobody wrote one for
    (e.g. the ledger's extra customer columns)."""

    def say(self, name: str, value: object, lang: str) -> str:
        return f"{name}: {value}"


def resolve(name: str, tables: Sequence[Mapping[str, ReasonText]]) -> ReasonText | None:
    """The entry for ``name`` in ``tables`` (searched in order): an entry keyed by the
    name itself, else one whose pattern matches it, else a number entry keyed by its
    stem; None if there is none.

    >>> table = {"kwh_mean": NumberText(zh_en("{v}", "{v} kWh"))}
    >>> resolve("kwh_mean_3m", [table]) is table["kwh_mean"], resolve("tenant", [table])
    (True, None)
    """
    for table in tables:
        if name in table:
            return table[name]
    for table in tables:
        for entry in table.values():
            if entry.pattern is not None and entry.pattern.match(name):
                return entry
    match = _WINDOW.match(name)
    if match:
        for table in tables:
            entry = table.get(match["stem"])  # type: ignore[assignment]
            if entry is not None and entry.by_stem:
                return entry
    return None

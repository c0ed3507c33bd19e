"""Reason texts: how a feature and a customer's value of it read as a sentence, and how
such a sentence reads back.

Each family declares, next to its features, a ``reasons`` table keyed by feature name
or by *stem* (the name without its window, ``serious_late_bills_count`` for
``serious_late_bills_count_12m``), and :mod:`arrearsrisk.scoring.reasons` renders a
driver with the entry found by :func:`resolve`.  Every text is given in each of
:data:`~arrearsrisk.vocabulary.LANGS`; in templates ``{v}`` is the value and ``{w}``
the window in months.

Each entry also says whether its text of a value states a fact
(:meth:`ReasonText.states_fact`: "no payment in the last 12 months" does, "whether the
payer owns the property is unknown" does not) and reads its own texts back
(:meth:`ReasonText.parse`), so that :class:`TextReader` can re-render a reason given in
one language in the other.

>>> late = NumberText(zh_en("近{w}个月有{v:.0f}笔电费逾期", "{v:.0f} late bills in {w} months"))
>>> late.say("late_bills_count_12m", 7.0, "en")
'7 late bills in 12 months'
>>> late.parse("late_bills_count_12m", "近12个月有7笔电费逾期", "zh")
[7.0]
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from arrearsrisk.vocabulary import LANGS

__all__ = [
    "NO_BILL",
    "CategoryText",
    "FlagText",
    "Form",
    "NameAndValue",
    "NumberText",
    "PatternText",
    "ReasonText",
    "TextReader",
    "Texts",
    "is_missing",
    "literals",
    "resolve",
    "value_formats",
    "zh_en",
]

Texts = Mapping[str, str]
"""One text per language: ``{"zh": ..., "en": ...}``."""

_WINDOW = re.compile(r"^(?P<stem>.+)_(?P<w>\d+)m$")
_UNKNOWN: Texts = {"zh": "未知", "en": "unknown"}
_PLACEHOLDER: Texts = {"zh": "？", "en": "?"}
"""What stands for the value in the default text of a missing number."""

_NUMBER = r"[-+]?(?:inf|nan|\d[\d,]*(?:\.\d*)?(?:e[-+]?\d+)?)"
_DIGITS = re.compile(r"[-+]?\d[\d,.]*")
_TOKEN = re.compile(r"[0-9A-Za-z_.\-]+")
_FORMATTER = string.Formatter()


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
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def literals(template: str) -> list[str]:
    """The fixed parts of a ``str.format`` template (the text between its fields).

    >>> literals("近{w}个月有{v:,.0f}笔（含退补）")
    ['近', '个月有', '笔（含退补）']
    """
    return [lit for lit, _, _, _ in _FORMATTER.parse(template) if lit]


def value_formats(template: str) -> list[str]:
    """The format specs of the template's ``{v}`` fields, in order.

    >>> value_formats("{v:.0%} of bills paid late in the last {w} months")
    ['.0%']
    """
    return [spec or "" for _, f, spec, _ in _FORMATTER.parse(template) if f == "v"]


def _window(name: str) -> str:
    match = _WINDOW.match(name)
    return match["w"] if match else ""


def _skeleton(text: str) -> str:
    """``text`` with every number as ``#``: texts of one template with different
    numbers share it (see :class:`TextReader`)."""
    return _DIGITS.sub("#", text)


def _number(spec: str) -> tuple[str, Callable[[str], float]]:
    """The regex of a number written with format ``spec`` and how to read it."""
    if spec.endswith("%"):
        return _NUMBER + "%", lambda s: float(s[:-1].replace(",", "")) / 100
    return _NUMBER, lambda s: float(s.replace(",", ""))


@dataclass(frozen=True)
class Form:
    """One shape of the texts of a feature in one language: a regex with the value
    (if any) in group ``v``.

    ``read`` turns the group into the value; without a group the value is ``fixed``.
    ``literal`` is the length of the fixed text (a longer one is more specific) and
    ``skeleton`` the text with its numbers as ``#`` (None: the value is a word).
    """

    regex: re.Pattern[str]
    read: Callable[[str], object] | None
    fixed: object
    literal: int
    skeleton: str | None

    def value(self, text: str) -> tuple[object] | None:
        """``(value,)`` if ``text`` has this shape, else None."""
        match = self.regex.fullmatch(text)
        if match is None:
            return None
        if self.read is None:
            return (self.fixed,)
        try:
            return (self.read(match["v"]),)
        except (ValueError, KeyError):
            return None


def _form(
    template: str,
    fields: Mapping[str, str],
    value: str | None,
    fixed: object = None,
    read: Callable[[str], object] | None = None,
) -> Form | None:
    """The :class:`Form` of ``template`` with its fields other than ``v`` set to
    ``fields``; ``value``: ``"number"``, ``"word"`` or None (no value: ``fixed``).
    None if the template needs a field not given."""
    regex, sample, literal = [], [], 0
    reader = read
    seen_v = False
    for lit, name, spec, _ in _FORMATTER.parse(template):
        regex.append(re.escape(lit))
        sample.append(lit)
        literal += len(lit)
        if name is None:
            continue
        if name == "v" and value is not None:
            if value == "word":
                pattern, reader = "(?P<v>.+?)" if not seen_v else "(?P=v)", read
                sample.append("\0")
            else:
                number, to_float = _number(spec or "")
                pattern = f"(?P<v>{number})" if not seen_v else "(?P=v)"
                reader = to_float
                sample.append(format(1.0, spec or ""))
            regex.append(pattern)
            seen_v = True
            continue
        if name not in fields:
            return None
        shown = format(fields[name], spec or "")
        regex.append(re.escape(shown))
        sample.append(shown)
        literal += len(shown)
    whole = "".join(sample)
    return Form(
        re.compile("".join(regex), re.DOTALL),
        reader if seen_v else None,
        fixed,
        literal,
        None if "\0" in whole else _skeleton(whole),
    )


def _without_value(template: str, placeholder: str) -> str:
    """``template`` with each ``{v}`` field replaced by ``placeholder``."""
    out = []
    for lit, name, spec, conv in _FORMATTER.parse(template):
        out.append(lit.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if name == "v":
            out.append(placeholder)
        else:
            out.append(
                "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
            )
    return "".join(out)


class ReasonText:
    """Base of the reason texts: :meth:`say` renders one feature and its value,
    :meth:`parse` reads such a text back, :meth:`states_fact` tells a fact from "the
    value is unknown"."""

    by_stem = False
    """Whether the entry also serves windowed names of its stem (``kwh_mean_3m``)."""
    pattern: re.Pattern[str] | None = None
    """Names this entry serves whatever its key (e.g. every channel share)."""

    def say(self, name: str, value: object, lang: str) -> str:
        """Feature ``name`` with ``value`` as a sentence in ``lang``."""
        raise NotImplementedError

    def states_fact(self, name: str, value: object) -> bool:
        """Whether the text of ``value`` states a fact about the customer (a reason
        worth showing), not only that the value is unknown.  By default: any value
        but a missing one."""
        return not is_missing(value)

    def texts(self) -> Iterator[tuple[str, Texts]]:
        """``(what, texts by language)`` of every text, for the contract check."""
        return iter(())

    def phrases(self) -> Iterator[tuple[str, str, str]]:
        """``(what, lang, text)`` of every fixed text (templates, labels), for the
        contract check of punctuation and separators."""
        for what, texts in self.texts():
            if isinstance(texts, Mapping):
                for lang, text in texts.items():
                    if isinstance(text, str):
                        yield what, lang, text

    def forms(self, name: str, lang: str) -> list[Form]:
        """The shapes of the texts of feature ``name`` in ``lang`` (none by default: a
        text nothing can read back is kept as it is)."""
        return []

    def parse(self, name: str, text: str, lang: str) -> list[object]:
        """The values of feature ``name`` whose text in ``lang`` is ``text`` (the value
        as the text shows it: rounded as the template rounds it); empty if ``text`` is
        not a text of ``name`` in ``lang``.

        >>> FlagText(zh_en("租户", "tenant"), zh_en("产权人", "owner"),
        ...          zh_en("未知", "unknown")).parse("tenant", "产权人", "zh")
        [0.0]
        """
        found: list[object] = []
        for form in self.forms(name, lang):
            got = form.value(text)
            if got is not None and self.say(name, got[0], lang) == text:
                found.append(got[0])
        return found


@dataclass(frozen=True)
class NumberText(ReasonText):
    """A number: ``said`` with ``{v}`` and ``{w}``.  For NaN (with ``{w}``, 12 when the
    name has no window): ``missing``, a fact ("no payment in the last 12 months"), or
    ``unknown``, only that the value is unknown ("supply voltage unknown"); with neither,
    ``said`` with ``？`` / ``?`` for the value (unknown too).  Give one of the two."""

    said: Texts
    missing: Texts | None = None
    unknown: Texts | None = None
    by_stem = True

    def _nan_template(self, lang: str) -> str:
        if self.missing is not None:
            return self.missing[lang]
        if self.unknown is not None:
            return self.unknown[lang]
        return _without_value(self.said[lang], _PLACEHOLDER[lang])

    def say(self, name: str, value: object, lang: str) -> str:
        w = _window(name)
        if is_missing(value):
            return self._nan_template(lang).format(w=w or 12)
        return self.said[lang].format(v=float(value), w=w)  # type: ignore[arg-type]

    def states_fact(self, name: str, value: object) -> bool:
        return not is_missing(value) or self.missing is not None

    def texts(self) -> Iterator[tuple[str, Texts]]:
        yield "said", self.said
        if self.missing is not None:
            yield "missing", self.missing
        if self.unknown is not None:
            yield "unknown", self.unknown

    def forms(self, name: str, lang: str) -> list[Form]:
        w = _window(name)
        found = [
            _form(self.said[lang], {"w": w}, "number"),
            _form(self._nan_template(lang), {"w": w or "12"}, None, fixed=float("nan")),
        ]
        return [f for f in found if f is not None]


@dataclass(frozen=True)
class FlagText(ReasonText):
    """A yes/no flag (1.0 / 0.0 / NaN): a text for each state (``unknown`` states no
    fact)."""

    yes: Texts
    no: Texts
    unknown: Texts

    def say(self, name: str, value: object, lang: str) -> str:
        if is_missing(value):
            return self.unknown[lang]
        return (self.yes if float(value) == 1 else self.no)[lang]  # type: ignore[arg-type]

    def texts(self) -> Iterator[tuple[str, Texts]]:
        yield from (("yes", self.yes), ("no", self.no), ("unknown", self.unknown))

    def forms(self, name: str, lang: str) -> list[Form]:
        states = ((self.yes, 1.0), (self.no, 0.0), (self.unknown, float("nan")))
        found = [
            _form(t[lang].replace("{", "{{").replace("}", "}}"), {}, None, v) for t, v in states
        ]
        return [f for f in found if f is not None]


@dataclass(frozen=True)
class CategoryText(ReasonText):
    """A category: ``said`` with ``{v}``, the level as ``labels[lang]`` names it (or
    as it is); a missing level reads ``unknown[lang]`` (default 未知 / unknown) and
    states no fact."""

    said: Texts
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    unknown: Mapping[str, str] = field(default_factory=dict)

    def _unknown(self, lang: str) -> str:
        return self.unknown.get(lang, _UNKNOWN[lang])

    def say(self, name: str, value: object, lang: str) -> str:
        if is_missing(value):
            return self.said[lang].format(v=self._unknown(lang))
        labels = self.labels.get(lang)
        shown = labels.get(str(value), str(value)) if labels is not None else value
        return self.said[lang].format(v=shown)

    def texts(self) -> Iterator[tuple[str, Texts]]:
        yield "said", self.said

    def phrases(self) -> Iterator[tuple[str, str, str]]:
        yield from super().phrases()
        for lang, labels in self.labels.items():
            for level, label in labels.items():
                yield f"label of '{level}'", lang, label
        for lang, text in self.unknown.items():
            yield "unknown", lang, text

    def _level(self, shown: str, lang: str) -> object:
        if shown == self._unknown(lang):
            return float("nan")
        labels = self.labels.get(lang)
        if labels is not None:
            for level, label in labels.items():
                if label == shown:
                    return level
            for token in _TOKEN.findall(shown):  # a level the labels do not list
                if labels.get(token) == shown:
                    return token
        return shown

    def forms(self, name: str, lang: str) -> list[Form]:
        form = _form(self.said[lang], {}, "word", read=lambda s: self._level(s, lang))
        return [form] if form is not None else []


@dataclass(frozen=True)
class PatternText(ReasonText):
    """Names matching ``regex`` (with a group ``w``, the window, and others): ``said``
    with ``{v}``, ``{w}`` and the other groups as ``shown[lang][group]`` renders them;
    ``missing`` (with ``{w}``, a fact) for NaN."""

    regex: str
    said: Texts
    missing: Texts
    shown: Mapping[str, Mapping[str, Callable[[str], str]]] = field(default_factory=dict)
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile(self.regex))

    def _groups(self, name: str, lang: str) -> tuple[str, dict[str, str]]:
        match = self.pattern.match(name)
        if match is None:
            raise KeyError(name)
        groups = {
            g: self.shown.get(lang, {}).get(g, str)(text)
            for g, text in match.groupdict().items()
            if g != "w"
        }
        return match["w"], groups

    def say(self, name: str, value: object, lang: str) -> str:
        w, groups = self._groups(name, lang)
        if is_missing(value):
            return self.missing[lang].format(w=w)
        return self.said[lang].format(v=float(value), w=w, **groups)  # type: ignore[arg-type]

    def states_fact(self, name: str, value: object) -> bool:
        return True

    def texts(self) -> Iterator[tuple[str, Texts]]:
        yield from (("said", self.said), ("missing", self.missing))

    def forms(self, name: str, lang: str) -> list[Form]:
        w, groups = self._groups(name, lang)
        found = [
            _form(self.said[lang], {"w": w, **groups}, "number"),
            _form(self.missing[lang], {"w": w}, None, fixed=float("nan")),
        ]
        return [f for f in found if f is not None]


@dataclass(frozen=True)
class NameAndValue(ReasonText):
    """``name: value`` in every language: the text of a feature nobody wrote one for
    (e.g. the ledger's extra customer columns); a missing value states no fact."""

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


_Shape = tuple[str, ReasonText, Form]


class TextReader:
    """Reads reasons rendered from the texts of ``entries`` (feature name and its
    entry) back, in either language, and re-renders them in another.

    A text is matched against the forms of every feature sharing its skeleton (its
    numbers as ``#``; forms with a word for the value are always tried, every form when
    none of those reads it); of the readings, the most specific (the longest fixed text)
    win, and the text is translated if they all give the same text in the language
    asked for.  A text no entry reads (a ``name: value`` text, a user's own) or read
    two ways is kept as it is.

    >>> reader = TextReader([("tenant", FlagText(zh_en("租户缴费", "the tenant pays"),
    ...     zh_en("产权人缴费", "the owner pays"), zh_en("未知", "unknown")))])
    >>> reader.translate("租户缴费", "en"), reader.translate("the owner pays", "zh")
    ('the tenant pays', '产权人缴费')
    >>> reader.translate("substation: S1", "zh")
    'substation: S1'
    """

    def __init__(self, entries: Iterable[tuple[str, ReasonText]]) -> None:
        self._by_skeleton: dict[str, dict[str, list[_Shape]]] = {lang: {} for lang in LANGS}
        self._words: dict[str, list[_Shape]] = {lang: [] for lang in LANGS}
        self._all: dict[str, list[_Shape]] = {lang: [] for lang in LANGS}
        self._done: dict[tuple[str, str], str] = {}
        for name, entry in entries:
            for lang in LANGS:
                try:
                    forms = entry.forms(name, lang)
                except (KeyError, ValueError, TypeError):  # a text it cannot shape
                    continue
                for form in forms:
                    shape = (name, entry, form)
                    self._all[lang].append(shape)
                    if form.skeleton is None:
                        self._words[lang].append(shape)
                    else:
                        self._by_skeleton[lang].setdefault(form.skeleton, []).append(shape)

    def _readings(
        self, shapes: Iterable[_Shape], text: str, lang: str
    ) -> list[tuple[int, str, ReasonText, object]]:
        out = []
        for name, entry, form in shapes:
            got = form.value(text)
            if got is not None and entry.say(name, got[0], lang) == text:
                out.append((form.literal, name, entry, got[0]))
        return out

    def read(self, text: str) -> list[tuple[str, str, ReasonText, object]]:
        """The most specific readings of ``text``: ``(lang, name, entry, value)``."""
        found: list[tuple[int, str, str, ReasonText, object]] = []
        skeleton = _skeleton(text)
        for lang in LANGS:
            shapes = [*self._by_skeleton[lang].get(skeleton, ()), *self._words[lang]]
            got = self._readings(shapes, text, lang)
            found += [(lit, lang, n, e, v) for lit, n, e, v in got]
        if not found:
            for lang in LANGS:
                got = self._readings(self._all[lang], text, lang)
                found += [(lit, lang, n, e, v) for lit, n, e, v in got]
        if not found:
            return []
        top = max(f[0] for f in found)
        return [(lang, n, e, v) for lit, lang, n, e, v in found if lit == top]

    def translate(self, text: str, lang: str) -> str:
        """``text`` in ``lang``: re-rendered if it reads one way, else as it is."""
        key = (text, lang)
        done = self._done.get(key)
        if done is not None:
            return done
        readings = self.read(text)
        out = text
        if readings and all(src != lang for src, _, _, _ in readings):
            said = {entry.say(name, value, lang) for _, name, entry, value in readings}
            if len(said) == 1:
                out = said.pop()
        if len(self._done) < 100_000:
            self._done[key] = out
        return out

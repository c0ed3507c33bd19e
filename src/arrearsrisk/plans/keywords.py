"""What a ``reasons_any`` keyword of a policy can match: the words of the reasons.

A customer's reasons are sentences rendered from the reason texts of the registered
feature families (:mod:`arrearsrisk.features`), in Chinese or English.  A keyword that
no such sentence can contain would make its condition silently never hold, so the
policy refuses it (:class:`~arrearsrisk.plans.conditions.KeywordsCondition`).  What a
keyword may match, compared case-folded:

* the fixed words of every reason template (the text between its ``{...}`` fields), in
  every language;
* the sentences rendered for every declared feature (so channel names, windows and
  labels count);
* the labels of categories (:class:`~arrearsrisk.features.texts.CategoryText`) and
  the feature names themselves;
* a keyword of only digits, spaces and punctuation (a figure of a reason).

A keyword that looks like a column name (letters, digits, ``_``) and matches none of
these may name an extra customer column, whose reason reads ``name: value``; it is
checked against the ledger when planning (:mod:`arrearsrisk.plans.safety`).

Examples
--------
>>> matches_reasons("late"), matches_reasons("逾期"), matches_reasons("ARREARS")
(True, True, True)
>>> matches_reasons("bankrupt"), matches_reasons("破产")
(False, False)
"""

from __future__ import annotations

import functools
import string
import unicodedata

from arrearsrisk.vocabulary import LANGS

__all__ = ["matches_reasons", "reason_words"]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _literals(template: str) -> list[str]:
    """The fixed parts of a ``str.format`` template."""
    try:
        return [lit for lit, _, _, _ in string.Formatter().parse(template) if lit.strip()]
    except ValueError:
        return [template]


@functools.lru_cache(maxsize=8)
def _words(generation: int) -> tuple[str, ...]:
    from arrearsrisk.features.registry import families, reason_text

    found: set[str] = set()
    for family in families():
        found.update(_fold(n) for n in family.names)
        entries = [*family.reasons.values()]
        if family.default_reason is not None:
            entries.append(family.default_reason)
        for entry in entries:
            for _, texts in entry.texts():
                for template in texts.values():
                    found.update(_fold(lit) for lit in _literals(template))
            for labels in getattr(entry, "labels", {}).values():
                found.update(_fold(str(v)) for v in labels.values())
        for name in family.names:
            entry = reason_text(name)
            for lang in LANGS:
                for value in (1.0, float("nan")):
                    try:
                        found.add(_fold(entry.say(name, value, lang)))
                    except (KeyError, ValueError, TypeError):  # a text needing other values
                        continue
    return tuple(sorted(found))


def reason_words() -> tuple[str, ...]:
    """The case-folded texts a keyword is searched in (see the module docstring)."""
    from arrearsrisk.features.registry import families

    return _words(hash(tuple(f.name for f in families())))


def matches_reasons(keyword: str) -> bool:
    """Whether a reason of the registered feature families can contain ``keyword``.

    Parameters
    ----------
    keyword : str
        A word of a ``reasons_any`` condition (compared case-folded, full-width
        characters as their ASCII forms).
    """
    word = _fold(keyword.strip())
    if not word:
        return False
    if all(not c.isalpha() for c in word):
        return True
    return any(word in text for text in reason_words())

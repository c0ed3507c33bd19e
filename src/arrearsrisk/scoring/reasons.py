"""Readable reasons: a customer's top risk drivers as text, in Chinese or English.

The drivers are the features with the largest positive contributions (LightGBM's
per-feature SHAP values, log-odds of Grade I) for that customer; each is rendered
with the customer's own value, e.g. ``近12个月有7笔电费逾期超过30天`` /
``7 bills paid more than 30 days late in the last 12 months``.  A driver whose value is
missing and whose text only says so (``缴费人是否产权人未知``) is no reason: the next
driver takes its place.

Each feature family declares the texts of its features next to them (see
:mod:`arrearsrisk.features.texts`), keyed by feature name or stem
(``serious_late_bills_count`` for ``serious_late_bills_count_12m``); this module finds
them through the registry of families.  Extra customer attributes without a text read
``name: value``.  :func:`translate_reasons` reads reasons rendered in either language
back and renders them in the other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.features.registry import families, reason_text
from arrearsrisk.features.texts import TextReader
from arrearsrisk.vocabulary import check_lang, join_items, split_items

__all__ = ["describe", "top_reasons", "translate_reasons"]


def describe(name: str, value: object, lang: str = "zh") -> str:
    """One feature and its value as a sentence.

    Examples
    --------
    >>> describe("serious_late_bills_count_12m", 7.0, "en")
    '7 bills paid more than 30 days late in the last 12 months'
    >>> describe("serious_late_bills_count_12m", 7.0)
    '近12个月有7笔电费逾期超过30天'
    >>> describe("tenant", 1.0, "en")
    'the payer is a tenant, not the owner'
    >>> describe("paid_in_window_share_12m", float("nan"), "en")
    'no payment in the last 12 months'
    >>> describe("substation", "S1", "en")
    'substation: S1'
    """
    return reason_text(name).say(name, value, check_lang(lang))


def top_reasons(
    contributions: np.ndarray,
    features: pd.DataFrame | Mapping[str, Any],
    names: tuple[str, ...] | list[str],
    lang: str = "zh",
    top: int = 3,
    rows: np.ndarray | None = None,
) -> list[str]:
    """The ``top`` features raising each row's risk most, as text joined by ``"；"`` /
    ``"; "`` (:func:`~arrearsrisk.vocabulary.join_items`).

    A feature whose text states no fact (its value is missing and the text says only
    that it is unknown, :meth:`~arrearsrisk.features.texts.ReasonText.states_fact`) is
    passed over for the next one raising the risk.

    Parameters
    ----------
    contributions : numpy.ndarray
        ``(n, len(names) + 1)`` contributions (the last column, the expected value, is
        ignored).
    features : pandas.DataFrame or mapping of name to column
        Holding the ``names`` columns (their values are quoted): the same ``n`` rows,
        or more rows of which ``rows`` picks the ``n``.
    names : sequence of str
        Feature names in the contributions' column order.
    lang : {"zh", "en"}
    top : int
    rows : numpy.ndarray, optional
        Positions in ``features`` of the ``n`` rows of ``contributions``.

    Returns
    -------
    list of str
        One string per row; empty when no feature raises the risk.
    """
    check_lang(lang)
    contrib = contributions[:, : len(names)]
    out = [""] * contrib.shape[0]
    if top <= 0 or contrib.shape[1] == 0:
        return out
    order = np.argsort(-contrib, axis=1, kind="stable")
    columns: dict[str, np.ndarray] = {}
    entries = {}

    def value(n: str, row: int) -> object:
        column = columns.get(n)
        if column is None:
            column = np.asarray(features[n], dtype=object)
            columns[n] = column if rows is None else column[rows]
            column = columns[n]
            entries[n] = reason_text(n)
        return column[row]

    for row in range(len(order)):
        parts: list[str] = []
        for j in order[row]:
            if contrib[row, j] <= 0 or len(parts) == top:
                break
            n = names[j]
            v = value(n, row)
            if entries[n].states_fact(n, v):
                parts.append(entries[n].say(n, v, lang))
        out[row] = join_items(parts, lang)
    return out


_reader_lock = threading.Lock()
_reader: tuple[object, TextReader] | None = None


def _text_reader() -> TextReader:
    """The reader of the registered families' texts (rebuilt when the registry changes)."""
    global _reader
    registered = families()
    with _reader_lock:
        if _reader is None or _reader[0] is not registered:
            names = dict.fromkeys(n for family in registered for n in family.names)
            _reader = (registered, TextReader((n, reason_text(n)) for n in names))
        return _reader[1]


def translate_reasons(reasons: str | Iterable[str] | None, lang: str) -> list[str]:
    """Reasons rendered in either language, re-rendered in ``lang``.

    Each reason is read back to its feature and value (the inverse of
    :func:`describe`) and said again in ``lang``; a reason nothing reads back (an extra
    column's ``name: value``, a text of one's own) is kept as it is.

    Parameters
    ----------
    reasons : str or iterable of str or None
        One text joined by ``"；"`` / ``"; "`` (a scores' ``reasons`` cell), or the
        reasons one by one; None or NaN: no reasons.
    lang : {"zh", "en"}

    Returns
    -------
    list of str
        The reasons in ``lang``, in the same order.

    Examples
    --------
    >>> translate_reasons("近12个月有7笔电费逾期超过30天；缴费人是否产权人未知", "en")
    ... # doctest: +NORMALIZE_WHITESPACE
    ['7 bills paid more than 30 days late in the last 12 months',
     'unknown whether the payer owns the property']
    >>> translate_reasons(["CNY 1,250 overdue and unpaid", "substation: S1"], "zh")
    ['当前欠费1,250元', 'substation: S1']
    """
    check_lang(lang)
    if reasons is None or (isinstance(reasons, float) and np.isnan(reasons)):
        return []
    items = split_items(reasons) if isinstance(reasons, str) else [str(r) for r in reasons]
    reader = _text_reader()
    return [reader.translate(item, lang) for item in items]

"""Readable reasons: a customer's top risk drivers as text, in Chinese or English.

The drivers are the features with the largest positive contributions (LightGBM's
per-feature SHAP values, log-odds of Grade I) for that customer; each is rendered
with the customer's own value, e.g. ``近12个月有7笔电费逾期超过30天`` /
``7 bills paid more than 30 days late in the last 12 months``.

Each feature family declares the texts of its features next to them (see
:mod:`arrearsrisk.features.texts`), keyed by feature name or stem
(``serious_late_bills_count`` for ``serious_late_bills_count_12m``); this module finds
them through the registry of families.  Extra customer attributes without a text read
``name: value``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.features.registry import reason_text
from arrearsrisk.vocabulary import check_lang, join_items

__all__ = ["describe", "top_reasons"]


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
    k = min(top, contrib.shape[1])
    order = np.argsort(-contrib, axis=1, kind="stable")[:, :k]
    values = {}
    for n in set(np.asarray(names)[order].ravel()):
        column = np.asarray(features[n], dtype=object)
        values[n] = column if rows is None else column[rows]
    out = []
    for row in range(len(order)):
        parts = [
            describe(names[j], values[names[j]][row], lang)
            for j in order[row]
            if contrib[row, j] > 0
        ]
        out.append(join_items(parts, lang))
    return out

"""The words every stage shares, each defined once: grades, languages, separators,
yes/no spellings, the month length, the feature windows and the grading rule.

Nothing here imports another arrearsrisk module but :mod:`arrearsrisk.errors`, so every
stage can use it.

Examples
--------
>>> from arrearsrisk.vocabulary import GRADES, LANGS, join_items, grade_codes
>>> GRADES, LANGS
(('I', 'II', 'III'), ('zh', 'en'))
>>> join_items(["逾期3笔", "欠费1,200元"], "zh")
'逾期3笔；欠费1,200元'
>>> grade_codes([0.7, 0.2, 0.05], [0.9, 0.6, 0.1], 0.5, 0.5).tolist()
[0, 1, 2]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from arrearsrisk.errors import ArrearsRiskError

__all__ = [
    "DAYS_PER_MONTH",
    "FALSE_WORDS",
    "GRADES",
    "GRADE_DTYPE",
    "GRADE_RULE",
    "ITEM_SEPARATORS",
    "LANGS",
    "SERIOUS_LATE_DAYS",
    "TRUE_WORDS",
    "WINDOWS",
    "check_lang",
    "grade_codes",
    "join_items",
    "split_items",
]

GRADES: Final[tuple[str, ...]] = ("I", "II", "III")
"""Risk grades, highest risk first (CONTRACT: Grade I is the most serious)."""

GRADE_DTYPE: Final = pd.CategoricalDtype(list(GRADES))
"""The ordered-by-severity categorical dtype of a ``grade`` column."""

LANGS: Final[tuple[str, ...]] = ("zh", "en")
"""Languages of everything a manager reads; Chinese is the default."""

ITEM_SEPARATORS: Final[dict[str, str]] = {"zh": "；", "en": "; "}
"""How a list of reasons or conditions is joined in running text, by language."""

TRUE_WORDS: Final[frozenset[str]] = frozenset({"true", "t", "yes", "y", "1", "1.0", "是"})
"""Spellings of yes in a flag column (compared lower-cased, stripped)."""

FALSE_WORDS: Final[frozenset[str]] = frozenset({"false", "f", "no", "n", "0", "0.0", "否"})
"""Spellings of no in a flag column (compared lower-cased, stripped)."""

DAYS_PER_MONTH: Final[float] = 365.25 / 12
"""The average month, to turn day counts into months (tenure, plan review dates)."""

WINDOWS: Final[tuple[int, ...]] = (3, 6, 12, 24)
"""Look-back windows of the windowed features, in months."""

SERIOUS_LATE_DAYS: Final[int] = 30
"""A bill paid (or still open) more than this many days after its due date is
seriously late."""

GRADE_RULE: Final[str] = "I if p_I >= cutoff_I, else II if p_I + p_II >= cutoff_I_II, else III"
"""The grading rule, in words (as recorded with every model); on top of it, a customer
with an A-level warning is Grade I (:func:`grade_codes` with ``warned``)."""


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGS`, else an :class:`ArrearsRiskError`.

    >>> check_lang("en")
    'en'
    """
    if lang not in LANGS:
        raise ArrearsRiskError(f"lang must be one of {list(LANGS)}, got {lang!r}.")
    return lang


def join_items(items: Iterable[str], lang: str) -> str:
    """Join reasons or conditions with the separator of ``lang``."""
    return ITEM_SEPARATORS[check_lang(lang)].join(items)


def split_items(text: str) -> list[str]:
    """The items of a text joined by :func:`join_items`, in either language.

    >>> split_items("逾期3笔；欠费1,200元; late 3 times")
    ['逾期3笔', '欠费1,200元', 'late 3 times']
    """
    parts = text.replace(ITEM_SEPARATORS["zh"], ITEM_SEPARATORS["en"]).split(";")
    return [p.strip() for p in parts if p.strip()]


def grade_codes(
    p_I: ArrayLike,
    p_I_II: ArrayLike,
    cutoff_I: float,
    cutoff_I_II: float,
    warned: ArrayLike | None = None,
) -> np.ndarray:
    """Grade codes (0 = I, 1 = II, 2 = III) by :data:`GRADE_RULE`.

    Parameters
    ----------
    p_I, p_I_II : array-like
        ``P(I)`` and ``P(I or II)`` of each customer.
    cutoff_I, cutoff_I_II : float
        The grade cut-offs.
    warned : array-like of bool, optional
        Customers with an A-level warning: Grade I whatever their probabilities.
    """
    p1 = np.asarray(p_I, dtype=np.float64)
    p12 = np.asarray(p_I_II, dtype=np.float64)
    codes = np.where(p1 >= cutoff_I, 0, np.where(p12 >= cutoff_I_II, 1, 2))
    if warned is not None:
        codes[np.asarray(warned, dtype=bool)] = 0
    return codes

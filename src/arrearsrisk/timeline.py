"""Time as an explicit argument: ``as_of`` dates, day numbers and calendar months.

Dates are handled internally as integer day numbers (days since 1970-01-01) and
billing periods as month numbers (``year * 12 + month - 1``), so that windows are
integer comparisons.  Calendar-month offsets follow ``pandas.DateOffset(months=n)``
(the day is clipped to the end of a shorter month).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError

__all__ = [
    "add_months",
    "dates_to_days",
    "day_number",
    "month_number",
    "parse_as_of",
    "period_numbers",
]

_EPOCH = pd.Timestamp("1970-01-01")
_DAY_NS = 86_400 * 10**9

AsOf = str | dt.date | pd.Timestamp | np.datetime64 | pd.Period


_MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_PARTIAL_RE = re.compile(r"^\d{4}([-/.]\d{1,2})?$")
_BAD_DATE = "as_of {!r} is not a date; pass e.g. '2024-06-30'."


def parse_as_of(as_of: AsOf) -> pd.Timestamp:
    """Return ``as_of`` as a midnight ``Timestamp``, or raise a clear error.

    A full date (ISO 8601 text, ``datetime.date``, ``Timestamp``, day-unit
    ``numpy.datetime64``) is that day.  A month, written ``YYYY-MM`` (or a monthly
    ``pandas.Period`` or a month-unit ``numpy.datetime64``), means **the last day of
    that month**: the month-end cutoffs of :func:`arrearsrisk.monthly_cutoffs`.  Any
    other partial date (``"2024"``, ``"2024-6"``), a number (``20240630`` would
    otherwise be read as nanoseconds), a time of day or a time zone is refused with
    :class:`~arrearsrisk.errors.ArrearsRiskError`.

    Examples
    --------
    >>> parse_as_of("2024-06-30")
    Timestamp('2024-06-30 00:00:00')
    >>> parse_as_of("2024-02")
    Timestamp('2024-02-29 00:00:00')
    >>> parse_as_of("June")
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.ArrearsRiskError: as_of 'June' is not a date; pass e.g. '2024-06-30'.
    >>> parse_as_of(20240630)
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.ArrearsRiskError: as_of 20240630 is a number, not a date.
      hint: pass the date as text, e.g. '2024-06-30'.
    """
    if type(as_of) is pd.Timestamp and as_of.tzinfo is None and as_of.value % _DAY_NS == 0:
        return as_of  # already a plain date (the calls of one account's scoring)
    if isinstance(as_of, bool | int | float | np.number):
        raise ArrearsRiskError(
            f"as_of {as_of!r} is a number, not a date.\n"
            "  hint: pass the date as text, e.g. '2024-06-30'."
        )
    if isinstance(as_of, pd.Period):
        if as_of.freqstr not in ("M", "D"):
            raise ArrearsRiskError(
                f"as_of {as_of!r} is a period of {as_of.freqstr}, not a day or a month.\n"
                "  hint: pass a date, e.g. '2024-06-30', or a month, e.g. '2024-06'."
            )
        return pd.Timestamp(as_of.end_time.date())
    if isinstance(as_of, np.datetime64):
        unit = np.datetime_data(as_of.dtype)[0]
        if unit == "M":
            as_of = str(as_of)
        elif unit == "Y":
            raise ArrearsRiskError(
                f"as_of {as_of!r} is a year, not a date.\n"
                "  hint: pass a date, e.g. '2024-06-30', or a month, e.g. '2024-06'."
            )
    if isinstance(as_of, str):
        return _parse_text(as_of)
    return _parse(as_of)


@lru_cache(maxsize=256)
def _parse_text(as_of: str) -> pd.Timestamp:
    """:func:`parse_as_of` of a text (parsing ISO text with pandas costs more than
    scoring one account: each text is parsed once)."""
    return _parse(as_of)


def _parse(as_of: str | dt.date | pd.Timestamp | np.datetime64) -> pd.Timestamp:
    if isinstance(as_of, str):
        text = as_of.strip()
        if _MONTH_RE.match(text):
            return pd.Timestamp(text + "-01") + pd.offsets.MonthEnd(0)
        if _PARTIAL_RE.match(text):
            raise ArrearsRiskError(
                f"as_of {as_of!r} is not a whole date.\n"
                "  hint: pass a day, e.g. '2024-06-30', or a month as YYYY-MM (its last day)."
            )
    try:
        ts = (
            pd.to_datetime(as_of, format="ISO8601")
            if isinstance(as_of, str)
            else pd.Timestamp(as_of)
        )
    except (ValueError, TypeError, OverflowError):
        raise ArrearsRiskError(_BAD_DATE.format(as_of)) from None
    if ts is pd.NaT or pd.isna(ts):
        raise ArrearsRiskError(_BAD_DATE.format(as_of))
    if ts.tz is not None:
        raise ArrearsRiskError(f"as_of {as_of!r} has a time zone; pass a plain date.")
    if ts != ts.normalize():
        raise ArrearsRiskError(f"as_of {as_of!r} has a time of day; pass a plain date.")
    return ts


def day_number(ts: pd.Timestamp) -> int:
    """Days since 1970-01-01 of a date.

    >>> day_number(pd.Timestamp("1970-01-11"))
    10
    """
    return (ts - _EPOCH).days


def add_months(ts: pd.Timestamp, months: int) -> pd.Timestamp:
    """``ts + DateOffset(months=months)``.

    >>> add_months(pd.Timestamp("2024-01-31"), 1)
    Timestamp('2024-02-29 00:00:00')
    """
    return ts + pd.DateOffset(months=months)


def month_number(ts: pd.Timestamp) -> int:
    """Month number ``year * 12 + month - 1`` of a date.

    >>> month_number(pd.Timestamp("2024-03-15")) - month_number(pd.Timestamp("2023-12-01"))
    3
    """
    return ts.year * 12 + ts.month - 1


def dates_to_days(values: pd.Series) -> np.ndarray:
    """Day numbers (int32) of a ``datetime64`` column; missing dates give ``INT32_MIN``."""
    arr = values.to_numpy(dtype="datetime64[D]")
    out = arr.astype(np.int64)
    out[np.isnat(arr)] = np.iinfo(np.int32).min
    return out.astype(np.int32)


def period_numbers(periods: pd.Series) -> np.ndarray:
    """Month numbers (int32) of ``YYYY-MM`` strings.

    >>> period_numbers(pd.Series(["2024-01", "2023-12"])).tolist()
    [24288, 24287]
    """
    text = periods.astype("str")
    year = pd.to_numeric(text.str.slice(0, 4)).to_numpy(dtype=np.int32)
    month = pd.to_numeric(text.str.slice(5, 7)).to_numpy(dtype=np.int32)
    return year * 12 + month - 1

"""Time as an explicit argument: ``as_of`` dates, day numbers and calendar months.

Dates are handled internally as integer day numbers (days since 1970-01-01) and
billing periods as month numbers (``year * 12 + month - 1``), so that windows are
integer comparisons.  Calendar-month offsets follow ``pandas.DateOffset(months=n)``
(the day is clipped to the end of a shorter month).
"""

from __future__ import annotations

import datetime as dt

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

AsOf = str | dt.date | pd.Timestamp | np.datetime64


def parse_as_of(as_of: AsOf) -> pd.Timestamp:
    """Return ``as_of`` as a midnight ``Timestamp``, or raise a clear error.

    Examples
    --------
    >>> parse_as_of("2024-06-30")
    Timestamp('2024-06-30 00:00:00')
    >>> parse_as_of("June")
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.ArrearsRiskError: as_of 'June' is not a date; pass e.g. '2024-06-30'.
    """
    try:
        ts = (
            pd.to_datetime(as_of, format="ISO8601")
            if isinstance(as_of, str)
            else pd.Timestamp(as_of)
        )
    except (ValueError, TypeError):
        raise ArrearsRiskError(f"as_of {as_of!r} is not a date; pass e.g. '2024-06-30'.") from None
    if ts is pd.NaT or pd.isna(ts):
        raise ArrearsRiskError(f"as_of {as_of!r} is not a date; pass e.g. '2024-06-30'.")
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

"""The calendar of the simulated billing periods.

:class:`_Calendar` turns period indexes (0 = the first simulated month) into day
numbers (days since 1970-01-01): month starts, fixed days of a year, the end of the
extract, and the period labels ``YYYY-MM``.  (Named ``periods`` rather than
``calendar`` so that it never shadows the standard library module.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class _Calendar:
    """Day numbers (days since 1970-01-01) of the month starts of the simulation."""

    months: int
    first_month: np.datetime64  # datetime64[M] of period 0
    month_start: np.ndarray  # int64, months + 3 entries: period k starts at [k]

    @classmethod
    def make(cls, start: str, months: int) -> _Calendar:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}", str(start)):
                raise ValueError(start)
            m0 = np.datetime64(start, "M")
        except ValueError as err:
            raise ValueError(f"start must be a month 'YYYY-MM', got {start!r}") from err
        starts = (m0 + np.arange(months + 3)).astype("datetime64[D]").astype(np.int64)
        return cls(months=months, first_month=m0, month_start=starts)

    def calendar_month(self, k: int) -> int:
        """Calendar month (0 = January) of period ``k``."""
        return int((self.first_month + k).astype(np.int64) % 12)

    def day(self, k: int, month: int, day: int) -> int:
        """Day number of ``day`` of calendar ``month`` (1-12) in the year of period ``k``."""
        year = (self.first_month + k).astype("datetime64[Y]")
        first = (year.astype("datetime64[M]") + (month - 1)).astype("datetime64[D]")
        return int(first.astype(np.int64)) + day - 1

    @property
    def extract_end(self) -> int:
        """Last day in the data: end of the month the last bill is issued in."""
        return int(self.month_start[self.months + 1]) - 1

    def period_labels(self) -> list[str]:
        return [str(self.first_month + k) for k in range(self.months)]

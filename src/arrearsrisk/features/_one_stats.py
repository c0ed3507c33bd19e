"""NaN-aware statistics of one account's grid row, as plain Python: the one-account twins
of :mod:`arrearsrisk.features._stats`.

A row is a list of floats, NaN where the cell is unknown.  Sums add the cells in
numpy's own order (:func:`pairwise_sum`), so that a mean, and a sign decided on it
(``ratio`` needs a positive denominator), come out as in the batch to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["count_known", "mean_known", "pairwise_sum", "ratio", "std_known"]

NAN = math.nan

_BLOCK = 128
"""numpy's ``PW_BLOCKSIZE``: rows up to this long are summed with 8 accumulators."""


def ratio(num: float, den: float) -> float:
    """``num / den`` where ``den > 0``, NaN elsewhere (a NaN ``den`` included), as
    :func:`arrearsrisk.features._stats.ratio`.

    >>> ratio(1.0, 2.0), ratio(1.0, 0.0), ratio(1.0, -2.0), ratio(1.0, NAN), ratio(NAN, 2.0)
    (0.5, nan, nan, nan, nan)
    """
    return num / den if den > 0 else NAN


def pairwise_sum(values: Sequence[float]) -> float:
    """The sum of ``values`` in the order numpy sums a row (``np.sum(row)``): one by
    one below 8 values; up to 128, eight running sums (values ``i``, ``i + 8``, ...)
    combined as a tree, then the remainder one by one; longer rows halved.

    >>> import numpy as np
    >>> row = [0.1 * k for k in range(1, 13)] + [1e16, -1e16, 0.3]
    >>> pairwise_sum(row) == float(np.sum(np.array(row)))
    True
    >>> pairwise_sum(row[:3]) == (0.1 + 0.2) + 0.30000000000000004
    True
    >>> pairwise_sum([])
    0.0
    """
    n = len(values)
    if n < 8:
        out = 0.0
        for v in values:
            out += v
        return out
    if n <= _BLOCK:
        r0, r1, r2, r3, r4, r5, r6, r7 = values[:8]
        end = n - n % 8
        for i in range(8, end, 8):
            r0 += values[i]
            r1 += values[i + 1]
            r2 += values[i + 2]
            r3 += values[i + 3]
            r4 += values[i + 4]
            r5 += values[i + 5]
            r6 += values[i + 6]
            r7 += values[i + 7]
        out = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for i in range(end, n):
            out += values[i]
        return out
    half = n // 2
    half -= half % 8
    return pairwise_sum(values[:half]) + pairwise_sum(values[half:])


def count_known(values: Sequence[float]) -> int:
    """Known (non-NaN) cells.

    >>> count_known([1.0, NAN, 0.0])
    2
    """
    n = 0
    for v in values:
        if v == v:
            n += 1
    return n


def mean_known(values: Sequence[float]) -> tuple[float, int]:
    """Mean of the known cells (NaN when none) and their count, as
    :func:`~arrearsrisk.features._stats.row_mean` (``nansum`` adds the unknown cells as 0).

    >>> mean_known([1.0, NAN, 4.0]), mean_known([NAN, NAN])
    ((2.5, 2), (nan, 0))
    """
    n = 0
    zeros = []
    for v in values:
        if v == v:
            n += 1
            zeros.append(v)
        else:
            zeros.append(0.0)
    if not n:
        return NAN, 0
    return pairwise_sum(zeros) / n, n


def std_known(values: Sequence[float], mean: float, n: int) -> float:
    """Population standard deviation of the known cells, given their ``mean`` and
    count ``n`` (from :func:`mean_known`); NaN when none, as
    :func:`~arrearsrisk.features._stats.row_std`.

    >>> std_known([1.0, NAN, 3.0], 2.0, 2), std_known([NAN], NAN, 0)
    (1.0, nan)
    """
    if not n:
        return NAN
    squares = []
    for v in values:
        if v == v:
            d = v - mean
            squares.append(d * d)
        else:
            squares.append(0.0)
    return math.sqrt(pairwise_sum(squares) / n)

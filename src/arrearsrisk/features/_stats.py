"""NaN-aware row statistics on customer-by-month grids, without warnings on empty rows."""

from __future__ import annotations

import numpy as np

__all__ = ["ratio", "row_count", "row_mean", "row_std"]


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den > 0``, NaN elsewhere.

    >>> ratio(np.array([1.0, 1.0]), np.array([2.0, 0.0])).tolist()
    [0.5, nan]
    """
    out = np.full(np.shape(num), np.nan)
    ok = den > 0
    np.divide(num, den, out=out, where=ok)
    return out


def row_count(grid: np.ndarray) -> np.ndarray:
    """Known (non-NaN) cells per row."""
    return (~np.isnan(grid)).sum(axis=1).astype(np.float64)


def row_mean(grid: np.ndarray) -> np.ndarray:
    """Mean of known cells per row; NaN for an empty row.

    >>> row_mean(np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]])).tolist()
    [2.0, nan]
    """
    n = row_count(grid)
    total = np.nansum(grid, axis=1)
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def row_std(grid: np.ndarray) -> np.ndarray:
    """Population standard deviation of known cells per row; NaN for an empty row."""
    mean = row_mean(grid)
    dev = np.nansum((grid - mean[:, None]) ** 2, axis=1)
    n = row_count(grid)
    return np.where(n > 0, np.sqrt(dev / np.maximum(n, 1)), np.nan)

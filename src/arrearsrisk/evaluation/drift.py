"""Drift: how far a population has moved from the one a model was trained on.

:func:`population_stability` measures it as a PSI and :func:`psi_verdict` reads the
number against :data:`PSI_STABLE` and :data:`PSI_SHIFT`.

Examples
--------
>>> psi_verdict(population_stability(range(100), range(100)))
'stable'
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.evaluation.checks import score_vector, whole

__all__ = ["PSI_EPSILON", "PSI_SHIFT", "PSI_STABLE", "population_stability", "psi_verdict"]

PSI_STABLE = 0.1
"""PSI below this: the population is stable."""

PSI_SHIFT = 0.25
"""PSI from :data:`PSI_STABLE` up to this: a minor shift; from this up: a major shift."""

PSI_EPSILON = 1e-4
"""Floor on a bin's share in :func:`population_stability`, so empty bins stay finite."""


def population_stability(
    expected: ArrayLike, actual: ArrayLike, bins: int = 10, *, eps: float = PSI_EPSILON
) -> float:
    """Population stability index of ``actual`` against ``expected``.

    .. math::

        \\mathrm{PSI} = \\sum_i (a_i - e_i) \\ln(a_i / e_i)

    where ``e_i`` and ``a_i`` are the shares of ``expected`` and ``actual`` in bin
    ``i``.  The bins are cut at the ``1/bins, 2/bins, ...`` quantiles of ``expected``
    (repeated quantiles merged), right-closed, the outer ones open to ±infinity so
    every value of ``actual`` lands in one.  A share below ``eps`` is raised to
    ``eps`` (not renormalised), so an empty bin adds a large but finite term.

    Parameters
    ----------
    expected, actual : array-like of float
        The reference sample (e.g. training scores) and the one to compare.
    bins : int, default 10
        Number of quantile bins of ``expected``.
    eps : float, default 1e-4
        Floor on a bin's share.

    Returns
    -------
    float
        0 for identical distributions; see :func:`psi_verdict` to read it.

    Examples
    --------
    Half of ``expected`` falls at or below its median 4.5; 80 % of ``actual`` does:

    >>> import math
    >>> psi = population_stability(range(10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] + [0, 1, 2] * 5,
    ...                            bins=2)
    >>> round(psi, 6) == round(0.3 * math.log(1.6) + 0.3 * math.log(2.5), 6)
    True
    """
    e = score_vector(expected, "expected")
    a = score_vector(actual, "actual")
    n_bins = whole(bins, "bins")
    if not 0 < eps < 1:
        raise ArrearsRiskError(f"eps must be in (0, 1); got {eps!r}.")
    inner = np.unique(np.quantile(e, np.linspace(0, 1, n_bins + 1)[1:-1]))
    # side="left": a value equal to a cut point goes to the bin below, (q_{i-1}, q_i].
    e_share = np.bincount(np.searchsorted(inner, e), minlength=len(inner) + 1) / len(e)
    a_share = np.bincount(np.searchsorted(inner, a), minlength=len(inner) + 1) / len(a)
    e_share, a_share = np.maximum(e_share, eps), np.maximum(a_share, eps)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))


def psi_verdict(value: float) -> str:
    """Read a PSI: ``"stable"`` below :data:`PSI_STABLE` (0.1), ``"minor shift"`` below
    :data:`PSI_SHIFT` (0.25), else ``"major shift"``.

    >>> psi_verdict(0.05), psi_verdict(0.1), psi_verdict(0.3)
    ('stable', 'minor shift', 'major shift')
    """
    if not (isinstance(value, int | float | np.floating) and value >= 0):
        raise ArrearsRiskError(f"a PSI is a number >= 0; got {value!r}.")
    if value < PSI_STABLE:
        return "stable"
    if value < PSI_SHIFT:
        return "minor shift"
    return "major shift"

r"""The statistics behind the checks, on counts and moments (no data frames).

* :func:`psi_from_counts`: the PSI of binned counts against expected shares, the same
  formula as :func:`arrearsrisk.evaluation.drift.population_stability`;
* :func:`psi_p_value`: how likely a PSI that large is by chance alone, given the two
  sample sizes: :math:`\mathrm{PSI} \approx \sum_i (a_i - e_i)^2 / e_i` for small
  differences, and :math:`\sum_i (a_i - e_i)^2 / e_i \,/\, (1/n + 1/m)` is
  :math:`\chi^2_{k-1}` when both samples come from one population (``k`` bins used);
* :func:`relative_expected`: a segment's expected shares this month, moved as the whole
  portfolio moved since the reference (the like-with-like baseline);
* :func:`shift_z`: a difference-in-differences of means and its z-statistic;
* :func:`null_scale`: the empirical-null scale of a month's z-statistics across segments
  (over-dispersion beyond sampling noise), never below 1;
* :func:`expected_auc`: the AUC expected from calibrated probabilities (confidence-based
  performance estimation).

Examples
--------
>>> round(psi_from_counts([50, 50], [0.5, 0.5]), 6)
0.0
>>> psi_p_value(0.0, 100, 1000, 2)
1.0
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from arrearsrisk.evaluation.drift import PSI_EPSILON

__all__ = [
    "RELATIVE_PRIOR",
    "expected_auc",
    "null_scale",
    "psi_from_counts",
    "psi_p_value",
    "relative_expected",
    "shares",
    "shift_z",
    "two_sided_p",
]


def shares(counts: ArrayLike) -> np.ndarray:
    """``counts`` divided by their sum (zeros for an empty row), along the last axis.

    >>> shares([1, 3]).tolist()
    [0.25, 0.75]
    """
    c = np.asarray(counts, dtype=np.float64)
    total = c.sum(axis=-1, keepdims=True)
    return np.divide(c, total, out=np.zeros_like(c), where=total > 0)


def psi_from_counts(actual: ArrayLike, expected: ArrayLike, *, eps: float = PSI_EPSILON) -> float:
    r"""PSI of the binned counts ``actual`` against the expected shares ``expected``.

    .. math:: \mathrm{PSI} = \sum_i (a_i - e_i) \ln(a_i / e_i)

    with ``a`` the shares of ``actual``; a share below ``eps`` is raised to ``eps``, as
    :func:`arrearsrisk.evaluation.drift.population_stability` does.

    >>> import math
    >>> psi = psi_from_counts([80, 20], [0.5, 0.5])
    >>> round(psi, 9) == round(0.3 * math.log(1.6) + 0.3 * math.log(2.5), 9)
    True
    """
    a = np.maximum(shares(actual), eps)
    e = np.maximum(shares(expected), eps)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_p_value(psi: float, n: float, m: float, bins: int) -> float:
    r"""P-value of ``psi`` between a sample of ``n`` and a reference of ``m`` customers
    over ``bins`` used bins: :math:`P(\chi^2_{k-1} \ge \mathrm{PSI} / (1/n + 1/m))`.

    Small samples give large PSIs by chance (about ``(k - 1) (1/n + 1/m)`` on average),
    so a PSI counts only when this p-value is small.  ``m = inf`` means a reference known
    exactly.  Returns 1 for ``bins < 2`` or an empty sample.

    >>> round(psi_p_value(9 / 50, 50, float("inf"), 10), 2)  # 50 customers, 10 bins
    0.44
    >>> psi_p_value(0.18, 5000, 50000, 10) < 1e-12
    True
    """
    from scipy.stats import chi2

    if bins < 2 or n <= 0 or m <= 0:
        return 1.0
    stat = psi / (1.0 / n + 1.0 / m)
    return float(chi2.sf(stat, bins - 1))


RELATIVE_PRIOR = 10.0
"""Pseudo-customers shrinking a segment's share of a bin towards its overall share
(:func:`relative_expected`)."""


def relative_expected(
    segment_reference: ArrayLike,
    portfolio_reference: ArrayLike,
    portfolio_now: ArrayLike,
    *,
    prior: float = RELATIVE_PRIOR,
) -> np.ndarray:
    r"""A segment's expected shares now if it moved as the portfolio did.

    The segment keeps its reference share of each bin's customers,
    :math:`\pi_i = (r^s_i + \kappa \rho) / (r^P_i + \kappa)`, shrunk towards its share of
    all customers :math:`\rho = \sum r^s / \sum r^P` by :math:`\kappa` = ``prior``
    pseudo-customers (a bin the reference barely had gets the segment's overall share),
    and the portfolio's bins now are shared out by it:

    .. math:: e_i \propto a^P_i \, \pi_i

    with :math:`r^s`, :math:`r^P` the segment's and the portfolio's reference counts and
    :math:`a^P` the portfolio's counts now.  A winter that moves every customer moves the
    expectation with it; a movement of the segment alone does not.

    >>> relative_expected([10, 10], [50, 50], [60, 40]).round(2).tolist()
    [0.6, 0.4]
    >>> relative_expected([0, 10], [0, 100], [30, 70]).round(2).tolist()  # a new bin
    [0.3, 0.7]
    """
    seg = np.asarray(segment_reference, dtype=np.float64)
    ref = np.asarray(portfolio_reference, dtype=np.float64)
    now = np.asarray(portfolio_now, dtype=np.float64)
    total = ref.sum()
    rho = seg.sum() / total if total > 0 else 0.0
    pi = (seg + prior * rho) / (ref + prior)
    return shares(now * pi)


def shift_z(
    now: tuple[float, float, float],
    ref: tuple[float, float, float],
    base_now: tuple[float, float, float],
    base_ref: tuple[float, float, float],
) -> tuple[float, float]:
    r"""Difference-in-differences of means and its z-statistic.

    Each argument is ``(n, mean, variance)``: the segment now and in the reference, the
    baseline (the portfolio, or nothing: ``(0, 0, 0)``) now and in the reference.

    .. math::

        d = (\bar x^s - \bar r^s) - (\bar x^P - \bar r^P), \qquad
        z = d \Big/ \sqrt{\tfrac{s^2_{x^s}}{n_{x^s}} + \tfrac{s^2_{r^s}}{n_{r^s}}
            + \tfrac{s^2_{x^P}}{n_{x^P}} + \tfrac{s^2_{r^P}}{n_{r^P}}}

    (covariances ignored: the segment is a small part of the portfolio).  Returns
    ``(d, z)``; ``z`` is NaN when a side is empty.

    >>> d, z = shift_z((100, 0.2, 0.01), (100, 0.1, 0.01), (0, 0, 0), (0, 0, 0))
    >>> round(d, 3), round(z, 2)
    (0.1, 7.07)
    """
    (n1, m1, v1), (n2, m2, v2), (n3, m3, v3), (n4, m4, v4) = now, ref, base_now, base_ref
    if n1 <= 0 or n2 <= 0:
        return float("nan"), float("nan")
    d = (m1 - m2) - ((m3 - m4) if n3 > 0 and n4 > 0 else 0.0)
    var = v1 / n1 + v2 / n2 + (v3 / n3 + v4 / n4 if n3 > 0 and n4 > 0 else 0.0)
    if var <= 0:
        return d, (0.0 if d == 0 else math.copysign(math.inf, d))
    return d, d / math.sqrt(var)


def two_sided_p(z: float) -> float:
    """Two-sided normal p-value of ``z`` (1 for NaN).

    >>> round(two_sided_p(1.959964), 4)
    0.05
    """
    if not math.isfinite(z):
        return 1.0 if math.isnan(z) else 0.0
    return math.erfc(abs(z) / math.sqrt(2.0))


def null_scale(z: ArrayLike, *, minimum: int = 8) -> float:
    r"""The empirical-null scale of z-statistics: :math:`\max(1, \mathrm{MAD}(z) / 0.6745)`.

    Under chance alone a month's z-statistics across segments have scale 1; segments
    that differ from year to year beyond sampling noise (over-dispersion) widen them.
    The median absolute deviation ignores the few segments really moving.  Fewer than
    ``minimum`` finite values give 1.

    >>> null_scale([0.1, -0.2, 0.3, -0.1, 0.0, 0.2, -0.3, 0.1])
    1.0
    >>> round(null_scale([2.0, -2.0] * 5), 2)
    2.97
    """
    v = np.asarray(z, dtype=np.float64)
    v = v[np.isfinite(v)]
    if len(v) < minimum:
        return 1.0
    mad = float(np.median(np.abs(v - np.median(v))))
    return max(1.0, mad / 0.6745)


def expected_auc(p: ArrayLike, score: ArrayLike | None = None) -> float:
    r"""The AUC expected when each customer is positive with probability ``p_i`` and
    ranked by ``score`` (default ``p``):

    .. math::

        E[\mathrm{AUC}] \approx \frac{\sum_{i,j:\, s_i > s_j} p_i (1 - p_j)
        + \tfrac12 \sum_{i \ne j:\, s_i = s_j} p_i (1 - p_j)}
        {\sum_i p_i \sum_j (1 - p_j) - \sum_i p_i (1 - p_i)}

    (the ratio of expectations), in ``O(n log n)``.

    >>> expected_auc([0.9, 0.1])  # the likely positive ranks first
    0.9878...
    """
    pv = np.asarray(p, dtype=np.float64)
    s = pv if score is None else np.asarray(score, dtype=np.float64)
    if len(pv) < 2:
        return float("nan")
    order = np.argsort(s, kind="stable")
    ps, ss = pv[order], s[order]
    neg = 1.0 - ps
    # for each i: sum of (1 - p_j) over s_j < s_i, and over ties s_j == s_i (j != i)
    _, start, counts = np.unique(ss, return_index=True, return_counts=True)
    cum_neg = np.concatenate([[0.0], np.cumsum(neg)])
    group = np.repeat(np.arange(len(start)), counts)
    below = cum_neg[start[group]]
    tie = cum_neg[start[group] + counts[group]] - below - neg
    numerator = float(np.sum(ps * (below + 0.5 * tie)))
    denominator = float(ps.sum() * neg.sum() - np.sum(ps * neg))
    return numerator / denominator if denominator > 0 else float("nan")

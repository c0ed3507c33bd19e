"""FIFO settlement of bills by payments, for all customers at once.

Payments are not linked to bills: each customer's payments settle the oldest open
bills first (by due date, then period).  A bill is settled on the date of the
payment that brings the customer's cumulative payments up to the cumulative billed
amount through that bill, with a tolerance of one cent (``docs/contract.md``, section 2).
A bill whose cumulative billed amount is already covered without any payment (a
leading credit or negative correction) is settled on its issue date.

The computation is exact in integer cents: with bills sorted by customer and FIFO
order and payments by customer and date, the running total of payments over *all*
customers is non-decreasing, so one ``searchsorted`` finds every bill's settling
payment.  :func:`settle_bills` is checked against a plain per-customer loop in the
tests.
"""

from __future__ import annotations

import numpy as np

__all__ = ["UNSETTLED", "segment_starts", "settle_bills"]

UNSETTLED = np.iinfo(np.int32).max
"""Settlement day of a bill not (yet) settled."""

TOLERANCE_CENTS = 1


def segment_starts(codes: np.ndarray, n: int) -> np.ndarray:
    """Start offsets (length ``n + 1``) of each code's run in an array sorted by code.

    >>> segment_starts(np.array([0, 0, 2]), 3).tolist()
    [0, 2, 2, 3]
    """
    counts = np.bincount(codes, minlength=n)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts


def settle_bills(
    b_cust: np.ndarray,
    b_cents: np.ndarray,
    b_issue: np.ndarray,
    p_cust: np.ndarray,
    p_cents: np.ndarray,
    p_date: np.ndarray,
    n_customers: int,
) -> np.ndarray:
    """Day each bill is settled on, or :data:`UNSETTLED`.

    Parameters
    ----------
    b_cust, b_cents, b_issue : numpy.ndarray
        Bills' customer codes, amounts in cents and issue days, sorted by customer
        then FIFO order (due date, period).
    p_cust, p_cents, p_date : numpy.ndarray
        Payments' customer codes, amounts in cents and days, sorted by customer then
        day.
    n_customers : int
        Number of customer codes.

    Returns
    -------
    numpy.ndarray
        int32 settlement day per bill.

    Examples
    --------
    Two bills of 100 and 50; payments of 60 on day 5 and 90 on day 9: the first
    bill is settled on day 9 (cumulative 150 >= 100), the second too.

    >>> settle_bills(np.array([0, 0]), np.array([10000, 5000]), np.array([1, 2]),
    ...              np.array([0, 0]), np.array([6000, 9000]), np.array([5, 9]), 1).tolist()
    [9, 9]
    """
    b_starts = segment_starts(b_cust, n_customers)
    p_starts = segment_starts(p_cust, n_customers)
    billed = np.cumsum(b_cents)
    billed -= np.concatenate(([0], billed))[b_starts[:-1]][b_cust]
    paid = np.cumsum(p_cents)
    paid_before = np.concatenate(([0], paid))[p_starts[:-1]]  # payments of earlier customers
    need = billed - TOLERANCE_CENTS  # cumulative payments must reach this
    idx = np.searchsorted(paid, need + paid_before[b_cust], side="left")
    settled_by_payment = (need > 0) & (idx < p_starts[1:][b_cust])
    out = np.full(len(b_cust), UNSETTLED, dtype=np.int32)
    out[settled_by_payment] = p_date[idx[settled_by_payment]]
    covered = need <= 0
    out[covered] = b_issue[covered]
    return out

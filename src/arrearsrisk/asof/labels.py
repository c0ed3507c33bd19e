"""Outcome labels after ``as_of``: Risk Grade I / II / III and the A-level warning.

Exactly ``docs/contract.md``, section 2.  With horizon ``H`` months and grace ``g`` days,
the outcome is observed until ``E = as_of + H months + g days``:

* payments up to ``E`` settle bills oldest first (FIFO, whole history);
* target bills: amount > 0 and due date in ``(as_of, as_of + H months]``;
* **Grade I**: a target bill is more than ``g`` days late or unsettled at ``E``;
  **Grade II**: otherwise a target bill is 1 to ``g`` days late; **Grade III**:
  every target bill is paid by its due date;
* **A-level warning**: at ``E`` the amount still owed on all bills due up to
  ``as_of + H months`` is at least ``warning_multiple`` times the customer's average
  monthly bill (mean amount of bills issued in the 12 months up to ``as_of``),
  compared exactly in cents, and more than the one-cent settlement tolerance (so a
  warned customer is always Grade I);
* customers without target bills get no label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError, LedgerError
from arrearsrisk.ledger.settlement import TOLERANCE_CENTS, UNSETTLED, settle_bills
from arrearsrisk.ledger.tables import Ledger, cents
from arrearsrisk.timeline import AsOf, add_months, day_number, parse_as_of
from arrearsrisk.vocabulary import GRADE_DTYPE

__all__ = ["build_labels", "label_end", "table_ends", "uncovered"]

_EPOCH = pd.Timestamp("1970-01-01")


def label_end(as_of: AsOf, horizon_months: int = 3, grace_days: int = 30) -> pd.Timestamp:
    """The last day ``E`` on which the outcome of ``as_of`` is observed.

    >>> label_end("2024-06-30")
    Timestamp('2024-10-30 00:00:00')
    """
    return add_months(parse_as_of(as_of), horizon_months) + pd.Timedelta(days=grace_days)


def table_ends(ledger: Ledger) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The last issue date of the bills and the last payment date (``None`` for an
    empty table): how far each table's export reaches."""
    arr = ledger.arrays
    return tuple(  # type: ignore[return-value]
        _EPOCH + pd.Timedelta(days=int(d.max())) if len(d) else None
        for d in (arr.b_issue, arr.p_date)
    )


def uncovered(
    ledger: Ledger, as_of: pd.Timestamp, horizon_months: int = 3, grace_days: int = 30
) -> list[str]:
    """Why the outcome window of ``as_of`` is not covered by every table, in words
    (empty when it is).

    Each table is checked on its own: the payments must reach the end date ``E``
    (:func:`label_end`), the bills the last target due date ``as_of + H months`` (every
    target bill is issued by then).  An empty payments table reaches as far as the
    bills (nobody paid); a ledger without bills covers nothing.

    >>> import arrearsrisk as ar
    >>> ledger = ar.read_ledger("data/sample")
    >>> uncovered(ledger, pd.Timestamp("2025-09-30"))
    []
    >>> uncovered(ledger, pd.Timestamp("2025-10-31"))  # doctest: +NORMALIZE_WHITESPACE
    ['the payments export ends on 2026-01-31 (payments until 2026-03-02 are needed)',
     'the bills export ends on 2026-01-03 (bills due until 2026-01-31 are needed)']
    """
    last_bill, last_payment = table_ends(ledger)
    end = label_end(as_of, horizon_months, grace_days)
    target_end = add_months(as_of, horizon_months)
    if last_payment is None:
        last_payment = last_bill
    short = []
    if last_payment is None or last_payment < end:
        short.append(
            f"the payments export ends on {_date(last_payment)} "
            f"(payments until {end.date()} are needed)"
        )
    if last_bill is None or last_bill < target_end:
        short.append(
            f"the bills export ends on {_date(last_bill)} "
            f"(bills due until {target_end.date()} are needed)"
        )
    return short


def _date(ts: pd.Timestamp | None) -> str:
    return "(no rows)" if ts is None else str(ts.date())


def _check_params(horizon_months: int, grace_days: int, warning_multiple: float) -> None:
    if not (isinstance(horizon_months, int | np.integer) and horizon_months >= 1):
        raise ArrearsRiskError(
            f"horizon_months must be a whole number >= 1, got {horizon_months!r}."
        )
    if not (isinstance(grace_days, int | np.integer) and grace_days >= 0):
        raise ArrearsRiskError(f"grace_days must be a whole number >= 0, got {grace_days!r}.")
    if not warning_multiple > 0:
        raise ArrearsRiskError(f"warning_multiple must be > 0, got {warning_multiple!r}.")


def build_labels(
    ledger: Ledger,
    as_of: AsOf,
    horizon_months: int = 3,
    *,
    grace_days: int = 30,
    warning_multiple: float = 2.0,
    allow_unobserved: bool = False,
) -> pd.DataFrame:
    """Grade and A-level warning of every customer with a target bill after ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        The validated ledger.
    as_of : str, date or Timestamp
        The date the outcome is predicted from.
    horizon_months : int, default 3
        ``H``: target bills are due in ``(as_of, as_of + H months]``.
    grace_days : int, default 30
        ``g``: a bill more than ``g`` days late makes Grade I.
    warning_multiple : float, default 2.0
        The A-level warning fires when the amount owed at ``E`` is at least this
        many average monthly bills.
    allow_unobserved : bool, default False
        Build labels even if the ledger ends before ``E`` (bills would look unpaid
        only because their payments are not in the data yet).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``grade`` (categorical ``I``/``II``/``III``) and
        ``a_warning`` (bool).

    Raises
    ------
    LedgerError
        If a table's export ends before the outcome window (rule ``coverage``; unless
        ``allow_unobserved``): the payments must reach ``E``, the bills
        ``as_of + H months`` (see :func:`uncovered`).
    ArrearsRiskError
        On a bad parameter or date.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> labels = ar.build_labels(ar.read_ledger("data/sample"), "2024-06-30")
    >>> sorted(labels["grade"].unique())
    ['I', 'II', 'III']
    """
    _check_params(horizon_months, grace_days, warning_multiple)
    t = parse_as_of(as_of)
    end = label_end(t, horizon_months, grace_days)
    arr = ledger.arrays
    if not allow_unobserved:
        short = uncovered(ledger, t, horizon_months, grace_days)
        if short:
            raise LedgerError(
                f"labels as of {t.date()} need data until {end.date()} (horizon "
                f"{horizon_months} months + {grace_days} days grace), but "
                + " and ".join(short)
                + ".\n  hint: pick an earlier as_of (ar.monthly_cutoffs offers only covered "
                "dates), or allow_unobserved=True to label anyway.",
                table="payments" if short[0].startswith("the payments") else "bills",
                column=None,
                rule="coverage",
            )
    t_day, target_end, e_day = (
        day_number(t),
        day_number(add_months(t, horizon_months)),
        day_number(end),
    )

    pmask = arr.p_date <= e_day
    bmask = arr.b_issue <= e_day
    b_cust, b_cents, b_due = arr.b_cust[bmask], cents(arr.b_amount[bmask]), arr.b_due[bmask]
    p_cents = cents(arr.p_amount[pmask])
    p_cust = arr.p_cust[pmask]
    settled = settle_bills(
        b_cust,
        b_cents,
        arr.b_issue[bmask],
        p_cust,
        p_cents,
        arr.p_date[pmask],
        arr.n_customers,
    )
    n = arr.n_customers
    target = (b_cents > 0) & (b_due > t_day) & (b_due <= target_end)
    unsettled = settled == UNSETTLED
    late = np.where(unsettled, np.iinfo(np.int32).max, settled.astype(np.int64) - b_due)
    has_target = np.bincount(b_cust[target], minlength=n) > 0
    serious = np.bincount(b_cust[target & ((late > grace_days) | unsettled)], minlength=n) > 0
    any_late = np.bincount(b_cust[target & (late >= 1)], minlength=n) > 0
    grade = np.where(serious, 0, np.where(any_late, 1, 2))

    due_by_end = b_due <= target_end
    owed_cents = np.bincount(b_cust[due_by_end], weights=b_cents[due_by_end], minlength=n) - (
        np.bincount(p_cust, weights=p_cents, minlength=n)
    )
    # Average monthly bill as count and sum of cents, compared exactly: owed >= m * sum / count.
    start = day_number(add_months(t, -12))
    recent = (arr.b_issue > start) & (arr.b_issue <= t_day)
    n_recent = np.bincount(arr.b_cust[recent], minlength=n)
    sum_recent = np.bincount(arr.b_cust[recent], weights=cents(arr.b_amount[recent]), minlength=n)
    warning = (
        (n_recent > 0)
        & (sum_recent > 0)
        & (owed_cents > TOLERANCE_CENTS)  # a cent is the settlement tolerance, not arrears
        & (owed_cents * n_recent >= warning_multiple * sum_recent)
    )

    ids = arr.customer_ids[has_target]
    return pd.DataFrame(
        {
            "grade": pd.Categorical.from_codes(grade[has_target], dtype=GRADE_DTYPE),
            "a_warning": warning[has_target],
        },
        index=pd.Index(ids, name="customer_id", dtype="str"),
    )

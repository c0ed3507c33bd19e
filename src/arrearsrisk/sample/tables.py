"""Seeded, realistic sample ledgers of a county power-supply company.

:func:`simulate_ledger` draws customers with latent traits and lets them consume and
pay month by month, and returns the three tables of ``docs/contract.md``, section 1
(:class:`SampleTables`).  Everything is vectorised with numpy across customers (the
only Python loop is over months): a million customers over 36 months (about 32 million
bills and 31 million payments) take about half a minute and 4.5 GiB at peak on two
cores.

Billing conventions: the period is the consumption month; the bill is issued on the
1st-3rd of the next month (the day depends on the supply station) and due on a day
between the 15th and the 20th fixed by the supply contract; the payment window is the
1st to the 10th (late fees after), so good payers pay in the window.  The extract
ends on the last day of the month the last bill is issued in: later payments are not
in the data yet.

The mechanisms of ``docs/domain.md`` and where they live (modules of
:mod:`arrearsrisk.sample`):

- **Category mix, bill sizes, seasonality**: :data:`~parameters.CATEGORY_SHARES`,
  ``parameters._KWH_MEDIAN``, ``_PRICE``, ``_SEASON`` (irrigation peaks in spring and
  summer), drawn in :func:`customers._draw_customers`, consumed in
  :func:`simulation._step` (step 1).
- **Industry downturn** (:data:`~parameters.DOWNTURN_INDUSTRIES`, starting at period
  ``months // 2``, :func:`~parameters.downturn_period`): restricted and high-energy
  customers hit by it lose consumption, then pay late or in part, and some go bankrupt
  (:func:`customers._life_events`); the whole sector is a little later after the
  downturn (``customers._downturn_effect``).
- **Businesses in distress** (any industry, a minority): consumption falls and turns
  erratic 2-6 months before lateness starts; some recover, some go bankrupt
  (:func:`customers._life_events`, stress in :func:`simulation._decide`).
- **Bankruptcy**: from the failure month nothing is paid; standby bills continue for
  a few months, then the account is dead with its arrears.  A guarantor pays part later
  (guarantee contract) and a deposit is applied to the arrears.
- **Chronic refusers** ("nail households"): late regardless of means, often one lump
  30-90 days after the due date, after a disconnection notice
  (:func:`simulation._decide`).
- **Tenants** move out and leave the last 1-3 bills unpaid; sometimes the owner pays
  later (:func:`customers._life_events`).  The tenant flag also raises lateness.
- **Vacant and holiday homes**: near-zero consumption, small bills paid ahead in round
  sums, irregularly, or never.
- **Budget-funded public units**: late (20-60 days) in lumps, later still at the start
  of the budget year, but in full; the schools of a station pay through the education
  bureau (a group).
- **Seasonal agriculture**: irrigation bills paid after the wheat or autumn harvest.
- **Prepaid smart meters**: top-ups in round sums during the consumption month,
  before the bill (channel ``prepaid``); almost never late.
- **Channels**: a customer trait; bank debit and online payers are rarely late,
  counter payers miss the window more often (``parameters._CHANNEL_LOGIT``,
  ``_MISS_WINDOW``).
- **Estimated readings** (3-10% of bills by station): an estimate replaces the reading,
  later corrected (occasionally by a small negative bill); an over-estimate is
  disputed: paid late or only in part.
- **Missing contact details** raise lateness a little.
- **Group customers** (telecom operators' base stations, chain stores, schools) pay all
  their accounts on the same day: their random draws are the group leader's
  (:func:`customers._assign_groups`).
- **Guarantees and deposits** held by a few large customers; **instalment settlement**
  (part paid during the consumption month) and **pre-purchase** for new high-voltage
  connections (a payment before the first bill).
- **Overpayment**: some households pay round sums, a few payments are made twice;
  the credit is carried forward.

The arrays become frames in :mod:`~arrearsrisk.sample.frames`; writing them to files
is :mod:`~arrearsrisk.sample.writing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from arrearsrisk.sample.contacts import contact_columns, contact_rng
from arrearsrisk.sample.customers import _draw_customers
from arrearsrisk.sample.frames import (
    _bills_frame,
    _customer_ids,
    _customers_frame,
    _payments_frame,
)
from arrearsrisk.sample.parameters import Shock
from arrearsrisk.sample.periods import _Calendar
from arrearsrisk.sample.simulation import _simulate

__all__ = ["SampleTables", "simulate_ledger"]


class SampleTables(NamedTuple):
    """The three ledger tables of a simulated supply company (``docs/contract.md``, section 1).

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per customer.
    bills : pandas.DataFrame
        One row per customer and billing period, sorted by customer and period.
    payments : pandas.DataFrame
        One row per payment, sorted by customer and date.
    """

    customers: pd.DataFrame
    bills: pd.DataFrame
    payments: pd.DataFrame


def simulate_ledger(
    n_customers: int = 3000,
    months: int = 36,
    start: str = "2023-01",
    seed: int = 0,
    progress: bool = False,
    *,
    shocks: Sequence[Shock] = (),
    downturn: bool = True,
    contacts: bool = True,
) -> SampleTables:
    """Simulate the ledger of a county power-supply company.

    Customers get latent traits (category, industry, consumption, channel, willingness
    to pay, tenancy, vacancy, prepaid meter, group...) and time events (move-outs,
    distress, the industry downturn from period ``months // 2``, bankruptcies); each
    month they consume, are billed and pay.  See the module docstring for the
    mechanisms.

    Parameters
    ----------
    n_customers : int, default 3000
        Number of customers (rows of ``customers``).
    months : int, default 36
        Number of billing periods, from ``start``.
    start : str, default "2023-01"
        First billing period, ``YYYY-MM``.
    seed : int, default 0
        Seed of the random generator: the same arguments give identical tables.
    progress : bool, default False
        Show a progress bar over the months.
    shocks : sequence of Shock, default ()
        Local downturns to inject (a region's firms, an industry...): see
        :class:`~arrearsrisk.sample.parameters.Shock`.  None by default, and the default
        tables do not depend on this option's existence.
    downturn : bool, default True
        Simulate the industry downturn from period ``months // 2``; ``False`` keeps
        every random draw but hits nobody (a stable world, e.g. before a
        :class:`~arrearsrisk.sample.parameters.Shock`).
    contacts : bool, default True
        Give the customers contact details (``account_name``, ``supply_address``,
        ``phone_number``: synthetic names, addresses in their station's area, obviously
        fictitious phone numbers; :mod:`~arrearsrisk.sample.contacts`).  They are drawn
        from a stream of their own: ``False`` leaves these columns out and every other
        column identical.

    Returns
    -------
    SampleTables
        ``(customers, bills, payments)`` as in ``docs/contract.md``, section 1: ids and text
        as pandas ``str``, dates ``datetime64[s]`` at midnight, flags nullable
        ``boolean`` (missing = unknown), amounts in CNY with 2 decimals.  Bills are
        sorted by customer and period, payments by customer and date; payments dated
        after the end of the month the last bill is issued in are not included.

    Raises
    ------
    ValueError
        If ``n_customers`` or ``months`` is not positive or ``start`` is not a month.

    Examples
    --------
    >>> tables = simulate_ledger(200, months=12, seed=1)
    >>> len(tables.customers), tables.bills["period"].min(), tables.bills["period"].max()
    (200, '2023-01', '2023-12')
    """
    if int(n_customers) < 1:
        raise ValueError(f"n_customers must be at least 1, got {n_customers}")
    if int(months) < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    shocks = tuple(shocks)
    if not all(isinstance(s, Shock) for s in shocks):
        raise ValueError("shocks must be a sequence of arrearsrisk.sample.Shock")
    n, months = int(n_customers), int(months)
    cal = _Calendar.make(start, months)
    rng = np.random.default_rng(seed)
    c = _draw_customers(rng, n, cal, downturn)
    grid, pays = _simulate(rng, c, cal, progress, shocks, downturn)
    ids = _customer_ids(n)
    customers = _customers_frame(c, ids)
    if contacts:
        for name, column in contact_columns(c, contact_rng(seed)).items():
            customers[name] = column
    bills = _bills_frame(c, cal, grid, ids)
    del grid, c
    payments = _payments_frame(pays, ids)
    return SampleTables(customers, bills, payments)

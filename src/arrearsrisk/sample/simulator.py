"""Seeded, realistic sample ledgers of a county power-supply company.

:func:`simulate_ledger` draws customers with latent traits and lets them consume and
pay month by month; :func:`write_sample` writes the three tables of ``CONTRACT.md``
section 1 to a folder (CSV or Parquet).  Everything is vectorised with numpy across
customers (the only Python loop is over months): a million customers over 36 months
(about 32 million bills and 31 million payments) take about half a minute and 4.5 GiB
at peak on two cores.

Billing conventions: the period is the consumption month; the bill is issued on the
1st-3rd of the next month (the day depends on the supply station) and due on a day
between the 15th and the 20th fixed by the supply contract; the payment window is the
1st to the 10th (late fees after), so good payers pay in the window.  The extract
ends on the last day of the month the last bill is issued in: later payments are not
in the data yet.

The mechanisms of ``DOMAIN.md`` and where they live:

- **Category mix, bill sizes, seasonality**: :data:`CATEGORY_SHARES`, ``_KWH_MEDIAN``,
  ``_PRICE``, ``_SEASON`` (irrigation peaks in spring and summer), drawn in
  :func:`_draw_customers`, consumed in :func:`_simulate` (step 1).
- **Industry downturn** (:data:`DOWNTURN_INDUSTRIES`, starting at period
  ``months // 2``): restricted and high-energy customers hit by it lose consumption,
  then pay late or in part, and some go bankrupt (:func:`_life_events`); the whole
  sector is a little later after the downturn (``_downturn_effect``).
- **Businesses in distress** (any industry, a minority): consumption falls and turns
  erratic 2-6 months before lateness starts; some recover, some go bankrupt
  (:func:`_life_events`, stress in :func:`_decide`).
- **Bankruptcy**: from the failure month nothing is paid; standby bills continue for
  a few months, then the account is dead with its arrears.  A guarantor pays part later
  (guarantee contract) and a deposit is applied to the arrears.
- **Chronic refusers** ("nail households"): late regardless of means, often one lump
  30-90 days after the due date, after a disconnection notice (:func:`_decide`).
- **Tenants** move out and leave the last 1-3 bills unpaid; sometimes the owner pays
  later (:func:`_life_events`).  The tenant flag also raises lateness.
- **Vacant and holiday homes**: near-zero consumption, small bills paid ahead in round
  sums, irregularly, or never.
- **Budget-funded public units**: late (20-60 days) in lumps, later still at the start
  of the budget year, but in full; the schools of a station pay through the education
  bureau (a group).
- **Seasonal agriculture**: irrigation bills paid after the wheat or autumn harvest.
- **Prepaid smart meters**: top-ups in round sums during the consumption month,
  before the bill (channel ``prepaid``); almost never late.
- **Channels**: a customer trait; bank debit and online payers are rarely late,
  counter payers miss the window more often (``_CHANNEL_LOGIT``, ``_MISS_WINDOW``).
- **Estimated readings** (3-10% of bills by station): an estimate replaces the reading,
  later corrected (occasionally by a small negative bill); an over-estimate is
  disputed: paid late or only in part.
- **Missing contact details** raise lateness a little.
- **Group customers** (telecom operators' base stations, chain stores, schools) pay all
  their accounts on the same day: their random draws are the group leader's.
- **Guarantees and deposits** held by a few large customers; **instalment settlement**
  (part paid during the consumption month) and **pre-purchase** for new high-voltage
  connections (a payment before the first bill).
- **Overpayment**: some households pay round sums, a few payments are made twice;
  the credit is carried forward.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from arrearsrisk.ledger.schema import CATEGORIES, CHANNELS

__all__ = [
    "CATEGORY_SHARES",
    "DOWNTURN_INDUSTRIES",
    "HIGH_ENERGY_INDUSTRIES",
    "INDUSTRIES",
    "REGIONS",
    "RESTRICTED_INDUSTRIES",
    "SampleTables",
    "count_rows",
    "downturn_period",
    "simulate_ledger",
    "write_sample",
]

# --------------------------------------------------------------------------- constants

CATEGORY_SHARES: dict[str, float] = {
    "residential": 0.60,
    "commercial": 0.15,
    "industrial": 0.12,
    "agricultural": 0.06,
    "public": 0.04,
    "temporary": 0.03,
}
"""Share of each usage category among customers."""

_RES, _COM, _IND, _AGR, _PUB, _TMP = (CATEGORIES.index(c) for c in CATEGORY_SHARES)
_CH = {name: i for i, name in enumerate(CHANNELS)}

REGIONS: tuple[str, ...] = (
    "Dongcheng",
    "Xiguan",
    "Nanhu",
    "Beishan",
    "Hexi",
    "Qiaotou",
    "Shilipu",
    "Longquan",
)
"""Supply stations of the simulated county."""
_REGION_SHARE = np.array([0.18, 0.15, 0.14, 0.10, 0.13, 0.11, 0.10, 0.09])
# Share of readings that fail and are estimated (mountain stations worse).
_REGION_EST = np.array([0.02, 0.03, 0.04, 0.10, 0.05, 0.06, 0.04, 0.09])
_REGION_LOGIT = np.array([-0.15, -0.05, 0.0, 0.25, 0.05, 0.10, 0.0, 0.20])

INDUSTRIES: dict[str, str] = {
    "C31": "ferrous metal smelting (steel)",
    "C30": "non-metallic mineral products (cement, glass)",
    "B06": "coal mining",
    "C26": "chemical raw materials",
    "C32": "non-ferrous metal smelting",
    "C22": "paper",
    "C13": "agricultural food processing",
    "C17": "textiles",
    "C33": "metal products",
    "C34": "general equipment",
    "C38": "electrical machinery",
    "C39": "electronics",
    "F52": "retail",
    "H61": "hotels",
    "H62": "restaurants",
    "I63": "telecommunications",
    "K70": "real estate",
    "L72": "business services",
    "M73": "research and development",
    "O80": "resident services",
    "R88": "culture and entertainment",
    "A01": "crop farming",
    "A03": "animal husbandry",
    "A04": "fishery",
    "A05": "agricultural services (irrigation)",
    "P83": "education",
    "Q84": "health",
    "S92": "public administration",
    "N76": "water conservancy",
    "E47": "building construction",
    "E48": "civil engineering (roads, railways)",
}
"""Industry codes (GB/T 4754 style) the simulation uses, with their meaning."""
_IND_CODES = tuple(INDUSTRIES)

HIGH_ENERGY_INDUSTRIES = frozenset({"C31", "C30", "B06", "C26", "C32", "C22"})
"""High-energy-consumption industries."""
RESTRICTED_INDUSTRIES = frozenset({"C31", "C30", "B06"})
"""Industries under national restriction (capacity reduction) policy."""
DOWNTURN_INDUSTRIES = HIGH_ENERGY_INDUSTRIES
"""Industries exposed to the downturn (restricted ones the most)."""

_INDUSTRY_MIX: dict[int, tuple[tuple[str, float], ...]] = {
    _COM: (
        ("F52", 0.28),
        ("H61", 0.08),
        ("H62", 0.16),
        ("I63", 0.12),
        ("K70", 0.09),
        ("O80", 0.10),
        ("L72", 0.08),
        ("M73", 0.05),
        ("R88", 0.04),
    ),
    _IND: (
        ("C31", 0.10),
        ("C30", 0.14),
        ("B06", 0.06),
        ("C26", 0.08),
        ("C32", 0.04),
        ("C22", 0.04),
        ("C13", 0.12),
        ("C17", 0.10),
        ("C33", 0.12),
        ("C34", 0.08),
        ("C38", 0.06),
        ("C39", 0.06),
    ),
    _AGR: (("A01", 0.55), ("A03", 0.20), ("A04", 0.10), ("A05", 0.15)),
    _PUB: (("P83", 0.40), ("Q84", 0.25), ("S92", 0.20), ("N76", 0.15)),
    _TMP: (("E47", 0.65), ("E48", 0.35)),
}

# Per category (order of CATEGORIES): residential, commercial, industrial,
# agricultural, public, temporary.
_NEW_P = np.array([0.10, 0.18, 0.10, 0.06, 0.04, 0.85])  # account opens in the window
_KWH_MEDIAN = np.array([190.0, 5500.0, 48000.0, 3000.0, 9000.0, 10000.0])
_KWH_SIGMA = np.array([0.55, 0.90, 1.00, 0.80, 0.80, 0.90])
_PRICE = np.array([0.56, 0.74, 0.63, 0.49, 0.66, 0.80])  # CNY/kWh (residential tiered)
_NOISE = np.array([0.18, 0.15, 0.12, 0.30, 0.12, 0.35])  # monthly log-noise
_LOAD_FACTOR = np.array([0.0, 0.30, 0.45, 0.20, 0.30, 0.30])
_BASE_LOGIT = np.array([-3.5, -3.2, -3.4, -2.9, -3.0, -2.5])  # per-bill lateness
_P_PREPAID = np.array([0.25, 0.15, 0.03, 0.05, 0.0, 0.10])
_P_TENANT = np.array([0.14, 0.35, 0.10, 0.05, 0.0, 0.0])
_P_REFUSER = np.array([0.02, 0.025, 0.015, 0.025, 0.0, 0.04])
_P_DISTRESS = np.array([0.0, 0.06, 0.06, 0.04, 0.0, 0.07])
_P_PARTIAL = np.array([0.002, 0.008, 0.008, 0.008, 0.0, 0.01])
_P_CONTACT_OK = np.array([0.80, 0.88, 0.92, 0.80, 0.95, 0.82])

# Consumption by calendar month (Jan..Dec), normalised to mean 1 below.
_SEASON = np.array(
    [
        [1.30, 1.15, 0.95, 0.85, 0.85, 1.00, 1.35, 1.40, 1.00, 0.85, 0.95, 1.20],
        [1.00, 0.85, 0.90, 0.90, 1.00, 1.15, 1.30, 1.30, 1.10, 0.95, 0.95, 1.05],
        [0.95, 0.75, 1.00, 1.02, 1.03, 1.03, 1.02, 1.02, 1.03, 1.03, 1.05, 1.05],
        [0.15, 0.20, 0.70, 1.70, 1.90, 1.40, 1.80, 1.70, 0.90, 0.60, 0.40, 0.20],
        [1.15, 0.75, 1.00, 0.95, 0.95, 1.05, 0.85, 0.85, 1.05, 1.00, 1.05, 1.20],
        [0.60, 0.45, 1.00, 1.10, 1.15, 1.15, 1.10, 1.10, 1.15, 1.15, 1.05, 0.90],
    ]
)
_SEASON = _SEASON / _SEASON.mean(axis=1, keepdims=True)

# Preferred channel by category, columns in CHANNELS order (prepaid column unused).
_CHANNEL_P = np.array(
    [
        [0.28, 0.14, 0.40, 0.09, 0.07, 0.0, 0.02],
        [0.22, 0.30, 0.35, 0.05, 0.05, 0.0, 0.03],
        [0.15, 0.55, 0.25, 0.00, 0.02, 0.0, 0.03],
        [0.45, 0.10, 0.25, 0.05, 0.13, 0.0, 0.02],
        [0.20, 0.55, 0.20, 0.00, 0.00, 0.0, 0.05],
        [0.35, 0.15, 0.40, 0.02, 0.05, 0.0, 0.03],
    ]
)
_CHANNEL_LOGIT = np.array([0.7, -1.4, -0.5, -0.2, 0.2, 0.0, 0.3])
_MISS_WINDOW = np.array([0.30, 0.0, 0.08, 0.12, 0.18, 0.0, 0.15])  # pay on the 11th-due
_OTHER_CHANNELS = np.array([_CH[c] for c in CHANNELS if c != "prepaid"], dtype=np.int8)

_KVA_SIZES = np.array(
    [
        10,
        20,
        30,
        50,
        80,
        100,
        125,
        160,
        200,
        250,
        315,
        400,
        500,
        630,
        800,
        1000,
        1250,
        1600,
        2000,
        2500,
        3150,
        4000,
        5000,
        6300,
        8000,
        10000,
        12500,
        16000,
        20000,
        25000,
        31500,
        40000,
        50000,
        63000,
    ],
    dtype=np.float64,
)

_NEVER = 1_000_000  # a month index that never comes
_OLDEST_OPENING = np.datetime64("1998-01-01", "D")
_LARGE_BILL = 20_000.0  # CNY per month: instalments, deposits, guarantees


def downturn_period(months: int) -> int:
    """Index (from 0) of the first period of the simulated industry downturn.

    Parameters
    ----------
    months : int
        Number of simulated periods.

    Returns
    -------
    int
        ``months // 2``: period 18 (July of the second year) for 36 months.

    Examples
    --------
    >>> downturn_period(36)
    18
    """
    return months // 2


class SampleTables(NamedTuple):
    """The three ledger tables of a simulated supply company (``CONTRACT.md`` section 1).

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


# --------------------------------------------------------------------------- calendar


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


# --------------------------------------------------------------------------- customers


def _unset() -> np.ndarray:
    return np.empty(0)


@dataclass
class _Customers:
    """Observed attributes and latent traits of the customers, one array entry each."""

    n: int
    cat: np.ndarray  # int8 index into CATEGORIES
    region: np.ndarray  # int8 index into REGIONS
    industry: np.ndarray  # int16 index into _IND_CODES, -1 for households
    open_month: np.ndarray  # period the account opened in, -1 before the window
    opened: np.ndarray  # day number of the opening
    first: np.ndarray  # first billed period
    first_frac: np.ndarray  # share of the first month the account was open
    voltage: np.ndarray  # kV, NaN unknown
    capacity: np.ndarray  # kVA, NaN unknown
    high_energy: np.ndarray
    restricted: np.ndarray
    prepaid: np.ndarray
    tenant: np.ndarray  # true value; tenant_known hides a few
    tenant_known: np.ndarray
    budget: np.ndarray
    group: np.ndarray  # int32 group index, -1 none
    deposit: np.ndarray
    guarantee: np.ndarray
    contact: np.ndarray  # int8: 1 ok, 0 not ok, -1 unknown
    # latent
    base_kwh: np.ndarray
    price: np.ndarray
    season_strength: np.ndarray
    channel: np.ndarray  # int8 preferred channel
    base_logit: np.ndarray
    refuser: np.ndarray
    vacant: np.ndarray
    vacant_style: np.ndarray  # 0 pays ahead, 1 irregular, 2 never
    harvest: np.ndarray
    est_p: np.ndarray
    instalment: np.ndarray
    prepurchase: np.ndarray
    roundup: np.ndarray  # 0 or the step (CNY) payments are rounded up to
    topup_buffer: np.ndarray
    due_day: np.ndarray
    issue_region: np.ndarray
    debit_day: np.ndarray
    src: np.ndarray  # index whose random draws this customer uses (group leader)
    group_names: list[str]
    # life events (period indexes, _NEVER if none)
    last_bill: np.ndarray = field(default_factory=_unset)
    stop_pay: np.ndarray = field(default_factory=_unset)
    after_frac: np.ndarray = field(default_factory=_unset)
    after_delay: np.ndarray = field(default_factory=_unset)
    cons_onset: np.ndarray = field(default_factory=_unset)
    pay_onset: np.ndarray = field(default_factory=_unset)
    recover: np.ndarray = field(default_factory=_unset)
    fail: np.ndarray = field(default_factory=_unset)
    floor: np.ndarray = field(default_factory=_unset)
    standby: np.ndarray = field(default_factory=_unset)
    sector_down: np.ndarray = field(default_factory=_unset)

    @property
    def exp_bill(self) -> np.ndarray:
        """Typical monthly bill (CNY)."""
        return self.base_kwh * self.price


def _draw_customers(rng: np.random.Generator, n: int, cal: _Calendar) -> _Customers:
    """Draw the customers' attributes and latent traits."""
    months = cal.months
    cat = rng.choice(len(CATEGORIES), size=n, p=np.array(list(CATEGORY_SHARES.values())))
    cat = cat.astype(np.int8)
    region = rng.choice(len(REGIONS), size=n, p=_REGION_SHARE).astype(np.int8)
    industry = np.full(n, -1, dtype=np.int16)
    for ci, mix in _INDUSTRY_MIX.items():
        idx = np.flatnonzero(cat == ci)
        codes = np.array([_IND_CODES.index(code) for code, _ in mix], dtype=np.int16)
        weights = np.array([w for _, w in mix])
        industry[idx] = rng.choice(codes, size=idx.size, p=weights / weights.sum())
    ind_code = np.asarray((*_IND_CODES, ""))[industry]  # -1 -> ""
    is_ = {c: cat == c for c in range(len(CATEGORIES))}

    high_energy = np.isin(ind_code, list(HIGH_ENERGY_INDUSTRIES))
    restricted = (np.isin(ind_code, list(RESTRICTED_INDUSTRIES)) & (rng.random(n) < 0.85)) | (
        np.isin(ind_code, ["C26", "C32"]) & (rng.random(n) < 0.20)
    )

    # Opening: most accounts are old; some open during the window (short history).
    new = rng.random(n) < _NEW_P[cat]
    open_month = np.where(new, rng.integers(0, months, size=n), -1)
    ms = cal.month_start
    dim = ms[np.maximum(open_month, 0) + 1] - ms[np.maximum(open_month, 0)]
    new_day = ms[np.maximum(open_month, 0)] + np.floor(rng.random(n) * dim).astype(np.int64)
    oldest = np.where(is_[_TMP], ms[0] - 700, int(_OLDEST_OPENING.astype(np.int64)))
    old_day = oldest + np.floor(rng.random(n) ** 0.8 * (ms[0] - oldest)).astype(np.int64)
    opened = np.where(new, new_day, np.minimum(old_day, ms[0] - 1))
    first = np.maximum(open_month, 0)
    first_frac = np.where(new, (ms[first + 1] - opened) / dim, 1.0)

    # Consumption and price.
    tenant = rng.random(n) < _P_TENANT[cat]
    vacant = is_[_RES] & ~tenant & (rng.random(n) < 0.05)
    base_kwh = _KWH_MEDIAN[cat] * np.exp(_KWH_SIGMA[cat] * rng.standard_normal(n))
    base_kwh = np.where(high_energy, base_kwh * 2.0, base_kwh)
    base_kwh = np.where(vacant, 4.0 * np.exp(0.8 * rng.standard_normal(n)), base_kwh)
    base_kwh = np.clip(base_kwh, 1.0, 3.0e6)
    price = np.where(is_[_RES], _PRICE[_RES], _PRICE[cat] * rng.uniform(0.94, 1.06, n))
    season_strength = np.where(np.isin(ind_code, ["A03", "A04"]), 0.3, 1.0)

    # Supply: capacity from consumption, voltage from capacity.
    lf = _LOAD_FACTOR[cat] * rng.uniform(0.7, 1.3, n)
    need = base_kwh / (730.0 * np.where(lf > 0, lf, 1.0))
    kva = _KVA_SIZES[np.minimum(np.searchsorted(_KVA_SIZES, need), _KVA_SIZES.size - 1)]
    voltage = np.select([kva <= 100, kva <= 8000, kva <= 40000], [0.38, 10.0, 35.0], 110.0)
    res_kva = np.array([4.0, 6.0, 8.0, 10.0, 12.0])[rng.integers(0, 5, n)]
    res_v = np.where(rng.random(n) < 0.8, 0.22, 0.38)
    voltage = np.where(is_[_RES], res_v, voltage)
    capacity = np.where(is_[_RES], res_kva, kva)
    unknown_supply = rng.random(n) < np.where(is_[_RES], 0.10, 0.02)
    voltage = np.where(unknown_supply & is_[_RES], np.nan, voltage)
    capacity = np.where(unknown_supply, np.nan, capacity)

    # Who pays, and how.
    refuser = (rng.random(n) < _P_REFUSER[cat]) & ~vacant
    prepaid = (rng.random(n) < np.where(vacant, 0.15, _P_PREPAID[cat])) & ~refuser
    budget = is_[_PUB] & (rng.random(n) < 0.9)
    channel = np.empty(n, dtype=np.int8)
    cum = np.cumsum(_CHANNEL_P[cat], axis=1)
    channel[:] = (rng.random(n)[:, None] > cum).sum(axis=1)
    channel = np.minimum(channel, len(CHANNELS) - 1).astype(np.int8)
    # Refusers and absent owners of vacant homes pay at the counter or by an agent.
    absent = np.where(rng.random(n) < 0.6, _CH["counter"], _CH["agent"])
    channel = np.where((refuser | vacant) & (rng.random(n) < 0.7), absent, channel)
    channel[prepaid] = _CH["prepaid"]
    treasury = np.where(rng.random(n) < 0.7, _CH["other"], _CH["counter"])
    channel = np.where(budget, treasury, channel).astype(np.int8)
    u = rng.random(n)
    p_ok = np.where(tenant | vacant, _P_CONTACT_OK[cat] - 0.25, _P_CONTACT_OK[cat])
    contact = np.where(u < 0.08, -1, np.where(u < 0.08 + 0.92 * p_ok, 1, 0)).astype(np.int8)
    z = rng.standard_normal(n)
    base_logit = (
        _BASE_LOGIT[cat]
        + 0.8 * z
        + _CHANNEL_LOGIT[channel]
        + _REGION_LOGIT[region]
        + np.select([contact == 0, contact == -1], [0.45, 0.25], 0.0)
        + 0.6 * tenant
    )
    tenant_known = ~(is_[_RES] & (rng.random(n) < 0.03))

    exp_bill = base_kwh * price
    large = exp_bill > _LARGE_BILL
    deposit = np.where(
        large & (rng.random(n) < 0.12 + 0.18 * high_energy),
        np.round(exp_bill * rng.uniform(0.5, 2.0, n), -3),
        0.0,
    )
    guarantee = large & (rng.random(n) < 0.04 + 0.16 * (high_energy & restricted))
    base_logit = base_logit - 0.3 * guarantee
    instalment = large & ~prepaid & (rng.random(n) < 0.35)
    prepurchase = new & ~is_[_RES] & (voltage >= 10.0) & ~prepaid & (rng.random(n) < 0.5)
    roundup_ok = is_[_RES] & ~prepaid & (channel != _CH["bank_debit"])
    roundup = np.where(
        roundup_ok & (rng.random(n) < 0.12),
        np.array([10.0, 50.0, 100.0])[rng.integers(0, 3, n)],
        0.0,
    )
    topup_buffer = np.where(is_[_RES], rng.uniform(30, 150, n), 0.3 * exp_bill)
    vacant_style = rng.choice(3, size=n, p=[0.45, 0.40, 0.15]).astype(np.int8)
    harvest = np.isin(ind_code, ["A01", "A05"]) & ~prepaid & (rng.random(n) < 0.30)
    est_p = _REGION_EST[region] * np.exp(0.5 * rng.standard_normal(n) - 0.125)
    est_p = np.clip(est_p * np.where(prepaid, 0.4, 1.0) * np.where(vacant, 2.0, 1.0), 0, 0.5)
    due_day = np.where(is_[_RES], 20, rng.integers(15, 21, n))
    debit_day = rng.integers(4, 9, n)

    c = _Customers(
        n=n,
        cat=cat,
        region=region,
        industry=industry,
        open_month=open_month,
        opened=opened,
        first=first,
        first_frac=first_frac,
        voltage=voltage,
        capacity=capacity,
        high_energy=high_energy,
        restricted=restricted,
        prepaid=prepaid,
        tenant=tenant,
        tenant_known=tenant_known,
        budget=budget,
        group=np.full(n, -1, dtype=np.int32),
        deposit=deposit,
        guarantee=guarantee,
        contact=contact,
        base_kwh=base_kwh,
        price=price,
        season_strength=season_strength,
        channel=channel,
        base_logit=base_logit,
        refuser=refuser,
        vacant=vacant,
        vacant_style=vacant_style,
        harvest=harvest,
        est_p=est_p,
        instalment=instalment,
        prepurchase=prepurchase,
        roundup=roundup,
        topup_buffer=topup_buffer,
        due_day=due_day,
        issue_region=region.copy(),
        debit_day=debit_day,
        src=np.arange(n),
        group_names=[],
    )
    _assign_groups(rng, c, ind_code)
    _life_events(rng, c, cal)
    return c


def _assign_groups(rng: np.random.Generator, c: _Customers, ind_code: np.ndarray) -> None:
    """Group customers: telecom base stations, chain stores, schools of a station.

    Members share the leader's (first member's) paying traits and random draws, so a
    group pays all its accounts on the same day.
    """
    n = c.n
    group = np.full(n, -1, dtype=np.int64)
    names: list[str] = []
    # Three telecom operators with their base stations.
    telecom = np.flatnonzero((c.cat == _COM) & (ind_code == "I63"))
    group[telecom] = rng.choice(3, size=telecom.size, p=[0.5, 0.3, 0.2])
    names += ["telecom"] * 3
    # Chain stores, about 25 shops per chain.
    chain = np.flatnonzero((c.cat == _COM) & (ind_code == "F52") & (rng.random(n) < 0.12))
    n_chain = max(1, round(chain.size / 25))
    group[chain] = len(names) + rng.integers(0, n_chain, chain.size)
    names += ["chain"] * n_chain
    # Budget-funded schools pay through the education bureau of their station.
    schools = np.flatnonzero(c.budget & (ind_code == "P83"))
    group[schools] = len(names) + c.region[schools].astype(np.int64)
    names += ["education"] * len(REGIONS)
    # Keep groups with at least two accounts, numbered in order of first member.
    sizes = np.bincount(group[group >= 0], minlength=len(names))
    group = np.where((group >= 0) & (sizes[np.maximum(group, 0)] >= 2), group, -1)
    used = np.flatnonzero(group >= 0)
    if used.size == 0:
        return
    old_ids, first_pos = np.unique(group[used], return_index=True)
    order = np.argsort(first_pos, kind="stable")
    remap = np.full(len(names), -1, dtype=np.int64)
    remap[old_ids[order]] = np.arange(old_ids.size)
    group[used] = remap[group[used]]
    leader = used[np.sort(first_pos)]  # leader of new group g
    members = used
    lead = leader[group[members]]
    c.group = group.astype(np.int32)
    c.group_names = [names[g] for g in old_ids[order]]
    c.src[members] = lead
    # Members pay like their leader: one office, one channel, one day.
    lead_cat = c.cat[lead]
    telecom_lead = np.array([names[g] == "telecom" for g in old_ids[order]])[group[members]]
    lead_ch = np.where(c.channel[lead] == _CH["prepaid"], _CH["online"], c.channel[lead])
    c.channel[lead] = np.where(
        telecom_lead, _CH["bank_debit"], np.where(lead_cat == _PUB, _CH["other"], lead_ch)
    )
    for arr in (c.channel, c.base_logit, c.due_day, c.issue_region, c.debit_day, c.contact):
        arr[members] = arr[lead]
    c.base_logit[members] = np.where(
        telecom_lead, np.minimum(c.base_logit[members], -4.0), c.base_logit[members]
    )
    for arr in (c.refuser, c.prepaid, c.tenant, c.instalment, c.roundup, c.harvest):
        arr[members] = 0
    c.tenant_known[members] = True


def _life_events(rng: np.random.Generator, c: _Customers, cal: _Calendar) -> None:
    """Move-outs, temporary sites ending, distress, the downturn and bankruptcies."""
    n, months = c.n, cal.months
    never = np.full(n, _NEVER, dtype=np.int64)
    last_bill, stop_pay = never.copy(), never.copy()
    after_frac, after_delay = np.zeros(n), np.zeros(n, dtype=np.int64)
    first = c.first
    n_unpaid = rng.integers(1, 4, n)  # bills left behind

    # Tenants move out and leave the last 1-3 bills unpaid; the owner sometimes pays.
    hazard = np.where(c.cat == _RES, 0.018, 0.014)
    move = first + rng.geometric(hazard) - 1
    moved = c.tenant & (move < months) & (c.group < 0)
    last_bill = np.where(moved, move, last_bill)
    moved &= rng.random(n) < 0.75  # the others settle their last bill
    stop_pay = np.where(moved, np.maximum(first, move - n_unpaid + 1), stop_pay)
    owner = moved & (rng.random(n) < 0.35)
    after_frac = np.where(owner, 1.0, after_frac)
    after_delay = np.where(owner, rng.integers(30, 181, n), after_delay)

    # Temporary connections end; some contractors vanish with the last bills.
    tmp = c.cat == _TMP
    end = np.where(c.open_month >= 0, c.open_month + rng.integers(5, 31, n), rng.integers(1, 25, n))
    last_bill = np.where(tmp, np.minimum(last_bill, end), last_bill)
    runaway = tmp & (end < months) & (rng.random(n) < 0.30)
    stop_pay = np.where(runaway, np.maximum(first, end - n_unpaid + 1), stop_pay)

    # Vacant homes that never pay.
    stop_pay = np.where(c.vacant & (c.vacant_style == 2), first, stop_pay)

    # Industry downturn: restricted and high-energy customers hit from ~period 18.
    d0 = downturn_period(months)
    exposed = np.isin(c.industry, [_IND_CODES.index(x) for x in DOWNTURN_INDUSTRIES])
    hit = (c.restricted & (rng.random(n) < 0.5)) | (
        exposed & ~c.restricted & (rng.random(n) < 0.25)
    )
    hit &= c.cat != _RES
    c0 = np.where(hit, d0 + rng.integers(0, 4, n), _NEVER)
    pay_on = np.where(hit, c0 + rng.integers(1, 5, n), _NEVER)
    floor = np.where(hit, rng.uniform(0.3, 0.8, n), 1.0)
    fail = np.where(
        hit & (rng.random(n) < np.where(c.restricted, 0.35, 0.15)),
        pay_on + rng.integers(3, 12, n),
        _NEVER,
    )
    rec = np.where(
        hit & (fail == _NEVER) & (rng.random(n) < 0.2), pay_on + rng.integers(6, 15, n), _NEVER
    )

    # Businesses in distress (any industry): consumption falls and turns erratic
    # 2-6 months before lateness starts.
    business = np.isin(c.cat, [_COM, _IND, _AGR, _TMP]) & (c.group < 0)
    dist = business & ~hit & (rng.random(n) < _P_DISTRESS[c.cat])
    d_c0 = np.maximum(rng.integers(1, max(months - 1, 2), n), first + 3)
    d_pay = d_c0 + rng.integers(2, 7, n)
    c0 = np.where(dist, d_c0, c0)
    pay_on = np.where(dist, d_pay, pay_on)
    floor = np.where(dist, rng.uniform(0.25, 0.75, n), floor)
    d_fail = dist & (rng.random(n) < 0.35)
    fail = np.where(d_fail, d_pay + rng.integers(2, 10, n), fail)
    rec = np.where(dist & ~d_fail & (rng.random(n) < 0.4), d_pay + rng.integers(3, 10, n), rec)

    # Bankruptcy: nothing paid from the failure month, standby bills for a few months.
    bankrupt = fail < months
    stop_pay = np.where(bankrupt, np.minimum(stop_pay, fail), stop_pay)
    last_bill = np.where(bankrupt, np.minimum(last_bill, fail + rng.integers(1, 5, n)), last_bill)
    guarantor = bankrupt & c.guarantee
    after_frac = np.where(guarantor, rng.uniform(0.5, 1.0, n), after_frac)
    after_delay = np.where(guarantor, rng.integers(60, 181, n), after_delay)

    c.last_bill = np.maximum(last_bill, first)
    c.stop_pay = np.maximum(stop_pay, first)
    c.after_frac, c.after_delay = after_frac, after_delay
    c.cons_onset, c.pay_onset, c.recover, c.fail = c0, pay_on, rec, fail
    c.floor = floor
    c.standby = rng.uniform(0.05, 0.2, n)
    c.sector_down = exposed & ~hit


def _downturn_effect(c: _Customers, k: int, months: int) -> tuple[np.ndarray, np.ndarray]:
    """Sector-wide consumption factor and lateness shift of exposed customers not hit."""
    d0 = downturn_period(months)
    if k < d0:
        return np.ones(c.n), np.zeros(c.n)
    ramp = min((k - d0 + 1) / 6, 1.0)
    weight = np.where(c.restricted, 1.0, 0.5) * c.sector_down
    return 1.0 - 0.12 * ramp * weight, 0.5 * ramp * weight


# --------------------------------------------------------------------------- simulation


class _PaymentBuffer:
    """Append-only columns of payments (capacity reserved lazily by the OS)."""

    def __init__(self, capacity: int) -> None:
        self.cust = np.empty(capacity, dtype=np.int32)
        self.date = np.empty(capacity, dtype=np.int32)
        self.amount = np.empty(capacity, dtype=np.float64)
        self.channel = np.empty(capacity, dtype=np.int8)
        self.size = 0

    def add(
        self,
        mask: np.ndarray,
        date: np.ndarray,
        amount: np.ndarray,
        channel: np.ndarray,
        extract_end: int,
    ) -> None:
        amount = np.round(amount, 2)
        keep = mask & (amount > 0) & (date <= extract_end)
        idx = np.flatnonzero(keep)
        m = idx.size
        if self.size + m > self.cust.size:
            cap = max(self.cust.size * 2, self.size + m)
            for name in ("cust", "date", "amount", "channel"):
                old = getattr(self, name)
                new = np.empty(cap, dtype=old.dtype)
                new[: self.size] = old[: self.size]
                setattr(self, name, new)
        end = self.size + m
        self.cust[self.size : end] = idx
        self.date[self.size : end] = date[idx]
        self.amount[self.size : end] = amount[idx]
        self.channel[self.size : end] = channel[idx]
        self.size = end


@dataclass
class _BillGrid:
    """Bills as (period, customer) grids."""

    billed: np.ndarray  # bool
    kwh: np.ndarray  # float32 (integer kWh)
    amount: np.ndarray  # float64
    estimated: np.ndarray  # bool
    issue_off: np.ndarray  # (months, regions) int8: issue day - 1


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _residential_amount(kwh: np.ndarray) -> np.ndarray:
    """Tiered household tariff: 0.56 up to 210 kWh, 0.61 to 400, 0.86 above."""
    pos = np.maximum(kwh, 0.0)
    tiered = (
        0.56 * np.minimum(pos, 210.0)
        + 0.61 * np.clip(pos - 210.0, 0.0, 190.0)
        + 0.86 * np.maximum(pos - 400.0, 0.0)
    )
    return np.where(kwh >= 0, tiered, 0.56 * kwh)


@dataclass
class _State:
    """What each customer carries from month to month."""

    owed: np.ndarray  # billed minus paid (negative = credit)
    hold: np.ndarray  # day of the lump payment that ends a hold, -1 none
    hold_frac: np.ndarray
    hold_extra: np.ndarray  # added to the lump (vacant homes paying ahead)
    eps: np.ndarray  # AR(1) consumption noise
    ema: np.ndarray  # recent consumption (basis of estimates)
    carry: np.ndarray  # kWh still to correct after estimates


def _simulate(
    rng: np.random.Generator, c: _Customers, cal: _Calendar, progress: bool
) -> tuple[_BillGrid, _PaymentBuffer]:
    """Run the months: bills into grids, payments into a buffer."""
    n, months = c.n, cal.months
    grid = _BillGrid(
        billed=np.zeros((months, n), dtype=bool),
        kwh=np.zeros((months, n), dtype=np.float32),
        amount=np.zeros((months, n), dtype=np.float64),
        estimated=np.zeros((months, n), dtype=bool),
        issue_off=rng.integers(0, 3, (months, len(REGIONS))).astype(np.int8),
    )
    pays = _PaymentBuffer(int(n * months * 1.4) + 16)
    st = _State(
        owed=np.zeros(n),
        hold=np.full(n, -1, dtype=np.int64),
        hold_frac=np.ones(n),
        hold_extra=np.zeros(n),
        eps=np.zeros(n),
        ema=c.base_kwh.copy(),
        carry=np.zeros(n),
    )
    rho = 0.6
    sigma = _NOISE[c.cat]
    months_iter: range = range(months)
    if progress:
        from tqdm import tqdm

        months_iter = tqdm(months_iter, desc="simulating months", unit="month")  # type: ignore[assignment]
    for k in months_iter:
        _step(rng, c, cal, st, grid, pays, k, rho, sigma)
    return grid, pays


def _step(
    rng: np.random.Generator,
    c: _Customers,
    cal: _Calendar,
    st: _State,
    grid: _BillGrid,
    pays: _PaymentBuffer,
    k: int,
    rho: float,
    sigma: np.ndarray,
) -> None:
    """One period: consumption, the bill, and the payments that follow it."""
    n, months = c.n, cal.months
    ms0, ms1, ms2 = (int(x) for x in cal.month_start[k : k + 3])
    dim = ms1 - ms0
    cm = cal.calendar_month(k)
    end = cal.extract_end
    src = c.src

    def draw() -> np.ndarray:
        return rng.random(n)[src]

    # 1. Consumption.
    billed = (c.first <= k) & (k <= c.last_bill)
    st.eps = rho * st.eps + np.sqrt(1 - rho**2) * sigma * rng.standard_normal(n)
    season = 1.0 + c.season_strength * (_SEASON[c.cat, cm] - 1.0)
    sector, sector_logit = _downturn_effect(c, k, months)
    since = k - c.cons_onset
    distressed = (since >= 0) & (k < c.recover)
    level = np.where(distressed, 1.0 - (1.0 - c.floor) * np.clip((since + 1) / 4, 0, 1), 1.0)
    level = np.where((k >= c.recover) & (c.recover < _NEVER), 0.9, level)
    level = np.where(k >= c.fail, c.standby, level)
    erratic = np.where(distressed, np.exp(0.35 * rng.standard_normal(n) - 0.06), 1.0)
    first_frac = np.where(k == c.open_month, c.first_frac, 1.0)
    true_kwh = c.base_kwh * season * np.exp(st.eps) * sector * level * erratic * first_frac
    true_kwh = np.where(c.vacant & (rng.random(n) < 0.35), 0.0, true_kwh)
    true_kwh = np.rint(true_kwh)

    # 2. Reading: estimated when collection fails, corrected later.
    est = billed & (k > c.open_month) & (rng.random(n) < c.est_p)
    est_kwh = np.rint(st.ema * rng.uniform(0.85, 1.35, n))
    net = true_kwh + st.carry
    corrected = np.maximum(net, -np.rint(0.15 * st.ema))  # large corrections spread out
    bill_kwh = np.where(est, est_kwh, corrected)
    st.carry = np.where(
        billed, np.where(est, st.carry + true_kwh - est_kwh, net - bill_kwh), st.carry
    )
    st.ema = np.where(billed, 0.7 * st.ema + 0.3 * true_kwh, st.ema)
    amount = np.where(c.cat == _RES, _residential_amount(bill_kwh), bill_kwh * c.price)
    amount = np.where(billed, np.round(amount, 2), 0.0)
    over = est & (est_kwh > 1.2 * np.maximum(true_kwh, 1.0)) & (c.group < 0)
    over_amount = np.where(over, amount * (1 - true_kwh / np.maximum(est_kwh, 1.0)), 0.0)

    grid.billed[k] = billed
    grid.kwh[k] = np.maximum(bill_kwh, 0.0) * billed
    grid.amount[k] = amount
    grid.estimated[k] = est
    issue = ms1 + grid.issue_off[k, c.issue_region].astype(np.int64)
    due = ms1 + c.due_day - 1

    # 3. Payments during the consumption month, before the bill.
    alive = billed & (k < c.stop_pay)
    u, u2 = draw(), draw()
    pre_date = ms0 + np.floor(u * dim).astype(np.int64)
    need = st.owed + amount + c.topup_buffer
    step = np.where(c.cat == _RES, 50.0, 100.0)
    topup = c.prepaid & alive & (need > 0)
    pre_amt = np.where(topup, np.ceil(need / step) * step, 0.0)
    late_topup = topup & (u2 < 0.01)
    pre_date = np.where(late_topup, due + 1 + np.floor(u * 14).astype(np.int64), pre_date)
    opening = (k == c.open_month) & c.prepurchase
    pre_amt = np.where(opening, np.round(np.maximum(c.exp_bill, 100.0), -2), pre_amt)
    inst = c.instalment & alive & ~opening & (st.hold < 0) & (amount > 1000) & (k < c.pay_onset)
    pre_amt = np.where(inst, np.round(amount * (0.4 + 0.2 * u2), -2), pre_amt)
    pre_date = np.where(inst, ms0 + 11 + np.floor(u * 9).astype(np.int64), pre_date)
    pre_date = np.where(opening, c.opened, np.maximum(pre_date, c.opened))
    pre_mask = topup | opening | inst
    pays.add(pre_mask, pre_date, pre_amt, c.channel, end)
    st.owed += amount - np.where(pre_mask, np.round(pre_amt, 2), 0.0)

    # 4. Lumps that end a hold this month (after a notice, a harvest, the budget...).
    u, u2 = draw(), draw()
    lump = (st.hold >= 0) & (st.hold < ms2)
    lump_date = np.maximum(st.hold, issue)
    lump_amt = st.owed * st.hold_frac + st.hold_extra
    lump_amt = np.where(st.hold_extra > 0, np.ceil(lump_amt / 50.0) * 50.0, lump_amt)
    lump_pay = lump & (st.owed > 0.005)
    lump_ch = np.where(u < 0.6, _CH["counter"], c.channel).astype(np.int8)
    lump_ch = np.where(c.group >= 0, c.channel, lump_ch).astype(np.int8)
    pays.add(lump_pay, lump_date, lump_amt, lump_ch, end)
    st.owed -= np.where(lump_pay, np.round(lump_amt, 2), 0.0)
    st.hold = np.where(lump, -1, st.hold)
    st.hold_extra = np.where(lump, 0.0, st.hold_extra)

    # 5. The regular payment of this bill.
    _decide(
        rng,
        c,
        cal,
        st,
        pays,
        k,
        amount,
        over_amount,
        over,
        billed,
        issue,
        due,
        lump,
        sector_logit,
        draw,
    )

    # 6. Closing: a dead account's deposit is applied, a third party may pay later.
    closing = billed & (k == c.last_bill) & (c.stop_pay <= k)
    u = draw()
    apply_dep = closing & (c.deposit > 0) & (st.owed > 0.005)
    dep_amt = np.minimum(c.deposit, st.owed)
    dep_date = due + 20 + np.floor(u * 25).astype(np.int64)
    pays.add(apply_dep, dep_date, dep_amt, np.full(n, _CH["other"], dtype=np.int8), end)
    st.owed -= np.where(apply_dep, np.round(dep_amt, 2), 0.0)
    third = closing & (c.after_frac > 0) & (st.owed > 0.005)
    st.hold = np.where(third, np.maximum(due + c.after_delay, ms2), st.hold)
    st.hold_frac = np.where(third, c.after_frac, st.hold_frac)


def _decide(
    rng: np.random.Generator,
    c: _Customers,
    cal: _Calendar,
    st: _State,
    pays: _PaymentBuffer,
    k: int,
    amount: np.ndarray,
    over_amount: np.ndarray,
    over: np.ndarray,
    billed: np.ndarray,
    issue: np.ndarray,
    due: np.ndarray,
    lumped: np.ndarray,
    sector_logit: np.ndarray,
    draw: Callable[[], np.ndarray],
) -> None:
    """Choose for each customer how this bill is paid: on time, late, in part or in a lump."""
    n = c.n
    ms1, ms2 = int(cal.month_start[k + 1]), int(cal.month_start[k + 2])
    end = cal.extract_end
    issue_month = cal.calendar_month(k + 1)  # 0 = January
    u, u2, u3, u4, u5, u6 = (draw() for _ in range(6))
    owed = st.owed
    dead = k >= c.stop_pay
    eligible = billed & ~dead & ~c.prepaid & (st.hold < 0) & ~lumped & (owed > 0.005)

    # Probabilities of a long hold (a lump later), a partial payment, a late payment.
    p_late = _sigmoid(c.base_logit + sector_logit)
    p_hold = 0.06 * p_late
    p_part = _P_PARTIAL[c.cat].copy()
    delay_lo = np.full(n, 31)
    delay_hi = np.full(n, 75)
    frac = np.ones(n)
    p_late = np.where(c.refuser, 0.35, p_late)
    p_hold = np.where(c.refuser, 0.35, p_hold)
    delay_lo = np.where(c.refuser, 30, delay_lo)
    delay_hi = np.where(c.refuser, 90, delay_hi)
    q1 = 1.0 if issue_month <= 2 else 0.0  # budgets arrive late at the start of the year
    p_hold = np.where(c.budget, 0.12 + 0.25 * q1, p_hold)
    p_late = np.where(c.budget, 0.15, p_late)
    delay_lo = np.where(c.budget, 20, delay_lo)
    delay_hi = np.where(c.budget, 60, delay_hi)
    in_season = 2 <= cal.calendar_month(k) <= 8
    harvest_now = c.harvest & in_season
    p_hold = np.where(harvest_now, 0.40, p_hold)
    stress = np.where(
        (k >= c.pay_onset) & (k < c.recover), np.clip((k - c.pay_onset + 1) / 3, 0, 1), 0.0
    )
    p_late = p_late + 0.30 * stress
    p_part = p_part + 0.25 * stress
    p_hold = p_hold + 0.25 * stress
    distressed_hold = stress > 0
    delay_hi = np.where(distressed_hold, 120, delay_hi)
    frac = np.where(distressed_hold, 0.3 + 0.7 * u4, frac)
    vac = c.vacant
    p_hold = np.where(vac, 1.0, p_hold)
    delay_lo = np.where(vac, np.where(c.vacant_style == 0, 5, 60), delay_lo)
    delay_hi = np.where(vac, np.where(c.vacant_style == 0, 120, 300), delay_hi)
    total = p_hold + p_part + p_late
    scale = np.where(total > 1, 1 / np.maximum(total, 1e-12), 1.0)
    p_hold, p_part, p_late = p_hold * scale, p_part * scale, p_late * scale
    # Bank debits take what is billed; others may dispute an over-estimate.
    dispute = over & (u5 < 0.4) & ~vac & (c.channel != _CH["bank_debit"])

    c_hold = eligible & (u < p_hold)
    c_part = eligible & ~c_hold & (u < p_hold + p_part)
    c_late = eligible & ~c_hold & ~c_part & (u < p_hold + p_part + p_late)
    c_on = eligible & ~c_hold & ~c_part & ~c_late
    # A disputed over-estimate: the usual amount on time, or all of it after a check.
    d_part = c_on & dispute & (u4 < 0.4)
    d_late = c_on & dispute & ~d_part
    c_on &= ~dispute

    ch = c.channel
    # On time: in the window, by channel; counter payers miss the window more often.
    on_date = issue + np.floor(u2 * 8).astype(np.int64)
    online = np.minimum(np.floor(-np.log1p(-u2 * 0.999) * 2.5), 8).astype(np.int64)
    on_date = np.where(ch == _CH["online"], issue + online, on_date)
    on_date = np.where(ch == _CH["bank_debit"], ms1 + c.debit_day - 1, on_date)
    miss = u3 < _MISS_WINDOW[ch]
    late_window = ms1 + 10 + np.floor(u2 * (due - ms1 - 9)).astype(np.int64)
    on_date = np.where(miss, late_window, on_date)
    on_date = np.where(c.refuser, due - np.floor(u2 * 4).astype(np.int64), on_date)
    on_date = np.clip(on_date, issue, due)
    debit_fail = c_on & (ch == _CH["bank_debit"]) & (u3 < 0.02)
    # Late: mostly a few days, some up to the grace limit.
    exp_days = 1 + np.minimum(np.floor(-np.log1p(-u2 * 0.999) * 7), 29)
    late_days = np.where(u3 < 0.75, exp_days, 1 + np.floor(u2 * 30)).astype(np.int64)
    late_days = np.where(debit_fail, 3 + np.floor(u2 * 18).astype(np.int64), late_days)
    late_days = np.where(d_late, 10 + np.floor(u2 * 36).astype(np.int64), late_days)
    late_now = c_late | debit_fail | d_late
    date = np.where(late_now, due + late_days, on_date)

    full = np.where(c.roundup > 0, np.ceil(owed / np.maximum(c.roundup, 1)) * c.roundup, owed)
    part_frac = 0.2 + 0.65 * u4
    pay_amt = np.where(c_part, owed * part_frac, full)
    pay_amt = np.where(d_part, np.maximum(owed - over_amount, 0.0), pay_amt)
    pay_ch = np.where(u5 < 0.04, _OTHER_CHANNELS[np.floor(u6 * 6).astype(np.int64) % 6], ch)
    pay_ch = np.where(c.group >= 0, ch, pay_ch).astype(np.int8)
    regular = (c_on & ~debit_fail) | late_now | c_part | d_part
    pays.add(regular, date, pay_amt, pay_ch, end)
    st.owed -= np.where(regular, np.round(pay_amt, 2), 0.0)

    # A second payment: the rest of a partial payment, or the same bill paid twice.
    rest = c_part & (u3 < 0.45)
    twice = c_on & ~debit_fail & (u6 < 0.002) & (c.group < 0)
    x_date = np.where(
        rest,
        due + 5 + np.floor(u5 * 36).astype(np.int64),
        date + 1 + np.floor(u5 * 3).astype(np.int64),
    )
    x_amt = np.where(rest, st.owed, pay_amt)
    pays.add(rest | twice, x_date, x_amt, ch, end)
    st.owed -= np.where(rest | twice, np.round(x_amt, 2), 0.0)

    # Holds: nothing now, one lump later.
    delay = delay_lo + np.floor(u2 * (delay_hi - delay_lo + 1)).astype(np.int64)
    hold_day = due + delay
    if in_season:
        wheat = cal.day(k + 1, 6, 20)
        autumn = cal.day(k + 1, 10, 15)
        harvest_day = np.where(ms1 < cal.day(k + 1, 6, 1), wheat, autumn)
        harvest_day = harvest_day + np.floor(u3 * 25).astype(np.int64)
        hold_day = np.where(harvest_now, harvest_day, hold_day)
    st.hold = np.where(c_hold, np.maximum(hold_day, ms2), st.hold)
    st.hold_frac = np.where(c_hold, frac, st.hold_frac)
    ahead = vac & (c.vacant_style == 0)
    st.hold_extra = np.where(
        c_hold, np.where(ahead, 50.0 + np.floor(u3 * 4) * 50.0, 0.0), st.hold_extra
    )
    st.hold = np.where(dead & (st.hold >= 0) & (c.after_frac == 0) & (k == c.stop_pay), -1, st.hold)


# --------------------------------------------------------------------------- frames


def _str_column(labels: list[str], codes: np.ndarray) -> pd.Series:
    """A pandas ``str`` column of ``labels[codes]`` built in Arrow; negative codes are NA."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dictionary = pa.array(labels, type=pa.large_string())
    missing = codes < 0
    indices = pa.array(codes, mask=missing) if missing.any() else pa.array(codes)
    taken = pc.take(dictionary, indices)
    return pd.Series(pd.array(taken, dtype="str"), copy=False)


def _bool_column(values: np.ndarray, known: np.ndarray | None = None) -> pd.Series:
    mask = np.zeros(values.shape, dtype=bool) if known is None else ~known
    return pd.Series(pd.arrays.BooleanArray(values.astype(bool), mask), copy=False)


def _day_column(days: np.ndarray) -> pd.Series:
    return pd.Series((np.asarray(days, dtype=np.int64) * 86400).astype("datetime64[s]"), copy=False)


def _customer_ids(n: int) -> list[str]:
    width = max(4, len(str(n)))
    return [f"C{i:0{width}d}" for i in range(1, n + 1)]


def _customers_frame(c: _Customers, ids: list[str]) -> pd.DataFrame:
    n = c.n
    industry = _str_column(list(_IND_CODES), c.industry.astype(np.int32))
    group = _str_column([f"G{g + 1:03d}" for g in range(len(c.group_names))], c.group)
    all_known = np.ones(n, dtype=bool)
    return pd.DataFrame(
        {
            "customer_id": pd.Series(ids, dtype="str"),
            "category": _str_column(list(CATEGORIES), c.cat.astype(np.int32)),
            "industry": industry,
            "region": _str_column(list(REGIONS), c.region.astype(np.int32)),
            "opened": _day_column(c.opened),
            "voltage_kv": c.voltage,
            "capacity_kva": c.capacity,
            "high_energy": _bool_column(c.high_energy, all_known),
            "restricted": _bool_column(c.restricted, all_known),
            "prepaid": _bool_column(c.prepaid, all_known),
            "tenant": _bool_column(c.tenant, c.tenant_known),
            "budget_funded": _bool_column(c.budget, all_known),
            "group_id": group,
            "deposit": c.deposit.astype(np.float64),
            "guarantee": _bool_column(c.guarantee, all_known),
            "contact_ok": _bool_column(c.contact == 1, c.contact >= 0),
        }
    )


def _bills_frame(c: _Customers, cal: _Calendar, grid: _BillGrid, ids: list[str]) -> pd.DataFrame:
    months = cal.months
    mask = grid.billed.T  # (customer, period) view: customer-major order
    counts = grid.billed.sum(axis=0)
    cust = np.repeat(np.arange(c.n, dtype=np.int32), counts)
    k_idx = np.broadcast_to(np.arange(months, dtype=np.int32), mask.shape)[mask]
    issue = cal.month_start[k_idx + 1] + grid.issue_off[k_idx, c.issue_region[cust]]
    due = cal.month_start[k_idx + 1] + c.due_day[cust] - 1
    frame = pd.DataFrame(
        {
            "customer_id": _str_column(ids, cust),
            "period": _str_column(cal.period_labels(), k_idx),
            "issue_date": _day_column(issue),
            "due_date": _day_column(due),
        },
        copy=False,
    )
    del issue, due, k_idx
    frame["kwh"] = grid.kwh.T[mask].astype(np.float64)
    frame["amount"] = grid.amount.T[mask]
    frame["estimated"] = _bool_column(grid.estimated.T[mask])
    return frame


def _payments_frame(pays: _PaymentBuffer, ids: list[str]) -> pd.DataFrame:
    """Payments sorted by customer and date; empties the buffer as it goes."""
    m = pays.size
    key = pays.cust[:m].astype(np.int64) << 32
    key |= pays.date[:m].astype(np.int64) & 0xFFFFFFFF
    order = np.argsort(key, kind="stable")
    del key
    empty = np.empty(0)
    cust = pays.cust[:m][order]
    pays.cust = empty.astype(np.int32)
    frame = pd.DataFrame({"customer_id": _str_column(ids, cust)}, copy=False)
    del cust
    frame["paid_date"] = _day_column(pays.date[:m][order])
    pays.date = empty.astype(np.int32)
    frame["amount"] = pays.amount[:m][order]
    pays.amount = empty
    frame["channel"] = _str_column(list(CHANNELS), pays.channel[:m][order].astype(np.int32))
    pays.channel = empty.astype(np.int8)
    pays.size = 0
    return frame


# --------------------------------------------------------------------------- public API


def simulate_ledger(
    n_customers: int = 3000,
    months: int = 36,
    start: str = "2023-01",
    seed: int = 0,
    progress: bool = False,
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

    Returns
    -------
    SampleTables
        ``(customers, bills, payments)`` as in ``CONTRACT.md`` section 1: ids and text
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
    n, months = int(n_customers), int(months)
    cal = _Calendar.make(start, months)
    rng = np.random.default_rng(seed)
    c = _draw_customers(rng, n, cal)
    grid, pays = _simulate(rng, c, cal, progress)
    ids = _customer_ids(n)
    customers = _customers_frame(c, ids)
    bills = _bills_frame(c, cal, grid, ids)
    del grid, c
    payments = _payments_frame(pays, ids)
    return SampleTables(customers, bills, payments)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV with dates as YYYY-MM-DD, booleans true/false (empty = unknown), no index."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.date32()))
    with open(path, "wb") as fh:
        fh.write((",".join(frame.columns) + "\n").encode())
        pcsv.write_csv(table, fh, pcsv.WriteOptions(include_header=False, quoting_style="none"))


def write_sample(
    path: str | os.PathLike[str],
    n_customers: int = 3000,
    months: int = 36,
    start: str = "2023-01",
    seed: int = 0,
    fmt: Literal["csv", "parquet"] = "csv",
    progress: bool = False,
) -> dict[str, Path]:
    """Simulate a ledger and write ``customers``, ``bills`` and ``payments`` to a folder.

    Parameters
    ----------
    path : str or os.PathLike
        Folder to write into (created if missing; existing files are replaced).
    n_customers, months, start, seed, progress
        As in :func:`simulate_ledger`.
    fmt : {"csv", "parquet"}, default "csv"
        CSV: dates ``YYYY-MM-DD``, booleans ``true``/``false`` (empty = unknown),
        amounts with at most 2 decimals, no index column.  Parquet: written by pyarrow.

    Returns
    -------
    dict of str to pathlib.Path
        The file written for each table.

    Raises
    ------
    ValueError
        If ``fmt`` is not ``"csv"`` or ``"parquet"``, or as :func:`simulate_ledger`.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    tables = simulate_ledger(n_customers, months, start, seed, progress)
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, frame in zip(SampleTables._fields, tables, strict=True):
        target = folder / f"{name}.{fmt}"
        if fmt == "csv":
            _write_csv(frame, target)
        else:
            frame.to_parquet(target, index=False, engine="pyarrow")
        written[name] = target
    return written


def count_rows(path: str | os.PathLike[str]) -> int:
    """Number of data rows of a table file written by :func:`write_sample`.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.csv`` file (with a header line) or a ``.parquet`` file.

    Returns
    -------
    int
        Rows, without the header.
    """
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)

"""The month-by-month simulation: consumption, bills and payments.

:func:`_simulate` runs the periods; each :func:`_step` computes the consumption, the
reading (estimated or not) and the bill, the payments made before the bill, the lumps
that end a hold, the regular payment chosen by :func:`_decide` (on time, late, in part
or held for a lump later) and the closing of dead accounts.  Bills go into
(period, customer) grids (:class:`_BillGrid`), payments into an append-only
:class:`_PaymentBuffer`, and what a customer carries from month to month into
:class:`_State`.

The billing conventions (issue day, due day, payment window) are described in
:mod:`arrearsrisk.sample.tables`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from arrearsrisk.sample.customers import _Customers, _downturn_effect, _shock_effect
from arrearsrisk.sample.parameters import (
    _CH,
    _MISS_WINDOW,
    _NEVER,
    _NOISE,
    _OTHER_CHANNELS,
    _P_PARTIAL,
    _RES,
    _SEASON,
    REGIONS,
    Shock,
)
from arrearsrisk.sample.periods import _Calendar


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
    rng: np.random.Generator,
    c: _Customers,
    cal: _Calendar,
    progress: bool,
    shocks: tuple[Shock, ...] = (),
    downturn: bool = True,
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
        _step(rng, c, cal, st, grid, pays, k, rho, sigma, shocks, downturn)
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
    shocks: tuple[Shock, ...] = (),
    downturn: bool = True,
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
    sector, sector_logit = _downturn_effect(c, k, months, downturn)
    shock_stress = None
    if shocks:  # a local downturn (no random draws: the rest of the world is unchanged)
        factor, shift, shock_stress = _shock_effect(c, k, shocks)
        sector, sector_logit = sector * factor, sector_logit + shift
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
        shock_stress,
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
    shock_stress: np.ndarray | None = None,
) -> None:
    """Choose for each customer how this bill is paid: on time, late, in part or in a lump
    (``shock_stress``: the stress of a :class:`~arrearsrisk.sample.parameters.Shock`,
    added to a business's own distress)."""
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
    if shock_stress is not None:
        stress = np.minimum(stress + shock_stress, 1.0)
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

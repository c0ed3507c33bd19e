"""The simulated customers: observed attributes, latent traits and life events.

:func:`_draw_customers` draws every customer's category, industry, station, supply,
opening, consumption, channel and willingness to pay (:class:`_Customers`), then
groups some of them (:func:`_assign_groups`: telecom base stations, chain stores,
schools) and draws their life events (:func:`_life_events`: move-outs, temporary sites
ending, distress, the industry downturn, bankruptcies).  :func:`_downturn_effect` is
the sector-wide effect of the downturn in a given month.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from arrearsrisk.ledger.schema import CATEGORIES, CHANNELS
from arrearsrisk.sample.parameters import (
    _AGR,
    _BASE_LOGIT,
    _CH,
    _CHANNEL_LOGIT,
    _CHANNEL_P,
    _COM,
    _IND,
    _IND_CODES,
    _INDUSTRY_MIX,
    _KVA_SIZES,
    _KWH_MEDIAN,
    _KWH_SIGMA,
    _LARGE_BILL,
    _LOAD_FACTOR,
    _NEVER,
    _NEW_P,
    _OLDEST_OPENING,
    _P_CONTACT_OK,
    _P_DISTRESS,
    _P_PREPAID,
    _P_REFUSER,
    _P_TENANT,
    _PRICE,
    _PUB,
    _REGION_EST,
    _REGION_LOGIT,
    _REGION_SHARE,
    _RES,
    _TMP,
    CATEGORY_SHARES,
    DOWNTURN_INDUSTRIES,
    HIGH_ENERGY_INDUSTRIES,
    REGIONS,
    RESTRICTED_INDUSTRIES,
    Shock,
    downturn_period,
)
from arrearsrisk.sample.periods import _Calendar


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


def _draw_customers(
    rng: np.random.Generator, n: int, cal: _Calendar, downturn: bool = True
) -> _Customers:
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
    _life_events(rng, c, cal, downturn)
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


def _life_events(
    rng: np.random.Generator, c: _Customers, cal: _Calendar, downturn: bool = True
) -> None:
    """Move-outs, temporary sites ending, distress, the downturn (unless ``downturn`` is
    false: the same draws, nobody hit) and bankruptcies."""
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
    hit &= downturn
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


def _downturn_effect(
    c: _Customers, k: int, months: int, downturn: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Sector-wide consumption factor and lateness shift of exposed customers not hit."""
    d0 = downturn_period(months)
    if k < d0 or not downturn:
        return np.ones(c.n), np.zeros(c.n)
    ramp = min((k - d0 + 1) / 6, 1.0)
    weight = np.where(c.restricted, 1.0, 0.5) * c.sector_down
    return 1.0 - 0.12 * ramp * weight, 0.5 * ramp * weight


def _shock_effect(
    c: _Customers, k: int, shocks: tuple[Shock, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Consumption factor, lateness shift and stress (as of a business in distress) of
    the :class:`Shock` segments in period ``k`` (deterministic: no random draws)."""
    factor, logit, stress = np.ones(c.n), np.zeros(c.n), np.zeros(c.n)
    for shock in shocks:
        if k < shock.start:
            continue
        hit = np.ones(c.n, dtype=bool)
        if shock.region is not None:
            hit &= c.region == REGIONS.index(shock.region)
        if shock.industry is not None:
            hit &= c.industry == _IND_CODES.index(shock.industry)
        if shock.category is not None:
            hit &= c.cat == CATEGORIES.index(shock.category)
        else:
            hit &= c.cat != _RES
        ramp = min((k - shock.start + 1) / shock.ramp, 1.0) * shock.strength
        factor = np.where(hit, factor * max(1.0 - shock.consumption * ramp, 0.05), factor)
        logit = np.where(hit, logit + ramp, logit)
        stress = np.where(hit, np.minimum(stress + ramp, 1.0), stress)
    return factor, logit, stress

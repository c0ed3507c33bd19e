"""Parameters of the simulated county power-supply company.

The tables the simulation draws from: the category mix, the supply stations, the
industries (and which ones the downturn hits), bill sizes, prices, seasonality, the
lateness of each category, channel and station, transformer sizes, plus the start of
the industry downturn (:func:`downturn_period`).  Arrays ``_X[cat]`` are indexed by
category in the order of :data:`~arrearsrisk.ledger.schema.CATEGORIES`; channel arrays
in the order of :data:`~arrearsrisk.ledger.schema.CHANNELS`.  The private names are
shared with the other modules of :mod:`arrearsrisk.sample` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arrearsrisk.ledger.schema import CATEGORIES, CHANNELS

__all__ = [
    "CATEGORY_SHARES",
    "DOWNTURN_INDUSTRIES",
    "HIGH_ENERGY_INDUSTRIES",
    "INDUSTRIES",
    "REGIONS",
    "REGION_NAMES",
    "RESTRICTED_INDUSTRIES",
    "Shock",
    "downturn_period",
]

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
REGION_NAMES: dict[str, str] = {
    "Dongcheng": "东城",
    "Xiguan": "西关",
    "Nanhu": "南湖",
    "Beishan": "北山",
    "Hexi": "河西",
    "Qiaotou": "桥头",
    "Shilipu": "十里铺",
    "Longquan": "龙泉",
}
"""The Chinese place name of each simulated station (its area's addresses and the
station's name, 东城供电所)."""
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


@dataclass(frozen=True)
class Shock:
    """A local downturn injected into a simulation (:func:`~arrearsrisk.sample.
    simulate_ledger`'s ``shocks``): from period ``start`` the customers of one segment
    pay later, pay in part, hold bills for months and consume less, as businesses in
    distress do, ramping up to full ``strength`` over ``ramp`` months.

    The segment is the customers matching every given field (``None`` matches all):
    ``region`` (one of :data:`REGIONS`), ``industry`` (a code of :data:`INDUSTRIES`),
    ``category`` (one of the usage categories).  Households (residential) are spared
    unless ``category="residential"`` is given.  At full strength a customer's per-bill
    lateness log-odds rise by ``strength``, its distress stress (the one that raises
    the chances of a late, a partial and a held payment by 0.30, 0.25 and 0.25) by
    ``strength`` (capped at 1), and consumption falls by ``consumption * strength``.
    The shock draws no random numbers, so a shocked ledger is the same world as the
    unshocked one up to ``start``.

    Parameters
    ----------
    start : int
        Index (from 0) of the first shocked period.
    region, industry, category : str, optional
        The segment hit.
    strength : float, default 1.0
        Rise of the lateness log-odds and of the stress at full strength (> 0; 0.3 is a
        mild downturn, 1 a severe one).
    consumption : float, default 0.1
        Fall of consumption per unit of strength, a share in [0, 1).
    ramp : int, default 3
        Months to full strength (>= 1).

    Examples
    --------
    >>> Shock(24, region="Beishan").segment
    'region=Beishan, non-residential'
    >>> Shock(24, region="Atlantis")
    Traceback (most recent call last):
    ...
    ValueError: Shock: region 'Atlantis' is not one of the simulated stations ...
    """

    start: int
    region: str | None = None
    industry: str | None = None
    category: str | None = None
    strength: float = 1.0
    consumption: float = 0.1
    ramp: int = 3

    def __post_init__(self) -> None:
        if isinstance(self.start, bool) or not isinstance(self.start, int) or self.start < 0:
            raise ValueError(f"Shock: start must be a period index >= 0; got {self.start!r}")
        if self.region is not None and self.region not in REGIONS:
            raise ValueError(
                f"Shock: region {self.region!r} is not one of the simulated stations "
                f"{', '.join(REGIONS)}"
            )
        if self.industry is not None and self.industry not in INDUSTRIES:
            raise ValueError(f"Shock: industry {self.industry!r} is not a simulated code")
        if self.category is not None and self.category not in CATEGORY_SHARES:
            raise ValueError(f"Shock: category {self.category!r} is not a usage category")
        if not (self.strength > 0 and 0 <= self.consumption < 1):
            raise ValueError(
                "Shock: strength must be > 0 and consumption in [0, 1); got "
                f"{self.strength!r}, {self.consumption!r}"
            )
        if isinstance(self.ramp, bool) or not isinstance(self.ramp, int) or self.ramp < 1:
            raise ValueError(
                f"Shock: ramp must be a whole number of months >= 1; got {self.ramp!r}"
            )

    @property
    def segment(self) -> str:
        """The segment hit, in words."""
        parts = [
            f"{name}={value}"
            for name, value in (
                ("region", self.region),
                ("industry", self.industry),
                ("category", self.category),
            )
            if value is not None
        ]
        if self.category is None:
            parts.append("non-residential")
        return ", ".join(parts)

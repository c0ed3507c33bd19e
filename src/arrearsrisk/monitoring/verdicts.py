"""Verdicts and the thresholds behind them.

Every row of a :class:`~arrearsrisk.monitoring.Monitoring` table carries one of three
verdicts, named here once: :data:`STABLE`, :data:`WATCH` and :data:`ALERT`.  The numbers
that decide them are the fields of :class:`Thresholds` (documented one by one, and in
``docs/monitoring.md``); pass your own to :func:`arrearsrisk.monitor` to override any.

Examples
--------
>>> Thresholds().psi_watch, Thresholds(psi_watch=0.2).psi_watch
(0.1, 0.2)
>>> worst([STABLE, ALERT, WATCH])
'alert'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from arrearsrisk.errors import ArrearsRiskError

__all__ = ["ALERT", "STABLE", "VERDICTS", "WATCH", "Thresholds", "rank", "worst"]

STABLE: Final[str] = "stable"
"""Nothing moved beyond chance and the thresholds."""

WATCH: Final[str] = "watch"
"""A movement beyond chance and past the watch threshold: look at it."""

ALERT: Final[str] = "alert"
"""A movement beyond chance and past the alert threshold: act on it."""

VERDICTS: Final[tuple[str, ...]] = (STABLE, WATCH, ALERT)
"""The verdicts, least serious first."""


def rank(verdict: str) -> int:
    """0, 1, 2 for stable, watch, alert.

    >>> rank(WATCH)
    1
    """
    return VERDICTS.index(verdict)


def worst(verdicts: Iterable[str]) -> str:
    """The most serious of ``verdicts`` (:data:`STABLE` for none)."""
    return max(verdicts, key=rank, default=STABLE)


@dataclass(frozen=True)
class Thresholds:
    """The numbers behind the verdicts (defaults in brackets; see ``docs/monitoring.md``).

    Attributes
    ----------
    psi_watch, psi_alert : float
        PSI (of p_I, the grade mix, each feature) from which a *significant* movement is
        watch (0.1) or alert (0.25): the usual PSI reading
        (:data:`arrearsrisk.evaluation.drift.PSI_STABLE`, ``PSI_SHIFT``).
    p_watch, p_alert : float
        Largest p-value of a movement that counts as beyond chance, for watch (1e-3)
        and alert (1e-5): PSI by its chi-square approximation (features: times the
        number of features, Bonferroni), mean and share shifts by their z-statistic
        (one-sided: risk rising), after the empirical-null scaling.
    shift_watch, shift_alert : float
        Smallest movement of a segment's mean p_I, beyond the portfolio's movement in
        the same month, that is watch (0.01) or alert (0.02).
    share_watch, share_alert : float
        The same for a share (customers in arrears, Grade I share): 0.01 and 0.02.
    missing_watch, missing_alert : float
        Rise of the features' missing share over the reference's same month: 0.05 and
        0.15.
    estimated_watch, estimated_alert : float
        Share of the month's bills with an estimated reading: 0.15 and 0.30.
    no_bill_watch, no_bill_alert : float
        Rise, over the previous month, of the share of customers without a bill issued
        in the month: 0.05 and 0.15.
    volume_watch, volume_alert : float
        Relative change of the number of customers against the reference's same month
        (beyond the portfolio's, for a segment): 0.25 and 0.5.
    auc_watch, auc_alert : float
        Fall of AUC below the backtest's: 0.03 and 0.07.
    rate_watch, rate_alert : float
        Fall of precision or recall (of Grade I, of the warning) below the backtest's:
        0.10 and 0.20.
    calibration_watch, calibration_alert : float
        Gap between observed and predicted Grade I rate (or warning rate), when
        significant: 0.02 and 0.05.
    min_customers : int
        Smallest segment judged on its own (200); smaller ones are pooled into
        ``"(other)"`` of their kind, or skipped when that is still too small.
    min_events : int
        Fewest Grade I (or warned) customers for a performance figure of a segment (20).
    top_movers : int
        Features named as the largest movers of a segment and month (5).
    """

    psi_watch: float = 0.1
    psi_alert: float = 0.25
    p_watch: float = 1e-3
    p_alert: float = 1e-5
    shift_watch: float = 0.01
    shift_alert: float = 0.02
    share_watch: float = 0.01
    share_alert: float = 0.02
    missing_watch: float = 0.05
    missing_alert: float = 0.15
    estimated_watch: float = 0.15
    estimated_alert: float = 0.30
    no_bill_watch: float = 0.05
    no_bill_alert: float = 0.15
    volume_watch: float = 0.25
    volume_alert: float = 0.5
    auc_watch: float = 0.03
    auc_alert: float = 0.07
    rate_watch: float = 0.10
    rate_alert: float = 0.20
    calibration_watch: float = 0.02
    calibration_alert: float = 0.05
    min_customers: int = 200
    min_events: int = 20
    top_movers: int = 5

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ArrearsRiskError(f"Thresholds.{f.name} must be a number; got {value!r}.")
            if not (math.isfinite(value) and value >= 0):
                raise ArrearsRiskError(f"Thresholds.{f.name} must be finite and >= 0; got {value}.")
        for low, high in (
            ("psi_watch", "psi_alert"),
            ("shift_watch", "shift_alert"),
            ("share_watch", "share_alert"),
            ("missing_watch", "missing_alert"),
            ("estimated_watch", "estimated_alert"),
            ("no_bill_watch", "no_bill_alert"),
            ("volume_watch", "volume_alert"),
            ("auc_watch", "auc_alert"),
            ("rate_watch", "rate_alert"),
            ("calibration_watch", "calibration_alert"),
        ):
            if getattr(self, low) > getattr(self, high):
                raise ArrearsRiskError(
                    f"Thresholds: {low} ({getattr(self, low)}) must not exceed {high} "
                    f"({getattr(self, high)})."
                )
        if not self.p_alert <= self.p_watch < 1:
            raise ArrearsRiskError(
                f"Thresholds: need p_alert <= p_watch < 1; got {self.p_alert}, {self.p_watch}."
            )
        for name in ("min_customers", "min_events", "top_movers"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ArrearsRiskError(f"Thresholds.{name} must be a whole number >= 1.")

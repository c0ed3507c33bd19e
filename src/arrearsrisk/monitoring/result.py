"""The result of :func:`arrearsrisk.monitor`: one long table and small helpers to read it.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-03"],
...     "check": ["score_shift"] * 3, "segment": ["region=N"] * 3, "item": ["mean_p_I"] * 3,
...     "value": [0.001, 0.02, 0.03], "threshold": [0.01] * 3,
...     "verdict": ["stable", "watch", "alert"], "n": [500.0] * 3, "p_value": [0.5, 1e-4, 1e-6],
...     "estimated": [False] * 3, "note": [""] * 3})
>>> result = Monitoring(table=table)
>>> result.first_flags()[["segment", "check", "first_month", "verdict"]].to_dict("records")
[{'segment': 'region=N', 'check': 'score_shift', 'first_month': '2025-02', 'verdict': 'watch'}]
>>> len(result.alerts("alert"))
1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from arrearsrisk.monitoring.checks import COLUMNS
from arrearsrisk.monitoring.texts import check_label, item_label, segment_label, verdict_label
from arrearsrisk.monitoring.verdicts import STABLE, VERDICTS, WATCH, rank

__all__ = ["JUDGED_CHECKS", "Monitoring"]

JUDGED_CHECKS: tuple[str, ...] = (
    "score_psi",
    "grade_mix_psi",
    "feature_drift",
    "score_shift",
    "grade_I_share",
    "arrears",
)
"""The drift and risk checks whose flags count in :meth:`Monitoring.false_alarm_rate`
(``feature_psi`` rows are summed up per segment by ``feature_drift``; data quality,
volume and performance are counted apart)."""


@dataclass
class Monitoring:
    """Month-by-month monitoring of a model on a ledger.

    Attributes
    ----------
    table : pandas.DataFrame
        The long table, columns :data:`~arrearsrisk.monitoring.checks.COLUMNS`: month
        (``YYYY-MM``), check, segment, item (a feature, a figure, a migration
        ``"I->II"``...), value, threshold, verdict (``"stable"``, ``"watch"``,
        ``"alert"``), n (customers behind the row), p_value, estimated (an estimated
        performance figure) and note.
    segments : pandas.DataFrame
        Every segment seen and what became of it (judged, pooled into ``(other)``,
        skipped, and why).
    months : list of str
        The monitored months; ``matured`` those whose outcomes were complete.
    reference_months : list of str
        The months of the frozen reference.
    model_version : str
        The model monitored.
    thresholds : Thresholds or None
        The thresholds used.
    """

    table: pd.DataFrame
    segments: pd.DataFrame = field(default_factory=pd.DataFrame)
    months: list[str] = field(default_factory=list)
    matured: list[str] = field(default_factory=list)
    reference_months: list[str] = field(default_factory=list)
    model_version: str = ""
    thresholds: Any = None

    def __post_init__(self) -> None:
        missing = [c for c in COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"a Monitoring table needs the columns {missing}")

    def __repr__(self) -> str:
        counts = self.table["verdict"].value_counts()
        flags = ", ".join(f"{v} {int(counts.get(v, 0))}" for v in VERDICTS)
        span = f"{self.months[0]}..{self.months[-1]}" if self.months else "no months"
        name = self.model_version or "model"
        return f"Monitoring({name}, {span}, {len(self.table):,} rows: {flags})"

    def alerts(self, level: str = WATCH, checks: Sequence[str] | None = None) -> pd.DataFrame:
        """Rows whose verdict is ``level`` or worse (``"watch"``: watch and alert), in
        month order, worst first within a month; ``checks`` limits them."""
        if level not in VERDICTS:
            raise ValueError(f"level must be one of {VERDICTS}; got {level!r}")
        t = self.table
        keep = t["verdict"].map(rank) >= rank(level)
        if checks is not None:
            keep &= t["check"].isin(list(checks))
        out = t[keep]
        # ranks of the kept rows only: on an empty selection pandas would take the
        # index of a full-length column (every row back)
        out = out.assign(_rank=out["verdict"].map(rank))
        out = out.sort_values(
            ["month", "_rank", "check", "segment"], ascending=[True, False, True, True]
        )
        return out.drop(columns="_rank").reset_index(drop=True)

    def first_flags(
        self, level: str = WATCH, checks: Sequence[str] | None = JUDGED_CHECKS
    ) -> pd.DataFrame:
        """The first month each (segment, check) reached ``level``: columns segment,
        check, first_month, verdict (of that month), item, value, months_flagged."""
        flagged = self.alerts(level, checks)
        cols = ["segment", "check", "first_month", "verdict", "item", "value", "months_flagged"]
        if flagged.empty:
            return pd.DataFrame(columns=cols)
        first = flagged.sort_values("month", kind="stable").groupby(
            ["segment", "check"], sort=False
        )
        out = first.head(1).rename(columns={"month": "first_month"})
        months = first["month"].nunique().rename("months_flagged")
        out = out.merge(months, left_on=["segment", "check"], right_index=True)
        return out[cols].sort_values(["first_month", "segment", "check"]).reset_index(drop=True)

    def movers(self, month: str, segment: str = "all", top: int = 10) -> pd.DataFrame:
        """The features that moved most in ``segment`` in ``month``, by PSI."""
        t = self.table
        rows = t[(t["check"] == "feature_psi") & (t["month"] == month) & (t["segment"] == segment)]
        return rows.sort_values("value", ascending=False).head(top).reset_index(drop=True)

    def performance(self, segment: str = "all") -> pd.DataFrame:
        """Realised, estimated and backtest figures side by side: one row per month and
        item, columns month, item, realised, estimated, backtest, error."""
        t = self.table[self.table["segment"] == segment]
        real = t[t["check"] == "performance"].set_index(["month", "item"])
        est = t[t["check"] == "estimated_performance"].set_index(["month", "item"])
        out = pd.DataFrame(
            {
                "realised": real["value"],
                "estimated": est["value"],
                "backtest": pd.concat([real["threshold"], est["threshold"]])
                .groupby(level=[0, 1])
                .first(),
            }
        )
        out["error"] = out["estimated"] - out["realised"]
        return out.reset_index().sort_values(["month", "item"]).reset_index(drop=True)

    def false_alarm_rate(
        self,
        before: str,
        level: str = WATCH,
        checks: Sequence[str] = JUDGED_CHECKS,
        segments: Sequence[str] | None = None,
    ) -> float:
        """Share of judged rows of ``checks`` in months before ``before`` (``YYYY-MM``,
        e.g. the start of a known shock) flagged ``level`` or worse: on stable months,
        the false-alarm rate."""
        t = self.table
        rows = t[(t["month"] < before) & t["check"].isin(list(checks))]
        if segments is not None:
            rows = rows[rows["segment"].isin(list(segments))]
        if rows.empty:
            return float("nan")
        return float((rows["verdict"].map(rank) >= rank(level)).mean())

    def labelled(self, lang: str = "zh") -> pd.DataFrame:
        """The table with check, segment, item and verdict in words (``lang``)."""
        t = self.table.copy()
        t["check"] = [check_label(c, lang) for c in t["check"]]
        t["segment"] = [segment_label(s, lang) for s in t["segment"]]
        t["item"] = [item_label(i, lang) for i in t["item"]]
        t["verdict"] = [verdict_label(v, lang) for v in t["verdict"]]
        return t

    def worst(self) -> pd.DataFrame:
        """The worst verdict per month and check over all segments: a small overview
        (rows months, columns checks)."""
        t = self.table.assign(_rank=self.table["verdict"].map(rank))
        wide = t.pivot_table(index="month", columns="check", values="_rank", aggfunc="max")
        return wide.apply(lambda col: col.map(lambda r: VERDICTS[int(r)] if r == r else STABLE))

"""The portfolio section of the report: key figures, Grade I/II and warnings by supply
area and by industry, exposure at risk and the grade migration since the previous
scoring; the only figures a report computes itself are these portfolio counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import text
from arrearsrisk.reports.charts import exposure_chart, grade_chart, migration_table
from arrearsrisk.reports.formatting import (
    RISKY_GRADES,
    compact_money,
    esc,
    industry_label,
    is_missing,
    pct,
)
from arrearsrisk.reports.worklist import loss_unit

__all__ = ["portfolio", "portfolio_section"]


def portfolio(scores: pd.DataFrame, plans: pd.DataFrame, ledger: Any) -> pd.DataFrame:
    """One row per scored customer: grade, a_warning, exposure, arrears, region, industry.

    Region and industry come from the ledger if given, else from columns of the scores,
    else from the plans (customers without a plan then have none).
    """
    need = ("customer_id", "grade", "a_warning", "exposure", "arrears")
    missing = [c for c in need if c not in scores.columns]
    if missing:
        raise ArrearsRiskError(f"scores: column(s) {missing} required but missing.")
    out = pd.DataFrame(
        {
            "customer_id": scores["customer_id"].astype(str).to_numpy(),
            "grade": scores["grade"].astype(str).to_numpy(),
            "a_warning": scores["a_warning"].fillna(False).to_numpy(dtype=bool),
            "exposure": pd.to_numeric(scores["exposure"]).to_numpy(dtype=np.float64),
            "arrears": pd.to_numeric(scores["arrears"]).to_numpy(dtype=np.float64),
        }
    )
    ids = pd.Index(out["customer_id"])
    if ledger is not None:
        cust = ledger.customers.set_index("customer_id").reindex(ids)
        source = {c: cust[c] for c in ("region", "industry") if c in cust.columns}
    elif {"region", "industry"} <= set(scores.columns):
        source = {c: scores[c] for c in ("region", "industry")}
    else:
        by_id = plans.set_index(plans["customer_id"].astype(str)).reindex(ids)
        source = {c: by_id[c] for c in ("region", "industry")}
    for col in ("region", "industry"):
        values = source.get(col)
        out[col] = (
            pd.Series(values.to_numpy(dtype=object), dtype=object)
            if values is not None
            else pd.Series([None] * len(out), dtype=object)
        )
    return out


def _panel(title: str, body: str) -> str:
    return f'<div class="panel"><h3>{esc(title)}</h3>{body}</div>'


def portfolio_section(
    folio: pd.DataFrame,
    plans: pd.DataFrame,
    previous: pd.DataFrame | None,
    scores: pd.DataFrame,
    lang: str,
) -> str:
    """The ``#portfolio`` section: key figure tiles, then the charts in two columns."""
    n = len(folio)
    grade = folio["grade"]
    risky = grade.isin(RISKY_GRADES).to_numpy()
    count = {g: int((grade == g).sum()) for g in RISKY_GRADES}
    warned = int(folio["a_warning"].sum())

    def share(k: int) -> str:
        return text("kpi_share", lang, share=pct(k / n)) if n else ""

    tiles = [
        ("", text("kpi_scored", lang), f"{n:,}", ""),
        ("plan", text("kpi_plans", lang), f"{len(plans):,}", share(len(plans))),
        ("g1", text("kpi_grade_I", lang), f"{count['I']:,}", share(count["I"])),
        ("g2", text("kpi_grade_II", lang), f"{count['II']:,}", share(count["II"])),
        ("warn", text("kpi_warning", lang), f"{warned:,}", share(warned)),
        (
            "money",
            text("kpi_exposure", lang),
            compact_money(float(np.nansum(folio["exposure"].to_numpy()[risky])), lang),
            "",
        ),
        (
            "money",
            text("kpi_arrears", lang),
            compact_money(float(np.nansum(folio["arrears"].to_numpy()[risky])), lang),
            "",
        ),
        (  # the money at risk over the horizon, not a monthly figure: its unit says so
            "money",
            text("kpi_loss_at_risk", lang, unit=loss_unit(plans, lang)),
            compact_money(float(np.nansum(plans["loss_at_risk"].to_numpy(dtype=float))), lang),
            "",
        ),
    ]
    kpis = "".join(
        f'<div class="kpi {cls}"><div class="l">{esc(label)}</div>'
        f'<div class="v">{esc(value)}</div><div class="s">{esc(sub)}</div></div>'
        for cls, label, value, sub in tiles
    )
    regions = folio["region"].map(
        lambda r: text("no_region", lang) if is_missing(r) or not str(r).strip() else str(r)
    )
    industries = folio["industry"].map(lambda c: industry_label(c, lang))
    charts = [
        _panel(text("chart_region", lang), grade_chart(folio, regions, lang, top=20)),
        _panel(text("chart_industry", lang), grade_chart(folio, industries, lang, top=12)),
        _panel(text("chart_exposure", lang), exposure_chart(folio, regions, lang)),
        _panel(text("migration_title", lang), migration_table(scores, previous, lang)),
    ]
    return (
        f'<section id="portfolio"><h2>{esc(text("nav_portfolio", lang))}</h2>'
        f'<div class="kpis">{kpis}</div><div class="grid2">{"".join(charts)}</div></section>'
    )

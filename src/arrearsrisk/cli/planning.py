"""Commands for the manager: ``plan`` (one customer, one policy) and ``report`` (of the
whole company, or of some supply stations with ``--region``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from arrearsrisk.cli.app import (
    DATA,
    LANG,
    STAFF_OPTIONS,
    _encoding,
    _guard,
    _with,
    main,
)


def _plans(
    data: str,
    scores_file: str,
    lang: str,
    policy: str | None,
    staff: str | None,
    previous: str | None,
    refuse_gaps: bool = False,
) -> tuple[Any, Any, Any, Any, Any, Any]:
    import arrearsrisk as ar
    from arrearsrisk.plans.people import read_staff, strict_staff
    from arrearsrisk.writers import read_table

    staff_table = read_staff(staff, encoding=_encoding()) if staff else None
    ledger = ar.read_ledger(data, encoding=_encoding())
    rules = ar.load_policy(policy, encoding=_encoding()) if policy else None
    scores = read_table(scores_file, encoding=_encoding())
    prev, last_month = _previous(previous)
    with strict_staff(refuse_gaps):  # a StaffWarning is then an error: exit 2
        plans = ar.risk_plans(scores, ledger, lang, rules, staff_table, last_month)
        release = ar.release_candidates(scores, ledger, lang=lang, policy=rules, staff=staff_table)
    return ledger, scores, prev, plans, release, staff_table


def _previous(previous: str | None) -> tuple[Any, Any]:
    """``--previous`` read once: last month's grades (for the report's migration) and
    what ``risk_plans`` gets (a previous scoring, or last month's plans workbook / CSV
    with its status columns, whose statuses carry forward)."""
    from arrearsrisk.plans.status import has_statuses, previous_grades, read_statuses
    from arrearsrisk.writers import read_table

    if not previous:
        return None, None
    if Path(previous).suffix.lower() == ".xlsx":  # a plans workbook: its measures sheet
        statuses = read_statuses(previous)
    else:
        table = read_table(previous, encoding=_encoding())
        if not has_statuses(table):
            return table, table  # a previous scoring
        statuses = read_statuses(table)
    return previous_grades(statuses), statuses


PLAN_OPTIONS = [
    click.option(
        "--scores",
        "scores_file",
        default="out/scores.csv",
        show_default=True,
        help="Scores from 'arrearsrisk score' (.csv or .parquet).",
    ),
    click.option(
        "--policy", default=None, help="Your policy table (TOML) instead of the shipped one."
    ),
    *STAFF_OPTIONS,
    click.option(
        "--previous",
        default=None,
        help="Last month's scores, or last month's plans (.xlsx or .csv) with statuses.",
    ),
]


@main.command()
@DATA
@_with(PLAN_OPTIONS)
@click.option(
    "--out",
    default="out/plans.xlsx",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Plans file: .xlsx (worklist and measures) or .csv (one row per measure).",
)
@LANG
def plan(
    data: str,
    scores_file: str,
    policy: str | None,
    staff: str | None,
    strict_staff: bool,
    previous: str | None,
    out: str,
    lang: str,
) -> None:
    """One customer, one policy: a plan for each Grade I/II or warned customer."""
    from arrearsrisk.writers import write_plans

    inputs = [data, scores_file, policy, staff, previous]
    _guard([("--out", out)], inputs)
    made = _plans(data, scores_file, lang, policy, staff, previous, strict_staff)
    plans, release = made[3], made[4]
    path = write_plans(plans, out, lang=lang, release=release, inputs=inputs)
    click.echo(f"{len(plans):,} plans, {len(release):,} release candidates -> {path}")


@main.command()
@DATA
@_with(PLAN_OPTIONS)
@click.option(
    "--out",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for report.html and plans.xlsx.",
)
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="Only this supply station (its region, or its region_name in the staff table); "
    "repeat for several. The report and workbook then hold only its customers.",
)
@LANG
def report(
    data: str,
    scores_file: str,
    policy: str | None,
    staff: str | None,
    strict_staff: bool,
    previous: str | None,
    out: str,
    regions: tuple[str, ...],
    lang: str,
) -> None:
    """The manager's report (self-contained HTML) and the plans workbook (Excel): of the
    whole company, or with --region of some supply stations only."""
    import arrearsrisk as ar
    from arrearsrisk.reports.stations import render_stations, select_stations

    inputs = [data, scores_file, policy, staff, previous]
    _guard([("--out", Path(out) / "report.html"), ("--out", Path(out) / "plans.xlsx")], inputs)
    made = _plans(data, scores_file, lang, policy, staff, previous, strict_staff)
    ledger, scores, prev, plans, release, staff_table = made
    html = Path(out) / "report.html"
    if regions:
        part = select_stations(
            plans, scores, regions, lang, ledger=ledger, release=release, staff=staff_table
        )
        page = render_stations(part, lang, previous=prev, ledger=ledger)
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(page, encoding="utf-8")
        plans, release = part.plans, part.release
        click.echo(f"{part.title}: {len(part.scores):,} customers scored, {len(plans):,} plans")
    else:
        ar.write_report(
            plans, scores, html, lang=lang, previous=prev, ledger=ledger, release=release
        )
    xlsx = ar.write_workbook(plans, Path(out) / "plans.xlsx", lang=lang, release=release)
    click.echo(f"report {html}\nworkbook {xlsx}")

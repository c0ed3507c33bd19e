"""``arrearsrisk monitor``: a model watched month by month on a ledger.

Writes the long table (``monitoring.csv``), the monitoring page in Chinese
(``monitoring.html``) and English (``monitoring_en.html``), prints the first flags, and
logs the figures to MLflow against the model's registered version (``--track``, the
default for a ``models:/`` URI).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from arrearsrisk.cli.app import DATA, MODEL, _bundle_input, _encoding, _guard, main

__all__ = ["monitor", "summary_lines"]

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
OUTPUTS = ("monitoring.csv", "monitoring.html", "monitoring_en.html")
"""The files ``monitor`` writes into ``--out``."""
_SHOWN = 15  # first flags printed


def _month(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A ``YYYY-MM`` month, or a usage error naming the option."""
    if not _MONTH.fullmatch(value.strip()):
        raise click.BadParameter(f"{value!r} is not a month; write YYYY-MM, e.g. 2025-06.")
    return value.strip()


def summary_lines(result: Any, lang: str = "en", shown: int = _SHOWN) -> list[str]:
    """The short summary ``monitor`` prints: the span, the counts and the first flags.

    Examples
    --------
    >>> import pandas as pd
    >>> from arrearsrisk.monitoring import Monitoring
    >>> table = pd.DataFrame({"month": ["2025-01", "2025-02"], "check": ["arrears"] * 2,
    ...     "segment": ["region=N"] * 2, "item": ["share"] * 2, "value": [0.0, 0.03],
    ...     "threshold": [0.01] * 2, "verdict": ["stable", "alert"], "n": [900.0] * 2,
    ...     "p_value": [0.5, 1e-7], "estimated": [False] * 2, "note": [""] * 2})
    >>> result = Monitoring(table, months=["2025-01", "2025-02"], model_version="m1")
    >>> print("\\n".join(summary_lines(result)))
    model m1, 2025-01..2025-02 (2 months, 0 matured): 1 alert rows, 0 watch rows
    first flags (first month, verdict, segment, check):
      2025-02  alert  region N  observed arrears
    """
    from arrearsrisk.monitoring import check_label, segment_label, verdict_label

    table = result.table
    counts = table["verdict"].value_counts()
    span = f"{result.months[0]}..{result.months[-1]}" if result.months else "-"
    lines = [
        f"model {result.model_version or '-'}, {span} ({len(result.months)} months, "
        f"{len(result.matured)} matured): {int(counts.get('alert', 0)):,} alert rows, "
        f"{int(counts.get('watch', 0)):,} watch rows"
    ]
    flags = result.first_flags()
    if flags.empty:
        lines.append("no first flag: every judged check stayed stable")
        return lines
    lines.append("first flags (first month, verdict, segment, check):")
    for row in flags.head(shown).itertuples(index=False):
        lines.append(
            f"  {row.first_month}  {verdict_label(str(row.verdict), lang)}  "
            f"{segment_label(str(row.segment), lang)}  {check_label(str(row.check), lang)}"
        )
    if len(flags) > shown:
        lines.append(f"  ... and {len(flags) - shown} more (monitoring.csv, monitoring.html)")
    return lines


@main.command()
@DATA
@MODEL
@click.option(
    "--from", "first", required=True, callback=_month, help="First month monitored, YYYY-MM."
)
@click.option("--to", "last", required=True, callback=_month, help="Last month monitored, YYYY-MM.")
@click.option(
    "--out",
    default="out/monitoring",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for monitoring.csv, monitoring.html (zh) and monitoring_en.html.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of the printed summary (both pages are written).",
)
@click.option(
    "--track/--no-track",
    default=None,
    help="Log the figures to MLflow against the model's registered version "
    "[default: track for a models:/ URI, not for a bundle folder].",
)
@click.option("--experiment", default="arrearsrisk", show_default=True, help="MLflow experiment.")
@click.option(
    "--registered-model",
    default=None,
    help="With --track and a bundle folder: the registered model holding it (its version "
    "is found by the model version tag).",
)
def monitor(
    data: str,
    model: str,
    first: str,
    last: str,
    out: str,
    lang: str,
    track: bool | None,
    experiment: str,
    registered_model: str | None,
) -> None:
    """Monitor a model month by month: drift, observed arrears, matured and estimated
    performance by segment, against the reference frozen at its training."""
    import arrearsrisk as ar
    from arrearsrisk.monitoring import MonitoringError
    from arrearsrisk.monitoring import monitor as run_monitor
    from arrearsrisk.reports.monitoring_page import write_monitoring_page
    from arrearsrisk.writers import write_table

    if last < first:
        raise MonitoringError(f"--to {last} is before --from {first}.")
    folder = Path(out)
    _guard(
        [*(("--out", folder / name) for name in OUTPUTS), ("--out", out)],
        [data, _bundle_input(model)],
    )
    ledger = ar.read_ledger(data, encoding=_encoding())
    fitted = ar.load_model(model)
    result = run_monitor(ledger, fitted, (first, last), progress=True)
    csv = write_table(result.table, folder / "monitoring.csv", inputs=[data, _bundle_input(model)])
    zh = write_monitoring_page(result, folder / "monitoring.html", lang="zh")
    en = write_monitoring_page(result, folder / "monitoring_en.html", lang="en")
    for line in summary_lines(result, lang):
        click.echo(line)
    click.echo("outputs:")
    click.echo(f"  table          {csv}")
    click.echo(f"  page (zh)      {zh}")
    click.echo(f"  page (en)      {en}")
    if track is None:
        track = model.startswith("models:/")
    if track:
        from arrearsrisk.tracking import tracking_uri
        from arrearsrisk.tracking.monitoring_runs import log_monitoring

        logged = log_monitoring(
            result,
            model_uri=model if model.startswith("models:/") else None,
            model_name=registered_model,
            experiment=experiment,
        )
        against = f" against {logged.registered}" if logged.registered else ""
        click.echo(f"  MLflow run     {logged.run_id}{against} at {tracking_uri()}")

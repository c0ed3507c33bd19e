"""The ``arrearsrisk`` command line.

Each subcommand is one step of the job; errors on bad input print one line and exit
with status 2 (a traceback only with ``--debug``).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from arrearsrisk.errors import ArrearsRiskError

__all__ = ["main"]

EXIT_BAD_INPUT = 2


class _Group(click.Group):
    """A click group that turns library errors into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ArrearsRiskError, FileNotFoundError) as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {str(err).splitlines()[0]}", err=True)
            sys.exit(EXIT_BAD_INPUT)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """arrearsrisk: grade electricity customers by arrears risk (Grade I/II/III, warning)."""
    ctx.obj = {"debug": debug}


@main.command("sample")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write customers, bills and payments into.",
)
@click.option(
    "--customers",
    default=3000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Number of customers.",
)
@click.option(
    "--months",
    default=36,
    show_default=True,
    type=click.IntRange(min=1),
    help="Number of billing periods.",
)
@click.option("--start", default="2023-01", show_default=True, help="First period, YYYY-MM.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="File format.",
)
@click.option("--progress", is_flag=True, help="Show a progress bar over the months.")
def sample(
    out: str, customers: int, months: int, start: str, seed: int, fmt: str, progress: bool
) -> None:
    """Write a simulated sample ledger (seeded, realistic) to a folder."""
    from typing import Literal

    from arrearsrisk.sample import count_rows, write_sample

    file_format: Literal["csv", "parquet"] = "parquet" if fmt == "parquet" else "csv"
    try:
        written = write_sample(out, customers, months, start, seed, file_format, progress)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="'--start'") from err
    parts, total = [], 0
    for name, path in written.items():
        size = path.stat().st_size
        total += size
        parts.append(f"{name} {count_rows(path):,} rows ({size / 1e6:.1f} MB)")
    click.echo(f"wrote {out}: {', '.join(parts)}; {total / 1e6:.1f} MB in all")


@main.command()
@click.option(
    "--data",
    default="data/sample",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Ledger folder (customers, bills, payments as CSV or Parquet).",
)
@click.option(
    "--out",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the outputs.",
)
def run(data: str, out: str) -> None:
    """The main job on a ledger: read it, build the training frame over every fully
    observed month end, write it to OUT/training_frame.parquet and print its summary."""
    from pathlib import Path

    import arrearsrisk as ar

    ledger = ar.read_ledger(data)
    click.echo(f"ledger: {ledger}")
    cutoffs = ar.monthly_cutoffs(ledger)
    if not cutoffs:
        raise ar.ArrearsRiskError(
            "the ledger is too short for a training frame: it needs 12 months of bills "
            "before a cutoff and the label window (3 months + 30 days) after it."
        )
    click.echo(f"cutoffs: {len(cutoffs)} month ends, {cutoffs[0].date()} to {cutoffs[-1].date()}")
    frame = ar.training_frame(ledger, cutoffs, progress=True)
    Path(out).mkdir(parents=True, exist_ok=True)
    path = Path(out) / "training_frame.parquet"
    frame.to_parquet(path, index=False)
    n_features = len(frame.columns) - 4
    click.echo(f"training frame: {len(frame):,} rows x {n_features} features -> {path}")
    summary = frame.groupby("category", observed=True).agg(
        rows=("grade", "size"),
        grade_I=("grade", lambda g: (g == "I").mean()),
        grade_II=("grade", lambda g: (g == "II").mean()),
        grade_III=("grade", lambda g: (g == "III").mean()),
        a_warning=("a_warning", "mean"),
    )
    summary.loc["all"] = [
        len(frame),
        (frame["grade"] == "I").mean(),
        (frame["grade"] == "II").mean(),
        (frame["grade"] == "III").mean(),
        frame["a_warning"].mean(),
    ]
    shown = summary.copy()
    for col in ("grade_I", "grade_II", "grade_III", "a_warning"):
        shown[col] = shown[col].map("{:6.1%}".format)
    shown["rows"] = shown["rows"].map("{:,.0f}".format)
    click.echo("label rates by category:")
    click.echo(shown.to_string())

"""Commands that make data and models: ``sample``, ``run`` (the whole job) and ``train``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from arrearsrisk.cli.app import (
    AS_OF,
    DATA,
    LANG,
    STAFF_OPTIONS,
    VALIDATION,
    _encoding,
    _guard,
    _with,
    main,
)
from arrearsrisk.errors import ArrearsRiskError


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
@click.option(
    "--overwrite",
    is_flag=True,
    help="Write over the ledger files already in --out (refused without it).",
)
def sample(
    out: str,
    customers: int,
    months: int,
    start: str,
    seed: int,
    fmt: str,
    progress: bool,
    overwrite: bool,
) -> None:
    """Write a simulated sample ledger (seeded, realistic) to a folder."""
    from typing import Literal

    from arrearsrisk.sample import count_rows, write_sample

    _guard([("--out", Path(out) / "customers.csv")], [])
    folder = Path(out)
    held = sorted(
        f.name
        for name in ("customers", "bills", "payments")
        for f in (folder / f"{name}.csv", folder / f"{name}.csv.gz", folder / f"{name}.parquet")
        if f.exists()
    )
    if held and not overwrite:
        raise ArrearsRiskError(
            f"--out {out}: already holds a ledger ({', '.join(held)}); it would be "
            "overwritten. Choose an empty folder, or pass --overwrite."
        )
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


def _validation_text(result: Any) -> str:
    """One line on how the reported metrics were measured."""
    folds = result.backtests["fold"].unique()
    if result.validation == "time":
        return f"time, {len(folds)} backtest months out of time ({', '.join(map(str, folds))})"
    return f"customers, {len(folds)} customer-grouped folds"


_RUN_OUTPUTS = (
    "scores.csv",
    "scores.parquet",
    "plan_measures.csv",
    "report.html",
    "plans.xlsx",
    "metrics.csv",
    "stations/index.html",
)
"""Files ``run`` writes into its ``--out`` folder (checked against the inputs), besides
``peers-<as_of>.json`` (its date is known once the ledger is read) and the station
reports beside ``stations/index.html``."""


@main.command()
@DATA
@click.option(
    "--out",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for scores, plans and reports.",
)
@click.option(
    "--model-dir",
    default="models/latest",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where to save the model bundle.",
)
@AS_OF
@LANG
@click.option("--experiment", default="arrearsrisk", show_default=True, help="MLflow experiment.")
@click.option(
    "--register",
    "register_as",
    default="arrearsrisk",
    show_default=True,
    help="Registered model name: the new model is its 'challenger', and its 'champion' "
    "on evidence (promote).",
)
@click.option("--no-track", is_flag=True, help="Do not log the training run to MLflow.")
@VALIDATION
@_with(STAFF_OPTIONS)
def run(
    data: str,
    out: str,
    model_dir: str,
    as_of: str | None,
    lang: str,
    experiment: str,
    register_as: str,
    no_track: bool,
    validation: str,
    staff: str | None,
    strict_staff: bool,
) -> None:
    """The whole job: train on the ledger (tracked in MLflow), save the bundle, score the
    latest month, save its peer context for on-demand scoring, write plans and reports
    (the company's and one per supply station), and print the headline figures."""
    from arrearsrisk.pipeline.job import run_job
    from arrearsrisk.tracking import tracking_uri

    _guard(
        [
            *(("--out", Path(out) / name) for name in _RUN_OUTPUTS),
            ("--out", out),
            ("--model-dir", model_dir),
        ],
        [data, staff],
    )
    result = run_job(
        data,
        out,
        as_of=as_of,
        lang=lang,
        model_dir=model_dir,
        experiment=experiment,
        register_as=None if no_track else register_as,
        track=not no_track,
        validation=validation,
        say=click.echo,
        staff=staff,
        strict_staff=strict_staff,
    )
    cols = ["grade_I_auc", "grade_I_II_auc", "warning_pr_auc", "macro_f1", "qwk", "brier"]
    click.echo(
        "\nout-of-time test metrics (model vs today's manual grading vs logistic regression):"
    )
    click.echo(result.metrics[cols].round(3).to_string())
    click.echo("\noutputs:")
    click.echo(f"  model bundle   {result.bundle}")
    for name, path in result.files.items():
        click.echo(f"  {name:<14} {path}")
    click.echo(
        f"  on-demand scoring: ARREARSRISK_PEERS={result.files['peers']} (or a folder of "
        "such files; docs/serving.md)"
    )
    if result.run_id:
        uri = tracking_uri()
        click.echo(f"  MLflow run     {result.run_id} at {uri}")
        click.echo(f"  open the UI:   .venv/bin/mlflow ui --backend-store-uri {uri}")
    timing = ", ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
    click.echo(f"\ntime: {timing}")


@main.command()
@DATA
@click.option(
    "--model-dir",
    default="models/latest",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where to save the model bundle.",
)
@click.option("--experiment", default="arrearsrisk", show_default=True, help="MLflow experiment.")
@click.option(
    "--register",
    "register_as",
    default=None,
    help="Register the model under this name with the alias 'champion'.",
)
@click.option("--no-track", is_flag=True, help="Do not log the run to MLflow.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Your own labels (CSV or Parquet: customer_id, as_of, grade and/or a_warning) "
    "instead of the ledger's; their dates are the cutoffs.",
)
@VALIDATION
@click.option(
    "--backtests",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Backtest months scored out of time (with time validation).",
)
@click.option(
    "--warning-capacity",
    type=click.IntRange(min=1),
    default=None,
    help="Set the warning threshold to flag about this many customers a month.",
)
@click.option(
    "--calibration-months",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Most recent backtest months whose out-of-time scores set the calibration, "
    "grade cut-offs and warning threshold.",
)
def train(
    data: str,
    model_dir: str,
    experiment: str,
    register_as: str | None,
    no_track: bool,
    seed: int,
    labels_path: str | None,
    validation: str,
    backtests: int,
    warning_capacity: int | None,
    calibration_months: int,
) -> None:
    """Build the training frame over every fully observed month end (or the dates of
    your own labels) and train the models."""
    import arrearsrisk as ar
    from arrearsrisk.writers import read_table

    _guard([("--model-dir", model_dir)], [data, labels_path])
    ledger = ar.read_ledger(data, encoding=_encoding())
    if labels_path is None:
        frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger), progress=True)
    else:
        labels = read_table(labels_path, encoding=_encoding())
        if "as_of" not in labels.columns:
            raise ArrearsRiskError(
                f"{labels_path}: labels need the columns customer_id, as_of and grade "
                f"and/or a_warning; got {list(labels.columns)}."
            )
        frame = ar.training_frame(ledger, labels["as_of"].unique(), labels=labels, progress=True)
    result = ar.train(
        frame,
        validation=validation,
        test_months=backtests,
        seed=seed,
        warning_capacity=warning_capacity,
        calibration_months=calibration_months,
        track=not no_track,
        experiment=experiment,
        register_as=register_as,
        save_to=model_dir,
        progress=True,
    )
    click.echo(f"validation: {_validation_text(result)}")
    click.echo(result.metrics[["grade_I_auc", "warning_pr_auc", "macro_f1"]].round(3).to_string())
    click.echo(
        f"model {result.model.version} saved to {result.bundle}"
        + (f"; MLflow run {result.run_id}" if result.run_id else "")
    )

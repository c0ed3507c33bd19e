"""Commands that score and measure: ``score`` (local, chunked or Spark) and ``evaluate``."""

from __future__ import annotations

import os
from typing import Any

import click

from arrearsrisk.cli.app import (
    AS_OF,
    DATA,
    LANG,
    MODEL,
    _as_of,
    _bundle_input,
    _encoding,
    _guard,
    main,
)
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.vocabulary import GRADES


@main.command()
@DATA
@AS_OF
@MODEL
@click.option(
    "--out",
    default="out/scores.csv",
    show_default=True,
    type=click.Path(),
    help="Scores file, .csv or .parquet (with --chunk-customers: a folder).",
)
@LANG
@click.option(
    "--customer",
    "customers",
    multiple=True,
    help="Score only these customer ids (repeat the option); peers from the whole ledger.",
)
@click.option(
    "--chunk-customers",
    type=click.IntRange(min=1),
    default=None,
    help="Score a Parquet ledger of any size in buckets of this many customers, with "
    "bounded memory, into the --out folder (Parquet parts; rerun to resume).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="local: this process; spark: a local Spark session on every core "
    "(pip install arrearsrisk[spark]), same scores.",
)
def score(
    data: str,
    as_of: str | None,
    model: str,
    out: str,
    lang: str,
    customers: tuple[str, ...],
    chunk_customers: int | None,
    engine: str,
) -> None:
    """Score every active customer (or --customer ones) and write the scores."""
    import arrearsrisk as ar

    if engine == "spark":
        _score_spark(data, as_of, model, out, lang, customers, chunk_customers)
        return
    if chunk_customers is not None:
        _score_chunked(data, as_of, model, out, lang, customers, chunk_customers)
        return
    if not out.endswith((".csv", ".parquet")):
        raise ar.ArrearsRiskError(f"--out {out}: write scores as .csv or .parquet.")
    _guard([("--out", out)], [data, _bundle_input(model)])
    ledger = ar.read_ledger(data, encoding=_encoding())
    t = _as_of(ledger, as_of)
    if customers:  # a few accounts: peer rates come from the whole ledger
        peers = ar.peer_context(ledger, t)
        scores = ar.score(ledger.subset(list(customers)), t, model, lang=lang, peers=peers)
    else:
        scores = ar.score(ledger, t, model, lang=lang)
    _write_scores(scores, t, data, model, out, "")


def _score_spark(
    data: str,
    as_of: str | None,
    model: str,
    out: str,
    lang: str,
    customers: tuple[str, ...],
    chunk: int | None,
) -> None:
    from arrearsrisk import spark as ars
    from arrearsrisk.timeline import parse_as_of

    if customers or chunk is not None:
        raise ArrearsRiskError(
            "--engine spark scores the whole ledger: no --customer or --chunk-customers."
        )
    if not out.endswith((".csv", ".parquet")):
        raise ArrearsRiskError(f"--out {out}: write scores as .csv or .parquet.")
    _guard([("--out", out)], [data, _bundle_input(model)])
    ledger = ars.read_ledger(ars.local_session(os.cpu_count() or 2), data, encoding=_encoding())
    t = parse_as_of(as_of) if as_of else ledger.latest_month_end
    if t is None:
        raise ArrearsRiskError(f"--data {data}: the ledger has no bill and no payment.")
    scores = ars.to_pandas(ars.score(ledger, t, model, lang=lang))
    _write_scores(scores, t, data, model, out, " with Spark")


def _write_scores(scores: Any, t: Any, data: str, model: str, out: str, how: str) -> None:
    """Write the scores and say what was written, with the grade counts."""
    from arrearsrisk.writers import write_table

    path = write_table(scores, out, inputs=[data, _bundle_input(model)])
    counts = scores["grade"].value_counts().reindex(list(GRADES), fill_value=0)
    click.echo(
        f"scored {len(scores):,} customers as of {t.date()}{how} -> {path} "
        f"(I {counts['I']:,}, II {counts['II']:,}, III {counts['III']:,}, "
        f"warnings {int(scores['a_warning'].sum()):,})"
    )


def _score_chunked(
    data: str,
    as_of: str | None,
    model: str,
    out: str,
    lang: str,
    customers: tuple[str, ...],
    chunk: int,
) -> None:
    from arrearsrisk.engines.chunked import score_parquet

    if customers:
        raise ArrearsRiskError("--customer and --chunk-customers do not go together.")
    if as_of is None:
        raise ArrearsRiskError("--chunk-customers needs --as-of (the ledger is not read whole).")
    if out.endswith((".csv", ".parquet")):
        raise ArrearsRiskError(f"--out {out}: with --chunk-customers, --out is a folder.")
    _guard([("--out", out)], [data, _bundle_input(model)])
    run = score_parquet(data, as_of, model, out, lang=lang, chunk_customers=chunk, progress=True)
    resumed = f", {run.resumed} resumed" if run.resumed else ""
    click.echo(
        f"scored {run.rows:,} customers as of {as_of} in {run.buckets} buckets{resumed} -> {out}"
    )


@main.command()
@DATA
@MODEL
@click.option(
    "--as-of",
    "dates",
    multiple=True,
    help="Cutoffs to evaluate on (repeat; default: the last 3 fully observed month ends).",
)
@click.option(
    "--out",
    default=None,
    type=click.Path(dir_okay=False),
    help="Also write the metrics table (.csv or .parquet).",
)
def evaluate(data: str, model: str, dates: tuple[str, ...], out: str | None) -> None:
    """Evaluate a saved model on labelled cutoffs of a ledger, beside today's manual grading."""
    import pandas as pd

    import arrearsrisk as ar
    from arrearsrisk.evaluation import evaluate as measure
    from arrearsrisk.models.baselines import manual_grades
    from arrearsrisk.writers import write_table

    if out:
        _guard([("--out", out)], [data, _bundle_input(model)])
    ledger = ar.read_ledger(data, encoding=_encoding())
    fitted = ar.load_model(model)
    cutoffs = list(dates) or ar.monthly_cutoffs(ledger)[-3:]
    frame = ar.training_frame(ledger, cutoffs)
    truth = frame[["grade", "a_warning", "category", "as_of"]]
    rows = {
        "model": measure(truth, fitted.predict(frame)).metrics,
        "manual": measure(truth, manual_grades(frame)).metrics,
    }
    table = pd.DataFrame(rows).T
    cols = ["n", "grade_I_auc", "grade_I_II_auc", "warning_pr_auc", "macro_f1", "qwk", "brier"]
    click.echo(
        f"{fitted.version} on {len(frame):,} labelled rows, cutoffs "
        f"{', '.join(str(pd.Timestamp(c).date()) for c in sorted(set(frame['as_of'])))}:"
    )
    seen = sorted(
        {str(pd.Timestamp(c).date()) for c in frame["as_of"]}
        & set(fitted.info.get("trained_on", []))
    )
    if seen:  # the deployed model is refitted on every labelled cutoff
        click.echo(
            f"note: the model was trained on {', '.join(seen)}: these figures are in sample "
            "and flatter it; its out-of-time figures are the backtests' (the bundle's "
            f"info['test_metrics']: Grade I AUC "
            f"{fitted.info.get('test_metrics', {}).get('grade_I_auc', float('nan')):.3f}). "
            "Evaluate on months labelled after its training.",
            err=True,
        )
    click.echo(table[[c for c in cols if c in table]].round(3).to_string())
    if out:
        written = write_table(
            table.rename_axis("model").reset_index(), out, inputs=[data, _bundle_input(model)]
        )
        click.echo(f"-> {written}")

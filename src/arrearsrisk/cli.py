"""The ``arrearsrisk`` command line.

Each subcommand is one step of the job (``run`` does them all).  Options mean the same
everywhere: ``--data`` a ledger folder, ``--as-of`` a date, ``--model`` a bundle folder
or ``models:/NAME@ALIAS``, ``--out`` where to write, ``--lang`` zh or en.

Exit codes: 0 done; 2 bad input, bad paths or usage, including click's own usage
errors (one line on stderr, a traceback only with ``--debug``); 1 an unexpected failure
(``internal error: ...``).

No command writes where it reads: an output inside the ledger folder (or a model bundle
read), or over any input file (scores, previous scores, policy, staff, labels), is
refused with exit 2 before anything is read or written (:func:`arrearsrisk.writers.
check_output`); so is an output whose parent is a file or a folder that cannot be
written.  ``sample`` refuses a folder already holding a ledger unless ``--overwrite``.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from arrearsrisk.errors import ArrearsRiskError, LedgerWarning
from arrearsrisk.vocabulary import GRADES, LANGS

__all__ = ["main"]

EXIT_BAD_INPUT = 2


EXIT_FAILURE = 1


def _one_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _os_error(err: OSError) -> str:
    """An OS error in one line, naming the path."""
    where = f"{err.filename}: " if err.filename else ""
    what = err.strerror or _one_line(str(err)) or type(err).__name__
    return f"{where}{what[0].lower()}{what[1:]}" if what else where


class _Group(click.Group):
    """A click group that turns errors into one-line messages and meaningful exit codes."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; click's own usage errors (a bad option value, an
        unknown option or command, a missing argument) become one line on stderr and
        exit 2, instead of click's usage block."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as err:
            where = f" (see '{err.ctx.command_path} --help')" if err.ctx is not None else ""
            click.echo(f"error: {_one_line(err.format_message())}{where}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except click.ClickException as err:
            click.echo(f"error: {_one_line(err.format_message())}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except click.Abort:
            click.echo("aborted", err=True)
            sys.exit(EXIT_FAILURE)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except (ArrearsRiskError, OSError, LedgerWarning) as err:
            # a LedgerWarning arrives here only when warnings are errors (python -W error)
            if ctx.obj and ctx.obj.get("debug"):
                raise
            if not isinstance(err, OSError) or err.errno is None:
                message = _one_line(str(err))
            else:
                message = _os_error(err)
            click.echo(f"error: {message}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Exception as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(
                f"internal error: {type(err).__name__}: {err} (run with --debug for the traceback)",
                err=True,
            )
            sys.exit(EXIT_FAILURE)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.option(
    "--encoding",
    default=None,
    help="Encoding of the text files read (ledger CSVs, policy, staff, labels, scores), "
    "e.g. gbk; default: detected (BOM, UTF-8, GB18030, UTF-16).",
)
@click.pass_context
def main(ctx: click.Context, debug: bool, encoding: str | None) -> None:
    """arrearsrisk: grade electricity customers by arrears risk (Grade I/II/III, warning)."""
    ctx.obj = {"debug": debug, "encoding": encoding}
    if not debug:
        warnings.showwarning = _show_warning


def _encoding() -> str | None:
    """The ``--encoding`` given before the subcommand, if any."""
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.find_root().params.get("encoding")


def _show_warning(message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
    """A warning in one line on stderr (``warning: ...``), without Python's source line."""
    click.echo(f"warning: {_one_line(str(message))}", err=True)


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


DATA = click.option(
    "--data",
    default="data/sample",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Ledger folder (customers, bills, payments).",
)
AS_OF = click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Date YYYY-MM-DD, or YYYY-MM for that month's end (default: the ledger's last month end).",
)
MODEL = click.option(
    "--model",
    default="models/latest",
    show_default=True,
    help="Model bundle folder, or an MLflow URI models:/NAME@ALIAS.",
)
LANG = click.option(
    "--lang",
    type=click.Choice(list(LANGS)),
    default="zh",
    show_default=True,
    help="Language of reasons, plans and reports.",
)


VALIDATION = click.option(
    "--validation",
    type=click.Choice(["auto", "time", "customers"]),
    default="auto",
    show_default=True,
    help="How models are measured: rolling-origin backtests over months ('time'), "
    "customer-grouped folds ('customers', for one or a few dates), or 'auto'.",
)


def _validation_text(result: Any) -> str:
    """One line on how the reported metrics were measured."""
    folds = result.backtests["fold"].unique()
    if result.validation == "time":
        return f"time, {len(folds)} backtest months out of time ({', '.join(map(str, folds))})"
    return f"customers, {len(folds)} customer-grouped folds"


def _guard(outputs: Sequence[tuple[str, str | os.PathLike[str]]], inputs: Iterable[Any]) -> None:
    """Refuse, before anything is read or written, outputs that would land where the
    command reads (see the module docstring); ``outputs`` are ``(option, path)``."""
    from arrearsrisk.writers import check_output

    known = [i for i in inputs if i]
    for option, path in outputs:
        check_output(path, known, option=option)


def _bundle_input(model: str) -> str | None:
    """The folder of ``--model`` when it is a bundle folder (not a URI)."""
    return None if ":/" in model else model


def _as_of(ledger: Any, as_of: str | None) -> Any:
    from arrearsrisk.pipeline.job import latest_month_end
    from arrearsrisk.timeline import parse_as_of

    return parse_as_of(as_of) if as_of else latest_month_end(ledger)


_RUN_OUTPUTS = (
    "scores.csv",
    "scores.parquet",
    "plan_measures.csv",
    "report.html",
    "plans.xlsx",
    "metrics.csv",
)
"""Files ``run`` writes into its ``--out`` folder (checked against the inputs)."""


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
) -> None:
    """The whole job: train on the ledger (tracked in MLflow), save the bundle, score the
    latest month, write plans and reports, and print the headline figures."""
    from arrearsrisk.pipeline.job import run_job
    from arrearsrisk.tracking import tracking_uri

    _guard(
        [
            *(("--out", Path(out) / name) for name in _RUN_OUTPUTS),
            ("--out", out),
            ("--model-dir", model_dir),
        ],
        [data],
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


def _plans(
    data: str,
    scores_file: str,
    lang: str,
    policy: str | None,
    staff: str | None,
    previous: str | None,
) -> tuple[Any, Any, Any, Any, Any]:
    import arrearsrisk as ar
    from arrearsrisk.writers import read_table

    ledger = ar.read_ledger(data, encoding=_encoding())
    rules = ar.load_policy(policy, encoding=_encoding()) if policy else None
    scores = read_table(scores_file, encoding=_encoding())
    prev = read_table(previous, encoding=_encoding()) if previous else None
    staff_table = read_table(staff, encoding=_encoding()) if staff else None
    plans = ar.risk_plans(scores, ledger, lang=lang, policy=rules, staff=staff_table, previous=prev)
    release = ar.release_candidates(scores, ledger, lang=lang, policy=rules, staff=staff_table)
    return ledger, scores, prev, plans, release


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
    click.option(
        "--staff", default=None, help="Staff table (.csv/.parquet): region, head, manager, officer."
    ),
    click.option("--previous", default=None, help="Last month's scores, to say what changed."),
]


def _with(options: list[Any]) -> Any:
    def wrap(func: Any) -> Any:
        for option in reversed(options):
            func = option(func)
        return func

    return wrap


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
    previous: str | None,
    out: str,
    lang: str,
) -> None:
    """One customer, one policy: a plan for each Grade I/II or warned customer."""
    from arrearsrisk.writers import write_plans

    inputs = [data, scores_file, policy, staff, previous]
    _guard([("--out", out)], inputs)
    _, _, _, plans, release = _plans(data, scores_file, lang, policy, staff, previous)
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
@LANG
def report(
    data: str,
    scores_file: str,
    policy: str | None,
    staff: str | None,
    previous: str | None,
    out: str,
    lang: str,
) -> None:
    """The manager's report (self-contained HTML) and the plans workbook (Excel)."""
    import arrearsrisk as ar

    inputs = [data, scores_file, policy, staff, previous]
    _guard([("--out", Path(out) / "report.html"), ("--out", Path(out) / "plans.xlsx")], inputs)
    ledger, scores, prev, plans, release = _plans(data, scores_file, lang, policy, staff, previous)
    html = ar.write_report(
        plans,
        scores,
        Path(out) / "report.html",
        lang=lang,
        previous=prev,
        ledger=ledger,
        release=release,
    )
    xlsx = ar.write_workbook(plans, Path(out) / "plans.xlsx", lang=lang, release=release)
    click.echo(f"report {html}\nworkbook {xlsx}")


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

"""What every command shares: the click group with its exit codes and one-line errors,
the common options, and the guard against writing where a command reads."""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import click

from arrearsrisk.errors import ArrearsRiskError, LedgerWarning
from arrearsrisk.vocabulary import LANGS

__all__ = [
    "AS_OF",
    "DATA",
    "EXIT_BAD_INPUT",
    "EXIT_FAILURE",
    "LANG",
    "MODEL",
    "STAFF_OPTIONS",
    "VALIDATION",
    "main",
]

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


STAFF_OPTIONS = [
    click.option(
        "--staff",
        default=None,
        help="Staff table (.csv/.parquet), one row per person: region, role (head / manager / "
        "officer), staff_id, name, cap (or one row per region: region, head, manager, officer).",
    ),
    click.option(
        "--strict-staff",
        is_flag=True,
        help="Refuse a staff table that leaves an area uncovered or plans beyond the caps.",
    ),
]


def _with(options: list[Any]) -> Any:
    """A decorator applying click ``options`` in order."""
    return lambda func: functools.reduce(lambda f, option: option(f), reversed(options), func)


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

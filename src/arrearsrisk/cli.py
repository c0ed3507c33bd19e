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

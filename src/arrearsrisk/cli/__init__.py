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

The commands live in one module per family (:mod:`~arrearsrisk.cli.jobs`,
:mod:`~arrearsrisk.cli.scoring`, :mod:`~arrearsrisk.cli.planning`,
:mod:`~arrearsrisk.cli.monitoring`) on the group of :mod:`~arrearsrisk.cli.app`.
"""

from __future__ import annotations

from arrearsrisk.cli import jobs, monitoring, planning, scoring  # noqa: F401  (commands)
from arrearsrisk.cli.app import main

__all__ = ["main"]

"""Write the staff table of a sample ledger folder (``staff.csv`` beside its customers).

``data/sample/staff.csv`` is made by::

    .venv/bin/python tools/sample_staff.py data/sample

after ``arrearsrisk sample --out data/sample ...`` (see ``data/sample/README.md``); the
table depends only on the areas' customer counts, so it is the same on every run.  Its
``region_name`` column gives each simulated station its Chinese name (``东城供电所`` for
``Dongcheng``, :data:`arrearsrisk.sample.staff.STATION_NAMES`), which the reports show.
"""

from __future__ import annotations

import argparse

from arrearsrisk.sample.staff import write_sample_staff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="a ledger folder written by 'arrearsrisk sample'")
    args = parser.parse_args()
    path = write_sample_staff(args.folder)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

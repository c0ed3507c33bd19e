"""A staff table for a sample ledger: the people of each supply station.

:func:`sample_staff` names, for each area of a ledger's customers, a head (所长), a
managing person and officers in proportion to the area's customers, each officer with
a workload cap, and the station's Chinese name (``region_name``, from
:data:`STATION_NAMES`; empty for an area it does not know); :func:`write_sample_staff`
writes it as ``staff.csv`` (the file shipped in ``data/sample/``).  Names are drawn
from a hash of the area and the position, not from a random generator, so the table is
the same on every machine and version.  The layout is the one
:func:`arrearsrisk.plans.people.check_staff` reads.

Examples
--------
>>> import pandas as pd
>>> customers = pd.DataFrame({"region": ["East"] * 300 + ["West"] * 50})
>>> staff = sample_staff(customers)
>>> staff.groupby("region")["role"].agg(list).to_dict()
{'East': ['head', 'manager', 'officer', 'officer', 'officer'], 'West': ['head', 'manager', \
'officer', 'officer']}
>>> staff["staff_id"].tolist()[:3], staff["cap"].tolist()[:5]
(['0101', '0102', '0103'], ['', '', '40', '40', '30'])
>>> sample_staff(pd.DataFrame({"region": ["Shilipu"]}))["region_name"].unique().tolist()
['十里铺供电所']
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd

from arrearsrisk.sample.parameters import REGION_NAMES

__all__ = [
    "CUSTOMERS_PER_OFFICER",
    "OFFICER_CAP",
    "STATION_NAMES",
    "sample_staff",
    "write_sample_staff",
]

CUSTOMERS_PER_OFFICER = 120
"""An area gets one officer per this many customers or part of it (at least two): about
a quarter of a station's customers have a plan in a month, so each officer works about
30 and the caps leave room."""

OFFICER_CAP = 40
"""Most plans an officer works in a month; the last officer of an area, who also reads
meters, takes :data:`PART_TIME_CAP`."""

PART_TIME_CAP = 30

STATION_NAMES: dict[str, str] = {r: f"{name}供电所" for r, name in REGION_NAMES.items()}
"""The Chinese name of each simulated supply station
(:data:`arrearsrisk.sample.parameters.REGIONS`), as the reports show it."""

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华红建文辉玲鹏斌宇浩凯健俊帆旭宁晨阳雪梅兰峰"


def _pick(key: str, alphabet: str, k: int) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    return "".join(alphabet[digest[i] % len(alphabet)] for i in range(k))


def _name(key: str, taken: set[str]) -> str:
    """A Chinese name drawn from ``key``, different from those ``taken``."""
    for attempt in range(1000):
        k = f"{key}/{attempt}"
        given = 1 + hashlib.sha256(k.encode()).digest()[31] % 2
        name = _pick(k + "s", _SURNAMES, 1) + _pick(k + "g", _GIVEN, given)
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("no free name")  # pragma: no cover - 1000 tries over ~100,000 names


def sample_staff(customers: pd.DataFrame) -> pd.DataFrame:
    """The staff of each area of ``customers``: head, manager and officers with caps.

    Parameters
    ----------
    customers : pandas.DataFrame
        A ledger's customers (its ``region`` column is used; customers without one are
        left out).

    Returns
    -------
    pandas.DataFrame
        Columns region, role, staff_id, name, cap, region_name, all text (cap empty for
        heads and managers, region_name empty for an area not in :data:`STATION_NAMES`);
        areas in sorted order, each numbered ``01``, ``02``... and its people
        ``<area><nn>``: the head ``01``, the manager ``02``, the officers from ``03``.
    """
    counts = customers["region"].dropna().astype(str).value_counts().sort_index()
    taken: set[str] = set()
    rows: list[tuple[str, str, str, str, str, str]] = []
    for a, (key, n) in enumerate(counts.items(), start=1):
        region = str(key)
        officers = max(2, -(-int(n) // CUSTOMERS_PER_OFFICER))
        roles = ["head", "manager"] + ["officer"] * officers
        title = STATION_NAMES.get(region, "")
        for k, role in enumerate(roles, start=1):
            cap = "" if role != "officer" else str(OFFICER_CAP)
            if role == "officer" and k == len(roles):
                cap = str(PART_TIME_CAP)
            person = _name(f"{region}/{k}", taken)
            rows.append((region, role, f"{a:02d}{k:02d}", person, cap, title))
    return pd.DataFrame(rows, columns=["region", "role", "staff_id", "name", "cap", "region_name"])


def write_sample_staff(
    folder: str | os.PathLike[str], customers: pd.DataFrame | None = None
) -> Path:
    """Write :func:`sample_staff` of a ledger folder's customers as ``staff.csv`` there.

    Parameters
    ----------
    folder : path
        A ledger folder written by :func:`~arrearsrisk.sample.write_sample`.
    customers : pandas.DataFrame, optional
        The customers, if already read (default: the folder's ``customers.csv`` or
        ``customers.parquet``).

    Returns
    -------
    pathlib.Path
        The file written (UTF-8, ``\\n`` line ends, no quoting needed).
    """
    target = Path(folder)
    if customers is None:
        csv = target / "customers.csv"
        customers = (
            pd.read_csv(csv, dtype=str, usecols=["region"])
            if csv.exists()
            else pd.read_parquet(target / "customers.parquet", columns=["region"])
        )
    staff = sample_staff(customers)
    out = target / "staff.csv"
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(",".join(staff.columns) + "\n")
        for row in staff.itertuples(index=False):
            fh.write(",".join(row) + "\n")
    return out

"""The second reading: how many rows of each table a second reader has read against their source,
and with what result (data/checks.csv). One place for these counts; the landing page, the data
page and the tests read them from here.

A row may be read more than once (a sample is read a third time); its latest reading counts. A row
with no reading is "not yet read".
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .validate import tables
from .validate.tables import row_key

RESULTS = ("verified", "corrected", "not_rereadable")
CHECKS_TABLE = "checks"
# Tables that are records of our own work rather than facts from sources: nothing to read again.
NOT_READ = {CHECKS_TABLE, "export_search_notes"}


@dataclass(frozen=True)
class TableReadings:
    table: str
    title: str
    rows: int
    verified: int
    corrected: int
    not_rereadable: int

    @property
    def read(self) -> int:
        return self.verified + self.corrected + self.not_rereadable

    @property
    def unread(self) -> int:
        return self.rows - self.read

    @property
    def confirmed(self) -> int:
        """Rows whose values now agree with the source: verified, or corrected to agree."""
        return self.verified + self.corrected


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def latest(data_dir: Path, descriptor: dict) -> dict[tuple[str, str], dict]:
    """The latest reading of each (table, row key)."""
    res = next((r for r in tables(descriptor) if r["name"] == CHECKS_TABLE), None)
    if res is None or not (data_dir / res["path"]).is_file():
        return {}
    out: dict[tuple[str, str], dict] = {}
    for reading in sorted(_rows(data_dir / res["path"]), key=lambda r: r["checked"]):
        out[reading["table"], reading["row"]] = reading
    return out


def by_table(data_dir: Path, descriptor: dict) -> list[TableReadings]:
    """Per table of facts, in the package's order: its rows and the latest reading of each."""
    readings = latest(data_dir, descriptor)
    out = []
    for res in tables(descriptor):
        if res["name"] in NOT_READ:
            continue
        keys = [row_key(res, row) for row in _rows(data_dir / res["path"])]
        results = [readings[res["name"], k]["result"] for k in keys if (res["name"], k) in readings]
        out.append(TableReadings(res["name"], res.get("title", res["name"]), len(keys),
                                 *(results.count(r) for r in RESULTS)))
    return out


def row_results(data_dir: Path, descriptor: dict) -> dict[str, str]:
    """The latest result per row key (ids are unique across the tables that show them)."""
    return {key: reading["result"] for (_, key), reading in latest(data_dir, descriptor).items()}


def summary_sentence(counts: list[TableReadings]) -> str:
    from .prose import count

    rows = sum(c.rows for c in counts)
    read = sum(c.read for c in counts)
    verified = sum(c.verified for c in counts)
    corrected = sum(c.corrected for c in counts)
    unreadable = sum(c.not_rereadable for c in counts)
    if not read:
        return f"None of the {count(rows, 'row')} has yet been read a second time against its source."
    return (f"A second reader, not the one who collected them, has read {read:,} of the {count(rows, 'row')} "
            f"again against their sources: {verified:,} verified as recorded, {corrected:,} corrected, and "
            f"{unreadable:,} whose source could not be found again (each says where it was looked for)"
            + (f"; {rows - read:,} not yet read." if rows > read else "."))

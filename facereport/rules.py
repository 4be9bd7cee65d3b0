"""What a Table Schema cannot say about a row: rules across the cells of one row, and across tables.

A resource in datapackage.json opts in:

    "x-date-order": [["announced", "effective"], ...]   each pair: the first is not after the second
    "x-row-checks": ["instrument-status", ...]          named rules below (ROW_CHECKS)
    "schema": {"foreignKeys": [...]}                    standard Table Schema foreign keys, checked
                                                        here with messages that name file, line, column

Each rule returns problems as (column, message); the validator adds the file and the line.
"""
from __future__ import annotations

import csv
import datetime as dt
from typing import Callable, Iterable

PERIOD_END = {"year": lambda d: dt.date(d.year, 12, 31),
              "month": lambda d: (dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1) - dt.timedelta(days=1)),
              "day": lambda d: d}


def period(value: str) -> tuple[dt.date, dt.date] | None:
    """First and last day a partial ISO date covers; None if it is not one."""
    from .validate import parse_partial_date

    try:
        start, precision = parse_partial_date(value)
    except ValueError:
        return None
    return start, PERIOD_END[precision](start)


def not_after(earlier: str, later: str) -> bool:
    """Could ``earlier`` be on or before ``later``, at the precision each is given?"""
    a, b = period(earlier), period(later)
    return a is None or b is None or a[0] <= b[1]


class Tables:
    """Other tables of the package, read on demand (for foreign keys and cross-table rules)."""

    def __init__(self, project, descriptor: dict):
        self.project, self.descriptor = project, descriptor
        self._rows: dict[str, list[dict] | None] = {}

    def resource(self, name: str) -> dict | None:
        return next((r for r in self.descriptor.get("resources", []) if r.get("name") == name), None)

    def rows(self, name: str) -> list[dict] | None:
        """The table's rows as dicts; None if it cannot be read (its own problems say why)."""
        if name not in self._rows:
            res = self.resource(name)
            try:
                with open(self.project.data_dir / res["path"], encoding="utf-8", newline="") as fh:
                    self._rows[name] = list(csv.DictReader(fh))
            except (OSError, UnicodeDecodeError, TypeError, csv.Error):
                self._rows[name] = None
        return self._rows[name]

    def by_key(self, name: str, field: str) -> dict[str, dict] | None:
        rows = self.rows(name)
        return None if rows is None else {r.get(field, ""): r for r in rows}


Found = list[tuple[str, str]]


# ---------------------------------------------------------------- rules within a row

def date_order(row: dict, pairs: Iterable[list[str]]) -> Found:
    out = []
    for first, second in pairs:
        a, b = row.get(first, ""), row.get(second, "")
        if a and b and not not_after(a, b):
            out.append((second, f"{second} {b!r} is before {first} {a!r}"))
    return out


def instrument_status(row: dict, tables: Tables, today: dt.date) -> Found:
    """A status that agrees with the dates: a draft has not taken effect; what is in force has
    taken effect by today; what ended says when."""
    status, effective, ended = row.get("status", ""), row.get("effective", ""), row.get("ended", "")
    out = []
    if status in ("draft", "withdrawn") and effective:
        out.append(("effective", f"status is {status!r}, but the row gives an effective date {effective!r}"))
    if status in ("in_force", "partly_in_force"):
        start = effective or row.get("adopted", "") or row.get("announced", "")
        if not start:
            out.append(("effective", f"status is {status!r}: give the effective date (or, if no source "
                                     f"gives one, the date it was adopted or announced)"))
        elif (p := period(start)) and p[0] > today:
            out.append(("status", f"status is {status!r}, but it takes effect on {start!r}, after today: "
                                  f"use 'adopted'"))
    if status in ("superseded", "repealed", "struck_down", "overturned") and not ended:
        if status != "overturned":   # a ruling reversed on appeal: the appeal row holds the date
            out.append(("ended", f"status is {status!r}: give the date it ended"))
    if ended and status in ("in_force", "draft", "adopted"):
        out.append(("status", f"the row gives an end date {ended!r}, but its status is {status!r}"))
    return out


def instrument_date(row: dict, tables: Tables, today: dt.date) -> Found:
    """An event that is a rule points at its instrument, and its date is one of the instrument's
    dates (announced, adopted or effective), at the event's precision: one fact, one place. An
    event dated by a later report ('reported') is not before the instrument's first date."""
    ref = row.get("instrument", "")
    if not ref:
        return []
    instruments = tables.by_key("regulations", "id")
    if not instruments or ref not in instruments:
        return []   # the foreign-key rule reports it
    inst = instruments[ref]
    dates = {k: inst.get(k, "") for k in ("announced", "adopted", "effective") if inst.get(k, "")}
    date = row.get("date", "")
    given = ", ".join(f"{k} {v}" for k, v in dates.items()) or "no dates"
    if not date or not dates:
        return []
    if row.get("date_type") == "reported":
        # dated by a later report: not before the instrument's first date
        if not any(not_after(d, date) for d in dates.values()):
            return [("date", f"the event is reported on {date!r}, before any of instrument {ref}'s "
                             f"dates ({given})")]
        return []
    if not any(d.startswith(date) or date.startswith(d) for d in dates.values()):
        return [("date", f"the event's date {date!r} is none of instrument {ref}'s dates ({given}); "
                         f"correct the one that is wrong")]
    return []


ROW_CHECKS: dict[str, Callable[[dict, Tables, dt.date], Found]] = {
    "instrument-status": instrument_status,
    "instrument-date": instrument_date,
}


def row_problems(resource: dict, row: dict, tables: Tables, today: dt.date) -> Found:
    out = date_order(row, resource.get("x-date-order", []))
    for name in resource.get("x-row-checks", []):
        out += ROW_CHECKS[name](row, tables, today)
    return out


# ---------------------------------------------------------------- foreign keys

def foreign_key_problems(resource: dict, row: dict, tables: Tables) -> Found:
    out = []
    for fk in resource.get("schema", {}).get("foreignKeys", []):
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]
        ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        target = ref.get("resource") or resource["name"]
        values = tuple(row.get(f, "") for f in fields)
        if not all(values):
            continue   # an empty reference is "none"; 'required' says whether that is allowed
        rows = tables.rows(target)
        if rows is None:
            continue   # the target's own problems are reported
        keys = {tuple(r.get(f, "") for f in ref_fields) for r in rows}
        if values not in keys:
            target_path = (tables.resource(target) or {}).get("path", target)
            shown = ", ".join(values)
            out.append((fields[0], f"{shown!r} matches no {'/'.join(ref_fields)} in data/{target_path}"))
    return out

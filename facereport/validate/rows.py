"""Rules across the cells of one row, and across the rows of one table. They read only cells that
passed their own checks (cells.py): a value already reported as wrong is not reported again as the
cause of something else.

A resource in datapackage.json opts in:

    "x-date-order": [["announced", "effective"], ...]   each pair: the first is not after the second
    "x-row-checks": ["instrument-status", ...]          named rules (RULES here, or tables.RULES)
    "x-possible-duplicates": {"fields": [...],          rows equal on these fields are flagged for a
                              "allowed": [[id, id]]}    look, unless the pair is allowed

Each rule returns problems as (column, message); the validator adds the file and the line.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

from .cells import parse_partial_date

Found = list[tuple[str, str]]

PERIOD_END = {"year": lambda d: dt.date(d.year, 12, 31),
              "month": lambda d: (dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1) - dt.timedelta(days=1)),
              "day": lambda d: d}


def period(value: str) -> tuple[dt.date, dt.date] | None:
    """First and last day a partial ISO date covers; None if it is not one."""
    try:
        start, precision = parse_partial_date(value)
    except ValueError:
        return None
    return start, PERIOD_END[precision](start)


def not_after(earlier: str, later: str) -> bool:
    """Could ``earlier`` be on or before ``later``, at the precision each is given?"""
    a, b = period(earlier), period(later)
    return a is None or b is None or a[0] <= b[1]


# ---------------------------------------------------------------- rules within a row

def date_order(row: dict, pairs: Iterable[list[str]]) -> Found:
    out = []
    for first, second in pairs:
        a, b = row.get(first, ""), row.get(second, "")
        if a and b and not not_after(a, b):
            out.append((second, f"{second} {b!r} is before {first} {a!r}"))
    return out


def instrument_status(row: dict, today: dt.date) -> Found:
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


def survey_dated(row: dict, today: dt.date) -> Found:
    """A survey can be placed in time: it has a fieldwork end or the date a source reported it."""
    if not row.get("fieldwork_end") and not row.get("reported"):
        return [("reported", "a survey needs a date: the end of fieldwork, or the date a source reported it")]
    return []


def check_result(row: dict, today: dt.date) -> Found:
    """A reading says what it found: a correction lists what changed; a row that could not be read
    again says where it was looked for (it may still have corrected its source's entry); a verified
    row changed nothing."""
    result, corrections, notes = row.get("result", ""), row.get("corrections", ""), row.get("notes", "")
    if result == "corrected" and not corrections:
        return [("corrections", "result is 'corrected': list what changed, as field: before -> after")]
    if result == "verified" and corrections:
        return [("result", f"the reading lists corrections but its result is {result!r}: use 'corrected'")]
    if result == "not_rereadable" and not notes:
        return [("notes", "result is 'not_rereadable': say where the text was looked for")]
    return []


RULES: dict[str, Callable[[dict, dt.date], Found]] = {
    "check-result": check_result,
    "survey-dated": survey_dated,
    "instrument-status": instrument_status,
}


def row_problems(resource: dict, row: dict, today: dt.date) -> Found:
    out = date_order(row, resource.get("x-date-order", []))
    for name in resource.get("x-row-checks", []):
        if name in RULES:
            out += RULES[name](row, today)
    return out


# ---------------------------------------------------------------- rules across the rows of a table

def unique_problems(resource: dict, rows: list[tuple[int, dict, set[str]]]) -> list[tuple[int, str, str]]:
    """Unique columns and the primary key: (line, column, message) for each row that repeats an
    earlier one. ``rows`` are (line, row, columns with problems of their own); a key with a bad
    cell is left to that cell's message."""
    schema = resource["schema"]
    primary = schema.get("primaryKey", [])
    primary = [primary] if isinstance(primary, str) else list(primary)
    keys = [[f["name"]] for f in schema["fields"] if f.get("constraints", {}).get("unique")]
    if primary and primary not in keys:
        keys.append(primary)
    out = []
    for key in keys:
        seen: dict[tuple, int] = {}
        for line, row, bad in rows:
            value = tuple(row.get(f, "") for f in key)
            if bad & set(key) or not all(value):
                continue
            if value in seen:
                what = (f"duplicate value {value[0]!r}" if len(key) == 1
                        else f"duplicate primary key ({', '.join(key)})")
                out.append((line, key[0], f"{what}: already used at line {seen[value]}"))
            else:
                seen[value] = line
    return out


def duplicate_problems(resource: dict, rows: list[tuple[int, dict]]) -> list[tuple[int, str, str]]:
    """Rows equal on the resource's "x-possible-duplicates" fields whose dates could be the same
    day (equal, or one a coarser form of the other: 2018 and 2018-02-26): (line, column, message)
    for the later row of each pair, unless the pair is allowed."""
    spec = resource.get("x-possible-duplicates")
    if not spec:
        return []
    fields, date_field = spec["fields"], spec.get("date", "date")
    key = resource["schema"].get("primaryKey", ["id"])[0]
    allowed = {frozenset(pair) for pair in spec.get("allowed", [])}
    seen: dict[tuple, list[tuple[int, str, str]]] = {}
    out = []
    for line, row in rows:
        group = tuple(row.get(f, "") for f in fields)
        ident, date = row.get(key, ""), row.get(date_field, "")
        for first_line, other, other_date in seen.get(group, []):
            same_day = date.startswith(other_date) or other_date.startswith(date)
            if same_day and frozenset((ident, other)) not in allowed:
                out.append((line, date_field, f"same {', '.join(fields)} and date as {other} (line {first_line}, "
                                              f"{other_date}): merge the two, or, if they are different events, "
                                              f"list the pair under \"allowed\" in datapackage.json"))
                break
        seen.setdefault(group, []).append((line, ident, date))
    return out

"""What a Table Schema cannot say about a row: rules across the cells of one row, and across tables.

A resource in datapackage.json opts in:

    "x-date-order": [["announced", "effective"], ...]   each pair: the first is not after the second
    "x-row-checks": ["instrument-status", ...]          named rules below (ROW_CHECKS)
    "x-possible-duplicates": {"fields": [...],          rows equal on these fields are flagged for a
                              "allowed": [[id, id]]}    look, unless the pair is allowed
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

    def __init__(self, project, descriptor: dict, sources: dict | None = None):
        self.project, self.descriptor, self.sources = project, descriptor, sources
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


def source_date(row: dict, tables: Tables, today: dt.date) -> Found:
    """A row's date agrees with what it means (date_type) and with its first source's date:
    'reported' is the first source's publication date; what 'occurred' or was 'announced' is not
    after the source that reports it (a date a source gives in advance is 'scheduled')."""
    keys = [k.strip() for k in row.get("sources", "").split(";") if k.strip()]
    if not keys or not tables.sources or keys[0] not in tables.sources:
        return []   # the source-keys check reports it
    first = keys[0]
    published = tables.sources[first].fields.get("date", "")
    kind, date = row.get("date_type", ""), row.get("date", "")
    if not date:
        return []
    if kind == "reported":
        if not published:
            return [("date_type", f"'reported' dates a row by its first source's publication, but {first!r} "
                                  f"has no date: make a dated source the first, or use another date_type")]
        if date != published:
            return [("date", f"a 'reported' date is its first source's publication date: {first!r} was "
                             f"published {published!r}, the row says {date!r}")]
    if kind in ("occurred", "announced") and published and not not_after(date, published):
        return [("date", f"{kind} on {date!r}, after its first source {first!r} was published "
                         f"({published!r}): a date a source gives in advance is 'scheduled' (for a rule, "
                         f"the regulation table's effective date)")]
    return []


def survey_dated(row: dict, tables: Tables, today: dt.date) -> Found:
    """A survey can be placed in time: it has a fieldwork end or the date a source reported it."""
    if not row.get("fieldwork_end") and not row.get("reported"):
        return [("reported", "a survey needs a date: the end of fieldwork, or the date a source reported it")]
    return []


def result_within_survey(row: dict, tables: Tables, today: dt.date) -> Found:
    """A result belongs to its survey: its country is one the survey covers, and its base is not
    larger than the survey's sample."""
    surveys = tables.by_key("opinion_surveys", "id")
    survey = (surveys or {}).get(row.get("survey_id", ""))
    if survey is None:
        return []   # the foreign-key rule reports it
    out = []
    country = row.get("country", "")
    if country and country not in survey.get("countries", "").split(";"):
        out.append(("country", f"{country!r} is not among survey {row['survey_id']}'s countries "
                               f"({survey.get('countries', '')})"))
    base, sample = row.get("base", ""), survey.get("sample_size", "")
    if base.isdigit() and sample.isdigit() and int(base) > int(sample):
        out.append(("base", f"base {base} is larger than survey {row['survey_id']}'s sample of {sample}"))
    return out


ROW_CHECKS: dict[str, Callable[[dict, Tables, dt.date], Found]] = {
    "survey-dated": survey_dated,
    "result-within-survey": result_within_survey,
    "instrument-status": instrument_status,
    "instrument-date": instrument_date,
    "source-date": source_date,
}


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

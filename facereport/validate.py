"""Validate ``data/``: the Data Package, every table against its Table Schema, the source registry,
and what a schema cannot say (sources exist, dates are real and not in the future, ISO codes exist,
URLs are http(s)).

Every problem names the file, the line and the column, so that a person can go straight to it:

    data/rollout_events.csv:14: column 'date': expected a date ... found '2019-13'

Run it alone with ``make validate`` (``python -m facereport.validate``); ``make book`` runs it first
and stops there if anything is wrong.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from . import rules
from .bib import BibError, Source, read_bib
from .paths import Project

PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
DOI = re.compile(r"10\.\d{4,9}/\S+")
BIB_REQUIRED = ("title", "author", "year", "urldate", "language")
# Shape errors this module reports itself, with clearer messages, before frictionless runs.
ALREADY_CHECKED = {"missing-cell", "extra-cell", "blank-row", "incorrect-label", "missing-label",
                   "extra-label", "duplicate-label", "blank-label"}


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:"
        return f"{where} column '{self.column}': {self.message}" if self.column else f"{where} {self.message}"


SHOWN = 100                 # problems printed before the list is cut (all are counted)
SCHEMA_ERROR_LIMIT = 100_000  # frictionless stops a table's schema check after this many errors


def report_lines(problems: list[Problem], shown: int = SHOWN) -> list[str]:
    """The problems as lines to print; past ``shown``, one line saying how many and that the list
    is cut (a person fixing data needs the first ones and the true count, not 50,000 lines)."""
    lines = [str(p) for p in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"... the list is cut here: {shown} of {len(problems)} problem(s) shown")
    return lines


class DataError(Exception):
    """Raised by the loader when data does not validate; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  {line}" for line in report_lines(problems, 50))
        super().__init__(f"{len(problems)} problem(s) in data/:\n{lines}")


@dataclass
class Context:
    today: dt.date
    sources: dict[str, Source] | None   # None: the registry could not be read, keys go unchecked
    tables: "rules.Tables | None" = None  # the other tables, for foreign keys and cross-table rules


# ---------------------------------------------------------------- cell checks named in schemas
# A field opts in with "x-check": "<name>" (or a list of names) in datapackage.json; each check
# returns None when the value is fine, else what was expected. Empty cells are the schema's
# "required" constraint's business, not these checks'.

def parse_partial_date(value: str) -> tuple[dt.date, str]:
    """The first day a partial ISO date covers, and its precision ('year', 'month' or 'day').

    Raises ValueError with a message a person can act on.
    """
    m = PARTIAL_DATE.fullmatch(value)
    if not m:
        raise ValueError(
            f"expected an ISO 8601 date at the source's precision (YYYY, YYYY-MM or YYYY-MM-DD), "
            f"found {value!r}"
        )
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        start = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date ({exc})") from None
    return start, ("day" if day else "month" if month else "year")


def check_partial_date(value: str, ctx: Context) -> str | None:
    """A real date at year, month or day precision (YYYY, YYYY-MM, YYYY-MM-DD), not in the future."""
    try:
        start, _ = parse_partial_date(value)
    except ValueError as exc:
        return str(exc)
    if start > ctx.today:
        return f"date {value!r} is in the future (today is {ctx.today.isoformat()})"
    return None


def check_subdivision(value: str, ctx: Context) -> str | None:
    """An ISO 3166-2 subdivision code that exists (checked with pycountry)."""
    import pycountry

    if pycountry.subdivisions.get(code=value) is None:
        return f"expected an ISO 3166-2 subdivision code such as 'CN-BJ', found {value!r}"
    return None


def check_country(value: str, ctx: Context) -> str | None:
    """An ISO 3166-1 alpha-3 country code that exists (checked with pycountry)."""
    import pycountry

    if pycountry.countries.get(alpha_3=value) is None:
        return f"expected an ISO 3166-1 alpha-3 country code such as 'CHN', found {value!r}"
    return None


def check_country_list(value: str, ctx: Context) -> str | None:
    """ISO 3166-1 alpha-3 country codes separated by ';' (checked with pycountry)."""
    codes = value.split(";")
    bad = [c for c in codes if not c or check_country(c, ctx)]
    if bad:
        return f"expected ISO 3166-1 alpha-3 codes separated by ';' such as 'CHN;USA', found {', '.join(map(repr, bad))}"
    if len(set(codes)) != len(codes):
        return f"a country is listed twice in {value!r}"
    return None


def check_jurisdiction(value: str, ctx: Context) -> str | None:
    """A jurisdiction: 'EU', an ISO 3166-1 alpha-3 country code or an ISO 3166-2 subdivision code."""
    import pycountry

    if value == "EU" or pycountry.countries.get(alpha_3=value) or pycountry.subdivisions.get(code=value):
        return None
    return (f"expected 'EU', an ISO 3166-1 alpha-3 code such as 'CHN' or an ISO 3166-2 code such as "
            f"'CN-ZJ' or 'US-IL', found {value!r}")


def check_source_keys(value: str, ctx: Context) -> str | None:
    """Every key is an entry of sources.bib."""
    keys = [k.strip() for k in value.split(";")]
    if any(not k for k in keys):
        return f"expected source keys separated by ';', found an empty key in {value!r}"
    if ctx.sources is None:  # the registry's own problem is reported; do not repeat it per row
        return None
    missing = [k for k in keys if k not in ctx.sources]
    if missing:
        return f"source key(s) {', '.join(map(repr, missing))} not found in data/sources.bib"
    return None


def check_http_url(value: str, ctx: Context) -> str | None:
    """An http:// or https:// URL (no javascript:, file: or other schemes)."""
    if not re.match(r"https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        return f"expected an http:// or https:// URL, found {value!r}"
    return None


CHECKS: dict[str, Callable[[str, Context], str | None]] = {
    "partial-date": check_partial_date,
    "iso3166-2": check_subdivision,
    "iso3166-1-alpha3": check_country,
    "iso3166-1-alpha3-list": check_country_list,
    "jurisdiction": check_jurisdiction,
    "source-keys": check_source_keys,
    "http-url": check_http_url,
}


def field_checks(field: dict) -> list[str]:
    names = field.get("x-check", [])
    return [names] if isinstance(names, str) else list(names)


# ---------------------------------------------------------------- the Data Package descriptor

def read_descriptor(project: Project) -> tuple[dict | None, list[Problem]]:
    rel = project.rel(project.datapackage)
    try:
        text = project.datapackage.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(rel, 1, "", f"cannot read the Data Package: {exc}")]
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem(rel, exc.lineno, "", f"not valid JSON: {exc.msg} (character {exc.colno})")]
    from frictionless import FrictionlessException, Package

    try:
        errors = list(Package.metadata_validate(descriptor))
    except FrictionlessException as exc:
        errors = [exc.error]
    problems = [Problem(rel, 1, "", f"not a valid Data Package: {e.note or e.message}") for e in errors]
    for field in _all_fields(descriptor):
        for name in field_checks(field):
            if name not in CHECKS:
                problems.append(Problem(rel, _line_of(text, f'"{field.get("name")}"'), "",
                                        f"field {field.get('name')!r} names unknown check {name!r}; "
                                        f"known: {', '.join(CHECKS)}"))
    for res in descriptor.get("resources", []):
        for name in res.get("x-row-checks", []):
            if name not in rules.ROW_CHECKS:
                problems.append(Problem(rel, _line_of(text, f'"{name}"'), "",
                                        f"resource {res.get('name')!r} names unknown row check {name!r}; "
                                        f"known: {', '.join(rules.ROW_CHECKS)}"))
    return (None if problems else descriptor), problems


def _all_fields(descriptor: dict) -> Iterable[dict]:
    for res in descriptor.get("resources", []):
        yield from (res.get("schema") or {}).get("fields", [])


def _descriptor_problem(project: Project, resource: dict, message: str) -> Problem:
    """A problem of ``resource`` reported at the line of datapackage.json where its path is written."""
    rel = project.rel(project.datapackage)
    try:
        text = project.datapackage.read_text(encoding="utf-8")
    except OSError:
        return Problem(rel, 1, "path", message)
    m = re.search(r'"path"\s*:\s*' + re.escape(json.dumps(resource.get("path", ""))), text)
    line = text.count("\n", 0, m.start()) + 1 if m else 1
    return Problem(rel, line, "path", message)


def _line_of(text: str, needle: str) -> int:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


def tables(descriptor: dict) -> list[dict]:
    """The tabular resources: those with a Table Schema."""
    return [r for r in descriptor.get("resources", []) if "schema" in r]


def registry_path(project: Project, descriptor: dict) -> Path:
    """The source registry is the package's one BibTeX resource."""
    bibs = [r for r in descriptor.get("resources", []) if r.get("format") == "bib"]
    if len(bibs) != 1:
        raise ValueError("data/datapackage.json must list exactly one resource with format 'bib'")
    return project.data_dir / bibs[0]["path"]


# ---------------------------------------------------------------- the source registry

def validate_sources(project: Project, path: Path, ctx_today: dt.date) -> tuple[dict[str, Source], list[Problem]]:
    rel = project.rel(path)
    try:
        sources = read_bib(path)
    except FileNotFoundError:
        return {}, [Problem(rel, 1, "", "the source registry is missing")]
    except UnicodeDecodeError as exc:
        return {}, [_encoding_problem(rel, path.read_bytes(), exc, header=None)]
    except BibError as exc:
        return {}, [Problem(rel, exc.line or 1, "", str(exc))]
    problems = []
    for src in sources.values():
        def bad(name: str, message: str) -> None:
            problems.append(Problem(rel, src.line_of(name), name, f"entry {src.key!r}: {message}"))

        for name in BIB_REQUIRED:
            if name == "author":
                if not src.authors:
                    bad(name, "needs an author (a person, or an organisation in double braces)")
            elif not src.fields.get(name, "").strip():
                bad(name, f"needs a {name} field" + (" (or 'n.d.' for an undated source)" if name == "year" else ""))
        if not any(src.fields.get(n) for n in ("url", "doi", "note")):
            bad("url", "needs a url or doi, or a note saying why there is none")
        if src.fields.get("url") and (msg := check_http_url(src.fields["url"], None)):
            bad("url", msg)
        # A copy read in place of the original: its address and its script are data, not prose.
        copyurl, copyscript = src.fields.get("copyurl", ""), src.fields.get("copyscript", "")
        if copyurl and (msg := check_http_url(copyurl, None)):
            bad("copyurl", msg)
        if copyurl and not copyscript:
            bad("copyurl", "a copy needs copyscript too: the script of the text read (ISO 15924: Hans, Hant, Latn ...)")
        if copyscript and not copyurl:
            bad("copyscript", "copyscript describes a copy: give its address in copyurl")
        if copyscript and not _is_script(copyscript):
            bad("copyscript", f"expected an ISO 15924 script code such as 'Hans', 'Hant' or 'Latn', found {copyscript!r}")
        if src.fields.get("doi") and not DOI.fullmatch(src.fields["doi"]):
            bad("doi", f"expected a DOI such as '10.1000/xyz', found {src.fields['doi']!r}")
        for name in ("date", "urldate"):
            if src.fields.get(name):
                msg = check_partial_date(src.fields[name], Context(ctx_today, {}))
                if msg:
                    bad(name, msg)
        if src.fields.get("year") == "n.d." and src.fields.get("date"):
            bad("year", f"year 'n.d.' (no date) disagrees with date {src.fields['date']!r}")
        elif src.fields.get("year") and src.fields["year"] != "n.d." and not re.fullmatch(r"\d{4}", src.fields["year"]):
            bad("year", f"expected a four-digit year, or 'n.d.' for an undated source, found {src.fields['year']!r}")
        if src.fields.get("date") and src.fields.get("year") and not src.fields["date"].startswith(src.fields["year"]):
            bad("year", f"year {src.fields['year']!r} disagrees with date {src.fields['date']!r}")
        lang = src.fields.get("language", "")
        if lang and not _is_language(lang):
            bad("language", f"expected an ISO 639-1 language code such as 'en' or 'zh', found {lang!r}")
    return sources, problems


def _is_script(code: str) -> bool:
    import pycountry

    return pycountry.scripts.get(alpha_4=code) is not None


def _is_language(code: str) -> bool:
    import pycountry

    return pycountry.languages.get(alpha_2=code) is not None


# ---------------------------------------------------------------- one table

def _encoding_problem(rel: str, raw: bytes, exc: UnicodeDecodeError, header: list[str] | None) -> Problem:
    line = raw.count(b"\n", 0, exc.start) + 1
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    column = ""
    if header:
        # Which CSV column holds the bad byte: count the fields before it on its line.
        before = raw[line_start:exc.start].decode("utf-8", errors="replace")
        fields = next(csv.reader([before]), [])
        index = max(len(fields) - 1, 0)
        column = header[index] if index < len(header) else ""
    return Problem(rel, line, column,
                   f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded "
                   f"(save the file as UTF-8)")


def read_rows(path: Path, rel: str) -> tuple[list[str], list[tuple[int, list[str]]], list[Problem]]:
    """Header, data rows with the line each starts on, and problems of encoding and shape."""
    raw = path.read_bytes()
    first_line = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    header_guess = next(csv.reader([first_line]), [])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [], [_encoding_problem(rel, raw, exc, header_guess)]
    if text.startswith("\ufeff"):
        return [], [], [Problem(rel, 1, "", "starts with a byte-order mark; save as UTF-8 without BOM")]
    # strict: a quote that closes a cell with more text before the comma is an error, not a guess
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    last_end = 0
    try:
        for cells in reader:
            start = last_end + 1
            last_end = reader.line_num
            if not header:
                header = cells
            else:
                rows.append((start, cells))
    except csv.Error as exc:
        line = last_end + 1
        physical = text.split("\n")
        fault = quote_fault(physical[line - 1]) if line - 1 < len(physical) else None
        if fault is None:
            return header, rows, [Problem(rel, line, "", f"CSV cannot be read: {exc}")]
        names = header or header_guess
        column = names[fault] if fault < len(names) else ""
        return header, rows, [Problem(rel, line, column, QUOTE_HELP + "; the file is not read past this line")]
    return header, rows, []


QUOTE_HELP = ("a quote (\") opens this cell but does not close it at the cell's end: close the quote "
              "before the comma, and double any quote inside a quoted cell (\"\")")


def check_header(rel: str, header: list[str], fields: list[dict]) -> list[Problem]:
    """One problem per column that is missing, unexpected, renamed or out of place, named as such
    (a missing column is not reported as every later column being in the wrong place)."""
    import difflib

    expected = [f["name"] for f in fields]
    if header == expected:
        return []
    problems = []
    matcher = difflib.SequenceMatcher(a=expected, b=header, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        wanted, found = expected[a0:a1], header[b0:b1]
        for name in found:
            if name in expected:
                problems.append(Problem(rel, 1, name, f"column {name!r} is out of place: the schema's order is "
                                                      f"{', '.join(expected)}"))
        found_new = [n for n in found if n not in expected]
        wanted_missing = [n for n in wanted if n not in header]
        for i, name in enumerate(wanted_missing):
            if i < len(found_new):
                problems.append(Problem(rel, 1, found_new[i], f"expected column {expected.index(name) + 1} to be "
                                                              f"{name!r}, found {found_new[i]!r}"))
            else:
                after = expected[expected.index(name) - 1] if expected.index(name) else None
                where = f"after {after!r}" if after else "first"
                problems.append(Problem(rel, 1, name, f"column {expected.index(name) + 1} {name!r} is missing "
                                                      f"(it comes {where})"))
        for name in found_new[len(wanted_missing):]:
            problems.append(Problem(rel, 1, name, f"unexpected column {name!r}; the schema has "
                                                  f"{len(expected)} columns: {', '.join(expected)}"))
    return problems


def validate_table(project: Project, resource: dict, ctx: Context) -> tuple[int, list[Problem]]:
    """Number of data rows, and the problems of one tabular resource."""
    path = project.data_dir / resource["path"]
    rel = project.rel(path)
    if not path.is_file():
        return 0, [_descriptor_problem(project, resource, f"resource {resource['name']!r}: its path "
                                       f"{resource['path']!r} names no file in data/")]
    fields = resource["schema"]["fields"]
    header, rows, problems = read_rows(path, rel)
    if problems:
        return len(rows), problems
    problems = check_header(rel, header, fields)
    if problems:
        return len(rows), problems  # every row would be misread: stop here
    if not rows and not resource.get("x-allow-empty"):
        return 0, [Problem(rel, 1, "", "the table has a header but no rows; a table of the book needs "
                                       "at least one (a table that may be empty says "
                                       "\"x-allow-empty\": true in datapackage.json)")]

    line_of_row = {i + 2: line for i, (line, _) in enumerate(rows)}  # frictionless counts the header as row 1
    schema = _schema_problems(rel, resource, path, line_of_row)
    schema_lines = {p.line for p in schema}
    ends = [start - 1 for start, _ in rows[1:]] + [None]
    physical = path.read_text(encoding="utf-8").split("\n")
    last_line = raw_line_count(path)
    quoted: set[int] = set()
    complete: list[tuple[int, dict]] = []
    last_filled = max((i for i, (_, cells) in enumerate(rows) if any(c.strip() for c in cells)), default=-1)
    for n, ((line, cells), end) in enumerate(zip(rows, ends)):
        spans = (end if end is not None else last_line) - line + 1
        if not any(c.strip() for c in cells):
            problems.append(Problem(rel, line, "", "blank line at the end of the file: remove it"
                                    if n > last_filled else "blank row"))
        elif len(cells) != len(fields) and any("\n" in c for c in cells):
            opened = quote_fault(physical[line - 1]) if line - 1 < len(physical) else None
            column = fields[opened]["name"] if opened is not None and opened < len(fields) else ""
            quoted.add(line)
            problems.append(Problem(rel, line, column, f"{QUOTE_HELP}; the cell runs on over {spans} lines"))
        elif len(cells) != len(fields):
            problems.append(Problem(rel, line, "", f"expected {len(fields)} cells, found {len(cells)}"))
        else:
            cell_problems = [p for field, value in zip(fields, cells)
                             for p in _cell_problems(rel, line, field, value, ctx)]
            problems.extend(cell_problems)
            # Rules across cells and tables read a row only once its cells are right: one
            # message per problem, and none built on a value already reported as wrong.
            if ctx.tables is not None and not cell_problems and line not in schema_lines:
                row = dict(zip(header, cells))
                complete.append((line, row))
                found = rules.row_problems(resource, row, ctx.tables, ctx.today)
                found += rules.foreign_key_problems(resource, row, ctx.tables)
                problems.extend(Problem(rel, line, column, message) for column, message in found)
    problems.extend(Problem(rel, line, column, message)
                    for line, column, message in rules.duplicate_problems(resource, complete))
    # One message per problem: where our own checks already spoke about a row or a cell, the
    # schema checker's message about the same place is dropped.
    rows_said = {p.line for p in problems if not p.column} | quoted
    cells_said = {(p.line, p.column) for p in problems if p.column}
    problems.extend(p for p in schema if p.line not in rows_said and (p.line, p.column) not in cells_said)
    return len(rows), problems


def quote_fault(line: str) -> int | None:
    """The index of the field whose quote goes wrong on ``line``: still open at the line's end, or
    closed with more text after it before the comma. None if the quotes are well formed."""
    field, quoted, start, opened_at, closed = 0, False, True, None, False
    i = 0
    while i < len(line.rstrip("\r")):
        ch = line[i]
        if quoted:
            if ch == '"':
                if i + 1 < len(line) and line[i + 1] == '"':
                    i += 1          # a doubled quote inside a quoted cell
                else:
                    quoted, closed = False, True
        elif ch == ",":
            field, start, closed = field + 1, True, False
            i += 1
            continue
        elif ch == '"' and start:
            quoted, opened_at = True, field
        elif closed:
            return opened_at        # text after a closing quote
        start = False
        i += 1
    return field if quoted else None


def raw_line_count(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _cell_problems(rel: str, line: int, field: dict, value: str, ctx: Context) -> list[Problem]:
    name = field["name"]
    out = []
    if "\n" in value or "\r" in value:
        out.append(Problem(rel, line, name, "cells hold one line; found a line break"))
    if value != value.strip():
        out.append(Problem(rel, line, name, f"leading or trailing spaces in {value!r}"))
    if value.strip():
        for check in field_checks(field):
            msg = CHECKS[check](value.strip(), ctx)
            if msg:
                out.append(Problem(rel, line, name, msg))
    return out


def _schema_problems(rel: str, resource: dict, path: Path, line_of_row: dict[int, int]) -> list[Problem]:
    """Types, constraints and keys, as the Table Schema states them (checked by frictionless)."""
    from frictionless import Resource, Schema

    # Relative to its basepath: frictionless refuses absolute paths as unsafe.
    # Foreign keys are checked by facereport.rules, across tables, with clearer messages.
    schema = {k: v for k, v in resource["schema"].items() if k != "foreignKeys"}
    res = Resource(path=path.name, basepath=str(path.parent), schema=Schema.from_descriptor(schema),
                   format="csv", encoding="utf-8")
    report = res.validate(limit_errors=SCHEMA_ERROR_LIMIT)
    problems = []
    errors = [e for t in report.tasks for e in t.errors]
    if any("reached error limit" in w for t in report.tasks for w in t.warnings):
        last = max((getattr(e, "row_number", None) or 1 for e in errors), default=1)
        # at line 1, so that it is printed first
        problems.append(Problem(rel, 1, "", f"the schema check stopped counting after {SCHEMA_ERROR_LIMIT} "
                                f"errors, at line {line_of_row.get(last, last)}; rows after it were not "
                                f"checked against the schema, so there are more problems than counted"))
    # A one-column primary key that is also declared unique is reported twice; keep the column's.
    unique_rows = {e.row_number for e in errors if e.type == "unique-error"}
    for err in errors:
        if err.type in ALREADY_CHECKED or (err.type == "primary-key" and err.row_number in unique_rows):
            continue
        row = getattr(err, "row_number", None)
        line = line_of_row.get(row, row or 1)
        column = getattr(err, "field_name", "") or ""
        problems.append(Problem(rel, line, column, _describe(err, resource, line_of_row)))
    return problems


def _describe(err, resource: dict, line_of_row: dict[int, int]) -> str:
    cell = getattr(err, "cell", None)
    note = err.note or ""
    if err.type in ("unique-error", "primary-key"):
        m = re.search(r"position \"?(\d+)", note)
        first = line_of_row.get(int(m.group(1))) if m else None
        keys = ", ".join(resource["schema"].get("primaryKey", [])) if err.type == "primary-key" else ""
        what = f"duplicate {'primary key (' + keys + ')' if keys else 'value ' + repr(cell)}"
        return f"{what}: already used at line {first}" if first else what
    if err.type == "constraint-error":
        field = next((f for f in resource["schema"]["fields"] if f["name"] == err.field_name), {})
        constraints = field.get("constraints", {})
        if '"required"' in note:
            return "required, but empty"
        if '"enum"' in note:
            return f"expected one of {', '.join(constraints['enum'])}; found {cell!r}"
        if '"pattern"' in note:
            return f"expected to match the pattern {constraints['pattern']}; found {cell!r}"
        return f"{note}; found {cell!r}"
    if err.type == "type-error":
        return f"expected a value of type {note or 'per the schema'}; found {cell!r}"
    return f"{err.title}: {note}"


# ---------------------------------------------------------------- everything

@dataclass
class Summary:
    tables: dict[str, int]
    sources: int
    unused_sources: list[str]


def validate(project: Project, today: dt.date | None = None, only: Iterable[str] | None = None) -> tuple[Summary, list[Problem]]:
    """Validate the whole package, or only the named tables (the registry is always checked)."""
    today = today or dt.date.today()
    descriptor, problems = read_descriptor(project)
    if descriptor is None:
        return Summary({}, 0, []), problems
    try:
        bib_path = registry_path(project, descriptor)
    except ValueError as exc:
        return Summary({}, 0, []), [Problem(project.rel(project.datapackage), 1, "", str(exc))]
    sources, problems = validate_sources(project, bib_path, today)
    ctx = Context(today, sources if sources or not problems else None)
    ctx.tables = rules.Tables(project, descriptor, ctx.sources)
    counts = {}
    cited: set[str] = set()
    wanted = set(only) if only is not None else None
    for resource in tables(descriptor):
        if wanted is not None and resource["name"] not in wanted:
            continue
        n, table_problems = validate_table(project, resource, ctx)
        counts[resource["name"]] = n
        problems.extend(table_problems)
        cited |= _cited_keys(project, resource)
    unused = sorted(set(sources) - cited) if wanted is None else []
    return Summary(counts, len(sources), unused), sorted(problems)


def _cited_keys(project: Project, resource: dict) -> set[str]:
    names = [f["name"] for f in resource["schema"]["fields"] if "source-keys" in field_checks(f)]
    if not names:
        return set()
    try:
        with open(project.data_dir / resource["path"], encoding="utf-8", newline="") as fh:
            return {k.strip() for row in csv.DictReader(fh) for n in names for k in (row.get(n) or "").split(";") if k.strip()}
    except (OSError, UnicodeDecodeError):
        return set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--today", type=dt.date.fromisoformat, help="treat this day as today (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    project = Project.find()
    summary, problems = validate(project, today=args.today)
    for line in report_lines(problems):
        print(line, file=sys.stderr)
    if problems:
        files = len({p.path for p in problems})
        print(f"validate: {len(problems)} problem(s) in {files} file(s); nothing else was run.", file=sys.stderr)
        return 1
    rows = ", ".join(f"{name} {n} rows" for name, n in summary.tables.items())
    print(f"validate: data/ is valid: {rows}; {summary.sources} sources")
    if summary.unused_sources:
        print(f"validate: note: sources cited by no row: {', '.join(summary.unused_sources)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

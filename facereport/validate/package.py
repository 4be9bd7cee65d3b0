"""The whole package: each table read, its cells checked, then the rules across rows and tables
run on what passed, and every problem sorted so that causes come first."""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from ..paths import Project
from .cells import Context, row_cell_problems
from .descriptor import descriptor_problem, read_descriptor, registry_path, source_fields, tables
from .problems import ROW, TABLE, Problem
from .read import QUOTE_HELP, check_header, quote_fault, raw_line_count, read_rows
from .registry import validate_sources
from .rows import duplicate_problems, row_problems, unique_problems
from .tables import Tables, table_problems


@dataclass
class Summary:
    tables: dict[str, int]
    sources: int
    unused_sources: list[str]


def validate_table(project: Project, resource: dict, ctx: Context) -> tuple[int, list[Problem]]:
    """Number of data rows, and the problems of one tabular resource."""
    path = project.data_dir / resource["path"]
    rel = project.rel(path)
    if not path.is_file():
        return 0, [descriptor_problem(project, resource, f"resource {resource['name']!r}: its path "
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

    ends = [start - 1 for start, _ in rows[1:]] + [None]
    physical = path.read_text(encoding="utf-8").split("\n")
    last_line = raw_line_count(path)
    checked: list[tuple[int, dict, set[str]]] = []   # (line, row, columns with problems of their own)
    last_filled = max((i for i, (_, cells) in enumerate(rows) if any(c.strip() for c in cells)), default=-1)
    for n, ((line, cells), end) in enumerate(zip(rows, ends)):
        spans = (end if end is not None else last_line) - line + 1
        if not any(c.strip() for c in cells):
            problems.append(Problem(rel, line, "", "blank line at the end of the file: remove it"
                                    if n > last_filled else "blank row"))
        elif len(cells) != len(fields) and any("\n" in c for c in cells):
            opened = quote_fault(physical[line - 1]) if line - 1 < len(physical) else None
            column = fields[opened]["name"] if opened is not None and opened < len(fields) else ""
            problems.append(Problem(rel, line, column, f"{QUOTE_HELP}; the cell runs on over {spans} lines"))
        elif len(cells) != len(fields):
            problems.append(Problem(rel, line, "", f"expected {len(fields)} cells, found {len(cells)}"))
        else:
            row = dict(zip(header, cells))
            found = row_cell_problems(fields, row, ctx)
            problems += [Problem(rel, line, column, message) for column, message in found.items()]
            checked.append((line, row, set(found)))
    # Rules across cells, rows and tables read only what passed its own checks: one message per
    # problem, and none built on a value already reported as wrong.
    complete = [(line, row) for line, row, bad in checked if not bad]
    for line, row in complete:
        problems += [Problem(rel, line, col, msg, ROW) for col, msg in row_problems(resource, row, ctx.today)]
        if ctx.tables is not None:
            problems += [Problem(rel, line, col, msg, TABLE) for col, msg in table_problems(resource, row, ctx.tables)]
    found = unique_problems(resource, checked) + duplicate_problems(resource, complete)
    problems += [Problem(rel, line, col, msg, ROW) for line, col, msg in found]
    return len(rows), problems


def validate(project: Project, today: dt.date | None = None, only: Iterable[str] | None = None) -> tuple[Summary, list[Problem]]:
    """Validate the whole package, or only the named tables (the registry is always checked).
    Problems come sorted cause first: everything wrong in itself, then what rules across cells,
    rows and tables found."""
    today = today or dt.date.today()
    descriptor, problems = read_descriptor(project)
    if descriptor is None:
        return Summary({}, 0, []), problems
    try:
        bib_path = registry_path(project, descriptor)
    except ValueError as exc:
        return Summary({}, 0, []), [Problem(project.rel(project.datapackage), 1, "", str(exc))]
    sources, problems = validate_sources(project.rel(bib_path), bib_path, today)
    ctx = Context(today, sources if sources or not problems else None)
    ctx.tables = Tables(project, descriptor, ctx)
    counts = {}
    wanted = set(only) if only is not None else None
    for resource in tables(descriptor):
        if wanted is not None and resource["name"] not in wanted:
            continue
        counts[resource["name"]], found = validate_table(project, resource, ctx)
        problems.extend(found)
    unused = sorted(set(sources) - _cited_keys(project, descriptor)) if wanted is None else []
    return Summary(counts, len(sources), unused), sorted(problems, key=Problem.order)


def _cited_keys(project: Project, descriptor: dict) -> set[str]:
    cited = set()
    for resource, name in source_fields(descriptor):
        try:
            with open(project.data_dir / resource["path"], encoding="utf-8", newline="") as fh:
                cited |= {k.strip() for row in csv.DictReader(fh) for k in (row.get(name) or "").split(";") if k.strip()}
        except (OSError, UnicodeDecodeError, csv.Error):
            pass
    return cited



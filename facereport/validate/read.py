"""Reading a table: bytes to rows of cells, each with the line it starts on, and the faults that
stop a file from being read at all (encoding, byte-order mark, quotes, the header)."""
from __future__ import annotations

import csv
import difflib
import io
from pathlib import Path

from .problems import Problem

QUOTE_HELP = ("a quote (\") opens this cell but does not close it at the cell's end: close the quote "
              "before the comma, and double any quote inside a quoted cell (\"\")")

Rows = list[tuple[int, list[str]]]   # (the line a row starts on, its cells)


def encoding_problem(rel: str, raw: bytes, exc: UnicodeDecodeError, header: list[str] | None) -> Problem:
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


def read_rows(path: Path, rel: str) -> tuple[list[str], Rows, list[Problem]]:
    """Header, data rows with the line each starts on, and problems of encoding and shape."""
    raw = path.read_bytes()
    first_line = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    header_guess = next(csv.reader([first_line]), [])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [], [encoding_problem(rel, raw, exc, header_guess)]
    if text.startswith("\ufeff"):
        return [], [], [Problem(rel, 1, "", "starts with a byte-order mark; save as UTF-8 without BOM")]
    # strict: a quote that closes a cell with more text before the comma is an error, not a guess
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: Rows = []
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


def check_header(rel: str, header: list[str], fields: list[dict]) -> list[Problem]:
    """One problem per column that is missing, unexpected, renamed or out of place, named as such
    (a missing column is not reported as every later column being in the wrong place)."""
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

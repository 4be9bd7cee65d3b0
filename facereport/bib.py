"""The source registry, ``data/sources.bib``: every data row cites keys from it.

pybtex parses it (the same parser sphinxcontrib-bibtex uses for the bibliography, so the two
never disagree); a light scan of the raw text finds the line of each entry and field, so that
problems can name them.
"""
from __future__ import annotations

import hashlib

import re
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.errors
from pybtex.database import BibliographyDataError, parse_string
from pybtex.scanner import PybtexSyntaxError

ENTRY_START = re.compile(r"^[ \t]*@(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)
FIELD_START = re.compile(r"^[ \t]*([A-Za-z_-]+)\s*=", re.MULTILINE)


class BibError(Exception):
    """The file cannot be parsed at all; ``line`` is where the parser stopped."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Source:
    key: str
    type: str
    fields: dict[str, str]
    authors: list[str]
    line: int
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)

    @property
    def language(self) -> str:
        return self.fields.get("language", "")


def strip_braces(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def _locate(text: str) -> dict[str, tuple[int, dict[str, int]]]:
    """Line of every entry (by key, lower case as BibTeX compares them) and of its fields."""
    starts = [(m.start(), m.group(2)) for m in ENTRY_START.finditer(text)]
    located: dict[str, tuple[int, dict[str, int]]] = {}
    for i, (pos, key) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        line = text.count("\n", 0, pos) + 1
        body = text[pos:end]
        fields = {
            m.group(1).lower(): line + body.count("\n", 0, m.start())
            for m in FIELD_START.finditer(body)
        }
        located.setdefault(key.lower(), (line, fields))
    return located


def _depth_change(text: str) -> tuple[int, int]:
    """Net change of brace depth over ``text``, and the lowest depth reached (escaped braces
    such as ``\\{`` do not count)."""
    depth = lowest = 0
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            lowest = min(lowest, depth)
    return depth, lowest


def unbalanced_field(text: str) -> tuple[str, str, int] | None:
    """(entry key, field name, line) of the first field whose braces do not balance."""
    starts = list(ENTRY_START.finditer(text))
    for i, entry in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        body = text[entry.end():end]
        base = text.count("\n", 0, entry.end()) + 1
        fields = list(FIELD_START.finditer(body))
        for j, found in enumerate(fields):
            value_end = fields[j + 1].start() if j + 1 < len(fields) else len(body)
            value = body[found.end():value_end]
            closed = True
            if j + 1 == len(fields):
                # The last field runs up to the entry's closing brace. If that brace is missing,
                # the field's own closing brace ends the text, on the field's line.
                value = value.rstrip()
                own_line = re.search(r"\n[ \t]*\}$", value) is not None
                if value.endswith("}") and (own_line or _depth_change(value[:-1]) == (0, 0)):
                    value = value[:-1]
                elif _depth_change(value)[0] == 0:
                    closed = False
            depth, lowest = _depth_change(value)
            if depth != 0 or lowest < 0:
                return entry.group(2), found.group(1).lower(), base + body.count("\n", 0, found.start())
            if not closed:
                return entry.group(2), "", text.count("\n", 0, entry.start()) + 1
    return None


def duplicate_keys(text: str) -> list[tuple[str, int, int]]:
    """(key, first line, repeated line) for each key defined twice."""
    seen: dict[str, int] = {}
    dups = []
    for m in ENTRY_START.finditer(text):
        key = m.group(2).lower()
        line = text.count("\n", 0, m.start()) + 1
        if key in seen:
            dups.append((m.group(2), seen[key], line))
        else:
            seen[key] = line
    return dups


def read_bib(path: Path) -> dict[str, Source]:
    """Every entry in ``path`` by key. Raises :class:`BibError` if it does not parse.

    Parsing ~700 entries takes most of a second, and a notebook loads several tables, each validated
    against the registry; runs of one template share a warm kernel. So a parse is kept by the
    text's digest (the same bytes parse the same) and every caller gets its own dict of the
    (frozen) entries."""
    text = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest not in _PARSED:
        _PARSED.clear()   # one registry at a time: a changed file replaces the old parse
        _PARSED[digest] = _parse(text)
    return dict(_PARSED[digest])   # Sources are frozen: a new dict is enough


_PARSED: dict[str, dict[str, Source]] = {}


def _parse(text: str) -> dict[str, Source]:
    dups = duplicate_keys(text)
    if dups:
        key, first, again = dups[0]
        raise BibError(f"entry {key!r} is defined twice (first at line {first})", again)
    pybtex.errors.set_strict_mode(True)
    try:
        data = parse_string(text, "bibtex")
    except PybtexSyntaxError as exc:
        # The parser notices an unclosed brace only where it stops, at a later entry; point at the
        # field whose braces do not balance instead, when there is one.
        culprit = unbalanced_field(text)
        if culprit:
            key, name, line = culprit
            what = (f"field {name!r}: its braces do not balance (an opening '{{' without its closing "
                    f"'}}', or the reverse)") if name else "the entry has no closing '}'"
            raise BibError(f"BibTeX syntax error: entry {key!r}, {what}", line) from None
        raise BibError(f"BibTeX syntax error: {exc}", getattr(exc, "lineno", None)) from None
    except BibliographyDataError as exc:
        raise BibError(f"BibTeX error: {exc}", None) from None
    located = _locate(text)
    sources = {}
    for key, entry in data.entries.items():
        line, field_lines = located.get(key.lower(), (None, {}))
        persons = [str(p) for p in entry.persons.get("author", [])]
        if persons:
            field_lines.setdefault("author", line)
        sources[key] = Source(
            key=key,
            type=entry.type,
            fields={k.lower(): str(v) for k, v in entry.fields.items()},
            authors=[strip_braces(p) for p in persons],
            line=line or 1,
            field_lines=field_lines,
        )
    return sources

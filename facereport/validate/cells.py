"""Cell checks: one cell against its field, alone. The first fault found is the one reported, so
that a cell gets one line.

A field may also depend on another cell of its row: with ``"x-pattern-by": {"field": "provision",
"patterns": {kind: pattern, ...}}`` it takes the pattern of that cell's value (a provision's value
by provision kind).

In order: one line of text without spaces around it, required, the type (facereport.validate.values),
the named checks a field opts into with ``"x-check"`` (dates, ISO codes, source keys, URLs), then the
schema's constraints (enum, pattern, lengths, range). Codes are accepted only as their standard
writes them (ISO 3166 in upper case, the schema's enums as listed); a code the standard knows in
another case is refused with the form to write.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from . import values

PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# The constraints this module checks; a schema that uses another is refused (descriptor.py), so
# that nothing the schema says goes unchecked. unique is checked across rows (rows.py).
CONSTRAINTS = ("required", "unique", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum")


@dataclass
class Context:
    today: dt.date
    sources: dict | None        # the source registry by key; None: it could not be read, keys go unchecked
    tables: object | None = None  # facereport.validate.tables.Tables: the other tables, for rules across them


# ---------------------------------------------------------------- dates

def parse_partial_date(value: str) -> tuple[dt.date, str]:
    """The first day a partial ISO date covers, and its precision ('year', 'month' or 'day').

    Raises ValueError with a message a person can act on.
    """
    m = PARTIAL_DATE.fullmatch(value)
    if not m:
        plain = unicodedata.normalize("NFKC", value)
        hint = f"; write it in half-width digits: {plain}" if plain != value and PARTIAL_DATE.fullmatch(plain) else ""
        raise ValueError(
            f"expected an ISO 8601 date at the source's precision (YYYY, YYYY-MM or YYYY-MM-DD), "
            f"found {value!r}{hint}"
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


# ---------------------------------------------------------------- codes, as their standard writes them

def case_hint(found: str, standard: str) -> str:
    """How to write ``found`` as ``standard`` does (they differ only in case)."""
    if standard == found.upper():
        return f"write the ISO code in upper case: {standard}"
    if standard == found.lower():
        return f"write the ISO code in lower case: {standard}"
    return f"write the ISO code as the standard does: {standard}"


# Each kind of code: pycountry's database and the attribute that holds the code.
ISO = {"country": ("countries", "alpha_3"),          # ISO 3166-1 alpha-3
       "subdivision": ("subdivisions", "code"),      # ISO 3166-2
       "language": ("languages", "alpha_2"),         # ISO 639-1
       "script": ("scripts", "alpha_4")}             # ISO 15924


def iso_code(kind: str, value: str) -> str | None:
    """The code as its standard writes it, if ``value`` is one in any case, else None. pycountry's
    look-ups ignore case; the tables and the notebooks compare exact strings, so we do not."""
    import pycountry

    database, attribute = ISO[kind]
    found = getattr(pycountry, database).get(**{attribute: value})
    return getattr(found, attribute) if found else None


def code_problem(kind: str, value: str, expected: str) -> str | None:
    """None if ``value`` is a code of ``kind`` as its standard writes it; else what was expected,
    with the code the look-up matched as a hint."""
    standard = iso_code(kind, value)
    if standard == value:
        return None
    hint = f"; {case_hint(value, standard)}" if standard else ""
    return f"expected {expected}, found {value!r}{hint}"


def check_subdivision(value: str, ctx: Context) -> str | None:
    """An ISO 3166-2 subdivision code that exists, in upper case (checked with pycountry)."""
    return code_problem("subdivision", value, "an ISO 3166-2 subdivision code such as 'CN-BJ'")


def check_country(value: str, ctx: Context) -> str | None:
    """An ISO 3166-1 alpha-3 country code that exists, in upper case (checked with pycountry)."""
    return code_problem("country", value, "an ISO 3166-1 alpha-3 country code such as 'CHN'")


def check_country_list(value: str, ctx: Context) -> str | None:
    """ISO 3166-1 alpha-3 country codes in upper case, separated by ';' (checked with pycountry)."""
    codes = value.split(";")
    bad = [c for c in codes if not c or iso_code("country", c) != c]
    if bad:
        standard = [iso_code("country", c) if c else None for c in codes]
        hint = (f"; write the ISO codes in upper case: {';'.join(standard)}"
                if all(standard) and all(s == c.upper() for s, c in zip(standard, codes)) else "")
        return (f"expected ISO 3166-1 alpha-3 codes separated by ';' such as 'CHN;USA', "
                f"found {', '.join(map(repr, bad))}{hint}")
    if len(set(codes)) != len(codes):
        return f"a country is listed twice in {value!r}"
    return None


def check_jurisdiction(value: str, ctx: Context) -> str | None:
    """A jurisdiction: 'EU', an ISO 3166-1 alpha-3 country code or an ISO 3166-2 subdivision code, in upper case."""
    if value == "EU" or iso_code("country", value) == value or iso_code("subdivision", value) == value:
        return None
    standard = "EU" if value.upper() == "EU" else iso_code("country", value) or iso_code("subdivision", value)
    hint = f"; {case_hint(value, standard)}" if standard else ""
    return (f"expected 'EU', an ISO 3166-1 alpha-3 code such as 'CHN' or an ISO 3166-2 code such as "
            f"'CN-ZJ' or 'US-IL', found {value!r}{hint}")


# ---------------------------------------------------------------- sources and addresses

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


def check_http_url(value: str, ctx: Context | None) -> str | None:
    """An http:// or https:// URL (no javascript:, file: or other schemes)."""
    if not re.match(r"https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        return f"expected an http:// or https:// URL, found {value!r}"
    return None


# A field opts in with "x-check": "<name>" (or a list of names) in datapackage.json; each check
# returns None when the value is fine, else what was expected. params.py checks a run's
# parameters with the same functions.
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


# ---------------------------------------------------------------- one cell

def cell_problem(field: dict, value: str, ctx: Context) -> str | None:
    """What is wrong with one cell of ``field``, in our words; None if nothing."""
    if "\n" in value or "\r" in value:
        return "cells hold one line; found a line break"
    if value != value.strip():
        return f"leading or trailing spaces in {value!r}"
    c = field.get("constraints", {})
    if not value:
        return "required, but empty" if c.get("required") else None
    try:
        typed = values.parse(field, value)
    except ValueError as exc:
        return str(exc)
    for name in field_checks(field):
        if message := CHECKS[name](value, ctx):
            return message
    if "enum" in c and value not in c["enum"]:
        plain = next((v for v in c["enum"] if v.lower() == value.lower()), None)
        hint = f"; write it as the schema does: {plain}" if plain else ""
        return f"expected one of {', '.join(map(str, c['enum']))}; found {value!r}{hint}"
    if "pattern" in c and not re.fullmatch(c["pattern"], value):
        plain = next((v for v in (value.lower(), value.upper()) if re.fullmatch(c["pattern"], v)), None)
        hint = f"; write it in {'lower' if plain == value.lower() else 'upper'} case: {plain}" if plain else ""
        return f"expected to match the pattern {c['pattern']}; found {value!r}{hint}"
    if "minLength" in c and len(value) < c["minLength"]:
        return f"expected at least {c['minLength']} characters, found {len(value)}"
    if "maxLength" in c and len(value) > c["maxLength"]:
        return f"expected at most {c['maxLength']} characters, found {len(value)}: shorten it"
    low, high = c.get("minimum"), c.get("maximum")
    if (low is not None and typed < low) or (high is not None and typed > high):
        bounds = (f"from {low} to {high}" if low is not None and high is not None
                  else f"of at least {low}" if low is not None else f"of at most {high}")
        return f"expected a number {bounds}, found {value}"
    return None


def describe_pattern(pattern: str) -> str:
    """A pattern of alternatives, for people: 'yes' or '<number> years'."""
    forms = [f"'{alt.replace('[0-9]+', '<number>')}'" for alt in pattern.split("|")]
    return forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]


def pattern_by_problem(field: dict, row: dict) -> str | None:
    """A field with "x-pattern-by" matches the pattern of its row's kind."""
    spec, value = field["x-pattern-by"], row.get(field["name"], "")
    kind = row.get(spec["field"], "")
    pattern = spec["patterns"].get(kind)
    if value and pattern is not None and not re.fullmatch(pattern, value):
        return f"for a {spec['field']} {kind!r}, expected {describe_pattern(pattern)}; found {value!r}"
    return None


def row_cell_problems(fields: list[dict], row: dict, ctx: Context) -> dict[str, str]:
    """The cells of one row that are wrong in themselves, by column: each against its field, then
    each "x-pattern-by" field against the kind its row gives (once both cells are right)."""
    found = {f["name"]: m for f in fields if (m := cell_problem(f, row.get(f["name"], ""), ctx))}
    for field in fields:
        if "x-pattern-by" in field and not {field["name"], field["x-pattern-by"]["field"]} & set(found):
            if message := pattern_by_problem(field, row):
                found[field["name"]] = message
    return found

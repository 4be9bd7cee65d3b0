"""Rules across tables: foreign keys, and what one row must agree with in another table or in the
source registry. Like the rules within a row, they read only values that passed their own checks:
a row of another table whose cells are wrong is reported there, once, and not again here as the
cause of problems in this table.

    "schema": {"foreignKeys": [...]}    standard Table Schema foreign keys, checked here with
                                        messages that name file, line and column
    "x-row-checks": [...]               named rules (RULES here, or rows.RULES)

Each rule returns problems as (column, message); the validator adds the file and the line.
"""
from __future__ import annotations

from typing import Callable

from .cells import Context, row_cell_problems
from .read import read_rows
from .rows import Found, not_after, period


class Tables:
    """The tables of the package, read on demand, each row with the columns whose cells failed
    their own checks (for foreign keys and rules across tables)."""

    def __init__(self, project, descriptor: dict, ctx: Context):
        self.project, self.descriptor, self.ctx = project, descriptor, ctx
        self._rows: dict[str, list[tuple[dict, set[str]]] | None] = {}
        self._keys: dict[tuple, tuple[set[tuple], bool] | None] = {}

    @property
    def sources(self) -> dict | None:
        return self.ctx.sources

    def resource(self, name: str) -> dict | None:
        return next((r for r in self.descriptor.get("resources", []) if r.get("name") == name), None)

    def checked(self, name: str) -> list[tuple[dict, set[str]]] | None:
        """Each row of table ``name`` and its columns with problems of their own; None if the
        table cannot be read (its own problems say why). A row of the wrong length is bad throughout."""
        if name not in self._rows:
            res = self.resource(name)
            try:
                path = self.project.data_dir / res["path"]
                header, rows, problems = read_rows(path, self.project.rel(path))
            except (OSError, TypeError, KeyError):
                header, rows, problems = [], [], [None]
            fields = (res or {}).get("schema", {}).get("fields", [])
            if problems or [f["name"] for f in fields] != header:
                self._rows[name] = None
            else:
                out = []
                for _, cells in rows:
                    row = dict(zip(header, cells))
                    bad = (set(header) if len(cells) != len(header) else
                           set(row_cell_problems(fields, row, self.ctx)))
                    out.append((row, bad))
                self._rows[name] = out
        return self._rows[name]

    def keys(self, name: str, fields: list[str]) -> tuple[set[tuple], bool] | None:
        """The values of ``fields`` in table ``name``, and whether any of those cells is wrong in
        itself; None if the table cannot be read."""
        if (name, tuple(fields)) not in self._keys:
            rows = self.checked(name)
            self._keys[name, tuple(fields)] = None if rows is None else (
                {tuple(r.get(f, "") for f in fields) for r, _ in rows}, any(bad & set(fields) for _, bad in rows))
        return self._keys[name, tuple(fields)]

    def valid_row(self, name: str, field: str, key: str) -> dict | None:
        """The row of ``name`` whose ``field`` is ``key``, if every cell of it passed its own checks."""
        found = next(((row, bad) for row, bad in self.checked(name) or [] if row.get(field) == key), None)
        return found[0] if found and not found[1] else None


# ---------------------------------------------------------------- rules across tables

def instrument_date(row: dict, tables: Tables) -> Found:
    """An event that is a rule points at its instrument, and its date is one of the instrument's
    dates (announced, adopted or effective), at the event's precision: one fact, one place. An
    event dated by a later report ('reported') is not before the instrument's first date."""
    ref = row.get("instrument", "")
    inst = tables.valid_row("regulations", "id", ref) if ref else None
    if inst is None:
        return []   # no instrument, or the foreign key's or the instrument's own problem is reported
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


def source_date(row: dict, tables: Tables) -> Found:
    """A row's date agrees with what it means (date_type) and with its first source's date:
    'reported' is the first source's publication date; what 'occurred' or was 'announced' is not
    after the source that reports it (a date a source gives in advance is 'scheduled')."""
    keys = [k.strip() for k in row.get("sources", "").split(";") if k.strip()]
    if not keys or not tables.sources or keys[0] not in tables.sources:
        return []   # the source-keys check reports it
    first = keys[0]
    published = tables.sources[first].fields.get("date", "")
    if published and period(published) is None:
        return []   # the registry's own check reports the date
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


def result_within_survey(row: dict, tables: Tables) -> Found:
    """A result belongs to its survey: its country is one the survey covers, and its base is not
    larger than the survey's sample."""
    survey = tables.valid_row("opinion_surveys", "id", row.get("survey_id", ""))
    if survey is None:
        return []   # the foreign key's or the survey's own problem is reported
    out = []
    country = row.get("country", "")
    if country and country not in survey["countries"].split(";"):
        out.append(("country", f"{country!r} is not among survey {row['survey_id']}'s countries "
                               f"({survey['countries']})"))
    base, sample = row.get("base", ""), survey["sample_size"]
    if base and int(base) > int(sample):
        out.append(("base", f"base {base} is larger than survey {row['survey_id']}'s sample of {sample}"))
    return out


def row_key(resource: dict, row: dict) -> str:
    """How another table names a row: its primary key's values joined by '/' (an id, a country
    code, or instrument/provision/value)."""
    fields = resource.get("schema", {}).get("primaryKey", [])
    fields = fields if isinstance(fields, list) else [fields]
    return "/".join(row.get(f, "") for f in fields)


def checked_row_exists(row: dict, tables: Tables) -> Found:
    """A reading names a row that exists, by the key row_key gives it."""
    name, key = row.get("table", ""), row.get("row", "")
    resource = tables.resource(name)
    fields = (resource or {}).get("schema", {}).get("primaryKey", [])
    fields = fields if isinstance(fields, list) else [fields]
    found = tables.keys(name, fields) if resource else None
    if found is None or found[1]:
        return []   # the enum's, the table's own or a wrong key cell's problem is reported
    if key not in {"/".join(values) for values in found[0]}:
        return [("row", f"{key!r} is no row of data/{resource['path']} (a row is named by its {'/'.join(fields)})")]
    return []


def search_note_result(row: dict, tables: Tables) -> Found:
    """A country's search note agrees with exports.csv: 'found' only where a reported deployment
    is recorded for it, 'not_found' only where none is."""
    rows = tables.checked("exports")
    if rows is None or any(bad & {"country", "basis"} for _, bad in rows):
        return []   # the exports table's own problems are reported
    country, result = row.get("country", ""), row.get("result", "")
    reported = sorted(r["id"] for r, _ in rows if r.get("country") == country and r.get("basis") == "report")
    if result == "found" and not reported:
        return [("result", f"'found', but data/exports.csv has no reported deployment (basis 'report') for {country}")]
    if result == "not_found" and reported:
        return [("result", f"'not_found', but data/exports.csv has reported deployments for {country}: {', '.join(reported)}")]
    return []


RULES: dict[str, Callable[[dict, Tables], Found]] = {
    "checked-row-exists": checked_row_exists,
    "search-note-result": search_note_result,
    "result-within-survey": result_within_survey,
    "instrument-date": instrument_date,
    "source-date": source_date,
}


def table_problems(resource: dict, row: dict, tables: Tables) -> Found:
    out = foreign_key_problems(resource, row, tables)
    for name in resource.get("x-row-checks", []):
        if name in RULES:
            out += RULES[name](row, tables)
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
        found = tables.keys(target, ref_fields)
        if found is None:
            continue   # the target's own problems are reported
        keys, some_wrong = found
        if values in keys or some_wrong:
            continue   # found; or a key of the target is wrong in itself: that is the line to read first
        target_path = (tables.resource(target) or {}).get("path", target)
        out.append((fields[0], f"{', '.join(values)!r} matches no {'/'.join(ref_fields)} in data/{target_path}"))
    return out

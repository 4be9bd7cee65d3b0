"""What the book states, as one machine-readable file: every value a page glues (as the reader sees
it, and the tables it was computed from), a hash of every figure's data, and a hash of every row of
every table and of every source entry. Each build publishes it with the book as ``record.json``, so
that a later build can be compared with a published one without rebuilding it (facereport.diff).

Read from the executed notebooks in book/chapters/, never from the HTML: the values are those the
notebook glued, before any page layout.
"""
from __future__ import annotations

import ast
import csv
import hashlib
import json
from pathlib import Path

import nbformat

from .paths import Project
from .runs import load_plan

RECORD = "record.json"
VERSION = 1


def glue_outputs(nb):
    """Each glued output (myst_nb.glue) of an executed notebook: its name, and its data with
    myst-nb's mime prefix removed."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook", {})
            if scrap.get("name"):
                prefix = scrap.get("mime_prefix", "")
                yield scrap["name"], {k[len(prefix):] if k.startswith(prefix) else k: v
                                      for k, v in out.get("data", {}).items()}


def glued_value(data: dict):
    """A glued text's value as myst-nb reads it back: Markdown as it is, else the repr of a number
    or a string read back as that number or string."""
    if "text/markdown" in data:
        return data["text/markdown"]
    text = data.get("text/plain", "")
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def glued(notebook: Path) -> dict:
    """The values a notebook glued (myst_nb.glue), by name: numbers as numbers, text as text.
    A glued figure is left out (its data is recorded by hash, see ``figures``)."""
    return {name: glued_value(data) for name, data in glue_outputs(nbformat.read(notebook, as_version=4))
            if not any(k.startswith("image/") for k in data) and ("text/markdown" in data or "text/plain" in data)}


def displayed(notebook: Path) -> dict[str, str]:
    """Each table or text a code cell displays (not glued), as a hash, named by the heading it sits
    under: the tables of rows a page shows change when a row's shown text does."""
    nb = nbformat.read(notebook, as_version=4)
    out: dict[str, str] = {}
    heading = "top"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    heading = line.lstrip("#").strip()
            continue
        texts = [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])
                 if o.get("output_type") == "display_data" and not o.get("metadata", {}).get("scrapbook")]
        texts = [t if isinstance(t, str) else "".join(t) for t in texts if t]
        if texts:
            name, n = heading, 2
            while name in out:
                name, n = f"{heading} ({n})", n + 1
            out[name] = _digest("\n".join(texts).encode())
    return out


def as_seen(value) -> str:
    """A glued value as {glue:text} pastes it: a string as it is, a number as its repr."""
    return value if isinstance(value, str) else repr(value)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def figures(folder: Path) -> dict[str, str]:
    """Each figure's data CSV (figdata/<run>/<key>.csv), by key, as a hash."""
    if not folder.is_dir():
        return {}
    return {p.stem: _digest(p.read_bytes()) for p in sorted(folder.glob("*.csv"))}


def table_rows(path: Path, key: list[str]) -> dict[str, str]:
    """Each row of a table by its key (key fields joined by '/'), as a hash of the row."""
    with open(path, encoding="utf-8", newline="") as fh:
        return {"/".join(row[k] for k in key): _digest(json.dumps(row, ensure_ascii=False, sort_keys=True).encode())
                for row in csv.DictReader(fh)}


def source_entries(path: Path) -> dict[str, str]:
    from .bib import read_bib

    return {key: _digest(json.dumps(src.fields, ensure_ascii=False, sort_keys=True).encode())
            for key, src in read_bib(path).items()}


def book_record(project: Project) -> dict:
    """The record of the book that project's executed notebooks and data make."""
    from .data import descriptor
    from .validate import registry_path, tables

    plan = load_plan(project)
    chapters = project.root / "book" / "chapters"
    pages = {}
    for run in plan.runs:
        out = run.output(project)
        if not out.exists():
            continue
        pages[run.name] = {
            "title": run.title or "",
            "notebook": run.notebook.as_posix(),
            "reads": list(run.reads),
            "values": {k: as_seen(v) for k, v in sorted(glued(out).items())},
            "figures": figures(chapters / "figdata" / run.name),
            "displayed": displayed(out),
        }
    desc = descriptor(project)
    # the landing and data pages' table of second readings, drawn at render time from the data
    from .readings import by_table
    pages["readings"] = {"title": "How far the record has been read twice", "notebook": "", "reads": ["checks"],
                         "values": {c.table: f"{c.verified} verified, {c.corrected} corrected, {c.not_rereadable} not re-readable, {c.unread} not yet read"
                                    for c in by_table(project.data_dir, desc)},
                         "figures": {}, "displayed": {}}
    data_tables = {}
    for res in tables(desc):
        key = res["schema"].get("primaryKey", [])
        data_tables[res["name"]] = table_rows(project.data_dir / res["path"], key if isinstance(key, list) else [key])
    from .version import version

    return {"version": VERSION, "edition": version(project), "pages": pages, "tables": data_tables,
            "sources": source_entries(registry_path(project, desc))}


def write(project: Project, folder: Path) -> Path:
    """Write the record into ``folder`` (the staged book), as the build publishes it."""
    path = folder / RECORD
    path.write_text(json.dumps(book_record(project), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")
    return path


def read(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if record.get("version") == VERSION else None

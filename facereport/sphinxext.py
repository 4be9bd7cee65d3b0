"""Sphinx extension for the book.

- The ``datadictionary`` directive renders the data dictionary from ``data/datapackage.json``, so
  the book's description of the data can never drift from the schema:

      ```{datadictionary}
      ```

- The bibliography's style ``facereport`` (facereport.bibstyle) says which copy of a source each
  excerpt was quoted from.

- The theme's header buttons that run inline JavaScript (``onclick``: print, full screen) are
  dropped, so that the published HTML holds no inline event handler at all and ``check`` can
  reject every one it finds (data must never be able to add one unnoticed).
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from .validate import BIB_REQUIRED, CHECKS, field_checks, tables

COLUMNS = ("Column", "Type", "Required", "Allowed values", "Meaning")


def _table(header: tuple[str, ...], rows: list[list[str]], widths: tuple[int, ...]) -> nodes.table:
    table = nodes.table(classes=["datadictionary"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for w in widths:
        group += nodes.colspec(colwidth=w)

    def row(cells: list[str], literal_first: bool = True) -> nodes.row:
        r = nodes.row()
        for i, text in enumerate(cells):
            entry = nodes.entry()
            para = nodes.paragraph()
            para += nodes.literal(text=text) if (i == 0 and literal_first) else nodes.Text(text)
            entry += para
            r += entry
        return r

    head = nodes.thead()
    head += row(list(header), literal_first=False)
    body = nodes.tbody()
    for cells in rows:
        body += row(cells)
    group += head
    group += body
    return table


def _allowed(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if "enum" in c:
        labels = field.get("x-labels", {})
        parts.append("; ".join(f"{v} ({labels[v]})" if v in labels else v for v in c["enum"]))
    if "pattern" in c:
        parts.append(f"pattern {c['pattern']}")
    if "minLength" in c or "maxLength" in c:
        parts.append(f"length {c.get('minLength', 0)} to {c.get('maxLength', 'any')}")
    if c.get("unique"):
        parts.append("unique")
    for name in field_checks(field):
        parts.append((CHECKS[name].__doc__ or name).strip().rstrip("."))
    return "; ".join(parts) or "any text on one line"


class DataDictionary(SphinxDirective):
    has_content = False

    def run(self):
        root = Path(self.env.srcdir)
        path = root / "data" / "datapackage.json"
        self.env.note_dependency(str(path))
        desc = json.loads(path.read_text(encoding="utf-8"))
        out: list[nodes.Node] = []
        for res in tables(desc):
            self.env.note_dependency(str(root / "data" / res["path"]))
            with open(root / "data" / res["path"], encoding="utf-8", newline="") as fh:
                n_rows = sum(1 for _ in csv.DictReader(fh))
            out.append(nodes.rubric(text=f"{res.get('title', res['name'])} (data/{res['path']}, {n_rows} rows)",
                                    ids=[f"table-{res['name']}"]))
            out.append(nodes.paragraph(text=res.get("description", "")))
            rows = [[f["name"], f.get("type", "string"),
                     "yes" if f.get("constraints", {}).get("required") else "no",
                     _allowed(f), f.get("description", "")] for f in res["schema"]["fields"]]
            out.append(_table(COLUMNS, rows, (14, 8, 8, 35, 35)))
            keys = ", ".join(res["schema"].get("primaryKey", []))
            if keys:
                out.append(nodes.paragraph(text=f"Primary key: {keys}."))
        for res in desc["resources"]:
            if res.get("format") == "bib":
                out.append(nodes.rubric(text=f"{res.get('title', res['name'])} (data/{res['path']})",
                                        ids=[f"table-{res['name']}"]))
                out.append(nodes.paragraph(text=(
                    f"{res.get('description', '')} Every entry needs the fields "
                    f"{', '.join(BIB_REQUIRED)}, and a url or doi (or a note saying why there is none).")))
        return out


def _without_inline_javascript(buttons: list[dict]) -> list[dict]:
    kept = []
    for button in buttons:
        if button.get("type") == "javascript":
            continue
        if button.get("type") == "group":
            button = {**button, "buttons": _without_inline_javascript(button.get("buttons", []))}
            if not button["buttons"]:
                continue
        kept.append(button)
    return kept


def drop_inline_javascript_buttons(app, pagename, templatename, context, doctree):
    if "header_buttons" in context:
        context["header_buttons"] = _without_inline_javascript(context["header_buttons"])


def setup(app):
    import pybtex.plugin

    from .bibstyle import Style

    # the bibliography names the copy each excerpt was quoted from (bibtex_default_style: facereport)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "facereport", Style)
    app.add_directive("datadictionary", DataDictionary)
    # after sphinx-book-theme adds its buttons (priority 501)
    app.connect("html-page-context", drop_inline_javascript_buttons, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

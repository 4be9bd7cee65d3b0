"""Sphinx extension for the book.

- The ``datadictionary`` directive renders the data dictionary from ``data/datapackage.json``, so
  the book's description of the data can never drift from the schema:

      ```{datadictionary}
      ```

- The bibliography's style ``facereport`` (facereport.bibstyle) says which copy of a source each
  excerpt was quoted from.

- The theme's header buttons that run inline JavaScript (``onclick``: print, full screen) are
  dropped, so that the published HTML holds no inline event handler at all and ``check`` can
  reject every one it finds (data must never be able to add one unnoticed). So is sphinx-thebe's
  script: live code is off, and its inline configuration, added twice, threw on every page.

- Data tables (a table whose first column is ``Id``) get the class ``data-table`` and one anchor
  per row, named after the row's id (``#ro-056``); ``_static/tables.js`` makes them sortable and
  filterable, and ``report.css`` lays them out as cards on a phone and in full on paper.

- Each bibliography entry says which pages cite it, with links back to them.

- ``{howtocite}`` renders the recommended citation from ``CITATION.cff``, and ``{datadownloads}``
  lists every file of the Data Package with a link; both read the files at build time. The Data
  Package is published at the site's ``data/``, laid out as in the repository (stable addresses).

- ``facereport.pages`` rewrites the written HTML where the theme offers no hook (icons, ARIA).
"""
from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from .paths import Project
from .runs import load_plan
from .toc import toc_pages
from .validate import BIB_REQUIRED, CHECKS, describe_pattern, field_checks, tables

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
    bounds = [f"{word} {c[key]}" for key, word in (("minimum", "at least"), ("maximum", "at most")) if key in c]
    if bounds:
        parts.append(" and ".join(bounds))
    if "trueValues" in field or "falseValues" in field:
        parts.append(" or ".join(field.get("trueValues", []) + field.get("falseValues", [])))
    if "x-pattern-by" in field:
        by = field["x-pattern-by"]
        parts.append(f"by {by['field']}: " + "; ".join(f"{kind}: {describe_pattern(p)}" for kind, p in by["patterns"].items()))
    for name in field_checks(field):
        parts.append((CHECKS[name].__doc__ or name).strip().rstrip("."))
    return "; ".join(parts) or "any text on one line"


def _package(directive: SphinxDirective) -> tuple[Path, dict]:
    """The data folder and its Data Package, which the page depends on (rebuilt when it changes)."""
    data = Path(directive.env.srcdir) / "data"
    path = data / "datapackage.json"
    directive.env.note_dependency(str(path))
    return data, json.loads(path.read_text(encoding="utf-8"))


def _row_count(directive: SphinxDirective, path: Path) -> int:
    directive.env.note_dependency(str(path))
    with open(path, encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


class DataDictionary(SphinxDirective):
    has_content = False

    def run(self):
        data, desc = _package(self)
        out: list[nodes.Node] = []
        for res in tables(desc):
            n_rows = _row_count(self, data / res["path"])
            out.append(nodes.rubric(text=f"{res.get('title', res['name'])} (data/{res['path']}, {n_rows} rows)",
                                    ids=[f"table-{res['name']}"]))
            out.append(nodes.paragraph(text=res.get("description", "")))
            out.append(_download_paragraph(self.env.docname, res["path"], f"Download {res['path']}"))
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


def _download_ref(docname: str, target: str, label: nodes.Node) -> addnodes.download_reference:
    """A link to ``target`` (relative to the page) that publishes the file with the book: Sphinx
    copies it to _downloads, and a missing file is a warning, so the strict build fails."""
    ref = addnodes.download_reference("", "", refdoc=docname, reftarget=target, refexplicit=True,
                                      refdomain="", reftype="download", refwarn=True)
    ref += label
    return ref


def _download(docname: str, data_path: str, text: str) -> nodes.reference:
    """A link to ``data/<data_path>`` at its stable address in the site (``<site>/data/...``, where
    publish_data copies the Data Package as it is laid out in the repository), so that a script can
    read it and a link survives the next build. A link to a file not there fails the book's check."""
    ref = nodes.reference("", "", refuri="../" * docname.count("/") + "data/" + data_path,
                          classes=["data-file"])
    ref += nodes.literal(text=text)
    return ref


def publish_data(app, exception):
    """Copy the Data Package into the site at data/, laid out as in the repository: the descriptor's
    relative paths resolve there, so `frictionless validate <site>/data/datapackage.json` and
    `pandas.read_csv("<site>/data/rollout_events.csv")` work, from the site or an unpacked copy."""
    if exception is not None or app.builder.format != "html":
        return
    src, dest = Path(app.srcdir) / "data", Path(app.outdir) / "data"
    from .data import package_files

    for name in package_files(Project(Path(app.srcdir))):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / name, dest / name)


def _download_paragraph(docname: str, data_path: str, text: str) -> nodes.paragraph:
    para = nodes.paragraph()
    para += _download(docname, data_path, text)
    return para


class DataDownloads(SphinxDirective):
    """Every file of the Data Package, with its row count and a download link."""
    has_content = False

    def run(self):
        data, desc = _package(self)
        items = nodes.bullet_list()
        files = [("datapackage.json", "Data Package descriptor: every table's schema and licence", "")]
        for res in desc["resources"]:
            extra = f" ({_row_count(self, data / res['path'])} rows)" if res["path"].endswith(".csv") else ""
            # each file's licence as datapackage.json declares it, with what the licence does not cover
            licences = res.get("licenses") or desc.get("licenses", [])
            if licences:
                extra += ". Licence: " + "; ".join(l.get("title") or l["name"] for l in licences) + "."
            if res.get("x-licence-note"):
                extra += " " + res["x-licence-note"]
            files.append((res["path"], res.get("title", res["name"]), extra))
        for file, title, extra in files:
            self.env.note_dependency(str(data / file))
            item = nodes.list_item()
            para = nodes.paragraph()
            para += _download(self.env.docname, file, file)
            para += nodes.Text(f": {title}{extra}")
            item += para
            items += item
        return [items]


class Readings(SphinxDirective):
    """How many rows of each table a second reader has read again against their sources, and the
    results (facereport.readings, from data/checks.csv)."""
    has_content = False

    def run(self):
        from .readings import by_table, summary_sentence

        data, desc = _package(self)
        for res in tables(desc):
            self.env.note_dependency(str(data / res["path"]))
        counts = by_table(data, desc)
        rows = [[c.table, f"{c.rows:,}", f"{c.verified:,}", f"{c.corrected:,}", f"{c.not_rereadable:,}",
                 f"{c.unread:,}", f"{100 * c.confirmed / c.rows:.0f}%" if c.rows else "–"] for c in counts]
        header = ("Table", "Rows", "Verified", "Corrected", "Could not be re-read", "Not yet read",
                  "Verified or corrected")
        return [nodes.paragraph(text=summary_sentence(counts)), _table(header, rows, (22, 10, 12, 12, 14, 12, 14))]


class WhatChanged(SphinxDirective):
    """What each published book changed against the one before it, newest first
    (facereport.changes, from _build/changes.json)."""
    has_content = False

    def run(self):
        from .changes import HISTORY, PREVIOUS_ENV, read_history

        root = Path(self.env.srcdir)
        self.env.note_dependency(str(root / "_build" / HISTORY))
        found = read_history(root)
        out: list[nodes.Node] = []
        if not found["compared"]:
            out.append(nodes.paragraph(text=(
                f"This build was not compared with an earlier published book ({PREVIOUS_ENV} was not set), "
                "so it lists no changes of its own. The published book is compared with the one before it "
                "each time it is rebuilt.")))
        if not found["history"]:
            out.append(nodes.paragraph(text="No change is recorded yet."))
        for item in found["history"]:
            when = " of ".join(filter(None, [item.get("date", ""), f"commit {item['commit']}" if item.get("commit") else ""]))
            out.append(nodes.rubric(text=f"Build {when}" if when else "A build"))
            items = nodes.bullet_list()
            for line in item["lines"]:
                li = nodes.list_item()
                li += nodes.paragraph(text=line)
                items += li
            out.append(items)
        return out


class HowToCite(SphinxDirective):
    """The recommended citation, from CITATION.cff: one place for the title, authors and version."""
    has_content = False

    def run(self):
        path = Path(self.env.srcdir) / "CITATION.cff"
        self.env.note_dependency(str(path))
        cff = yaml.safe_load(path.read_text(encoding="utf-8"))
        authors = ", ".join(a.get("name") or " ".join(filter(None, (a.get("given-names"), a.get("family-names"))))
                            for a in cff.get("authors", []))
        parts = [f"{authors}.", f"{cff['title']}.", f"Version {cff['version']}"]
        if cff.get("date-released"):
            parts[-1] += f", released {cff['date-released']}"
        parts[-1] += "."
        if cff.get("doi"):
            parts.append(f"https://doi.org/{cff['doi']}")
        if cff.get("repository-code"):
            parts.append(str(cff["repository-code"]))
        block = nodes.literal_block(text=" ".join(parts))
        licences = ", ".join(cff.get("license", [])) if isinstance(cff.get("license"), list) else cff.get("license", "")
        note = nodes.paragraph(text=f"Licences named in CITATION.cff: {licences}.")
        return [block, note]


def figdata_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{figdata}`fig_timeline``` in a figure's caption: a link to the CSV of the data that figure
    is drawn from, which facereport.figures wrote for this page's run (figdata/<run>/<key>.csv)."""
    env = inliner.document.settings.env
    run = env.docname.rsplit("/", 1)[-1]
    key = text.strip()
    ref = _download_ref(env.docname, f"figdata/{run}/{key}.csv", nodes.Text("Data of this figure (CSV)"))
    return [nodes.Text(" "), ref], []


ROW_ID = re.compile(r"^[a-z]{2,4}-\d+$")


READING_MARKS = {"verified": "✓", "corrected": "✎"}


def mark_data_tables(app, doctree, docname):
    """A table whose first header is "Id" is a data table: a class for the script and the styles,
    and each row an anchor named after its id, so that ``#ro-056`` links to the row. A row a second
    reader verified or corrected carries a class the styles mark after its id; a line under the
    table says what the marks mean."""
    results = None
    for table in list(doctree.findall(nodes.table)):
        thead = next(iter(table.findall(nodes.thead)), None)
        tbody = next(iter(table.findall(nodes.tbody)), None)
        if thead is None or tbody is None:
            continue
        headers = [e.astext().strip() for e in thead.findall(nodes.entry)]
        if not headers or headers[0] != "Id":
            continue
        if results is None:
            results = _reading_results(app)
        table["classes"].append("data-table")
        marked = False
        for row in tbody.children:
            first = row.children[0].astext().strip() if row.children else ""
            if ROW_ID.match(first) and first not in doctree.ids:
                row["ids"].append(first)
                doctree.ids[first] = row
            if results.get(first) in READING_MARKS:
                row["classes"].append(f"reading-{results[first]}")
                marked = True
        if marked:
            legend = nodes.paragraph(classes=["reading-legend"], text=(
                f"{READING_MARKS['verified']} after an id: a second reader found the row's source again and "
                f"verified the row against it; {READING_MARKS['corrected']}: corrected at that reading. "
                f"Rows without a mark have not been confirmed by a second reading."))
            container = table.parent
            if isinstance(container, nodes.container) and len(container.children) == 1:
                container.parent.insert(container.parent.index(container) + 1, legend)
            else:
                container.insert(container.index(table) + 1, legend)


def _reading_results(app) -> dict[str, str]:
    from .readings import row_results

    data = Path(app.srcdir) / "data"
    try:
        desc = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
        return row_results(data, desc)
    except (OSError, ValueError):
        return {}


def cited_by(app, doctree, docname):
    """Under each bibliography entry, the pages that cite it, linked."""
    domain = app.env.get_domain("cite")
    citations = {c.citation_id: c.key for c in domain.citations if c.bibliography_key.docname == docname}
    if not citations:
        return
    pages: dict[str, list[str]] = {}
    for ref in domain.citation_refs:
        for target in ref.targets:
            docs = pages.setdefault(target.key, [])
            if ref.docname not in docs:
                docs.append(ref.docname)
    order = {name: i for i, name in enumerate(toc_pages(Project(Path(app.srcdir))))}
    titles = _page_titles(app)
    for node in doctree.findall(nodes.citation):
        key = next((citations[i] for i in node["ids"] if i in citations), None)
        docs = sorted(pages.get(key, []), key=lambda d: (order.get(d, len(order)), d))
        if key is None or not docs:
            continue
        para = nodes.paragraph(classes=["cited-by"])
        para += nodes.Text("Cited in: ")
        for i, doc in enumerate(docs):
            if i:
                para += nodes.Text(", ")
            title = titles.get(doc) or (app.env.titles[doc].astext() if doc in app.env.titles else doc)
            ref = nodes.reference("", title, internal=True,
                                  refuri=app.builder.get_relative_uri(docname, doc))
            para += ref
        node += para


def _page_titles(app) -> dict[str, str]:
    """The contents' titles of the pages runs.yml names ("Huawei", "China"): the pages of one
    notebook share its heading, so the heading alone cannot tell them apart."""
    try:
        plan = load_plan(Project(Path(app.srcdir)))
    except Exception:  # a book without a run list: headings will do
        return {}
    return {f"book/chapters/{r.name}": r.title for r in plan.runs if r.title}


def drop_thebe(app, pagename, templatename, context, doctree):
    """Live code is off; sphinx-thebe's assets still load, and its inline script is added twice
    (a SyntaxError, THEBE_JS_URL declared twice, on every page)."""
    def keep(asset) -> bool:
        name = getattr(asset, "filename", None) or ""
        body = getattr(asset, "attributes", {}).get("body", "") if hasattr(asset, "attributes") else ""
        return "thebe" not in str(name) and "THEBE_JS_URL" not in str(body)
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if keep(a)]


def stamp_version(app, config):
    """The report's version (CITATION.cff, facereport.version) in Sphinx's release and in every
    page's footer, so that a reader who cites a page can say which numbers they saw."""
    from .version import version

    v = version(Project(Path(app.srcdir)))
    config.version = config.release = v
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = f"{options.get('extra_footer') or ''} Version {v}.".strip()
    config.html_theme_options = options


DESCRIPTION_CHARS = 155   # what search engines show of a description


def describe_page(app, pagename, templatename, context, doctree):
    """A meta description per page: its opening paragraph (the chapter's first lines say what it
    finds or covers), shortened at a word to what search results show."""
    if doctree is None:
        return
    para = next((p for p in doctree.findall(nodes.paragraph)
                 if not any(isinstance(a, (nodes.admonition, nodes.table, nodes.topic)) for a in _ancestors(p))
                 and len(p.astext()) > 40), None)
    if para is None:
        return
    text = re.sub(r"\s+", " ", para.astext()).strip()
    if len(text) > DESCRIPTION_CHARS:
        text = text[:DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    escaped = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    context["metatags"] = context.get("metatags", "") + f'\n    <meta name="description" content="{escaped}" />'


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


def finish_pages(app, exception):
    if exception is None and app.builder.format == "html":
        from .pages import finish
        finish(Path(app.outdir))


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
    app.add_directive("datadownloads", DataDownloads)
    app.add_directive("howtocite", HowToCite)
    app.add_directive("readings", Readings)
    app.add_directive("whatchanged", WhatChanged)
    app.add_role("figdata", figdata_role)
    app.connect("doctree-resolved", mark_data_tables)
    app.connect("doctree-resolved", cited_by)
    # after sphinx-book-theme adds its buttons (priority 501)
    app.connect("html-page-context", drop_inline_javascript_buttons, priority=900)
    app.connect("html-page-context", drop_thebe, priority=900)
    app.connect("html-page-context", describe_page)
    app.connect("config-inited", stamp_version)
    app.connect("build-finished", finish_pages)
    app.connect("build-finished", publish_data)
    app.add_js_file("report.js", loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

"""A book built with a researcher's own parameters (``make chapter``) says so on every page: a
banner naming the run and its parameters, with a link to the published chapter, and a landing
page whose findings are labelled as the selection's, so that nobody quotes a custom selection as
the report's findings.

``facereport.build`` writes ``custom-run.json`` into the workspace copy it builds a custom book
from; the main book never has one, so it shows no banner.
"""
from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes

CUSTOM_FILE = "custom-run.json"


def describe(runs: dict[str, dict]) -> str:
    """'rollout with start_year: 2015, sectors: [policing, transport]'."""
    def value(v):
        return json.dumps(v, ensure_ascii=False).replace('"', "")
    return "; ".join(f"{name} with " + (", ".join(f"{k}: {value(v)}" for k, v in params.items()) or "its defaults")
                     for name, params in runs.items())


def _info(app) -> dict | None:
    path = Path(app.srcdir) / CUSTOM_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def banner(app, doctree) -> None:
    info = _info(app)
    if not info:
        return
    section = doctree.next_node(nodes.section)
    if section is None:
        return
    box = nodes.admonition(classes=["warning", "custom-selection"])
    box += nodes.title(text="A custom selection, not the published report")
    para = nodes.paragraph()
    para += nodes.Text(f"This book was built with your own parameters: {describe(info['runs'])}. "
                       "The numbers of that chapter, and the key findings on the first page that come from it, "
                       "are those of this selection. ")
    for name, uri in info.get("published", {}).items():
        if uri:
            para += nodes.Text("The published chapter: ")
            para += nodes.reference("", f"{name} (default parameters)", refuri=uri)
            para += nodes.Text(". ")
        else:
            para += nodes.Text(f"The published chapter ({name}) is in the main book, built by make book. ")
    box += para
    section.insert(1, box)
    if app.env.docname == app.config.root_doc:
        for sub in doctree.findall(nodes.section):
            title = sub.next_node(nodes.title)
            if title is not None and title.astext() == "Key findings":
                title.children = [nodes.Text("Key findings of this custom selection")]


def setup(app):
    app.connect("doctree-read", banner)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

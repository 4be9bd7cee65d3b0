"""The text a reader sees of an executed notebook, without rendering the book: each markdown
cell with its ``{glue:text}`name``` roles replaced by the glued text, as myst-nb pastes it, and the
Markdown that code cells display. Glue names the notebook does not define are kept as
``<missing glue: name>`` so that a test can find them."""
from __future__ import annotations

import re

import nbformat

from conftest import glued

ROLE = re.compile(r"\{glue:text\}`([^`:]+)(?::[^`]*)?`")


def text(path, tables: bool = True) -> str:
    """The page's prose; with ``tables``, also the Markdown that code cells display (tables)."""
    nb = nbformat.read(path, as_version=4)
    values = {name: str(value) for name, value in glued(path).items()}
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(ROLE.sub(lambda m: values.get(m.group(1), f"<missing glue: {m.group(1)}>"), cell.source))
        for output in cell.get("outputs", []) if tables else ():
            if "text/markdown" in output.get("data", {}) and not output.get("metadata", {}).get("scrapbook"):
                parts.append(output["data"]["text/markdown"])
    return "\n\n".join(parts)


def findings(path) -> str:
    """The chapter's findings section (up to the next heading of level 2)."""
    whole = text(path)
    start = whole.index("## Findings")
    end = whole.find("\n## ", start + 5)
    return " ".join(whole[start:end if end > 0 else None].split())

"""One file of one run, to send: nbconvert's HTML of an executed notebook with its images embedded,
and a PDF of it printed by Chromium (``make chapter`` writes both beside the custom book; a
release exports every page the same way).

The book renders MyST that nbconvert does not know: glued values (``{glue:text}`name```), glued
figures, links to other pages, citations and admonitions. Before export they are resolved here
from the notebook itself and the source registry, so that the file says what the page says:
glued text becomes the text, a glued figure becomes its image with its caption, a citation
becomes "(Author, year)", a link to another page becomes its text. Cells the book hides (tags
``remove-cell``, ``remove-input``) are hidden alike, and the glue outputs themselves are dropped.
"""
from __future__ import annotations

import base64
import copy
import os
import re
from pathlib import Path

import nbformat

from .bib import Source
from .record import glue_outputs, glued_value

ROLE = re.compile(r"\{(glue:text|glue|doc|cite:p|cite:t|cite|figdata|numref|ref)\}`([^`]*)`")
DIRECTIVE = re.compile(r"^```\{(glue:figure|admonition)\}[ \t]*([^\n]*)\n((?:[ \t]*:[\w-]+:[^\n]*\n)*)(.*?)^```[ \t]*$",
                       re.S | re.M)
OPTION = re.compile(r"^[ \t]*:([\w-]+):[ \t]*(.*)$", re.M)
# a script that loads from another host (MathJax, require.js, mermaid from a CDN), by src or import
REMOTE_SCRIPT = re.compile(r"<script\b[^>]*>(?:(?!</script>).)*?</script>", re.I | re.S)


def _remote(script: str) -> bool:
    return re.search(r"(?:src=\"|import\s*\(?\s*[\"'])(?:https?:)?//|mathjax", script, re.I) is not None
CHROMIUM = Path(os.environ.get("FACEREPORT_CHROMIUM", "/usr/bin/chromium"))


def _glue(nb) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Glued text by name (a number as its repr, as myst-nb shows it), and glued figures by name
    as (mime type, data)."""
    text, figures = {}, {}
    for name, data in glue_outputs(nb):
        image = next((k for k in ("image/png", "image/svg+xml", "image/jpeg") if k in data), None)
        if image:
            figures[name] = (image, data[image])
        elif "text/markdown" in data or "text/plain" in data:
            value = glued_value(data)
            text[name] = value if isinstance(value, str) else data["text/plain"]
    return text, figures


def _cite(keys: str, sources: dict[str, Source]) -> str:
    parts = []
    for key in (k.strip() for k in keys.split(",")):
        src = sources.get(key)
        if src is None:
            parts.append(key)
            continue
        who = src.authors[0].split(",")[0].strip() if src.authors else src.fields.get("organization", key)
        parts.append(f"{who}, {src.fields.get('year', 'n.d.')}")
    return "(" + "; ".join(parts) + ")"


def _image(name: str, figures: dict[str, tuple[str, str]], alt: str) -> str:
    mime, data = figures[name]
    payload = data if mime != "image/svg+xml" else base64.b64encode(
        (data if isinstance(data, str) else "".join(data)).encode("utf-8")).decode("ascii")
    return f'<img alt="{alt.replace(chr(34), "&quot;")}" src="data:{mime};base64,{payload.strip()}" style="max-width:100%">'


def resolve(text: str, values: dict[str, str], figures: dict, sources: dict[str, Source]) -> str:
    """MyST of the book's pages as plain Markdown and HTML that nbconvert renders."""
    def directive(m: re.Match) -> str:
        kind, argument, options, body = m.group(1), m.group(2).strip(), dict(OPTION.findall(m.group(3))), m.group(4)
        body = resolve(body, values, figures, sources).strip()
        if kind == "glue:figure":
            if argument not in figures:
                return body
            return f"{_image(argument, figures, options.get('alt', ''))}\n\n*{body}*\n"
        quoted = "\n".join(f"> {line}" if line else ">" for line in body.splitlines())
        return f"> **{argument}**\n>\n{quoted}\n"

    def role(m: re.Match) -> str:
        kind, content = m.group(1), m.group(2)
        if kind in ("glue:text", "glue"):
            return values.get(content, content)
        if kind.startswith("cite"):
            return _cite(content, sources)
        if kind == "figdata":
            return ""
        shown = re.match(r"^(.*?)\s*<[^>]+>$", content, re.S)   # {doc}`text <target>`
        return shown.group(1) if shown else content

    return ROLE.sub(role, DIRECTIVE.sub(directive, text))


def standalone_notebook(nb, sources: dict[str, Source]):
    """A copy of the executed notebook as nbconvert should show it."""
    nb = copy.deepcopy(nb)
    values, figures = _glue(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            cell.source = resolve(cell.source, values, figures, sources)
        elif cell.cell_type == "code":
            kept = []
            for out in cell.get("outputs", []):
                if out.get("metadata", {}).get("scrapbook"):
                    continue   # a glued value: shown where the text uses it
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    continue
                if "text/markdown" in out.get("data", {}):
                    out["data"]["text/markdown"] = resolve(out["data"]["text/markdown"], values, figures, sources)
                kept.append(out)
            cell.outputs = kept
            if tags & {"remove-input", "hide-input"}:
                if not kept:
                    continue
                cell.metadata["transient"] = {"remove_source": True}   # as nbconvert's TagRemovePreprocessor marks it
        cells.append(cell)
    nb.cells = cells
    return nb


def to_html(notebook: Path, sources: dict[str, Source], title: str) -> str:
    """nbconvert's HTML of the notebook, images embedded, nothing loaded from another host."""
    from nbconvert import HTMLExporter

    nb = standalone_notebook(nbformat.read(notebook, as_version=4), sources)
    nb.metadata["title"] = title
    exporter = HTMLExporter(template_name="lab", embed_images=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    html, _ = exporter.from_notebook_node(nb)
    # MathJax, require.js and mermaid from a CDN: not needed here, and loaded from another host
    return REMOTE_SCRIPT.sub(lambda m: "" if _remote(m.group(0)) else m.group(0), html)


def to_pdf(html_file: Path, pdf_file: Path) -> Path:
    """Chromium prints the HTML on A4 with page numbers."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing (apt-get install chromium, or set FACEREPORT_CHROMIUM)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(html_file.resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        page.pdf(path=str(pdf_file), format="A4", print_background=True, display_header_footer=True,
                 header_template="<span></span>",
                 footer_template='<div style="font-size:8px;width:100%;text-align:center">'
                                 '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                 margin={"top": "15mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
        browser.close()
    return pdf_file


def export(notebook: Path, dest: Path, sources: dict[str, Source], title: str, pdf: bool = True) -> list[Path]:
    """``dest``.html and (with Chromium) ``dest``.pdf of an executed notebook."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    html_file = dest.with_suffix(".html")
    html_file.write_text(to_html(notebook, sources, title), encoding="utf-8")
    made = [html_file]
    if pdf:
        made.append(to_pdf(html_file, dest.with_suffix(".pdf")))
    return made

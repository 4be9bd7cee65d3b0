"""Data stays data, checked where it matters: in a real browser.

Markup is planted in every free-text column of every table (and in the source registry and the
schema's labels), the book is built from that data, and every page of the contents is opened in
Chromium: no dialog may open, no planted script may run, no planted element or link may exist,
and the planted text must show literally, as characters.
"""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from conftest import cli, copy_with_runs, need_chromium, open_page, serve
from facereport.paths import Project
from facereport.toc import toc_pages
from facereport.validate import field_checks

pytestmark = [pytest.mark.build, pytest.mark.browser]

# Each is one line (cells hold one line) and has no '. ', so a summary's first sentence, which
# the chapter quotes, carries all of it.
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    "{cite:p}`goh2019reuters`",
    "```{raw} html <script>alert(3)</script>```",
    "[click me](javascript:alert(4))",
    "{glue:text}`n_events`",
    "$x^2$ and **not bold** and &lt;b&gt; and <!-- hidden -->",
    ":::{danger} a directive :::",
]
# The registry is BibTeX, where braces are syntax: its fields carry the brace-free payloads.
BIB_PAYLOADS = [p for p in PAYLOADS if "{" not in p]


# Free-text cells whose emptiness a row rule reads (a reading with corrections is a correction):
# planted only where they already hold text.
EMPTY_MEANS = {("checks", "corrections")}


def free_text_fields(resource: dict) -> list[str]:
    """String columns that take any text: no enum, pattern, pattern by kind or named check, and no key."""
    schema = resource["schema"]
    keys = set(schema.get("primaryKey", []))
    for fk in schema.get("foreignKeys", []):
        keys |= set(fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]])
    return [f["name"] for f in schema["fields"]
            if f.get("type", "string") == "string" and not field_checks(f) and f["name"] not in keys
            and "x-pattern-by" not in f
            and not {"enum", "pattern"} & set(f.get("constraints", {}))]


def plant(project: Project) -> list[str]:
    """Put a payload in every free-text cell of every table; returns the payloads used."""
    desc = json.loads(project.datapackage.read_text(encoding="utf-8"))
    for res in desc["resources"]:
        if "schema" not in res:
            continue
        path = project.data_dir / res["path"]
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header, rows = reader.fieldnames, list(reader)
        columns = free_text_fields(res)
        assert columns, f"{res['name']} has no free-text column to plant in"
        for i, row in enumerate(rows):
            for j, col in enumerate(columns):
                if not row[col] and (res["name"], col) in EMPTY_MEANS:
                    continue
                payload = PAYLOADS[(i + j) % len(PAYLOADS)]
                row[col] = f"Planted in {col} {payload}"
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(buf.getvalue(), encoding="utf-8")
        # the schema's readers' labels reach captions, tables and figures too
        for field in res["schema"]["fields"]:
            if "x-labels" in field:
                first = next(iter(field["x-labels"]))
                field["x-labels"][first] += " <b onmouseover=alert(5)>label</b> $y$"
    project.datapackage.write_text(json.dumps(desc, indent=2, ensure_ascii=False), encoding="utf-8")
    bib = project.data_dir / "sources.bib"
    text = bib.read_text(encoding="utf-8")
    count = iter(range(10**6))
    text = re.sub(r"(\n  title = \{)([^\n]*)\},",
                  lambda m: f"{m.group(1)}{m.group(2)} {BIB_PAYLOADS[next(count) % len(BIB_PAYLOADS)]}}},", text)
    bib.write_text(text, encoding="utf-8")
    return PAYLOADS


@pytest.fixture(scope="module")
def planted_book(executed_copy, tmp_path_factory):
    need_chromium()
    # from the session's executed notebooks: the runs that read a planted table run again
    project = copy_with_runs(executed_copy[0], tmp_path_factory.mktemp("planted") / "project")
    plant(project)
    checked = cli(project, "validate")
    assert checked.returncode == 0, "the planted data must be valid data:\n" + checked.stderr[-3000:]
    result = cli(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="module")
def server(planted_book):
    url, httpd = serve(planted_book.html_dir)
    yield url
    httpd.shutdown()


def visit(browser, url: str) -> dict:
    page, _, seen = open_page(browser, url)
    found = {
        "dialogs": seen["dialogs"],
        "errors": seen["errors"],
        "text": re.sub(r"\s+", " ", page.inner_text("body")),
        "planted_images": page.locator('img[src="x"]').count(),
        "planted_scripts": page.evaluate(
            "[...document.scripts].filter(s => /alert\\(/.test(s.textContent)).length"),
        "handlers": page.evaluate(
            "[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => /^on/i.test(a.name))).length"),
        "javascript_links": page.evaluate(
            "[...document.querySelectorAll('[href],[src],[action]')].filter(e => "
            "/^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action'))).length"),
    }
    page.close()
    return found


def test_planted_markup_runs_nowhere_and_shows_as_text(planted_book, server, browser):
    pages = toc_pages(planted_book)
    seen_text = ""
    for page in pages:
        found = visit(browser, f"{server}/{page}.html")
        assert found["dialogs"] == [], f"{page}: a planted script opened a dialog: {found['dialogs']}"
        assert found["planted_images"] == 0, f"{page}: a planted <img> became an element"
        assert found["planted_scripts"] == 0, f"{page}: a planted <script> became an element"
        assert found["handlers"] == 0, f"{page}: an element carries an inline event handler"
        assert found["javascript_links"] == 0, f"{page}: a javascript: URL became a link"
        seen_text += found["text"]
    # every payload reached some page, as the characters it is made of
    for payload in PAYLOADS:
        assert f"{payload}" in seen_text, f"not shown literally: {payload!r}"


def test_the_quoted_sentence_quotes_planted_text_literally(planted_book, server, browser):
    # The chapter quotes the earliest restriction's summary in its findings: a planted one here.
    found = visit(browser, f"{server}/book/chapters/rollout.html")
    m = re.search(r"The earliest restriction in this selection is dated \S+ \(ro-\d+\): (Planted in summary [^\n]*?)\.", found["text"])
    assert m, "the findings do not quote a planted summary"
    assert any(p in m.group(1) for p in PAYLOADS), m.group(1)


def test_the_planted_book_passes_the_published_checks(planted_book):
    result = cli(planted_book, "check")
    assert result.returncode == 0, result.stderr

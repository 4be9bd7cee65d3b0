"""The book as readers meet it, in a real browser (Chromium, driven by Playwright), at a laptop's
width and a phone's: every page of the contents loads cleanly, every image decodes and is
described, nothing loads from another host, nothing is wider than a phone's screen, the sidebar
opens, axe-core finds no serious or critical violation, and the tables, figures and bibliography
do what the pages say. A screenshot of every page at every width is kept under _build/screenshots/
(CI uploads it).
"""
from __future__ import annotations

import csv
import re
import shutil
from urllib.parse import urlparse

import pytest

from conftest import ROOT, cli, copy_with_runs, need_chromium, open_page, serve
from facereport.toc import toc_pages

pytestmark = [pytest.mark.build, pytest.mark.browser]

WIDTHS = {"laptop": 1366, "phone": 390}
AXE = ROOT / "tools/node/node_modules/axe-core/axe.min.js"
SCREENSHOTS = ROOT / "_build" / "screenshots"

# An element is too wide when it reaches past the viewport and no scrolling or clipping box that
# fits the viewport contains it (a code block scrolls sideways inside its own box, which is fine).
TOO_WIDE_JS = """(vw) => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || (r.right <= vw + 1 && r.left >= -1)) continue;
    const cs = getComputedStyle(e);
    if (cs.visibility === 'hidden' || cs.display === 'none' || cs.position === 'fixed') continue;
    let a = e.parentElement, clipped = false;
    while (a && a !== document.body) {
      if (getComputedStyle(a).overflowX !== 'visible') {
        const ar = a.getBoundingClientRect();
        if (ar.right <= vw + 1 && ar.left >= -1) { clipped = true; break; }
      }
      a = a.parentElement;
    }
    if (!clipped) out.push(e.tagName.toLowerCase() + '.' + String(e.className).slice(0, 40) +
                           ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  return out.slice(0, 10);
}"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                      first: v.nodes[0].target.join(' ')}));
}"""


@pytest.fixture(scope="module")
def book(executed_copy, tmp_path_factory):
    need_chromium()
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: `make test` installs tools/node with npm ci")
    # the session's executed notebooks: every run is reused, the book is rendered
    project = copy_with_runs(executed_copy[0], tmp_path_factory.mktemp("reader") / "project")
    result = cli(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


# The 31 province pages are one template whose rows the rollout chapter also shows (and every
# page is checked for links and loads by facereport.check): three are visited in the browser, the
# one with the most events, a thin one, and Tibet's, whose evidence includes Arabic (right to left).
PROVINCE_SAMPLE = ("book/chapters/province-zhejiang", "book/chapters/province-qinghai",
                   "book/chapters/province-tibet-xizang")


def visited(book) -> list[str]:
    pages = toc_pages(book)
    assert all(p in pages for p in PROVINCE_SAMPLE)
    return [p for p in pages if "/province-" not in p or p in PROVINCE_SAMPLE]


@pytest.fixture(scope="module")
def site(book):
    url, httpd = serve(book.html_dir)
    yield url
    httpd.shutdown()


@pytest.fixture(scope="module")
def visits(book, site, browser):
    """Every page of the contents (of the province pages, a sample) at every width, with what
    the browser saw."""
    out = {}
    for name, width in WIDTHS.items():
        folder = SCREENSHOTS / f"{name}-{width}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for doc in visited(book):
            page, response, seen = open_page(browser, f"{site}/{doc}.html", width)
            images = page.evaluate("""[...document.images].map(i => ({src: i.getAttribute('src'),
                alt: (i.getAttribute('alt') || '').trim(), ok: i.complete && i.naturalWidth > 0}))""")
            page.add_script_tag(path=str(AXE))
            out[(doc, name)] = {
                "status": response.status, **seen, "images": images,
                "too_wide": page.evaluate(TOO_WIDE_JS, width),
                "axe": page.evaluate(AXE_JS),
            }
            page.screenshot(path=str(folder / (doc.replace("/", "-") + ".png")))
            page.close()
    return out


def test_every_page_loads_without_an_error_at_every_width(visits):
    for (doc, width), v in visits.items():
        assert v["status"] == 200, (doc, width)
        assert v["errors"] == [], f"{doc} at {width}: page errors {v['errors']}"
        assert v["console"] == [], f"{doc} at {width}: console errors {v['console']}"
        assert v["failed"] == [], f"{doc} at {width}: failed requests {v['failed']}"


def test_nothing_is_requested_from_another_host(visits):
    for (doc, width), v in visits.items():
        away = [u for u in v["requests"] if urlparse(u).hostname not in ("127.0.0.1", None) and not u.startswith("data:")]
        assert away == [], f"{doc} at {width} requested {away}"


def test_no_page_loads_the_icon_script_or_thebe(visits):
    # fontawesome.js was 1.5 MB of every page for a dozen icons the theme's CSS draws anyway
    for (doc, width), v in visits.items():
        heavy = [u for u in v["requests"] if "fontawesome.js" in u or "thebe" in u]
        assert heavy == [], f"{doc} at {width} loads {heavy}"


def test_every_image_decodes_and_is_described(visits):
    n = 0
    for (doc, width), v in visits.items():
        for img in v["images"]:
            n += 1
            assert img["ok"], f"{doc} at {width}: {img['src']} does not decode"
            assert len(img["alt"]) >= 10, f"{doc} at {width}: {img['src']} has no real alt text"
    assert n >= 2 * 15, "the figures are missing"


def test_nothing_is_wider_than_a_phone(visits):
    for (doc, width), v in visits.items():
        if width == "phone":
            assert v["too_wide"] == [], f"{doc} at 390 px: wider than the screen: {v['too_wide']}"


def test_axe_finds_no_serious_or_critical_violation(visits):
    for (doc, width), v in visits.items():
        bad = [x for x in v["axe"] if x["impact"] in ("serious", "critical")]
        assert bad == [], f"{doc} at {width}: {bad}"


def test_screenshots_are_kept_for_every_page_and_width(book, visits):
    for name, width in WIDTHS.items():
        shots = sorted((SCREENSHOTS / f"{name}-{width}").glob("*.png"))
        assert len(shots) == len(visited(book))
        assert all(s.stat().st_size > 5000 for s in shots)


def test_the_sidebar_toggle_opens_the_contents(site, browser):
    # on a phone: the visible toggle opens the contents as a dialog
    page, _, _ = open_page(browser, f"{site}/book/chapters/rollout.html", 390)
    page.locator(".primary-toggle:visible").first.click()
    page.wait_for_timeout(300)
    assert page.locator("#pst-primary-sidebar-modal[open]").count() == 1
    assert page.get_by_role("link", name="Huawei").first.is_visible()
    page.close()
    # on a laptop: the visible toggle hides the sidebar, and a second click shows it again
    page, _, _ = open_page(browser, f"{site}/book/chapters/rollout.html", 1366)
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    page.locator(".primary-toggle:visible").first.click()
    page.wait_for_timeout(300)
    assert "pst-sidebar-hidden" in (sidebar.get_attribute("class") or "")
    page.locator(".primary-toggle:visible").first.click()
    page.wait_for_timeout(300)
    assert "pst-sidebar-hidden" not in (sidebar.get_attribute("class") or "")
    page.close()


def rollout_rows(book) -> list[dict]:
    with open(book.data_dir / "rollout_events.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_events_table_filters_sorts_and_links_rows(book, site, browser):
    rows = rollout_rows(book)
    page, _, _ = open_page(browser, f"{site}/book/chapters/rollout.html", 1366)
    table = page.locator("table.data-table").first
    visible = lambda: table.locator("tbody tr:visible")
    assert visible().count() == len(rows)
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert {"Type", "Confidence", "Province", "Sector"} <= set(headers)
    # filter by sector, then also by year
    page.get_by_label("Sector").first.select_option("Transport")
    n_transport = sum(1 for r in rows if r["sector"] == "transport")
    assert visible().count() == n_transport
    year = sorted({r["date"][:4] for r in rows if r["sector"] == "transport"})[0]
    page.get_by_label("Year").first.select_option(year)
    assert visible().count() == sum(1 for r in rows if r["sector"] == "transport" and r["date"].startswith(year))
    # search, after clearing the filters
    page.get_by_role("button", name="Show all").first.click()
    assert visible().count() == len(rows)
    page.locator(".table-tools input[type=search]").first.fill("Wuzhen")
    assert 1 <= visible().count() < len(rows)
    page.get_by_role("button", name="Show all").first.click()
    # sort by date, newest first: the first row is the latest event
    date_header = table.locator("thead th", has_text="Date").locator("button")
    date_header.click()
    date_header.click()
    first_date = table.locator("tbody tr").first.locator("td").nth(1).inner_text()
    assert first_date[:10] == max(r["date"] for r in rows)[:10]
    assert table.locator("thead th", has_text="Date").get_attribute("aria-sort") == "descending"
    # halfway down the table, its header is still in view
    table.locator("tbody tr").nth(len(rows) // 2).scroll_into_view_if_needed()
    top = page.evaluate("document.querySelector('table.data-table thead th').getBoundingClientRect().top")
    assert 0 <= top < 200, f"the header scrolled away (top {top})"
    page.close()
    # a link to a row shows the row, even one a filter had hidden
    target = rows[len(rows) // 2]["id"]
    page, _, _ = open_page(browser, f"{site}/book/chapters/rollout.html#{target}", 1366)
    row = page.locator(f"tr#{target}")
    assert row.count() == 1 and row.is_visible() and row.locator("td").first.inner_text().strip() == target
    page.get_by_label("Sector").first.select_option(index=1)
    page.evaluate("location.hash = ''")
    page.evaluate(f"location.hash = '{target}'")
    page.wait_for_timeout(200)
    assert row.is_visible()
    page.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=list(WIDTHS))
def test_a_row_link_lands_below_the_sticky_header(book, site, browser, width):
    rows = rollout_rows(book)
    target = rows[len(rows) // 2]["id"]
    page, _, _ = open_page(browser, f"{site}/book/chapters/rollout.html#{target}", width)

    def covered_by() -> float:
        """The lowest bottom edge of what stays stuck at the top: the page header, and the
        table's column heads where they show."""
        return page.evaluate("""() => {
            const bottoms = [document.querySelector('.bd-header').getBoundingClientRect().bottom];
            const head = document.querySelector('table.data-table thead');
            if (head && getComputedStyle(head).position !== 'absolute') bottoms.push(head.getBoundingClientRect().bottom);
            return Math.max(...bottoms);
        }""")

    def row_top() -> float:
        return page.evaluate(f"document.getElementById('{target}').getBoundingClientRect().top")

    assert covered_by() <= row_top() < page.viewport_size["height"], (covered_by(), row_top())
    # and for a row a filter had hidden, which report.js shows again
    page.get_by_label("Sector").first.select_option(index=1)
    page.evaluate("location.hash = ''")
    page.evaluate(f"location.hash = '{target}'")
    page.wait_for_timeout(300)
    assert covered_by() <= row_top() < page.viewport_size["height"], (covered_by(), row_top())
    page.close()


def test_printed_no_column_of_a_table_is_cut(book, site, browser):
    # an A4 page at 96 dpi is 794 px wide; printed, every table fits it
    page, _, _ = open_page(browser, f"{site}/book/chapters/rollout.html", 794)
    page.emulate_media(media="print")
    widths = page.evaluate("[...document.querySelectorAll('table.data-table')].map(t => t.getBoundingClientRect().right)")
    assert widths and max(widths) <= 794, widths
    assert page.locator(".table-tools").first.is_hidden()
    assert len(page.pdf(format="A4")) > 10000
    page.close()


def test_every_figure_links_the_data_it_is_drawn_from(book, site, browser):
    import urllib.request
    n = 0
    for doc in visited(book):
        page, _, _ = open_page(browser, f"{site}/{doc}.html", 1366)
        figures = page.locator("figure")
        for i in range(figures.count()):
            fig = figures.nth(i)
            link = fig.get_by_role("link", name="Data of this figure (CSV)")
            assert link.count() == 1, f"{doc}: figure {i + 1} has no data link"
            href = link.get_attribute("href")
            url = page.evaluate("h => new URL(h, location.href).href", href)
            with urllib.request.urlopen(url) as response:
                header = response.read().decode("utf-8").splitlines()[0]
            assert "," in header or header, f"{doc}: {href} is empty"
            # and a tap on the image opens it full size
            assert fig.locator("a.figure-full img").count() == 1, f"{doc}: figure {i + 1} does not open full size"
            n += 1
        page.close()
    assert n >= 15


def test_the_landing_page_gives_findings_downloads_and_how_to_cite(book, site, browser):
    page, _, _ = open_page(browser, f"{site}/book/intro.html", 1366)
    text = re.sub(r"\s+", " ", page.inner_text("main"))
    rows = rollout_rows(book)
    assert f"the record holds {len(rows)} events" in text
    for heading in ("Key findings", "Download the data", "How to cite", "Licences"):
        assert page.get_by_role("heading", name=heading).count() == 1, heading
    for name in ("rollout_events.csv", "datapackage.json", "sources.bib"):
        assert page.get_by_role("link", name=name).count() == 1, name
    assert "Facial recognition in China: rollout, opinion, exports and regulation" in text   # from CITATION.cff
    assert "Last updated" not in page.inner_text("body")   # a fixed build date is no true date
    assert page.locator("figure img").count() == 1
    page.close()


def test_the_bibliography_keeps_titles_labels_by_author_and_year_and_links_back(book, site, browser):
    page, _, _ = open_page(browser, f"{site}/book/bibliography.html", 1366)
    text = page.inner_text("main")
    assert "China State TV Criticizes Kohler, BMW" in text
    labels = [t.strip("[] \n") for t in page.locator("div.citation span.label").all_inner_texts()]
    assert labels and all(re.fullmatch(r".+, (\d{4}|n\.d\.)[a-z]?", label) for label in labels), labels[:5]
    assert "Goh, 2019" in labels
    # sorted by first author (organisations among persons), then year
    authors = [re.split(r" and | et al\.|, (?=\d{4}|n\.d\.)", label)[0].casefold() for label in labels]
    assert authors == sorted(authors), [a for a, b in zip(authors, authors[1:]) if a > b][:5]
    cited = page.locator("div.citation p.cited-by")
    assert cited.count() >= len(labels) * 0.9
    cited.first.locator("a").first.click()
    page.wait_for_load_state("load")
    assert "/chapters/" in page.url
    page.close()

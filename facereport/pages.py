"""What the published pages change in the HTML the theme writes, where Sphinx offers no hook.

Run once the HTML is written (Sphinx's ``build-finished``), on every page:

- **Icons without a 1.5 MB script.** The theme loads Font Awesome's ``fontawesome.js`` (1.5 MB,
  about 60 % of a page's bytes) to turn about a dozen ``<i class="fa-...">`` into SVG. Its own
  stylesheet already draws those icons from the solid web font (156 kB, fetched once), which it
  needs anyway for the icons it puts in ``::before`` (and the brands font, 117 kB, for the GitHub
  mark it puts before links to github.com, on the pages that have one). The script tag goes; the
  script, its source map and the fonts no page uses (regular, the TrueType copies) are not
  published.
- **The bibliography is not an ARIA list.** docutils marks a citation list ``role="list"`` whose
  entries are not ``listitem``s; axe-core reports that as a critical ``aria-required-children``
  violation. The entries' ``role="doc-biblioentry"``, deprecated in ARIA 1.3 (axe: minor, once
  per entry), goes too.
- **Figures open full size.** On a phone a figure is a few hundred pixels wide; a tap on it
  opens the image itself, which the browser can zoom.
- **The search field's name is what it shows.** Its label "Search" differs from its text
  ("Search Ctrl+K"), which axe-core reports (``label-content-name-mismatch``, serious): the label
  goes, and the visible text names it.
- **The sidebar is a landmark.** Its title link sat outside every landmark (axe: ``region``,
  moderate, on every page at laptop width); the sidebar is named "Book contents".
- **No Thebe configuration.** Live code is off (``thebe: false``) but sphinx-thebe still writes an
  inline configuration block naming a CDN.
"""
from __future__ import annotations

import re
from pathlib import Path

FA_SCRIPT = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')
THEBE_CONFIG = re.compile(r'\s*<script type="text/x-thebe-config">.*?</script>', re.S)
CITATION_LIST = 'role="list" class="citation-list"'
SIDEBAR = '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">'
SEARCH_FIELD = 'class="btn search-button-field search-button__button pst-js-only" title="Search" aria-label="Search"'
FIGURE_IMG = re.compile(r'(<figure[^>]*>\s*)(<img [^>]*src="([^"]+)"[^>]*>)', re.S)


def finish(html: Path) -> None:
    """Rewrite the written pages of ``html`` as described above."""
    script = html / "_static" / "scripts" / "fontawesome.js"
    for page in sorted(html.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        new = FA_SCRIPT.sub("", text)
        new = THEBE_CONFIG.sub("", new)
        new = new.replace(CITATION_LIST, 'class="citation-list"').replace(' role="doc-biblioentry"', "")
        new = new.replace(SIDEBAR, SIDEBAR[:-1] + ' role="complementary" aria-label="Book contents">')
        new = new.replace(SEARCH_FIELD, 'class="btn search-button-field search-button__button pst-js-only" title="Search"')
        new = FIGURE_IMG.sub(lambda m: f'{m.group(1)}<a class="figure-full" href="{m.group(3)}" '
                                       f'title="Open the figure full size">{m.group(2)}</a>', new)
        if new != text:
            page.write_text(new, encoding="utf-8")
    for leftover in (script, script.with_name("fontawesome.js.map"), script.with_name("fontawesome.js.LICENSE.txt")):
        leftover.unlink(missing_ok=True)
    fonts = html / "_static" / "vendor" / "fontawesome" / "webfonts"
    for font in fonts.glob("*") if fonts.is_dir() else []:
        if font.name not in ("fa-solid-900.woff2", "fa-brands-400.woff2"):
            font.unlink()

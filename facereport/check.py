"""Check a built book before it is published.

- every page of the contents was rendered;
- every internal link and anchor resolves;
- pages load nothing from other hosts (scripts, styles, fonts, images, frames): a report about
  surveillance should not hand its readers to third parties;
- no page shows a stderr stream (a warning printed by a notebook cell is a bug to fix, not a
  thing to publish);
- no element carries an inline event handler (``onerror=``, ``onclick=`` ...) and no attribute holds
  a ``javascript:`` URL: the theme's own are removed (facereport.sphinxext), so any one found is
  markup that leaked from data.

``python -m facereport.check`` checks ``_build/html``; the build checks the staged copy.
"""
from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

from .paths import Project
from .toc import toc_pages

LOADING = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"),
           ("audio", "src"), ("embed", "src"), ("object", "data"), ("link", "href")}
LINK_RELS_LOADED = {"stylesheet", "preload", "icon", "modulepreload", "prefetch", "manifest", "shortcut icon"}
# Browsers ignore leading blanks and control characters, and tabs or newlines inside the scheme.
JAVASCRIPT_URL = re.compile(r"^[\x00-\x20]*j[\t\n\r]*a[\t\n\r]*v[\t\n\r]*a[\t\n\r]*s[\t\n\r]*c[\t\n\r]*r[\t\n\r]*i[\t\n\r]*p[\t\n\r]*t[\t\n\r]*:", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?(https?:)?//", re.IGNORECASE)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.loads: list[tuple[str, str]] = []
        self.stderr = 0
        self.scripted: list[str] = []   # inline handlers and javascript: URLs, as found

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.scripted.append(f"<{tag} {name}=...>: an inline event handler")
            elif value and JAVASCRIPT_URL.match(value):
                self.scripted.append(f"<{tag} {name}={value[:60]!r}>: a javascript: URL")
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for t, attr in LOADING:
            if tag == t and a.get(attr):
                if tag == "link" and not (set((a.get("rel") or "").lower().split()) & LINK_RELS_LOADED):
                    continue
                self.loads.append((tag, a[attr]))
        if "stderr" in (a.get("class") or "").split():
            self.stderr += 1


def _external(url: str) -> bool:
    return url.startswith("//") or urlparse(url).scheme not in ("", "data")


def check_html(html: Path, pages: list[str]) -> list[str]:
    problems: list[str] = []
    if not (html / "index.html").is_file():
        problems.append("index.html is missing")
    for page in pages:
        if not (html / f"{page}.html").is_file():
            problems.append(f"{page}.html is missing: a page of the contents was not rendered")
    parsed: dict[Path, _Page] = {}
    for path in sorted(html.rglob("*.html")):
        p = _Page()
        p.feed(path.read_text(encoding="utf-8", errors="replace"))
        parsed[path.resolve()] = p
    for path, page in parsed.items():
        rel = path.relative_to(html.resolve()).as_posix()
        for tag, url in page.loads:
            if _external(url):
                problems.append(f"{rel}: <{tag}> loads {url} from another host")
        for what in page.scripted:
            problems.append(f"{rel}: {what}")
        if page.stderr:
            problems.append(f"{rel}: shows {page.stderr} stderr output(s) from a notebook cell")
        for href in page.links:
            if _external(href) or href.startswith("mailto:") or JAVASCRIPT_URL.match(href):
                continue  # a javascript: link is already reported above
            target, frag = urldefrag(href)
            dest = (path.parent / unquote(target)).resolve() if target else path
            if dest.is_dir():
                dest = dest / "index.html"
            if not dest.exists():
                problems.append(f"{rel}: broken link {href}")
            elif frag and dest.suffix == ".html" and dest in parsed and unquote(frag) not in parsed[dest].ids:
                problems.append(f"{rel}: link {href} points to a missing anchor")
    for css in sorted(html.rglob("*.css")):
        if CSS_URL.search(css.read_text(encoding="utf-8", errors="replace")):
            problems.append(f"{css.relative_to(html).as_posix()}: loads a url() from another host")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", nargs="?", help="the HTML folder (default: _build/html)")
    args = parser.parse_args(argv)
    project = Project.find()
    html = Path(args.html) if args.html else project.html_dir
    problems = check_html(html, toc_pages(project))
    for p in problems:
        print(f"check: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"check: {project.rel(html)}: all pages present, links resolve, nothing loaded from other hosts")
    return 0


if __name__ == "__main__":
    sys.exit(main())

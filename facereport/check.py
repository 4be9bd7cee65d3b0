"""Check a built book before it is published.

- every page of the contents was rendered;
- every internal link and anchor resolves;
- pages load nothing from other hosts (scripts, styles, fonts, images, frames): a report about
  surveillance should not hand its readers to third parties;
- no page shows a stderr stream (a warning printed by a notebook cell is a bug to fix, not a
  thing to publish).

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
CSS_URL = re.compile(r"url\(\s*['\"]?(https?:)?//", re.IGNORECASE)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.loads: list[tuple[str, str]] = []
        self.stderr = 0

    def handle_starttag(self, tag, attrs):
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
        if page.stderr:
            problems.append(f"{rel}: shows {page.stderr} stderr output(s) from a notebook cell")
        for href in page.links:
            if _external(href) or href.startswith(("mailto:", "javascript:")):
                if href.lower().startswith("javascript:"):
                    problems.append(f"{rel}: javascript: link {href}")
                continue
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

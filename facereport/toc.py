"""Write ``_toc.yml`` from ``notebooks/runs.yml``: the contents follow the run list.

``python -m facereport.toc`` rewrites it; ``--check`` fails if the committed file is stale.
``make book`` rewrites it before rendering, so the book never disagrees with the run list.
"""
from __future__ import annotations

import argparse
import sys

import yaml

from .paths import Project
from .runs import Run, load_plan

HEADER = "# Generated from notebooks/runs.yml by `python -m facereport.toc`; edit that file, not this one.\n"


def toc_text(project: Project) -> str:
    plan = load_plan(project)
    parts = []
    for part in plan.parts:
        chapters = []
        for entry in part["entries"]:
            if isinstance(entry, Run):
                chapter = {"file": entry.page(project)}
                if entry.title:
                    chapter["title"] = entry.title
            else:
                chapter = {"file": entry}
            chapters.append(chapter)
        parts.append({"caption": part["caption"], "chapters": chapters})
    body = {"format": "jb-book", "root": plan.root, "parts": parts}
    return HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def write(project: Project) -> bool:
    """Rewrite _toc.yml; True if it changed."""
    text = toc_text(project)
    current = project.toc_file.read_text(encoding="utf-8") if project.toc_file.exists() else None
    if current != text:
        project.toc_file.write_text(text, encoding="utf-8")
        return True
    return False


def toc_pages(project: Project) -> list[str]:
    """Every page of the contents, root first, as paths without suffix."""
    toc = yaml.safe_load(project.toc_file.read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if _toc.yml is not up to date")
    args = parser.parse_args(argv)
    project = Project.find()
    if args.check:
        current = project.toc_file.read_text(encoding="utf-8") if project.toc_file.exists() else ""
        if current != toc_text(project):
            print("toc: _toc.yml does not match notebooks/runs.yml; run `python -m facereport.toc`", file=sys.stderr)
            return 1
        return 0
    print("toc: _toc.yml " + ("rewritten" if write(project) else "up to date"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

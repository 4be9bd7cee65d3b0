"""The readers' "What changed" page: what each published book changed against the one before it,
newest first, from the two books' records (facereport.record, facereport.diff).

A build compares itself with an earlier published book only when told where that book is:
``FACEREPORT_PREVIOUS=<folder>`` holding its ``record.json`` and ``changes.json`` (CI downloads them
from the published site before it builds main). The new history is written to _build/changes.json,
which the page reads and the book publishes, for the next build to extend. Without
``FACEREPORT_PREVIOUS`` the page says so, and a build's bytes depend only on its inputs.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .paths import Project

PREVIOUS_ENV = "FACEREPORT_PREVIOUS"
HISTORY = "changes.json"
MAX_LINES = 30    # of one entry; the rest is counted


def _label(project: Project) -> dict:
    """Which build this is: the commit and its date where git knows them (the same for every build
    of that commit)."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%h %cs"], cwd=project.root, capture_output=True,
                             text=True, check=True).stdout.split()
        return {"commit": out[0], "date": out[1]}
    except (OSError, subprocess.CalledProcessError, IndexError):
        return {"commit": "", "date": ""}


def entry(before: dict, after: dict) -> dict:
    """What changed between two records, as lines a reader can read."""
    from .diff import record_diff, rows_from_records, shorten

    pages = record_diff(before, after)
    lines = []
    titles = {name: p.get("title") or name for name, p in after.get("pages", {}).items()}
    for name in pages["added"]:
        lines.append(f"New page: {titles.get(name, name)}.")
    for name in pages["removed"]:
        lines.append(f"Page removed: {before['pages'][name].get('title') or name}.")
    # the data's lines first (short, one per table), then the pages' in the book's order (the
    # strands before the 31 province pages), so that the lines kept under MAX_LINES say the most
    for name, t in rows_from_records(before, after).items():
        parts = [f"{len(t[k])} {k}" for k in ("added", "changed", "removed") if t[k]]
        ids = ", ".join((t["added"] + t["changed"] + t["removed"])[:8])
        lines.append(f"Table {name}: rows {', '.join(parts)} ({ids}{', …' if len(t['added'] + t['changed'] + t['removed']) > 8 else ''}).")
    a, b = before.get("sources", {}), after.get("sources", {})
    added, removed = sorted(set(b) - set(a)), sorted(set(a) - set(b))
    if added or removed:
        lines.append(f"Sources: {len(added)} added, {len(removed)} removed.")
    order = list(after.get("pages", {}))
    for name, page in sorted(pages["pages"].items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)):
        for key, (a, b) in page["moved"].items():
            lines.append(f"{titles.get(name, name)}: “{shorten(a or '', 120)}” became “{shorten(b or '', 120)}”.")
        if page["figures"]:
            lines.append(f"{titles.get(name, name)}: the data of {len(page['figures'])} figure(s) changed.")
        for key in page.get("displayed", []):
            lines.append(f"{titles.get(name, name)}: the table or text under “{key}” changed.")
    more = len(lines) - MAX_LINES
    return {"lines": lines[:MAX_LINES] + ([f"… and {more} more."] if more > 0 else [])}


def update(project: Project) -> list[dict]:
    """Write _build/changes.json for this build, and return it."""
    from .record import book_record, read

    folder = os.environ.get(PREVIOUS_ENV)
    history: list[dict] = []
    if folder:
        previous = Path(folder)
        try:
            published = json.loads((previous / HISTORY).read_text(encoding="utf-8"))
            history = published.get("history", []) if isinstance(published, dict) else []
        except (OSError, ValueError, AttributeError):
            history = []
        before = read(previous / "record.json")
        if before is not None:
            new = entry(before, book_record(project))
            if new["lines"]:
                history = [{**_label(project), **new}] + history
    project.build_dir.mkdir(parents=True, exist_ok=True)
    (project.build_dir / HISTORY).write_text(json.dumps({"compared": bool(folder), "history": history},
                                                        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return history


def read_history(root: Path) -> dict:
    try:
        return json.loads((root / "_build" / HISTORY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"compared": False, "history": []}

"""What a change does to the book: the rows it adds, removes and changes, the sources, and every
number and sentence a reader sees that it moves.

    make diff BASE=<git revision>          (default: the merge base with main; HEAD~1 on main)
    python -m facereport.diff --base-dir <folder holding another copy of the project>

The base revision is exported into _build/diff/base/ and its notebooks run there, seeded with this
copy's executed notebooks, so that only the runs whose inputs differ execute (a one-row change
costs about one incremental build). Nothing is rendered: the pages' values come from the executed
notebooks (facereport.record). Writes _build/diff/summary.md (short enough for a pull-request
comment; the full list folds away past a length) and _build/diff/diff.json, and prints the summary.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tarfile
import io
from pathlib import Path

from .paths import Project

SHORT = 80          # a long cell is shown to this many characters
SUMMARY_LINES = 40  # past this many lines, the full list folds into a <details> section


def shorten(text: str, limit: int = SHORT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- data

def _rows(path: Path, key: list[str]) -> tuple[list[str], dict[str, dict]]:
    if not path.is_file():
        return [], {}
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = {"/".join(r[k] for k in key): r for r in reader}
        return list(reader.fieldnames or []), rows


def _tables(project: Project) -> dict[str, dict]:
    from .data import descriptor
    from .validate import tables

    return {r["name"]: r for r in tables(descriptor(project))}


def data_diff(base: Project, head: Project) -> dict:
    """Per table, rows added, removed and changed (by primary key), each changed cell before and
    after; tables added or removed."""
    old, new = _tables(base), _tables(head)
    out = {}
    for name in sorted(set(old) | set(new)):
        res = new.get(name) or old[name]
        key = res["schema"].get("primaryKey", [])
        key = key if isinstance(key, list) else [key]
        _, before = _rows(base.data_dir / old[name]["path"], key) if name in old else ([], {})
        _, after = _rows(head.data_dir / new[name]["path"], key) if name in new else ([], {})
        changed = {}
        for k in sorted(set(before) & set(after)):
            cells = {c: [before[k].get(c, ""), after[k].get(c, "")]
                     for c in dict.fromkeys([*before[k], *after[k]]) if before[k].get(c, "") != after[k].get(c, "")}
            if cells:
                changed[k] = cells
        entry = {"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after)),
                 "changed": changed}
        if name not in old:
            entry["table"] = "added"
        elif name not in new:
            entry["table"] = "removed"
        if entry["added"] or entry["removed"] or entry["changed"] or "table" in entry:
            out[name] = entry
    return out


def sources_diff(base: Project, head: Project) -> dict:
    from .bib import read_bib
    from .data import descriptor
    from .validate import registry_path

    def entries(project):
        try:
            return {k: s.fields for k, s in read_bib(registry_path(project, descriptor(project))).items()}
        except (OSError, ValueError):
            return {}

    before, after = entries(base), entries(head)
    changed = {k: sorted(f for f in set(before[k]) | set(after[k]) if before[k].get(f) != after[k].get(f))
               for k in set(before) & set(after) if before[k] != after[k]}
    return {"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after)),
            "changed": dict(sorted(changed.items()))}


# ---------------------------------------------------------------- what readers see

def record_diff(before: dict, after: dict) -> dict:
    """Per page, every glued value that moved (before, after), figures whose data changed, and
    pages added or removed. Works on two records (facereport.record), so a published book can be
    compared without rebuilding it."""
    old, new = before.get("pages", {}), after.get("pages", {})
    pages = {}
    for name in sorted(set(old) & set(new)):
        a, b = old[name], new[name]
        moved = {k: [a["values"].get(k), b["values"].get(k)]
                 for k in sorted(set(a["values"]) | set(b["values"])) if a["values"].get(k) != b["values"].get(k)}
        figures = sorted(k for k in set(a["figures"]) | set(b["figures"]) if a["figures"].get(k) != b["figures"].get(k))
        da, db = a.get("displayed", {}), b.get("displayed", {})
        shown = sorted(k for k in set(da) | set(db) if da.get(k) != db.get(k))
        if moved or figures or shown:
            pages[name] = {"title": b.get("title", ""), "moved": moved, "figures": figures, "displayed": shown}
    return {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)), "pages": pages}


def rows_from_records(before: dict, after: dict) -> dict:
    """Rows added, removed and changed per table, from two records' row hashes (for readers, when
    the earlier data is not at hand)."""
    out = {}
    old, new = before.get("tables", {}), after.get("tables", {})
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, {}), new.get(name, {})
        entry = {"added": sorted(set(b) - set(a)), "removed": sorted(set(a) - set(b)),
                 "changed": sorted(k for k in set(a) & set(b) if a[k] != b[k])}
        if any(entry.values()):
            out[name] = entry
    return out


# ---------------------------------------------------------------- the summary

def _page_lines(pages: dict) -> list[str]:
    lines = []
    for name in pages["added"]:
        lines.append(f"- page **{name}** added")
    for name in pages["removed"]:
        lines.append(f"- page **{name}** removed")
    for name, page in pages["pages"].items():
        for key, (a, b) in page["moved"].items():
            lines.append(f"- **{name}** `{key}`: {shorten(a) if a is not None else '(none)'} → "
                         f"{shorten(b) if b is not None else '(none)'}")
        for key in page["figures"]:
            lines.append(f"- **{name}** figure `{key}`: its data changed")
        for key in page.get("displayed", []):
            lines.append(f"- **{name}** the table or text under “{key}” changed")
    return lines


def _data_lines(data: dict) -> list[str]:
    lines = []
    for name, t in data.items():
        if t.get("table"):
            lines.append(f"- table **{name}** {t['table']}")
        for k in t["added"]:
            lines.append(f"- **{name}** row `{k}` added")
        for k in t["removed"]:
            lines.append(f"- **{name}** row `{k}` removed")
        for k, cells in t["changed"].items():
            for col, (a, b) in cells.items():
                lines.append(f"- **{name}** row `{k}`, `{col}`: {shorten(a) or '(empty)'} → {shorten(b) or '(empty)'}")
    return lines


def _source_lines(sources: dict) -> list[str]:
    lines = [f"- source `{k}` added" for k in sources["added"]]
    lines += [f"- source `{k}` removed" for k in sources["removed"]]
    lines += [f"- source `{k}` changed: {', '.join(f)}" for k, f in sources["changed"].items()]
    return lines


def counts_line(diff: dict) -> str:
    d, s, p = diff["data"], diff["sources"], diff["pages"]
    rows = sum(len(t["added"]) + len(t["removed"]) + len(t["changed"]) for t in d.values())
    values = sum(len(x["moved"]) for x in p["pages"].values())
    figures = sum(len(x["figures"]) for x in p["pages"].values())
    shown = sum(len(x.get("displayed", [])) for x in p["pages"].values())
    srcs = len(s["added"]) + len(s["removed"]) + len(s["changed"])
    return (f"{rows} row(s) added, removed or changed in {len(d)} table(s); {srcs} source entr"
            f"{'y' if srcs == 1 else 'ies'}; {values} value(s) readers see moved on "
            f"{len(p['pages'])} page(s), {figures} figure(s) with changed data, {shown} table(s) or text(s) changed; "
            f"{len(p['added'])} page(s) added, {len(p['removed'])} removed.")


def summary(diff: dict) -> str:
    """The summary in Markdown: the counts, then what readers see, then the data."""
    head = [f"## What this change does to the book (against {diff['base']})", "", counts_line(diff), ""]
    seen = _page_lines(diff["pages"])
    if not seen:
        head.append("**Nothing a reader sees moved**: no glued number or sentence, no figure's data, "
                    "no table shown, no page changed.")
    sections = []
    if seen:
        sections += ["### What readers see", *seen, ""]
    data = _data_lines(diff["data"]) + _source_lines(diff["sources"])
    if data:
        sections += ["### Data", *data, ""]
    if len(sections) <= SUMMARY_LINES:
        return "\n".join(head + [""] + sections).rstrip() + "\n"
    shown = sections[:SUMMARY_LINES]
    return "\n".join(head + [""] + shown + ["", "<details><summary>The full list</summary>", "",
                                            *sections, "", "</details>"]).rstrip() + "\n"


# ---------------------------------------------------------------- running a base

def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def default_base(root: Path) -> str:
    """The merge base with main; HEAD~1 when on main (or when main is not known)."""
    try:
        branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD")
        if branch != "main":
            for ref in ("origin/main", "main"):
                try:
                    return _git(root, "merge-base", "HEAD", ref)
                except subprocess.CalledProcessError:
                    continue
    except subprocess.CalledProcessError:
        pass
    return "HEAD~1"


def export_revision(root: Path, revision: str, dest: Path) -> None:
    """The revision's files (``git archive``) in ``dest``."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", revision], cwd=root, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")


def seed(base: Project, head: Project) -> None:
    """Give the base this copy's executed notebooks and run stamps: the runner reuses those whose
    fingerprint (notebook, parameters, data, code, lock) is the same in the base."""
    src, dst = head.root / "book" / "chapters", base.root / "book" / "chapters"
    if src.is_dir() and not dst.exists():
        shutil.copytree(src, dst)
    if head.run_stamps_dir.is_dir() and not base.run_stamps_dir.exists():
        shutil.copytree(head.run_stamps_dir, base.run_stamps_dir)


def run_quietly(project: Project) -> None:
    """Run the project's notebooks with its own code (the kernels import the package from it)."""
    from .run import run_all

    saved = dict(os.environ)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project.root), saved.get("PYTHONPATH", "")]))
    try:
        run_all(project)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def compare(base: Project, head: Project, label: str) -> dict:
    from .record import book_record

    seed(base, head)
    run_quietly(head)
    run_quietly(base)
    return {"base": label, "data": data_diff(base, head), "sources": sources_diff(base, head),
            "pages": record_diff(book_record(base), book_record(head))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--base", help="a git revision (default: the merge base with main; HEAD~1 on main)")
    group.add_argument("--base-dir", type=Path, help="a folder holding the base copy of the project")
    args = parser.parse_args(argv)
    from .run import RunFailed

    head = Project.find()
    out = head.build_dir / "diff"
    if args.base_dir:
        base, label = Project(args.base_dir.resolve()), str(args.base_dir)
    else:
        revision = args.base or default_base(head.root)
        try:
            label = f"{revision} ({_git(head.root, 'rev-parse', '--short', revision)})"
            export_revision(head.root, revision, out / "base")
        except subprocess.CalledProcessError as exc:
            print(f"diff: cannot read revision {revision!r}: {(exc.stderr or b'').strip() if isinstance(exc.stderr, bytes) else exc.stderr}",
                  file=sys.stderr)
            return 2
        base = Project(out / "base")
    try:
        diff = compare(base, head, label)
    except RunFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    (out / "diff.json").write_text(json.dumps(diff, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    text = summary(diff)
    (out / "summary.md").write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())

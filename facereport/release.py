"""Prepare a release: ``make release VERSION=x.y.z`` (``python -m facereport.release x.y.z``).

1. checks that x.y.z is a version (facereport.version says what its parts mean) above the current;
2. writes it into CITATION.cff (with today's date) and data/datapackage.json, the two files that
   carry it (the validator stops a build where they disagree);
3. writes what changed since the previous release (the newest tag ``v*``) at the top of
   CHANGELOG.md, which the book's "What changed" page shows: per table the rows added, changed and
   removed, the sources, and the pages added or removed, compared with the tag's files (the same
   comparison as ``make diff``, without running its notebooks). A first release, with no earlier
   tag, lists what the record holds.

It changes files only. Then commit, tag and push, and the release workflow
(.github/workflows/release.yml) builds the assets of the tag:

    git commit -am "Release x.y.z" && git tag -a vx.y.z -m "Version x.y.z" && git push --follow-tags
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from .diff import data_diff, export_revision, sources_diff
from .paths import Project
from .runs import load_plan
from .version import parse, version

CHANGELOG = "CHANGELOG.md"
# the book's "What changed" page includes what follows the marker (book/changes.md)
HEADER = ("# Changelog\n\nEvery release of the report, newest first: what changed in its data and pages since the "
          "release before. Version numbers: facereport/version.py says what a patch, minor and major release "
          "mean.\n\n<!-- releases -->\n")


def previous_tag(root: Path) -> str | None:
    """The newest release tag (``vX.Y.Z``, by version order), or None."""
    out = subprocess.run(["git", "tag", "--list", "v*"], cwd=root, capture_output=True, text=True).stdout.split()
    tags = [t for t in out if re.fullmatch(r"v\d+\.\d+\.\d+", t)]
    return max(tags, key=lambda t: parse(t[1:])) if tags else None


def _count_rows(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def _pages(project: Project) -> dict[str, str]:
    return {run.name: run.title or run.name for run in load_plan(project).runs}


def contents_lines(project: Project) -> list[str]:
    """What the record holds: rows per table, sources, pages."""
    from .data import descriptor, sources
    from .validate import tables

    lines = [f"- **{res['name']}**: {_count_rows(project.data_dir / res['path'])} rows"
             for res in tables(descriptor(project))]
    lines.append(f"- **sources**: {len(sources(project))} entries in the registry")
    lines.append(f"- **pages**: {len(_pages(project))} generated from notebooks/runs.yml, besides the landing, "
                 "method, changes and bibliography pages")
    return lines


def change_lines(base: Project, head: Project) -> list[str]:
    """Per table, rows added, changed and removed; sources; pages added and removed."""
    lines = []
    for name, t in data_diff(base, head).items():
        what = t.get("table", "")
        counts = ", ".join(f"{len(t[k])} {k}" for k in ("added", "changed", "removed") if t[k])
        lines.append(f"- **{name}**: {'table ' + what + '; ' if what else ''}{counts or 'no row changed'}")
    s = sources_diff(base, head)
    if s["added"] or s["changed"] or s["removed"]:
        lines.append(f"- **sources**: {len(s['added'])} added, {len(s['changed'])} changed, {len(s['removed'])} removed")
    before, after = _pages(base), _pages(head)
    added = [after[n] for n in after if n not in before]
    removed = [before[n] for n in before if n not in after]
    if added:
        lines.append(f"- **pages added** ({len(added)}): {', '.join(added)}")
    if removed:
        lines.append(f"- **pages removed** ({len(removed)}): {', '.join(removed)}")
    return lines or ["- nothing in the data or the pages changed"]


def section(project: Project, new: str, today: dt.date, tag: str | None, base: Project | None) -> str:
    head = f"## {new} ({today.isoformat()})\n\n"
    if base is None:
        return head + "The first numbered release. The record holds:\n\n" + "\n".join(contents_lines(project)) + "\n"
    return head + f"Since {tag}:\n\n" + "\n".join(change_lines(base, project)) + "\n"


def write_changelog(project: Project, text: str) -> None:
    """The new section first, under the header; earlier sections kept as they are."""
    path = project.root / CHANGELOG
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    body = (old[len(HEADER):] if old.startswith(HEADER) else old).strip("\n")
    path.write_text(HEADER + "\n" + text + ("\n" + body + "\n" if body else ""), encoding="utf-8")


def set_version(project: Project, new: str, today: dt.date) -> None:
    """CITATION.cff (version, date-released) and datapackage.json (version), nothing else touched."""
    cff = project.root / "CITATION.cff"
    text = cff.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^version: .*$', f'version: "{new}"', text, count=1)
    text = re.sub(r'(?m)^date-released: .*$', f'date-released: "{today.isoformat()}"', text, count=1)
    cff.write_text(text, encoding="utf-8")
    desc = json.loads(project.datapackage.read_text(encoding="utf-8"))
    desc["version"] = new
    project.datapackage.write_text(json.dumps(desc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def release(project: Project, new: str, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    current = version(project)
    if parse(new) <= parse(current):
        raise ValueError(f"version {new} is not above the current {current} (CITATION.cff)")
    tag = previous_tag(project.root)
    if tag == f"v{new}":
        raise ValueError(f"tag v{new} exists already")
    with tempfile.TemporaryDirectory(prefix="fr-release-") as tmp:
        base = None
        if tag:
            export_revision(project.root, tag, Path(tmp) / "base")
            base = Project(Path(tmp) / "base")
        text = section(project, new, today, tag, base)
    set_version(project, new, today)
    write_changelog(project, text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare a release: version, CHANGELOG.md.")
    parser.add_argument("version", help="the new version, major.minor.patch (facereport/version.py)")
    args = parser.parse_args(argv)
    project = Project.find()
    try:
        text = release(project, args.version)
    except ValueError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 2
    print(text)
    print(f"release: version {args.version} written to CITATION.cff and data/datapackage.json; "
          f"{CHANGELOG} updated. Next:\n  git commit -am \"Release {args.version}\" && "
          f"git tag -a v{args.version} -m \"Version {args.version}\" && git push --follow-tags")
    return 0


if __name__ == "__main__":
    sys.exit(main())

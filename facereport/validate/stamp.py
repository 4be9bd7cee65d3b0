"""Validation once per state of the data: ``make book`` with nothing changed should not spend
seconds proving again what it proved a minute ago.

The stamp (``_build/validated.json``) records the digest of every file of ``data/``, of the
validator's own code, and the day (some rules compare dates with today). A build validates in full
whenever any of them differs, and writes the stamp only after a validation found no problem; a
failing validation never leaves a stamp behind."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path

from ..paths import Project
from .package import Summary, validate
from .problems import Problem

STAMP = "validated.json"


def state(project: Project, today: dt.date | None = None) -> str:
    h = hashlib.sha256((today or dt.date.today()).isoformat().encode())
    for folder, root in ((project.data_dir, project.data_dir), (Path(__file__).parent, Path(__file__).parent)):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"):
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def validate_once(project: Project) -> tuple[Summary, list[Problem], bool]:
    """(summary, problems, reused): the last validation's summary when nothing it read changed."""
    stamp = project.build_dir / STAMP
    now = state(project)
    try:
        kept = json.loads(stamp.read_text(encoding="utf-8"))
        if kept.get("state") == now:
            return Summary(**kept["summary"]), [], True
    except (OSError, ValueError, TypeError, KeyError):
        pass
    stamp.unlink(missing_ok=True)
    summary, problems = validate(project)
    if not problems:
        project.build_dir.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps({"state": now, "summary": dataclasses.asdict(summary)}) + "\n", encoding="utf-8")
    return summary, problems, False

"""Render the executed notebooks and the hand-written pages into HTML with Jupyter Book 1.x, then
publish them to ``_build/html`` only once everything has succeeded.

Jupyter Book builds into ``_build/stage`` (kept between builds, so Sphinx re-reads only what
changed). ``publish`` swaps the staged HTML into ``_build/html`` by renaming folders, so a failed
build, or a failed check, leaves the last good book where it was.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .paths import Project
from .run import ANSI, SOURCE_DATE_EPOCH


class RenderFailed(Exception):
    pass


def staged_html(project: Project) -> Path:
    return project.stage_dir / "_build" / "html"


def _static_digest(project: Project) -> str:
    """SHA-256 of the book's own static files (CSS and the like)."""
    h = hashlib.sha256()
    for path in sorted((project.root / "book" / "_static").rglob("*")):
        if path.is_file():
            h.update(path.relative_to(project.root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def render(project: Project, all_pages: bool = False) -> Path:
    """Build the book into the staging folder, warnings as errors. Returns the staged HTML folder."""
    # Sphinx copies static files only when some page is out of date, so a change to a stylesheet
    # alone would never reach the book: rebuild every page when they changed.
    digest_file = project.stage_dir / "static.sha256"
    digest = _static_digest(project)
    if not digest_file.exists() or digest_file.read_text() != digest:
        all_pages = True
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(project.root),
           "--path-output", str(project.stage_dir), "--builder", "html",
           "-W", "-n", "--keep-going"]
    if all_pages:
        cmd.append("--all")
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONHASHSEED": "0"}
    proc = subprocess.run(cmd, cwd=project.root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        # Sphinx re-reads only changed pages: forget what it read, or the next build would not
        # see the warnings of pages that did not change, and pass.
        shutil.rmtree(project.stage_dir / "_build" / ".doctrees", ignore_errors=True)
        output = ANSI.sub("", proc.stdout + proc.stderr)
        lines = [l for l in output.splitlines()
                 if "WARNING" in l or "ERROR" in l or "Error" in l or "Exception" in l]
        tail = "\n".join(lines[-40:]) or "\n".join(output.splitlines()[-40:])
        digest_file.unlink(missing_ok=True)
        raise RenderFailed(f"render: jupyter-book build failed (exit {proc.returncode}):\n{tail}\n"
                           f"The last good book in {project.rel(project.html_dir)} is unchanged.")
    digest_file.write_text(digest)
    return staged_html(project)


def publish(project: Project, staged: Path, target: Path | None = None) -> Path:
    """Replace ``target`` (default ``_build/html``) with a copy of ``staged``, by two renames."""
    target = target or project.html_dir
    new = target.with_name(target.name + ".new")
    old = target.with_name(target.name + ".old")
    for leftover in (new, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(staged, new)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
    return target

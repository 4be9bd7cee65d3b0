"""Render the executed notebooks and the hand-written pages into HTML with Jupyter Book 1.x, then
publish them to ``_build/html`` only once everything has succeeded.

Jupyter Book builds into ``_build/stage`` (kept between builds, so Sphinx re-reads only what
changed). ``publish`` swaps the staged HTML into ``_build/html`` by renaming folders, so a failed
build, or a failed check, leaves the last good book where it was.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .paths import Project
from .run import SOURCE_DATE_EPOCH


class RenderFailed(Exception):
    pass


def staged_html(project: Project) -> Path:
    return project.stage_dir / "_build" / "html"


def render(project: Project, all_pages: bool = False) -> Path:
    """Build the book into the staging folder, warnings as errors. Returns the staged HTML folder."""
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
        lines = [l for l in (proc.stdout + proc.stderr).splitlines()
                 if "WARNING" in l or "ERROR" in l or "Error" in l or "Exception" in l]
        tail = "\n".join(lines[-40:]) or "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise RenderFailed(f"render: jupyter-book build failed (exit {proc.returncode}):\n{tail}\n"
                           f"The last good book in {project.rel(project.html_dir)} is unchanged.")
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

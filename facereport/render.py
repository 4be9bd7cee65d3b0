"""Render the executed notebooks and the hand-written pages into HTML with Jupyter Book 1.x, then
publish them to ``_build/html`` only once everything has succeeded.

Every render starts from an empty staging folder, ``_build/stage``. Sphinx's incremental builds
keep what earlier builds wrote: images of figures that are gone, words of removed rows in the
search index, asset links that differ from a clean build. A book that holds only what this build
produced is worth the seconds. ``publish`` then swaps the staged HTML into ``_build/html`` by
renaming folders, so a failed build, or a failed check, leaves the last good book where it was.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .paths import Project
from .run import ANSI, SOURCE_DATE_EPOCH


class RenderFailed(Exception):
    pass


RENDER_INPUTS = ("_config.yml", "_toc.yml", "requirements.lock", "_build/changes.json", "CHANGELOG.md", "CITATION.cff")
RENDER_FOLDERS = ("book", "data", "facereport")   # pages and executed notebooks; the data the
                                                   # dictionary and bibliography read; the extension


def render_fingerprint(project: Project) -> str:
    """SHA-256 of everything the render reads. When it matches the published book's, the build
    does not start jupyter-book at all."""
    h = hashlib.sha256()
    files = [project.root / name for name in RENDER_INPUTS]
    for folder in RENDER_FOLDERS:
        files += sorted(p for p in (project.root / folder).rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts)
    for path in files:
        if path.is_file():
            h.update(project.rel(path).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _stamp(project: Project) -> Path:
    return project.build_dir / "published.json"


def unchanged_since_published(project: Project, target: Path, fingerprint: str) -> bool:
    """True if ``target`` holds a book published from exactly these inputs."""
    stamp = _stamp(project)
    if not (target / "index.html").is_file() or not stamp.is_file():
        return False
    return json.loads(stamp.read_text()).get(str(target)) == fingerprint


def record_published(project: Project, target: Path, fingerprint: str) -> None:
    stamp = _stamp(project)
    known = json.loads(stamp.read_text()) if stamp.is_file() else {}
    known[str(target)] = fingerprint
    stamp.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")


def staged_html(project: Project) -> Path:
    return project.stage_dir / "_build" / "html"


def render(project: Project) -> Path:
    """Build the book afresh into the staging folder, warnings as errors. Returns the staged HTML."""
    shutil.rmtree(project.stage_dir, ignore_errors=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(project.root),
           "--path-output", str(project.stage_dir), "--builder", "html",
           "-W", "-n", "--keep-going"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONHASHSEED": "0"}
    proc = subprocess.run(cmd, cwd=project.root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        output = ANSI.sub("", proc.stdout + proc.stderr)
        lines = [l for l in output.splitlines()
                 if "WARNING" in l or "ERROR" in l or "Error" in l or "Exception" in l]
        tail = "\n".join(lines[-40:]) or "\n".join(output.splitlines()[-40:])
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

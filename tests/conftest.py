"""Shared fixtures. Tests that change files work on a copy of the project in a temporary folder,
never on the checkout itself."""
from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from facereport.paths import Project

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".venv", "_build", ".git", "chapters", "__pycache__", ".pytest_cache", "*.egg-info")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def copy(tmp_path) -> Project:
    """A fresh copy of the project (sources only), to break."""
    dest = tmp_path / "project"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    return Project(dest)


def cli(project: Project, module: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m facereport.<module>`` in ``project`` as a user would."""
    return subprocess.run([sys.executable, "-m", f"facereport.{module}", *args], cwd=project.root,
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=900)


def glued(notebook: Path) -> dict:
    """The values a notebook glued (myst_nb.glue), by name: numbers as numbers, text as text."""
    nb = nbformat.read(notebook, as_version=4)
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook", {})
            name = scrap.get("name")
            if not name:
                continue
            prefix = scrap.get("mime_prefix", "")
            data = {k[len(prefix):] if k.startswith(prefix) else k: v for k, v in out.get("data", {}).items()}
            if "text/markdown" in data:
                values[name] = data["text/markdown"]
            elif "text/plain" in data:
                text = data["text/plain"]
                try:  # as myst-nb reads it back: the repr of a number or a string
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


def tree_digest(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` with its size and mtime: enough to see that nothing changed."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def content_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its bytes: equal trees, equal digests."""
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}

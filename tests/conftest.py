"""Shared fixtures. Tests that change files work on a copy of the project in a temporary folder,
never on the checkout itself."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from facereport.paths import Project

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".venv", ".venv-lab", "_build", ".git", "chapters", "__pycache__", ".pytest_cache", "*.egg-info", "node_modules")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# ---- a real browser -------------------------------------------------------------------------------

# Debian's chromium here and in .ci/run; elsewhere (a GitHub runner's Chrome) set FACEREPORT_CHROMIUM.
CHROMIUM = Path(os.environ.get("FACEREPORT_CHROMIUM", "/usr/bin/chromium"))


def need_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium, or set FACEREPORT_CHROMIUM")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


def serve(folder: Path):
    """A local web server on ``folder``: (base URL, the server, to shut down)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd


def open_page(browser, url: str, width: int = 1280):
    """Open ``url`` at ``width`` px; returns the page, the response and what the browser saw
    (console errors, page errors, requests, failed requests, dialogs, which are dismissed)."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    seen = {"console": [], "errors": [], "requests": [], "failed": [], "dialogs": []}
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    response = page.goto(url, wait_until="load")
    page.wait_for_timeout(300)   # let late handlers (a planted broken image's onerror) fire
    return page, response, seen


@pytest.fixture(scope="session")
def browser():
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def executed_copy(tmp_path_factory):
    """One copy of the project with every run executed (two at a time), shared by the tests that
    need executed notebooks; they change copies of it (copy_with_runs), never it."""
    from facereport.run import run_all

    dest = tmp_path_factory.mktemp("executed") / "project"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    project = Project(dest)
    return project, run_all(project, jobs=2)


def _keep_runs(folder, names):
    if folder.endswith("_build"):
        return [n for n in names if n != "runs"]
    return [n for n in names if n in {".venv", ".venv-lab", ".git", "__pycache__", ".pytest_cache", "node_modules"}
            or n.endswith(".egg-info")]


def copy_with_runs(project: Project, dest: Path) -> Project:
    """A copy of ``project`` with its executed notebooks and run stamps (so unchanged runs are reused)."""
    shutil.copytree(project.root, dest, ignore=_keep_runs)
    return Project(dest)


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
    from facereport.record import glued as read_glued

    return read_glued(notebook)


def tree_digest(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` with its size and mtime: enough to see that nothing changed."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def content_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its bytes: equal trees, equal digests."""
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- tables, for the strands' bad-input tests ---------------------------------------------------

def read_rows(project: Project, path: str) -> list[dict]:
    """A table of ``project`` as dicts, one per row."""
    import csv

    with open(project.root / path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(project: Project, path: str, rows: list[dict]) -> None:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (project.root / path).write_text(buf.getvalue(), encoding="utf-8")


def drop_readings(project: Project, table: str) -> None:
    """Remove data/checks.csv's readings of ``table``: for a test that replaces the table's rows,
    whose readings would otherwise name rows that are gone."""
    write_rows(project, "data/checks.csv", [r for r in read_rows(project, "data/checks.csv") if r["table"] != table])


def change_row(project: Project, path: str, row_id: str, **cells) -> int:
    """Set cells of the row whose first column is ``row_id``; returns the file line it is on."""
    rows = read_rows(project, path)
    key = list(rows[0])[0]
    i = next(i for i, r in enumerate(rows) if r[key] == row_id)
    rows[i].update(cells)
    write_rows(project, path, rows)
    return i + 2


def assert_problem(project: Project, path: str, line: int, column: str, *words, today=None) -> None:
    """Validation reports a problem at this file, line and column that says each of ``words``."""
    from facereport.validate import validate

    _, problems = validate(project, today=today)
    hits = [p for p in problems if p.path == path and p.line == line and p.column == column]
    assert hits, f"nothing at {path}:{line} column {column!r}; got {[str(p) for p in problems][:10]}"
    for word in words:
        assert word in str(hits[0]), (word, str(hits[0]))


@contextlib.contextmanager
def planted(project: Project, cases):
    """Set each case's cell, ``(kind, file, row id, column, value, ...)``, for the length of the
    ``with``; yields the file line of each case's row. The files are put back byte for byte."""
    paths = {case[1] for case in cases}
    originals = {path: (project.root / path).read_bytes() for path in paths}
    try:
        lines = [change_row(project, path, row, **{column: value}) for _, path, row, column, value, *_ in cases]
        yield lines
    finally:
        for path, data in originals.items():
            (project.root / path).write_bytes(data)

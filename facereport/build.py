"""The whole pipeline, in order; any failing step stops it and leaves the last good book in place.

    validate  ->  toc  ->  run  ->  render (to _build/stage)  ->  check  ->  publish (_build/html)

``make book`` is ``python -m facereport.build``. To rerun a chapter with your own parameters and
render it as a book of its own without touching ``_build/html``:

    python -m facereport.build --params rollout=my-params.yaml --html _build/custom
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

from .check import check_html
from .paths import Project
from .render import RenderFailed, publish, record_published, render, render_fingerprint, unchanged_since_published
from .run import RunFailed, run_all
from .runs import RunListError
from .toc import toc_pages, write
from .validate import report_lines, validate


def _read_overrides(specs: list[str]) -> dict[str, dict]:
    overrides: dict[str, dict] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep:
            raise SystemExit(f"build: --params takes RUN=FILE.yaml, got {spec!r}")
        params = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        if not isinstance(params, dict):
            raise SystemExit(f"build: {path} must hold a mapping of parameter names to values")
        overrides.setdefault(name, {}).update(params)
    return overrides


def build(project: Project, overrides: dict[str, dict] | None = None, html: Path | None = None) -> int:
    t0 = time.perf_counter()
    step = lambda name: print(f"build: {name} ({time.perf_counter() - t0:.1f} s)", flush=True)

    step("validate")
    summary, problems = validate(project)
    if problems:
        for line in report_lines(problems):
            print(line, file=sys.stderr)
        print(f"build: stopped: {len(problems)} data problem(s); nothing was run or rendered.", file=sys.stderr)
        return 1
    try:
        step("toc")
        if write(project):
            print("build: _toc.yml rewritten from notebooks/runs.yml")
        step("run")
        run_all(project, overrides=overrides)
        target = html or project.html_dir
        inputs = render_fingerprint(project)
        if unchanged_since_published(project, target, inputs):
            step(f"nothing the book reads has changed; {project.rel(target)} is up to date")
            return 0
        step("render")
        staged = render(project)
    except (RunFailed, RenderFailed, RunListError) as exc:
        print(exc, file=sys.stderr)
        print("build: stopped; the last good book is unchanged.", file=sys.stderr)
        return 1
    step("check")
    problems = check_html(staged, toc_pages(project))
    if problems:
        for p in problems:
            print(f"check: {p}", file=sys.stderr)
        print("build: stopped: the staged book failed its checks; the last good book is unchanged.", file=sys.stderr)
        return 1
    target = publish(project, staged, html)
    record_published(project, target, inputs)
    step(f"published {project.rel(target)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--params", action="append", default=[], metavar="RUN=FILE.yaml",
                        help="parameters for a run, overriding notebooks/runs.yml (repeatable)")
    parser.add_argument("--html", type=Path, help="publish here instead of _build/html")
    args = parser.parse_args(argv)
    project = Project.find()
    html = args.html.resolve() if args.html else None
    return build(project, _read_overrides(args.params), html)


if __name__ == "__main__":
    sys.exit(main())

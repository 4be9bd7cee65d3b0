"""The whole pipeline, in order; any failing step stops it and leaves the last good book in place.

    validate  ->  toc  ->  run  ->  render (to _build/stage)  ->  check  ->  publish (_build/html)

``make book`` is ``python -m facereport.build``. To rerun a chapter with your own parameters and
render it as a book of its own without touching ``_build/html``:

    python -m facereport.build --params rollout=my-params.yaml --html _build/custom
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import yaml

from . import changes, record
from .check import check_html
from .custombook import CUSTOM_FILE
from .paths import Project
from .render import RenderFailed, publish, record_published, render, render_fingerprint, unchanged_since_published
from .run import RunFailed, run_all
from .runs import RunListError, load_plan
from .toc import toc_pages, write
from .validate import BAD_DATA_EXIT, report_lines
from .validate.stamp import validate_once


def _read_overrides(project: Project, specs: list[str]) -> dict[str, dict]:
    """RUN=FILE.yaml pairs, read and checked: a run of notebooks/runs.yml, a YAML mapping."""
    from .params import ParameterError

    plan = load_plan(project)
    names = [r.name for r in plan.runs]
    overrides: dict[str, dict] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise ParameterError(f"--params takes RUN=FILE.yaml, got {spec!r}")
        if name not in names:
            raise ParameterError(f"no run named {name!r} in notebooks/runs.yml; runs: {', '.join(names)}")
        try:
            params = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ParameterError(f"{path}: no such file") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise ParameterError(f"{path}: not valid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
        if not isinstance(params, dict):
            raise ParameterError(f"{path}: must hold a mapping of parameter names to values, found {type(params).__name__}")
        overrides.setdefault(name, {}).update(params)
    return overrides


# Not sources: environments (.venv, .venv-lab with its lib64 link, 1.6 GB between them), npm's
# test tools, build output, caches, and a previous workspace's note.
WORKSPACE_SKIP = ("_build", ".venv*", "node_modules", ".git", ".pytest_cache", "__pycache__", "*.egg-info",
                  "chapters", ".ipynb_checkpoints", CUSTOM_FILE)


def workspace(project: Project, html: Path) -> Project:
    """A copy of the project's sources for a book of one's own (``make chapter``), so that its
    executed notebooks and run stamps never touch the main book's. It starts from the main book's
    executed notebooks and stamps, so the runs whose inputs are the same are reused."""
    dest = project.build_dir / f"{html.name}-src"
    shutil.rmtree(dest, ignore_errors=True)
    # an output folder inside the project (OUT=my-book) is not a source either
    shutil.copytree(project.root, dest, ignore=shutil.ignore_patterns(*WORKSPACE_SKIP, html.name), symlinks=True)
    copy = Project(dest)
    if project.chapters_dir.is_dir():
        shutil.copytree(project.chapters_dir, copy.chapters_dir)
    if project.run_stamps_dir.is_dir():
        shutil.copytree(project.run_stamps_dir, copy.run_stamps_dir)
    return copy


def note_custom_runs(work: Project, project: Project, overrides: dict[str, dict], html: Path) -> None:
    """Tell the custom book's pages (facereport.custombook) which runs have whose parameters, and
    where the published chapter is, so that every page says it is a custom selection."""
    import json

    plan = load_plan(project)
    published = {}
    for name in overrides:
        page = project.html_dir / plan.run(name).page(project)
        page = page.with_suffix(".html")
        published[name] = page.as_uri() if page.is_file() else ""
    (work.root / CUSTOM_FILE).write_text(json.dumps({"runs": overrides, "published": published, "html": str(html)},
                                                    indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def build(project: Project, overrides: dict[str, dict] | None = None, html: Path | None = None) -> int:
    t0 = time.perf_counter()
    step = lambda name: print(f"build: {name} ({time.perf_counter() - t0:.1f} s)", flush=True)

    step("validate")
    summary, problems, reused = validate_once(project)
    if reused:
        print("build: data/ unchanged since its last validation")
    if problems:
        for line in report_lines(problems):
            print(line, file=sys.stderr)
        print(f"build: stopped: {len(problems)} data problem(s); nothing was run or rendered.", file=sys.stderr)
        return BAD_DATA_EXIT
    try:
        step("toc")
        if write(project):
            print("build: _toc.yml rewritten from notebooks/runs.yml")
        step("run")
        run_all(project, overrides=overrides)
        changes.update(project)
        target = html or project.html_dir
        inputs = render_fingerprint(project)
        if unchanged_since_published(project, target, inputs):
            step(f"nothing the book reads has changed; {project.rel(target)} is up to date")
            return 0
        step("render")
        staged = render(project)
        # what the book states, published with it for a later build to compare against
        record.write(project, staged)
        shutil.copy2(project.build_dir / changes.HISTORY, staged / changes.HISTORY)
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
    for name in overrides or {}:
        write_standalone(project, name, target)
    return 0


def write_standalone(project: Project, name: str, target: Path) -> list[Path]:
    """A custom run as one file to send, beside its book: <book>-<run>.html (nbconvert's HTML,
    images embedded) and .pdf (printed by Chromium; skipped, with a note, where there is none)."""
    from . import standalone
    from .data import sources

    run = load_plan(project).run(name)
    dest = target.parent / f"{target.name}-{name}"
    title = run.title or name
    try:
        made = standalone.export(run.output(project), dest, sources(project), title, pdf=standalone.CHROMIUM.exists())
    except Exception as exc:   # the book is published; the extra file is a convenience
        print(f"build: the single-file copy of {name} was not written: {exc}", file=sys.stderr)
        return []
    for path in made:
        print(f"build: {name} as one file: {path}")
    if not standalone.CHROMIUM.exists():
        print(f"build: no PDF of {name}: {standalone.CHROMIUM} is missing (apt-get install chromium)")
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--params", action="append", default=[], metavar="RUN=FILE.yaml",
                        help="parameters for a run, overriding notebooks/runs.yml (repeatable)")
    parser.add_argument("--html", type=Path, help="publish here instead of _build/html")
    args = parser.parse_args(argv)
    from .params import ParameterError

    project = Project.find()
    html = args.html.resolve() if args.html else None
    try:
        overrides = _read_overrides(project, args.params)
        if html is not None and html != project.html_dir.resolve():
            # a book of one's own is built in a copy, publishing to html; the main book's
            # executed notebooks and stamps stay as they are
            import os

            work = workspace(project, html)
            note_custom_runs(work, project, overrides, html)
            # messages name files as the caller sees them, not inside the workspace copy
            os.environ["FACEREPORT_CALLER_CWD"] = os.getcwd()
            os.chdir(work.root)
            return build(work, overrides, html)
        return build(project, overrides, html)
    except ParameterError as exc:
        print(f"build: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""The run list, ``notebooks/runs.yml``: which notebook runs with which parameters, what data it
reads, and which page of the book it becomes.

The runner, the table of contents, the tests and CI all read it through this module, so adding
a strand, or a page per parameter set, is one entry there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .paths import Project


class RunListError(ValueError):
    pass


@dataclass(frozen=True)
class Run:
    name: str                    # the page's file name: book/chapters/<name>.ipynb
    notebook: Path               # the source notebook, relative to the root
    reads: tuple[str, ...]       # table names in data/datapackage.json
    parameters: dict = field(default_factory=dict, hash=False)
    title: str | None = None     # overrides the notebook's first heading in the contents

    def output(self, project: Project) -> Path:
        return project.chapters_dir / f"{self.name}.ipynb"

    def page(self, project: Project) -> str:
        """The page as _toc.yml names it (no suffix)."""
        return project.rel(project.chapters_dir / self.name)


@dataclass(frozen=True)
class BookPlan:
    root: str
    parts: list[dict]   # [{"caption": str, "entries": [Run | str]}]

    @property
    def runs(self) -> list[Run]:
        return [e for part in self.parts for e in part["entries"] if isinstance(e, Run)]

    def run(self, name: str) -> Run:
        for r in self.runs:
            if r.name == name:
                return r
        raise RunListError(f"notebooks/runs.yml has no run named {name!r}; runs: {', '.join(r.name for r in self.runs)}")


def load_plan(project: Project) -> BookPlan:
    where = project.rel(project.runs_file)
    raw = yaml.safe_load(project.runs_file.read_text(encoding="utf-8")) or {}
    if "root" not in raw or "parts" not in raw:
        raise RunListError(f"{where}: needs 'root' (the first page) and 'parts'")
    parts, names = [], set()
    for i, part in enumerate(raw["parts"]):
        entries = []
        for j, entry in enumerate(part.get("chapters", [])):
            at = f"{where}: parts[{i}].chapters[{j}]"
            if "file" in entry:
                if not any((project.root / f"{entry['file']}{s}").is_file() for s in (".md", ".ipynb")):
                    raise RunListError(f"{at}: no page {entry['file']}.md")
                entries.append(entry["file"])
                continue
            unknown = set(entry) - {"run", "notebook", "reads", "parameters", "title"}
            if unknown or "run" not in entry or "notebook" not in entry:
                raise RunListError(f"{at}: a run needs 'run' and 'notebook' (and may have 'reads', "
                                   f"'parameters', 'title'); found {sorted(entry)}")
            if entry["run"] in names:
                raise RunListError(f"{at}: run name {entry['run']!r} is used twice")
            names.add(entry["run"])
            nb = Path(entry["notebook"])
            if not (project.root / nb).is_file():
                raise RunListError(f"{at}: notebook {nb} does not exist")
            entries.append(Run(entry["run"], nb, tuple(entry.get("reads") or ()),
                               dict(entry.get("parameters") or {}), entry.get("title")))
        parts.append({"caption": part.get("caption", ""), "entries": entries})
    return BookPlan(raw["root"], parts)

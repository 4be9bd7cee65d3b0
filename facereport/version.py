"""The report's version: one number for the book, its data and its citation.

``CITATION.cff`` holds it; ``data/datapackage.json`` repeats it (a Data Package names its own
version), and the build writes it into the landing page's citation, every page's footer and the
book's record (record.json). ``make release VERSION=x.y.z`` changes both files at once, and the
validator stops a build whose two files disagree.

What the numbers mean (major.minor.patch):

- **patch** (0.2.1): corrections only: a wrong date, figure, quote or sentence fixed; no row added.
- **minor** (0.3.0): the record grows: new rows, sources, pages or parameters, with the method
  unchanged, so earlier numbers remain comparable.
- **major** (1.0.0): a new strand or a change of method (a coding scheme, what counts as an
  event), after which counts are not comparable with the previous major version.
"""
from __future__ import annotations

import re

import yaml

from .paths import Project

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def citation(project: Project) -> dict:
    return yaml.safe_load((project.root / "CITATION.cff").read_text(encoding="utf-8"))


def version(project: Project) -> str:
    """The report's version, as CITATION.cff gives it."""
    return str(citation(project)["version"])


def parse(text: str) -> tuple[int, int, int]:
    m = SEMVER.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a version of the form major.minor.patch, e.g. 0.2.0")
    return tuple(int(g) for g in m.groups())

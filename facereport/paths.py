"""Where things are. Every other module asks a :class:`Project` rather than building paths.

The root is found from the working directory (not from this file), so the same installed
package can build a copy of the project elsewhere: the tests rely on that.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MARKER = Path("data") / "datapackage.json"


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds ``data/datapackage.json``."""
    env = os.environ.get("FACEREPORT_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    raise FileNotFoundError(
        f"no {MARKER} found in {here} or any folder above it; run from the project folder"
    )


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> "Project":
        return cls(find_root(start))

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, as messages show it."""
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # inputs
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def datapackage(self) -> Path:
        return self.root / MARKER

    @property
    def runs_file(self) -> Path:
        return self.root / "notebooks" / "runs.yml"

    @property
    def package_dir(self) -> Path:
        return Path(__file__).resolve().parent

    @property
    def lock_file(self) -> Path:
        return self.root / "requirements.lock"

    @property
    def toc_file(self) -> Path:
        return self.root / "_toc.yml"

    # outputs: build artefacts, all git-ignored
    @property
    def chapters_dir(self) -> Path:
        """Executed notebooks, the pages jupyter-book renders."""
        return self.root / "book" / "chapters"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def run_stamps_dir(self) -> Path:
        """One JSON per run: the fingerprint of the inputs it was executed from."""
        return self.build_dir / "runs"

    @property
    def stage_dir(self) -> Path:
        """Where jupyter-book builds; copied to ``html_dir`` only after every check passes."""
        return self.build_dir / "stage"

    @property
    def html_dir(self) -> Path:
        return self.build_dir / "html"

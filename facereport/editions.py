"""The editions of a built book, as a release attaches them (``make editions``): zips named after
the version, in ``_build/editions/``.

- ``facereport-<v>-html.zip``: the HTML book (_build/html), to read offline or archive; its
  ``data/`` folder holds the Data Package at the same addresses as the site;
- ``facereport-<v>-data.zip``: the Data Package alone, laid out as in the repository, so that
  ``frictionless validate datapackage.json`` works in the unpacked folder;
- ``facereport-<v>-notebooks.zip``: the executed notebooks of every page (book/chapters).

Entries carry a fixed time (SOURCE_DATE_EPOCH) and are written in name order, so the same book
gives the same bytes."""
from __future__ import annotations

import sys
import time
import zipfile
from pathlib import Path

from .paths import Project
from .run import SOURCE_DATE_EPOCH
from .data import package_files
from .version import version

FIXED = tuple(time.gmtime(int(SOURCE_DATE_EPOCH))[:6])


def _zip(dest: Path, files: list[tuple[Path, str]]) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path, name in sorted(files, key=lambda f: f[1]):
            info = zipfile.ZipInfo(name, FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, path.read_bytes())
    return dest


def make(project: Project) -> list[Path]:
    html = project.html_dir
    if not (html / "index.html").is_file():
        raise FileNotFoundError(f"{project.rel(html)} holds no book: run `make book` first")
    v = version(project)
    out = project.build_dir / "editions"
    stem = f"facereport-{v}"
    book = [(p, f"{stem}-html/{p.relative_to(html).as_posix()}") for p in html.rglob("*") if p.is_file()]
    data = [(project.data_dir / n, f"{stem}-data/{n}") for n in package_files(project)]
    notebooks = [(p, f"{stem}-notebooks/{p.name}") for p in project.chapters_dir.glob("*.ipynb")]
    return [_zip(out / f"{stem}-html.zip", book), _zip(out / f"{stem}-data.zip", data),
            _zip(out / f"{stem}-notebooks.zip", notebooks)]


def main(argv: list[str] | None = None) -> int:
    project = Project.find()
    try:
        made = make(project)
    except FileNotFoundError as exc:
        print(f"editions: {exc}", file=sys.stderr)
        return 1
    for path in made:
        print(f"editions: {project.rel(path)} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

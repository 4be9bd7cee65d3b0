"""What notebooks load data through: validated first, then typed.

    from facereport import data
    events = data.load("rollout_events")
    sources = data.sources()

A table that does not validate raises :class:`~facereport.validate.DataError` listing every
problem with its file, line and column. During a build, the runner declares which tables a run
reads (``reads:`` in notebooks/runs.yml); loading any other table fails, so that the runner's
cache key (which hashes exactly the declared tables) can never miss an input.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os

import pandas as pd

from .bib import Source, read_bib
from .paths import Project
from .validate import DataError, parse_partial_date, registry_path, tables, validate
from .validate.values import parse

DECLARED_ENV = "FACEREPORT_READS"
PANDAS_TYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def _project(project: Project | None) -> Project:
    return project or Project.find()


def descriptor(project: Project | None = None) -> dict:
    return json.loads(_project(project).datapackage.read_text(encoding="utf-8"))


def package_files(project: Project | None = None) -> list[str]:
    """The files of the Data Package, relative to data/: the descriptor and every resource, as the
    site (``<site>/data/``) and the data edition publish them."""
    return ["datapackage.json"] + [res["path"] for res in descriptor(project)["resources"]]


def resource(name: str, project: Project | None = None) -> dict:
    for res in tables(descriptor(project)):
        if res["name"] == name:
            return res
    raise KeyError(f"data/datapackage.json has no table named {name!r}")


def _check_declared(name: str) -> None:
    declared = os.environ.get(DECLARED_ENV)
    if declared is not None and name not in declared.split(","):
        raise PermissionError(
            f"this run reads table {name!r}, but notebooks/runs.yml does not declare it under "
            f"'reads:' (declared: {declared or 'none'}); add it there so that a change to it reruns "
            f"the notebook"
        )


def load(name: str, project: Project | None = None) -> pd.DataFrame:
    """One table, validated and typed by its Table Schema.

    Fields checked as ``partial-date`` gain three columns: ``<field>_start`` (first day covered),
    ``<field>_precision`` (year, month or day) and ``<field>_year``.
    """
    project = _project(project)
    _check_declared(name)
    # Runs of one template share a warm kernel and load the same tables: the same bytes of data/
    # validate and type the same, so the frame is kept by their digest (and the day, as dates in
    # the future are refused) and every caller gets its own copy.
    state = (str(project.root), dt.date.today().isoformat(), _data_digest(project))
    if _LOADED.get("state") != state:
        _LOADED.clear()   # other data: nothing kept is valid for it
        _LOADED["state"] = state
    if name not in _LOADED:
        _LOADED[name] = _load(name, project)
    return _LOADED[name].copy()


_LOADED: dict = {}   # "state": (root, day, digest of data/), then table name -> typed frame


def _data_digest(project: Project) -> str:
    """Every file of data/ (name and bytes): a table's validity can depend on any of them."""
    h = hashlib.sha256()
    for path in sorted(p for p in project.data_dir.rglob("*") if p.is_file()):
        h.update(path.relative_to(project.data_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _load(name: str, project: Project) -> pd.DataFrame:
    _, problems = validate(project, only=[name])
    if problems:
        raise DataError(problems)
    res = resource(name, project)
    frame = pd.read_csv(project.data_dir / res["path"], dtype=str, keep_default_na=False, encoding="utf-8")
    for field in res["schema"]["fields"]:
        col = field["name"]
        frame[col] = typed(field, frame[col])
        checks = field.get("x-check", [])
        if "partial-date" in ([checks] if isinstance(checks, str) else checks):
            parsed = frame[col].map(lambda v: parse_partial_date(v) if v else (None, None))
            frame[f"{col}_start"] = pd.to_datetime(parsed.map(lambda p: p[0]))
            frame[f"{col}_precision"] = parsed.map(lambda p: p[1]).astype("string")
            frame[f"{col}_year"] = frame[f"{col}_start"].dt.year.astype("Int64")
    return frame


def typed(field: dict, column: pd.Series) -> pd.Series:
    """A column of text as its field's type, read by the validator's own reading of a cell
    (facereport.validate.values), so that what validates loads as what it means. An empty cell
    is missing, not zero or false."""
    kind = PANDAS_TYPES.get(field.get("type", "string"), "string")
    if kind == "string":
        return column.astype(kind)
    return column.map(lambda v: parse(field, v) if v != "" else pd.NA).astype(kind)


def shapes(name: str = "world_shapes", project: Project | None = None):
    """Country shapes (a GeoDataFrame) with an ``iso3`` column, from the Data Package's TopoJSON
    resource; declared in a run's 'reads' like a table."""
    import geopandas
    import pycountry

    project = _project(project)
    _check_declared(name)
    res = next((r for r in descriptor(project)["resources"] if r["name"] == name), None)
    if res is None:
        raise KeyError(f"data/datapackage.json has no resource named {name!r}")
    # world-atlas is "in spherical coordinates, decimal degrees" (its README): WGS 84
    frame = geopandas.read_file(project.data_dir / res["path"], layer="countries").set_crs("EPSG:4326")
    numeric = {c.numeric: c.alpha_3 for c in pycountry.countries}
    frame["iso3"] = frame["id"].map(numeric)
    return frame


def province_shapes(project: Project | None = None):
    """China's provincial-level divisions (a GeoDataFrame, WGS 84), one row a unit, from the Data
    Package's GeoJSON resource ``china_shapes``; declared in a run's 'reads' like a table.

    Columns: ``iso`` (ISO 3166-2:CN code), ``name_en``, ``name_zh``, ``adcode`` (GB/T 2260) and
    ``mainland``: true for the 31 units of mainland China, false for CN-HK, CN-MO and CN-TW, which
    the source draws too and a map shows as outlines only, never coloured by a value. The shapes
    follow the PRC's official claims (the resource's description says what that draws)."""
    import geopandas

    name = "china_shapes"
    project = _project(project)
    _check_declared(name)
    res = next((r for r in descriptor(project)["resources"] if r["name"] == name), None)
    if res is None:
        raise KeyError(f"data/datapackage.json has no resource named {name!r}")
    # GeoJSON (RFC 7946) is WGS 84 longitude/latitude
    frame = geopandas.read_file(project.data_dir / res["path"]).set_crs("EPSG:4326", allow_override=True)
    frame["mainland"] = frame["mainland"].astype(bool)
    return frame


def sources(project: Project | None = None) -> dict[str, Source]:
    """The source registry (data/sources.bib), by key."""
    project = _project(project)
    return read_bib(registry_path(project, descriptor(project)))


def enum(name: str, field: str, project: Project | None = None) -> list[str]:
    """The allowed values of a field, in the schema's order (the order charts use)."""
    for f in resource(name, project)["schema"]["fields"]:
        if f["name"] == field:
            return list(f.get("constraints", {}).get("enum", []))
    raise KeyError(f"table {name!r} has no field {field!r}")


def labels(name: str, field: str, project: Project | None = None) -> dict[str, str]:
    """Readers' labels of a field's values ("x-labels" in the schema), falling back to the value."""
    for f in resource(name, project)["schema"]["fields"]:
        if f["name"] == field:
            given = f.get("x-labels", {})
            return {v: given.get(v, v) for v in f.get("constraints", {}).get("enum", given)}
    raise KeyError(f"table {name!r} has no field {field!r}")

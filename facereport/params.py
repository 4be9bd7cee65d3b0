"""Check a run's parameters before a kernel starts, against the notebook's own parameters cell.

A notebook declares each parameter by its default in the cell tagged ``parameters``; the type is
the default's (a list, an integer, a number, a string, a boolean). Where the default says too
little (``None``) or the values must come from the data, the notebook's metadata says more:

    "facereport": {"parameters": {
        "end_year":  {"type": "integer", "nullable": true},
        "sectors":   {"type": "list", "values_of": "rollout_events.sector"},
        "provinces": {"type": "list", "check": "iso3166-2", "pattern": "CN-[A-Z]{2}", "allow": [""]}}}

``values_of`` names a table's column: an enum's allowed values, else the values in the table.
``check`` names a cell check of facereport.validate. Every problem is one line that names the run
and the parameter; the command line exits with 2.
"""
from __future__ import annotations

import ast
import csv
import datetime as dt
import re
from pathlib import Path

from .paths import Project

TYPES = {"list": list, "integer": int, "number": (int, float), "string": str, "boolean": bool}
NAMES = {list: "a list", int: "an integer", float: "a number", str: "a string", bool: "true or false",
         type(None): "nothing (null)", dict: "a mapping"}


class ParameterError(ValueError):
    """A run's parameters do not fit its notebook: the command line exits with 2."""


def _kind(value) -> str:
    return NAMES.get(type(value), type(value).__name__)


def declared(project: Project, notebook: Path) -> dict[str, dict]:
    """Each parameter of ``notebook``: its default, and its spec (type, values, checks)."""
    import nbformat
    import papermill

    path = project.root / notebook
    found = papermill.inspect_notebook(str(path))
    extra = nbformat.read(path, as_version=4).metadata.get("facereport", {}).get("parameters", {})
    out = {}
    for name, info in found.items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = None
        spec = dict(extra.get(name, {}))
        if "type" not in spec and default is not None:
            spec["type"] = next((t for t, cls in (("boolean", bool), ("integer", int), ("number", float),
                                                  ("string", str), ("list", list)) if isinstance(default, cls)), None)
        if default is None:
            spec.setdefault("nullable", True)
        out[name] = {"default": default, **spec}
    return out


def _allowed(project: Project, reference: str) -> list[str]:
    """The allowed values of ``table.column``: its enum if it has one, else the values in the table."""
    from .data import descriptor

    table, column = reference.split(".")
    res = next(r for r in descriptor(project)["resources"] if r["name"] == table)
    field = next(f for f in res["schema"]["fields"] if f["name"] == column)
    if "enum" in field.get("constraints", {}):
        return list(field["constraints"]["enum"])
    with open(project.data_dir / res["path"], encoding="utf-8", newline="") as fh:
        return sorted({row[column] for row in csv.DictReader(fh) if row[column]})


def _item_problem(project: Project, spec: dict, item) -> str | None:
    if item in spec.get("allow", []):
        return None
    if not isinstance(item, str) and ("values_of" in spec or "check" in spec or "pattern" in spec):
        return f"expected strings, found {item!r} ({_kind(item)})"
    if "pattern" in spec and not re.fullmatch(spec["pattern"], item):
        return f"{item!r} is not of the form {spec['pattern']}"
    if "check" in spec:
        from .validate import CHECKS, Context

        message = CHECKS[spec["check"]](item, Context(dt.date.today(), None))
        if message:
            return message
    if "values_of" in spec:
        allowed = _allowed(project, spec["values_of"])
        if item not in allowed:
            shown = ", ".join(allowed[:12]) + (" ..." if len(allowed) > 12 else "")
            return f"{item!r} is not one of {shown}"
    return None


def check(project: Project, run) -> None:
    """Raise ParameterError, one line, for the first parameter of ``run`` that does not fit."""
    specs = declared(project, run.notebook)
    where = f"run {run.name!r} ({run.notebook.as_posix()})"
    for name, value in run.parameters.items():
        if name not in specs:
            raise ParameterError(f"{where}: no parameter {name!r}; its parameters are {', '.join(specs)}")
        spec = specs[name]
        if value is None:
            if spec.get("nullable"):
                continue
            raise ParameterError(f"{where}: parameter {name!r}: expected {NAMES.get(TYPES.get(spec.get('type'), str), 'a value')}, found nothing (null)")
        wanted = TYPES.get(spec.get("type"))
        if wanted is not None and (not isinstance(value, wanted) or (isinstance(value, bool) and spec["type"] != "boolean")):
            hint = " (a list is written [a, b] in YAML)" if spec.get("type") == "list" else ""
            raise ParameterError(f"{where}: parameter {name!r}: expected {NAMES[wanted if isinstance(wanted, type) else float]}, "
                                 f"found {value!r} ({_kind(value)}){hint}")
        for item in (value if isinstance(value, list) else [value]):
            problem = _item_problem(project, spec, item)
            if problem:
                raise ParameterError(f"{where}: parameter {name!r}: {problem}")

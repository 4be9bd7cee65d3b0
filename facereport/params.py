"""Check a run's parameters before a kernel starts, against the notebook's own parameters cell.

A notebook declares each parameter by its default in the cell tagged ``parameters``; the type is
the default's (a list, an integer, a number, a string, a boolean). Where the default says too
little (``None``) or the values must come from the data, the notebook's metadata says more:

    "facereport": {
      "parameters": {
        "end_year":   {"type": "integer", "nullable": true, "minimum": 1990, "maximum": 2100},
        "confidence": {"type": "number", "exclusive_minimum": 0, "exclusive_maximum": 1},
        "sectors":    {"type": "list", "values_of": "rollout_events.sector"},
        "provinces":  {"type": "list", "check": "iso3166-2", "values_of": "rollout_events.province",
                       "form": "an ISO 3166-2 code of a Chinese province such as CN-ZJ", "allow": [""]},
        "as_of":      {"type": "string", "nullable": true, "form": "date"}},
      "order": [["start_year", "end_year"]],
      "selection": "facereport.strands.rollout:check_selection"}

``values_of`` names a table's column: an enum's allowed values, else the values in the table.
``check`` names a cell check of facereport.validate. ``order`` lists pairs that must not be
reversed. ``selection`` names a function of the strand that makes the notebook's own selection
from all its parameters and says, in one line, why it is empty or impossible (a selection that
matches nothing, a comparison with a jurisdiction the data lacks).

Every problem is one line that names the run and the parameter; the command line exits with 2.
The same checks run in the notebook's first cell (``check_in_kernel``), so a notebook run with
papermill directly fails there too, on an unknown name as on a bad value.
"""
from __future__ import annotations

import ast
import csv
import datetime as dt
import difflib
import importlib
import json
import re
from pathlib import Path

from .paths import Project

TYPES = {"list": list, "integer": int, "number": (int, float), "string": str, "boolean": bool}
NAMES = {list: "a list", int: "an integer", float: "a number", str: "a string", bool: "true or false",
         type(None): "nothing (null)", dict: "a mapping"}
LITERALS = (str, int, float, bool, list, dict, tuple, type(None))


class ParameterError(ValueError):
    """A run's parameters do not fit its notebook: the command line exits with 2."""


def _kind(value) -> str:
    return NAMES.get(type(value), type(value).__name__)


def _notebook_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def defaults(path: Path) -> dict:
    """The notebook's parameters and their defaults, read from its cell tagged ``parameters``
    (literal assignments only, as papermill requires; read with ``ast``, not papermill, so that a
    kernel can check itself without importing papermill)."""
    nb = _notebook_json(path)
    cell = next((c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    out = {}
    for node in ast.parse("".join(cell["source"])).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                out[node.targets[0].id] = None
    return out


def notebook_spec(path: Path) -> dict:
    """The notebook's ``facereport`` metadata (parameters' specs, order, selection check)."""
    return _notebook_json(path).get("metadata", {}).get("facereport", {})


def declared(project: Project, notebook: Path) -> dict[str, dict]:
    """Each parameter of ``notebook``: its default, and its spec (type, values, checks)."""
    path = project.root / notebook
    extra = notebook_spec(path).get("parameters", {})
    out = {}
    for name, default in defaults(path).items():
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
        values = {v.strip() for row in csv.DictReader(fh) for v in row[column].split(";") if v.strip()}
    return sorted(values)


def _not_allowed(item: str, allowed: list[str], what: str) -> str:
    """'cn-gd' is not ...: write it as the data does, 'CN-GD'; or the nearest values; then the
    whole list, never cut (a person needs to see the value they meant)."""
    same_but_case = [a for a in allowed if a.lower() == item.lower()]
    if same_but_case:
        return f"{item!r} is not {what}: codes are written as the data writes them: {same_but_case[0]!r}"
    near = difflib.get_close_matches(item, allowed, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
    return f"{item!r} is not {what}{hint} The data has: {', '.join(allowed)}"


def _item_problem(project: Project, spec: dict, item) -> str | None:
    if item in spec.get("allow", []):
        return None
    coded = ("values_of", "check", "form", "pattern")
    if not isinstance(item, str) and any(k in spec for k in coded):
        return f"expected strings, found {item!r} ({_kind(item)})"
    form = spec.get("form")
    if form == "date":
        try:
            dt.date.fromisoformat(item)
        except ValueError:
            return f"{item!r} is not a date written YYYY-MM-DD (for example \"2021-06-30\")"
        return None
    if "pattern" in spec and not re.fullmatch(spec["pattern"], item):
        if re.fullmatch(spec["pattern"], item.upper()):
            return f"{item!r}: codes are written in upper case, as their standard writes them: {item.upper()!r}"
        return f"{item!r} is not {form or 'of the form ' + spec['pattern']}"
    if "check" in spec:
        from .validate import CHECKS, Context

        message = CHECKS[spec["check"]](item, Context(dt.date.today(), None))
        if message:
            return f"{item!r} is not {form}: {message}" if form else f"{item!r}: {message}"
    if "values_of" in spec:
        allowed = _allowed(project, spec["values_of"])
        if item not in allowed:
            return _not_allowed(item, allowed, form or "one of the values the data has.")
    return None


def _range_problem(spec: dict, value) -> str | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    if "minimum" in spec and value < spec["minimum"]:
        return f"must be {spec['minimum']} or more, found {value}"
    if "maximum" in spec and value > spec["maximum"]:
        return f"must be {spec['maximum']} or less, found {value}"
    low, high = spec.get("exclusive_minimum"), spec.get("exclusive_maximum")
    if (low is not None and value <= low) or (high is not None and value >= high):
        example = spec.get("example", "")
        return f"must be between {low} and {high}, not including either, found {value}{example}"
    return None


def normalise(value, spec: dict):
    """What YAML reads that means the same thing: an unquoted date (``as_of: 2020-01-01`` is a
    ``datetime.date`` to YAML) is the string ``"2020-01-01"``."""
    if spec.get("type") == "string" and isinstance(value, dt.date):
        return value.isoformat()
    return value


def check_values(project: Project, notebook: Path, parameters: dict, where: str) -> dict:
    """The parameters as the notebook will get them (normalised), or ParameterError naming the
    first that does not fit: names, types, values, ranges, order, then the selection itself."""
    specs = declared(project, notebook)
    out = {}
    for name, value in parameters.items():
        if name not in specs:
            near = difflib.get_close_matches(name, list(specs), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ParameterError(f"{where}: no parameter {name!r}{hint} Its parameters are {', '.join(specs)}")
        spec = specs[name]
        value = normalise(value, spec)
        out[name] = value
        if value is None:
            if spec.get("nullable"):
                continue
            raise ParameterError(f"{where}: parameter {name!r}: expected {NAMES.get(TYPES.get(spec.get('type'), str), 'a value')}, found nothing (null)")
        wanted = TYPES.get(spec.get("type"))
        if wanted is not None and (not isinstance(value, wanted) or (isinstance(value, bool) and spec["type"] != "boolean")):
            hint = " (a list is written [a, b] in YAML)" if spec.get("type") == "list" else ""
            raise ParameterError(f"{where}: parameter {name!r}: expected {NAMES[wanted if isinstance(wanted, type) else float]}, "
                                 f"found {value!r} ({_kind(value)}){hint}")
        problem = _range_problem(spec, value)
        for item in (value if isinstance(value, list) else [value]):
            problem = problem or _item_problem(project, spec, item)
        if problem:
            raise ParameterError(f"{where}: parameter {name!r}: {problem}")
    whole = {name: spec["default"] for name, spec in specs.items()} | out
    meta = notebook_spec(project.root / notebook)
    for first, second in meta.get("order", []):
        a, b = whole.get(first), whole.get(second)
        if a is not None and b is not None and a > b:
            raise ParameterError(f"{where}: parameter {first!r} ({a}) is after {second!r} ({b})")
    if meta.get("selection"):
        module, _, function = meta["selection"].partition(":")
        problem = getattr(importlib.import_module(module), function)(whole, project)
        if problem:
            raise ParameterError(f"{where}: {problem}")
    return out


def check(project: Project, run) -> dict:
    """``run``'s parameters, normalised; ParameterError (one line) for the first that does not fit."""
    return check_values(project, run.notebook, run.parameters, f"run {run.name!r} ({run.notebook.as_posix()})")


def check_in_kernel(namespace: dict, notebook: str) -> None:
    """A notebook's first cell: check the parameters it was given, wherever it runs (the runner,
    papermill by hand, JupyterLab). Any literal the parameters cell did not declare is a name the
    caller misspelt (papermill only warns about it and runs on with the default)."""
    project = Project.find()
    path = Path(notebook)
    specs = declared(project, path)
    unknown = sorted(n for n, v in namespace.items()
                     if not n.startswith("_") and n not in specs and n not in ("In", "Out")
                     and isinstance(v, LITERALS))
    where = f"{path.as_posix()}"
    if unknown:
        near = difflib.get_close_matches(unknown[0], list(specs), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ParameterError(f"{where}: no parameter {unknown[0]!r}{hint} Its parameters are {', '.join(specs)}")
    given = {n: namespace[n] for n in specs if n in namespace}
    check_values(project, path, {n: v for n, v in given.items() if v != specs[n]["default"]}, where)

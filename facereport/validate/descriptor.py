"""The Data Package descriptor, data/datapackage.json: valid JSON, a valid Data Package, and a
schema this validator can check in full (known types, constraints, named checks and rules), so that
nothing a schema says goes silently unchecked."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable

from ..paths import Project
from .cells import CHECKS, CONSTRAINTS, field_checks
from .problems import Problem
from .rows import RULES as ROW_RULES
from .tables import RULES as TABLE_RULES
from .values import TYPES


def read_descriptor(project: Project) -> tuple[dict | None, list[Problem]]:
    rel = project.rel(project.datapackage)
    try:
        text = project.datapackage.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(rel, 1, "", f"cannot read the Data Package: {exc}")]
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem(rel, exc.lineno, "", f"not valid JSON: {exc.msg} (character {exc.colno})")]
    from frictionless import FrictionlessException, Package

    try:
        errors = list(Package.metadata_validate(descriptor))
    except FrictionlessException as exc:
        errors = [exc.error]
    problems = [Problem(rel, 1, "", f"not a valid Data Package: {e.note or e.message}") for e in errors]
    if problems:
        return None, problems
    rules = {**ROW_RULES, **TABLE_RULES}
    for res in tables(descriptor):
        fields = res["schema"].get("fields", [])
        for field in fields:
            name = field.get("name")
            at = lambda: _line_of(text, f'"{name}"')   # noqa: E731 -- found only when needed
            for check in field_checks(field):
                if check not in CHECKS:
                    problems.append(Problem(rel, at(), "", f"field {name!r} names unknown check {check!r}; "
                                                           f"known: {', '.join(CHECKS)}"))
            if field.get("type", "string") not in TYPES:
                problems.append(Problem(rel, at(), "", f"field {name!r}: type {field.get('type')!r} is not one "
                                                       f"facereport.validate checks ({', '.join(TYPES)})"))
            for constraint in set(field.get("constraints", {})) - set(CONSTRAINTS):
                problems.append(Problem(rel, at(), "", f"field {name!r}: constraint {constraint!r} is not one "
                                                       f"facereport.validate checks ({', '.join(CONSTRAINTS)})"))
            if "x-pattern-by" in field:
                problems += _pattern_by_problems(rel, at(), field, fields)
        for name in res.get("x-row-checks", []):
            if name not in rules:
                problems.append(Problem(rel, _line_of(text, f'"{name}"'), "",
                                        f"resource {res.get('name')!r} names unknown row check {name!r}; "
                                        f"known: {', '.join(rules)}"))
    problems += _version_problems(project, rel, text, descriptor)
    return (None if problems else descriptor), problems


def _version_problems(project: Project, rel: str, text: str, descriptor: dict) -> list[Problem]:
    """The Data Package's version is the report's, as CITATION.cff gives it (facereport.version)."""
    cff = project.root / "CITATION.cff"
    if not cff.is_file():
        return []
    import yaml

    wanted = str((yaml.safe_load(cff.read_text(encoding="utf-8")) or {}).get("version", ""))
    found = descriptor.get("version")
    if found == wanted:
        return []
    return [Problem(rel, _line_of(text, '"version"'), "version",
                    f"the Data Package's version {found!r} differs from CITATION.cff's {wanted!r}: the data and "
                    "the report carry one version; change both with `make release VERSION=x.y.z`")]


def _pattern_by_problems(rel: str, line: int, field: dict, fields: list[dict]) -> list[Problem]:
    """Every kind of the field it depends on has a pattern (so that no value goes unchecked), and
    each pattern compiles."""
    spec = field["x-pattern-by"]
    by = next((f for f in fields if f["name"] == spec.get("field")), None)
    if by is None or "enum" not in by.get("constraints", {}):
        return [Problem(rel, line, "", f"field {field['name']!r}: x-pattern-by names {spec.get('field')!r}, "
                                       f"which is not a field with an enum in this table")]
    out = []
    missing = [k for k in by["constraints"]["enum"] if k not in spec.get("patterns", {})]
    if missing:
        out.append(Problem(rel, line, "", f"field {field['name']!r}: x-pattern-by gives no pattern for "
                                          f"{', '.join(missing)}"))
    for kind, pattern in spec.get("patterns", {}).items():
        try:
            re.compile(pattern)
        except re.error as exc:
            out.append(Problem(rel, line, "", f"field {field['name']!r}: the pattern for {kind!r} is not a "
                                              f"regular expression ({exc})"))
    return out


def _line_of(text: str, needle: str) -> int:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


def descriptor_problem(project: Project, resource: dict, message: str) -> Problem:
    """A problem of ``resource`` reported at the line of datapackage.json where its path is written."""
    rel = project.rel(project.datapackage)
    try:
        text = project.datapackage.read_text(encoding="utf-8")
    except OSError:
        return Problem(rel, 1, "path", message)
    m = re.search(r'"path"\s*:\s*' + re.escape(json.dumps(resource.get("path", ""))), text)
    line = text.count("\n", 0, m.start()) + 1 if m else 1
    return Problem(rel, line, "path", message)


def tables(descriptor: dict) -> list[dict]:
    """The tabular resources: those with a Table Schema."""
    return [r for r in descriptor.get("resources", []) if "schema" in r]


def registry_path(project: Project, descriptor: dict) -> Path:
    """The source registry is the package's one BibTeX resource."""
    bibs = [r for r in descriptor.get("resources", []) if r.get("format") == "bib"]
    if len(bibs) != 1:
        raise ValueError("data/datapackage.json must list exactly one resource with format 'bib'")
    return project.data_dir / bibs[0]["path"]


def source_fields(descriptor: dict) -> Iterable[tuple[dict, str]]:
    """(resource, field name) of every column that cites the registry."""
    for res in tables(descriptor):
        for f in res["schema"]["fields"]:
            if "source-keys" in field_checks(f):
                yield res, f["name"]

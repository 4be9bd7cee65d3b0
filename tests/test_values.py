"""The loader cannot disagree with the validator: every value a typed column accepts loads as the
value the Table Schema means, and nothing else is accepted. And the validator is a package of parts
that each import alone, without a cycle."""
from __future__ import annotations

import ast
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from conftest import read_rows
from facereport import data
from facereport.paths import Project
from facereport.validate import Context
from facereport.validate.cells import cell_problem
from facereport.validate.values import false_values, true_values

# Forms a person might type or paste, beside the plain ones: signs, decimals, full-width and other
# Unicode digits, separators, words, exponents, booleans in every case.
TRICKY = ["0", "1", "-1", "05", "2020", "2033", "55.5", "100", "100.0", "0.5", ".5", "5.", "+5", "-0", "1e3", "1E3",
          "２０３３", "٢٠٣٣", "2,033", "2 033", "55%", "55 %", "about 55", "NaN", "nan", "inf", "-INF",
          "Infinity", "0x10", "1_000", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "no",
          "t", "f", " 5", "5 ", "5\n", "١", "²", "Ⅷ"]
ALPHABET = "0123456789０１２.,-+%eE xa"


def typed_fields():
    for res in data.descriptor(Project(Path(__file__).resolve().parents[1]))["resources"]:
        for field in res.get("schema", {}).get("fields", []):
            if field.get("type", "string") != "string":
                yield res["name"], field


def meaning(field: dict, text: str):
    """What Table Schema says the text means, worked out apart from the package: ASCII digits, an
    optional minus sign and decimal point for numbers; the declared words for booleans."""
    kind = field["type"]
    assert text.isascii() and text == text.strip(), f"accepted {text!r}, which is not plain ASCII"
    if kind == "boolean":
        assert text in field.get("trueValues", []) + field.get("falseValues", []), text
        return text in field["trueValues"]
    number = Decimal(text)
    assert number.is_finite() and "e" not in text.lower(), text
    if kind == "integer":
        assert number == number.to_integral_value() and "." not in text, text
        return int(number)
    return float(number)


FIELDS = list(typed_fields())


@pytest.mark.parametrize("table, field", FIELDS, ids=[f"{t}.{f['name']}" for t, f in FIELDS])
def test_what_validates_loads_as_what_it_means(table, field):
    rng = random.Random(f"{table}.{field['name']}")
    candidates = TRICKY + ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6))) for _ in range(400)]
    ctx = Context(dt.date(2026, 11, 26), None)
    accepted = [c for c in candidates if cell_problem(field, c, ctx) is None and c != ""]
    rejected = [c for c in candidates if cell_problem(field, c, ctx) is not None]
    assert accepted and rejected
    loaded = data.typed(field, pd.Series(accepted, dtype="string"))
    for text, value in zip(accepted, loaded):
        assert value == meaning(field, text), (text, value)
    # an empty cell loads as missing, never as zero or false
    assert data.typed(field, pd.Series([""], dtype="string")).isna().all()


def test_booleans_are_read_in_the_words_the_schema_declares():
    approximate = next(f for t, f in FIELDS if f["name"] == "approximate")
    assert true_values(approximate) == ["true"] and false_values(approximate) == ["false"]
    ctx = Context(dt.date(2026, 11, 26), None)
    assert "write it in lower case: true" in cell_problem(approximate, "TRUE", ctx)


def test_the_real_tables_load_as_the_csv_says(root):
    """Every typed cell of the real data: the loaded frame holds what the text means."""
    project = Project(root)
    for table in sorted({t for t, _ in FIELDS}):
        frame = data.load(table, project)
        raw = read_rows(project, f"data/{data.resource(table, project)['path']}")
        for _, field in ((t, f) for t, f in FIELDS if t == table):
            for text, value in zip((r[field["name"]] for r in raw), frame[field["name"]]):
                assert (pd.isna(value) if text == "" else value == meaning(field, text)), (table, field["name"], text)


# ---- the validator's parts ------------------------------------------------------------------------

PACKAGE = Path(__file__).resolve().parents[1] / "facereport" / "validate"


def imports_within(path: Path) -> set[str]:
    """The sibling modules ``path`` imports (from .x import ..., from . import x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
    return found


def test_the_validator_is_parts_without_an_import_cycle():
    graph = {p.stem: imports_within(p) for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert {"read", "values", "cells", "rows", "tables", "registry", "descriptor", "package"} <= set(graph)
    assert all(dep in graph for deps in graph.values() for dep in deps), graph
    done: list[str] = []
    while len(done) < len(graph):   # peel off modules whose imports are all done: a cycle stops it
        ready = [m for m, deps in graph.items() if m not in done and deps <= set(done)]
        assert ready, f"import cycle among {sorted(set(graph) - set(done))}"
        done += ready
    assert not (PACKAGE.parent / "rules.py").exists() and not (PACKAGE.parent / "validate.py").exists()


@pytest.mark.parametrize("module", sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__main__"))
def test_each_part_imports_alone(module):
    import subprocess
    import sys

    name = "facereport.validate" + ("" if module == "__init__" else f".{module}")
    result = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

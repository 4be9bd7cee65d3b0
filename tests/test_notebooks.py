"""Notebooks are committed clean, with one literal parameters cell, and the run list uses only
parameters the notebooks declare."""
from __future__ import annotations

import ast

import nbformat
import papermill
import pytest

from facereport.paths import Project
from facereport.runs import load_plan

NOTEBOOKS = sorted((__import__("conftest").ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exactly_one_parameters_cell_of_literals(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    # papermill does not recompute values derived inside the parameters cell: literals only.
    for stmt in ast.parse(tagged[0].source).body:
        assert isinstance(stmt, ast.Assign), f"{path.name}: parameters cell holds {type(stmt).__name__}"
        ast.literal_eval(stmt.value)  # raises if the value is not a literal


def test_run_list_uses_declared_parameters(root):
    plan = load_plan(Project(root))
    assert plan.runs
    for run in plan.runs:
        declared = papermill.inspect_notebook(str(root / run.notebook))
        assert set(run.parameters) <= set(declared), f"{run.name}: unknown {set(run.parameters) - set(declared)}"
        assert run.reads, f"{run.name} declares no data it reads"

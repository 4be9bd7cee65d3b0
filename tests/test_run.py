"""The runner: a run's fingerprint covers every input, parameters reach the notebook, failures
name the cell, and the same inputs give the same bytes."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import glued
from facereport import data
from facereport.run import RunFailed, execute, fingerprint
from facereport.runs import Run, load_plan

CUSTOM = {"start_year": 2016, "end_year": 2020, "sectors": ["policing", "transport", "education"], "provinces": []}


def rollout_run(project, parameters=None) -> Run:
    run = load_plan(project).run("rollout")
    return Run(run.name, run.notebook, run.reads, parameters if parameters is not None else run.parameters, run.title)


# ---- fast -------------------------------------------------------------------------------------

def test_fingerprint_changes_with_every_input(copy):
    run = rollout_run(copy)
    base = fingerprint(copy, run)
    assert fingerprint(copy, run) == base
    assert fingerprint(copy, rollout_run(copy, {"start_year": 2015})) != base
    for path, extra in [("data/rollout_events.csv", b"\n"), ("data/sources.bib", b"\n%"),
                        ("data/datapackage.json", b" "), ("notebooks/rollout.ipynb", b"\n"), ("requirements.lock", b"\n")]:
        target = copy.root / path
        original = target.read_bytes()
        target.write_bytes(original + extra)
        assert fingerprint(copy, run) != base, f"a change to {path} would not rerun the notebook"
        target.write_bytes(original)
    assert fingerprint(copy, run) == base


def test_loading_an_undeclared_table_is_refused(copy, monkeypatch):
    monkeypatch.setenv(data.DECLARED_ENV, "some_other_table")
    with pytest.raises(PermissionError, match="does not declare it"):
        data.load("rollout_events", copy)


def test_loader_types_partial_dates(root):
    from facereport.paths import Project
    events = data.load("rollout_events", Project(root))
    assert set(events["date_precision"].dropna()) <= {"year", "month", "day"}
    year_only = events[events["date_precision"] == "year"]
    assert (year_only["date_start"].dt.strftime("%m-%d") == "01-01").all()


def test_bad_parameters_are_refused_with_a_clear_message(root):
    from facereport.strands import rollout
    from facereport.paths import Project
    events = data.load("rollout_events", Project(root))
    sectors = list(data.labels("rollout_events", "sector", Project(root)))
    with pytest.raises(ValueError, match="unknown sector"):
        rollout.select(events, 2010, 2020, ["astrology"], [], sectors)
    with pytest.raises(ValueError, match="unknown province"):
        rollout.select(events, 2010, 2020, [], ["CN-XX"], sectors)
    with pytest.raises(ValueError, match="after end_year"):
        rollout.select(events, 2021, 2020, [], [], sectors)


# ---- real runs (papermill) ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The rollout notebook run twice in one copy: defaults, then custom parameters."""
    from conftest import ROOT, SKIP
    from facereport.paths import Project

    dest = tmp_path_factory.mktemp("runs") / "project"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    project = Project(dest)
    execute(project, rollout_run(project))
    defaults = glued(rollout_run(project).output(project))
    default_bytes = rollout_run(project).output(project).read_bytes()
    execute(project, rollout_run(project, CUSTOM))
    custom = glued(rollout_run(project).output(project))
    return project, defaults, custom, default_bytes


@pytest.mark.build
def test_custom_parameters_change_the_glued_numbers(executed):
    _, defaults, custom, _ = executed
    for name in ("n_events", "n_sources", "n_sectors", "first_year"):
        assert custom[name] != defaults[name], name


@pytest.mark.build
def test_glued_numbers_match_a_pandas_computation(executed):
    project, defaults, custom, _ = executed
    table = pd.read_csv(project.root / "data/rollout_events.csv", dtype=str, keep_default_na=False)
    year = table["date"].str[:4].astype(int)
    for glue, params in ((defaults, {"start_year": 2010, "end_year": int(year.max()), "sectors": [], "provinces": []}), (custom, CUSTOM)):
        keep = year.between(params["start_year"], params["end_year"])
        if params["sectors"]:
            keep &= table["sector"].isin(params["sectors"])
        chosen = table[keep]
        keys = {k for cell in chosen["sources"] for k in cell.split(";")}
        provinces = chosen.loc[chosen["province"] != "", "province"]
        assert glue["n_events"] == len(chosen)
        assert glue["n_sources"] == len(keys)
        assert glue["n_sectors"] == chosen["sector"].nunique()
        assert glue["n_provinces"] == provinces.nunique()
        assert glue["n_nationwide"] == (chosen["province"] == "").sum()
        assert glue["first_year"] == year[keep].min() and glue["last_year"] == year[keep].max()
        assert glue["peak_year_events"] == year[keep].value_counts().max()
        assert glue["n_mandates"] == (chosen["event_type"] == "mandate").sum()
        assert glue["n_restrictions"] == (chosen["event_type"] == "restriction").sum()
        assert glue["n_low_confidence"] == (chosen["confidence"] == "low").sum()


@pytest.mark.build
def test_an_unchanged_run_is_reused_and_a_changed_one_reruns(executed):
    project, *_ = executed
    run = rollout_run(project, CUSTOM)
    assert execute(project, run).status == "reused"
    table = project.root / "data/rollout_events.csv"
    rows = list(csv.reader(table.open(encoding="utf-8")))
    summary = rows[0].index("summary")
    rows[1][summary] = rows[1][summary] + " (edited)"
    with table.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    assert execute(project, run).status == "ran"


@pytest.mark.build
def test_same_inputs_give_the_same_bytes(executed):
    project, _, _, default_bytes = executed
    # rerun the defaults on the unchanged data of a fresh copy: byte for byte the same notebook
    from conftest import ROOT, SKIP
    from facereport.paths import Project
    again = project.root.parent / "again"
    shutil.copytree(ROOT, again, ignore=SKIP)
    p2 = Project(again)
    execute(p2, rollout_run(p2), force=True)
    assert rollout_run(p2).output(p2).read_bytes() == default_bytes
    # a run with parameters (papermill injects a cell, with a random id) in two copies: same bytes
    third = project.root.parent / "third"
    shutil.copytree(ROOT, third, ignore=SKIP)
    p3 = Project(third)
    outputs = []
    for p in (p2, p3):
        execute(p, rollout_run(p, CUSTOM), force=True)
        outputs.append(rollout_run(p).output(p).read_bytes())
    assert b"injected-parameters" in outputs[0] and outputs[0] == outputs[1]


@pytest.mark.build
def test_a_run_prints_its_progress_line_and_nothing_from_the_kernel(executed):
    """The kernel talks over a Unix socket in a folder of its own: no TCP warning, no leftovers."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile
    from pathlib import Path
    project, *_ = executed
    # A temporary folder of the run's own (short: a socket's path has a length limit): other builds
    # on the same machine come and go in the shared one.
    tmp = Path(tempfile.mkdtemp(prefix="frt-"))
    try:
        result = subprocess.run([sys.executable, "-m", "facereport.run", "rollout", "--force", "-j", "1"],
                                cwd=project.root, capture_output=True, text=True,
                                env={**os.environ, "TMPDIR": str(tmp)})
        assert result.returncode == 0, result.stderr
        output = (result.stdout + result.stderr).strip().splitlines()
        assert output and all(line.startswith("run: ") for line in output), output
        assert not [l for l in output if "WARNING" in l or "TCP" in l]
        assert list(tmp.glob("fr-*")) == []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.build
def test_a_failing_cell_is_named_and_the_last_good_copy_kept(executed, monkeypatch, tmp_path):
    project, *_ = executed
    monkeypatch.setenv("FACEREPORT_FAILED_DIR", str(tmp_path / "collected"))   # as CI sets it
    run = rollout_run(project, CUSTOM)
    out = run.output(project)
    before = out.read_bytes()
    nb_path = project.root / run.notebook
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.insert(5, nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure for the test')"))
    nbformat.write(nb, nb_path)
    with pytest.raises(RunFailed) as err:
        execute(project, run)
    message = str(err.value)
    assert "notebooks/rollout.ipynb" in message
    # counted as in the notebook as written, though papermill injected a parameters cell before it
    assert "failed in cell 5 of notebooks/rollout.ipynb" in message.splitlines()[0]
    assert message.splitlines()[0].endswith("RuntimeError: deliberate failure for the test")
    assert "raise RuntimeError('deliberate failure for the test')" in message   # the cell's source
    assert "RuntimeError: deliberate failure for the test" in message           # the traceback
    assert out.read_bytes() == before
    assert (project.build_dir / "failed" / out.name).exists()
    assert (tmp_path / "collected" / f"{run.name}.ipynb").exists()   # for CI to upload


# ---- many runs, in parallel -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def all_ran(executed_copy, tmp_path_factory):
    """A copy of the session's executed project (every run ran once there), to change."""
    from conftest import copy_with_runs

    project, outcomes = executed_copy
    return copy_with_runs(project, tmp_path_factory.mktemp("all") / "project"), outcomes


@pytest.mark.build
def test_a_changed_table_reruns_exactly_the_runs_that_read_it(all_ran, capsys):
    from facereport.run import run_all
    project, first = all_ran
    assert {o.status for o in first} == {"ran"}
    path = project.root / "data/country_context.csv"
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    at = rows[0].index("evidence")
    rows[1][at] = rows[1][at] + " (edited)"          # valid, and in a table the exports runs read
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    capsys.readouterr()
    again = run_all(project, jobs=2)
    out = capsys.readouterr().out
    readers = {r.name for r in load_plan(project).runs if "country_context" in r.reads}
    assert readers and {o.run.name for o in again if o.status == "ran"} == readers
    for name in readers:
        assert f"run: {name}: ran in" in out and "changed: data/country_context.csv" in out
    assert all(o.status == "reused" for o in again if o.run.name not in readers)


@pytest.mark.build
def test_every_failing_run_is_reported(all_ran):
    from facereport.run import RunFailed, run_all
    project, _ = all_ran
    path = project.root / "notebooks/regulation_jurisdiction.ipynb"
    original = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    appended = len(nb.cells)   # the new cell's index in the notebook as written
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure in every page')"))
    nbformat.write(nb, path)
    try:
        with pytest.raises(RunFailed) as err:
            run_all(project, jobs=2)
    finally:
        path.write_bytes(original)
    message = str(err.value)
    pages = [r.name for r in load_plan(project).runs if r.notebook.name == "regulation_jurisdiction.ipynb"]
    assert message.startswith(f"run: {len(pages)} of ")
    head = message.split("\n\n")[0]
    for name in pages:
        assert f"  {name}: " in head       # one first line per failing run, before any traceback
    assert message.count("RuntimeError: deliberate failure in every page") >= len(pages)
    # the pages share warm kernels: still counted as in the notebook as written, for every page
    assert head.count(f"failed in cell {appended} of notebooks/regulation_jurisdiction.ipynb") == len(pages)


@pytest.mark.build
def test_a_warm_kernel_gives_the_bytes_a_kernel_per_run_gives(all_ran, monkeypatch):
    """The pages of one template ran in warm kernels (all_ran); each in a kernel of its own, the
    executed copies and their figures' files are the same bytes."""
    import facereport.run as runner
    from conftest import content_digest
    project, _ = all_ran
    pages = [r.name for r in load_plan(project).runs if r.notebook.name == "regulation_jurisdiction.ipynb"]
    assert len(pages) >= runner.WARM_FROM
    chapters = project.root / "book/chapters"
    before = {n: (chapters / f"{n}.ipynb").read_bytes() for n in pages}
    figures = {n: content_digest(chapters / "figdata" / n) for n in pages}
    monkeypatch.setattr(runner, "WARM_FROM", 10**6)
    outcomes = runner.run_all(project, pages, force=True, jobs=2)
    assert {o.status for o in outcomes} == {"ran"}
    assert {n: (chapters / f"{n}.ipynb").read_bytes() for n in pages} == before
    assert {n: content_digest(chapters / "figdata" / n) for n in pages} == figures


def test_template_runs_are_batched_one_warm_kernel_per_worker():
    from facereport.run import WARM_FROM, tasks
    template, other = Path("notebooks/t.ipynb"), Path("notebooks/o.ipynb")
    runs = [Run(f"t{i}", template, (), {}, None) for i in range(7)] + [Run("o", other, (), {}, None)]
    work = tasks(runs, jobs=2)
    assert sorted(len(t) for t in work) == [1, 3, 4]
    assert sorted(r.name for t in work for r in t) == sorted(r.name for r in runs)
    assert all(len({r.notebook for r in t}) == 1 for t in work)
    few = [Run(f"t{i}", template, (), {}, None) for i in range(WARM_FROM - 1)]
    assert all(len(t) == 1 for t in tasks(few, jobs=2))


# ---- parameters are checked before a kernel starts ------------------------------------------------

@pytest.mark.parametrize("yaml_text, words", [
    ('start_year: "2015"\n', ("'start_year'", "expected an integer", "'2015'")),
    ("sectors: policing\n", ("'sectors'", "expected a list", "[a, b]")),
    ("provinces: [cn-zj]\n", ("'provinces'", "'cn-zj'", "upper case", "'CN-ZJ'")),
    ("provinces: [US-CA]\n", ("'provinces'", "'US-CA'")),
    ("sectors: [astrology]\n", ("'sectors'", "'astrology' is not one of")),
    ("colour: red\n", ("no parameter 'colour'", "start_year")),
    ("sectors: [policing\n", ("not valid YAML", "line 2")),
], ids=["string-for-int", "string-for-list", "lower-case-province", "foreign-province", "unknown-sector",
        "unknown-parameter", "malformed-yaml"])
def test_bad_parameters_stop_the_build_with_one_line_and_exit_2(copy, tmp_path, yaml_text, words):
    from conftest import cli
    params = tmp_path / "p.yaml"
    params.write_text(yaml_text)
    result = cli(copy, "build", "--params", f"rollout={params}", "--html", "_build/custom")
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, lines
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "run: rollout" not in result.stdout and not (copy.root / "book/chapters").exists()


@pytest.mark.parametrize("run_name, params, words", [
    ("rollout", {"start_year": 2030}, ("start_year (2030) is after end_year (20",)),
    ("rollout", {"start_year": 2020, "end_year": 2015}, ("'start_year' (2020) is after 'end_year' (2015)",)),
    ("rollout", {"start_year": 2000, "end_year": 2001}, ("matches no event", "2000–2001")),
    ("rollout", {"provinces": ["gd"]}, ("'gd' is not an ISO 3166-2 code of a Chinese province, such as CN-ZJ",)),
    ("rollout", {"sectors": ["polcing"]}, ("did you mean 'policing'", "workplace, cross_sector, other")),
    ("opinion", {"confidence": 90}, ("'confidence'", "between 0 and 1", "0.95 for 95 %")),
    ("opinion", {"min_sample": -1}, ("'min_sample'", "0 or more")),
    ("opinion", {"countries": ["chn"]}, ("upper case", "'CHN'")),
    ("regulation", {"compare": ["NZL"]}, ("'compare'", "'NZL'", "it has: ")),
    ("regulation", {"jurisdictions": ["chn"]}, ("upper case", "'CHN'")),
    ("regulation", {"as_of": "2021-02-30"}, ("'as_of'", "not a date written YYYY-MM-DD")),
    ("exports", {"regions": ["Africa"]}, ("'regions'", "Sub-Saharan Africa")),
    ("exports", {"start_year": 2030, "end_year": 2031}, ("matches no row",)),
    ("vendor-huawei", {"vendor": "Huawei"}, ("written as the data writes them", "'huawei'")),
], ids=["start-after-data", "years-reversed", "matches-nothing", "province-without-country", "near-sector",
        "confidence-in-percent", "negative-sample", "lower-case-country", "compare-not-in-data", "lower-case-jurisdiction",
        "impossible-date", "region-list-whole", "exports-matches-nothing", "vendor-case"])
def test_every_value_is_checked_before_a_kernel_starts_in_one_line(root, run_name, params, words):
    from facereport.params import ParameterError, check
    from facereport.paths import Project
    project = Project(root)
    base = load_plan(project).run(run_name)
    with pytest.raises(ParameterError) as caught:
        check(project, Run(base.name, base.notebook, base.reads, {**base.parameters, **params}))
    message = str(caught.value)
    assert "\n" not in message and f"run {run_name!r}" in message
    for word in words:
        assert word in message, (word, message)
    assert "[A-Z]" not in message   # no regular expression as a hint


def test_a_yaml_date_is_taken_as_the_date_it_means(root, tmp_path):
    import yaml
    from facereport.params import check
    from facereport.paths import Project
    project = Project(root)
    base = load_plan(project).run("regulation")
    params = yaml.safe_load("as_of: 2020-01-01\ncompare: [CHN]\n")
    assert check(project, Run(base.name, base.notebook, base.reads, params)) == {"as_of": "2020-01-01", "compare": ["CHN"]}


def test_an_unknown_run_or_a_missing_file_is_one_line_and_exit_2(copy, tmp_path):
    from conftest import cli
    params = tmp_path / "p.yaml"
    params.write_text("start_year: 2015\n")
    typo = cli(copy, "build", "--params", f"rollouts={params}", "--html", "_build/custom")
    assert typo.returncode == 2 and "no run named 'rollouts'" in typo.stderr and "rollout," in typo.stderr
    missing = cli(copy, "build", "--params", f"rollout={tmp_path / 'nope.yaml'}", "--html", "_build/custom")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_every_run_in_the_run_list_has_parameters_its_notebook_accepts(root):
    from facereport.paths import Project
    from facereport.run import check_parameters
    project = Project(root)
    for run in load_plan(project).runs:
        check_parameters(project, run)


@pytest.mark.build
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGKILL"])
def test_an_interrupted_run_is_never_reused(copy, signal_name):
    """Ctrl-C or a kill in the middle of a run leaves the last good copy and its record as they
    were, so the next build runs it again rather than reusing half a result."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from conftest import change_row

    def run(*args, **kw):
        return subprocess.Popen([sys.executable, "-m", "facereport.run", "rollout", "-j", "1", *args],
                                cwd=copy.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True, **kw)

    first = run()
    assert first.wait(timeout=300) == 0, first.stdout.read()
    out = copy.root / "book/chapters/rollout.ipynb"
    stamp = copy.build_dir / "runs/rollout.json"
    good = (out.read_bytes(), stamp.read_bytes())
    change_row(copy, "data/rollout_events.csv", "ro-001", summary="An edited summary, so that the run must run again")
    second = run()
    deadline = time.time() + 60
    # wait until papermill is under way (its temporary output folder exists), then interrupt
    while not any(copy.build_dir.glob("tmp*")) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(second.pid, getattr(signal, signal_name))
    second.wait(timeout=120)
    assert second.returncode != 0
    assert (out.read_bytes(), stamp.read_bytes()) == good, "the interrupted run touched the last good copy"
    third = run()
    assert third.wait(timeout=300) == 0
    assert "rollout: ran" in third.stdout.read()


def test_a_custom_books_workspace_copies_sources_only(copy):
    import os

    from facereport.build import workspace
    (copy.root / ".venv-lab/lib").mkdir(parents=True)
    (copy.root / ".venv-lab/lib/big").write_bytes(b"x" * 1000)
    os.symlink("lib", copy.root / ".venv-lab/lib64")
    (copy.root / "tools/node/node_modules/axe-core").mkdir(parents=True)
    (copy.root / "my-book").mkdir()
    work = workspace(copy, copy.root / "my-book")
    names = {p.name for p in work.root.rglob("*")}
    assert not names & {".venv-lab", "lib64", "node_modules", "my-book", ".venv"}
    assert (work.root / "notebooks/rollout.ipynb").is_file() and (work.root / "data/datapackage.json").is_file()

"""Every sentence of every chapter is true for every parameter set the checks accept.

Each chapter runs over a grid of parameter sets (small, single-country, empty-ish, every README
example, extreme dates) and the text a reader would see (markdown cells with the glued values
pasted in, as myst-nb pastes ``{glue:text}``) is read for what a wrong sentence looks like: a
count of 1 with a plural noun, a count of 0 stated as a number ("0 instruments ... in 0"),
glue that was never defined, and comparisons whose words contradict their own numbers."""
from __future__ import annotations

import concurrent.futures
import re
import shutil

import pytest

import chapter_text
from conftest import ROOT, SKIP, glued
from facereport.paths import Project
from facereport.runs import Run, load_plan

pytestmark = pytest.mark.build

GRID = {
    "rollout": [
        {},
        {"start_year": 2015, "sectors": ["policing", "transport"], "provinces": ["CN-ZJ", "CN-GD"]},   # README
        {"start_year": 2019, "end_year": 2019, "sectors": ["transport"]},
        {"provinces": ["CN-XJ"]},
        {"provinces": [""]},
        {"start_year": 2010, "end_year": 2013},
        {"sectors": ["telecom"], "provinces": [""]},
    ],
    "regulation": [
        {"as_of": "2021-06-30", "jurisdictions": ["CHN", "EU"], "compare": ["CHN", "EU"]},   # README
        {"compare": ["CHN", "USA"]},
        {"jurisdictions": ["CHN"]},
        {"jurisdictions": ["GBR"], "compare": ["GBR"]},
        {"compare": ["CHN", "EU", "USA", "GBR", "SWE"]},
        {"as_of": "2012-01-01"},
        {"instrument_types": ["court_ruling"], "compare": ["CHN"]},
    ],
    "opinion": [
        {"countries": ["CHN"]},
        {"countries": ["USA"], "include_nonprobability": False},
        {"topics": ["commerce"]},
        {"confidence": 0.5, "min_sample": 2000},
        {"countries": ["DEU"]},
    ],
    "exports": [
        {"vendors": ["hikvision", "dahua"]},
        {"include_index": False},
        {"regions": ["Sub-Saharan Africa"]},
        {"vendors": ["cloudwalk"]},
        {"start_year": 2010, "end_year": 2012},
    ],
    "regulation-china": [{"jurisdictions": ["SWE"]}, {"jurisdictions": ["EU"], "as_of": "2019-01-01"}],
    "vendor-huawei": [{"vendor": "cloudwalk"}, {"vendor": "ceiec"}],
}
NOUNS = (r"events?|sources?|sectors?|units?|instruments?|jurisdictions?|countries|country|surveys?|results?|"
         r"rows?|deployments?|links?|vendors?|groups?|kinds?|provisions?|points?|democracies|democracy|years?")
ONE_PLURAL = re.compile(rf"(?<![\d.,])1 (?:[\w-]+ )?(events|sources|sectors|units|instruments|jurisdictions|countries|"
                        rf"surveys|results|rows|deployments|links|vendors|groups|kinds|provisions|points|democracies|years)\b")
ZERO_COUNT = re.compile(rf"(?<![\d.,])0 (?:[\w-]+ )?({NOUNS})\b|\bin 0\b")


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """Every grid run executed once, in one copy of the project, two at a time."""
    from facereport.run import _execute_in_worker

    dest = tmp_path_factory.mktemp("grid") / "project"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    project = Project(dest)
    (project.build_dir).mkdir(parents=True, exist_ok=True)
    plan = load_plan(project)
    runs = []
    for base_name, sets in GRID.items():
        base = plan.run(base_name)
        for i, params in enumerate(sets):
            runs.append(Run(f"{base_name}-grid{i}", base.notebook, base.reads, {**base.parameters, **params}))
    from facereport.run import check_parameters
    runs = [check_parameters(project, r) for r in runs]
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        # one run a task, each in a kernel of its own, as a custom book's single run executes
        outcomes = [o for batch in pool.map(_execute_in_worker, [str(dest)] * len(runs), [[r] for r in runs],
                                            [False] * len(runs)) for o in batch]
    failed = [str(o) for o in outcomes if isinstance(o, Exception)]
    assert not failed, "\n\n".join(failed)
    return project, runs


def cases():
    return [pytest.param(name, i, id=f"{name}-{i}") for name, sets in GRID.items() for i in range(len(sets))]


@pytest.mark.parametrize("name, i", cases())
def test_every_sentence_follows_its_numbers(grid, name, i):
    project, runs = grid
    run = next(r for r in runs if r.name == f"{name}-grid{i}")
    path = run.output(project)
    prose = chapter_text.text(path, tables=False)
    assert "<missing glue" not in prose, re.findall(r"<missing glue: \w+>", prose)
    assert not ONE_PLURAL.search(prose), ONE_PLURAL.search(prose).group(0)
    assert not ZERO_COUNT.search(prose), ZERO_COUNT.search(prose).group(0)
    values = glued(path)
    check = CONSISTENCY.get(run.notebook.stem)
    if check:
        check(" ".join(prose.split()), values, run.parameters)


def _exports(text, v, params):
    # the one comparison the chapter draws: importers' regimes against all countries'
    if v["n_rated_importers"]:
        ours, everyone = v["autocracy_importers_pct"], v["autocracy_all_pct"]
        word = "more often than" if ours - everyone > 2 else "less often than" if everyone - ours > 2 else "about as often as"
        assert f"in autocracies {word} their share" in text
        assert f"{ours:g} % of importers against {everyone:g} %" in text
    assert f"{v['n_countries']} importing countr" in text or "1 importing country" in text


def _regulation(text, v, params):
    selected = set(params.get("jurisdictions", []))
    for code, label in (("EU", "European Union"), ("USA", "United States"), ("CHN", "China"), ("GBR", "United Kingdom")):
        if selected and code not in selected and code in params.get("compare", []):
            assert re.search(rf"{label}[^.]*: no instrument in this selection", text), label
            assert not re.search(rf"{label}: \d", text), label
    if v["n_lags"] == 0:
        assert "median time" not in text


def _opinion(text, v, params):
    if v["n_interval_prob"] == 0:
        assert "from probability samples" not in text
    if v["n_interval_nonprob"] == 0:
        assert "from other samples" not in text
    if params.get("countries") == ["CHN"]:
        assert "surveys of people in China" in text and "1 country" not in text


def _rollout(text, v, params):
    assert f"{v['events_phrase']}" in text
    if v["n_provinces"] == 0:
        assert "provincial-level units;" not in text


CONSISTENCY = {"exports": _exports, "regulation": _regulation, "opinion": _opinion, "rollout": _rollout}

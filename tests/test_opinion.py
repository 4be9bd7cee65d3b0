"""The opinion strand: its tables validate and cover what the chapter needs, bad input is named by
file, line and column, the intervals are Wilson's, and the notebook's glued figures follow its
confidence level."""
from __future__ import annotations

import math
import shutil

import pytest

from conftest import ROOT, SKIP, assert_problem, change_row, glued, read_rows
from facereport.paths import Project
from facereport.run import execute
from facereport.runs import Run, load_plan
from facereport.strands.opinion import wilson
from facereport.validate import validate

SURVEYS = "data/opinion_surveys.csv"
RESULTS = "data/opinion_results.csv"


def test_the_tables_hold_what_the_chapter_needs(root):
    project = Project(root)
    _, problems = validate(project)
    assert problems == []
    surveys, results = read_rows(project, SURVEYS), read_rows(project, RESULTS)
    assert len(surveys) >= 8
    assert sum("CHN" in s["countries"].split(";") for s in surveys) >= 3
    assert len(results) >= 60
    assert {s["sampling"] for s in surveys} == {"probability", "non_probability"}


def test_the_record_is_as_deep_as_the_chapter_claims(root):
    """The depth issue 15 set: the debate in every year from 2019 to 2025 (at least 40 events, China
    first), and at least 10 surveys of people in China from 2019 on."""
    project = Project(root)
    debate = read_rows(project, "data/debate_events.csv")
    assert len(debate) >= 40
    years = {int(r["date"][:4]) for r in debate}
    assert set(range(2019, 2026)) <= years, f"years without a debate event: {set(range(2019, 2026)) - years}"
    assert sum(r["country"] == "CHN" for r in debate) > len(debate) / 2
    china = [s for s in read_rows(project, SURVEYS) if "CHN" in s["countries"].split(";")]
    dated = [s for s in china if (s["fieldwork_end"] or s["reported"])[:4] >= "2019"]
    assert len(dated) >= 10


# ---- bad input ----------------------------------------------------------------------------------

def test_a_share_above_100(copy):
    line = change_row(copy, RESULTS, "or-001", share="156")
    assert_problem(copy, RESULTS, line, "share", "156")


def test_a_result_for_an_unknown_survey(copy):
    line = change_row(copy, RESULTS, "or-001", survey_id="gallup2031")
    assert_problem(copy, RESULTS, line, "survey_id", "'gallup2031'", "data/opinion_surveys.csv")


def test_fieldwork_that_ends_before_it_starts(copy):
    line = change_row(copy, SURVEYS, "pew2019fr", fieldwork_end="2019-05-30")
    assert_problem(copy, SURVEYS, line, "fieldwork_end", "before fieldwork_start")


def test_a_base_larger_than_the_sample(copy):
    line = change_row(copy, RESULTS, "or-097", base="99999")   # China Youth Daily 2021: n = 2,033
    assert_problem(copy, RESULTS, line, "base", "99999", "2033")


def test_a_country_the_survey_did_not_cover(copy):
    line = change_row(copy, RESULTS, "or-001", country="CHN")  # Pew 2019 surveyed the US
    assert_problem(copy, RESULTS, line, "country", "'CHN'", "pew2019fr")


def test_a_survey_with_no_date(copy):
    line = change_row(copy, SURVEYS, "vzbv2017de", fieldwork_start="", fieldwork_end="", reported="")
    assert_problem(copy, SURVEYS, line, "reported", "needs a date")


# ---- the intervals --------------------------------------------------------------------------------

def test_wilson_matches_the_textbook_value():
    # 5 of 10 at 95 %: 0.2366 to 0.7634 (Wilson 1927; Newcombe 1998, table I)
    low, high = wilson(50, 10, 0.95)
    assert round(low / 100, 4) == 0.2366 and round(high / 100, 4) == 0.7634


def test_wilson_matches_the_formula_worked_by_hand():
    # 56 % of 4,272 (Pew 2019) at 95 %: z = 1.959964; worked step by step, apart from the code
    p, n, z = 0.56, 4272, 1.959963984540054
    denominator = 1 + z ** 2 / n
    centre = (p + z ** 2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2)) / denominator
    low, high = wilson(56, 4272, 0.95)
    assert abs(low - 100 * (centre - half)) < 1e-9 and abs(high - 100 * (centre + half)) < 1e-9
    assert 54.5 < low < 56 < high < 57.5
    # a lower confidence level gives a narrower interval
    low80, high80 = wilson(56, 4272, 0.80)
    assert low < low80 < 56 < high80 < high


# ---- the notebook ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_levels(tmp_path_factory):
    dest = tmp_path_factory.mktemp("opinion") / "project"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    project = Project(dest)
    base = load_plan(project).run("opinion")
    out = {}
    for level in (0.95, 0.80):
        run = Run(base.name, base.notebook, base.reads, {"confidence": level})
        execute(project, run)
        out[level] = glued(run.output(project))
    return project, out


@pytest.mark.build
def test_a_lower_confidence_level_narrows_the_glued_intervals(two_levels):
    project, out = two_levels
    assert out[0.95]["confidence_pct"] == "95" and out[0.80]["confidence_pct"] == "80"
    assert out[0.80]["median_halfwidth_prob"] < out[0.95]["median_halfwidth_prob"]
    assert out[0.80]["n_results"] == out[0.95]["n_results"]
    # the probability samples' median half-width, computed here from the CSV alone
    surveys = {s["id"]: s for s in read_rows(project, SURVEYS)}
    for level, z in ((0.95, 1.959963984540054), (0.80, 1.2815515655446004)):
        halves = []
        for r in read_rows(project, RESULTS):
            s = surveys[r["survey_id"]]
            if s["sampling"] != "probability" or r["approximate"] == "true":
                continue
            n = int(r["base"]) if r["base"] else (int(s["sample_size"]) if r["subgroup"] == "all" and ";" not in s["countries"] else None)
            if n is None:
                continue
            p = float(r["share"]) / 100
            halves.append(100 * z * math.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2)) / (1 + z ** 2 / n))
        halves.sort()
        mid = len(halves) // 2
        median = halves[mid] if len(halves) % 2 else (halves[mid - 1] + halves[mid]) / 2
        assert out[level]["median_halfwidth_prob"] == round(median, 1)

"""The regulation strand: its tables validate and cover what the chapter needs, bad input is named
by file, line and column, rules in the rollout table are the same facts as instruments, and the
notebook's counts at another as-of day are what pandas computes on the CSV."""
from __future__ import annotations

import dataclasses

import datetime as dt
import shutil

import pandas as pd
import pytest

from conftest import ROOT, SKIP, assert_problem, change_row, glued, read_rows, write_rows
from facereport.paths import Project
from facereport.run import execute
from facereport.runs import Run, load_plan
from facereport.validate import validate

REGS = "data/regulations.csv"
PROVS = "data/regulation_provisions.csv"
EVENTS = "data/rollout_events.csv"


# ---- the real data ------------------------------------------------------------------------------

def test_the_tables_hold_what_the_chapter_needs(root):
    from facereport import data
    project = Project(root)
    _, problems = validate(project)
    assert problems == []
    regs = data.load("regulations", project)
    provs = data.load("regulation_provisions", project)
    assert len(regs) >= 40
    assert regs["jurisdiction"].nunique() >= 10
    china = regs[regs["jurisdiction"] == "CHN"]
    assert (china["level"] == "national").sum() >= 10
    assert (regs["jurisdiction"].str.startswith("CN-") & (regs["level"] != "court")).sum() >= 3
    assert (regs["jurisdiction"].str.startswith("CN-") & (regs["level"] == "court")).sum() >= 2
    assert {"USA", "EU", "GBR"} <= set(regs["jurisdiction"])
    assert regs["jurisdiction"].str.startswith("US-").any()
    assert set(provs["instrument"]) <= set(regs["id"])
    assert provs["provision"].nunique() >= 10


def test_the_comparison_reaches_beyond_europe_and_north_america(root):
    """At least 15 countries and the EU, at least 5 of them outside Europe and North America (UN M49
    regions of country_context), each of those with coded provisions."""
    from facereport import data
    from facereport.strands.regulation import group
    project = Project(root)
    regs = data.load("regulations", project)
    provs = data.load("regulation_provisions", project)
    regs = regs.assign(country=regs["jurisdiction"].map(group))
    countries = set(regs["country"]) - {"EU"}
    assert "EU" in set(regs["country"]) and len(countries) >= 15, sorted(countries)
    region = dict(zip(*(lambda c: (c["country"], c["region"]))(data.load("country_context", project))))
    west = {r for r in set(region.values()) if "Europe" in r or r == "Northern America"}
    coded = set(regs.loc[regs["id"].isin(provs["instrument"]), "country"])
    beyond = {c for c in countries if region.get(c) not in west} - {"CHN"}
    assert len(beyond & coded) >= 5, sorted(beyond & coded)


def test_the_breadth_sentence_counts_countries_not_instruments():
    import pandas as pd
    from facereport.strands.regulation import breadth_sentence
    ins = pd.DataFrame({"id": ["a1", "a2", "b1", "c1"], "group": ["AAA", "AAA", "BBB", "CCC"]})
    provs = pd.DataFrame({"instrument": ["a1", "a2", "b1", "c1", "c1"],
                          "provision": ["consent_required", "consent_required", "consent_required", "minors", "retention_limit"]})
    live = pd.Series([True, True, True, False])
    labels = {"consent_required": "Consent required", "minors": "Rules for minors"}
    assert breadth_sentence(ins, provs, live, labels, top=1) == (
        "Across all 2 countries with an instrument in effect (the EU counted as one), the kinds of provision "
        "set in the most countries are: consent required (2 of 2).")
    assert breadth_sentence(ins, provs, pd.Series([False] * 4), labels) == "No instrument in this selection is in effect on that day."


def test_rules_in_the_rollout_table_are_instruments_with_the_same_dates(root):
    project = Project(root)
    instruments = {r["id"]: r for r in read_rows(project, REGS)}
    linked = [r for r in read_rows(project, EVENTS) if r["instrument"]]
    assert len(linked) >= 10
    for event in linked:
        inst = instruments[event["instrument"]]
        dates = [inst[k] for k in ("announced", "adopted", "effective") if inst[k]]
        if event["date_type"] == "reported":
            assert min(dates) <= event["date"], event["id"]
        else:
            assert any(d.startswith(event["date"]) or event["date"].startswith(d) for d in dates), event["id"]
    # the MIIT phone rule, the seed article's lead: announced in September, in effect on 1 December 2019
    miit = instruments["cn-miit-phone-2019"]
    assert miit["announced"].startswith("2019-09") and miit["effective"] == "2019-12-01"


# ---- bad input ----------------------------------------------------------------------------------

def test_effective_before_announced(copy):
    line = change_row(copy, REGS, "cn-pipl-2021", announced="2021-12-01")
    assert_problem(copy, REGS, line, "effective", "before announced", "2021-12-01")


def test_unknown_jurisdiction(copy):
    line = change_row(copy, REGS, "cn-pipl-2021", jurisdiction="XX")
    assert_problem(copy, REGS, line, "jurisdiction", "ISO 3166", "'XX'")


def test_a_draft_that_took_effect(copy):
    line = change_row(copy, REGS, "cn-cac-face-draft-2023", effective="2023-10-01")
    assert_problem(copy, REGS, line, "effective", "'draft'")


def test_unknown_status(copy):
    line = change_row(copy, REGS, "cn-pipl-2021", status="alive")
    assert_problem(copy, REGS, line, "status", "expected one of", "'alive'")


def test_a_provision_for_an_unknown_instrument(copy):
    rows = read_rows(copy, PROVS)
    rows[3]["instrument"] = "cn-no-such-law-2030"
    write_rows(copy, PROVS, rows)
    assert_problem(copy, PROVS, 5, "instrument", "'cn-no-such-law-2030'", "data/regulations.csv")


def test_a_rollout_row_pointing_at_a_missing_instrument(copy):
    line = change_row(copy, EVENTS, "ro-085", instrument="cn-spc-face-2031")
    assert_problem(copy, EVENTS, line, "instrument", "'cn-spc-face-2031'", "matches no id in data/regulations.csv")


def test_a_rollout_row_whose_date_disagrees_with_its_instrument(copy):
    line = change_row(copy, EVENTS, "ro-066", date="2019-12-02")
    assert_problem(copy, EVENTS, line, "date", "cn-miit-phone-2019", "2019-12-01")


# ---- the notebooks --------------------------------------------------------------------------------

def in_effect_by_hand(rows: list[dict], day: dt.date) -> int:
    """The count of instruments in effect on ``day``, computed from the CSV without the package."""
    def first(value):
        if not value:
            return None
        parts = [int(p) for p in value.split("-")] + [1, 1]
        return dt.date(parts[0], parts[1], parts[2])

    n = 0
    for r in rows:
        if r["status"] in ("draft", "withdrawn"):
            continue
        if r["status"] == "adopted":
            start = first(r["effective"])
        else:
            start = first(r["effective"]) or first(r["adopted"]) or first(r["announced"])
        ended = first(r["ended"])
        if start and start <= day and (ended is None or ended > day):
            n += 1
    return n


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    dest = tmp_path_factory.mktemp("regulation") / "project"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    project = Project(dest)
    base = load_plan(project).run("regulation")
    run = Run(base.name, base.notebook, base.reads, {"as_of": "2021-06-30", "compare": ["CHN", "EU", "USA"]})
    execute(project, run)
    chapter = glued(run.output(project))
    page = load_plan(project).run("regulation-china")
    execute(project, Run(page.name, page.notebook, page.reads, {**page.parameters, "as_of": "2021-06-30"}))
    return project, chapter, glued(page.output(project))


@pytest.mark.build
def test_the_count_in_effect_at_another_day_is_what_pandas_computes(executed):
    project, chapter, china = executed
    rows = read_rows(project, REGS)
    day = dt.date(2021, 6, 30)
    assert chapter["as_of"] == "2021-06-30"
    assert chapter["n_in_effect"] == in_effect_by_hand(rows, day)
    assert chapter["n_instruments"] == len(rows)
    chinese = [r for r in rows if r["jurisdiction"] == "CHN" or r["jurisdiction"].startswith("CN-")]
    assert chapter["chn_in_effect"] == in_effect_by_hand(chinese, day)
    assert china["n_in_effect"] == in_effect_by_hand(chinese, day)
    assert china["n_instruments"] == len(chinese)
    # and the default day, the day the data was last checked, counts more of them
    assert in_effect_by_hand(rows, dt.date(2026, 11, 26)) > chapter["n_in_effect"]


@pytest.mark.build
def test_sanctioned_vendors_come_from_the_provisions_table(executed):
    project, chapter, _ = executed
    provs = pd.read_csv(project.root / PROVS, dtype=str, keep_default_na=False)
    regs = pd.read_csv(project.root / REGS, dtype=str, keep_default_na=False)
    us = set(regs.loc[regs["jurisdiction"] == "USA", "id"])
    listed = provs[(provs["provision"] == "vendor_sanctioned") & provs["instrument"].isin(us)]
    assert chapter["n_us_listed_vendors"] == listed["value"].nunique() > 10


def test_every_jurisdiction_in_the_data_has_a_page(root):
    from facereport.strands.regulation import group
    project = Project(root)
    groups = {group(r["jurisdiction"]) for r in read_rows(project, REGS)}
    paged = set()
    for run in load_plan(project).runs:
        if run.notebook.name == "regulation_jurisdiction.ipynb":
            paged |= set(run.parameters["jurisdictions"])
    assert {"CHN", "USA", "EU"} <= paged
    assert groups - paged == set(), "jurisdictions whose instruments no page lists in full"


def test_the_default_as_of_day_moves_only_with_the_regulation_tables_sources(root):
    from facereport import data
    from facereport.paths import Project
    from facereport.strands import regulation
    project = Project(root)
    registry = data.sources(project)
    tables = [data.load("regulations", project), data.load("regulation_provisions", project)]
    day = regulation.default_as_of(registry, tables)
    # a source read later for another strand does not move it
    first = next(iter(registry.values()))
    later = dataclasses.replace(first, fields={**first.fields, "urldate": "2099-01-01"})   # Sources are frozen
    assert regulation.default_as_of({**registry, "zz_other_strand": later}, tables) == day
    # the day is the latest reading of a source these tables cite
    cited = {k.strip() for t in tables for cell in t["sources"] for k in cell.split(";") if k.strip()}
    assert day == pd.Timestamp(max(registry[k].fields["urldate"] for k in cited))
    assert "the latest day on which a source of the regulation tables was read" in regulation.as_of_phrase(day, False)

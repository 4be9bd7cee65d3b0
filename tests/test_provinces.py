"""The provinces strand: one page per provincial-level division of mainland China, generated from the
ISO 3166-2:CN list so that none is forgotten; the record deep enough for every page to say
something; and the pages' sentences true to their numbers for every province."""
from __future__ import annotations

import pandas as pd
import pycountry
import pytest

from facereport import data
from facereport.paths import Project
from facereport.places import MAINLAND, province_name, slug
from facereport.runs import load_plan
from facereport.strands import provinces

ISO_CN = {s.code for s in pycountry.subdivisions.get(country_code="CN")}


@pytest.fixture(scope="module")
def project(root):
    return Project(root)


@pytest.fixture(scope="module")
def tables(project):
    events = data.load("rollout_events", project)
    rules = data.load("regulations", project)
    context = data.load("province_context", project)
    debate = data.load("debate_events", project)
    return events, rules, context, debate


def test_the_31_are_the_iso_list_without_hong_kong_macau_and_taiwan():
    assert set(MAINLAND) == ISO_CN - {"CN-HK", "CN-MO", "CN-TW"}
    assert len(MAINLAND) == 31


def test_the_run_list_has_one_page_per_province_named_after_it(project):
    runs = [r for r in load_plan(project).runs if r.notebook.name == "province.ipynb"]
    codes = [r.parameters["province"] for r in runs]
    assert sorted(codes) == sorted(MAINLAND), set(MAINLAND) ^ set(codes)
    for run in runs:
        code = run.parameters["province"]
        assert run.name == slug(code) and run.title == province_name(code)
        # the page reads every table its notebook loads: a change to any of them reruns it
        assert {"rollout_events", "regulations", "regulation_provisions", "province_context",
                "debate_events"} <= set(run.reads)
    assert len({r.name for r in runs}) == 31


def test_a_code_outside_the_31_is_refused_with_the_list():
    message = provinces.check_selection({"province": "CN-HK"})
    assert message and "CN-HK" in message and "CN-ZJ" in message
    assert provinces.check_selection({"province": "CN-ZJ"}) is None


def test_the_census_table_has_the_31_and_their_populations(tables):
    _, _, context, _ = tables
    assert sorted(context["province"]) == sorted(MAINLAND)
    assert (context["population_year"] == 2020).all()
    # the 31 hold about 1.41 billion residents at the 2020 census; a figure mistyped by a factor
    # of ten (or a digit lost) moves the sum far out of this range
    assert 1.40e9 < context["population"].sum() < 1.42e9
    assert context.set_index("province").loc["CN-GD", "population"] > context.set_index("province").loc["CN-XZ", "population"] * 30


def test_every_province_has_three_events_from_two_sources_in_two_sectors(tables):
    events = tables[0]
    table = provinces.per_province(events, tables[1], tables[2])
    thin = table[(table["events"] < 3) | (table["sources"] < 2) | (table["sectors"] < 2)]
    assert thin.empty, thin[["events", "sources", "sectors"]].to_string()


def test_each_page_states_what_its_numbers_say(tables):
    """For every province, the sentences agree with the table they come from."""
    events, rules, context, debate = tables
    table = provinces.per_province(events, rules, context)
    placed = events[events["province"].isin(MAINLAND)]
    for code in MAINLAND:
        f = provinces.province_findings(code, events, table, debate)
        mine = placed[placed["province"] == code]
        assert f["n_events"] == len(mine)
        assert f["first_year"] == int(mine["date_year"].min())
        assert f["rank"] == 1 + int((placed["province"].value_counts() > len(mine)).sum())
        assert f"{len(mine)} rollout event" in f["record_sentence"]
        way = "earlier than" if f["first_year"] < f["median_first_year"] else (
            "later than" if f["first_year"] > f["median_first_year"] else "in the same year as")
        assert way in f["timing_sentence"]
        per = len(mine) / int(context.set_index("province").loc[code, "population"]) * 1e7
        assert f"{per:.2f} events per 10 million" in f["people_sentence"]
        assert f["n_debate"] == int((debate["province"] == code).sum())


def test_a_province_with_nothing_recorded_says_so_in_numbers(tables):
    events, rules, context, debate = tables
    emptied = events[events["province"] != "CN-QH"]
    table = provinces.per_province(emptied, rules[rules["jurisdiction"] != "CN-QH"], context)
    f = provinces.province_findings("CN-QH", emptied, table, debate[debate["province"] != "CN-QH"])
    assert f["n_events"] == 0
    assert "no rollout event placed in Qinghai" in f["record_sentence"]
    assert "not that facial recognition is absent" in f["record_sentence"]
    assert "0.00 events per 10 million" in f["people_sentence"]
    assert "No provincial or city rule" in f["rules_sentence"]
    assert "No event of the public debate is placed in Qinghai" in f["debate_sentence"]


def test_the_overview_states_the_spread(tables):
    events, rules, context, _ = tables
    table = provinces.per_province(events, rules, context)
    f = provinces.overview_findings(table, events)
    assert f["n_with_events"] == int((table["events"] > 0).sum())
    assert f"{f['n_with_three']} have three or more" in f["coverage_sentence"]
    top = table["events"].sort_values(ascending=False, kind="stable")
    assert f"{table.loc[top.index[0], 'name']} ({int(top.iloc[0])})" in f["unevenness_sentence"]
    assert f"{round(top.iloc[:3].sum() / top.sum() * 100):.0f} %" in f["unevenness_sentence"]
    per = table["per_people"].sort_values()
    assert f"{per.iloc[0]:.2f} ({table.loc[per.index[0], 'name']}, " in f["per_person_sentence"]


def test_every_placed_debate_event_is_in_mainland_china(tables):
    debate = tables[3]
    placed = debate[debate["province"] != ""]
    assert not placed.empty
    assert set(placed["province"]) <= set(MAINLAND)
    assert (placed["country"] == "CHN").all()


def test_the_overview_names_the_kinds_of_division_from_the_census_table(tables):
    events, rules, context, _ = tables
    table = provinces.per_province(events, rules, context)
    f = provinces.overview_findings(table, events, context)
    kinds = context["type"].value_counts()
    assert f["kinds_sentence"].startswith(f"{kinds['province']} provinces, {kinds['autonomous_region']} autonomous regions")
    assert f["n_near_floor"] == int(table["events"].between(3, 4).sum())


def test_the_overview_counts_per_the_residents_its_parameter_gives(tables):
    events, rules, context, _ = tables
    ten = provinces.per_province(events, rules, context)
    one = provinces.per_province(events, rules, context, per=1_000_000)
    assert ((one["per_people"] - ten["per_people"] / 10).abs() <= 0.01).all()
    f = provinces.overview_findings(one, events, context, per=1_000_000)
    assert f["per_person_sentence"].startswith("Per million residents") and f["per_label"] == "million"
    assert "Per million people" in provinces.overview_table(one, 1_000_000)
    assert provinces.per_label(100_000) == "100,000" and provinces.per_label(10_000_000) == "10 million"

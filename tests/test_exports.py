"""The exports strand: its tables validate and cover what the chapter needs, bad input is named by
file, line and column, every importing country has a shape on the map, and a vendor page's
numbers (and the sanctions it shows) are what pandas finds in the data."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from conftest import ROOT, SKIP, assert_problem, change_row, glued, read_rows
from facereport.paths import Project
from facereport.run import execute
from facereport.runs import load_plan
from facereport.validate import validate

EXPORTS = "data/exports.csv"


def test_the_tables_hold_what_the_chapter_needs(root):
    project = Project(root)
    _, problems = validate(project)
    assert problems == []
    rows = read_rows(project, EXPORTS)
    assert len({r["country"] for r in rows}) >= 60
    named_vendors = {r["vendor"] for r in rows} - {"other"}
    assert len(named_vendors) >= 8
    assert {"huawei", "zte", "hikvision", "dahua", "cloudwalk", "megvii", "yitu", "ceiec"} <= named_vendors
    context = {r["country"]: r for r in read_rows(project, "data/country_context.csv")}
    assert all(r["country"] in context for r in rows), "every importing country has its context"
    assert len(read_rows(project, "data/export_headlines.csv")) >= 5


def test_every_country_the_index_alone_links_says_what_was_searched(root):
    """Issue 15: every importing country has a reported deployment, or a note saying what was
    searched and not found; and the chapter's sentence follows the notes."""
    from facereport import data
    from facereport.strands import exports
    project = Project(root)
    rows = read_rows(project, EXPORTS)
    reported = {r["country"] for r in rows if r["basis"] == "report"}
    notes = {r["country"]: r for r in read_rows(project, "data/export_search_notes.csv")}
    index_only = {r["country"] for r in rows} - reported
    assert index_only <= {c for c, n in notes.items() if n["result"] == "not_found" and n["queries"]}
    only = exports.index_only(data.load("exports", project), data.load("export_search_notes", project), {})
    assert set(only["country"]) == index_only
    sentence = exports.index_only_sentence(only, 1)
    assert sentence.startswith(f"{len(index_only)} importing countr") or (not index_only and sentence.startswith("Every"))
    assert exports.index_only_sentence(only.iloc[:0], 0).startswith("This selection leaves out the index's links")


def test_every_importing_country_has_a_shape_on_the_map(root):
    from facereport import data
    shapes = data.shapes(project=Project(root))
    missing = {r["country"] for r in read_rows(Project(root), EXPORTS)} - set(shapes["iso3"].dropna())
    assert missing == set()


# ---- bad input ----------------------------------------------------------------------------------

def test_an_unknown_country_code(copy):
    line = change_row(copy, EXPORTS, "ex-001", country="XXX")
    assert_problem(copy, EXPORTS, line, "country", "ISO 3166-1 alpha-3", "'XXX'")


def test_a_year_in_the_future(copy):
    import datetime as dt
    line = change_row(copy, EXPORTS, "ex-001", year="2027")
    assert_problem(copy, EXPORTS, line, "year", "in the future", today=dt.date(2026, 11, 26))


def test_a_vendor_not_in_the_vendor_list(copy):
    line = change_row(copy, EXPORTS, "ex-001", vendor="acme")
    assert_problem(copy, EXPORTS, line, "vendor", "'acme'", "data/vendors.csv")


def test_a_range_that_ends_before_it_starts(copy):
    rows = read_rows(copy, EXPORTS)
    dated = next(r for r in rows if r["year"])
    line = change_row(copy, EXPORTS, dated["id"], year_to=str(int(dated["year"][:4]) - 1))
    assert_problem(copy, EXPORTS, line, "year_to", "before year")


# ---- a vendor page --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def vendor_pages(tmp_path_factory):
    dest = tmp_path_factory.mktemp("exports") / "project"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    project = Project(dest)
    out = {}
    for name in ("vendor-zte", "vendor-huawei"):
        run = load_plan(project).run(name)
        execute(project, run)
        out[run.parameters["vendor"]] = glued(run.output(project))
    return project, out


@pytest.mark.build
def test_a_vendor_pages_numbers_are_what_pandas_finds(vendor_pages):
    project, out = vendor_pages
    table = pd.read_csv(project.root / EXPORTS, dtype=str, keep_default_na=False)
    for vendor, page in out.items():
        mine = table[table["vendor"] == vendor]
        assert page["n_countries"] == mine["country"].nunique()
        assert page["n_reports"] == (mine["basis"] == "report").sum()
        assert page["n_index_links"] == (mine["basis"] == "index").sum()
        years = mine["year"].str[:4]
        assert page["first_year"] == int(years[years != ""].min())


@pytest.mark.build
def test_a_vendor_page_shows_the_sanctions_of_the_regulation_tables(vendor_pages):
    project, out = vendor_pages
    provisions = pd.read_csv(project.root / "data/regulation_provisions.csv", dtype=str, keep_default_na=False)
    listed = provisions[(provisions["provision"] == "vendor_sanctioned") & (provisions["value"] == "Huawei")]
    assert out["huawei"]["n_sanctions"] == len(listed) > 0
    for instrument in listed["instrument"]:
        assert instrument in out["huawei"]["sanction_list"]

"""The second reading (data/checks.csv): each reading names a row that exists and says what it found;
the counts per table that the landing and data pages show come from the latest reading of each
row. The search notes of exports (data/export_search_notes.csv) agree with exports.csv."""
from __future__ import annotations

from conftest import assert_problem, read_rows, write_rows
from facereport import data
from facereport.readings import by_table, row_results, summary_sentence
from facereport.validate import validate

CHECKS = "data/checks.csv"
NOTES = "data/export_search_notes.csv"


def reading(table, row, result="verified", checked="2026-12-03", reader="test-reader", corrections="", notes="x"):
    return {"table": table, "row": row, "checked": checked, "reader": reader, "source": "goh2019reuters",
            "address": "https://example.org/", "result": result, "corrections": corrections, "notes": notes}


def with_readings(project, readings):
    write_rows(project, CHECKS, readings)


def counts(project):
    return {c.table: c for c in by_table(project.data_dir, data.descriptor(project))}


def test_counts_per_table_use_the_latest_reading_of_each_row(copy):
    with_readings(copy, [
        reading("rollout_events", "ro-001", "not_rereadable", checked="2026-12-01"),
        reading("rollout_events", "ro-001", "verified", checked="2026-12-03", reader="third-reader"),
        reading("rollout_events", "ro-002", "corrected", corrections="date: 2014 -> 2014-05-08"),
        reading("regulation_provisions", "cn-miit-phone-2019/mandate/yes"),
        reading("country_context", "CHN", "not_rereadable", notes="the dataset's copy was not found"),
    ])
    assert validate(copy)[1] == []
    c = counts(copy)
    n_rollout = len(read_rows(copy, "data/rollout_events.csv"))
    assert (c["rollout_events"].verified, c["rollout_events"].corrected, c["rollout_events"].not_rereadable) == (1, 1, 0)
    assert c["rollout_events"].unread == n_rollout - 2
    assert c["regulation_provisions"].verified == 1
    assert c["country_context"].not_rereadable == 1
    assert "checks" not in c and "export_search_notes" not in c
    assert row_results(copy.data_dir, data.descriptor(copy))["ro-001"] == "verified"
    sentence = summary_sentence(list(c.values()))
    assert sentence.startswith("A second reader, not the one who collected them, has read 4 of the ")
    assert "2 verified as recorded, 1 corrected, and 1 whose source could not be found again" in sentence


def test_no_readings_is_said_plainly(copy):
    write_rows(copy, CHECKS, [reading("rollout_events", "ro-001")])
    c = list(counts(copy).values())
    zero = [type(x)(x.table, x.title, x.rows, 0, 0, 0) for x in c]
    assert summary_sentence(zero).startswith("None of the ")


def test_a_reading_names_a_row_that_exists(copy):
    with_readings(copy, [reading("rollout_events", "ro-001"), reading("rollout_events", "ro-9999"),
                         reading("regulation_provisions", "cn-pipl-2021/consent_required/no")])
    assert_problem(copy, CHECKS, 3, "row", "'ro-9999' is no row of data/rollout_events.csv", "named by its id")
    assert_problem(copy, CHECKS, 4, "row", "named by its instrument/provision/value")


def test_a_reading_says_what_it_found(copy):
    with_readings(copy, [reading("rollout_events", "ro-001", "corrected"),
                         reading("rollout_events", "ro-002", "not_rereadable", notes=""),
                         reading("rollout_events", "ro-003", "verified", corrections="date: 2014 -> 2015"),
                         reading("rollout_events", "ro-004", "Verified"),
                         # a row not found again whose source entry was corrected says both
                         reading("rollout_events", "ro-005", "not_rereadable", corrections="sources.bib x: url added")])
    assert_problem(copy, CHECKS, 2, "corrections", "list what changed")
    assert_problem(copy, CHECKS, 3, "notes", "say where the text was looked for")
    assert_problem(copy, CHECKS, 4, "result", "use 'corrected'")
    assert_problem(copy, CHECKS, 5, "result", "verified")
    assert not [p for p in validate(copy)[1] if p.path == CHECKS and p.line == 6]


def test_a_wrong_id_is_reported_once_at_its_own_cell_not_at_the_readings(copy):
    """A reading of a row whose id is itself wrong is not a second line: the id is the cell to change."""
    with_readings(copy, [reading("rollout_events", "ro-001")])
    rows = read_rows(copy, "data/rollout_events.csv")
    rows[0]["id"] = "RO-001"
    write_rows(copy, "data/rollout_events.csv", rows)
    _, problems = validate(copy)
    assert [p.path for p in problems] == ["data/rollout_events.csv"], [str(p) for p in problems]


def test_search_notes_agree_with_the_exports_table(copy):
    exports = read_rows(copy, "data/exports.csv")
    reported = next(r["country"] for r in exports if r["basis"] == "report")
    index_only = sorted({r["country"] for r in exports} - {r["country"] for r in exports if r["basis"] == "report"})
    assert index_only, "the test needs a country with index rows only"
    write_rows(copy, NOTES, [
        {"country": reported, "searched": "2026-12-03", "queries": "q", "result": "not_found", "notes": "x", "sources": ""},
        {"country": index_only[0], "searched": "2026-12-03", "queries": "q", "result": "found", "notes": "x", "sources": ""},
    ])
    assert_problem(copy, NOTES, 2, "result", "'not_found', but data/exports.csv has reported deployments for " + reported)
    assert_problem(copy, NOTES, 3, "result", f"'found', but data/exports.csv has no reported deployment (basis 'report') for {index_only[0]}")


def test_every_row_of_the_record_is_read_twice_or_says_why(root):
    """Issue 15's target: every row has a second reading, verified, corrected, or marked with where
    its text was looked for. A new row lands with its reading."""
    from facereport.paths import Project
    project = Project(root)
    unread = {c.table: c.unread for c in by_table(project.data_dir, data.descriptor(project)) if c.unread}
    assert unread == {}, f"rows with no second reading, per table: {unread}"

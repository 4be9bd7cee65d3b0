"""Bad input gets a clear error naming the file, the line and the column, and a non-zero exit."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest

from conftest import cli, drop_readings
from facereport.validate import validate

TABLE = "data/rollout_events.csv"


def rows(project):
    with open(project.root / TABLE, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(project, table):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(table)
    (project.root / TABLE).write_text(buf.getvalue(), encoding="utf-8")


def set_cell(project, data_row: int, column: str, value: str) -> int:
    """Set one cell of data row ``data_row`` (0-based); returns the file line it is on."""
    table = rows(project)
    table[data_row + 1][table[0].index(column)] = value
    write_rows(project, table)
    return data_row + 2


def problems_of(project, **kw):
    _, problems = validate(project, **kw)
    return problems


def assert_named(problems, path, line, column, *words):
    """One problem names this file, line and column, and says each of ``words``."""
    hits = [p for p in problems if p.path == path and p.line == line and p.column == column]
    assert hits, f"no problem at {path}:{line} column {column!r}; got: {[str(p) for p in problems]}"
    text = str(hits[0])
    assert f"{path}:{line}:" in text and (not column or f"'{column}'" in text)
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"


def test_the_real_data_is_valid_and_covers_what_the_chapter_needs(root):
    from facereport import data
    from facereport.paths import Project
    summary, problems = validate(Project(root))
    assert problems == []
    events = data.load("rollout_events", Project(root))
    assert len(events) >= 60
    assert events["sector"].nunique() >= 8
    assert events.loc[events["province"] != "", "province"].nunique() >= 12
    # the seed article (Reuters, 2 December 2019) is cited, and every source is cited by a row
    assert events["sources"].str.contains("goh2019reuters").sum() >= 10
    assert summary.unused_sources == []


# ---- one case per kind of bad input -------------------------------------------------------

# One bad cell each: (data row, column, bad value, words the message must say).
BAD_CELLS = [
    (3, 'date', "2019-13-01", ('2019-13-01', 'not a real date')),
    (4, 'date', "12/01/2019", ('YYYY, YYYY-MM or YYYY-MM-DD',)),
    (5, 'date', "2019-02-30", ('not a real date',)),
    (7, 'sector', "space_travel", ('expected one of', 'space_travel')),
    (9, 'sources', "goh2019reuters;nosuchsource2030", ("'nosuchsource2030'", 'not found in data/sources.bib')),
    (10, 'province', "CN-XX", ('ISO 3166-2', 'CN-XX')),
    (11, 'evidence', "", ('required',)),
    (12, 'summary', "A summary that runs\nonto a second line of the file.", ('line break',)),
    (13, 'city', " Hangzhou", ('leading or trailing spaces',)),
]


@pytest.mark.parametrize("row, column, value, words", BAD_CELLS, ids=lambda v: v if isinstance(v, str) else None)
def test_a_bad_cell_is_named(copy, row, column, value, words):
    line = set_cell(copy, row, column, value)
    assert_named(problems_of(copy), TABLE, line, column, *words)


def test_future_date(copy):
    set_cell(copy, 6, "date_type", "scheduled")   # a date after its source's is one given in advance
    set_cell(copy, 6, "instrument", "")
    line = set_cell(copy, 6, "date", "2026-12")
    assert_named(problems_of(copy, today=dt.date(2026, 11, 26)), TABLE, line, "date", "in the future")
    # the same month is fine once it has begun
    assert not [p for p in problems_of(copy, today=dt.date(2026, 12, 1)) if p.path == TABLE and p.line == line]


def test_duplicate_id(copy):
    first = rows(copy)[1][0]
    line = set_cell(copy, 8, "id", first)
    assert_named(problems_of(copy), TABLE, line, "id", "duplicate", "already used at line 2")


def test_renamed_column(copy):
    table = rows(copy)
    table[0][table[0].index("date")] = "day"
    write_rows(copy, table)
    assert_named(problems_of(copy), TABLE, 1, "day", "expected column 2 to be 'date'")


def test_missing_cell(copy):
    table = rows(copy)
    table[14] = table[14][:-1]
    write_rows(copy, table)
    n = len(table[0])
    assert_named(problems_of(copy), TABLE, 15, "", f"expected {n} cells, found {n - 1}")


def test_not_utf8(copy):
    path = copy.root / TABLE
    lines = path.read_bytes().split(b"\n")
    lines[19] = lines[19].replace(b"reported", "reportéd".encode("latin-1"), 1)
    path.write_bytes(b"\n".join(lines))
    problems = problems_of(copy)
    assert_named(problems, TABLE, 20, problems[0].column, "not UTF-8", "0xe9")
    assert problems[0].column in ("date_type", "summary")  # the column holding the bad byte


def test_byte_order_mark(copy):
    path = copy.root / TABLE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert_named(problems_of(copy), TABLE, 1, "", "byte-order mark")


def test_javascript_url_in_registry(copy):
    bib = copy.root / "data/sources.bib"
    text = bib.read_text(encoding="utf-8")
    text, n = re.subn(r"^  url = \{https?://[^}]*\}", "  url = {javascript:alert(1)}", text, count=1, flags=re.M)
    assert n == 1
    bib.write_text(text, encoding="utf-8")
    line = text[: text.index("javascript:")].count("\n") + 1
    assert_named(problems_of(copy), "data/sources.bib", line, "url", "http:// or https://", "javascript:")


def drop_bib_line(project, entry: str, line: str) -> int:
    """Remove ``line`` from the registry entry that starts ``entry``; returns the entry's line."""
    bib = project.root / "data/sources.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index(entry)
    bib.write_text(text[:start] + text[start:].replace(line, "", 1), encoding="utf-8")
    return text[:start].count("\n") + 1


def test_registry_entry_without_urldate(copy):
    line = drop_bib_line(copy, "@article{goh2019reuters", "  urldate = {2026-11-26},\n")
    assert_named(problems_of(copy), "data/sources.bib", line, "urldate", "goh2019reuters", "needs a urldate")


def test_registry_syntax_error(copy):
    bib = copy.root / "data/sources.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@article{broken,\n  title = {Unclosed\n", encoding="utf-8")
    problems = problems_of(copy)
    assert problems and problems[0].path == "data/sources.bib" and "syntax" in problems[0].message.lower()


def test_registry_duplicate_key(copy):
    bib = copy.root / "data/sources.bib"
    text = bib.read_text(encoding="utf-8")
    first = text[text.index("@article{goh2019reuters"):]
    entry = first[: first.index("\n}\n") + 3]
    bib.write_text(text + "\n" + entry, encoding="utf-8")
    problems = problems_of(copy)
    assert "defined twice" in problems[0].message and problems[0].line > 1


def test_datapackage_not_json(copy):
    path = copy.root / "data/datapackage.json"
    text, n = re.subn(r'("version": "[^"]*"),', r"\1", path.read_text(encoding="utf-8"), count=1)   # a comma lost
    assert n == 1
    path.write_text(text, encoding="utf-8")
    problems = problems_of(copy)
    assert problems[0].path == "data/datapackage.json" and "not valid JSON" in problems[0].message
    assert problems[0].line == text[: text.index('"licenses"')].count("\n") + 1


def test_schema_names_an_unknown_check(copy):
    path = copy.root / "data/datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    desc["resources"][1]["schema"]["fields"][1]["x-check"] = "astrology"
    path.write_text(json.dumps(desc, indent=2), encoding="utf-8")
    problems = problems_of(copy)
    assert any("unknown check 'astrology'" in p.message for p in problems)


# ---- the command ----------------------------------------------------------------------------

def test_command_exits_non_zero_and_names_every_problem(copy):
    set_cell(copy, 3, "sector", "space_travel")
    set_cell(copy, 4, "province", "CN-XX")
    result = cli(copy, "validate")
    assert result.returncode == 2
    assert f"{TABLE}:5: column 'sector'" in result.stderr
    assert f"{TABLE}:6: column 'province'" in result.stderr
    assert "2 problem(s) in 1 file(s)" in result.stderr


def test_command_succeeds_on_good_data(copy):
    result = cli(copy, "validate")
    assert result.returncode == 0, result.stderr
    assert "data/ is valid" in result.stdout


# ---- empty and extreme tables, and faults reported where they are written ----------------------

def test_a_table_with_a_header_and_no_rows_is_an_error(copy):
    write_rows(copy, rows(copy)[:1])
    assert_named(problems_of(copy), TABLE, 1, "", "header but no rows")


def test_a_table_that_may_be_empty_says_so_in_its_schema(copy):
    write_rows(copy, rows(copy)[:1])
    path = copy.root / "data/datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    desc["resources"][1]["x-allow-empty"] = True
    path.write_text(json.dumps(desc, indent=2), encoding="utf-8")
    assert not [p for p in problems_of(copy) if p.path == TABLE]


def test_ids_go_past_999(copy):
    table = rows(copy)
    table[1][0] = "ro-1000"
    table[2][0] = "ro-123456"
    write_rows(copy, table)
    assert not [p for p in problems_of(copy) if p.column == "id"]


def test_thousands_of_bad_rows_are_counted_and_the_list_says_it_is_cut(copy):
    table = rows(copy)
    template = table[1]
    sector = table[0].index("sector")
    bad = [[f"ro-{5000 + i}", *template[1:sector], "space_travel", *template[sector + 1:]] for i in range(3000)]
    write_rows(copy, [table[0], *bad])
    drop_readings(copy, "rollout_events")   # they name rows that are gone
    result = cli(copy, "validate")
    assert result.returncode == 2
    err = result.stderr
    assert "the list is cut here: 100 of 3000 problem(s) shown" in err   # all counted, not 1000
    assert len(err.splitlines()) == 102


def test_an_unbalanced_brace_is_reported_at_its_own_entry(copy):
    bib = copy.root / "data/sources.bib"
    text = bib.read_text(encoding="utf-8")
    at = text.index("  title = {湖北")
    text = text[:at] + text[at:].replace("},\n", ",\n", 1)   # the title loses its closing brace
    bib.write_text(text, encoding="utf-8")
    line = text[:at].count("\n") + 1
    problems = problems_of(copy)
    assert_named(problems, "data/sources.bib", line, "", "51test20160607hubei", "'title'", "braces do not balance")


def test_an_entry_without_its_closing_brace_is_reported_at_its_start(copy):
    bib = copy.root / "data/sources.bib"
    text = bib.read_text(encoding="utf-8")
    at = text.index("@article{afzhan20170911rental")
    text = text[:at] + text[at:].replace("\n}\n", "\n\n", 1)
    bib.write_text(text, encoding="utf-8")
    line = text[:at].count("\n") + 1
    assert_named(problems_of(copy), "data/sources.bib", line, "", "afzhan20170911rental", "no closing '}'")


def test_a_resource_path_naming_no_file_is_reported_in_the_datapackage(copy):
    path = copy.root / "data/datapackage.json"
    text = path.read_text(encoding="utf-8").replace('"path": "rollout_events.csv"', '"path": "rollout_event.csv"')
    path.write_text(text, encoding="utf-8")
    line = text[: text.index('"path": "rollout_event.csv"')].count("\n") + 1
    assert_named(problems_of(copy), "data/datapackage.json", line, "path", "'rollout_event.csv'", "names no file")


# ---- messages that point at the real fault, once ------------------------------------------------

def test_a_missing_column_is_named_as_missing(copy):
    table = rows(copy)
    at = table[0].index("confidence")
    write_rows(copy, [r[:at] + r[at + 1:] for r in table])
    problems = problems_of(copy)
    assert_named(problems, TABLE, 1, "confidence", "'confidence' is missing", "after 'evidence'")
    assert len(problems) == 1, [str(p) for p in problems]


def test_an_unclosed_quote_is_called_a_quote_problem_once(copy):
    table = rows(copy)
    city = table[0].index("city")
    i = next(i for i, r in enumerate(table[1:], 1) if r[city] and "," not in r[city] and '"' not in r[city])
    path = copy.root / TABLE
    lines = path.read_text(encoding="utf-8").split("\n")
    assert f",{table[i][city]}," in lines[i]
    lines[i] = lines[i].replace(f",{table[i][city]},", f',"{table[i][city]},', 1)   # opened, never closed
    path.write_text("\n".join(lines), encoding="utf-8")
    problems = [p for p in problems_of(copy) if p.path == TABLE]
    assert problems and problems[0].line == i + 1 and problems[0].column == "city", [str(p) for p in problems]
    assert "quote" in problems[0].message and "does not close" in problems[0].message
    assert len(problems) == 1, [str(p) for p in problems]


def test_a_date_in_another_format_is_reported_once(copy):
    line = set_cell(copy, 5, "date", "08/05/2014")
    hits = [p for p in problems_of(copy) if p.line == line]
    assert len(hits) == 1 and hits[0].column == "date", [str(p) for p in hits]


def test_a_trailing_blank_line_is_one_problem_that_says_so(copy):
    path = copy.root / TABLE
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    problems = problems_of(copy)
    assert len(problems) == 1, [str(p) for p in problems]
    assert "blank line at the end of the file" in problems[0].message


# ---- dates that follow date_type and the first source; possible duplicates; copies ---------------

def row_of(project, event_id):
    table = rows(project)
    return next(i for i, r in enumerate(table[1:]) if r[0] == event_id)


def test_a_reported_date_is_the_first_sources_publication_date(copy):
    # ro-089 is 'reported', first source published 2022-04-22
    line = set_cell(copy, row_of(copy, "ro-089"), "date", "2022-04-21")
    assert_named(problems_of(copy), TABLE, line, "date", "'reported'", "'sxdaily20220422xianmetro'", "2022-04-22")


def test_an_event_cannot_occur_after_the_source_that_reports_it(copy):
    line = set_cell(copy, row_of(copy, "ro-080"), "date", "2021-01-01")   # given in advance by a 2020 source
    assert_named(problems_of(copy), TABLE, line, "date", "after its first source", "'scheduled'")
    # a date given in advance is what 'scheduled' is for
    set_cell(copy, row_of(copy, "ro-080"), "date_type", "scheduled")
    set_cell(copy, row_of(copy, "ro-080"), "instrument", "")
    assert not [p for p in problems_of(copy) if p.line == line]


def test_a_reported_row_needs_a_dated_first_source(copy):
    drop_bib_line(copy, "@article{sxdaily20220422xianmetro", "  date = {2022-04-22},\n")
    line = row_of(copy, "ro-089") + 2
    assert_named(problems_of(copy), TABLE, line, "date_type", "has no date")


def test_possible_duplicates_are_flagged_unless_allowed(copy):
    table = rows(copy)
    header = table[0]
    twin = list(table[5])
    twin[0] = "ro-999"
    twin[header.index("summary")] = "A second report of the same event, planted for the duplicate rule."
    table.append(twin)
    write_rows(copy, table)
    first = table[5][0]
    assert_named(problems_of(copy), TABLE, len(table), "date", f"as {first}", "allowed")
    path = copy.root / "data/datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    ro = next(r for r in desc["resources"] if r["name"] == "rollout_events")
    ro["x-possible-duplicates"]["allowed"].append([first, "ro-999"])
    path.write_text(json.dumps(desc, indent=2, ensure_ascii=False), encoding="utf-8")
    assert not [p for p in problems_of(copy) if p.line == len(table)]


@pytest.mark.parametrize("fields, column, words", [
    ("  copyurl = {http://example.org/copy.html},\n", "copyurl", ("needs copyscript",)),
    ("  copyscript = {Hant},\n", "copyscript", ("copyurl",)),
    ("  copyurl = {javascript:alert(1)},\n  copyscript = {Hant},\n", "copyurl", ("http:// or https://",)),
    ("  copyurl = {http://example.org/copy.html},\n  copyscript = {Chinese},\n", "copyscript", ("ISO 15924", "'Chinese'")),
], ids=["url-without-script", "script-without-url", "javascript-url", "unknown-script"])
def test_a_copy_is_described_by_its_address_and_script(copy, fields, column, words):
    bib = copy.root / "data/sources.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("@article{thatsmags20191204facedata")
    text = text[:start] + text[start:].replace("  urldate = {2026-11-26},\n", "  urldate = {2026-11-26},\n" + fields, 1)
    bib.write_text(text, encoding="utf-8")
    line = text[:start].count("\n") + 1 + text[start:].split("\n").index(fields.split("\n")[0 if column == "copyurl" or "copyurl" not in fields else 1])
    assert_named(problems_of(copy), "data/sources.bib", line, column, *words)


def test_the_seeds_rollout_facts_are_rows_cited_to_it(root):
    """Each rollout fact of the Reuters article of 2 December 2019 is a row that cites it, dated by
    the earliest source that dates it (the seed itself where it is the earliest)."""
    with open(root / TABLE, encoding="utf-8", newline="") as fh:
        cited = {r["id"]: r for r in csv.DictReader(fh) if "goh2019reuters" in r["sources"].split(";")}
    facts = {  # the fact, and the row that records it
        "telecom face checks in effect on Sunday 1 December": "ro-066",
        "rules first announced in September": "ro-057",
        "Hema face payment": "ro-068",
        "Beijing metro to classify passengers": "ro-062",
        "59 public rental housing communities": "ro-053",
        "Xinjiang": "ro-032",
        "police glasses": "ro-031",
        "Hangzhou wildlife park lawsuit": "ro-063",
        "5,000 faces for 10 yuan": "ro-065",
        "jaywalkers at street crossings": "ro-017",
        "gaokao registration": "ro-002",
        "SenseTime booth at the Public Security Expo": "ro-027",
        "hotel check-in in Hangzhou": "ro-046",
    }
    for fact, event_id in facts.items():
        assert event_id in cited, f"{fact}: {event_id} no longer cites the seed"
    assert cited["ro-066"]["date"] == "2019-12-01" and cited["ro-057"]["date"] == "2019-09"
    assert cited["ro-063"]["date"] == "2019-10-28" and cited["ro-065"]["date"] == "2019-11-29"
    # no row is dated by the seed's own day unless the seed is its only dated source
    assert not [r for r in cited.values() if r["date"] == "2019-12-02"]


def test_the_seeds_other_facts_are_rows_cited_to_it(root):
    """The seed's facts beyond the rollout: the rules (the telecom rule, the deepfake rules, the
    US trade blacklist), the public debate, and the exports it names."""
    def citing(path):
        with open(root / path, encoding="utf-8", newline="") as fh:
            return {r[list(r)[0]]: r for r in csv.DictReader(fh) if "goh2019reuters" in r["sources"].split(";")}
    rules = citing("data/regulations.csv")
    assert {"cn-miit-phone-2019", "cn-av-services-2019", "us-entity-list-2019-10"} <= set(rules)
    debate = citing("data/debate_events.csv")
    assert any("little public opposition" in r["evidence"] for r in debate.values())
    exported = citing("data/exports.csv")
    assert {(r["country"], r["vendor"]) for r in exported.values()} >= {("ARG", "zte"), ("MMR", "huawei")}


def test_a_table_loaded_again_after_a_data_file_changed_is_validated_again(copy):
    """data.load keeps typed frames for warm kernels, by the digest of data/: a change anywhere in
    data/ (the table, or the registry its rows cite) is seen by the next load."""
    from facereport import data
    from facereport.bib import BibError
    from facereport.validate import DataError

    events = data.load("rollout_events", copy)
    events.loc[0, "summary"] = "changed by a caller"
    assert data.load("rollout_events", copy).loc[0, "summary"] != "changed by a caller"   # a copy each time
    path = copy.data_dir / "rollout_events.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",high,", ",certain,", 1), encoding="utf-8")
    with pytest.raises(DataError, match="certain"):
        data.load("rollout_events", copy)
    bib = copy.data_dir / "sources.bib"
    first = bib.read_text(encoding="utf-8").split("\n@")[1]
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@" + first, encoding="utf-8")
    with pytest.raises(BibError, match="defined twice"):
        data.sources(copy)


def test_validation_is_reused_only_while_nothing_it_read_changed(copy):
    """The build's stamp: data/ as it was at the last clean validation, the validator's code and the
    day. Any change to data/ validates again, and a failing validation leaves no stamp."""
    from facereport.validate.stamp import STAMP, validate_once

    first = validate_once(copy)
    assert first[1] == [] and first[2] is False
    again = validate_once(copy)
    assert again[2] is True and again[0] == first[0]
    path = copy.data_dir / "debate_events.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",CHN,", ",CHINA,", 1), encoding="utf-8")
    summary, problems, reused = validate_once(copy)
    assert not reused and any("CHINA" in p.message for p in problems)
    assert not (copy.build_dir / STAMP).exists()
    assert validate_once(copy)[2] is False   # still failing: validated in full again

"""Every table as strict as the rollout: for each table, each kind of bad input (a code not written
as its standard writes it, a value its kind does not allow, a number written as anything but plain
ASCII digits, a boolean in another case, a value that other tables' rules read) is exactly one line
that names file, line and column, with a hint at the right form; nothing else is reported, in this
table or in the tables that read it.

The same cases, planted all at once, make ``python -m facereport.validate`` exit 2 with one line
each here, and stop the build with the last good book byte-identical in test_build.py.
"""
from __future__ import annotations

import pytest

from conftest import ROOT, SKIP, cli, planted
from facereport.paths import Project
from facereport.validate import BAD_DATA_EXIT, validate

# (kind, file, row id (the first column), column, bad value, what the one line says)
CASES = [
    # rollout_events
    ("lower-case code", "data/rollout_events.csv", "ro-001", "province", "cn-hi", "write the ISO code in upper case: CN-HI"),
    ("enum in another case", "data/rollout_events.csv", "ro-002", "sector", "Education", "write it as the schema does: education"),
    ("full-width digits", "data/rollout_events.csv", "ro-003", "date", "２０１４-０８-２４", "write it in half-width digits: 2014-08-24"),
    # regulations
    ("lower-case code", "data/regulations.csv", "cn-pipl-2021", "jurisdiction", "chn", "write the ISO code in upper case: CHN"),
    # ... the instrument's date, which a rollout row must agree with (ro-066): not read while wrong
    ("cross-table cause", "data/regulations.csv", "cn-miit-phone-2019", "effective", "２０１９-１２-０１", "write it in half-width digits: 2019-12-01"),
    # ... an id that six provisions refer to: the id is the line to change, not the six references
    ("cross-table cause", "data/regulations.csv", "cn-pipl-2021", "id", "CN-PIPL-2021", "write it in lower case: cn-pipl-2021"),
    # regulation_provisions (the first row of each instrument)
    ("unconstrained value", "data/regulation_provisions.csv", "cn-pipl-2021", "value", "maybe", "for a provision 'biometric_sensitive', expected 'yes'; found 'maybe'"),
    ("unconstrained value", "data/regulation_provisions.csv", "us-entity-list-2019-10", "value", "hikvision", "found 'hikvision'"),
    ("enum in another case", "data/regulation_provisions.csv", "cn-miit-phone-2019", "provision", "Mandate", "write it as the schema does: mandate"),
    # opinion_surveys
    ("cross-table cause", "data/opinion_surveys.csv", "cyd2021frsurvey", "countries", "chn", "write the ISO codes in upper case: CHN"),
    ("full-width digits", "data/opinion_surveys.csv", "pew2019fr", "sample_size", "４２７２", "write it in half-width digits: 4272"),
    ("thousands separator", "data/opinion_surveys.csv", "pew2022ai", "sample_size", "10,260", "no thousands separator: 10260"),
    ("cross-table cause", "data/opinion_surveys.csv", "vzbv2017de", "sample_size", "0", "expected a number of at least 1, found 0"),
    ("not a number", "data/opinion_surveys.csv", "ada2019bfv", "sample_size", "NaN", "'NaN' is not a number"),
    # opinion_results
    ("lower-case code", "data/opinion_results.csv", "or-001", "country", "usa", "write the ISO code in upper case: USA"),
    ("full-width digits", "data/opinion_results.csv", "or-002", "share", "５９", "write it in half-width digits: 59"),
    ("percent sign", "data/opinion_results.csv", "or-003", "share", "36%", "drop the % sign: 36"),
    ("not a number", "data/opinion_results.csv", "or-004", "share", "NaN", "'NaN' is not a number"),
    ("upper-case boolean", "data/opinion_results.csv", "or-005", "approximate", "TRUE", "expected true or false, found 'TRUE'; write it in lower case: true"),
    ("thousands separator", "data/opinion_results.csv", "or-098", "base", "2,033", "no thousands separator: 2033"),
    ("out of range", "data/opinion_results.csv", "or-006", "share", "156", "expected a number from 0 to 100, found 156"),
    # debate_events
    ("lower-case code", "data/debate_events.csv", "db-001", "country", "chn", "write the ISO code in upper case: CHN"),
    ("full-width digits", "data/debate_events.csv", "db-002", "date", "２０１９-０９-０５", "write it in half-width digits: 2019-09-05"),
    # vendors: an id that exports refer to
    ("cross-table cause", "data/vendors.csv", "tiandy", "id", "Tiandy", "write it in lower case: tiandy"),
    # exports
    ("lower-case code", "data/exports.csv", "ex-001", "country", "ago", "write the ISO code in upper case: AGO"),
    ("enum in another case", "data/exports.csv", "ex-002", "technology", "Safe_City", "write it as the schema does: safe_city"),
    ("full-width digits", "data/exports.csv", "ex-003", "year", "２０１９", "write it in half-width digits: 2019"),
    # export_headlines
    ("thousands separator", "data/export_headlines.csv", "carnegie2019aigs_countries", "value", "7,5", "found '7,5'"),
    ("percent sign", "data/export_headlines.csv", "carnegie2019aigs_index_size", "value", "176%", "drop the % sign: 176"),
    ("full-width digits", "data/export_headlines.csv", "carnegie2019aigs_safecity", "value", "５６", "write it in half-width digits: 56"),
    ("not a number", "data/export_headlines.csv", "carnegie2019aigs_facialrec", "value", "about 64", "write the number alone: 64"),
    ("unconstrained value", "data/export_headlines.csv", "carnegie2019aigs_countries", "scope_year", "circa 2019", "expected to match the pattern"),
    # country_context: a country that exports rows refer to
    ("cross-table cause", "data/country_context.csv", "ARG", "country", "arg", "write the ISO code in upper case: ARG"),
    ("unconstrained value", "data/country_context.csv", "KEN", "region", "East Africa", "expected one of"),
    ("full-width digits", "data/country_context.csv", "AGO", "bri_year", "２０１８", "write it in half-width digits"),
    ("enum in another case", "data/country_context.csv", "ARE", "bri_member", "Yes", "write it as the schema does: yes"),
]


def case_id(case) -> str:
    kind, path, row, column = case[:4]
    return f"{path.split('/')[-1][:-4]}-{column}-{kind.replace(' ', '-')}"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """One copy of the project for every case; each case puts its file back."""
    import shutil

    dest = tmp_path_factory.mktemp("bad-input") / "project"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    return Project(dest)


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_one_bad_value_is_one_line_at_its_cell(project, case):
    kind, path, row, column, value, says = case
    with planted(project, [case]) as lines:
        _, problems = validate(project)
    assert [str(p) for p in problems] and problems[0].path == path, [str(p) for p in problems]
    first = problems[0]
    assert (first.line, first.column) == (lines[0], column), str(first)
    assert says in first.message and value in first.message, str(first)
    assert len(problems) == 1, [str(p) for p in problems]


def test_every_kind_in_every_table_at_once_exits_2_with_one_line_each(project):
    with planted(project, CASES) as lines:
        result = cli(project, "validate")
    assert result.returncode == BAD_DATA_EXIT == 2
    err = result.stderr.splitlines()
    assert err[-1] == f"validate: {len(CASES)} problem(s) in {len({c[1] for c in CASES})} file(s); nothing else was run."
    assert len(err) == len(CASES) + 1, "\n".join(err)
    for (kind, path, _, column, _, says), line in zip(CASES, lines):
        assert any(l.startswith(f"{path}:{line}: column '{column}': ") and says in l for l in err), (path, line, column)


def test_a_registry_code_in_another_case(project):
    bib = project.root / "data/sources.bib"
    original = bib.read_text(encoding="utf-8")
    at = original.index("  language = {zh}")
    try:
        bib.write_text(original.replace("  language = {zh}", "  language = {ZH}", 1), encoding="utf-8")
        _, problems = validate(project)
    finally:
        bib.write_text(original, encoding="utf-8")
    assert [str(p) for p in problems] == [
        f"data/sources.bib:{original[:at].count(chr(10)) + 1}: column 'language': entry "
        f"{problems[0].message.split(chr(39))[1]!r}: expected an ISO 639-1 language code such as 'en' or 'zh', "
        f"found 'ZH'; write the ISO code in lower case: zh"]

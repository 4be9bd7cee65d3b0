"""What a change does to the book (facereport.diff): each kind of change gives exactly the rows and
the moved values it should, and nothing else; an edit no page shows says that nothing a reader sees
moved. The record published with the book (record.json) and the readers' What changed page come
from the same comparison."""
from __future__ import annotations

import csv
import io
import json

import nbformat
import pytest

from conftest import copy_with_runs
from facereport import diff
from facereport.paths import Project
from facereport.record import book_record

pytestmark = pytest.mark.build

@pytest.fixture(scope="module")
def base(executed_copy):
    project, _ = executed_copy
    return project


def head_of(base: Project, tmp_path) -> Project:
    return copy_with_runs(base, tmp_path / "head")


def edit_rows(project: Project, table: str, change) -> None:
    path = project.root / "data" / table
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows = change(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def column(rows, name):
    return rows[0].index(name)


def copy_of_first(rows):
    """A new row: the first one under another id and in another sector (not a duplicate)."""
    row = [f"ro-9{rows[1][0][3:]}", *rows[1][1:]]
    row[column(rows, "sector")] = "other"
    return row


def value(project: Project, page: str, key: str) -> str:
    return book_record(project)["pages"][page]["values"][key]


def readers_of(project: Project, table: str) -> set[str]:
    from facereport.runs import load_plan
    return {r.name for r in load_plan(project).runs if table in r.reads}


def test_a_changed_cell_is_that_cell_and_the_numbers_it_moves(base, tmp_path):
    head = head_of(base, tmp_path)
    edit_rows(head, "rollout_events.csv", lambda rows: [rows[0], [*rows[1][:column(rows, "sector")], "transport",
                                                                  *rows[1][column(rows, "sector") + 1:]], *rows[2:]])
    first = diff._rows(base.data_dir / "rollout_events.csv", ["id"])[1]
    row_id, was = next(iter(first)), next(iter(first.values()))["sector"]
    d = diff.compare(base, head, "base")
    assert d["data"] == {"rollout_events": {"added": [], "removed": [], "changed": {row_id: {"sector": [was, "transport"]}}}}
    assert d["sources"] == {"added": [], "removed": [], "changed": {}}
    assert set(d["pages"]["pages"]) <= readers_of(head, "rollout_events")
    moved = d["pages"]["pages"]["rollout"]["moved"]
    # every value that moved is one the record of each book states, before and after
    for key, (a, b) in moved.items():
        assert value(base, "rollout", key) == a and value(head, "rollout", key) == b
    assert "fig_timeline" in d["pages"]["pages"]["rollout"]["figures"]
    text = diff.summary(d)
    assert f"- **rollout_events** row `{row_id}`, `sector`: {was} → transport" in text
    assert "Nothing a reader sees moved" not in text


def test_a_row_added_and_a_row_removed(base, tmp_path):
    head = head_of(base, tmp_path)
    n = int(value(base, "rollout", "n_events"))
    edit_rows(head, "rollout_events.csv", lambda rows: [rows[0], *rows[2:], [f"ro-9{rows[1][0][3:]}", *rows[1][1:]]])
    d = diff.compare(base, head, "base")
    t = d["data"]["rollout_events"]
    old_id = diff._rows(base.data_dir / "rollout_events.csv", ["id"])[1]
    first = next(iter(old_id))
    assert t == {"added": [f"ro-9{first[3:]}"], "removed": [first], "changed": {}}
    assert value(head, "rollout", "n_events") == str(n)     # one in, one out
    text = diff.summary(d)
    assert f"row `ro-9{first[3:]}` added" in text and f"row `{first}` removed" in text


def test_a_note_no_page_shows_moves_nothing_a_reader_sees(base, tmp_path):
    head = head_of(base, tmp_path)
    edit_rows(head, "rollout_events.csv", lambda rows: [rows[0], [*rows[1][:column(rows, "notes")],
                                                                  rows[1][column(rows, "notes")] + " (edited)"], *rows[2:]])
    d = diff.compare(base, head, "base")
    assert list(d["data"]) == ["rollout_events"] and list(d["data"]["rollout_events"]["changed"].values())[0].keys() == {"notes"}
    assert d["pages"] == {"added": [], "removed": [], "pages": {}}
    assert "**Nothing a reader sees moved**" in diff.summary(d)


def test_a_source_added_is_listed(base, tmp_path):
    head = head_of(base, tmp_path)
    bib = head.root / "data/sources.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@misc{added2026test,\n  title = {A test entry},\n"
                   "  author = {{Test}},\n  year = {2026},\n  url = {https://example.org/},\n"
                   "  urldate = {2026-12-03},\n  language = {en}\n}\n", encoding="utf-8")
    assert diff.sources_diff(base, head) == {"added": ["added2026test"], "removed": [], "changed": {}}
    assert diff.data_diff(base, head) == {}


def test_a_notebooks_code_changed_moves_what_it_computes(base, tmp_path):
    head = head_of(base, tmp_path)
    path = head.root / "notebooks/rollout.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if 'safe.glue_text("selection"' in c.source)
    cell.source = cell.source.replace('safe.glue_text("selection", selection.describe(sector_labels))',
                                      'safe.glue_text("selection", selection.describe(sector_labels) + " (changed)")')
    nbformat.write(nb, path)
    d = diff.compare(base, head, "base")
    assert d["data"] == {} and d["sources"]["added"] == []
    assert list(d["pages"]["pages"]) == ["rollout"]
    moved = d["pages"]["pages"]["rollout"]["moved"]
    assert list(moved) == ["selection"] and moved["selection"][1] == moved["selection"][0] + " (changed)"


def test_the_summary_folds_a_long_list():
    d = {"base": "x", "sources": {"added": [], "removed": [], "changed": {}},
         "pages": {"added": [], "removed": [], "pages": {}},
         "data": {"rollout_events": {"added": [f"ro-{i}" for i in range(100)], "removed": [], "changed": {}}}}
    text = diff.summary(d)
    assert "<details><summary>The full list</summary>" in text
    assert text.count("row `ro-99` added") == 1 and len(text.splitlines()) < 160


def test_the_readers_page_lists_what_changed_since_the_published_book(base, tmp_path, monkeypatch):
    """A build given an earlier published book (FACEREPORT_PREVIOUS) records what moved since it,
    on top of that book's own history."""
    from facereport import changes
    head = head_of(base, tmp_path)
    previous = tmp_path / "published"
    previous.mkdir()
    (previous / "record.json").write_text(json.dumps(book_record(base)), encoding="utf-8")
    (previous / "changes.json").write_text(json.dumps({"compared": True, "history": [{"commit": "abc", "date": "2026-01-01", "lines": ["Old entry."]}]}),
                                           encoding="utf-8")
    n = int(value(base, "rollout", "n_events"))
    edit_rows(head, "rollout_events.csv", lambda rows: [*rows, copy_of_first(rows)])
    # a row added: that row, and the count it moves (make diff, as a reviewer sees it)
    first = next(iter(diff._rows(base.data_dir / "rollout_events.csv", ["id"])[1]))
    d = diff.compare(base, head, "base")
    assert d["data"] == {"rollout_events": {"added": [f"ro-9{first[3:]}"], "removed": [], "changed": {}}}
    assert d["pages"]["pages"]["rollout"]["moved"]["n_events"] == [str(n), str(n + 1)]
    assert f"`n_events`: {n} → {n + 1}" in diff.summary(d)
    # and the readers' page of a build given the published book
    monkeypatch.setenv(changes.PREVIOUS_ENV, str(previous))
    history = changes.update(head)
    assert history[1]["lines"] == ["Old entry."]
    lines = history[0]["lines"]
    assert any(line.startswith("rollout: “") and "became" in line for line in lines)
    assert any(line.startswith("Table rollout_events: rows 1 added") for line in lines)
    monkeypatch.delenv(changes.PREVIOUS_ENV)
    assert changes.update(head) == []
    assert changes.read_history(head.root) == {"compared": False, "history": []}

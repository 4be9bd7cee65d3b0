"""The whole pipeline, for real, in a copy of the project: `python -m facereport.build` is what
`make book` runs. A failure at any step leaves the last good book untouched."""
from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import CHROMIUM, ROOT, SKIP, cli, content_digest, copy_with_runs, planted, serve, tree_digest
from facereport.paths import Project
from facereport.runs import load_plan
from facereport.toc import toc_pages

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def built(executed_copy, tmp_path_factory):
    # the session's executed notebooks and run stamps: the build reuses every run (the same
    # inputs) and renders; a clean build from nothing is test_a_clean_build_and_an_incremental...
    dest = tmp_path_factory.mktemp("book") / "project"
    copy_with_runs(executed_copy[0], dest)
    # what a working checkout has lying around must not end up in the book
    (dest / ".pytest_cache").mkdir()
    (dest / ".pytest_cache/README.md").write_text("# pytest cache directory\n")
    project = Project(dest)
    result = cli(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return project, result


def text_of(html_path):
    """The page's text, with Sphinx's typographic quotes made plain again."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", html_path.read_text(encoding="utf-8")))).translate(str.maketrans("‘’“”", "''\"\""))


def test_every_page_of_the_contents_is_rendered(built):
    project, _ = built
    pages = toc_pages(project)
    assert len(pages) >= 4
    for page in pages:
        assert (project.html_dir / f"{page}.html").is_file(), page
    assert (project.html_dir / "index.html").is_file()


def test_the_published_book_passes_its_checks(built):
    project, _ = built
    result = cli(project, "check")
    assert result.returncode == 0, result.stderr


def test_the_chapter_states_numbers_computed_from_the_data(built):
    project, _ = built
    with open(project.root / "data/rollout_events.csv", encoding="utf-8") as fh:
        n_events = sum(1 for _ in csv.DictReader(fh))
    text = text_of(project.html_dir / "book/chapters/rollout.html")
    assert f"The record holds {n_events} events" in text
    assert "glue" not in text.lower() or "{glue" not in text  # no unresolved glue roles


def test_every_row_is_in_the_chapter_table_with_a_linked_citation(built):
    project, _ = built
    page = (project.html_dir / "book/chapters/rollout.html").read_text(encoding="utf-8")
    with open(project.root / "data/rollout_events.csv", encoding="utf-8") as fh:
        ids = [r["id"] for r in csv.DictReader(fh)]
    for event_id in ids:
        assert f">{event_id}<" in page, event_id
    assert page.count('href="../bibliography.html#id') >= len(ids)


def test_the_bibliography_lists_every_source(built):
    project, _ = built
    bib = (project.root / "data/sources.bib").read_text(encoding="utf-8")
    n_sources = len(re.findall(r"^@\w+\{", bib, re.MULTILINE))
    page = (project.html_dir / "book/bibliography.html").read_text(encoding="utf-8")
    assert page.count('role="doc-biblioentry"') == n_sources or page.count("citation") >= n_sources


def test_the_data_dictionary_shows_every_column(built):
    project, _ = built
    desc = json.loads((project.root / "data/datapackage.json").read_text(encoding="utf-8"))
    text = text_of(project.html_dir / "book/data_and_method.html")
    for resource in desc["resources"]:
        for field in resource.get("schema", {}).get("fields", []):
            assert field["name"] in text and field["description"][:40] in text, field["name"]


def test_a_rebuild_with_nothing_changed_reuses_the_run(built):
    project, _ = built
    assert cli(project, "build").returncode == 0          # the book of the sources as they are now
    before = tree_digest(project.html_dir)
    result = cli(project, "build")
    assert result.returncode == 0, result.stderr
    assert "run: rollout: reused" in result.stdout
    # nothing the render reads changed: jupyter-book is not started, the book is left as it was
    assert "is up to date" in result.stdout and "build: render" not in result.stdout
    assert tree_digest(project.html_dir) == before


def build_with(project, path, change):
    """Build with ``change`` applied to the text of ``path``, then put the file back.
    Returns the build's result, and whether the published book stayed exactly as it was."""
    before = tree_digest(project.html_dir)
    target = project.root / path
    original = target.read_bytes()
    try:
        target.write_text(change(original.decode("utf-8")), encoding="utf-8")
        result = cli(project, "build")
    finally:
        target.write_bytes(original)
    return result, tree_digest(project.html_dir) == before


# facereport/build.py's exit code for bad data: the validator's (facereport.validate.BAD_DATA_EXIT),
# written out so that a change to either is seen here.
BUILD_BAD_DATA_EXIT = 2


def test_bad_data_stops_the_build_before_anything_runs(built):
    project, _ = built
    result, untouched = build_with(project, "data/rollout_events.csv", lambda t: t.replace(",policing,", ",polizing,", 1))
    assert result.returncode == BUILD_BAD_DATA_EXIT
    assert re.search(r"data/rollout_events\.csv:\d+: column 'sector': expected one of", result.stderr)
    assert "run:" not in result.stdout
    assert untouched


def test_every_kind_of_bad_value_in_every_table_stops_the_build_and_keeps_the_book(built):
    """The cases of test_bad_input.py, all at once: one line each, naming file, line and column,
    the causes' lines only, nothing run, and the last good book byte for byte as it was."""
    from test_bad_input import CASES

    project, _ = built
    before, before_bytes = tree_digest(project.html_dir), content_digest(project.html_dir)
    with planted(project, CASES) as lines:
        result = cli(project, "build")
    assert result.returncode == BUILD_BAD_DATA_EXIT
    err = result.stderr.splitlines()
    assert err[-1] == f"build: stopped: {len(CASES)} data problem(s); nothing was run or rendered."
    for (kind, path, _, column, value, says), line in zip(CASES, lines):
        assert any(l.startswith(f"{path}:{line}: column '{column}': ") and says in l for l in err), (kind, path, line)
    assert len(err) == len(CASES) + 1
    assert "run:" not in result.stdout
    assert tree_digest(project.html_dir) == before and content_digest(project.html_dir) == before_bytes


def test_a_failing_notebook_fails_the_build_and_keeps_the_last_good_book(built):
    project, _ = built

    def break_cell(text):
        nb = nbformat.reads(text, as_version=4)
        nb.cells.insert(6, nbformat.v4.new_code_cell("1 / 0  # a broken cell"))
        return nbformat.writes(nb)

    result, untouched = build_with(project, "notebooks/rollout.ipynb", break_cell)
    assert result.returncode == 1
    assert "notebooks/rollout.ipynb" in result.stderr and "failed in cell 6" in result.stderr
    assert "1 / 0  # a broken cell" in result.stderr and "ZeroDivisionError" in result.stderr
    assert untouched


def test_a_render_warning_fails_the_build_and_keeps_the_last_good_book(built):
    project, _ = built
    result, untouched = build_with(project, "book/intro.md", lambda t: t + "\nSee {cite:p}`no_such_source_key`.\n")
    assert result.returncode == 1
    assert "no_such_source_key" in result.stderr
    assert untouched
    # and once the page is fixed, the next build succeeds again (no stale state hides problems)
    assert cli(project, "build").returncode == 0


def test_custom_parameters_build_a_separate_book(built, tmp_path):
    project, _ = built
    before = tree_digest(project.html_dir)
    executed = (project.chapters_dir / "rollout.ipynb").read_bytes()
    stamp = (project.run_stamps_dir / "rollout.json").read_bytes()
    params = tmp_path / "p.yaml"
    params.write_text("start_year: 2019\nend_year: 2019\nsectors: [transport]\n")
    result = cli(project, "build", "--params", f"rollout={params}", "--html", "_build/custom")
    assert result.returncode == 0, result.stderr
    text = text_of(project.build_dir / "custom/book/chapters/rollout.html")
    with open(project.root / "data/rollout_events.csv", encoding="utf-8") as fh:
        n = sum(1 for r in csv.DictReader(fh) if r["date"].startswith("2019") and r["sector"] == "transport")
    assert f"The record holds {n} events" in text
    # and the run as one file to send: nbconvert's HTML, images embedded, the same sentence, the
    # book's MyST resolved, nothing from another host; and its PDF, printed by Chromium
    single = project.build_dir / "custom-rollout.html"
    page = single.read_text(encoding="utf-8")
    alone = re.sub(r"\s+", " ", html.unescape(re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", page, flags=re.S)))
    assert f"The record holds {n} events" in alone
    assert "{glue" not in alone and "{cite" not in alone and "```" not in alone
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    from facereport.record import figures
    assert page.count('src="data:image/') >= len(figures(project.build_dir / "custom-src/book/chapters/figdata/rollout"))
    if CHROMIUM.exists():
        pdf = (project.build_dir / "custom-rollout.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2
    assert tree_digest(project.html_dir) == before
    # the main book's executed notebook and its stamp are untouched: the next `make book` reuses them
    assert (project.chapters_dir / "rollout.ipynb").read_bytes() == executed
    assert (project.run_stamps_dir / "rollout.json").read_bytes() == stamp
    assert "run: rollout: reused" in cli(project, "build").stdout


def test_a_stylesheet_change_alone_reaches_the_book(built):
    # Sphinx skips copying static files when no page is out of date; the build must not.
    project, _ = built
    css = project.root / "book/_static/report.css"
    original = css.read_bytes()
    try:
        css.write_bytes(original + b"\n/* a change for the test */\n")
        assert cli(project, "build").returncode == 0
        assert b"a change for the test" in (project.html_dir / "_static/report.css").read_bytes()
    finally:
        css.write_bytes(original)


def test_the_book_holds_only_what_the_last_build_produced(built):
    # Build with extra rows (more figures' content, more words to index), then without them:
    # the book must be byte for byte the clean build, with no orphan image or stale search entry.
    # The rows go to exports.csv, which the exports chapter and the vendor pages read (7 runs).
    project, _ = built
    assert cli(project, "build").returncode == 0   # the book of the sources as they are now
    clean = content_digest(project.html_dir)
    table = project.root / "data/exports.csv"
    original = table.read_text(encoding="utf-8")
    rows = list(csv.reader(original.splitlines()))
    extra = []
    for i, row in enumerate(rows[1:11]):
        row = list(row)
        row[0] = f"ex-{9000 + i}"
        row[rows[0].index("project")] = f"Zanzibarish extra project number {i} planted for the leftover test"
        row[rows[0].index("city")] = f"Zanzibarish {i}"   # another place: not a possible duplicate
        extra.append(row)
    with table.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(extra)
    try:
        assert cli(project, "build").returncode == 0
        assert "zanzibarish" in (project.html_dir / "searchindex.js").read_text(encoding="utf-8").lower()
        assert content_digest(project.html_dir) != clean
    finally:
        table.write_text(original, encoding="utf-8")
    assert cli(project, "build").returncode == 0
    after = content_digest(project.html_dir)
    assert sorted(set(after) - set(clean)) == [], "files left over from the earlier build"
    assert after == clean


def test_two_runs_of_one_notebook_build_as_two_pages(executed_copy, tmp_path):
    # A page per parameter set: the same notebook twice. Its figures' labels must not collide
    # (Sphinx warns about duplicate labels, and the strict build fails on warnings). The other
    # runs are reused from the session's executed copy; the new one runs.
    project = copy_with_runs(executed_copy[0], tmp_path / "project")
    runs = project.runs_file
    text = runs.read_text(encoding="utf-8")
    second = ("      - run: rollout-zhejiang\n        notebook: notebooks/rollout.ipynb\n"
              "        reads: [rollout_events]\n        parameters: {provinces: [CN-ZJ]}\n"
              "        title: \"Rollout in Zhejiang\"\n")
    anchor = "        parameters: {}\n"
    assert anchor in text
    runs.write_text(text.replace(anchor, anchor + second, 1), encoding="utf-8")
    result = cli(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    main = (project.html_dir / "book/chapters/rollout.html").read_text(encoding="utf-8")
    zj = (project.html_dir / "book/chapters/rollout-zhejiang.html").read_text(encoding="utf-8")
    assert 'id="fig-rollout-timeline"' in main
    assert 'id="fig-rollout-timeline-rollout-zhejiang"' in zj
    with open(project.root / "data/rollout_events.csv", encoding="utf-8") as fh:
        n_zj = sum(1 for r in csv.DictReader(fh) if r["province"] == "CN-ZJ")
    assert f"The record holds {n_zj} events" in text_of(project.html_dir / "book/chapters/rollout-zhejiang.html")
    assert "Rollout in Zhejiang" in main  # listed in the contents of every page


def test_a_clean_build_and_an_incremental_build_give_the_same_bytes(built, tmp_path):
    """The module's book has been rebuilt incrementally many times above; a clean build of the same
    inputs in another folder (another path, other temporary names) must give the same files."""
    project, _ = built
    assert cli(project, "build").returncode == 0
    incremental = content_digest(project.html_dir)
    dest = tmp_path / "elsewhere" / "another-project-name"
    shutil.copytree(ROOT, dest, ignore=SKIP)
    fresh = Project(dest)
    result = cli(fresh, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    clean = content_digest(fresh.html_dir)
    differ = sorted(k for k in set(clean) | set(incremental) if clean.get(k) != incremental.get(k))
    assert not differ, f"{len(differ)} of {len(clean)} files differ: {differ[:10]}"


# ---- the README's commands, exactly as written --------------------------------------------------

def readme_commands() -> list[str]:
    """The commands of the README's section on rerunning a chapter, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Rerun a chapter with your own parameters"):]
    section = section[:section.index("\n## ", 5)]
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", section, re.S):
        lines += [l.split("  #")[0].strip() for l in block.splitlines() if l.strip() and not l.startswith("#")]
    return lines


def test_the_readme_documents_custom_runs_with_commands_the_test_runs():
    commands = readme_commands()
    assert sum(c.startswith("make chapter") for c in commands) >= 2
    assert any(c.startswith(".venv/bin/papermill") for c in commands)
    assert any("OUT=" in c for c in commands)


def test_every_readme_command_works_as_written_and_says_it_is_a_custom_book(built):
    import os
    import subprocess

    project, _ = built
    if not (project.root / ".venv").exists():
        os.symlink(ROOT / ".venv", project.root / ".venv")   # make's stamp: the same lock, the same .venv
    book_before = content_digest(project.root / "book")
    for command in readme_commands():
        result = subprocess.run(["bash", "-c", command], cwd=project.root, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        if command.startswith("make chapter"):
            run = re.search(r"RUN=(\S+)", command).group(1)
            out = re.search(r"OUT=(\S+)", command)
            book = project.root / (out.group(1) if out else "_build/custom")
            pages = sorted(book.rglob("*.html"))
            assert len(pages) >= 20
            for page in pages:
                if (page.name in ("search.html", "genindex.html") or "_static" in page.parts
                        or 'http-equiv="Refresh"' in page.read_text(encoding="utf-8")):   # index.html only redirects
                    continue
                text = text_of(page)
                assert "A custom selection, not the published report" in text, page
                assert f"{run} with " in text, page
            assert "Key findings of this custom selection" in text_of(book / "book/intro.html")
    # a run by hand (papermill) writes nothing into book/: the next make book has nothing to redo
    assert content_digest(project.root / "book") == book_before
    assert "nothing the book reads has changed" in cli(project, "build").stdout


def test_a_misspelt_parameter_fails_a_papermill_run_by_hand(built, tmp_path):
    import subprocess

    project, _ = built
    result = subprocess.run([str(ROOT / ".venv/bin/papermill"), "notebooks/rollout.ipynb", str(tmp_path / "out.ipynb"),
                             "-p", "start_yaer", "2015", "--cwd", ".", "-k", "python3"],
                            cwd=project.root, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "no parameter 'start_yaer'; did you mean 'start_year'?" in result.stderr + result.stdout


def test_every_page_names_its_subject_in_its_heading_and_tab(built):
    project, _ = built
    titles = {}
    for run in load_plan(project).runs:
        page = (project.html_dir / run.page(project)).with_suffix(".html").read_text(encoding="utf-8")
        tab = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
        heading = html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1))).strip("# ¶\n ")
        if run.title:
            assert run.title in heading and run.title in tab, (run.name, heading, tab)
        titles.setdefault(tab, []).append(run.name)
    assert all(len(names) == 1 for names in titles.values()), titles


def test_every_file_of_the_data_package_has_a_licence_shown_on_the_download_list(built):
    project, _ = built
    desc = json.loads((project.root / "data/datapackage.json").read_text(encoding="utf-8"))
    text = text_of(project.html_dir / "book/intro.html")
    for res in desc["resources"]:
        assert res.get("licenses"), res["name"]
        shown = "; ".join(l.get("title") or l["name"] for l in res["licenses"])
        assert f"{res['path']}" in text and shown in text, res["name"]
    context = next(r for r in desc["resources"] if r["name"] == "country_context")
    assert "V-Dem's own terms were not read" in context["x-licence-note"] and "V-Dem's own terms were not read" in text


def test_every_province_has_a_page_and_every_placed_row_links_to_it(built):
    """31 province pages and the overview; each rollout row placed in a province, in the rollout
    chapter, links to that province's page; the overview links all 31."""
    from facereport.places import MAINLAND, slug

    project, _ = built
    chapters = project.html_dir / "book/chapters"
    for code in MAINLAND:
        assert (chapters / f"{slug(code)}.html").is_file(), code
    overview = (chapters / "provinces.html").read_text(encoding="utf-8")
    assert all(f'href="{slug(code)}.html"' in overview for code in MAINLAND)
    page = (chapters / "rollout.html").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr[^>]*>\s*<td[^>]*><p>(ro-\d+)</p></td>.*?</tr>", page, re.S)}
    with open(project.root / "data/rollout_events.csv", encoding="utf-8") as fh:
        placed = [(r["id"], r["province"]) for r in csv.DictReader(fh) if r["province"]]
    assert placed and len(rows) >= len(placed)
    for event_id, code in placed:
        assert f'href="{slug(code)}.html"' in rows[event_id], event_id


def test_the_data_package_is_served_at_stable_addresses_and_loads_over_http(built):
    """The site serves data/datapackage.json with every resource beside it: real clients
    (frictionless, pandas) read them over HTTP, and every data link of the book points there."""
    import frictionless
    import pandas as pd

    project, _ = built
    base, httpd = serve(project.html_dir)
    try:
        report = frictionless.validate(f"{base}/data/datapackage.json")
        assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])[:10]
        assert len(report.tasks) == len(json.loads((project.root / "data/datapackage.json").read_text())["resources"])
        events = pd.read_csv(f"{base}/data/rollout_events.csv", dtype=str, keep_default_na=False)
        here = pd.read_csv(project.root / "data/rollout_events.csv", dtype=str, keep_default_na=False)
        assert events.equals(here)
    finally:
        httpd.shutdown()
    landing = (project.html_dir / "book/intro.html").read_text(encoding="utf-8")
    method = (project.html_dir / "book/data_and_method.html").read_text(encoding="utf-8")
    assert 'href="../data/datapackage.json"' in landing
    for res in json.loads((project.root / "data/datapackage.json").read_text())["resources"]:
        assert f'href="../data/{res["path"]}"' in landing, res["path"]
        if res["path"].endswith(".csv"):
            assert f'href="../data/{res["path"]}"' in method, res["path"]
    # no copy of a package file under a hashed _downloads/ folder, whose address changes with a build
    names = ["datapackage.json"] + [Path(r["path"]).name for r in json.loads((project.root / "data/datapackage.json").read_text())["resources"]]
    assert not any(re.search(rf'_downloads/[0-9a-f]+/{re.escape(n)}"', landing + method) for n in names)


def test_one_version_is_on_every_page_in_the_record_and_in_the_data_package(built):
    from facereport.version import version

    project, _ = built
    v = version(project)
    assert json.loads((project.html_dir / "data/datapackage.json").read_text(encoding="utf-8"))["version"] == v
    assert json.loads((project.html_dir / "record.json").read_text(encoding="utf-8"))["edition"] == v
    assert f"Version {v}" in text_of(project.html_dir / "book/intro.html")   # the citation
    for page in project.html_dir.rglob("*.html"):
        if (page.name == "index.html" and page.parent == project.html_dir) or "_static" in page.parts:
            continue   # the redirect to the landing page; the theme's templates
        assert f"Version {v}." in text_of(page), page


def test_the_editions_are_zips_of_the_book_its_data_and_notebooks(built, tmp_path):
    import zipfile

    import frictionless

    from facereport.version import version

    project, _ = built
    result = cli(project, "editions")
    assert result.returncode == 0, result.stderr
    v = version(project)
    made = {p.name: p for p in (project.build_dir / "editions").glob("*.zip")}
    assert set(made) == {f"facereport-{v}-{k}.zip" for k in ("html", "data", "notebooks")}
    with zipfile.ZipFile(made[f"facereport-{v}-data.zip"]) as z:
        z.extractall(tmp_path)
    assert frictionless.validate(str(tmp_path / f"facereport-{v}-data/datapackage.json")).valid
    with zipfile.ZipFile(made[f"facereport-{v}-html.zip"]) as z:
        names = set(z.namelist())
    assert f"facereport-{v}-html/index.html" in names and f"facereport-{v}-html/data/rollout_events.csv" in names
    with zipfile.ZipFile(made[f"facereport-{v}-notebooks.zip"]) as z:
        assert {n.rsplit("/", 1)[1] for n in z.namelist()} == {p.name for p in project.chapters_dir.glob("*.ipynb")}
    # the same book, the same bytes
    first = {n: p.read_bytes() for n, p in made.items()}
    assert cli(project, "editions").returncode == 0
    assert {n: p.read_bytes() for n, p in made.items()} == first


def test_every_page_has_a_meta_description_from_its_opening(built):
    project, _ = built
    for page in project.html_dir.rglob("*.html"):
        if (page.name in ("index.html", "search.html") and page.parent == project.html_dir) or "_static" in page.parts:
            continue   # the redirect, the search page (no text of its own), the theme's templates
        found = re.findall(r'<meta name="description" content="([^"]*)"', page.read_text(encoding="utf-8"))
        assert len(found) == 1, page
        assert 40 < len(html.unescape(found[0])) <= 155, (page, found[0])

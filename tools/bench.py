"""`make bench`: how long the pipeline takes, and whether its pages stay true, against Jupyter
Book's own execution of the same notebooks.

Each repeat works in fresh copies of the project (no _build) and measures:

  ours, clean           python -m facereport.build: every run executes in parallel, every page renders
  ours, nothing changed `make book` again: runs reused, jupyter-book not started
  ours, one data change `make book` after one cell of data/rollout_events.csv changed
  JB force              jupyter-book build with execute_notebooks: force (one notebook at a time)
  JB cache, first       jupyter-book build with execute_notebooks: cache, empty cache
  JB cache, data change the same data change, cache kept

The notebooks Jupyter Book executes are exactly the runs of notebooks/runs.yml with their
parameters injected (papermill's prepare-only) and their labels made per run, as ours are.

Stale pages: a page is stale when a data change should change it (a clean build of the changed
data differs from a clean build of the old) but the incremental build left it as it was. For our
incremental build every file of _build/html is also compared with a clean build of the changed
data: same inputs, same bytes. Timings are measurements, not tests: nothing here fails on speed;
it fails only if a build fails.

    python tools/bench.py [REPEATS]       (make bench REPEATS=3)
"""
from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from facereport.paths import Project  # noqa: E402
from facereport.run import SOURCE_DATE_EPOCH, namespace_labels  # noqa: E402
from facereport.runs import load_plan  # noqa: E402

SKIP = shutil.ignore_patterns(".venv", ".venv-lab", "_build", ".git", "chapters", "__pycache__",
                              ".pytest_cache", "*.egg-info", "node_modules")
CHANGED_TABLE = "rollout_events"
VENV = ROOT / ".venv"


def fresh_copy(parent: Path, name: str) -> Path:
    root = parent / name
    shutil.copytree(ROOT, root, ignore=SKIP)
    return root


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed in {cwd}:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return seconds, proc.stdout + proc.stderr


def change_data(root: Path) -> None:
    """One data file changed: the first high-confidence event becomes low-confidence. The rollout
    chapter counts low-confidence events, so its page must change."""
    path = root / "data" / f"{CHANGED_TABLE}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("confidence")
    row = next(r for r in rows[1:] if r[col] == "high")
    row[col] = "low"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def digests(html: Path) -> dict[str, str]:
    return {str(p.relative_to(html)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(html.rglob("*")) if p.is_file()}


def page_texts(html: Path) -> dict[str, str]:
    """Each chapter page's main text, without markup: what a reader sees, comparable across builds."""
    out = {}
    for page in sorted((html / "book" / "chapters").glob("*.html")):
        body = page.read_text(encoding="utf-8")
        main = body[body.find("<main"):body.rfind("</main>")]
        out[page.name] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()
    return out


# ---- ours ----------------------------------------------------------------------------------------

def ours(parent: Path) -> dict:
    root = fresh_copy(parent, "ours")
    make = ["make", "book", f"VENV={VENV}"]
    clean_s, clean_out = timed([sys.executable, "-m", "facereport.build"], root)
    before = page_texts(root / "_build/html")
    noop_s, noop_out = timed(make, root)
    # make diff after the same one-cell change, in a copy with the built book's executed notebooks,
    # against this unchanged copy (as `make diff BASE=HEAD` would export it)
    edited = parent / "ours-diff"
    shutil.copytree(root, edited, ignore=lambda d, names: [n for n in names if n in ("html", "stage")])
    change_data(edited)
    diff_s, diff_out = timed([sys.executable, "-m", "facereport.diff", "--base-dir", str(root)], edited)
    change_data(root)
    change_s, change_out = timed(make, root)
    after = page_texts(root / "_build/html")
    readers = sorted(r.name for r in load_plan(Project(root)).runs if CHANGED_TABLE in r.reads)
    ran = sorted(re.findall(r"^run: (\S+): ran", change_out, re.M))

    # the reference: a clean build of the changed data, in a copy of its own
    ref = fresh_copy(parent, "ours-reference")
    change_data(ref)
    timed([sys.executable, "-m", "facereport.build"], ref)
    expected = page_texts(ref / "_build/html")
    should_change = {p for p in expected if expected[p] != before.get(p)}
    stale = sorted(p for p in should_change if after.get(p) != expected[p])
    inc, cln = digests(root / "_build/html"), digests(ref / "_build/html")
    differ = sorted(k for k in set(inc) | set(cln) if inc.get(k) != cln.get(k))
    return {
        "clean": (clean_s, len(re.findall(r"^run: \S+: ran", clean_out, re.M))),
        "noop": (noop_s, len(re.findall(r"^run: \S+: ran", noop_out, re.M)),
                 "jupyter-book not started" if "nothing the book reads has changed" in noop_out else "jupyter-book started"),
        "change": (change_s, len(ran), ran == readers, readers),
        "diff": (diff_s, len(re.findall(r"^run: \S+: ran", diff_out, re.M)),
                 diff_out[diff_out.find("## What this change"):].splitlines()[2] if "## What this change" in diff_out else "?"),
        "stale": stale, "should_change": sorted(should_change), "bytes_differ": differ, "files": len(inc),
    }


# ---- Jupyter Book's own execution ---------------------------------------------------------------

def jb_project(parent: Path, name: str, mode: str) -> Path:
    """A copy whose book/chapters hold the runs' notebooks, parameters injected, not executed."""
    import papermill
    root = fresh_copy(parent, name)
    project = Project(root)
    chapters = root / "book" / "chapters"
    chapters.mkdir(parents=True, exist_ok=True)
    import nbformat
    for run in load_plan(project).runs:
        out = chapters / f"{run.name}.ipynb"
        papermill.execute_notebook(str(root / run.notebook), str(out), parameters=run.parameters,
                                   prepare_only=True, kernel_name="python3", progress_bar=False)
        nb = nbformat.read(out, as_version=4)
        namespace_labels(nb, run)
        nbformat.write(nb, out)
    config = (root / "_config.yml").read_text()
    config, n = re.subn(r'execute_notebooks: "off"', f'execute_notebooks: "{mode}"\n  timeout: 600', config)
    assert n == 1, "_config.yml: execute_notebooks not found"
    (root / "_config.yml").write_text(config)
    return root


def jb_build(root: Path) -> tuple[float, int, str]:
    jb = VENV / "bin" / "jupyter-book"
    seconds, out = timed([str(jb), "build", str(root), "--builder", "html"], root,
                         env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONHASHSEED": "0",
                              "FACEREPORT_ROOT": str(root)})
    executed = len(re.findall(r"Executing notebook", out))
    return seconds, executed, out


def jupyter_book(parent: Path) -> dict:
    force = jb_project(parent, "jb-force", "force")
    force_s, force_n, _ = jb_build(force)
    cache = jb_project(parent, "jb-cache", "cache")
    first_s, first_n, _ = jb_build(cache)
    before = page_texts(cache / "_build/html")
    change_data(cache)
    change_s, change_n, _ = jb_build(cache)
    after = page_texts(cache / "_build/html")
    return {"force": (force_s, force_n), "cache_first": (first_s, first_n), "cache_change": (change_s, change_n),
            "before": before, "after": after}


# ---- report -------------------------------------------------------------------------------------

def main(repeats: int) -> None:
    results = []
    for i in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"bench: repeat {i + 1} of {repeats} ...", file=sys.stderr, flush=True)
            o = ours(Path(tmp))
            j = jupyter_book(Path(tmp))
            # JB's stale pages: those our clean builds say must change, left unchanged by its cache
            j["stale"] = sorted(p for p in o["should_change"] if j["after"].get(p) == j["before"].get(p))
            results.append((o, j))

    clean = median([o["clean"][0] for o, _ in results])
    rows = [
        ("ours: clean build", median([o["clean"][0] for o, _ in results]), results[0][0]["clean"][1], "—"),
        ("ours: nothing changed (make book)", median([o["noop"][0] for o, _ in results]), results[0][0]["noop"][1],
         "0 (" + results[0][0]["noop"][2] + ")"),
        (f"ours: one data file changed ({CHANGED_TABLE}.csv)", median([o["change"][0] for o, _ in results]),
         results[0][0]["change"][1], str(len(results[0][0]["stale"]))),
        ("ours: make diff after the one-cell change", median([o["diff"][0] for o, _ in results]),
         results[0][0]["diff"][1], "—"),
        ("JB: execute_notebooks force", median([j["force"][0] for _, j in results]), results[0][1]["force"][1], "—"),
        ("JB: cache, first build", median([j["cache_first"][0] for _, j in results]), results[0][1]["cache_first"][1], "—"),
        (f"JB: cache, one data file changed", median([j["cache_change"][0] for _, j in results]),
         results[0][1]["cache_change"][1], str(len(results[0][1]["stale"]))),
    ]
    n_runs = len(load_plan(Project(ROOT)).runs)
    print(f"\nmake bench: {repeats} repeat(s), medians; {n_runs} runs; {os.cpu_count()} CPU(s)\n")
    print(f"| {'case':<52} | {'seconds':>7} | {'x clean':>7} | {'notebooks executed':>18} | {'stale pages':>11} |")
    print(f"|{'-' * 54}|{'-' * 9}|{'-' * 9}|{'-' * 20}|{'-' * 13}|")
    for name, secs, executed, stale in rows:
        print(f"| {name:<52} | {secs:>7.1f} | {secs / clean:>7.2f} | {executed:>18} | {stale:>11} |")
    o, j = results[0]
    print()
    print(f"JB force / ours clean: {median([j['force'][0] for _, j in results]) / clean:.2f}x")
    print(f"ours, one data change: executed {o['change'][1]} run(s) {'= exactly' if o['change'][2] else '!= '} "
          f"the runs that read {CHANGED_TABLE}: {', '.join(o['change'][3])}")
    print(f"pages the change must alter (clean builds before/after): {', '.join(o['should_change']) or 'none'}")
    print(f"stale after the change: ours {o['stale'] or 'none'}; JB cache {j['stale'] or 'none'}")
    diff_s, change_s = median([o["diff"][0] for o, _ in results]), median([o["change"][0] for o, _ in results])
    print(f"make diff / incremental make book: {diff_s / change_s:.2f}x (target: at most 2); it says: {o['diff'][2]}")
    print(f"ours, incremental vs clean build of the same inputs: {o['files']} files, "
          f"{len(o['bytes_differ'])} differ{': ' + ', '.join(o['bytes_differ'][:10]) if o['bytes_differ'] else ''}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

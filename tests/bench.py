"""`make bench`: how long the pipeline takes, in a copy of the project.

Times a clean `make book` equivalent (fresh copy, no _build: every notebook runs, every page
renders) and a rebuild with nothing changed (runs reused, Sphinx re-reads nothing), three times
each, and prints the median. Timings are measurements, not tests: nothing here fails on speed.
"""
from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".venv", "_build", ".git", "chapters", "__pycache__", ".pytest_cache", "*.egg-info")


def timed_build(root: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "facereport.build"], cwd=root, check=True, capture_output=True)
    return time.perf_counter() - t0


def main(repeats: int = 3) -> None:
    clean, unchanged = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "project"
            shutil.copytree(ROOT, root, ignore=SKIP)
            clean.append(timed_build(root))
            unchanged.append(timed_build(root))
    result = {"clean_build_s": round(statistics.median(clean), 1),
              "unchanged_build_s": round(statistics.median(unchanged), 1),
              "runs": repeats, "clean_all_s": [round(x, 1) for x in clean],
              "unchanged_all_s": [round(x, 1) for x in unchanged]}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

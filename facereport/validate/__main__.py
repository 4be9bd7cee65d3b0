"""``python -m facereport.validate`` (``make validate``): check data/ and print every problem, one
line each; exit 2 when there is any."""
from __future__ import annotations

import argparse
import datetime as dt
import sys

from ..paths import Project
from . import __doc__ as DOC
from .package import validate
from .problems import BAD_DATA_EXIT, report_lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m facereport.validate", description=DOC.split("\n\n")[0])
    parser.add_argument("--today", type=dt.date.fromisoformat, help="treat this day as today (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    summary, problems = validate(Project.find(), today=args.today)
    for line in report_lines(problems):
        print(line, file=sys.stderr)
    if problems:
        files = len({p.path for p in problems})
        print(f"validate: {len(problems)} problem(s) in {files} file(s); nothing else was run.", file=sys.stderr)
        return BAD_DATA_EXIT
    rows = ", ".join(f"{name} {n} rows" for name, n in summary.tables.items())
    print(f"validate: data/ is valid: {rows}; {summary.sources} sources")
    if summary.unused_sources:
        print(f"validate: note: sources cited by no row: {', '.join(summary.unused_sources)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

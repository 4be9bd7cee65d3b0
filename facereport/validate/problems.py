"""A problem found in data/, as one line that names the file, the line and the column."""
from __future__ import annotations

from dataclasses import dataclass, field

# The exit code of a command stopped by bad data (a usage error's, as argparse and the
# parameter checks use it): the input is wrong, not the program.
BAD_DATA_EXIT = 2

# How far a problem is from its cause. Problems are printed stage by stage, so that the first line
# names the cell to change: a value wrong in itself (CELL) comes before what a rule across the
# cells of a row (ROW) or across tables (TABLE) makes of it.
CELL, ROW, TABLE = 0, 1, 2

SHOWN = 100   # problems printed before the list is cut (all are counted)


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: str
    message: str
    stage: int = field(default=CELL, compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:"
        return f"{where} column '{self.column}': {self.message}" if self.column else f"{where} {self.message}"

    def order(self) -> tuple:
        return self.stage, self.path, self.line, self.column, self.message


def report_lines(problems: list[Problem], shown: int = SHOWN) -> list[str]:
    """The problems as lines to print; past ``shown``, one line saying how many and that the list
    is cut (a person fixing data needs the first ones and the true count, not 50,000 lines)."""
    lines = [str(p) for p in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"... the list is cut here: {shown} of {len(problems)} problem(s) shown")
    return lines


class DataError(Exception):
    """Raised by the loader when data does not validate; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  {line}" for line in report_lines(problems, 50))
        super().__init__(f"{len(problems)} problem(s) in data/:\n{lines}")

"""Tables whose rows cite the source registry. Rendered as MyST markdown, so the citation roles
link each row to the bibliography (sphinxcontrib-bibtex) in the built book."""
from __future__ import annotations

import pandas as pd

from . import safe


def cite(keys: str) -> str:
    """A ';'-separated key list as one parenthetical citation."""
    return "{cite:p}`" + ",".join(k.strip() for k in keys.split(";") if k.strip()) + "`"


def markdown_table(frame: pd.DataFrame, columns: dict[str, str], cited: str = "sources") -> str:
    """``columns`` maps frame columns to headers; the ``cited`` column becomes citations."""
    header = "| " + " | ".join(columns.values()) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    lines = [header, rule]
    for _, row in frame.iterrows():
        cells = [cite(row[c]) if c == cited else safe.markdown(row[c]) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

"""Tables whose rows cite the source registry. Rendered as MyST markdown, so the citation roles
link each row to the bibliography (sphinxcontrib-bibtex) in the built book."""
from __future__ import annotations

import pandas as pd

from . import safe


def cite(keys: str) -> str:
    """A ';'-separated key list as one parenthetical citation."""
    return "{cite:p}`" + ",".join(k.strip() for k in keys.split(";") if k.strip()) + "`"


def quoted_from(keys: str, registry: dict) -> str:
    """Where an excerpt from the first of ``keys`` was quoted from, if that was a copy: plain text."""
    from urllib.parse import urlparse

    from .bibstyle import script_name

    first = keys.split(";")[0].strip()
    source = registry.get(first)
    url = source.fields.get("copyurl", "") if source else ""
    if not url:
        return ""
    return f"(quoted from a copy at {urlparse(url).netloc}, in {script_name(source.fields.get('copyscript', ''))})"


def markdown_table(frame: pd.DataFrame, columns: dict[str, str], cited: str = "sources",
                   registry: dict | None = None, raw: tuple[str, ...] = ()) -> str:
    """``columns`` maps frame columns to headers; the ``cited`` column becomes citations. With the
    source ``registry``, an ``evidence`` cell says when it was quoted from a copy, and which.
    ``raw`` columns hold MyST our code built from validated codes (links to pages), passed as they are;
    every other cell is escaped."""
    header = "| " + " | ".join(columns.values()) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    lines = [header, rule]
    for _, row in frame.iterrows():
        cells = []
        for c in columns:
            if c == cited:
                cells.append(cite(row[c]))
                continue
            text = str(row[c])
            if c in raw:
                cells.append(text)
                continue
            if c == "evidence" and registry is not None and (where := quoted_from(row[cited], registry)):
                text = f"{text} {where}"
            cells.append(safe.markdown(text))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

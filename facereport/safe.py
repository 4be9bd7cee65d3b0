"""Data is text, never markup: the one place where strings from ``data/`` are made safe for the
place they land on a page.

Summaries, evidence, actors, titles and notes come from many hands, and a data pull request is
input from outside. So every string from data that reaches a page goes through exactly one of
these, chosen by where it lands:

    markdown(text)     inside MyST Markdown we generate (table cells shown with ``Markdown``)
    html(text)         inside HTML we generate
    figure_text(text)  inside a matplotlib figure (axis labels, legends, annotations)
    glue_text(...)     a glued value the prose pastes with ``{glue:text}``: plain text, never parsed

Glued strings are plain ``str`` and the prose pastes them with ``{glue:text}``, which myst-nb turns
into a text node: no Markdown, MyST role or HTML in them is ever interpreted. ``{glue:md}`` is for
text we write ourselves, never for data.
"""
from __future__ import annotations

import html as _html
import re

# CommonMark lets a backslash escape any ASCII punctuation, which then shows as itself. Escaping
# all of it (not a hand-picked few) also covers what MyST adds: roles `{x}`, substitutions `{{x}}`,
# dollar maths, colon fences, targets `(x)=`, and HTML entities such as `&lt;`.
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def markdown(text: object) -> str:
    """``text`` as itself inside generated MyST Markdown (one line, e.g. a table cell)."""
    one_line = " ".join(str(text).splitlines())
    return _ASCII_PUNCTUATION.sub(r"\\\1", one_line)


def html(text: object) -> str:
    """``text`` as itself inside generated HTML, in element content or a quoted attribute."""
    return _html.escape(str(text), quote=True)


def figure_text(text: object) -> str:
    """``text`` as itself in a matplotlib figure: no mathtext (``$...$``), and a leading
    underscore, which would hide a legend entry, is kept visible."""
    out = str(text).replace("$", r"\$")
    return "\u200b" + out if out.startswith("_") else out


def glue_text(name: str, value: object) -> None:
    """Glue ``value`` so that ``{glue:text}`name``` pastes it as plain text.

    Numbers are glued as numbers; anything else as its ``str``. myst-nb reads the text back with
    ``ast.literal_eval`` of its repr, so the text arrives exactly as it was, markup and all, as
    characters on the page.
    """
    from myst_nb import glue

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        value = str(value)
    glue(name, value, display=False)

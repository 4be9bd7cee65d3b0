"""The bibliography's style: pybtex's plain style, plus the provenance of what was quoted. Where
the text we read was a copy of the original (a mirror, a repost, a repository of laws), the entry
says "Quoted from a copy at <address>, in <script>", from the registry's copyurl and copyscript
fields, so that a reader can find the very text each excerpt was taken from. The address is
given as text, not as a link.

Titles keep their capitals as the source wrote them (plain style lower-cases all but the first
letter: "China state tv criticizes kohler"). Labels are author-year, as the citations in the text
are ("Goh, 2019"; "Reuters, 2019a" where two would share one), and entries are sorted by author
and year, organisations (braced names) among persons rather than after them."""
from __future__ import annotations

import re
from collections import Counter
from string import ascii_lowercase

from pybtex.richtext import Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting.plain import Style as Plain
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitle
from pybtex.style.template import field, sentence

SCRIPTS = {"Hans": "simplified Chinese characters", "Hant": "traditional Chinese characters",
           "Latn": "Latin script"}


def script_name(code: str) -> str:
    return SCRIPTS.get(code, code)


def _plain(name: str) -> str:
    """A name without BibTeX's protective braces or LaTeX escapes."""
    return re.sub(r"[{}\\]", "", name).strip()


def first_author(entry) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    if not persons:
        return _plain(entry.fields.get("organization", "") or entry.fields.get("publisher", "") or entry.key)
    last = _plain(" ".join(persons[0].prelast_names + persons[0].last_names))
    if len(persons) == 2:
        return f"{last} and {_plain(' '.join(persons[1].prelast_names + persons[1].last_names))}"
    return f"{last} et al." if len(persons) > 2 else last


class AuthorYearLabels(BaseLabelStyle):
    """Labels as the text cites ("Goh, 2019"); entries that would share one get a, b, c."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        bases = [f"{first_author(e)}, {e.fields.get('year', 'n.d.')}" for e in entries]
        counts, seen = Counter(bases), Counter()
        for base in bases:
            if counts[base] == 1:
                yield base
            else:
                yield base + ascii_lowercase[seen[base] % 26]
                seen[base] += 1


class AuthorYearSorting(AuthorYearTitle):
    """pybtex's author-year-title order, with braces ignored, so that "{Reuters}" sorts under R."""

    def person_key(self, person):
        return _plain(super().person_key(person)).lower()


class Style(Plain):
    default_label_style = AuthorYearLabels
    default_sorting_style = AuthorYearSorting

    def format_title(self, e, which_field, as_sentence=True):
        title = field(which_field)   # as the source wrote it
        return sentence[title] if as_sentence else title

    def format_entry(self, label, entry, bib_data=None):
        formatted = super().format_entry(label, entry, bib_data=bib_data)
        url = entry.fields.get("copyurl", "")
        if not url:
            return formatted
        script = script_name(entry.fields.get("copyscript", ""))
        # The address is shown, not linked: many copies sit on sites we would not send readers to.
        text = Text(formatted.text, f" Quoted from a copy at {url}, in {script}.")
        return FormattedEntry(formatted.key, text, formatted.label)

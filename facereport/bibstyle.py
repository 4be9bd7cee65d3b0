"""The bibliography's style: pybtex's plain style, plus the provenance of what was quoted. Where
the text we read was a copy of the original (a mirror, a repost, a repository of laws), the entry
says "Quoted from a copy at <address>, in <script>", from the registry's copyurl and copyscript
fields, so that a reader can find the very text each excerpt was taken from. The address is
given as text, not as a link."""
from __future__ import annotations

from pybtex.richtext import Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting.plain import Style as Plain

SCRIPTS = {"Hans": "simplified Chinese characters", "Hant": "traditional Chinese characters",
           "Latn": "Latin script"}


def script_name(code: str) -> str:
    return SCRIPTS.get(code, code)


class Style(Plain):
    def format_entry(self, label, entry, bib_data=None):
        formatted = super().format_entry(label, entry, bib_data=bib_data)
        url = entry.fields.get("copyurl", "")
        if not url:
            return formatted
        script = script_name(entry.fields.get("copyscript", ""))
        # The address is shown, not linked: many copies sit on sites we would not send readers to.
        text = Text(formatted.text, f" Quoted from a copy at {url}, in {script}.")
        return FormattedEntry(formatted.key, text, formatted.label)

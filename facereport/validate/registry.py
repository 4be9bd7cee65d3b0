"""The source registry, data/sources.bib: every entry has what a citation needs, and its codes
(language, script) are written as their standards write them."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..bib import BibError, Source, read_bib
from .cells import Context, check_http_url, check_partial_date, code_problem
from .problems import Problem
from .read import encoding_problem

DOI = re.compile(r"10\.\d{4,9}/\S+")
BIB_REQUIRED = ("title", "author", "year", "urldate", "language")


def validate_sources(rel: str, path: Path, today: dt.date) -> tuple[dict[str, Source], list[Problem]]:
    try:
        sources = read_bib(path)
    except FileNotFoundError:
        return {}, [Problem(rel, 1, "", "the source registry is missing")]
    except UnicodeDecodeError as exc:
        return {}, [encoding_problem(rel, path.read_bytes(), exc, header=None)]
    except BibError as exc:
        return {}, [Problem(rel, exc.line or 1, "", str(exc))]
    problems = []
    for src in sources.values():
        def bad(name: str, message: str) -> None:
            problems.append(Problem(rel, src.line_of(name), name, f"entry {src.key!r}: {message}"))

        for name in BIB_REQUIRED:
            if name == "author":
                if not src.authors:
                    bad(name, "needs an author (a person, or an organisation in double braces)")
            elif not src.fields.get(name, "").strip():
                bad(name, f"needs a {name} field" + (" (or 'n.d.' for an undated source)" if name == "year" else ""))
        if not any(src.fields.get(n) for n in ("url", "doi", "note")):
            bad("url", "needs a url or doi, or a note saying why there is none")
        if src.fields.get("url") and (msg := check_http_url(src.fields["url"], None)):
            bad("url", msg)
        # A copy read in place of the original: its address and its script are data, not prose.
        copyurl, copyscript = src.fields.get("copyurl", ""), src.fields.get("copyscript", "")
        if copyurl and (msg := check_http_url(copyurl, None)):
            bad("copyurl", msg)
        if copyurl and not copyscript:
            bad("copyurl", "a copy needs copyscript too: the script of the text read (ISO 15924: Hans, Hant, Latn ...)")
        if copyscript and not copyurl:
            bad("copyscript", "copyscript describes a copy: give its address in copyurl")
        if copyscript and (msg := code_problem("script", copyscript, "an ISO 15924 script code such as 'Hans', 'Hant' or 'Latn'")):
            bad("copyscript", msg)
        if src.fields.get("doi") and not DOI.fullmatch(src.fields["doi"]):
            bad("doi", f"expected a DOI such as '10.1000/xyz', found {src.fields['doi']!r}")
        for name in ("date", "urldate"):
            if src.fields.get(name):
                msg = check_partial_date(src.fields[name], Context(today, {}))
                if msg:
                    bad(name, msg)
        if src.fields.get("year") == "n.d." and src.fields.get("date"):
            bad("year", f"year 'n.d.' (no date) disagrees with date {src.fields['date']!r}")
        elif src.fields.get("year") and src.fields["year"] != "n.d." and not re.fullmatch(r"[0-9]{4}", src.fields["year"]):
            bad("year", f"expected a four-digit year, or 'n.d.' for an undated source, found {src.fields['year']!r}")
        if src.fields.get("date") and src.fields.get("year") and not src.fields["date"].startswith(src.fields["year"]):
            bad("year", f"year {src.fields['year']!r} disagrees with date {src.fields['date']!r}")
        lang = src.fields.get("language", "")
        if lang and (msg := code_problem("language", lang, "an ISO 639-1 language code such as 'en' or 'zh'")):
            bad("language", msg)
    return sources, problems

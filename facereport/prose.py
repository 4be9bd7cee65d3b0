"""Words that follow the numbers: counts with their nouns, lists, and comparisons with their
direction. A chapter rerun with a researcher's own parameters states only what its numbers say,
so any phrase whose wording depends on a count is made here, never written around a bare number
in a notebook ("1 events", "0 instruments ... in 0", "somewhat more often" when it is less).

Every function returns plain text; the notebooks glue it with ``safe.glue_text``.
"""
from __future__ import annotations

from typing import Iterable

# Nouns whose plural the rule below does not make (it handles 'country', 'survey', 'box').
PLURALS = {"kind of provision": "kinds of provision", "person": "people"}


def plural(noun: str) -> str:
    if noun in PLURALS:
        return PLURALS[noun]
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "sh", "ch", "x")) else "s")


def count(n: int, noun: str, none: str = "no") -> str:
    """'no events', '1 event', '2 events' (``none`` replaces 'no' where the sentence needs it,
    e.g. 'none of the')."""
    n = int(n)
    if n == 0:
        return f"{none} {plural(noun)}" if none else f"0 {plural(noun)}"
    return f"{n:,} {noun if n == 1 else plural(noun)}"


def number(n: int, none: str = "none") -> str:
    """A bare number that may be zero: 'none', '1', '1,234'."""
    return none if int(n) == 0 else f"{int(n):,}"


def were(n: int) -> str:
    return "was" if int(n) == 1 else "were"


def are(n: int) -> str:
    return "is" if int(n) == 1 else "are"


def have(n: int) -> str:
    return "has" if int(n) == 1 else "have"


def listing(items: Iterable[str], empty: str = "none", conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'; ``empty`` when there is nothing to list."""
    words = [str(i) for i in items]
    if not words:
        return empty
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def years(first: int, last: int) -> str:
    """'in 2019' or 'between 2015 and 2024'."""
    return f"in {first}" if first == last else f"between {first} and {last}"


def direction(ours: float, reference: float, margin: float = 0.0) -> str:
    """'more', 'less' or 'about as': how ``ours`` compares with ``reference``. Differences within
    ``margin`` (in the same unit) are 'about as'."""
    if ours - reference > margin:
        return "more"
    if reference - ours > margin:
        return "less"
    return "about as"


# Names that take "the" inside a sentence ("the United States", "the European Union").
WITH_ARTICLE = ("United ", "European Union", "Netherlands", "Philippines", "Czech Republic", "Gambia", "Bahamas",
                "Central African Republic", "Dominican Republic", "Democratic Republic", "Republic of ")


def the(name: str) -> str:
    """A country's name as it reads inside a sentence: 'the United States', 'China'."""
    return f"the {name}" if name.startswith(WITH_ARTICLE) else name


def points(x: float) -> str:
    """'1 point', '2.5 points' (percentage points)."""
    return f"{x:g} point" + ("" if x == 1 else "s")


def capital(text: str) -> str:
    """The sentence with its first letter in upper case ('no events ...' -> 'No events ...')."""
    return text[:1].upper() + text[1:]


def leaders(counts, label=lambda key: key) -> tuple[str, str]:
    """Who has the most, in words, and how many: ('Zhejiang', '14') or, for a tie,
    ('Zhejiang and Beijing', '8 each'); ('', '') when ``counts`` is empty. ``counts`` is a
    pandas Series of counts by key."""
    if len(counts) == 0:
        return "", ""
    top = int(counts.max())
    keys = sorted(k for k, v in counts.items() if int(v) == top)
    names = listing([label(k) for k in keys])
    return names, (f"{top:,}" if len(keys) == 1 else f"{top:,} each")


def most(counts, noun: str, what: str, label=lambda key: key) -> str:
    """'Policing is the sector with the most recorded events (20)'; for a tie, 'Policing and
    transport are the sectors with the most recorded events (12 each)'; for one key,
    'All are in one sector: policing'. ``what`` completes 'with the most ...'."""
    names, n = leaders(counts, label)
    if not names:
        return f"No {noun} has any {what}"
    if len(counts) == 1:
        return f"All are in one {noun}: {names}"
    tied = n.endswith("each")
    return (f"{names} {'are' if tied else 'is'} the {plural(noun) if tied else noun} "
            f"with the most{' ' + what if what else ''} ({n})")

"""Numbers as numbers, booleans as the schema declares them: the one reading of a typed cell,
used by the validator to check a cell and by the loader to type it, so that the two cannot
disagree.

Table Schema lets a number be written in many ways (``NaN``, ``INF``, ``1E3``, a group or decimal
character the schema declares); a value pasted from a web page can also look like a number to
Python (``int('２０３３')`` is 2033) and not to pandas. Our tables hold the plainest subset, ASCII
digits only:

    integer   -?[0-9]+              2033
    number    -?[0-9]+(.[0-9]+)?    55, 55.5
    boolean   the field's trueValues and falseValues (Table Schema's defaults where it gives none)

Anything else is refused with a hint at the plain form (``write it in half-width digits: 2033``,
``drop the % sign: 55``, ``no thousands separator: 2033``).
"""
from __future__ import annotations

import re
import unicodedata

INTEGER = re.compile(r"-?[0-9]+")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# Table Schema's defaults for a boolean field that declares no trueValues or falseValues.
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]
TYPES = ("string", "integer", "number", "boolean")

EXPECTED = {"integer": "a whole number in digits, such as 2033",
            "number": "a number in digits, such as 55 or 55.5"}
NOT_NUMBERS = {"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "n/a", "na", "none", "null", "-", "--", "?", "x"}
# Words and signs around a number that say it is approximate or a bound: the number goes alone in
# the cell, and the table says elsewhere (in a column or in notes) that it is approximate.
QUALIFIERS = re.compile(r"^(about|approx\.?|approximately|around|circa|c\.|ca\.|nearly|almost|over|under|"
                        r"more than|less than|at least|at most|up to|some|~|≈|<|>|<=|>=|约|大约|近|超|超过|逾|"
                        r"不到|以上)\s*|\s*(以上|左右|余|多|\+)$", re.IGNORECASE)


def true_values(field: dict) -> list[str]:
    return list(field.get("trueValues", TRUE_VALUES))


def false_values(field: dict) -> list[str]:
    return list(field.get("falseValues", FALSE_VALUES))


def parse(field: dict, text: str):
    """The value a non-empty cell of ``field`` means: str, int, float or bool.

    Raises ValueError with a message in our words, with a hint at the plain form where one is
    clear."""
    kind = field.get("type", "string")
    if kind == "string":
        return text
    if kind == "boolean":
        if text in true_values(field):
            return True
        if text in false_values(field):
            return False
        allowed = true_values(field) + false_values(field)
        words = " or ".join(allowed) if len(allowed) == 2 else "one of " + ", ".join(allowed)
        plain = next((v for v in allowed if v.lower() == text.lower()), None)
        hint = f"; write it in lower case: {plain}" if plain == text.lower() else f"; write it as {plain}" if plain else ""
        return _refuse(f"expected {words}, found {text!r}{hint}")
    grammar = INTEGER if kind == "integer" else NUMBER
    if grammar.fullmatch(text):
        return int(text) if kind == "integer" else float(text)
    return _refuse(f"expected {EXPECTED[kind]}, found {text!r}{number_hint(text, kind)}")


def _refuse(message: str):
    raise ValueError(message)


def number_hint(text: str, kind: str) -> str:
    """'; <what to change>: <the plain form>' when the cell is a number written another way, else
    what it is not ('; NaN is not a number')."""
    grammar = INTEGER if kind == "integer" else NUMBER
    steps, value = [], text
    plain = unicodedata.normalize("NFKC", value).strip()      # full-width digits, signs and spaces
    if plain != value.strip():
        steps.append("write it in half-width digits")
        value = plain
    if value.lower() in NOT_NUMBERS:
        return f"; {text!r} is not a number: write the number the source gives"
    if value.endswith("%"):
        steps.append("drop the % sign")
        value = value[:-1].strip()
    bare = QUALIFIERS.sub("", value).strip()
    if bare != value and bare:
        steps.append("write the number alone")
        value = bare
    if re.fullmatch(r"-?[0-9]{1,3}([,' \u00a0\u202f][0-9]{3})+(\.[0-9]+)?", value):
        steps.append("no thousands separator")
        value = re.sub(r"[,' \u00a0\u202f]", "", value)
    elif kind == "number" and re.fullmatch(r"-?[0-9]+,[0-9]+", value):
        steps.append("a decimal point, not a comma")
        value = value.replace(",", ".")
    if kind == "integer" and re.fullmatch(r"-?[0-9]+\.0+", value):
        steps.append("a whole number, without decimals")
        value = value.split(".")[0]
    if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+", value):
        written = format(float(value), "f").rstrip("0").rstrip(".")
        if grammar.fullmatch(written):
            steps.append("write it out in digits")
            value = written
    if steps and grammar.fullmatch(value):
        return f"; {', '.join(steps)}: {value}"
    return ""

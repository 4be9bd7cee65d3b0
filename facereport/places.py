"""Places: the names readers know for China's provincial-level divisions, which of them this report
covers, and the page each has in the book. One place for these, read by the strands and the
notebooks alike."""
from __future__ import annotations

import re

import pycountry

NATIONWIDE = "Nationwide or multi-province"
# pycountry's ISO names carry the unit's type ("Zhejiang Sheng"); readers know the short names.
PROVINCE_OVERRIDES = {"CN-NM": "Inner Mongolia", "CN-XZ": "Tibet (Xizang)"}
# The scope: mainland China's provincial-level divisions (ISO 3166-2:CN). Hong Kong and Macau have
# their own legal systems and privacy regulators, and Taiwan is governed separately; none of them
# is part of the mainland rollout this record follows.
OUTSIDE_MAINLAND = ("CN-HK", "CN-MO", "CN-TW")
MAINLAND = tuple(sorted(s.code for s in pycountry.subdivisions.get(country_code="CN")
                        if s.code not in OUTSIDE_MAINLAND))


def province_name(code: str) -> str:
    if not code:
        return NATIONWIDE
    if code in PROVINCE_OVERRIDES:
        return PROVINCE_OVERRIDES[code]
    sub = pycountry.subdivisions.get(code=code)
    return sub.name.split(" ")[0] if sub else code


def slug(code: str) -> str:
    """The page (run) name of a province: 'province-zhejiang', 'province-inner-mongolia'."""
    return "province-" + re.sub(r"[^a-z]+", "-", province_name(code).lower()).strip("-")


def page_link(code: str, text: str | None = None) -> str:
    """A MyST link to the province's page, from another page in book/chapters/. The text is a name
    from pycountry through a validated code, never free text from the data."""
    return f"{{doc}}`{text or province_name(code)} <{slug(code)}>`"

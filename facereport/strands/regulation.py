"""The regulation strand: which instruments govern facial recognition where, what they require or
forbid, and since when. Selections by a notebook's parameters, the counts the prose states, and
the charts; the notebooks read as the argument.

An instrument is "in effect" on a day when it has taken effect by then and has not ended; drafts
never are. It takes effect on its effective date; where no source gives one (a ruling, a
regulator's decision, a sanction listed on the day it was announced), on the day it was adopted,
else announced. A date known only to the month or year counts from the first day of that month or
year.
"""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pycountry

from .. import prose, safe
from ..cite import markdown_table
from ..places import MAINLAND, page_link, province_name
from ..safe import figure_text
from ..style import CATEGORICAL, GREY, MARKERS, edge

NAMES = {"EU": "European Union", "CHN": "China", "USA": "United States", "GBR": "United Kingdom"}
DECIDED = {"court_ruling", "enforcement_decision"}
NEVER_IN_EFFECT = {"draft", "withdrawn"}
# Kinds of instrument, grouped for charts: a dozen types are too many colours to tell apart.
FAMILIES = {
    "Law, regulation or rule": ["law", "regulation", "rule", "normative_document", "judicial_interpretation", "guideline"],
    "Standard or self-regulation": ["standard", "self_regulation"],
    "Court ruling or regulator's decision": ["court_ruling", "enforcement_decision"],
    "Sanction or export control": ["sanction", "export_control"],
    "Ban": ["ban"],
}
FAMILY_OF = {t: fam for fam, types in FAMILIES.items() for t in types}


# ---------------------------------------------------------------- jurisdictions

def group(code: str) -> str:
    """The country (or EU) a jurisdiction belongs to: CN-ZJ -> CHN, US-IL -> USA."""
    if code == "EU" or len(code) == 3:
        return code
    country = pycountry.countries.get(alpha_2=code.split("-")[0])
    return country.alpha_3 if country else code


def name(code: str) -> str:
    """A reader's name for a jurisdiction code."""
    if code in NAMES:
        return NAMES[code]
    if len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
        return getattr(country, "common_name", None) or (country.name if country else code)
    sub = pycountry.subdivisions.get(code=code)
    if sub is None:
        return code
    short = sub.name.split(" Sheng")[0].split(" Shi")[0].split(" Zizhiqu")[0]
    return f"{short} ({name(group(code))})"


def place(row) -> str:
    """Jurisdiction with the city, as a table shows it."""
    where = name(row["jurisdiction"])
    return f"{row['city']}, {where}" if row.get("city") else where


# ---------------------------------------------------------------- dates

def effect_start(frame: pd.DataFrame) -> pd.Series:
    """The first day each instrument was in effect: its effective date, else the day it was
    adopted (or decided), else announced; NaT for drafts and where no source dates it."""
    start = frame["effective_start"].fillna(frame["adopted_start"]).fillna(frame["announced_start"])
    start[frame["status"].isin(NEVER_IN_EFFECT)] = pd.NaT
    pending = frame["status"] == "adopted"   # adopted, not yet in effect: only its own effective date
    start[pending] = frame.loc[pending, "effective_start"]
    return start


def in_effect(frame: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    start = effect_start(frame)
    ended = frame["ended_start"]
    return (start <= day) & (ended.isna() | (ended > day))


def default_as_of(registry: dict, tables: list[pd.DataFrame]) -> pd.Timestamp:
    """The day the data was last checked: the latest urldate of the sources the regulation
    tables cite. The count of rules in effect 'today' is as of that day, so it moves only when
    these tables (or their sources) do, not when a source is added for another strand."""
    keys = {k.strip() for table in tables for cell in table["sources"] for k in cell.split(";") if k.strip()}
    days = [registry[k].fields.get("urldate", "") for k in keys if k in registry]
    return pd.Timestamp(max(d for d in days if d))


def as_of_phrase(day: pd.Timestamp, chosen: bool) -> str:
    """The as-of day with what it is, as the prose opens a sentence with it."""
    if chosen:
        return f"On {day.date().isoformat()} (the as-of day chosen for this run),"
    return (f"On {day.date().isoformat()}, the latest day on which a source of the regulation tables "
            "was read (the as-of day),")


# ---------------------------------------------------------------- selection

@dataclass(frozen=True)
class Selection:
    jurisdictions: tuple[str, ...]
    types: tuple[str, ...]
    as_of: pd.Timestamp

    def describe(self, type_labels: dict[str, str]) -> str:
        parts = [("jurisdictions: " + ", ".join(name(j) for j in self.jurisdictions)) if self.jurisdictions
                 else "all jurisdictions"]
        if self.types:
            parts.append("instruments: " + ", ".join(type_labels.get(t, t) for t in self.types))
        parts.append(f"as of {self.as_of.date().isoformat()}")
        return "; ".join(parts)


def select(instruments: pd.DataFrame, jurisdictions: list[str], types: list[str], known_types: list[str],
           as_of: pd.Timestamp) -> tuple[pd.DataFrame, Selection]:
    """The instruments a notebook's parameters ask for. A country code takes in its provinces,
    states and cities (CHN takes CN-ZJ); a subdivision code takes only itself."""
    unknown = sorted(set(types) - set(known_types))
    if unknown:
        raise ValueError(f"unknown instrument type(s) {unknown}; known: {', '.join(known_types)}")
    codes = set(instruments["jurisdiction"])
    groups = {group(c) for c in codes}
    missing = sorted(j for j in jurisdictions if j not in codes and j not in groups)
    if missing:
        raise ValueError(f"no instruments for jurisdiction(s) {missing}; the data has: "
                         f"{', '.join(sorted(groups | codes))}")
    keep = pd.Series(True, index=instruments.index)
    if jurisdictions:
        keep &= instruments["jurisdiction"].isin(jurisdictions) | instruments["jurisdiction"].map(group).isin(jurisdictions)
    if types:
        keep &= instruments["instrument_type"].isin(types)
    chosen = instruments[keep].copy()
    chosen["group"] = chosen["jurisdiction"].map(group)
    chosen["effect_start"] = effect_start(chosen)
    first = chosen[["announced_start", "adopted_start", "effect_start"]].min(axis=1)
    chosen = chosen.assign(_first=first).sort_values(["group", "_first", "id"]).drop(columns="_first")
    return chosen.reset_index(drop=True), Selection(tuple(jurisdictions), tuple(types), as_of)


def check_selection(p: dict, project=None) -> str | None:
    """Why the chapter's (or a jurisdiction page's) selection cannot be made, is empty, or
    compares jurisdictions the data does not have, in one line (None: it is fine)."""
    from .. import data

    instruments = data.load("regulations", project)
    types = data.labels("regulations", "instrument_type", project)
    day = pd.Timestamp(p["as_of"]) if p.get("as_of") else pd.Timestamp.today().normalize()
    try:
        chosen, selection = select(instruments, p["jurisdictions"], p.get("instrument_types", []), list(types), day)
    except ValueError as exc:
        return str(exc)
    if chosen.empty:
        return f"the selection ({selection.describe(types)}) matches no instrument"
    known = set(instruments["jurisdiction"].map(group))
    missing = [c for c in p.get("compare", []) if c not in known]
    if missing:
        return (f"parameter 'compare': no instruments for {', '.join(repr(c) for c in missing)} in the data; "
                f"it has: {', '.join(sorted(known))}")
    return None


# ---------------------------------------------------------------- what the prose states

def in_effect_by_year(instruments: pd.DataFrame, groups: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    """Instruments in effect at the end of each year (and on the as-of day), one column per group."""
    first = instruments["effect_start"].min()
    if pd.isna(first):
        return pd.DataFrame(columns=groups)
    days = [pd.Timestamp(year=y, month=12, day=31) for y in range(first.year, as_of.year)] + [as_of]
    rows = {day: {g: int((in_effect(instruments, day) & (instruments["group"] == g)).sum()) for g in groups}
            for day in days}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "day"
    return out


def provision_matrix(instruments: pd.DataFrame, provisions: pd.DataFrame, provision_kinds: list[str],
                     as_of: pd.Timestamp) -> pd.DataFrame:
    """Group x provision: how many instruments in effect on ``as_of`` set that provision."""
    live = instruments[in_effect(instruments, as_of)]
    rows = provisions.merge(live[["id", "group"]], left_on="instrument", right_on="id")
    counts = rows.drop_duplicates(["instrument", "provision"]).groupby(["group", "provision"]).size()
    groups = sorted(set(instruments["group"]), key=lambda g: (-int((instruments["group"] == g).sum()), g))
    return counts.unstack(fill_value=0).reindex(index=groups, columns=provision_kinds, fill_value=0)


def lag_days(instruments: pd.DataFrame) -> pd.Series:
    """Days from announcement to effect, where both are known to the day."""
    both = (instruments["announced_precision"] == "day") & (instruments["effective_precision"] == "day")
    both &= ~instruments["status"].isin(NEVER_IN_EFFECT)
    return (instruments.loc[both, "effective_start"] - instruments.loc[both, "announced_start"]).dt.days


def _labels_list(keys, labels: dict[str, str]) -> str:
    words = [labels.get(k, k).lower() for k in keys]
    return "; ".join(words) if words else "none"


def findings(instruments: pd.DataFrame, provisions: pd.DataFrame, compare: list[str], as_of: pd.Timestamp,
             provision_labels: dict[str, str]) -> dict:
    """Every number and phrase the chapter states. Phrases are plain text (glued as text).

    ``compare`` may name any number of jurisdictions; those with no instrument in the selection
    are said to be absent, never given zeros."""
    live = in_effect(instruments, as_of)
    years = instruments[["announced_start", "adopted_start", "effect_start"]].min(axis=1).dt.year
    groups = set(instruments["group"])
    compared = [g for g in dict.fromkeys(compare) if g in groups]
    absent = [g for g in dict.fromkeys(compare) if g not in groups]
    kinds_of = {g: set(provisions.loc[provisions["instrument"].isin(instruments.loc[(instruments["group"] == g) & live, "id"]), "provision"])
                for g in compared}
    lags = lag_days(instruments)
    out = {
        "n_instruments": int(len(instruments)),
        "n_jurisdictions": int(instruments["jurisdiction"].nunique()),
        "n_countries": int(instruments["group"].nunique()),
        "n_in_effect": int(live.sum()),
        "n_drafts": int((instruments["status"] == "draft").sum()),
        "n_rulings": int(instruments["instrument_type"].isin(DECIDED).sum()),
        "first_year": int(years.min()),
        "as_of": as_of.date().isoformat(),
        "n_lags": int(lags.size),
        "median_lag_days": int(np.median(lags)) if lags.size else 0,
        "n_provisions": int(len(provisions[provisions["instrument"].isin(instruments["id"])])),
    }
    per_group = []
    for g in compared:
        of = instruments["group"] == g
        n, n_live, n_kinds = int(of.sum()), int((of & live).sum()), len(kinds_of[g])
        starts = instruments.loc[of, "effect_start"].dropna()
        key = g.lower()   # the numbers too, for whoever reads the glued values
        out[f"{key}_n"], out[f"{key}_in_effect"], out[f"{key}_provision_kinds"] = n, n_live, n_kinds
        text = (f"{name(g)}: {prose.count(n, 'instrument')}, {prose.number(n_live)} in effect, "
                f"setting {prose.count(n_kinds, 'kind of provision')}; ")
        text += (f"the first took effect in {int(starts.min().year)}." if len(starts)
                 else "none has taken effect.")
        per_group.append(text)
    if absent:
        per_group.append(f"{prose.listing([name(g) for g in absent], conjunction='and')}: "
                         f"no instrument in this selection.")
    out["compare_sentence"] = " ".join(per_group)
    if len(compared) >= 2:
        a, others = compared[0], compared[1:]
        only = sorted(kinds_of[a] - set().union(*(kinds_of[o] for o in others)))
        everywhere = sorted(set.intersection(*kinds_of.values()))
        out["only_first"] = _labels_list(only, provision_labels)
        out["in_all"] = _labels_list(everywhere, provision_labels)
        names = prose.listing([prose.the(name(g)) for g in compared])
        every = f"both {names}" if len(compared) == 2 else f"all {len(compared)} of {names}"
        out["shared_sentence"] = (
            f"Kinds of provision that {every} set, in "
            f"instruments in effect: {out['in_all']}. Kinds only {prose.the(name(a))} sets among them: {out['only_first']}.")
    elif len(compared) == 1:
        out["shared_sentence"] = (f"Of the jurisdictions compared, only {prose.the(name(compared[0]))} is in this selection, "
                                  "so no provisions are set side by side.")
    else:
        out["shared_sentence"] = "None of the jurisdictions compared is in this selection."
    out["breadth_sentence"] = breadth_sentence(instruments, provisions, live, provision_labels)
    n_lags = out["n_lags"]
    out["lag_sentence"] = (
        "No instrument in this selection has both its announcement and its entry into effect dated to the day."
        if not n_lags else
        f"Where both dates are known to the day ({prose.count(n_lags, 'instrument')}), "
        + (f"it took {out['median_lag_days']:,} days from announcement to entry into effect." if n_lags == 1 else
           f"the median time from announcement to entry into effect is {out['median_lag_days']:,} days."))
    us_federal = instruments.loc[(instruments["jurisdiction"] == "USA"), "id"]
    sanctioned = provisions[(provisions["provision"] == "vendor_sanctioned") & provisions["instrument"].isin(us_federal)]
    out["n_us_listed_vendors"] = int(sanctioned["value"].nunique())
    out["us_sentence"] = (
        "This selection holds no US federal rule." if us_federal.empty else
        f"US federal trade, investment and procurement rules in this selection name "
        f"{prose.count(out['n_us_listed_vendors'], 'vendor')} of surveillance, telecommunications or "
        "facial recognition technology.")
    n, nj, nc = out["n_instruments"], out["n_jurisdictions"], out["n_countries"]
    out["instruments_phrase"] = prose.count(n, "instrument")
    out["scope_phrase"] = (
        f"from {prose.count(nj, 'jurisdiction')}"
        + ("" if nj == nc else f" in {prose.count(nc, 'country')} (the EU counted as one)")
        + f", the earliest from {out['first_year']}")
    d, r = out["n_drafts"], out["n_rulings"]
    out["status_phrase"] = (
        f"{prose.number(out['n_in_effect'])} {prose.were(out['n_in_effect'])} in effect; "
        f"{prose.number(d)} {prose.are(d)} {'a draft' if d == 1 else 'drafts'} and {prose.number(r)} "
        f"{prose.are(r)} {'a court ruling or regulator' + chr(39) + 's decision' if r == 1 else 'court rulings or regulators' + chr(39) + ' decisions'}")
    p = out["n_provisions"]
    out["provisions_sentence"] = prose.capital(
        f"{prose.count(p, 'coded provision')} {'says' if p == 1 else 'say'} what the instruments require or forbid.")
    return out


def breadth_sentence(instruments: pd.DataFrame, provisions: pd.DataFrame, live: pd.Series,
                     provision_labels: dict[str, str], top: int = 3) -> str:
    """Beyond the jurisdictions compared: across every country of the selection with an instrument
    in effect, the kinds of provision set in the most countries."""
    groups = instruments.loc[live, "group"]
    n = int(groups.nunique())
    if not n:
        return "No instrument in this selection is in effect on that day."
    rows = provisions.merge(instruments.loc[live, ["id", "group"]], left_on="instrument", right_on="id")
    spread = rows.groupby("provision")["group"].nunique().sort_values(ascending=False, kind="stable")
    spread = spread[spread >= spread.iloc[min(top, len(spread)) - 1]] if len(spread) else spread
    if spread.empty:
        return (f"Across the {prose.count(n, 'country')} with an instrument in effect (the EU counted as one), "
                "no provision is coded.")
    if n == 1:
        kinds = prose.listing(provision_labels.get(k, k).lower() for k in spread.index)
        return f"The one country with an instrument in effect sets: {kinds}."
    kinds = prose.listing(f"{provision_labels.get(k, k).lower()} ({v} of {n})" for k, v in spread.items())
    return (f"Across all {prose.count(n, 'country')} with an instrument in effect (the EU counted as one), "
            f"the kinds of provision set in the most countries are: {kinds}.")


def jurisdiction_findings(instruments: pd.DataFrame, provisions: pd.DataFrame, as_of: pd.Timestamp,
                          type_labels: dict[str, str], provision_labels: dict[str, str]) -> dict:
    """What a jurisdiction's page states."""
    live = in_effect(instruments, as_of)
    mine = provisions[provisions["instrument"].isin(instruments.loc[live, "id"])]
    per_type = instruments["instrument_type"].value_counts()
    dated = instruments.assign(_first=instruments[["announced_start", "adopted_start", "effect_start"]].min(axis=1)).dropna(subset=["_first"])
    first, latest = dated.sort_values(["_first", "id"]).iloc[0], dated.sort_values(["_first", "id"]).iloc[-1]
    out = {
        "n_instruments": int(len(instruments)),
        "n_in_effect": int(live.sum()),
        "n_drafts": int((instruments["status"] == "draft").sum()),
        "n_subnational": int((instruments["jurisdiction"] != instruments["group"]).sum()),
        "n_rulings": int(instruments["instrument_type"].isin(DECIDED).sum()),
        "top_type": type_labels.get(per_type.index[0], per_type.index[0]),
        "top_type_n": int(per_type.iloc[0]),
        "first_title": f"{first['title_en']} ({first['id']}, {first['_first'].year})",
        "latest_title": f"{latest['title_en']} ({latest['id']}, {latest['_first'].year})",
        "provision_kinds": _labels_list(sorted(set(mine["provision"])), provision_labels),
        "n_provision_kinds": int(mine["provision"].nunique()),
        "sanctioned": "; ".join(sorted(set(provisions.loc[(provisions["provision"] == "vendor_sanctioned")
                                                          & provisions["instrument"].isin(instruments["id"]), "value"]))) or "none",
        "as_of": as_of.date().isoformat(),
    }
    n, live_n, d, sub, r = (out[k] for k in ("n_instruments", "n_in_effect", "n_drafts", "n_subnational", "n_rulings"))
    out["instruments_phrase"] = prose.count(n, "instrument")
    out["status_phrase"] = (
        f"{prose.number(live_n)} {'of them ' if n > 1 and live_n else ''}{prose.were(live_n)} in effect on "
        f"{out['as_of']}, {prose.number(d)} {prose.are(d)} {'a draft' if d == 1 else 'drafts'}, "
        f"{prose.number(sub)} {'comes' if sub == 1 else 'come'} from provinces, states or cities, and "
        f"{prose.number(r)} {prose.are(r)} "
        + ("a court ruling or regulator's decision" if r == 1 else "court rulings or regulators' decisions"))
    ties = per_type[per_type == per_type.iloc[0]]
    out["type_sentence"] = (
        f"Kind of instrument: {out['top_type'].lower()}." if n == 1 else
        f"The most common kind is {out['top_type'].lower()} ({out['top_type_n']:,})." if len(ties) == 1 else
        f"The most common kinds are {prose.listing(sorted(type_labels.get(t, t).lower() for t in ties.index))} "
        f"({out['top_type_n']:,} each).")
    out["dates_sentence"] = (f"It is {out['first_title']}." if n == 1 else
                             f"The earliest is {out['first_title']}; the latest, {out['latest_title']}.")
    k = out["n_provision_kinds"]
    out["kinds_sentence"] = (
        "The instruments in effect set no coded kind of provision." if not k else
        f"The instruments in effect set {prose.count(k, 'kind of provision')}: {out['provision_kinds']}.")
    return out


# ---------------------------------------------------------------- tables

def place_cell(row) -> str:
    """``place`` as a table cell: a mainland province links to its page (the city, free text from
    the data, is escaped; the link is built from the validated code)."""
    if row["jurisdiction"] not in MAINLAND:
        return safe.markdown(place(row))
    link = page_link(row["jurisdiction"], f"{province_name(row['jurisdiction'])} (China)")
    return f"{safe.markdown(row['city'])}, {link}" if row.get("city") else link


def instruments_table(instruments: pd.DataFrame, type_labels: dict[str, str], status_labels: dict[str, str],
                      full: bool = True, registry: dict | None = None) -> str:
    """The instruments as a table citing their sources; ``full`` adds the original title, the
    summary and the evidence (a jurisdiction's page), otherwise one short line each (the chapter)."""
    table = instruments.assign(
        where=instruments.apply(place_cell, axis=1),
        titles=instruments["title_en"] + " / " + instruments["title"],
        kind=instruments["instrument_type"].map(type_labels),
        state=instruments["status"].map(status_labels),
    )
    if not full:
        return markdown_table(table, {"id": "Id", "where": "Jurisdiction", "title_en": "Title", "kind": "Type",
                                      "announced": "Announced", "effective": "Effective", "state": "Status",
                                      "sources": "Sources"}, raw=("where",))
    return markdown_table(table, {"id": "Id", "where": "Jurisdiction", "titles": "Title (English / original)",
                                  "kind": "Type", "announced": "Announced", "adopted": "Adopted",
                                  "effective": "Effective", "ended": "Ended", "state": "Status",
                                  "summary": "What it does", "evidence": "Evidence (first source, verbatim)",
                                  "sources": "Sources"}, registry=registry, raw=("where",))


def provisions_table(instruments: pd.DataFrame, provisions: pd.DataFrame, provision_labels: dict[str, str],
                     registry: dict | None = None) -> str:
    rows = provisions[provisions["instrument"].isin(instruments["id"])].copy()
    order = {i: n for n, i in enumerate(instruments["id"])}
    rows = rows.assign(_o=rows["instrument"].map(order)).sort_values(["_o", "provision", "value"])
    rows["kind"] = rows["provision"].map(provision_labels)
    return markdown_table(rows, {"instrument": "Instrument", "kind": "Provision", "value": "Value",
                                 "detail": "What it says", "evidence": "Evidence (verbatim)", "sources": "Sources"},
                          registry=registry)


# ---------------------------------------------------------------- charts

def _family_style():
    return {fam: (CATEGORICAL[i % len(CATEGORICAL)], MARKERS[i % len(MARKERS)]) for i, fam in enumerate(FAMILIES)}


def timeline(instruments: pd.DataFrame, as_of: pd.Timestamp, label: str = "group"):
    """One row per group (or per instrument when ``label`` is 'instrument'): a thin line from the
    announcement to the day an instrument took effect, a mark on that day (shape and colour by
    kind of instrument), hollow for drafts (placed where announced)."""
    style = _family_style()
    frame = instruments.copy()
    frame["mark"] = frame["effect_start"].fillna(frame["adopted_start"]).fillna(frame["announced_start"])
    frame = frame.dropna(subset=["mark"])
    if label == "instrument":
        rows = {k: i for i, k in enumerate(reversed(list(frame["id"])))}   # first at the top
        y = frame["id"].map(rows).astype(float)
        ticks = {i: k for k, i in rows.items()}
        height = 0.22 * len(rows) + 1.2
    else:
        groups = sorted(set(frame["group"]), key=lambda g: (-int((frame["group"] == g).sum()), g))
        rows = {g: i for i, g in enumerate(reversed(groups))}
        offsets = frame.groupby("group").cumcount() % 5 - 2   # fixed spread, not random: same bytes
        y = frame["group"].map(rows) + offsets * 0.12
        ticks = {i: name(g) for g, i in rows.items()}
        height = 0.5 * len(groups) + 1.4
    fig, ax = plt.subplots(figsize=(8, max(height, 2.6)))
    for _, r in frame.iterrows():
        a, b = r["announced_start"], r["effect_start"]
        if pd.notna(a) and pd.notna(b) and b > a:
            ax.plot([a, b], [y[_]] * 2, color=GREY, linewidth=0.8, zorder=2)
    for fam, (colour, marker) in style.items():
        of = frame["instrument_type"].map(FAMILY_OF) == fam
        if not of.any():
            continue
        for hollow in (False, True):
            m = of & ((frame["status"] == "draft") == hollow)
            if m.any():
                ax.scatter(frame.loc[m, "mark"], y[m], s=30, marker=marker, zorder=3,
                           facecolors="none" if hollow else colour, edgecolors=edge(colour),
                           linewidths=1.4 if hollow else 0.9)
        ax.scatter([], [], s=30, marker=marker, facecolors=colour, edgecolors=edge(colour), label=figure_text(fam))
    if (frame["status"] == "draft").any():
        ax.scatter([], [], s=30, marker="o", facecolors="none", edgecolors=GREY, label="(hollow: draft)")
    ax.axvline(as_of, color=GREY, linestyle=":", linewidth=1)
    ax.set_yticks(list(ticks), [figure_text(t) for t in ticks.values()])
    if label == "instrument":
        ax.tick_params(axis="y", labelsize=7)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("Date (line: announced to in effect; dotted: as-of day)")
    ax.legend(title="Kind of instrument", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.grid(axis="y", visible=False)
    return fig


def in_effect_steps(counts: pd.DataFrame):
    """Instruments in effect over time, one step line per group, each with its own shape."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for i, g in enumerate(counts.columns):
        colour, marker = CATEGORICAL[i % len(CATEGORICAL)], MARKERS[i % len(MARKERS)]
        ax.step(counts.index, counts[g], where="post", color=colour, linewidth=1.6, label=figure_text(name(g)))
        ax.plot(counts.index, counts[g], linestyle="none", marker=marker, markersize=3.5, color=colour)
    ax.set_ylabel("Instruments in effect")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left", fontsize=8, ncols=2)
    ax.grid(axis="y", visible=True)
    return fig


def provision_heatmap(matrix: pd.DataFrame, provision_labels: dict[str, str]):
    """Group x provision, the number of instruments in effect that set it, written in each cell
    (so the numbers, not only the shades, carry it)."""
    matrix = matrix.loc[:, matrix.sum(axis=0) > 0]
    fig, ax = plt.subplots(figsize=(8, 0.42 * max(len(matrix.columns), 3) + 1.6))
    data = matrix.T.to_numpy()
    top = max(int(data.max()), 1)
    ax.imshow(data, cmap="Blues", vmin=0, vmax=top * 1.3, aspect="auto")
    for (i, j), v in np.ndenumerate(data):
        if v:
            ax.text(j, i, str(int(v)), ha="center", va="center", fontsize=8,
                    color="white" if v > top * 0.7 else "black")
    ax.set_xticks(range(len(matrix.index)), [figure_text(name(g)) for g in matrix.index], rotation=30, ha="right")
    ax.set_yticks(range(len(matrix.columns)), [figure_text(provision_labels.get(p, p)) for p in matrix.columns])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig

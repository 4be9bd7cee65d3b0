"""The provinces strand: a page for each of the 31 provincial-level divisions of mainland China (one
template notebook, one run per province in notebooks/runs.yml) and an overview of all of them.

Counts here are of *reported* events. How many a province has says as much about how much its
media, governments and companies published, and about which sources we could search, as about
how much facial recognition it deployed; every page says so in numbers.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_hex
import numpy as np
import pandas as pd

from .. import prose
from ..cite import markdown_table
from ..safe import figure_text
from ..style import GREY, OKABE_ITO
from ..places import MAINLAND, page_link, province_name
from .rollout import dated

PER_PEOPLE = 10_000_000   # counts per 10 million residents, unless the overview's parameter says otherwise


def per_label(per: int) -> str:
    """10_000_000 -> '10 million', 1_000_000 -> 'million', 100_000 -> '100,000'."""
    if per % 1_000_000 == 0:
        m = per // 1_000_000
        return "million" if m == 1 else f"{m:,} million"
    return f"{per:,}"


def check_province(code: str) -> str | None:
    if code not in MAINLAND:
        return (f"{code!r} is not one of the 31 provincial-level divisions of mainland China "
                f"({', '.join(MAINLAND)})")
    return None


def check_selection(p: dict, project=None) -> str | None:
    return check_province(p["province"])


# ---------------------------------------------------------------- the numbers

def per_province(events: pd.DataFrame, rules: pd.DataFrame, context: pd.DataFrame,
                 per: int = PER_PEOPLE) -> pd.DataFrame:
    """One row per mainland province: events, sources, sectors, first year, local instruments,
    population and events per ``per`` residents (column per_people)."""
    placed = events[events["province"].isin(MAINLAND)]
    out = pd.DataFrame(index=pd.Index(MAINLAND, name="province"))
    out["name"] = [province_name(c) for c in MAINLAND]
    grouped = placed.groupby("province")
    out["events"] = grouped.size().reindex(out.index, fill_value=0).astype(int)
    out["sources"] = grouped["sources"].agg(
        lambda s: len({k for keys in s for k in keys.split(";") if k})).reindex(out.index, fill_value=0).astype(int)
    out["sectors"] = grouped["sector"].nunique().reindex(out.index, fill_value=0).astype(int)
    out["first_year"] = grouped["date_year"].min().reindex(out.index)
    local = rules[rules["jurisdiction"].isin(MAINLAND)]
    out["local_rules"] = local[local["level"] != "court"].groupby("jurisdiction").size().reindex(out.index, fill_value=0).astype(int)
    out["court_cases"] = local[local["level"] == "court"].groupby("jurisdiction").size().reindex(out.index, fill_value=0).astype(int)
    people = context.set_index("province")["population"]
    out["population"] = people.reindex(out.index)
    out["per_people"] = (out["events"] / out["population"] * per).round(2)
    return out


def province_findings(code: str, events: pd.DataFrame, table: pd.DataFrame,
                      debate: pd.DataFrame | None = None) -> dict:
    """What one province's page states, against the other provinces (``table``: per_province).
    ``debate``: the debate events, of which those placed in the province are counted."""
    row = table.loc[code]
    mine = events[events["province"] == code]
    n, national = int(row["events"]), int(events["province"].isin(MAINLAND).sum())
    firsts = table["first_year"].dropna()
    rank = int((table["events"] > n).sum()) + 1
    tied = int((table["events"] == n).sum())
    f = {
        "n_events": n,
        "n_sources": int(row["sources"]),
        "n_sectors": int(row["sectors"]),
        "n_local_rules": int(row["local_rules"]),
        "n_court_cases": int(row["court_cases"]),
        "first_year": int(row["first_year"]) if n else 0,
        "last_year": int(mine["date_year"].max()) if n else 0,
        "median_first_year": int(np.median(firsts)) if len(firsts) else 0,
        "n_provinces_with_events": int(len(firsts)),
        "rank": rank,
        "tied": tied,
        "national_placed": national,
        "n_nationwide": int((events["province"] == "").sum()),
        "per_people": float(row["per_people"]) if pd.notna(row["per_people"]) else float("nan"),
        "median_per_people": float(table["per_people"].median()),
        "population_m": round(float(row["population"]) / 1e6, 1) if pd.notna(row["population"]) else float("nan"),
        "n_debate": int((debate["province"] == code).sum()) if debate is not None else 0,
        "n_debate_placed": int(debate["province"].isin(MAINLAND).sum()) if debate is not None else 0,
    }
    return f | province_sentences(code, f)


def province_sentences(code: str, f: dict) -> dict[str, str]:
    name = province_name(code)
    n = f["n_events"]
    if not n:
        record = (f"The record holds no rollout event placed in {name}. That says how little our sources "
                  "report from it, not that facial recognition is absent there.")
        timing = "With no event, there is no first date to set against the other provinces'."
    else:
        record = (f"The record holds {prose.count(n, 'rollout event')} placed in {name}, from "
                  f"{prose.count(f['n_sources'], 'source')}, in {prose.count(f['n_sectors'], 'sector')}, "
                  f"{prose.years(f['first_year'], f['last_year'])}.")
        first, median = f["first_year"], f["median_first_year"]
        way = ("earlier than" if first < median else "later than" if first > median else "in the same year as")
        timing = (f"Its first recorded event is from {first}, {way} the median first year of the "
                  f"{f['n_provinces_with_events']} provinces with any event ({median}).")
    share = (n / f["national_placed"] * 100) if f["national_placed"] else 0
    tie = f" (tied with {prose.count(f['tied'] - 1, 'other')})" if f["tied"] > 1 else ""
    part = (f"{prose.capital(prose.count(n, 'event'))} {prose.are(n)} {share:.0f} % of the "
            f"{f['national_placed']:,} events placed in a province" if n else
            f"None of the {f['national_placed']:,} events placed in a province is in {name}")
    rank = (f"{part}; {name} ranks {f['rank']} of 31 by count{tie}. "
            f"Another {prose.count(f['n_nationwide'], 'event')} apply nationwide or across several provinces, "
            "and so also here.")
    if np.isnan(f["per_people"]):
        people = "No population is recorded for it, so no count per person is given."
    else:
        people = (f"With {f['population_m']:g} million residents at the 2020 census, that is "
                  f"{f['per_people']:.2f} events per {per_label(PER_PEOPLE)} people, against a median of "
                  f"{f['median_per_people']:.2f} across the 31.")
    r, c = f["n_local_rules"], f["n_court_cases"]
    rules = (f"{prose.capital(prose.count(r, 'local rule'))} of the province or its cities and "
             f"{prose.count(c, 'court case')} from its courts {prose.are(r + c)} in the "
             "regulation record." if r or c else
             "No provincial or city rule and no court case of the province is in the regulation record; "
             "national rules apply here as everywhere in mainland China.")
    d = f["n_debate"]
    debate = (f"{prose.capital(prose.count(d, 'event'))} of the public debate {prose.are(d)} "
              f"placed here, of the {f['n_debate_placed']} that our sources place in a province; most debate "
              "events are national or online and have no place." if d else
              f"No event of the public debate is placed in {name}; of the record's debate events, "
              f"{f['n_debate_placed']} have a province, the rest are national or online.")
    return {"record_sentence": record, "timing_sentence": timing, "rank_sentence": rank,
            "people_sentence": people, "rules_sentence": rules, "debate_sentence": debate}


def debate_table(debate: pd.DataFrame, kind_labels: dict[str, str], registry: dict | None = None) -> str:
    """The debate events placed in a province, cited."""
    shown = debate.assign(when=dated(debate), kind=debate["event_type"].map(kind_labels).fillna(debate["event_type"]))
    return markdown_table(shown, {"id": "Id", "when": "Date", "kind": "Kind", "summary": "What the sources report",
                                  "evidence": "Evidence (first source, verbatim)", "sources": "Sources"},
                          registry=registry)


def overview_findings(table: pd.DataFrame, events: pd.DataFrame, context: pd.DataFrame | None = None,
                      per: int = PER_PEOPLE) -> dict:
    """The overview's numbers: how unevenly the record covers the 31 (``context``: the census
    table, for the kinds of division)."""
    counts = table["events"].sort_values(ascending=False, kind="stable")
    total = int(counts.sum())
    top3 = counts.iloc[:3]
    thin = table[table["events"] < 3]
    f = {
        "n_placed": total,
        "n_nationwide": int((events["province"] == "").sum()),
        "n_with_events": int((counts > 0).sum()),
        "n_with_three": int((counts >= 3).sum()),
        "median_events": float(counts.median()),
        "top3_share": round(float(top3.sum() / total * 100), 0) if total else 0.0,
        "n_thin": int(len(thin)),
    }
    leaders = prose.listing(f"{table.loc[c, 'name']} ({int(v)})" for c, v in top3.items())
    rates = table["per_people"].dropna().sort_values(ascending=False, kind="stable")
    f["coverage_sentence"] = (
        f"The record places {prose.count(total, 'rollout event')} in a province; "
        f"{f['n_with_events']} of the 31 have at least one and {f['n_with_three']} have three or more. "
        f"Another {prose.count(f['n_nationwide'], 'event')} apply nationwide or across several provinces.")
    f["unevenness_sentence"] = (
        f"The three provinces with the most events, {leaders}, hold {f['top3_share']:.0f} % of them; "
        f"the median province has {f['median_events']:g}.")
    def who(code):
        return f"{table.loc[code, 'name']}, {table.loc[code, 'population'] / 1e6:.1f} million residents"
    f["per_person_sentence"] = (
        f"Per {per_label(per)} residents (2020 census), the counts run from "
        f"{rates.iloc[-1]:.2f} ({who(rates.index[-1])}) to {rates.iloc[0]:.2f} ({who(rates.index[0])}); "
        "where counts are small, one event more or less moves a small province's rate the most."
        if len(rates) else "No population is recorded.")
    f["per_label"] = per_label(per)
    # the floor: thin provinces were searched until each had three events (data_and_method.md)
    near_floor = table[table["events"].between(3, 4)]
    f["n_near_floor"] = int(len(near_floor))
    f["floor_sentence"] = (
        f"{prose.capital(prose.count(len(near_floor), 'province'))} of the 31 {prose.have(len(near_floor))} "
        "three or four events: for the provinces our first searches left thin, we searched on until each "
        "had at least three, in two sectors and from two sources, so these counts show that floor more "
        "than the scale of deployment.")
    if context is not None:
        kinds = context["type"].value_counts()
        f["kinds_sentence"] = (
            f"{prose.count(int(kinds.get('province', 0)), 'province')}, "
            f"{prose.count(int(kinds.get('autonomous_region', 0)), 'autonomous region')} and "
            f"{prose.count(int(kinds.get('municipality', 0)), 'municipality')} directly under the central government")
    return f


# ---------------------------------------------------------------- tables

def overview_table(table: pd.DataFrame, per: int = PER_PEOPLE) -> str:
    """All 31, each linked to its page."""
    shown = table.reset_index().sort_values("name", kind="stable").assign(
        link=lambda t: [page_link(c) for c in t["province"]],
        first=lambda t: [str(int(y)) if pd.notna(y) else "" for y in t["first_year"]],
        per=lambda t: [f"{v:.2f}" if pd.notna(v) else "" for v in t["per_people"]],
        pop=lambda t: [f"{v / 1e6:.1f}" if pd.notna(v) else "" for v in t["population"]],
    )
    return markdown_table(shown, {"link": "Province", "events": "Events", "per": f"Per {per_label(per)} people",
                                  "pop": "Population, 2020 (millions)", "sources": "Sources", "sectors": "Sectors",
                                  "first": "First event", "local_rules": "Local rules", "court_cases": "Court cases"},
                          cited="", raw=("link",))


# ---------------------------------------------------------------- charts

def choropleth(shapes, table: pd.DataFrame, column: str, label: str, ax=None):
    """Mainland provinces shaded by ``column``, with a colour bar to read the values by; a province
    with no value, and the units outside the record (Hong Kong, Macau, Taiwan), are light grey."""
    frame = shapes.merge(table[[column]], left_on="iso", right_index=True, how="left")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 6))
    else:
        fig = ax.figure
    values = frame[column]
    top = float(values.max()) if values.notna().any() and values.max() > 0 else 1.0
    # Blues from a light but visible blue, so that the lowest value is not mistaken for "none"
    cmap = LinearSegmentedColormap.from_list("blues", plt.get_cmap("Blues")(np.linspace(0.15, 1.0, 256)))
    norm = Normalize(0, top)
    # hex strings throughout: geopandas takes one colour per shape, not a mix of names and RGBA tuples
    colours = [to_hex(cmap(norm(v))) if pd.notna(v) and v > 0 else "#eeeeee" for v in values]
    frame.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.4)
    ax.set_axis_off()
    ax.set_title(figure_text(label), fontsize=10, loc="left")
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, orientation="horizontal",
                       fraction=0.05, pad=0.02, shrink=0.7)
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=8)
    return fig


def map_panels(shapes, table: pd.DataFrame, per: int = PER_PEOPLE):
    """Two maps side by side: events in total, and per ``per`` residents."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    choropleth(shapes, table, "events", "Rollout events recorded", axes[0])
    choropleth(shapes, table, "per_people", f"Events per {per_label(per)} residents (2020 census)", axes[1])
    return fig


def year_sector_dots(events: pd.DataFrame, sector_labels: dict[str, str]):
    """A province's events by year and sector: one dot per event (small counts, read exactly)."""
    if events.empty:
        fig, ax = plt.subplots(figsize=(8, 1.6))
        ax.text(0.5, 0.5, "No event recorded in this province", ha="center", va="center", color=GREY)
        ax.set_axis_off()
        return fig
    sectors = [s for s in sector_labels if s in set(events["sector"])]
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(sectors), 2) + 1.1))
    rows = {s: i for i, s in enumerate(reversed(sectors))}
    counts = events.groupby(["sector", "date_year"]).size()
    for (sector, year), k in counts.items():
        ax.scatter([year] * k, [rows[sector] + (j - (k - 1) / 2) * 0.18 for j in range(k)], s=40,
                   color=OKABE_ITO[0], zorder=3)
    ax.set_yticks(list(rows.values()), [figure_text(sector_labels.get(s, s)) for s in rows])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("Year")
    ax.grid(axis="y", visible=False)
    return fig

"""The rollout strand: filtering the events table by a notebook's parameters, the counts the
chapter states, and its charts. The notebook reads as the argument; the mechanics live here."""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pycountry

from .. import prose
from ..cite import markdown_table
from ..places import MAINLAND, NATIONWIDE, page_link, province_name
from ..safe import figure_text
from ..style import CATEGORICAL, GREY, MARKERS, OKABE_ITO, edge

@dataclass(frozen=True)
class Selection:
    start_year: int
    end_year: int
    sectors: tuple[str, ...]
    provinces: tuple[str, ...]

    def describe(self, sector_labels: dict[str, str]) -> str:
        """The selection in words, for captions."""
        parts = [f"{self.start_year}–{self.end_year}"]
        if self.sectors:
            parts.append("sectors: " + ", ".join(sector_labels.get(s, s) for s in self.sectors))
        if self.provinces:
            parts.append("provinces: " + ", ".join(province_name(p) for p in self.provinces))
        return "; ".join(parts)


def select(events: pd.DataFrame, start_year: int, end_year: int | None, sectors: list[str],
           provinces: list[str], known_sectors: list[str]) -> tuple[pd.DataFrame, Selection]:
    """The events a chapter's parameters ask for; a bad parameter raises a clear ValueError.

    ``end_year`` None is the latest year in the data. ``provinces`` takes ISO 3166-2 codes; ""
    selects the nationwide events.
    """
    if end_year is None:
        end_year = int(events["date_year"].max())
    if start_year > end_year:
        raise ValueError(f"start_year ({start_year}) is after end_year ({end_year})")
    unknown = sorted(set(sectors) - set(known_sectors))
    if unknown:
        raise ValueError(f"unknown sector(s) {unknown}; known: {', '.join(known_sectors)}")
    bad = sorted(p for p in provinces if p and pycountry.subdivisions.get(code=p) is None)
    if bad:
        raise ValueError(f"unknown province code(s) {bad}; use ISO 3166-2 codes such as 'CN-ZJ', or '' for nationwide")
    keep = events["date_year"].between(start_year, end_year)
    if sectors:
        keep &= events["sector"].isin(sectors)
    if provinces:
        keep &= events["province"].isin(provinces)
    chosen = events[keep].sort_values(["date_start", "id"]).reset_index(drop=True)
    return chosen, Selection(start_year, end_year, tuple(sectors), tuple(provinces))


def check_selection(p: dict, project=None) -> str | None:
    """Why the chapter's selection cannot be made, or is empty, in one line (None: it is fine).
    Run before any kernel starts, and again in the notebook's first cell (facereport.params)."""
    from .. import data

    events = data.load("rollout_events", project)
    labels = data.labels("rollout_events", "sector", project)
    try:
        chosen, selection = select(events, p["start_year"], p["end_year"], p["sectors"], p["provinces"], list(labels))
    except ValueError as exc:
        return str(exc)
    if chosen.empty:
        return (f"the selection ({selection.describe(labels)}) matches no event; the data's events run from "
                f"{int(events['date_year'].min())} to {int(events['date_year'].max())}")
    return None


def cumulative_by_sector(events: pd.DataFrame, sectors: list[str], start_year: int, end_year: int) -> pd.DataFrame:
    """Events recorded up to and including each year, one column per sector."""
    years = range(start_year, end_year + 1)
    counts = (events.groupby(["date_year", "sector"]).size().unstack(fill_value=0)
              .reindex(index=years, columns=sectors, fill_value=0))
    counts.index.name = "year"
    return counts.cumsum()


def by_province(events: pd.DataFrame) -> pd.Series:
    """Events per provincial-level unit (nationwide events under their own label), most first."""
    names = events["province"].map(province_name)
    return names.value_counts().sort_values(ascending=False, kind="stable")


def decimal_year(events: pd.DataFrame) -> pd.Series:
    """Where an event sits on a time axis: mid-period for a date known only to the year or month."""
    start = events["date_start"]
    offset_days = events["date_precision"].map({"year": 182, "month": 14, "day": 0}).astype(float)
    days = start.dt.dayofyear.astype(float) - 1 + offset_days
    return start.dt.year + days / 365.25


def cited_keys(events: pd.DataFrame) -> list[str]:
    return sorted({k.strip() for keys in events["sources"] for k in keys.split(";") if k.strip()})


def findings(events: pd.DataFrame, registry: dict, sector_labels: dict[str, str]) -> dict:
    """Every number and phrase the chapter's prose states, computed from the selected events.

    Numbers stay numbers; phrases are plain strings, which may quote data (a summary), so the
    notebook glues them as text (``safe.glue_text``), never as Markdown.
    """
    years = events["date_year"].astype(int)
    per_year = years.value_counts().sort_index()
    per_sector = events["sector"].value_counts()
    per_province = events.loc[events["province"] != "", "province"].value_counts()
    keys = cited_keys(events)
    languages = pd.Series([registry[k].language for k in keys], dtype="string")
    restrictions = events[events["event_type"] == "restriction"]
    if restrictions.empty:
        restriction_sentence = "This selection holds no restriction."
    else:
        first = restrictions.iloc[0]
        restriction_sentence = (f"The earliest restriction in this selection is dated {first['date']} "
                                f"({first['id']}): {first['summary'].split('. ')[0].rstrip('.')}.")
    top_sector = per_sector.index[0]
    facts = {
        "n_events": int(len(events)),
        "n_sources": len(keys),
        "n_sectors": int(events["sector"].nunique()),
        "n_provinces": int(per_province.size),
        "n_nationwide": int((events["province"] == "").sum()),
        "first_year": int(years.min()),
        "last_year": int(years.max()),
        "median_year": int(np.median(years)),
        "peak_year": int(per_year.idxmax()),
        "peak_year_events": int(per_year.max()),
        "top_sector": sector_labels.get(top_sector, top_sector),
        "top_sector_events": int(per_sector.iloc[0]),
        "top_province": province_name(per_province.index[0]) if per_province.size else "No single province",
        "top_province_events": int(per_province.iloc[0]) if per_province.size else 0,
        "n_mandates": int((events["event_type"] == "mandate").sum()),
        "n_restrictions": int(len(restrictions)),
        "restriction_sentence": restriction_sentence,
        "n_zh_sources": int((languages == "zh").sum()),
        "n_en_sources": int((languages == "en").sum()),
        "n_year_only": int((events["date_precision"] == "year").sum()),
        "n_month_only": int((events["date_precision"] == "month").sum()),
        "n_reported": int((events["date_type"] == "reported").sum()),
        "n_low_confidence": int((events["confidence"] == "low").sum()),
    }
    return facts | sentences(facts, per_year, per_sector, per_province, sector_labels)


def sentences(f: dict, per_year: pd.Series, per_sector: pd.Series, per_province: pd.Series,
              sector_labels: dict[str, str]) -> dict[str, str]:
    """The findings and caveats in words that follow their numbers, for any selection: a count
    with its noun, a tie named as a tie, a group with nothing in it said to be empty."""
    n = f["n_events"]
    where = [prose.count(f["n_sectors"], "sector")]
    if f["n_provinces"]:
        where.append(prose.count(f["n_provinces"], "provincial-level unit"))
    scope = f"in {prose.listing(where)}"
    if f["n_nationwide"] == n:
        scope = (f"in {where[0]}; all of them apply nationwide or across several provinces" if n > 1
                 else f"in {where[0]}; it applies nationwide or across several provinces")
    elif f["n_nationwide"]:
        scope += (f"; {f['n_nationwide']:,} more {'applies' if f['n_nationwide'] == 1 else 'apply'} "
                  "nationwide or across several provinces")
    else:
        scope += "; none applies nationwide or across several provinces"
    if n == 1:
        timing = f"The one recorded event dates from {f['first_year']}."
    elif per_year.size == 1:
        timing = f"All of them date from {f['first_year']}."
    else:
        peak_years, peak_n = prose.leaders(per_year)
        tied = peak_n.endswith("each")
        timing = (f"Half of the recorded events date from {f['median_year']} or later. "
                  + (f"The years with the most recorded events are {peak_years} ({peak_n})."
                     if tied else f"The year with the most recorded events is {peak_years} "
                                  f"({prose.count(int(per_year.max()), 'event')})."))
    label = lambda code: sector_labels.get(code, code)
    sectors = prose.most(per_sector, "sector", "recorded events", label)
    if per_province.size == 0:
        provinces = "none is tied to a single provincial-level unit"
    elif per_province.size == 1:
        provinces = f"all those tied to one provincial-level unit are in {province_name(per_province.index[0])}"
    else:
        provinces = prose.most(per_province, "provincial-level unit", "", province_name)
    m, r = f["n_mandates"], f["n_restrictions"]
    rules = prose.capital(
        (f"{prose.count(m, 'event')} {prose.are(m)} " + ("a rule that requires" if m == 1 else "rules that require")
         + f" facial recognition, and {prose.count(r, 'event')} {prose.are(r)} "
         + ("a rule or court ruling that limits it." if r == 1 else "rules or court rulings that limit it.")))
    n_keys = f["n_sources"]
    others = n_keys - f["n_zh_sources"] - f["n_en_sources"]
    languages = (f"Of the {prose.count(n_keys, 'source')} cited in this selection, "
                 f"{prose.number(f['n_zh_sources'])} {prose.are(f['n_zh_sources'])} in Chinese "
                 f"and {prose.number(f['n_en_sources'])} in English"
                 + (f", {others:,} in other languages." if others else "."))
    y, mo, rep = f["n_year_only"], f["n_month_only"], f["n_reported"]
    precision = prose.capital(f"{prose.count(y, 'event')} {prose.are(y)} dated only to the year and "
                              f"{prose.number(mo)} only to the month; ")
    precision += (f"{rep:,} {prose.are(rep)} dated by the report that describes {'it' if rep == 1 else 'them'} "
                  "as already in place, so the thing itself began earlier." if rep else
                  "none is dated only by a report that describes it as already in place.")
    low = f["n_low_confidence"]
    confidence = ("No row in this selection is marked low-confidence." if not low else
                  f"{prose.count(low, 'row')} {prose.are(low)} marked low-confidence; "
                  f"{'its' if low == 1 else 'their'} notes say why (for example a year read from a web "
                  "address, a date worked out from \"on Sunday\", or a single source).")
    return {
        "events_phrase": prose.count(n, "event"),
        "sources_phrase": prose.count(n_keys, "source"),
        "years_phrase": prose.years(f["first_year"], f["last_year"]),
        "scope_phrase": scope,
        "timing_sentence": timing,
        "leaders_sentence": f"{sectors}; {provinces}.",
        "rules_sentence": rules,
        "languages_sentence": languages,
        "precision_sentence": precision,
        "confidence_sentence": confidence,
    }


DATE_TYPE_SUFFIX = {"occurred": "", "announced": " (announced)", "reported": " (reported)", "scheduled": " (scheduled)"}


def dated(frame: pd.DataFrame) -> pd.Series:
    """A row's date as the tables show it: the date, and what kind of date it is unless it occurred."""
    return frame["date"] + frame["date_type"].map(DATE_TYPE_SUFFIX).fillna("")


def events_table(events: pd.DataFrame, sector_labels: dict[str, str], registry: dict | None = None) -> str:
    """The events as a MyST table whose last column cites the source registry; with the registry,
    evidence quoted from a copy says which copy."""
    table = events.assign(
        when=dated(events),
        sector_label=events["sector"].map(sector_labels),
        # a province links to its page; a code outside the mainland's 31 (none yet) stays a name
        province_label=[page_link(code) if code in MAINLAND else (province_name(code) if code else "Nationwide")
                        for code in events["province"]],
    )
    # Province and city apart, so that a reader can filter by province; type and confidence shown,
    # as the text and the figures refer to both.
    return markdown_table(table, {"id": "Id", "when": "Date", "sector_label": "Sector", "event_type": "Type",
                                  "province_label": "Province", "city": "City", "confidence": "Confidence",
                                  "summary": "What the sources report", "evidence": "Evidence (first source, verbatim)",
                                  "sources": "Sources"}, registry=registry, raw=("province_label",))


# ---------------------------------------------------------------- charts

def timeline(events: pd.DataFrame, sectors: list[str], labels: dict[str, str], kinds: list[str]):
    """One row per sector, one mark per event. Kind of event is told by colour and by shape (so
    it survives greyscale and colour-vision deficiency); hollow marks are dates known only to the
    year, placed mid-year."""
    present = [s for s in sectors if s in set(events["sector"])]
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(present), 3) + 1.2))
    rows = {s: i for i, s in enumerate(reversed(present))}
    x = decimal_year(events)
    jitter = (events["id"].map(lambda s: int(s.rsplit("-", 1)[1])) % 5 - 2) * 0.06  # fixed, not random: same bytes every run
    y = events["sector"].map(rows) + jitter
    year_only = events["date_precision"] == "year"
    for i, kind in enumerate(kinds):
        of_kind = events["event_type"] == kind
        if not of_kind.any():
            continue
        colour, marker = CATEGORICAL[i % len(CATEGORICAL)], MARKERS[i % len(MARKERS)]
        for hollow in (False, True):
            m = of_kind & (year_only == hollow)
            if m.any():
                ax.scatter(x[m], y[m], s=34, marker=marker, facecolors="none" if hollow else colour,
                           edgecolors=edge(colour), linewidths=1.0 if not hollow else 1.4, zorder=3)
        ax.scatter([], [], s=34, marker=marker, facecolors=colour, edgecolors=edge(colour), linewidths=1.0, label=figure_text(kind))
    if year_only.any():
        ax.scatter([], [], s=30, marker="o", facecolors="none", edgecolors=GREY, label="(hollow: year only)")
    ax.set_yticks(list(rows.values()), [figure_text(labels.get(s, s)) for s in rows])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("Year")
    ax.legend(title="Kind of event", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    ax.grid(axis="y", visible=False)
    return fig


def cumulative_panels(cumulative: pd.DataFrame, labels: dict[str, str]):
    """Small multiples: the running count of events per sector, each on the same scale, so that
    sectors compare without a legend of a dozen colours."""
    cols = [c for c in cumulative.columns if cumulative[c].iloc[-1] > 0]
    n = max(len(cols), 1)
    ncols = 3 if n > 4 else n
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(8, 1.9 * nrows + 0.4), sharex=True, sharey=True, squeeze=False)
    top = max(int(cumulative.to_numpy().max()), 1)
    for ax, col in zip(axes.flat, cols):
        ax.step(cumulative.index, cumulative[col], where="post", color=OKABE_ITO[0], linewidth=1.8)
        ax.fill_between(cumulative.index, cumulative[col], step="post", color=OKABE_ITO[0], alpha=0.15)
        ax.set_title(figure_text(labels.get(col, col)), fontsize=9, loc="left")
        ax.set_ylim(0, top * 1.1)
        ax.grid(axis="y", visible=True)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.xaxis.get_major_locator().set_params(integer=True)
    for ax in list(axes.flat)[len(cols):]:
        ax.set_visible(False)
    fig.supylabel("Events recorded so far", fontsize=9, color=GREY)
    fig.tight_layout()
    return fig


def province_bars(counts: pd.Series):
    """Horizontal bars, most events at the top; the nationwide bar stands apart in grey."""
    counts = counts.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.28 * max(len(counts), 4) + 1))
    colours = [GREY if name == NATIONWIDE else OKABE_ITO[0] for name in counts.index]
    ax.barh([figure_text(name) for name in counts.index], counts.to_numpy(), color=colours)
    for i, v in enumerate(counts.to_numpy()):
        ax.text(v + 0.1, i, str(int(v)), va="center", fontsize=8)
    ax.set_xlabel("Events recorded")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="y", visible=False)
    return fig

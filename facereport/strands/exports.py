"""The exports strand: where Chinese vendors' surveillance and facial recognition systems went,
from whom, when, and to which kinds of government.

A row of data/exports.csv is a reported deployment (basis 'report') or a country-vendor link the AI
Global Surveillance Index states (basis 'index'). Counts here are of countries and of reported
deployments, never of contracts' value or of cameras.
"""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import prose
from ..cite import markdown_table
from ..safe import figure_text
from ..style import GREY, OKABE_ITO
from .regulation import name as country_name

REGIMES = ["closed autocracy", "electoral autocracy", "electoral democracy", "liberal democracy"]


@dataclass(frozen=True)
class Selection:
    vendors: tuple[str, ...]
    technologies: tuple[str, ...]
    start_year: int | None
    end_year: int | None
    regions: tuple[str, ...]
    include_index: bool

    def describe(self, vendor_names: dict[str, str], tech_labels: dict[str, str]) -> str:
        parts = [("vendors: " + ", ".join(vendor_names.get(v, v) for v in self.vendors)) if self.vendors else "all vendors"]
        if self.technologies:
            parts.append("technologies: " + ", ".join(tech_labels.get(t, t) for t in self.technologies))
        if self.start_year or self.end_year:
            parts.append(f"dated {self.start_year or '...'} to {self.end_year or '...'} (undated rows left out)")
        if self.regions:
            parts.append("regions: " + ", ".join(self.regions))
        parts.append("reports and index links" if self.include_index else "reported deployments only")
        return "; ".join(parts)


def select(exports: pd.DataFrame, context: pd.DataFrame, vendors: list[str], technologies: list[str],
           start_year: int | None, end_year: int | None, regions: list[str], include_index: bool,
           known_vendors: list[str], known_technologies: list[str]):
    for given, known, what in ((vendors, known_vendors, "vendor"), (technologies, known_technologies, "technology")):
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise ValueError(f"unknown {what}(s) {unknown}; known: {', '.join(known)}")
    known_regions = sorted(set(context["region"].dropna()) - {""})
    unknown = sorted(set(regions) - set(known_regions))
    if unknown:
        raise ValueError(f"unknown region(s) {unknown}; known (UN M49 sub-regions): {', '.join(known_regions)}")
    if start_year and end_year and start_year > end_year:
        raise ValueError(f"start_year ({start_year}) is after end_year ({end_year})")
    frame = exports.merge(context[["country", "region", "regime", "bri_member"]], on="country", how="left")
    keep = pd.Series(True, index=frame.index)
    if vendors:
        keep &= frame["vendor"].isin(vendors)
    if technologies:
        keep &= frame["technology"].isin(technologies)
    if not include_index:
        keep &= frame["basis"] == "report"
    if start_year:
        keep &= frame["year_year"] >= start_year
    if end_year:
        keep &= frame["year_year"] <= end_year
    if regions:
        keep &= frame["region"].isin(regions)
    chosen = frame[keep].sort_values(["country", "vendor", "id"]).reset_index(drop=True)
    return chosen, Selection(tuple(vendors), tuple(technologies), start_year, end_year, tuple(regions), include_index)


def check_selection(p: dict, project=None) -> str | None:
    """Why the chapter's (or a vendor page's) selection cannot be made, or is empty, in one line."""
    from .. import data

    rows, context, vendors = data.load("exports", project), data.load("country_context", project), data.load("vendors", project)
    names = dict(zip(vendors["id"], vendors["name"]))
    techs = data.labels("exports", "technology", project)
    chosen_vendors = [p["vendor"]] if "vendor" in p else p.get("vendors", [])
    try:
        chosen, selection = select(rows, context, chosen_vendors, p.get("technologies", []), p.get("start_year"),
                                   p.get("end_year"), p.get("regions", []), p.get("include_index", True),
                                   list(names), list(techs))
    except ValueError as exc:
        return str(exc)
    if chosen.empty:
        return f"the selection ({selection.describe(names, techs)}) matches no row of data/exports.csv"
    return None


def countries_by_vendor(chosen: pd.DataFrame) -> pd.Series:
    """Countries each vendor reached, most first (ties by name)."""
    counts = chosen.groupby("vendor")["country"].nunique()
    return counts.sort_index().sort_values(ascending=False, kind="stable")


def first_dated(chosen: pd.DataFrame) -> pd.DataFrame:
    """Each importing country's first dated deployment: the year a country enters the record."""
    dated = chosen.dropna(subset=["year_year"])
    return dated.groupby("country", as_index=False)["year_year"].min()


def regime_shares(chosen: pd.DataFrame, context: pd.DataFrame) -> pd.DataFrame:
    """Share of importing countries by regime type beside the share of all countries of that type
    (both among countries V-Dem classifies)."""
    rated = context[context["regime"].isin(REGIMES)]
    importers = rated[rated["country"].isin(chosen["country"])]
    out = pd.DataFrame({
        "importers": importers["regime"].value_counts().reindex(REGIMES, fill_value=0),
        "all": rated["regime"].value_counts().reindex(REGIMES, fill_value=0),
    })
    out["importers_pct"] = 100 * out["importers"] / max(out["importers"].sum(), 1)
    out["all_pct"] = 100 * out["all"] / max(out["all"].sum(), 1)
    return out


def findings(chosen: pd.DataFrame, context: pd.DataFrame, vendor_names: dict[str, str]) -> dict:
    reach = countries_by_vendor(chosen)
    regimes = regime_shares(chosen, context)
    autocracies = ["closed autocracy", "electoral autocracy"]
    importers = chosen["country"].unique()
    regions = chosen.drop_duplicates("country")["region"].value_counts()
    dated = first_dated(chosen)
    reports = chosen[chosen["basis"] == "report"]
    facts = {
        "n_rows": int(len(chosen)),
        "n_reports": int(len(reports)),
        "n_index_links": int((chosen["basis"] == "index").sum()),
        "n_countries": int(len(importers)),
        "n_countries_reported": int(reports["country"].nunique()),
        "n_vendors": int(chosen["vendor"].nunique()),
        "top_vendor": vendor_names.get(reach.index[0], reach.index[0]) if len(reach) else "none",
        "top_vendor_countries": int(reach.iloc[0]) if len(reach) else 0,
        "huawei_countries": int(chosen.loc[chosen["vendor"] == "huawei", "country"].nunique()),
        "huawei_safe_city_countries": int(chosen.loc[(chosen["vendor"] == "huawei") & (chosen["technology"] == "safe_city"), "country"].nunique()),
        "top_region": regions.index[0] if len(regions) else "none",
        "top_region_countries": int(regions.iloc[0]) if len(regions) else 0,
        "n_dated_countries": int(len(dated)),
        "first_year": int(dated["year_year"].min()) if len(dated) else 0,
        "n_rated_importers": int(regimes["importers"].sum()),
        "autocracy_importers_pct": round(float(regimes.loc[autocracies, "importers_pct"].sum()), 1),
        "autocracy_all_pct": round(float(regimes.loc[autocracies, "all_pct"].sum()), 1),
        "n_bri_importers": int(chosen.drop_duplicates("country")["bri_member"].eq("yes").sum()),
    }
    democracies = int(regimes.loc[["electoral democracy", "liberal democracy"], "importers"].sum())
    return facts | sentences(facts, reach, regions, democracies, vendor_names)


# A difference in share smaller than this many percentage points is 'about as often': the regime
# data (V-Dem via OWID) and the record's coverage are too coarse for a finer claim.
SAME_SHARE_POINTS = 2.0


def sentences(f: dict, reach: pd.Series, regions: pd.Series, democracies: int, vendor_names: dict[str, str]) -> dict:
    """The findings in words that follow their numbers, for any selection, including the one
    comparison the chapter draws (importers' regimes against all countries'), with its direction
    computed."""
    nr, ni, nc = f["n_reports"], f["n_index_links"], f["n_countries_reported"]
    composition = (f"{prose.count(nr, 'deployment')} that a source reports"
                   + (f" (in {prose.count(nc, 'country')})" if nr > 1 else "")
                   + f" and {prose.count(ni, 'country-vendor link')} restated from the AI Global Surveillance "
                   "Index.")
    if len(reach) == 1:
        vendor = (f"All rows are of one vendor, {vendor_names.get(reach.index[0], reach.index[0])}, in "
                  f"{prose.count(int(reach.iloc[0]), 'country')}.")
    else:
        names, top = prose.leaders(reach, lambda v: vendor_names.get(v, v))
        tied = top.endswith("each")
        vendor = (f"Of the {prose.count(f['n_vendors'], 'vendor group')}, {names} {'reach' if tied else 'reaches'} "
                  f"the most countries: {top}.")
    if len(regions) == 1:
        region = f"All the importing countries are in one region, {regions.index[0]}."
    else:
        names, top = prose.leaders(regions)
        region = (f"The regions with the most importing countries are {names} ({top})." if top.endswith("each")
                  else f"The region with the most importing countries is {names} ({top}).")
    dated = f["n_dated_countries"]
    dates = ("No deployment in this selection is dated." if not dated else
             f"The earliest dated deployment in this selection is from {f['first_year']}; "
             f"{prose.count(dated, 'country')} {'has' if dated == 1 else 'have'} at least one dated deployment.")
    rated = f["n_rated_importers"]
    ours, everyone = f["autocracy_importers_pct"], f["autocracy_all_pct"]
    if not rated:
        regime = "V-Dem classifies none of the importing countries in this selection."
        analysis = ("Our analysis: with no regime data for these countries, the record says nothing here about "
                    "the kinds of government that bought these systems.")
    else:
        regime = (f"The one importing country that V-Dem classifies {'was' if ours else 'was not'} a closed or "
                  f"electoral autocracy in 2019; of all the countries it classifies, {everyone:g} % were." if rated == 1 else
                  f"Of the {prose.count(rated, 'importing country')} that V-Dem classifies, {ours:g} % "
                  "were closed or electoral autocracies "
                  f"in 2019, against {everyone:g} % of all the countries it classifies.")
        way = prose.direction(ours, everyone, SAME_SHARE_POINTS)
        often = {"more": "more often than", "less": "less often than", "about as": "about as often as"}[way]
        analysis = (f"Our analysis: in this selection, the record shows Chinese systems in autocracies {often} "
                    f"their share of the world's countries would suggest ({ours:g} % of importers against "
                    f"{everyone:g} %)"
                    + (f", and in {prose.count(democracies, 'democracy')} too" if democracies and ours > 0 else "")
                    + "; it cannot say whether a sale caused any use against citizens, or how the record's gaps "
                    "are distributed.")
    bri = f["n_bri_importers"]
    return {
        "rows_phrase": f"{prose.count(f['n_rows'], 'row')} in {prose.count(f['n_countries'], 'importing country')}",
        "composition_sentence": composition,
        "reach_sentence": f"{vendor} {region}",
        "dates_sentence": dates,
        "regime_sentence": regime,
        "bri_sentence": prose.capital(f"{prose.count(bri, 'importing country')} {prose.are(bri)} on the Green Finance "
                                      "& Development Center's list of Belt and Road countries."),
        "analysis_sentence": analysis,
    }


def index_only(chosen: pd.DataFrame, notes: pd.DataFrame, vendor_names: dict[str, str]) -> pd.DataFrame:
    """The importing countries of the selection that rest on the index's links alone (no reported
    deployment among the selected rows), each with what a search for one found
    (data/export_search_notes.csv): 'not_found', 'found' (a reported deployment outside this
    selection's filters), or 'not searched'."""
    reported = set(chosen.loc[chosen["basis"] == "report", "country"])
    links = chosen[(chosen["basis"] == "index") & ~chosen["country"].isin(reported)]
    out = (links.groupby("country")["vendor"]
           .agg(lambda v: ", ".join(sorted({vendor_names.get(x, x) for x in v})))
           .rename("vendors").reset_index())
    out = out.merge(notes[["country", "searched", "queries", "result", "notes"]], on="country", how="left")
    out["result"] = out["result"].fillna("not searched")
    out["where"] = out["country"].map(country_name)
    return out.fillna("").sort_values("where").reset_index(drop=True)


def index_only_sentence(only: pd.DataFrame, n_index_links: int) -> str:
    """What the record can say of the countries the index alone links, in numbers that follow the
    selection."""
    if not n_index_links:
        return ("This selection leaves out the index's links: every country in it rests on a reported "
                "deployment.")
    n = len(only)
    if not n:
        return "Every importing country in this selection has at least one reported deployment."
    counts = only["result"].value_counts()
    not_found, found, unsearched = (int(counts.get(k, 0)) for k in ("not_found", "found", "not searched"))
    parts = [f"{prose.capital(prose.count(n, 'importing country'))} in this selection {'rests' if n == 1 else 'rest'} "
             "on the index's link alone, with no reported deployment among the selected rows."]
    if not_found:
        parts.append(f"For {prose.count(not_found, 'country') if not_found < n else ('it' if n == 1 else f'all {n}')}, "
                     "a search for one (a contract, project, procurement, statement or news report naming the "
                     "vendor) found none; the table below says what was searched.")
    if found:
        parts.append(f"{prose.capital(prose.count(found, 'country'))} {prose.have(found)} reported deployments "
                     "outside this selection's filters.")
    if unsearched:
        parts.append(f"{prose.capital(prose.count(unsearched, 'country'))} {prose.have(unsearched)} not been searched.")
    return " ".join(parts)


def index_only_table(only: pd.DataFrame) -> str:
    result_labels = {"not_found": "Not found", "found": "Found outside this selection", "not searched": "Not searched"}
    table = only.assign(result_s=only["result"].map(result_labels).fillna(only["result"]))
    return markdown_table(table, {"where": "Country", "vendors": "Vendors (index)", "searched": "Searched",
                                  "result_s": "Reported deployment", "queries": "What was searched",
                                  "notes": "Notes"}, cited="")


def headlines_beside(headlines: pd.DataFrame, ours: dict) -> pd.DataFrame:
    """Published headline figures with the record's own count of the same thing, where it has one."""
    pairs = {"carnegie2019aigs_chinese": ("n_countries", "countries with a Chinese vendor in this record"),
             "cset2020_80countries": ("n_countries", "countries with a Chinese vendor in this record"),
             "greitens2021_80countries": ("n_countries", "countries with a Chinese vendor in this record"),
             "carnegie2019aigs_huawei": ("huawei_countries", "countries where this record has Huawei"),
             "csis2019_countries": ("huawei_safe_city_countries", "countries where this record has a Huawei safe-city deployment")}
    rows = []
    for _, h in headlines.iterrows():
        key, what = pairs.get(h["id"], (None, ""))
        rows.append({**h.to_dict(), "ours": ours.get(key, "") if key else "", "ours_what": what})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- tables

def exports_table(chosen: pd.DataFrame, vendor_names: dict[str, str], tech_labels: dict[str, str],
                  registry: dict | None = None) -> str:
    table = chosen.assign(
        where=chosen["country"].map(country_name),
        who=chosen["vendor"].map(vendor_names),
        what=chosen["technology"].map(tech_labels),
        when=[(f"{a}-{b}" if b else a) for a, b in zip(chosen["year"], chosen["year_to"])],
    )
    return markdown_table(table, {"id": "Id", "where": "Country", "who": "Vendor", "what": "Technology",
                                  "basis": "Basis", "when": "Year", "project": "Project", "financing": "Financing",
                                  "evidence": "Evidence (first source, verbatim)", "sources": "Sources"},
                          registry=registry)


def headlines_table(beside: pd.DataFrame, registry: dict | None = None) -> str:
    table = beside.assign(value_s=beside["value"].map(lambda v: f"{v:g}"), ours_s=beside["ours"].astype(str))
    return markdown_table(table, {"publisher": "Publisher", "published": "Published", "figure": "Figure",
                                  "value_s": "Value", "unit": "Unit", "ours_s": "This record",
                                  "evidence": "Evidence (verbatim)", "sources": "Sources"}, registry=registry)


# ---------------------------------------------------------------- charts

def _unwrap(polygon):
    """A polygon that crosses the antimeridian, drawn on the side where most of it lies."""
    from shapely.geometry import box
    from shapely.ops import transform

    shifted = transform(lambda x, y, z=None: (np.where(np.asarray(x) < 0, np.asarray(x) + 360, x), y), polygon)
    return shifted.buffer(0).intersection(box(-180, -90, 180, 90))


MAP_TOLERANCE_DEGREES = 0.1


def choropleth(shapes, chosen: pd.DataFrame, exporter: str = "CHN"):
    """Importing countries shaded by the number of rows (reported deployments and index links);
    China outlined in black; countries with none in light grey."""
    counts = chosen.groupby("country").size()
    # Plain longitude and latitude. A part of a country that crosses the antimeridian (Russia's
    # far east, Fiji) decodes as a band around the whole globe: it is redrawn on one side.
    world = shapes[shapes["name"] != "Antarctica"].explode(index_parts=False)
    wraps = (world.geometry.bounds["maxx"] - world.geometry.bounds["minx"]) > 300
    world.loc[wraps, "geometry"] = world.loc[wraps, "geometry"].map(_unwrap)
    # At 8 inches for 360 degrees a tenth of a degree is a fifth of a pixel: outlines simplified to
    # that drop nothing visible and most of the SVG's bytes (2.4 MB a map before).
    world["geometry"] = world.geometry.simplify(MAP_TOLERANCE_DEGREES, preserve_topology=True)
    world = world[~world.geometry.is_empty].copy()
    world["n"] = world["iso3"].map(counts).fillna(0)
    bins = [1, 2, 4, 8, np.inf]
    colours = ["#C6DBEF", "#6BAED6", "#2171B5", "#08306B"]
    fig, ax = plt.subplots(figsize=(8, 4.3))
    world[world["n"] == 0].plot(ax=ax, color="#EEEEEE", edgecolor="white", linewidth=0.3)
    labels = []
    for lo, hi, colour in zip(bins[:-1], bins[1:], colours):
        part = world[(world["n"] >= lo) & (world["n"] < hi)]
        if len(part):
            part.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.3)
        labels.append((colour, f"{lo}" if hi == lo + 1 else (f"{lo}+" if hi == np.inf else f"{lo}-{int(hi) - 1}")))
    world[world["iso3"] == exporter].plot(ax=ax, facecolor="none", edgecolor="black", linewidth=0.9)
    for colour, text in labels:
        ax.scatter([], [], marker="s", s=60, color=colour, label=text)
    ax.scatter([], [], marker="s", s=60, color="#EEEEEE", label="none recorded")
    ax.legend(title="Rows per country", loc="lower left", fontsize=7, title_fontsize=8)
    ax.set_axis_off()
    return fig


def vendor_bars(reach: pd.Series, vendor_names: dict[str, str]):
    reach = reach.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.35 * max(len(reach), 3) + 1))
    ax.barh([figure_text(vendor_names.get(v, v)) for v in reach.index], reach.to_numpy(), color=OKABE_ITO[0])
    for i, v in enumerate(reach.to_numpy()):
        ax.text(v + 0.3, i, str(int(v)), va="center", fontsize=8)
    ax.set_xlabel("Importing countries in the record")
    ax.grid(axis="y", visible=False)
    return fig


def adoption_steps(dated: pd.DataFrame):
    """Countries entering the record by the year of their first dated deployment, cumulated."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    if dated.empty:
        ax.text(0.5, 0.5, "No dated deployment in this selection", transform=ax.transAxes, ha="center", color=GREY)
        return fig
    per_year = dated["year_year"].value_counts().sort_index()
    years = range(int(per_year.index.min()), int(per_year.index.max()) + 1)
    cumulative = per_year.reindex(years, fill_value=0).cumsum()
    ax.step(list(years), cumulative.to_numpy(), where="post", color=OKABE_ITO[0], linewidth=1.8)
    ax.fill_between(list(years), cumulative.to_numpy(), step="post", color=OKABE_ITO[0], alpha=0.15)
    ax.set_ylabel("Countries with a dated deployment")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="y", visible=True)
    return fig


def regime_bars(shares: pd.DataFrame):
    fig, ax = plt.subplots(figsize=(8, 3.2))
    y = np.arange(len(shares))
    ax.barh(y + 0.2, shares["importers_pct"], height=0.38, color=OKABE_ITO[5], label="Importing countries in the record")
    ax.barh(y - 0.2, shares["all_pct"], height=0.38, color=GREY, label="All countries V-Dem classifies")
    for i, (a, b) in enumerate(zip(shares["importers_pct"], shares["all_pct"])):
        ax.text(a + 0.5, i + 0.2, f"{a:.0f}%", va="center", fontsize=8)
        ax.text(b + 0.5, i - 0.2, f"{b:.0f}%", va="center", fontsize=8)
    ax.set_yticks(y, [figure_text(r.capitalize()) for r in shares.index])
    ax.invert_yaxis()
    ax.set_xlabel("Share of countries (%), V-Dem Regimes of the World, 2019")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="y", visible=False)
    return fig

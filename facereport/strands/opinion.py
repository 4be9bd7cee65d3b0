"""The public-opinion strand: what surveys found, how much weight each deserves, and how the public
debate moved beside the rollout and the rules.

Intervals are Wilson score intervals for a proportion, from the share and the number who answered
(the base where the source gives it, else the whole sample for results of all respondents). They
measure sampling error only, and only a probability sample has any: for opt-in and other
non-probability samples the same arithmetic is shown as a guide to size, with no guarantee.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import prose
from ..cite import markdown_table
from ..safe import figure_text
from ..style import GREY, OKABE_ITO, edge
from .regulation import name as place_name

FAVOUR = ("accept",)
AGAINST = ("oppose", "concern")


# ---------------------------------------------------------------- intervals

def z_value(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (0.95 for 95 %), found {confidence!r}")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson(share_pct: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval, in percent, for a share (in percent) of ``n`` answers."""
    if not n or n <= 0 or (isinstance(n, float) and math.isnan(n)):
        return (math.nan, math.nan)
    z = z_value(confidence)
    p = share_pct / 100
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (100 * (centre - half), 100 * (centre + half))


def answered(results: pd.DataFrame) -> pd.Series:
    """How many answered each result: the base where given; else the survey's sample, but only
    for all respondents of a single-country survey (a subgroup's size is unknown)."""
    whole = (results["subgroup"] == "all") & ~results["countries"].str.contains(";")
    n = results["base"].astype("Float64")
    return n.fillna(results["sample_size"].astype("Float64").where(whole))


# ---------------------------------------------------------------- selection

@dataclass(frozen=True)
class Selection:
    countries: tuple[str, ...]
    topics: tuple[str, ...]
    confidence: float
    min_sample: int
    include_nonprobability: bool

    def describe(self, topic_labels: dict[str, str]) -> str:
        parts = [("countries: " + ", ".join(place_name(c) for c in self.countries)) if self.countries else "all countries"]
        if self.topics:
            parts.append("uses: " + ", ".join(topic_labels.get(t, t) for t in self.topics))
        if self.min_sample:
            parts.append(f"samples of {self.min_sample:,} or more")
        if not self.include_nonprobability:
            parts.append("probability samples only")
        parts.append(f"{round(self.confidence * 100, 1):g} % intervals")
        return "; ".join(parts)


def select(results: pd.DataFrame, surveys: pd.DataFrame, countries: list[str], topics: list[str],
           known_topics: list[str], confidence: float, min_sample: int, include_nonprobability: bool):
    """Results joined to their surveys, with each one's answer count and interval."""
    z_value(confidence)   # a clear error for a confidence outside (0, 1)
    unknown = sorted(set(topics) - set(known_topics))
    if unknown:
        raise ValueError(f"unknown topic(s) {unknown}; known: {', '.join(known_topics)}")
    if min_sample < 0:
        raise ValueError(f"min_sample must be 0 or more, found {min_sample}")
    frame = results.merge(surveys.rename(columns={"id": "survey_id", "sources": "survey_sources",
                                                  "evidence": "survey_evidence", "notes": "survey_notes"}),
                          on="survey_id", how="left")
    frame["when"] = frame["fieldwork_end_start"].fillna(frame["reported_start"])
    keep = frame["sample_size"] >= min_sample
    if not include_nonprobability:
        keep &= frame["sampling"] == "probability"
    if countries:
        in_survey = frame["countries"].str.split(";").map(lambda cs: bool(set(cs) & set(countries)))
        keep &= frame["country"].isin(countries) | ((frame["country"].fillna("") == "") & in_survey)
    if topics:
        keep &= frame["topic"].isin(topics)
    chosen = frame[keep].copy()
    chosen["n"] = answered(chosen)
    # no interval for a share published only in words or as a bound ('six in ten', 'over 80 %')
    bounds = [wilson(s, n, confidence) if pd.notna(n) and not approx else (math.nan, math.nan)
              for s, n, approx in zip(chosen["share"], chosen["n"], chosen["approximate"].fillna(False))]
    chosen["low"] = [b[0] for b in bounds]
    chosen["high"] = [b[1] for b in bounds]
    chosen = chosen.sort_values(["when", "survey_id", "id"]).reset_index(drop=True)
    return chosen, Selection(tuple(countries), tuple(topics), confidence, min_sample, include_nonprobability)


def check_selection(p: dict, project=None) -> str | None:
    """Why the chapter's selection cannot be made, or is empty, in one line (None: it is fine)."""
    from .. import data

    results, surveys = data.load("opinion_results", project), data.load("opinion_surveys", project)
    labels = data.labels("opinion_results", "topic", project)
    try:
        chosen, selection = select(results, surveys, p["countries"], p["topics"], list(labels), p["confidence"],
                                   p["min_sample"], p["include_nonprobability"])
    except ValueError as exc:
        return str(exc)
    if chosen.empty:
        return f"the selection ({selection.describe(labels)}) matches no survey result"
    return None


# ---------------------------------------------------------------- what the prose states

def _interval(row) -> str:
    if row["approximate"]:
        return "published in words, so no interval"
    if pd.isna(row["low"]):
        return "no interval: the number who answered is not published"
    return f"interval {row['low']:.1f} to {row['high']:.1f}"


def _quote(row, topic_labels: dict[str, str]) -> str:
    where = place_name(row["country"]) if isinstance(row["country"], str) and row["country"] else "several countries"
    return (f"{row['share']:g} % ({row['pollster']}, {where}, {row['when'].year}: "
            f"\"{row['question_en']}\", answer \"{row['response']}\"; {_interval(row)})")


def findings(chosen: pd.DataFrame, surveys_in: pd.DataFrame, topic_labels: dict[str, str],
             selected: list[str] = ()) -> dict:
    """Every number and phrase the chapter states; ``selected`` is the countries parameter."""
    allr = chosen[chosen["subgroup"] == "all"]
    favour = allr[allr["stance"].isin(FAVOUR)].sort_values(["share", "id"], ascending=[False, True])
    against = allr[allr["stance"].isin(AGAINST)].sort_values(["share", "id"], ascending=[False, True])
    china = allr[(allr["country"] == "CHN") & allr["stance"].isin(AGAINST)].sort_values(["when", "id"])
    with_interval = chosen.dropna(subset=["low"])
    half = (with_interval["high"] - with_interval["low"]) / 2
    prob = with_interval["sampling"] == "probability"
    used = surveys_in[surveys_in["id"].isin(chosen["survey_id"])]
    places = countries_of(chosen, selected)
    facts = {
        "n_results": int(len(chosen)),
        "n_surveys": int(chosen["survey_id"].nunique()),
        "n_countries": len(places),
        "only_country": next(iter(places)) if len(places) == 1 else "",
        "n_china_surveys": int(used["countries"].str.split(";").map(lambda cs: "CHN" in cs).sum()),
        "n_probability": int((used["sampling"] == "probability").sum()),
        "n_nonprobability": int((used["sampling"] == "non_probability").sum()),
        "n_with_interval": int(len(with_interval)),
        "n_interval_prob": int(prob.sum()),
        "n_interval_nonprob": int((~prob).sum()),
        "median_halfwidth_prob": round(float(half[prob].median()), 1) if prob.any() else 0.0,
        "median_halfwidth_nonprob": round(float(half[~prob].median()), 1) if (~prob).any() else 0.0,
        "top_favour": _quote(favour.iloc[0], topic_labels) if len(favour) else "none in this selection",
        "top_against": _quote(against.iloc[0], topic_labels) if len(against) else "none in this selection",
        "china_first": _quote(china.iloc[0], topic_labels) if len(china) else "none in this selection",
        "china_last": _quote(china.iloc[-1], topic_labels) if len(china) else "none in this selection",
        "n_china_against": int(len(china)),
        "first_year": int(chosen["when"].dt.year.min()) if len(chosen) else 0,
        "last_year": int(chosen["when"].dt.year.max()) if len(chosen) else 0,
    }
    return facts | sentences(facts, allr, surveys_in)


def countries_of(chosen: pd.DataFrame, selected: list[str]) -> set[str]:
    """The countries the chosen results speak for: a result's own country, else (a pooled result
    of a multi-country survey) its survey's countries; within the selected countries, if any."""
    out = set()
    for country, countries in zip(chosen["country"].fillna(""), chosen["countries"]):
        out |= {country} if country else set(countries.split(";"))
    return out & set(selected) if selected else out


def police_over_commerce(allr: pd.DataFrame) -> pd.Series:
    """For each survey that asked all its respondents about both police or government use and
    commercial use: the mean share accepting police use minus the mean share accepting commercial
    use (percentage points)."""
    accept = allr[allr["stance"].isin(FAVOUR) & allr["topic"].isin(["police_government", "commerce"])]
    means = accept.groupby(["survey_id", "topic"])["share"].mean().unstack()
    if not {"police_government", "commerce"} <= set(means.columns):
        return pd.Series(dtype=float)
    both = means.dropna(subset=["police_government", "commerce"])
    return (both["police_government"] - both["commerce"]).astype(float)


def sentences(f: dict, allr: pd.DataFrame, surveys: pd.DataFrame) -> dict:
    """The findings in words that follow their numbers, for any selection, and the chapter's one
    comparison (police against commercial use), computed from the surveys that asked both."""
    ns, nc, ncn = f["n_surveys"], f["n_countries"], f["n_china_surveys"]
    p, q = f["n_probability"], f["n_nonprobability"]
    single = f.get("only_country")
    scope = (f"from {prose.count(ns, 'survey')} of people in {place_name(single) if single else prose.count(nc, 'country')}, "
             f"fielded or reported {prose.years(f['first_year'], f['last_year'])}")
    if single or (ns == 1 and not ncn):
        scope += "."
    elif ns == 1:
        scope += ", in China."
    else:
        scope += f"; {prose.number(ncn)} of them surveyed people in China."
    sampling = (f"It drew {'a probability' if p else 'a non-probability'} sample." if ns == 1 else
                "All of them drew probability samples." if not q else
                "None of them drew a probability sample." if not p else
                f"{p:,} of the surveys drew probability samples; {q:,} did not.")
    n_china = f["n_china_against"]
    china = ("This selection holds no result on worry or opposition among people in China." if not n_china else
             f"In China, the one result on worry or opposition in this selection is {f['china_first']}." if n_china == 1 else
             f"In China, the earliest result on worry or opposition in this selection is {f['china_first']}; the latest "
             f"is {f['china_last']}. The questions differ in wording and the samples in make-up, so the difference "
             "is not a measured change.")
    nw, npr, nnp = f["n_with_interval"], f["n_interval_prob"], f["n_interval_nonprob"]
    parts = []
    if npr:
        parts.append(f"{prose.points(f['median_halfwidth_prob'])} for the {prose.count(npr, 'result')} from probability samples")
    if nnp:
        parts.append(f"{prose.points(f['median_halfwidth_nonprob'])} for the {prose.count(nnp, 'result')} from other samples, "
                     "where it describes only the arithmetic of the sample's size: an opt-in sample's error is "
                     "unknown and can be far larger")
    intervals = (f"{prose.capital(prose.count(nw, 'result'))} {'has' if nw == 1 else 'have'} a Wilson interval (the "
                 "number who answered is known)" + (f". Median half-width: {prose.listing(parts, conjunction='and')}." if nw
                                                   else "."))
    gaps = police_over_commerce(allr)
    if gaps.empty:
        compare = ("No survey in this selection asked all its respondents about both police and commercial uses, "
                   "so the two are not compared here.")
    else:
        higher, lower = int((gaps > 0).sum()), int((gaps < 0).sum())
        verdict = ("higher than" if higher and not lower else "lower than" if lower and not higher else
                   "no different from" if not higher and not lower else "higher in some and lower in others than")
        compare = (("In the one survey" if len(gaps) == 1 else f"In the {len(gaps)} surveys") + " of this selection that asked all respondents about both "
                   f"police or government use and commercial use, acceptance of police use was {verdict} acceptance "
                   "of commercial use.")
    china_prob = surveys[(surveys["sampling"] == "probability") & surveys["countries"].str.split(";").map(lambda cs: "CHN" in cs)]
    probability = ("No survey in the whole record asked people in China with a probability sample." if china_prob.empty
                   else f"{prose.capital(prose.count(len(china_prob), 'survey'))} in the whole record asked people in China "
                        "with a probability sample.")
    return {
        "results_phrase": f"{prose.count(f['n_results'], 'published result')}",
        "scope_sentence": scope,
        "sampling_sentence": sampling,
        "china_sentence": china,
        "interval_sentence": intervals,
        "analysis_sentence": f"Our analysis: {compare[:1].lower() + compare[1:]} {probability}",
    }


# ---------------------------------------------------------------- tables

def surveys_table(surveys: pd.DataFrame, sampling_labels: dict[str, str], registry: dict | None = None) -> str:
    table = surveys.assign(
        where=surveys["countries"].str.split(";").map(lambda cs: ", ".join(place_name(c) for c in cs)),
        fieldwork=[" to ".join(d for d in (a, b) if d) or f"not given (reported {r})"
                   for a, b, r in zip(surveys["fieldwork_start"], surveys["fieldwork_end"], surveys["reported"])],
        n=surveys["sample_size"].map(lambda v: f"{int(v):,}"),
        kind=surveys["sampling"].map(sampling_labels),
    )
    return markdown_table(table, {"id": "Id", "pollster": "Pollster", "title": "Title", "where": "Countries",
                                  "fieldwork": "Fieldwork", "n": "Sample", "mode": "Mode", "kind": "Sampling",
                                  "evidence": "Evidence (first source, verbatim)", "sources": "Sources"},
                          registry=registry)


def results_table(chosen: pd.DataFrame, topic_labels: dict[str, str], registry: dict | None = None) -> str:
    table = chosen.assign(
        where=chosen["country"].map(lambda c: place_name(c) if isinstance(c, str) and c else "several"),
        use=chosen["topic"].map(topic_labels),
        pct=chosen["share"].map(lambda v: f"{v:g}"),
        interval=[("" if pd.isna(lo) else f"{lo:.1f}-{hi:.1f}") for lo, hi in zip(chosen["low"], chosen["high"])],
    )
    return markdown_table(table, {"id": "Id", "survey_id": "Survey", "where": "Country", "subgroup": "Subgroup",
                                  "use": "Use", "question": "Question (as published)", "question_en": "In English",
                                  "response": "Answer", "pct": "%", "interval": "Interval", "evidence": "Evidence",
                                  "sources": "Sources"}, registry=registry)


# ---------------------------------------------------------------- charts

def shares_by_use(chosen: pd.DataFrame, topic_labels: dict[str, str], confidence: float):
    """One row per result of all respondents that measures acceptance or opposition and concern,
    grouped by use; the interval is a line (solid for probability samples, dotted otherwise) and
    the mark's shape and fill tell acceptance from opposition."""
    frame = chosen[(chosen["subgroup"] == "all") & chosen["stance"].isin(FAVOUR + AGAINST)].copy()
    frame = frame.sort_values(["topic", "stance", "share"], ascending=[True, True, False]).reset_index(drop=True)
    # Labels name the survey by its id (ASCII, and the key to the tables below): pollsters'
    # names are often Chinese, which the figures' font cannot draw.
    labels = [figure_text(f"{topic_labels.get(t, t)}: {r.survey_id}, "
                          f"{(r.country if isinstance(r.country, str) and r.country else 'multi')}")
              for t, r in zip(frame["topic"], frame.itertuples())]
    fig, ax = plt.subplots(figsize=(8, 0.24 * max(len(frame), 4) + 1.4))
    y = np.arange(len(frame))[::-1]
    styles = {"accept": (OKABE_ITO[0], "o", "Accepts, supports or trusts"),
              "oppose": (OKABE_ITO[5], "s", "Opposes or wants limits"),
              "concern": (OKABE_ITO[1], "D", "Worried, or reports harm")}
    for i, row in frame.iterrows():
        colour, marker, _ = styles[row["stance"]]
        if pd.notna(row["low"]):
            ax.plot([row["low"], row["high"]], [y[i]] * 2, color=colour, linewidth=1.6,
                    linestyle="-" if row["sampling"] == "probability" else ":")
        hollow = row["sampling"] != "probability"
        ax.scatter([row["share"]], [y[i]], marker=marker, s=30, zorder=3,
                   facecolors="white" if hollow else colour, edgecolors=edge(colour), linewidths=1.2)
    for stance, (colour, marker, text) in styles.items():
        if stance in set(frame["stance"]):
            ax.scatter([], [], marker=marker, s=30, facecolors=colour, edgecolors=edge(colour), label=text)
    ax.scatter([], [], marker="o", s=30, facecolors="white", edgecolors=GREY, label="hollow: non-probability sample")
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"Share of respondents (%), with {round(confidence * 100, 1):g} % Wilson interval where the number who answered is known")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06 - 1.2 / max(len(frame), 4)), ncols=2, fontsize=8)
    ax.grid(axis="y", visible=False)
    return fig


def china_over_time(chosen: pd.DataFrame):
    """Shares of all respondents in China over time, by what they measure. Each point is a
    differently worded question in a different sample: the line is a guide, not a trend."""
    frame = chosen[(chosen["country"] == "CHN") & (chosen["subgroup"] == "all")
                   & chosen["stance"].isin(FAVOUR + AGAINST)].sort_values(["when", "id"])
    fig, ax = plt.subplots(figsize=(8, 3.8))
    styles = {"accept": (OKABE_ITO[0], "o"), "oppose": (OKABE_ITO[5], "s"), "concern": (OKABE_ITO[1], "D")}
    names = {"accept": "Accepts or supports", "oppose": "Opposes or rejects", "concern": "Worried, or sees abuse"}
    for stance, (colour, marker) in styles.items():
        part = frame[frame["stance"] == stance]
        if part.empty:
            continue
        ax.scatter(part["when"], part["share"], marker=marker, s=34, color=colour, edgecolors=edge(colour),
                   zorder=3, label=figure_text(names[stance]))
        for _, r in part.iterrows():
            if pd.notna(r["low"]):
                ax.plot([r["when"]] * 2, [r["low"], r["high"]], color=colour, linewidth=1.2, linestyle=":")
    ax.set_ylim(0, 100)
    ax.set_ylabel("Share of respondents (%)")
    if frame.empty:
        ax.text(0.5, 0.5, "No result of all respondents in China in this selection",
                transform=ax.transAxes, ha="center", va="center", color=GREY)
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.grid(axis="y", visible=True)
    return fig


def three_timelines(debate: pd.DataFrame, rollout: pd.DataFrame, rules: pd.DataFrame, country: str = "CHN"):
    """The public debate (events), the rollout (events) and the rules (instruments taking effect or
    decided) on one time axis, each read from its own table."""
    rows = [("Rules and rulings", rules, OKABE_ITO[2], "D"), ("Rollout", rollout, OKABE_ITO[0], "o"),
            ("Public debate", debate, OKABE_ITO[5], "s")]
    fig, ax = plt.subplots(figsize=(8, 2.8))
    for i, (label, frame, colour, marker) in enumerate(rows):
        when = frame["when"].dropna()
        jitter = (np.arange(len(when)) % 5 - 2) * 0.07   # fixed spread, not random: same bytes
        ax.scatter(when, i + jitter, marker=marker, s=22, color=colour, edgecolors=edge(colour), alpha=0.85, zorder=3)
    ax.set_yticks(range(len(rows)), [figure_text(r[0]) for r in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("Date")
    ax.grid(axis="y", visible=False)
    return fig

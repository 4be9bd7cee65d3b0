"""A figure and the data it is drawn from, published together.

``publish("fig_timeline", fig, frame)`` glues the figure for its ``{glue:figure}`` and writes, for
the run that draws it, ``figdata/<run>/fig_timeline.csv`` (the table the plotting function was
given) and ``fig_timeline.svg`` (the figure, for pages outside the notebook, such as the landing
page). The caption's ``{figdata}`fig_timeline``` role links the CSV; a figure whose CSV is missing
fails the strict build. The runner points ``FACEREPORT_FIGDATA`` at a fresh folder for each run
and moves it into ``book/chapters/figdata/<run>`` only when the run succeeds.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

FIGDATA_ENV = "FACEREPORT_FIGDATA"


def folder() -> Path:
    """Where this run's figure data goes: the runner's folder, or (a notebook run by hand, with
    papermill or in JupyterLab) ``_build/figdata-by-hand``, outside ``book/``, so that a run by hand
    never changes what the next ``make book`` renders."""
    if os.environ.get(FIGDATA_ENV):
        return Path(os.environ[FIGDATA_ENV])
    from .paths import Project
    return Project.find().build_dir / "figdata-by-hand"


def write_csv(frame: pd.DataFrame | pd.Series, path: Path) -> None:
    if isinstance(frame, pd.Series):   # a count per category: the category becomes a column
        frame = frame.to_frame(frame.name or "value")
    keep_index = not isinstance(frame.index, pd.RangeIndex)
    plain = frame.drop(columns=[c for c in frame.columns if c == "geometry"], errors="ignore")
    plain = pd.DataFrame(plain)   # a GeoDataFrame without geometry writes as a plain table
    plain.to_csv(path, index=keep_index, lineterminator="\n")


def publish(key: str, fig, data: pd.DataFrame) -> None:
    """Glue ``fig`` under ``key`` and write the figure and its data for the page to link."""
    from myst_nb import glue

    out = folder()
    out.mkdir(parents=True, exist_ok=True)
    write_csv(data, out / f"{key}.csv")
    fig.savefig(out / f"{key}.svg", format="svg", metadata={"Date": None}, bbox_inches="tight")
    glue(key, fig, display=False)

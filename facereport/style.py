"""One look for every figure: a colour-blind-safe palette, plain axes, and SVG output that is the
same bytes for the same inputs (fixed hash salt, no date in the metadata)."""
from __future__ import annotations

import matplotlib as mpl

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision
# deficiencies. Black last: it is kept for annotations.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
GREY = "#767676"  # 4.5:1 contrast on white, for secondary text
# For many categories: Okabe-Ito in order of contrast on white, grey ninth; yellow, the faintest on
# white, last. Categorical marks also differ in shape (MARKERS), and get a darker outline (edge()).
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", GREY, "#F0E442"]
MARKERS = ["o", "s", "^", "D", "P", "X", "v", "*", "h", "p"]


def edge(colour: str, factor: float = 0.65) -> tuple:
    """A darker shade of ``colour``, to outline marks so light colours stay visible on white."""
    r, g, b = mpl.colors.to_rgb(colour)
    return (r * factor, g * factor, b * factor)

RC = {
    "figure.dpi": 100,
    "figure.figsize": (8, 4.5),
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "svg.hashsalt": "facereport",   # ids in SVG output stop being random
    "svg.fonttype": "path",
}


def setup() -> None:
    """Apply the style, and make inline figures reproducible SVG. Call once, at a notebook's top."""
    mpl.rcParams.update(RC)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not in a kernel: nothing to configure
        return
    set_matplotlib_formats("svg", metadata={"Date": None}, bbox_inches="tight")

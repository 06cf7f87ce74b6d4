"""Static charts of the book's data: matplotlib drawn to inline SVG (no JavaScript), readable offline, in the PDF and in
light and dark mode.

Every chart function takes keyword arguments only, `data=None` meaning the validated package (`widgets.data.load()`);
`data` may also be any mapping of table name -> DataFrame (tests pass broken tables this way). It returns a `Chart`:
the SVG with a `<title>` and `<desc>` (its alt text, also the figure's `aria-label`), and a caption that names the
table, the row ids and filters it drew, and their source keys in references.bib. Output is byte-identical from run
to run: no date in the metadata, text kept as text, ids derived from the chart's name, not from memory or time.

One style for all charts (`STYLE`, `PALETTE`): text, axes and grid are drawn in a sentinel colour that the SVG then
paints with `currentColor`, so labels take the page's text colour in either theme; data colours are from the
Okabe-Ito colour-blind-safe palette, restricted to those with at least 3:1 contrast on white and on #121212, and
lines differ by dash pattern and marker as well as by colour.
"""

from __future__ import annotations

import functools
import html
import io
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.dates import DateFormatter, MonthLocator
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

# Painted as currentColor after drawing: the page's own text colour in light and in dark mode.
INK = "#010203"
# Okabe & Ito (2008), "Color Universal Design": the four hues with 3:1 contrast on white and on #121212.
PALETTE = {"blue": "#0072B2", "vermillion": "#D55E00", "green": "#009E73", "purple": "#CC79A7"}
CYCLE = [PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"], PALETTE["purple"]]
DASHES = ["solid", (0, (5, 2)), (0, (1.5, 1.5)), (0, (6, 2, 1.5, 2))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "p", "h", "<", ">"]
# The page in light and dark mode (the dark theme's own panel for HTML outputs is unset for charts: assets/site.css).
BACKGROUNDS = {"light": "#ffffff", "dark": "#121212"}
STYLE = {
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.titlecolor": INK,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": INK,
    "grid.alpha": 0.18,
    "grid.linewidth": 0.6,
    "axes.prop_cycle": mpl.cycler(color=CYCLE),
    "lines.linewidth": 2,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "figure.dpi": 72,
    "path.simplify": False,
    "text.parse_math": False,
}
DATE_FORMAT = "%-d %b %Y"


class ChartError(ValueError):
    """A chart cannot be drawn from its input; the message names the chart, the table and what is missing."""


@dataclass(frozen=True)
class Chart:
    """One drawn chart: its name (used for ids), the SVG, its alt text, its caption and the rows it drew."""

    name: str
    svg: str
    alt: str
    caption: str
    table: str
    rows: tuple[str, ...]

    def html(self) -> str:
        return (
            f'<figure class="book-chart" id="{self.name}" role="img" aria-label="{html.escape(self.alt)}" '
            f'style="margin:0 0 1em 0">\n{self.svg}\n'
            f'<figcaption style="font-size:0.9em">{html.escape(self.caption)}</figcaption>\n</figure>'
        )

    def _repr_html_(self) -> str:
        return self.html()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/html": self.html(), "text/plain": f"Chart {self.name}: {self.alt}"}


# ---- drawing and SVG clean-up -------------------------------------------------------------------------------------


def _styled(func):
    """Run a chart function inside the book's style (rcParams are read when artists are made, not when saved)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def _figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **kw):
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def _svg(fig: Figure, name: str, title: str, alt: str) -> str:
    """The figure as inline SVG: no XML prologue, ids prefixed by the chart's name, text in currentColor."""
    buf = io.StringIO()
    rc = {**STYLE, "svg.hashsalt": name}
    if "svg.id" in mpl.rcParams:  # matplotlib >= 3.9; the browser's (Pyodide) is older: the id is added below
        rc["svg.id"] = name + "-svg"
    with mpl.rc_context(rc):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    if not re.match(r"<svg[^>]*\bid=", svg):
        svg = svg.replace("<svg ", f'<svg id="{name}-svg" ', 1)
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = svg.replace(
        '<style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>',
        f'<style type="text/css">#{name}-svg *{{stroke-linejoin: round; stroke-linecap: butt}}</style>',
    )
    own = set(re.findall(r'\bid="([^"]+)"', svg)) - {name + "-svg"}
    svg = re.sub(
        r'\bid="([^"]+)"',
        lambda m: f'id="{m.group(1) if m.group(1) == name + "-svg" else name + "-" + m.group(1)}"',
        svg,
    )
    svg = re.sub(
        r'(href="#|url\(#)([^")]+)',
        lambda m: m.group(1) + (name + "-" + m.group(2) if m.group(2) in own else m.group(2)),
        svg,
    )
    svg = svg.replace(INK, "currentColor")
    # Responsive: the viewBox keeps the proportions, the width follows the page up to the drawn size.
    m = re.match(r'<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    width = float(m.group(2))
    svg = re.sub(r' width="[\d.]+pt" height="[\d.]+pt"', "", svg, count=1)
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{name}-title {name}-desc" '
        f'style="width:100%;max-width:{width * 4 / 3:.0f}px;height:auto;color:inherit" ',
        1,
    )
    head = svg.index(">") + 1
    svg = (
        svg[:head] + f'\n <title id="{name}-title">{html.escape(title)}</title>'
        f'\n <desc id="{name}-desc">{html.escape(alt)}</desc>' + svg[head:]
    )
    return svg.strip()


def _chart(fig: Figure, name: str, title: str, alt: str, caption: str, table: str, rows: Sequence[str]) -> Chart:
    return Chart(name, _svg(fig, name, title, alt), alt, caption, table, tuple(rows))


def _data(data):
    if data is None:
        from widgets.data import load

        return load()
    if not isinstance(data, Mapping):
        raise ChartError(
            f"data must be the loaded package or a mapping of table name -> DataFrame, got {type(data).__name__}"
        )
    return data


def _table(data, chart: str, name: str, columns: Sequence[str]) -> pd.DataFrame:
    """Table `name` of `data`, checked to be a DataFrame with `columns` and at least one row."""
    try:
        df = data[name]
    except KeyError:
        raise ChartError(f"{chart}: the data has no table {name!r}") from None
    if not isinstance(df, pd.DataFrame):
        raise ChartError(f"{chart}: table {name!r} is not a table (got {type(df).__name__})")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ChartError(f"{chart}: table {name!r} lacks the column(s) {', '.join(missing)}")
    if df.empty:
        raise ChartError(f"{chart}: table {name!r} has no rows")
    return df


def _keys(series: pd.Series) -> list[str]:
    """The distinct source keys of a `source` column (keys are `;`-separated), in order of first appearance."""
    out: list[str] = []
    for value in series.dropna():
        for key in str(value).split(";"):
            if key and key not in out:
                out.append(key)
    return out


def _day(value) -> str:
    return pd.Timestamp(value).strftime(DATE_FORMAT)


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


def _rows_text(ids: Sequence[str]) -> str:
    return ", ".join(ids)


# ---- (a) chapter 01: the official tolls of the 2020 war -----------------------------------------------------------


def _party_phrase(party: str) -> str:
    """'Azerbaijan, Ministry of Defence' -> "Azerbaijan's Ministry of Defence"; other names as they are."""
    country, sep, body = party.partition(", ")
    return f"{country}'s {body}" if sep and country in ("Azerbaijan", "Armenia") and body[:1].isupper() else party


@_styled
def toll_chart(*, data=None, conflict: str = "2020-war", category: str = "military", measure: str = "killed") -> Chart:
    """Each side's official count of its own dead over time (step lines over as_of), one marker per reporting body."""
    name = "chart-toll"
    cols = [
        "record_id",
        "conflict",
        "side",
        "category",
        "measure",
        "value",
        "reporting_party",
        "claim_type",
        "as_of",
        "source",
    ]
    df = _table(_data(data), "toll_chart", "casualties", cols)
    sel = df[
        (df["conflict"] == conflict)
        & (df["category"] == category)
        & (df["measure"] == measure)
        & (df["claim_type"] == "own_losses")
        & df["value"].notna()
    ]
    # A published list of names is not a toll: it counts only the dead named so far.
    excluded = sel[sel["reporting_party"].str.contains("list of names", regex=False)]
    sel = sel.drop(excluded.index).sort_values(["side", "as_of", "record_id"])
    sides = [s for s in ("azerbaijan", "armenia_nk") if (sel["side"] == s).any()]
    if not sides:
        raise ChartError(
            f"toll_chart: no own-loss rows in casualties for conflict={conflict!r}, "
            f"category={category!r}, measure={measure!r}"
        )
    side_names = {"azerbaijan": "Azerbaijan", "armenia_nk": "Armenian side (Armenia and Nagorno-Karabakh)"}
    fig, axes = _figure(7.0, 5.8)
    ax = axes[0][0]
    parties = list(dict.fromkeys(sel["reporting_party"]))
    marker_of = {p: MARKERS[i % len(MARKERS)] for i, p in enumerate(parties)}
    last_date = sel["as_of"].max()
    line_handles, marker_handles = [], []
    for i, side in enumerate(sides):
        rows = sel[sel["side"] == side]
        colour = CYCLE[i]
        x = list(rows["as_of"]) + [last_date]
        y = [float(v) for v in rows["value"]] + [float(rows["value"].iloc[-1])]
        (line,) = ax.step(x, y, where="post", color=colour, linestyle=DASHES[i], linewidth=2)
        bodies = list(dict.fromkeys(rows["reporting_party"]))
        who = _party_phrase(bodies[0]) if len(bodies) == 1 else "the bodies marked below"
        line.set_label(f"{side_names[side].split(' (')[0]}, according to {who}")
        line_handles.append(line)
        for party, group in rows.groupby("reporting_party", sort=False):
            ax.plot(
                group["as_of"],
                group["value"].astype(float),
                linestyle="none",
                marker=marker_of[party],
                markersize=7,
                color=colour,
            )
        ax.annotate(
            _num(y[-1]),
            (x[-1], y[-1]),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=colour,
            fontweight="bold",
        )
    for party in parties:
        (h,) = ax.plot(
            [], [], linestyle="none", marker=marker_of[party], markersize=6, color=INK, label=_party_phrase(party)
        )
        marker_handles.append(h)
    ceasefire = pd.Timestamp("2020-11-10")
    ax.axvline(ceasefire, color=INK, linewidth=1, linestyle=(0, (2, 2)))
    ax.annotate(
        "ceasefire, 10 Nov 2020",
        (ceasefire, 0),
        xytext=(4, 4),
        textcoords="offset points",
        fontsize=8.5,
        rotation=90,
        va="bottom",
    )
    ax.set_ylim(0, None)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_major_locator(MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    ax.set_ylabel(f"{category} {measure} (official own count)")
    ax.set_xlabel("date of the figure (as_of)")
    ax.set_title(f"Each side's official count of its own {category} dead, {conflict.replace('-war', ' war')}")
    ax.add_artist(ax.legend(handles=line_handles, loc="lower right", fontsize=8.5))
    fig.legend(
        handles=marker_handles,
        loc="outside lower left",
        ncol=2,
        fontsize=8,
        handletextpad=0.3,
        title="Reporting body (marker)",
        title_fontsize=8.5,
        alignment="left",
    )
    first = {s: sel[sel["side"] == s].iloc[0] for s in sides}
    last = {s: sel[sel["side"] == s].iloc[-1] for s in sides}
    war = conflict.replace("-war", " war")
    after = (
        [
            s
            for s in sides
            if (
                sel[(sel["side"] == s) & (sel["as_of"] > pd.Timestamp("2020-11-10"))]["value"].astype(float)
                > float(first[s]["value"])
            ).any()
        ]
        if conflict == "2020-war"
        else []
    )
    alt = (
        f"Step chart of each side's official count of its own {category} {measure} in the {war}, by the date "
        "each figure was published. "
        + " ".join(
            f"{side_names[s]}: from {_num(first[s]['value'])} on {_day(first[s]['as_of'])}, according to "
            f"{_party_phrase(first[s]['reporting_party'])}, to {_num(last[s]['value'])} on "
            f"{_day(last[s]['as_of'])}, according to {_party_phrase(last[s]['reporting_party'])}."
            for s in sides
        )
        + (
            " Both counts kept rising for months after the ceasefire of 10 November 2020."
            if len(after) == len(sides) == 2
            else ""
        )
    )
    caption = (
        f"Data: casualties.csv, rows with conflict {conflict}, category {category}, measure {measure}, "
        f"claim_type own_losses ({_rows_text(list(sel['record_id']))})"
        + (
            f"; left out: {_rows_text(list(excluded['record_id']))} (a published list of names, not a toll)"
            if len(excluded)
            else ""
        )
        + f". Each figure is the reporting party's own; the line holds each value until the next. "
        f"Sources (references.bib): {', '.join(_keys(sel['source']))}."
    )
    return _chart(fig, name, ax.get_title(), alt, caption, "casualties", list(sel["record_id"]))


# ---- (b) chapters 01 and 06: how long each ceasefire held ---------------------------------------------------------

HOUR_TICKS = [(1 / 24, "1 hour"), (1, "1 day"), (30.44, "month"), (365.25, "1 year"), (3652.5, "10 years")]


@_styled
def ceasefire_chart(*, data=None) -> Chart:
    """How long each ceasefire since 1994 held, on a log scale of days; unbroken ones up to the package's as-of."""
    name = "chart-ceasefires"
    cols = [
        "ceasefire_id",
        "name",
        "in_force_date",
        "broken",
        "held_hours",
        "held_days",
        "held_text",
        "status",
        "source",
        "as_of",
    ]
    data = _data(data)
    df = _table(data, "ceasefire_chart", "ceasefires", cols).sort_values(["in_force_date", "ceasefire_id"])
    package_as_of = pd.Timestamp(data.as_of) if hasattr(data, "as_of") else df["as_of"].max()
    bars, labels_of = [], {}
    for r in df.itertuples(index=False):
        if pd.notna(r.held_hours):
            days, kind = float(r.held_hours) / 24, "held"
        elif pd.notna(r.held_days) and int(r.held_days) > 0:
            days, kind = float(r.held_days), "held"
        elif pd.notna(r.held_days):
            days, kind = 1.0, "under"  # broken within its first day: the data says hours, not how many
        elif not bool(r.broken):
            days, kind = float((package_as_of - pd.Timestamp(r.in_force_date)).days), "open"
        else:
            raise ChartError(
                f"ceasefire_chart: row {r.ceasefire_id!r} is broken but has neither held_hours nor held_days"
            )
        bars.append((r, days, kind))
    fig, axes = _figure(7.0, 0.6 * len(bars) + 1.4)
    ax = axes[0][0]
    ax.grid(axis="y", visible=False)
    for i, (r, days, kind) in enumerate(bars):
        y = len(bars) - 1 - i
        colour = PALETTE["vermillion"] if kind != "open" else PALETTE["blue"]
        style = {
            "held": dict(color=colour),
            "under": dict(color="none", edgecolor=colour, hatch="////"),
            "open": dict(color="none", edgecolor=colour, linewidth=1.5),
        }[kind]
        left = 1 / 24 / 60
        ax.barh(y, days - left, left=left, height=0.6, **style)
        label = {
            "held": r.held_text,
            "under": f"{r.held_text}: broken within its first day",
            "open": f"not broken as of {_day(package_as_of)} ({r.status.replace('_', ' ')})",
        }[kind]
        labels_of[r.ceasefire_id] = label
    ax.set_xscale("log")
    ax.set_xlim(1 / 24 / 60, 3652.5 * 3)
    ax.xaxis.set_major_locator(FixedLocator([d for d, _ in HOUR_TICKS]))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _: dict((round(d, 6), t) for d, t in HOUR_TICKS).get(round(v, 6), ""))
    )
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_yticks(range(len(bars)))
    ax.set_yticklabels(
        [
            f"{textwrap.shorten(r.name, 36, placeholder='…')} ({_day(r.in_force_date)})\n"
            f"{textwrap.shorten(labels_of[r.ceasefire_id], 60, placeholder='…')}"
            for r, _, _ in reversed(bars)
        ],
        fontsize=8,
    )
    ax.set_xlabel("time held before fighting resumed (log scale)")
    fig.suptitle(
        "How long each ceasefire held, 1994–" + str(package_as_of.year),
        x=0.01,
        ha="left",
        fontsize=11,
        fontweight="bold",
    )
    held = [(r, d) for r, d, k in bars if k == "held"]
    longest = max(held, key=lambda t: t[1]) if held else None
    quick = [r.name for r, d, k in bars if k == "under" or (k == "held" and d < 1)]
    alt = (
        f"Horizontal bar chart, on a logarithmic time scale, of how long each of {len(bars)} ceasefires held. "
        + (f"The longest broken one, {longest[0].name}, held {longest[0].held_text.lower()}; " if longest else "")
        + (f"{len(quick)} broke within their first day ({', '.join(quick)}); " if quick else "")
        + "; ".join(f"{r.name} has not been broken as of {_day(package_as_of)}" for r, _, k in bars if k == "open")
        + "."
    )
    caption = (
        f"Data: ceasefires.csv, all rows ({_rows_text(list(df['ceasefire_id']))}); bar length from held_hours "
        f"where given, else held_days; a hatched bar ends at one day for a truce the sources say broke within "
        f"hours; an open bar runs from in_force_date to the data package's as-of date for a ceasefire not "
        f"broken. Sources (references.bib): {', '.join(_keys(df['source']))}."
    )
    return _chart(fig, name, fig.get_suptitle(), alt, caption, "ceasefires", list(df["ceasefire_id"]))


# ---- (c), (d) chapter 05: the scenario tree and its sensitivity ----------------------------------------------------


def _scenario_inputs(data, chart: str, explorer: str):
    nodes = _table(data, chart, "scenario_nodes", ["node_id", "label", "source"])
    states = _table(data, chart, "scenario_states", ["node_id", "state_id", "label", "default_p", "source"])
    branches = _table(
        data, chart, "scenario_branches", ["explorer", "branch_id", "conditions", "verdict", "default_p_war", "source"]
    )
    branches = branches[branches["explorer"] == explorer]
    if branches.empty:
        raise ChartError(f"{chart}: scenario_branches has no rows for explorer {explorer!r}")
    conditions = {
        b.branch_id: tuple(tuple(c.split("=", 1)) for c in b.conditions.split(";"))
        for b in branches.itertuples(index=False)
    }
    order = [n for n, _ in next(iter(conditions.values()))]
    node_states = {}
    for n in order:
        st = states[states["node_id"] == n]
        if st.empty:
            raise ChartError(f"{chart}: scenario_states has no states for node {n!r}")
        node_states[n] = [(s.state_id, s.label, float(s.default_p)) for s in st.itertuples(index=False)]
    labels = dict(zip(nodes["node_id"], nodes["label"]))
    return order, node_states, labels, branches, conditions


def _p_war(order, node_states, branches, conditions, override: Mapping[str, Mapping[str, float]] | None = None):
    """P(renewed war) = sum over branches of prod P(state) * P(war | branch) (the formula of widgets.scenarios)."""
    probs = {n: {s: p for s, _, p in node_states[n]} for n in order}
    for n, given in (override or {}).items():
        probs[n] = dict(given)
    return sum(
        math.prod(probs[n][s] for n, s in conditions[b.branch_id]) * float(b.default_p_war)
        for b in branches.itertuples(index=False)
    )


VERDICT_COLOURS = {"lower": PALETTE["green"], "raised": PALETTE["purple"], "high": PALETTE["vermillion"]}


@_styled
def scenario_tree_chart(*, data=None, explorer: str = "combined") -> Chart:
    """The essay's scenario tree on the book's default reading: each state's probability on its edge, each branch's
    probability and P(renewed war | branch) at its leaf, and P(renewed war) in the title."""
    name = f"chart-tree-{explorer}"
    order, node_states, labels, branches, conditions = _scenario_inputs(_data(data), "scenario_tree_chart", explorer)
    total = _p_war(order, node_states, branches, conditions)
    by_path = {tuple(s for _, s in conditions[b.branch_id]): b for b in branches.itertuples(index=False)}
    rank = {n: {s: i for i, (s, _, _) in enumerate(node_states[n])} for n in order}
    leaves = sorted(by_path, key=lambda leaf: tuple(rank[n][s] for n, s in zip(order, leaf)))
    n_levels = len(order)
    fig, axes = _figure(7.6, 0.62 * len(leaves) + 1.6)
    ax = axes[0][0]
    ax.set_axis_off()
    ax.set_xlim(-0.2, n_levels + 2.45)
    ax.set_ylim(-0.8, len(leaves) + 0.45)
    state_label = {n: {s: lab for s, lab, _ in node_states[n]} for n in order}
    state_p = {n: {s: p for s, _, p in node_states[n]} for n in order}

    def y_of(prefix: tuple) -> float:
        ys = [len(leaves) - 1 - i for i, leaf in enumerate(leaves) if leaf[: len(prefix)] == prefix]
        return sum(ys) / len(ys)

    prefixes = [()]
    for level, node in enumerate(order):
        ax.text(
            level + 0.5,
            len(leaves) - 0.35,
            textwrap.fill(labels.get(node, node), 24),
            ha="center",
            va="bottom",
            fontsize=8.5,
            fontweight="bold",
        )
        nxt = []
        for pre in prefixes:
            x0, y0 = level, y_of(pre)
            for s, lab, p in node_states[node]:
                child = pre + (s,)
                if not any(leaf[: len(child)] == child for leaf in leaves):
                    continue
                x1, y1 = level + 1, y_of(child)
                ax.plot([x0, x0 + 0.12, x1], [y0, y1, y1], color=INK, linewidth=1, alpha=0.7)
                short = lab.split(":")[0]
                ax.text(x0 + 0.16, y1 + 0.08, textwrap.fill(short, 24), fontsize=7.5, va="bottom")
                ax.text(x0 + 0.16, y1 - 0.08, f"P = {p:.2f}", fontsize=7.5, va="top")
                nxt.append(child)
        prefixes = nxt
    ax.plot([0], [y_of(())], marker="o", color=INK, markersize=5)
    for dx, head in ((0.1, "P(branch)"), (0.75, "P(war | branch)"), (1.75, "essay's\nverdict")):
        ax.text(n_levels + dx, len(leaves) - 0.35, head, fontsize=8.5, fontweight="bold", va="bottom")
    for i, leaf in enumerate(leaves):
        b = by_path[leaf]
        y = len(leaves) - 1 - i
        p_branch = math.prod(state_p[n][s] for n, s in zip(order, leaf))
        colour = VERDICT_COLOURS.get(b.verdict, INK)
        ax.plot([n_levels], [y], marker="s", color=colour, markersize=7)
        ax.text(n_levels + 0.1, y, f"{p_branch:.3f}", va="center", fontsize=8.5)
        ax.barh(y, 0.6 * float(b.default_p_war), left=n_levels + 0.75, height=0.45, color=colour)
        ax.text(
            n_levels + 0.78 + 0.6 * float(b.default_p_war),
            y,
            f"{float(b.default_p_war):.2f}",
            va="center",
            fontsize=8.5,
        )
        ax.text(n_levels + 1.75, y, b.verdict, va="center", fontsize=8.5, color=colour, fontweight="bold")
    title = f"The essay's scenario tree ({explorer}) on the book's reading: P(renewed war) = {total:.3f}"
    ax.set_title(title, fontsize=10.5)
    ax.text(
        0,
        -0.7,
        "P(renewed war) = sum over branches of P(branch) × P(war | branch); the nodes are treated as independent.",
        fontsize=8,
    )
    top = max(leaves, key=lambda leaf: math.prod(state_p[n][s] for n, s in zip(order, leaf)))
    alt = (
        f"Tree diagram of the {explorer} scenario tree: {n_levels} factors ("
        + ", ".join(labels.get(n, n) for n in order)
        + f") split into {len(leaves)} branches. Each edge carries the "
        "book's default probability of that state; each leaf shows the branch's probability, the chance of renewed "
        f"war given the branch as a bar, and the essay's verdict. The likeliest branch is "
        f"{' / '.join(state_label[n][s].split(':')[0] for n, s in zip(order, top))}. Summed over the branches, "
        f"P(renewed war) is {total:.3f}."
    )
    caption = (
        f"Data: scenario_branches.csv, rows with explorer {explorer} ({_rows_text(list(branches['branch_id']))})"
        f"; scenario_states.csv, default_p of the nodes {', '.join(order)}; scenario_nodes.csv for their "
        f"labels. Every probability is the book's reading of the essay, which gives no numbers. "
        f"Sources (references.bib): {', '.join(_keys(branches['source']))}."
    )
    return _chart(fig, name, title, alt, caption, "scenario_branches", list(branches["branch_id"]))


@_styled
def sensitivity_chart(*, data=None, explorer: str = "combined", steps: int = 21) -> Chart:
    """P(renewed war) as one node's probability moves from 0 to 1 (the others at their defaults), one line per node."""
    name = f"chart-sensitivity-{explorer}"
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 2:
        raise ChartError(f"sensitivity_chart: steps must be a whole number of at least 2, got {steps!r}")
    order, node_states, labels, branches, conditions = _scenario_inputs(_data(data), "sensitivity_chart", explorer)
    grid = np.linspace(0.0, 1.0, steps)
    base = _p_war(order, node_states, branches, conditions)
    fig, axes = _figure(7.0, 4.4)
    ax = axes[0][0]
    lines = []
    for i, node in enumerate(order):
        states = node_states[node]
        if len(states) != 2:
            continue  # a two-state node has one free probability; others would need a choice of direction
        (s1, lab1, p1), (s2, _, _) = states
        ys = [
            _p_war(order, node_states, branches, conditions, {node: {s1: float(x), s2: 1.0 - float(x)}}) for x in grid
        ]
        colour = CYCLE[i % len(CYCLE)]
        ax.plot(
            grid,
            ys,
            color=colour,
            linestyle=DASHES[i % len(DASHES)],
            label=f"{labels.get(node, node)}: P({lab1.split(':')[0]})",
        )
        ax.plot([p1], [base], marker=MARKERS[i % len(MARKERS)], color=colour, markersize=8, linestyle="none")
        lines.append((labels.get(node, node), lab1.split(":")[0], ys[0], ys[-1]))
    if not lines:
        raise ChartError(f"sensitivity_chart: explorer {explorer!r} has no two-state node to vary")
    ax.axhline(base, color=INK, linewidth=1, linestyle=(0, (2, 2)))
    ax.annotate(
        f"the book's reading (markers): {base:.3f}",
        (0.0, base),
        xytext=(4, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=8.5,
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, max(0.5, max(max(a, b) for *_, a, b in lines) * 1.1))
    ax.set_xlabel("probability given to the named state (the node's other state gets the rest)")
    ax.set_ylabel("P(renewed war)")
    title = f"How P(renewed war) depends on each factor ({explorer} tree)"
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8.5)
    alt = (
        f"Line chart: P(renewed war) in the {explorer} scenario tree as one factor's probability runs from 0 to 1, "
        f"the others held at the book's defaults (marked points, P = {base:.3f}). "
        + " ".join(
            f"Moving P({state}) of {node} from 0 to 1 takes P(renewed war) from {lo:.3f} to {hi:.3f}."
            for node, state, lo, hi in lines
        )
    )
    caption = (
        f"Data: scenario_branches.csv, rows with explorer {explorer} ({_rows_text(list(branches['branch_id']))})"
        f", column default_p_war; scenario_states.csv, default_p of {', '.join(order)}. Same formula as the "
        f"explorer: P(renewed war) = sum of P(branch) × P(war | branch). "
        f"Sources (references.bib): {', '.join(_keys(branches['source']))}."
    )
    return _chart(fig, name, title, alt, caption, "scenario_branches", list(branches["branch_id"]))


# ---- (e) chapter 07: Brier scores against baselines ----------------------------------------------------------------


@_styled
def brier_chart(*, data=None) -> Chart:
    """The essay's Brier score per scored forecast and on average, against 'always 0.5' and the base rate."""
    from widgets.forecasts import baseline_scores, essay_scores, scored_forecasts

    name = "chart-brier"
    d = _data(data)
    fc = _table(
        d, "brier_chart", "forecasts", ["forecast_id", "forecaster", "event", "term", "scored", "outcome", "source"]
    )
    words = _table(d, "brier_chart", "probability_words", ["term", "point"])
    rows = scored_forecasts(fc, words)
    if rows.empty:
        raise ChartError("brier_chart: the essay has no scored forecast (scored rows with a term and an outcome)")
    essay = essay_scores(fc, words)
    half = baseline_scores(fc, words)
    base_rate = float(rows["outcome"].astype(float).mean())
    base = baseline_scores(fc, words, p=base_rate)
    forecasters = [
        ("The essay (its words read as probabilities)", essay, PALETTE["vermillion"]),
        ("Always 0.5 (no idea)", half, PALETTE["blue"]),
        (f"Always the base rate, {base_rate:.2f} (known only afterwards)", base, PALETTE["green"]),
    ]
    fig, axes = _figure(7.0, 3.9)
    ax = axes[0][0]
    ax.grid(axis="y", visible=False)
    ids = list(rows["forecast_id"])
    for i, (_label, s, colour) in enumerate(forecasters):
        y = len(forecasters) - 1 - i
        ax.barh(y, s["brier"], height=0.5, color=colour, alpha=0.9)
        ax.annotate(
            f"mean {s['brier']:.3f}",
            (s["brier"], y),
            xytext=(4, 10),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
            fontweight="bold",
        )
        xs = [s["items"][f]["brier"] for f in ids]
        offsets = np.linspace(-0.18, 0.18, len(xs)) if len(xs) > 1 else [0.0]
        ax.plot(
            xs,
            [y + o for o in offsets],
            linestyle="none",
            marker="o",
            markersize=5,
            color=INK,
            markerfacecolor="none",
            label="one forecast" if i == 0 else None,
        )
    ax.set_yticks(range(len(forecasters)))
    ax.set_yticklabels([f[0] for f in reversed(forecasters)], fontsize=8.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Brier score (0 is perfect; lower is better)")
    title = f"The essay's forecasts against two baselines ({len(ids)} scored)"
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    ax.legend(loc="upper right", fontsize=8.5)
    better = "better than" if essay["brier"] < half["brier"] else "no better than"
    alt = (
        f"Bar chart of mean Brier scores over {len(ids)} scored forecasts, with each forecast's score as a circle: "
        f"the essay {essay['brier']:.3f}, a forecaster who always says 0.5 {half['brier']:.3f}, and one who always "
        f"gives the base rate of {base_rate:.2f} {base['brier']:.3f}. Lower is better: the essay scores {better} "
        f"saying 0.5 every time."
    )
    caption = (
        f"Data: forecasts.csv, the essay's scored rows, one per event ({_rows_text(ids)}), with the probability of "
        f"each row's term in probability_words.csv; scores from widgets.forecasts (essay_scores, baseline_scores). "
        f"The base rate is the share of these events that "
        f"happened, so that baseline uses hindsight. Sources (references.bib): "
        f"{', '.join(_keys(fc[fc['forecast_id'].isin(ids)]['source']))}."
    )
    return _chart(fig, name, title, alt, caption, "forecasts", ids)


# ---- (f) chapter 06: the random-walk illustration -----------------------------------------------------------------


@_styled
def random_walk_chart(
    *, data=None, paths: int = 6, sigma: float | None = None, monitoring: float = 0.0, threshold: float | None = None
) -> Chart:
    """Left: a few simulated walks of the two sides' disagreement and the threshold at which war recurs. Right: the
    share of simulated ceasefires still holding, for four strengths of monitoring. (The model has no data rows:
    `data` is accepted for a uniform signature and ignored.)"""
    from widgets.bargaining import DEFAULT, MONITORING, MONTHS, RUNS, SEED, simulate

    name = "chart-random-walk"
    sigma = DEFAULT["sigma"] if sigma is None else sigma
    threshold = DEFAULT["threshold"] if threshold is None else threshold
    if not isinstance(paths, int) or isinstance(paths, bool) or not 1 <= paths <= 12:
        raise ChartError(f"random_walk_chart: paths must be a whole number from 1 to 12, got {paths!r}")
    simulate(sigma, monitoring, threshold)  # checks the parameters (BargainingError names the bad one)
    drift = sigma * (1.0 - monitoring)
    # The first rows of the simulation's own seeded draw: these are walks the survival curve counts.
    steps = np.random.default_rng(SEED).standard_normal((RUNS, MONTHS))[:paths]
    walks = drift * np.cumsum(steps, axis=1)
    fig, axes = _figure(7.4, 4.2, 1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
    ax, ax2 = axes[0]
    months = np.arange(0, MONTHS + 1)
    crossed = 0
    for i, walk in enumerate(walks):
        w = np.concatenate([[0.0], walk])
        hit = np.nonzero(np.abs(w) >= threshold)[0]
        end = int(hit[0]) if len(hit) else MONTHS
        colour = CYCLE[i % len(CYCLE)]
        ax.plot(months[: end + 1], w[: end + 1], color=colour, linewidth=1.4, linestyle=DASHES[(i // 4) % 2])
        if len(hit):
            crossed += 1
            ax.plot([end], [w[end]], marker="X", color=colour, markersize=8, linestyle="none")
    for sign in (1, -1):
        ax.axhline(sign * threshold, color=INK, linewidth=1.2, linestyle=(0, (4, 2)))
    ax.annotate(
        "threshold: war recurs",
        (MONTHS, -threshold),
        xytext=(-2, -3),
        textcoords="offset points",
        fontsize=8,
        ha="right",
        va="top",
    )
    lim = max(threshold * 1.6, float(np.abs(walks).max()) * 1.05)
    ax.set_ylim(-lim, lim)
    ax.set_xlim(0, MONTHS)
    ax.set_xlabel("months after the ceasefire")
    ax.set_ylabel("disagreement about relative strength")
    ax.set_title(f"{paths} runs, monitoring {monitoring:g} (X: war)", fontsize=10)
    sims = [simulate(sigma, m, threshold) for m in MONITORING]
    for i, (m, s) in enumerate(zip(MONITORING, sims)):
        ax2.plot(
            months[: len(s.survival)],
            [100 * v for v in s.survival],
            color=CYCLE[i % len(CYCLE)],
            linestyle=DASHES[i % len(DASHES)],
            label=f"monitoring {m:.2f}",
        )
    ax2.set_ylim(0, 102)
    ax2.set_xlim(0, MONTHS)
    ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax2.set_xlabel("months after the ceasefire")
    ax2.set_ylabel(f"share still holding (of {RUNS:,} runs)")
    ax2.set_title("Monitoring slows the drift", fontsize=10)
    ax2.legend(loc="lower left", fontsize=8)
    title = "Random-walk bargaining, an illustration (the book's toy model)"
    fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left")
    alt = (
        f"Two panels. Left: {paths} simulated paths of the two sides' disagreement, with drift {sigma:g} per month "
        f"and monitoring {monitoring:g}; {crossed} of them reach the threshold of ±{threshold:g} within "
        f"{MONTHS} months and end in war (marked X). Right: the share of {RUNS:,} simulated ceasefires still "
        f"holding month by month for monitoring "
        + ", ".join(f"{m:g}" for m in MONITORING)
        + ": after "
        + f"{MONTHS} months "
        + ", ".join(f"{100 * s.holding:.0f}%" for s in sims)
        + " hold; stronger monitoring keeps more ceasefires."
    )
    caption = (
        f"No data rows: a simulation of widgets.bargaining (seed {SEED}, {RUNS:,} runs, threshold "
        f"{threshold:g}, drift {sigma:g}), the book's own toy model in the spirit of the random-walk logic the "
        f"essay cites, not Smith and Stam's model. The paths on the left are the first {paths} runs of the "
        f"same draw that the curves on the right count (monitoring {monitoring:g} is the setting on the left)."
    )
    return _chart(fig, name, title, alt, caption, "", [])


# ---- (g) chapter 03: Brent and Azerbaijan's economy ---------------------------------------------------------------

BRENT_ROWS = (
    "brent_avg_2019",
    "brent_month_2020_01",
    "brent_month_2020_04",
    "brent_month_2020_12",
    "brent_spot_low_2020",
)
BUDGET_ROWS = ("az_budget_oil_price_plan_2020", "az_budget_oil_price_revised_2020")
CHANGE_ROWS = (
    "az_gdp_growth_2019",
    "az_gdp_growth_h1_2020",
    "az_gdp_growth_2020",
    "az_oil_output_change_2020",
    "az_exports_change_9m2020",
)


@_styled
def economy_chart(*, data=None) -> Chart:
    """Left: Brent in 2020 (monthly averages, the daily low) against the oil price Azerbaijan's budget assumed and its
    revision. Right: Azerbaijan's growth and the changes in its oil output and exports, each attributed."""
    name = "chart-economy"
    df = _table(
        _data(data),
        "economy_chart",
        "economy",
        ["figure_id", "label", "value", "unit", "period_start", "period_end", "reporting_party", "as_of", "source"],
    )
    by_id = df.set_index("figure_id")
    needed = BRENT_ROWS + BUDGET_ROWS + CHANGE_ROWS
    missing = [f for f in needed if f not in by_id.index or pd.isna(by_id.loc[f, "value"])]
    if missing:
        raise ChartError(f"economy_chart: table 'economy' lacks the row(s) {', '.join(missing)}")
    v = {f: float(by_id.loc[f, "value"]) for f in needed}
    fig, axes = _figure(7.0, 8.2, 2, 1, gridspec_kw={"height_ratios": [1.25, 1]})
    ax, ax2 = axes[0][0], axes[1][0]
    months = [("brent_month_2020_01", "Jan"), ("brent_month_2020_04", "Apr"), ("brent_month_2020_12", "Dec")]
    xs = [pd.Timestamp(by_id.loc[f, "period_start"]) + pd.Timedelta(days=14) for f, _ in months]
    ax.plot(xs, [v[f] for f, _ in months], color=PALETTE["blue"], linestyle=(0, (1.5, 1.5)), linewidth=1.2)
    ax.plot(
        xs,
        [v[f] for f, _ in months],
        color=PALETTE["blue"],
        marker="o",
        markersize=8,
        linestyle="none",
        label="Brent, monthly average (EIA)",
    )
    for (f, _), x in zip(months, xs):
        ax.annotate(f"${_num(v[f])}", (x, v[f]), xytext=(0, 8), textcoords="offset points", ha="center", fontsize=8.5)
    low = pd.Timestamp(by_id.loc["brent_spot_low_2020", "period_start"])
    ax.plot(
        [low],
        [v["brent_spot_low_2020"]],
        marker="v",
        color=PALETTE["vermillion"],
        markersize=8,
        linestyle="none",
        label=f"lowest daily spot price, {_day(low)} (EIA)",
    )
    ax.annotate(
        f"${_num(v['brent_spot_low_2020'])}",
        (low, v["brent_spot_low_2020"]),
        xytext=(8, -2),
        textcoords="offset points",
        fontsize=8.5,
        va="center",
    )
    for f, colour, dash, text in [
        ("brent_avg_2019", INK, (0, (1, 2)), "Brent, average of 2019"),
        (
            "az_budget_oil_price_plan_2020",
            PALETTE["green"],
            (0, (5, 2)),
            "oil price in the State Oil Fund's 2020 budget",
        ),
        (
            "az_budget_oil_price_revised_2020",
            PALETTE["purple"],
            (0, (6, 2, 1.5, 2)),
            "price spending was adjusted to (Aug 2020)",
        ),
    ]:
        ax.axhline(v[f], color=colour, linestyle=dash, linewidth=1.4, label=f"{text}: ${_num(v[f])}")
    ax.set_xlim(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-12-31"))
    ax.set_ylim(0, 80)
    ax.xaxis.set_major_locator(MonthLocator(bymonth=(1, 3, 5, 7, 9, 11)))
    ax.xaxis.set_major_formatter(DateFormatter("%b"))
    ax.set_xlabel("2020")
    ax.set_ylabel("US dollars per barrel")
    ax.set_title("Brent in 2020 and Azerbaijan's budget price", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.2), ncol=1, fontsize=8)
    ax2.grid(axis="y", visible=False)
    labels = {
        "az_gdp_growth_2019": "GDP growth, 2019",
        "az_gdp_growth_h1_2020": "GDP growth, Jan–Jun 2020",
        "az_gdp_growth_2020": "GDP growth, 2020",
        "az_oil_output_change_2020": "oil output, 2020",
        "az_exports_change_9m2020": "exports by value, Jan–Sep 2020",
    }
    for i, f in enumerate(CHANGE_ROWS):
        y = len(CHANGE_ROWS) - 1 - i
        colour = PALETTE["blue"] if v[f] >= 0 else PALETTE["vermillion"]
        ax2.barh(y, v[f], height=0.55, color=colour)
        ax2.annotate(
            f"{v[f]:+.1f}%  {by_id.loc[f, 'reporting_party']}",
            (max(v[f], 0.0), y),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=8,
        )
    ax2.axvline(0, color=INK, linewidth=1)
    ax2.set_yticks(range(len(CHANGE_ROWS)))
    ax2.set_yticklabels([labels[f] for f in reversed(CHANGE_ROWS)], fontsize=8.5)
    lo = min(v[f] for f in CHANGE_ROWS)
    ax2.set_xlim(min(lo * 1.15, -5), max(max(v[f] for f in CHANGE_ROWS), 0) + 1.5 * abs(min(lo, -5)))
    ax2.set_xlabel("percent change (as reported)")
    ax2.set_title("Azerbaijan's economy, as reported", fontsize=10)
    title = "The oil shock of 2020 and Azerbaijan's economy"
    fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left")
    alt = (
        f"Two panels. Left: Brent's monthly average price in 2020 fell from ${_num(v['brent_month_2020_01'])} in "
        f"January to ${_num(v['brent_month_2020_04'])} in April (daily low ${_num(v['brent_spot_low_2020'])} on "
        f"{_day(low)}) and was ${_num(v['brent_month_2020_12'])} in December, against "
        f"${_num(v['brent_avg_2019'])} on average in 2019, the ${_num(v['az_budget_oil_price_plan_2020'])} the State "
        f"Oil Fund's 2020 budget assumed and the ${_num(v['az_budget_oil_price_revised_2020'])} spending was "
        f"adjusted to. Right: Azerbaijan's own figures: "
        + "; ".join(f"{labels[f]} {v[f]:+.1f}% ({by_id.loc[f, 'reporting_party']})" for f in CHANGE_ROWS)
        + "."
    )
    caption = (
        f"Data: economy.csv, rows {_rows_text(list(needed))}. Brent is shown only for the months the data "
        f"holds (the dotted line joins them, it is not a price series). "
        f"Sources (references.bib): {', '.join(_keys(by_id.loc[list(needed), 'source']))}."
    )
    return _chart(fig, name, title, alt, caption, "economy", list(needed))


CHARTS = {
    "toll_chart": toll_chart,
    "ceasefire_chart": ceasefire_chart,
    "scenario_tree_chart": scenario_tree_chart,
    "sensitivity_chart": sensitivity_chart,
    "brier_chart": brier_chart,
    "random_walk_chart": random_walk_chart,
    "economy_chart": economy_chart,
}


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def lum(c: str) -> float:
        rgb = [int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)

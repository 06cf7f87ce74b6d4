"""An illustration of random-walk bargaining after a ceasefire: beliefs drift apart, monitoring slows the drift, war
recurs at a threshold. The book's own toy model in the spirit of the logic the essay cites, not Smith and Stam's model.

Model: the two sides' disagreement about their relative strength starts at 0 when the war ends (the fighting has
shown who is stronger) and then moves each month by a normal step of standard deviation sigma * (1 - monitoring):
monitoring is the share of the drift that common observation (peacekeepers, verification) removes. A simulated
ceasefire breaks in the first month the disagreement reaches +/- threshold. Every run of every parameter setting uses
the same seeded random numbers, so results are a pure function of the parameters and differences between settings are
never noise.
"""

from __future__ import annotations

import html
import itertools
import math
import numbers
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from widgets.explorer import Explorer, error_box, live_style

SEED = 20201110
RUNS = 2000
MONTHS = 120
# The static explorer's grid: 4 x 4 x 3 = 48 precomputed settings (the live widget takes any value).
SIGMAS = (0.5, 1.0, 1.5, 2.0)
MONITORING = (0.0, 0.25, 0.5, 0.75)
THRESHOLDS = (5.0, 10.0, 15.0)
DEFAULT = {"sigma": 1.0, "monitoring": 0.5, "threshold": 10.0}
TABLE_MONTHS = (12, 24, 60, 120)
PLOT_STEP = 6
# The plot area inside the SVG: left, top, width, height.
PLOT = (44.0, 10.0, 300.0, 130.0)


class BargainingError(ValueError):
    """A parameter of the illustration is out of range; the message names the parameter and its allowed range."""


@dataclass(frozen=True)
class Simulation:
    """One parameter setting's result: the share of simulated ceasefires still holding at each month 0..months."""

    sigma: float
    monitoring: float
    threshold: float
    runs: int
    months: int
    survival: tuple[float, ...]

    @property
    def holding(self) -> float:
        """Share of simulated ceasefires still holding at the horizon."""
        return self.survival[-1]

    @property
    def median_months(self) -> int | None:
        """First month by which at least half the simulated ceasefires have broken (None: not within the horizon)."""
        return next((t for t, s in enumerate(self.survival) if s <= 0.5), None)


def _real(name: str, value, low: float, high: float, *, low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise BargainingError(f"{name} must be a finite number, got {value!r}")
    x = float(value)
    if x < low or x > high or (low_open and x == low):
        bracket = "(" if low_open else "["
        raise BargainingError(f"{name} must lie in {bracket}{low:g}, {high:g}], got {x:g}")
    return x


def _count(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise BargainingError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


@lru_cache(maxsize=4)
def _peaks(runs: int, months: int, seed: int) -> np.ndarray:
    """Running maximum of |standard random walk| per run and month: the one random draw every setting shares."""
    steps = np.random.default_rng(seed).standard_normal((runs, months))
    peaks = np.maximum.accumulate(np.abs(np.cumsum(steps, axis=1)), axis=1)
    peaks.flags.writeable = False
    return peaks


def simulate(
    sigma: float = DEFAULT["sigma"],
    monitoring: float = DEFAULT["monitoring"],
    threshold: float = DEFAULT["threshold"],
    *,
    months: int = MONTHS,
    runs: int = RUNS,
    seed: int = SEED,
) -> Simulation:
    """The share of simulated ceasefires holding after each month, for drift sigma, monitoring and threshold."""
    sigma = _real("sigma (drift of beliefs per month)", sigma, 0.0, 100.0, low_open=True)
    monitoring = _real("monitoring (share of the drift removed)", monitoring, 0.0, 1.0)
    threshold = _real("threshold (disagreement that triggers war)", threshold, 0.0, 1000.0, low_open=True)
    months = _count("months", months, 1, 600)
    runs = _count("runs", runs, 1, 100_000)
    seed = _count("seed", seed, 0, 2**63 - 1)
    drift = sigma * (1.0 - monitoring)
    if drift == 0.0:
        return Simulation(sigma, monitoring, threshold, runs, months, (1.0,) * (months + 1))
    # Scaling the walk by `drift` and comparing with `threshold` is comparing the unit walk with threshold / drift.
    broken = _peaks(runs, months, seed) >= threshold / drift
    first = np.where(broken.any(axis=1), broken.argmax(axis=1) + 1, months + 1)
    breaks = np.bincount(first, minlength=months + 2)[: months + 1]
    survival = 1.0 - np.cumsum(breaks) / runs
    return Simulation(sigma, monitoring, threshold, runs, months, tuple(float(s) for s in survival))


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _median_text(sim: Simulation) -> str:
    m = sim.median_months
    return f"{m} months" if m is not None else f"more than {sim.months} months (over half still hold)"


def _frame(months: int) -> str:
    """The survival plot's axes, grid lines and labels (the same for every setting with this horizon)."""
    x0, y0, w, h = PLOT
    grid = "".join(
        f'<line x1="{x0}" y1="{y0 + h * (1 - f)}" x2="{x0 + w}" y2="{y0 + h * (1 - f)}" '
        f'stroke="currentColor" stroke-opacity=".25"/><text x="{x0 - 6}" y="{y0 + h * (1 - f) + 4}" '
        f'text-anchor="end">{_pct(f)}</text>'
        for f in (0.0, 0.5, 1.0)
    )
    ticks = "".join(
        f'<text x="{x0 + w * t / months:.1f}" y="{y0 + h + 16}" text-anchor="middle">{t}</text>'
        for t in range(0, months + 1, max(12, months // 5 // 12 * 12))
    )
    return (
        f'{grid}<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y0 + h}" stroke="currentColor"/>{ticks}'
        f'<text x="{x0 + w / 2}" y="{y0 + h + 30}" text-anchor="middle">months after the ceasefire</text>'
    )


def _points(sim: Simulation) -> str:
    x0, y0, w, h = PLOT
    return " ".join(
        f"{x0 + w * t / sim.months:.1f},{y0 + h * (1 - sim.survival[t]):.1f}"
        for t in range(0, sim.months + 1, PLOT_STEP)
    )


def survival_svg(sim: Simulation, baseline: Simulation | None = None) -> str:
    """An inline SVG of the survival curve (solid) and, if given, the same drift without monitoring (dashed)."""
    lines = ""
    if baseline is not None:
        lines += (
            f'<polyline points="{_points(baseline)}" fill="none" stroke="currentColor" '
            f'stroke-opacity=".7" stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    lines += f'<polyline points="{_points(sim)}" fill="none" stroke="#2563eb" stroke-width="2.5"/>'
    label = f"Share of simulated ceasefires still holding, month 0 to {sim.months}: {_pct(sim.holding)} at the end" + (
        f"; without monitoring {_pct(baseline.holding)}" if baseline is not None else ""
    )
    return (
        f'<svg class="bw-curve" viewBox="0 0 360 170" width="360" height="170" role="img" '
        f'aria-label="{html.escape(label)}" font-size="11" fill="currentColor" style="max-width:100%;height:auto">'
        f"{_frame(sim.months)}{lines}</svg>"
    )


def result_html(sim: Simulation, baseline: Simulation | None = None) -> str:
    """One setting's result as HTML: headline, survival curve and a small table (the book's and the live view)."""
    months = [t for t in TABLE_MONTHS if t <= sim.months]
    head = "".join(f'<th scope="col">{t}</th>' for t in months)
    rows = [("With these settings", sim)] + ([("Same drift, no monitoring", baseline)] if baseline else [])
    body = "".join(
        f'<tr><th scope="row">{name}</th>'
        + "".join(f'<td class="num">{_pct(s.survival[t])}</td>' for t in months)
        + "</tr>"
        for name, s in rows
    )
    key = setting_key(sim.sigma, sim.monitoring, sim.threshold)
    return (
        f'<div class="bw-result" data-key="{key}" data-holding="{sim.holding!r}" '
        f'data-median="{"" if sim.median_months is None else sim.median_months}">'
        f"<p><strong>After {sim.months} months {_pct(sim.holding)} of the {sim.runs:,} simulated ceasefires "
        f"still hold.</strong> Median time to breakdown: {_median_text(sim)}.</p>"
        f"{survival_svg(sim, baseline)}"
        f'<table><caption class="xp-sr">Share of simulated ceasefires still holding after so many months'
        f'</caption><thead><tr><th scope="col">Months after the ceasefire</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def setting_key(sigma: float, monitoring: float, threshold: float) -> str:
    """The grid key of a setting, as the static explorer's radio values spell it: '1|0.5|10'."""
    return f"{sigma:g}|{monitoring:g}|{threshold:g}"


def status_text(sim: Simulation) -> str:
    """The one-line summary a screen reader hears when the setting changes."""
    return (
        f"After {sim.months} months {_pct(sim.holding)} of simulated ceasefires still hold; "
        f"median time to breakdown {_median_text(sim)}."
    )


def _shared_parts() -> list[str]:
    """Markup every grid result repeats verbatim (plot frame, SVG and table scaffolding), longest first."""
    x0, y0, w, h = PLOT
    parts = [
        _frame(MONTHS),
        '<svg class="bw-curve" viewBox="0 0 360 170" width="360" height="170" role="img" ',
        '" font-size="11" fill="currentColor" style="max-width:100%;height:auto">',
        '" fill="none" stroke="currentColor" stroke-opacity=".7" stroke-width="1.5" stroke-dasharray="5 4"/>',
        '" fill="none" stroke="#2563eb" stroke-width="2.5"/>',
        '<polyline points="',
        '<table><caption class="xp-sr">Share of simulated ceasefires still holding after so many months'
        '</caption><thead><tr><th scope="col">Months after the ceasefire</th>'
        + "".join(f'<th scope="col">{t}</th>' for t in TABLE_MONTHS)
        + "</tr></thead><tbody>",
        '<td class="num">',
        "</td>",
        '<tr><th scope="row">',
    ]
    return parts


def grid_data() -> dict:
    """The static explorer's data: every grid setting's result HTML with shared markup and curves replaced by
    tokens (@P0@..., @C:key@) that the page expands by lookup, so each piece is stored once in the page."""
    sims = {setting_key(*k): simulate(*k) for k in itertools.product(SIGMAS, MONITORING, THRESHOLDS)}
    parts = _shared_parts()
    results = {}
    for key, sim in sims.items():
        base_key = setting_key(sim.sigma, 0.0, sim.threshold)
        text = result_html(sim, sims[base_key])
        text = text.replace(_points(sims[base_key]), f"@C:{base_key}@").replace(_points(sim), f"@C:{key}@")
        for i, part in enumerate(parts):
            text = text.replace(part, f"@P{i}@")
        results[key] = {"html": text, "status": status_text(sim)}
    return {"parts": parts, "curves": {k: _points(s) for k, s in sims.items()}, "results": results}


# The static explorer (static/bargaining.js) only looks up and expands what Python computed: one source of truth,
# no model in JavaScript.
LEGENDS = {
    "sigma": (
        "Drift of beliefs per month (σ): how fast private information pushes the two sides' estimates apart",
        SIGMAS,
    ),
    "monitoring": (
        "Monitoring strength: the share of the drift that peacekeepers' common observation removes",
        MONITORING,
    ),
    "threshold": ("Threshold: how large the disagreement must grow before one side prefers to fight", THRESHOLDS),
}


def bargaining_html(uid: str | None = None) -> str:
    """The static explorer: three radio groups over the precomputed grid; the page shows the stored result."""
    explorer = BargainingExplorer()
    if uid:
        explorer.uid = uid
    return explorer.html()


NOTE = (
    "Solid line: the chosen settings; dashed: the same drift with no monitoring. An illustration with invented "
    "units, not an estimate for Nagorno-Karabakh."
)


def live_result(sigma, monitoring, threshold) -> str:
    """The live widget's output for any values: the result HTML, or the error message naming the bad parameter."""
    try:
        return result_html(simulate(sigma, monitoring, threshold), simulate(sigma, 0.0, threshold))
    except BargainingError as exc:
        return live_style() + error_box(str(exc))


class BargainingExplorer(Explorer):
    """The illustration's explorer: live sliders (Python callbacks) in Jupyter, the precomputed grid in the book."""

    title = "Illustration: how long does a simulated ceasefire hold?"
    uid_prefix = "bargain"
    compute = "bargaining.js"

    def __repr__(self) -> str:
        return "BargainingExplorer()"

    def fieldsets(self) -> list[dict]:
        return [
            {
                "legend": legend,
                "controls": [
                    {"kind": "radio", "name": name, "value": f"{x:g}", "label": f"{x:g}", "checked": x == DEFAULT[name]}
                    for x in values
                ],
            }
            for name, (legend, values) in LEGENDS.items()
        ]

    def page_data(self) -> dict:
        return grid_data()

    def page_options(self) -> dict:
        return {
            "intro": f"<p><small>{NOTE} Pick a setting; its result was simulated in Python when the book was built "
            f"({RUNS:,} runs of {MONTHS} months, fixed seed). In JupyterLab the same cell gives sliders "
            "that simulate any value.</small></p>"
        }

    def build_widget(self):
        """Sliders for drift, monitoring and threshold; every change re-runs the simulation in Python."""
        import ipywidgets

        style = {"description_width": "initial"}
        sliders = {
            "sigma": ipywidgets.FloatSlider(
                value=DEFAULT["sigma"], min=0.1, max=3.0, step=0.1, description="Drift σ per month", style=style
            ),
            "monitoring": ipywidgets.FloatSlider(
                value=DEFAULT["monitoring"], min=0.0, max=1.0, step=0.05, description="Monitoring strength", style=style
            ),
            "threshold": ipywidgets.FloatSlider(
                value=DEFAULT["threshold"], min=1.0, max=30.0, step=1.0, description="Threshold", style=style
            ),
        }
        out = ipywidgets.HTML()

        def refresh(_=None):
            out.value = live_result(**{k: s.value for k, s in sliders.items()})

        for s in sliders.values():
            s.observe(refresh, names="value")
        refresh()
        return ipywidgets.VBox([*sliders.values(), ipywidgets.HTML(f"<small>{NOTE}</small>"), out])


def bargaining_explorer() -> BargainingExplorer:
    """The random-walk illustration's explorer (live in Jupyter, static with a precomputed grid in the book)."""
    return BargainingExplorer()


def illustration_numbers() -> dict[str, str]:
    """The figures the prose cites from the illustration, as text for glue (plain names: the chapter prefixes them)."""
    free = simulate(DEFAULT["sigma"], 0.0, DEFAULT["threshold"])
    kept = simulate(**DEFAULT)
    return {
        "runs": f"{RUNS:,}",
        "months": str(MONTHS),
        "sigma": f"{DEFAULT['sigma']:g}",
        "monitoring": f"{DEFAULT['monitoring']:g}",
        "threshold": f"{DEFAULT['threshold']:g}",
        "same_drift_sigma": f"{DEFAULT['sigma'] * (1 - DEFAULT['monitoring']):g}",
        "n_settings": str(len(SIGMAS) * len(MONITORING) * len(THRESHOLDS)),
        "free_holding": _pct(free.holding),
        "kept_holding": _pct(kept.holding),
        "free_median": _median_text(free),
        "kept_median": _median_text(kept),
    }

"""Scoring forecasts: Brier and log scores of the essay's forecasts, and a scorer for the reader's own (live, static).

The scores are functions of a forecasts frame (`essay_scores(frame)`); what a chapter shows reads data/forecasts.csv
through `data=None` like every table (`verdict_table(data=...)`)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from widgets.explorer import Explorer, error_box, live_style
from widgets.render import Table, bibliography, book_data, source_html, style, table_of

# A probability of exactly 0 or 1 that turns out wrong would cost an infinite log score and swamp every other
# forecast; clipping to [CLIP, 1 - CLIP] caps one confident miss at -ln(CLIP) (about 6.9 nats), which still dwarfs
# any hedged forecast.
CLIP = 0.001
BASELINE = 0.5


class ForecastError(ValueError):
    """A probability or an outcome that cannot be scored; the message names the forecast and the problem."""


def checked_probability(value, where: str) -> float:
    """`value` as a float in [0, 1], or a ForecastError naming `where` (NaN, infinities, text and booleans fail)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ForecastError(f"{where}: probability must be a number between 0 and 1, got {value!r}")
    p = float(value)
    if math.isnan(p):
        raise ForecastError(f"{where}: probability is NaN (not a number); enter a value between 0 and 1")
    if not 0.0 <= p <= 1.0:
        raise ForecastError(f"{where}: probability {p!r} is outside [0, 1]")
    return p


def checked_outcome(value, where: str) -> int:
    """`value` as the integer 0 or 1, or a ForecastError naming `where`."""
    if isinstance(value, bool) or value not in (0, 1):
        raise ForecastError(f"{where}: outcome must be 0 (did not happen) or 1 (happened), got {value!r}")
    return int(value)


def brier_score(p: float, outcome: int) -> float:
    """Squared error of one probability against a 0/1 outcome (0 is perfect, 1 the worst)."""
    return (p - outcome) ** 2


def log_score(p: float, outcome: int) -> float:
    """Negative natural log of the probability given to what happened, after clipping p to [CLIP, 1 - CLIP]."""
    q = min(max(p, CLIP), 1.0 - CLIP)
    return -math.log(q if outcome == 1 else 1.0 - q)


def scored_forecasts(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The forecasts that can be scored: those the essay's words give a probability and the record resolves."""
    rows = forecasts[forecasts["probability"].notna() & forecasts["outcome"].notna()]
    return rows[["forecast_id", "event", "phrase", "probability", "outcome"]].reset_index(drop=True)


def scores(probabilities: Mapping[str, float], outcomes: Mapping[str, int]) -> dict:
    """Brier and log score of each forecast and their means; every forecast needs exactly one checked probability."""
    missing = sorted(set(outcomes) - set(probabilities))
    unknown = sorted(set(probabilities) - set(outcomes))
    if missing or unknown:
        raise ForecastError(f"probabilities do not match the forecasts: missing {missing}, unknown {unknown}")
    if not outcomes:
        raise ForecastError("there are no forecasts to score")
    items = {}
    for fid, outcome in outcomes.items():
        p = checked_probability(probabilities[fid], f"forecast {fid!r}")
        o = checked_outcome(outcome, f"forecast {fid!r}")
        items[fid] = {"probability": p, "outcome": o, "brier": brier_score(p, o), "log": log_score(p, o)}
    n = len(items)
    return {
        "items": items,
        "brier": sum(v["brier"] for v in items.values()) / n,
        "log": sum(v["log"] for v in items.values()) / n,
    }


def _outcomes(forecasts: pd.DataFrame) -> dict[str, int]:
    rows = scored_forecasts(forecasts)
    return {fid: int(o) for fid, o in zip(rows["forecast_id"], rows["outcome"])}


def essay_scores(forecasts: pd.DataFrame) -> dict:
    """The essay's scores: the probabilities its wording was mapped to, against the outcomes."""
    rows = scored_forecasts(forecasts)
    return scores({f: float(p) for f, p in zip(rows["forecast_id"], rows["probability"])}, _outcomes(forecasts))


def baseline_scores(forecasts: pd.DataFrame, p: float = BASELINE) -> dict:
    """The scores of a forecaster who says `p` (by default 0.5, "no idea") to every scored forecast."""
    outcomes = _outcomes(forecasts)
    return scores({fid: p for fid in outcomes}, outcomes)


def score_table(forecasts: pd.DataFrame) -> pd.DataFrame:
    """One row per scored forecast: the essay's probability, the outcome and both scores, with the means last."""
    s = essay_scores(forecasts)
    rows = scored_forecasts(forecasts)
    table = pd.DataFrame(
        {
            "forecast": rows["event"],
            "words": rows["phrase"],
            "probability": [s["items"][f]["probability"] for f in rows["forecast_id"]],
            "happened": ["yes" if s["items"][f]["outcome"] else "no" for f in rows["forecast_id"]],
            "Brier": [s["items"][f]["brier"] for f in rows["forecast_id"]],
            "log": [s["items"][f]["log"] for f in rows["forecast_id"]],
        }
    )
    mean = pd.DataFrame(
        [
            {
                "forecast": "Mean",
                "words": "",
                "probability": math.nan,
                "happened": "",
                "Brier": s["brier"],
                "log": s["log"],
            }
        ]
    )
    return pd.concat([table, mean], ignore_index=True)


def fixed(x: float, places: int = 3) -> str:
    """`x` with `places` decimals, rounding the exact binary value half up, as JavaScript's toFixed does."""
    return str(Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# The static scorer computes with static/forecasts.js, the JavaScript twin of checked_probability, brier_score,
# log_score and scores (keep in step); tests/test_retro_browser.py compares the two. The live table's look is
# static/forecasts.css.
CAPTION = (
    f"Your probabilities, scored against what happened (lower is better; log scores clip p to [{CLIP}, {1 - CLIP}])"
)


def _cell(cls: str, x: float | None) -> str:
    shown = "\u2014" if x is None else fixed(x)
    return f'<td class="num {cls}" data-value="{"" if x is None else repr(x)}">{shown}</td>'


def results_html(rows: pd.DataFrame, result: dict | None, given: Mapping[str, str], error: str = "") -> str:
    """The live scorer's table (the static page's script draws the same): each forecast with the essay's and the
    reader's probability, the outcome and the reader's scores, then the reader's, the essay's and always-0.5 means."""
    outcomes = dict(zip(rows["forecast_id"], map(int, rows["outcome"])))
    essay = scores(dict(zip(rows["forecast_id"], map(float, rows["probability"]))), outcomes)
    base = scores({f: BASELINE for f in outcomes}, outcomes)
    body = "".join(
        f'<tr data-forecast="{html.escape(f)}"><th scope="row">{html.escape(e)}</th><td class="num">{fixed(p, 2)}</td>'
        f'<td class="num">{given[f]}</td><td>{"yes" if o else "no"}</td>'
        f"{_cell('cf-fs-b', result and result['items'][f]['brier'])}"
        f"{_cell('cf-fs-l', result and result['items'][f]['log'])}"
        f"</tr>"
        for f, e, p, o in rows[["forecast_id", "event", "probability", "outcome"]].itertuples(index=False)
    )
    foot = "".join(
        f'<tr><th scope="row" colspan="4">{name}</th>'
        f"{_cell(cls_b, s and s['brier'])}{_cell(cls_l, s and s['log'])}</tr>"
        for name, s, cls_b, cls_l in (
            ("Your mean score", result, "cf-fs-brier", "cf-fs-log"),
            (ESSAY_LABEL, essay, "", ""),
            (BASELINE_LABEL, base, "", ""),
        )
    )
    message = live_style() + error_box(error) if error else ""
    return (
        f'{message}<table><caption>{html.escape(CAPTION)}</caption><thead><tr><th scope="col">Forecast</th>'
        f'<th scope="col">Essay</th><th scope="col">You</th><th scope="col">Happened</th><th scope="col">Brier</th>'
        f'<th scope="col">Log</th></tr></thead><tbody>{body}</tbody><tfoot>{foot}</tfoot></table>'
    )


ESSAY_LABEL = "The essay, as read here"
BASELINE_LABEL = f"Always {BASELINE}"


class ForecastScorer(Explorer):
    """The reader's forecast scorer; Jupyter gets the live widget, the book a self-contained page that computes."""

    title = "Score your own forecasts"
    uid_prefix = "forecast-scorer"
    compute = "forecasts.js"

    def __init__(self, forecasts: pd.DataFrame):
        self.rows = scored_forecasts(forecasts)
        if self.rows.empty:
            raise ForecastError("no forecast has both a probability and an outcome: nothing to score")
        self.start = {f: float(p) for f, p in zip(self.rows["forecast_id"], self.rows["probability"])}
        self.outcomes = {f: int(o) for f, o in zip(self.rows["forecast_id"], self.rows["outcome"])}
        super().__init__()

    def __repr__(self) -> str:
        return f"ForecastScorer({len(self.rows)} forecasts)"

    def page_data(self) -> dict:
        """What the static page's script scores with: the forecasts, their outcomes, the clip and the references."""
        return {
            "clip": CLIP,
            "caption": CAPTION,
            "essay_label": ESSAY_LABEL,
            "baseline_label": BASELINE_LABEL,
            "essay": _means(scores(self.start, self.outcomes)),
            "baseline": _means(scores({f: BASELINE for f in self.outcomes}, self.outcomes)),
            "forecasts": [
                {"id": f, "label": e, "outcome": self.outcomes[f], "essay": self.start[f]}
                for f, e in zip(self.rows["forecast_id"], self.rows["event"])
            ],
        }

    def fieldsets(self) -> list[dict]:
        """One number box per scored forecast, starting at the essay's probability."""
        controls = [
            {"kind": "number", "name": f, "label": e, "value": self.start[f], "min": 0, "max": 1, "step": 0.05}
            for f, e in zip(self.rows["forecast_id"], self.rows["event"])
        ]
        return [
            {
                "legend": "Your probability that each event would happen (0 to 1)",
                "controls": controls,
                "help": "The boxes start at the essay's probabilities as this chapter reads its words.",
            }
        ]

    def page_options(self) -> dict:
        # One forecast per line (static/explorer.css, .xp-scorer): the events are sentences, too long to share a line.
        return {"classes": "xp-scorer"}

    def build_widget(self):
        """The live scorer: changing a probability re-scores in Python."""
        import ipywidgets

        boxes = {
            f: ipywidgets.FloatText(value=p, step=0.05, description=f, style={"description_width": "initial"})
            for f, p in self.start.items()
        }
        table = ipywidgets.HTML()

        def refresh(_=None):
            given = {f: b.value for f, b in boxes.items()}
            shown = {f: html.escape(repr(v)) for f, v in given.items()}
            try:
                result, error = scores(given, self.outcomes), ""
            except ForecastError as exc:
                result, error = None, str(exc)
            table.value = (
                style("forecasts.css") + f'<div class="cf-fs">{results_html(self.rows, result, shown, error)}</div>'
            )

        for b in boxes.values():
            b.observe(refresh, names="value")
        refresh()
        # Each box is named by its forecast id (short, stable); the event it scores is spelled out beside it.
        rows = [
            ipywidgets.HBox([boxes[f], ipywidgets.HTML(html.escape(e))])
            for f, e in zip(self.rows["forecast_id"], self.rows["event"])
        ]
        return ipywidgets.VBox([ipywidgets.HTML("<strong>Your probabilities</strong>"), *rows, table])


def _means(s: dict) -> dict:
    return {"brier": s["brier"], "log": s["log"]}


def forecast_scorer(*, data: Mapping | None = None) -> ForecastScorer:
    """The scorer for the essay's scored forecasts, starting from the probabilities its wording was mapped to."""
    return ForecastScorer(book_data(data)["forecasts"])


VERDICT_ORDER = {"right": 0, "partly right": 1, "wrong": 2, "untestable": 3}


def verdict_table(*, data: Mapping | None = None) -> Table:
    """Every forecast and causal claim of the essay: factor, mechanism, its words, what happened, the verdict."""
    d = book_data(data)
    forecasts, bib = d["forecasts"], bibliography(d)
    frame = forecasts.assign(_order=forecasts["verdict"].map(VERDICT_ORDER)).sort_values(
        ["_order", "factor", "forecast_id"], kind="stable"
    )
    rows = [
        {
            "_group": f"Verdict: {r['verdict']}",
            "claim": f'“{html.escape(r["claim"])}”<br><small style="font-weight:normal">{html.escape(r["factor"])}'
            f" · {html.escape(r['kind'])} · through: {html.escape(r['mechanism'])}</small>",
            "happened": r["outcome_note"],
            "why": f"{html.escape(r['verdict_note'])} Knowable in 2020: {html.escape(r['knowable_in_2020'])}."
            f"<br>{source_html(r['source'], bib)}",
        }
        for r in frame.to_dict("records")
    ]
    columns = [
        ("claim", "The essay says (factor · kind · mechanism)"),
        ("happened", "What happened"),
        ("why", "Verdict and sources"),
    ]
    caption = "The essay's forecasts and causal claims against the record, 2020-2026"
    return table_of(pd.DataFrame(rows), columns, caption, raw=("claim", "why"), group_by="_group")


def likelihood_table(*, data: Mapping | None = None) -> Table:
    """How the essay's likelihood words are read: each phrase, its ICD 203 term and range, and the point scored."""
    forecasts = book_data(data)["forecasts"]
    mapped = forecasts.dropna(subset=["scale_term"]).sort_values(["scale_low", "phrase"], kind="stable")
    rows = []
    for (phrase, term, low, high), group in mapped.groupby(
        ["phrase", "scale_term", "scale_low", "scale_high"], sort=False
    ):
        points = group["probability"].dropna()
        rows.append(
            {
                "phrase": f"“{phrase}”",
                "term": term,
                "range": f"{fixed(low, 2)}–{fixed(high, 2)}",
                "point": fixed(points.iloc[0], 2) if len(points) else "not scored (conditional)",
                "used": ", ".join(group["forecast_id"]),
            }
        )
    columns = [
        ("phrase", "The essay's words"),
        ("term", "Read as (ICD 203)"),
        ("range", "ICD 203 range"),
        ("point", "Probability scored"),
        ("used", "Forecasts"),
    ]
    caption = "From words to numbers: the essay's likelihood words on the ICD 203 scale"
    return table_of(pd.DataFrame(rows), columns, caption, numeric=("range", "point"))


def essay_score_table(*, data: Mapping | None = None) -> Table:
    """score_table as a rendered table: each scored forecast's probability, outcome and scores, then the means."""
    forecasts = book_data(data)["forecasts"]
    rows = [
        {
            "forecast": r["forecast"],
            "words": f"“{r['words']}”" if r["words"] else "",
            "p": "" if math.isnan(r["probability"]) else fixed(r["probability"], 2),
            "happened": r["happened"],
            "brier": fixed(r["Brier"]),
            "log": fixed(r["log"]),
        }
        for r in score_table(forecasts).to_dict("records")
    ]
    columns = [
        ("forecast", "Forecast (event scored)"),
        ("words", "The essay's words"),
        ("p", "Probability"),
        ("happened", "Happened"),
        ("brier", "Brier"),
        ("log", "Log"),
    ]
    caption = f"The essay's scored forecasts (lower scores are better; log scores clip p to [{CLIP}, {1 - CLIP}])"
    return table_of(pd.DataFrame(rows), columns, caption, numeric=("p", "brier", "log"))


def forecast_numbers(*, data: Mapping | None = None) -> dict[str, str]:
    """The numbers the prose cites about the essay's forecasts, as text for glue (plain names: the chapter prefixes
    them): mean scores of the essay and of always-0.5, counts by verdict, the clip, and the combined scenario tree's
    P(renewed war) scored as a forecast of the war that came."""
    from widgets.scenarios import renewed_war_probability

    d = book_data(data)
    forecasts = d["forecasts"]
    essay, base = essay_scores(forecasts), baseline_scores(forecasts)
    counts = forecasts["verdict"].value_counts()
    p_war = renewed_war_probability(data=d)
    out = {
        "essay_brier": fixed(essay["brier"]),
        "essay_log": fixed(essay["log"]),
        "base_brier": fixed(base["brier"]),
        "base_log": fixed(base["log"]),
        "base_p": str(BASELINE),
        "n_scored": str(len(essay["items"])),
        "n_claims": str(len(forecasts)),
        "clip": str(CLIP),
        "clip_high": str(1 - CLIP),
        "clip_max_log": fixed(-math.log(CLIP), 2),
        "scenario_pwar": fixed(p_war, 2),
        "scenario_brier": fixed(brier_score(p_war, 1)),
    }
    out.update({f"n_{v.replace(' ', '_')}": str(int(counts.get(v, 0))) for v in VERDICT_ORDER})
    return out


def exercise_numbers(*, data: Mapping | None = None) -> dict[str, str]:
    """The numbers the exercises on scoring cite (names `ex_...`): the essay's Brier score without its expectation
    about the peacekeepers' term, single scores of a miss, a certain miss and the term forecast, and what the term
    forecast gained over always-0.5."""
    forecasts = book_data(data)["forecasts"]
    by_id = forecasts.set_index("forecast_id")
    p_term = float(by_id.loc["peacekeepers_term", "probability"])
    hit, miss = brier_score(p_term, 1), brier_score(p_term, 0)
    return {
        "ex_brier_without_term": fixed(essay_scores(forecasts[forecasts["kind"] != "expectation"])["brier"]),
        "ex_brier_status_no": fixed(brier_score(float(by_id.loc["status_quo_changes", "probability"]), 0)),
        "ex_log_certain_miss": fixed(log_score(1.0, 0), 2),
        "ex_p_term": fixed(p_term, 2),
        "ex_brier_term_miss": fixed(miss),
        "ex_brier_term_hit": fixed(hit),
        "ex_brier_term_gain": fixed(brier_score(BASELINE, 1) - hit),
    }

"""Scoring forecasts: Brier and log scores of the essay's forecasts (and a second forecaster's), and a scorer for the
reader's own (live, static).

What is scored (data/README.md, "Verdicts, forecasts and words for probabilities"): only rows with `scored` true, one
per (forecaster, event_key); a row's probability is the `point` of its `term` in data/probability_words.csv, never a
column of forecasts.csv; every number about "the essay" is about forecaster essay2020. The scores are functions of a
forecasts frame (`essay_scores(frame, words=None, forecaster="essay2020")`); what a chapter shows reads the data
through `data=None` like every table (`verdict_table(data=...)`)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from widgets.explorer import Explorer, error_box, live_style
from widgets.render import Table, bibliography, book_data, category_labels, source_html, style, table_of

# A probability of exactly 0 or 1 that turns out wrong would cost an infinite log score and swamp every other
# forecast; clipping to [CLIP, 1 - CLIP] caps one confident miss at -ln(CLIP) (about 6.9 nats), which still dwarfs
# any hedged forecast.
CLIP = 0.001
BASELINE = 0.5
# The forecaster every number about "the essay" is about (forecasts.forecaster, a references.bib key).
ESSAY = "essay2020"


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


def words_table(words: pd.DataFrame | None = None) -> pd.DataFrame:
    """data/probability_words.csv (the one table that turns a likelihood term into a number), or `words` if given."""
    return book_data(None)["probability_words"] if words is None else words


def term_points(forecasts: pd.DataFrame, words: pd.DataFrame | None = None) -> pd.Series:
    """The probability of each row: `probability_words.point` of its `term` (NaN where a row has no term); an unknown
    term is a ForecastError naming the row."""
    points = dict(zip(words_table(words)["term"], map(float, words_table(words)["point"])))
    out = []
    for fid, term in zip(forecasts["forecast_id"], forecasts["term"]):
        if pd.isna(term):
            out.append(math.nan)
        elif term not in points:
            raise ForecastError(f"forecast {fid!r}: term {term!r} is not in data/probability_words.csv")
        else:
            out.append(points[term])
    return pd.Series(out, index=forecasts.index, dtype=float)


def _scored_mask(forecasts: pd.DataFrame) -> pd.Series:
    return forecasts["scored"].fillna(False).astype(bool)


def scored_forecasts(
    forecasts: pd.DataFrame, words: pd.DataFrame | None = None, forecaster: str = ESSAY
) -> pd.DataFrame:
    """The rows of one forecaster that are scored (`scored` true: one row per event), with their probability, the
    `point` of their term in data/probability_words.csv. A scored row without a term or an outcome is an error."""
    rows = forecasts[_scored_mask(forecasts) & (forecasts["forecaster"] == forecaster)]
    for r in rows.to_dict("records"):
        if pd.isna(r["term"]) or pd.isna(r["outcome"]):
            raise ForecastError(f"forecast {r['forecast_id']!r}: scored, but has no term or no outcome")
    rows = rows.assign(probability=term_points(rows, words))
    return rows[["forecast_id", "event", "phrase", "term", "probability", "outcome"]].reset_index(drop=True)


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


def _outcomes(rows: pd.DataFrame) -> dict[str, int]:
    return {fid: int(o) for fid, o in zip(rows["forecast_id"], rows["outcome"])}


def essay_scores(forecasts: pd.DataFrame, words: pd.DataFrame | None = None, forecaster: str = ESSAY) -> dict:
    """A forecaster's scores (by default the essay's): the points of the terms its words are read as, against the
    outcomes, over its scored rows only."""
    rows = scored_forecasts(forecasts, words, forecaster)
    return scores(dict(zip(rows["forecast_id"], map(float, rows["probability"]))), _outcomes(rows))


def baseline_scores(
    forecasts: pd.DataFrame, words: pd.DataFrame | None = None, forecaster: str = ESSAY, p: float = BASELINE
) -> dict:
    """The scores of a forecaster who says `p` (by default 0.5, "no idea") to every event `forecaster` is scored on."""
    outcomes = _outcomes(scored_forecasts(forecasts, words, forecaster))
    return scores({fid: p for fid in outcomes}, outcomes)


def score_table(forecasts: pd.DataFrame, words: pd.DataFrame | None = None, forecaster: str = ESSAY) -> pd.DataFrame:
    """One row per scored forecast: the probability, the outcome and both scores, with the means last."""
    s = essay_scores(forecasts, words, forecaster)
    rows = scored_forecasts(forecasts, words, forecaster)
    table = pd.DataFrame(
        {
            "forecast": rows["event"],
            "words": rows["phrase"],
            "term": rows["term"],
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
                "term": "",
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
# Before the reader asks for the score, the table shows only the probabilities: no outcome, no score, no mean of the
# essay's (which would give the outcomes away).
CAPTION_BEFORE = "Your probabilities (the outcomes stay hidden until you press “Score my forecasts”)"
SCORE_BUTTON = "Score my forecasts"
STATUS_BEFORE = f"Enter your probabilities, then press “{SCORE_BUTTON}” to see what happened and your scores."


def _cell(cls: str, x: float | None) -> str:
    shown = "\u2014" if x is None else fixed(x)
    return f'<td class="num {cls}" data-value="{"" if x is None else repr(x)}">{shown}</td>'


def results_html(
    rows: pd.DataFrame, result: dict | None, given: Mapping[str, str], error: str = "", revealed: bool = True
) -> str:
    """The live scorer's table (the static page's script draws the same): each forecast with the essay's and the
    reader's probability and, once `revealed`, the outcome and the reader's scores, then the reader's, the essay's
    and always-0.5 means. Before that, nothing in it depends on an outcome."""
    message = live_style() + error_box(error) if error else ""
    if not revealed:
        body = "".join(
            f'<tr data-forecast="{html.escape(f)}"><th scope="row">{html.escape(e)}</th>'
            f'<td class="num">{fixed(p, 2)}</td><td class="num">{given[f]}</td></tr>'
            for f, e, p in rows[["forecast_id", "event", "probability"]].itertuples(index=False)
        )
        return (
            f'{message}<table><caption>{html.escape(CAPTION_BEFORE)}</caption><thead><tr><th scope="col">Forecast</th>'
            f'<th scope="col">Essay</th><th scope="col">You</th></tr></thead><tbody>{body}</tbody></table>'
        )
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
    return (
        f'{message}<table><caption>{html.escape(CAPTION)}</caption><thead><tr><th scope="col">Forecast</th>'
        f'<th scope="col">Essay</th><th scope="col">You</th><th scope="col">Happened</th><th scope="col">Brier</th>'
        f'<th scope="col">Log</th></tr></thead><tbody>{body}</tbody><tfoot>{foot}</tfoot></table>'
    )


ESSAY_LABEL = "The essay, as read here"
BASELINE_LABEL = f"Always {BASELINE}"


class ForecastScorer(Explorer):
    """The reader's forecast scorer; Jupyter gets the live widget, the book a self-contained page that computes.
    The outcomes stay hidden (live and static) until the reader presses "Score my forecasts"."""

    title = "Score your own forecasts"
    uid_prefix = "forecast-scorer"
    compute = "forecasts.js"

    def __init__(self, forecasts: pd.DataFrame, words: pd.DataFrame | None = None, forecaster: str = ESSAY):
        self.rows = scored_forecasts(forecasts, words, forecaster)
        if self.rows.empty:
            raise ForecastError("no forecast has both a probability and an outcome: nothing to score")
        self.start = {f: float(p) for f, p in zip(self.rows["forecast_id"], self.rows["probability"])}
        self.outcomes = {f: int(o) for f, o in zip(self.rows["forecast_id"], self.rows["outcome"])}
        super().__init__()

    def __repr__(self) -> str:
        return f"ForecastScorer({len(self.rows)} forecasts)"

    def page_data(self) -> dict:
        """What the static page's script scores with: the forecasts, their outcomes (kept in this JSON payload, shown
        only once the reader asks), the clip and the references."""
        return {
            "clip": CLIP,
            "caption": CAPTION,
            "caption_before": CAPTION_BEFORE,
            "button": SCORE_BUTTON,
            "status_before": STATUS_BEFORE,
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
                "help": "The boxes start at the essay's probabilities as this chapter reads its words. "
                f"What happened stays hidden until you press “{SCORE_BUTTON}”.",
            }
        ]

    def page_options(self) -> dict:
        # One forecast per line (static/explorer.css, .xp-scorer): the events are sentences, too long to share a line.
        # The status line is visible: it tells the reader to press the button, then gives the score.
        # The button "Score my forecasts" is an action of the page (static/forecasts.js reveals the outcomes on it).
        return {
            "classes": "xp-scorer",
            "status": STATUS_BEFORE,
            "status_class": "",
            "actions": (("score", SCORE_BUTTON),),
        }

    def build_widget(self):
        """The live scorer: changing a probability re-scores in Python; the outcomes appear once the reader asks."""
        import ipywidgets

        boxes = {
            f: ipywidgets.FloatText(value=p, step=0.05, description=f, style={"description_width": "initial"})
            for f, p in self.start.items()
        }
        table = ipywidgets.HTML()
        button = ipywidgets.Button(description=SCORE_BUTTON, tooltip=STATUS_BEFORE)
        state = {"revealed": False}

        def refresh(_=None):
            given = {f: b.value for f, b in boxes.items()}
            shown = {f: html.escape(repr(v)) for f, v in given.items()}
            try:
                result, error = scores(given, self.outcomes), ""
            except ForecastError as exc:
                result, error = None, str(exc)
            inner = results_html(self.rows, result, shown, error, revealed=state["revealed"])
            table.value = style("forecasts.css") + f'<div class="cf-fs">{inner}</div>'

        def reveal(_=None):
            state["revealed"] = True
            button.disabled = True
            refresh()

        for b in boxes.values():
            b.observe(refresh, names="value")
        button.on_click(reveal)
        refresh()
        # Each box is named by its forecast id (short, stable); the event it scores is spelled out beside it.
        rows = [
            ipywidgets.HBox([boxes[f], ipywidgets.HTML(html.escape(e))])
            for f, e in zip(self.rows["forecast_id"], self.rows["event"])
        ]
        return ipywidgets.VBox([ipywidgets.HTML("<strong>Your probabilities</strong>"), *rows, button, table])


def _means(s: dict) -> dict:
    return {"brier": s["brier"], "log": s["log"]}


def forecast_scorer(*, data: Mapping | None = None) -> ForecastScorer:
    """The scorer for the essay's scored forecasts, starting from the probabilities its wording was mapped to."""
    d = book_data(data)
    return ForecastScorer(d["forecasts"], d["probability_words"])


VERDICT_ORDER = {"right": 0, "partly right": 1, "wrong": 2, "untestable": 3}


def forecaster_names(data: Mapping | None = None) -> dict[str, str]:
    """How each forecaster (a references.bib key) reads in tables and prose: the field's categories in
    data/datapackage.json, in their declared order (the essay first)."""
    return category_labels(data, "forecasts", "forecaster")


def _scored_once_notes(forecasts: pd.DataFrame) -> dict[str, str]:
    """For each unscored row sharing an event with a scored row of its forecaster: the id of the scored row."""
    scored = forecasts[_scored_mask(forecasts)]
    by_event = {(r["forecaster"], r["event_key"]): r["forecast_id"] for r in scored.to_dict("records")}
    out = {}
    for r in forecasts[~_scored_mask(forecasts)].to_dict("records"):
        if not pd.isna(r["event_key"]) and (r["forecaster"], r["event_key"]) in by_event:
            out[r["forecast_id"]] = by_event[(r["forecaster"], r["event_key"])]
    return out


def verdict_table(*, data: Mapping | None = None) -> Table:
    """Every forecast and causal claim (the essay's first, then the second forecaster's), scored or not: factor,
    mechanism, the words, what happened, the verdict; a row not scored because another row of the same forecaster
    resolves the same event says so."""
    d = book_data(data)
    forecasts, bib, names = d["forecasts"], bibliography(d), forecaster_names(d)
    order = {f: i for i, f in enumerate(names)}
    frame = forecasts.assign(
        _who=forecasts["forecaster"].map(order), _order=forecasts["verdict"].map(VERDICT_ORDER)
    ).sort_values(["_who", "_order", "factor", "forecast_id"], kind="stable")
    same = _scored_once_notes(forecasts)
    rows = []
    for r in frame.to_dict("records"):
        if _scored_mask(pd.DataFrame([r])).iloc[0]:
            scored = "scored"
        elif r["forecast_id"] in same:
            scored = f"not scored: same event as {same[r['forecast_id']]}, scored once"
        else:
            scored = "not scored"
        rows.append(
            {
                "_group": f"{names[r['forecaster']]} · verdict: {r['verdict']}",
                "claim": f'“{html.escape(r["claim"])}”<br><small style="font-weight:normal">'
                f"{html.escape(names[r['forecaster']])} · {html.escape(r['factor'])} · {html.escape(r['kind'])}"
                f" · through: {html.escape(r['mechanism'])} · {html.escape(scored)}</small>",
                "happened": r["outcome_note"],
                "why": f"{html.escape(r['verdict_note'])} Knowable at the time: {html.escape(r['knowable_in_2020'])}."
                f"<br>{source_html(r['source'], bib)}",
            }
        )
    columns = [
        ("claim", "The forecaster says (who · factor · kind · mechanism · scored?)"),
        ("happened", "What happened"),
        ("why", "Verdict and sources"),
    ]
    caption = "Forecasts and causal claims against the record, 2020-2026: the essay's, then a second forecaster's"
    return table_of(pd.DataFrame(rows), columns, caption, raw=("claim", "why"), group_by="_group")


def likelihood_table(*, data: Mapping | None = None) -> Table:
    """From words to numbers: every term of the likelihood scale (data/probability_words.csv) with its range and the
    one point scored, and the phrases of each forecaster read as that term (rows not scored marked as such)."""
    d = book_data(data)
    forecasts, words, names = d["forecasts"], d["probability_words"].sort_values("rank"), forecaster_names(d)
    scored = _scored_mask(forecasts)
    rows = []
    for w in words.to_dict("records"):
        uses = forecasts[forecasts["term"] == w["term"]]
        parts = []
        for who in names:
            mine = uses[uses["forecaster"] == who]
            for phrase, group in mine.groupby("phrase", sort=True):
                ids = [
                    fid if ok else f"{fid} (not scored)" for fid, ok in zip(group["forecast_id"], scored[group.index])
                ]
                parts.append(f"“{phrase}” ({names[who]}): {', '.join(ids)}")
        rows.append(
            {
                "term": w["term"],
                "range": f"{fixed(w['low'], 2)}–{fixed(w['high'], 2)}",
                "point": fixed(w["point"], 2),
                "used": "; ".join(parts) or "—",
            }
        )
    columns = [
        ("term", "ICD 203 term"),
        ("range", "Range"),
        ("point", "Probability scored"),
        ("used", "Phrases read as this term (forecaster): rows"),
    ]
    caption = "From words to numbers: one probability for each likelihood term (ICD 203), and the phrases read as it"
    return table_of(pd.DataFrame(rows), columns, caption, numeric=("range", "point"))


def essay_score_table(*, forecaster: str = ESSAY, data: Mapping | None = None) -> Table:
    """score_table as a rendered table: each scored forecast's probability, outcome and scores, then the means."""
    d = book_data(data)
    rows = [
        {
            "forecast": r["forecast"],
            "words": f"“{r['words']}” ({r['term']})" if r["words"] else "",
            "p": "" if math.isnan(r["probability"]) else fixed(r["probability"], 2),
            "happened": r["happened"],
            "brier": fixed(r["Brier"]),
            "log": fixed(r["log"]),
        }
        for r in score_table(d["forecasts"], d["probability_words"], forecaster).to_dict("records")
    ]
    columns = [
        ("forecast", "Forecast (event scored)"),
        ("words", "The words (read as)"),
        ("p", "Probability"),
        ("happened", "Happened"),
        ("brier", "Brier"),
        ("log", "Log"),
    ]
    who = "The essay's" if forecaster == ESSAY else f"{forecaster_names(d)[forecaster]}:"
    caption = f"{who} scored forecasts (lower scores are better; log scores clip p to [{CLIP}, {1 - CLIP}])"
    return table_of(pd.DataFrame(rows), columns, caption, numeric=("p", "brier", "log"))


def forecaster_scores(*, data: Mapping | None = None) -> list[dict]:
    """Per forecaster (in the declared order, the essay first): the number of scored events, the mean Brier and log
    scores, and those of always-0.5 on the same events."""
    d = book_data(data)
    out = []
    for who, name in forecaster_names(d).items():
        own = essay_scores(d["forecasts"], d["probability_words"], who)
        base = baseline_scores(d["forecasts"], d["probability_words"], who)
        out.append({"forecaster": who, "name": name, "n": len(own["items"]), "own": own, "base": base})
    return out


def forecaster_score_table(*, data: Mapping | None = None) -> Table:
    """Both forecasters side by side: scored events, mean Brier and log score, and always-0.5 on the same events."""
    d = book_data(data)
    bib = bibliography(d)
    rows = [
        {
            "who": html.escape(s["name"])
            + ("" if s["forecaster"] == ESSAY else " " + source_html(s["forecaster"], bib)),
            "n": str(s["n"]),
            "brier": fixed(s["own"]["brier"]),
            "log": fixed(s["own"]["log"]),
            "base_brier": fixed(s["base"]["brier"]),
            "base_log": fixed(s["base"]["log"]),
        }
        for s in forecaster_scores(data=d)
    ]
    columns = [
        ("who", "Forecaster"),
        ("n", "Scored events"),
        ("brier", "Mean Brier"),
        ("log", "Mean log"),
        ("base_brier", f"Always {BASELINE}: Brier"),
        ("base_log", f"Always {BASELINE}: log"),
    ]
    caption = (
        f"Two forecasters scored the same way (lower is better; always {BASELINE} is scored on each forecaster's own "
        "events; too few events for a calibration)"
    )
    return table_of(
        pd.DataFrame(rows), columns, caption, raw=("who",), numeric=("n", "brier", "log", "base_brier", "base_log")
    )


SECOND = "racz2021euiss"


def forecast_numbers(*, data: Mapping | None = None) -> dict[str, str]:
    """The numbers the prose cites about the forecasts, as text for glue (plain names: the chapter prefixes them):
    about the essay (rows with forecaster essay2020 only) its mean scores and those of always-0.5, counts by verdict,
    the clip, and the combined scenario tree's P(renewed war) scored as a forecast of the war that came; about the
    second forecaster (`second_...`) the same scores and counts."""
    from widgets.scenarios import renewed_war_probability

    d = book_data(data)
    forecasts, words = d["forecasts"], d["probability_words"]
    essay_rows = forecasts[forecasts["forecaster"] == ESSAY]
    essay, base = essay_scores(forecasts, words), baseline_scores(forecasts, words)
    counts = essay_rows["verdict"].value_counts()
    p_war = renewed_war_probability(data=d)
    out = {
        "essay_brier": fixed(essay["brier"]),
        "essay_log": fixed(essay["log"]),
        "base_brier": fixed(base["brier"]),
        "base_log": fixed(base["log"]),
        "base_p": str(BASELINE),
        "n_scored": str(len(essay["items"])),
        "n_claims": str(len(essay_rows)),
        "n_not_scored_same_event": str(
            sum(1 for f in _scored_once_notes(forecasts) if f in set(essay_rows["forecast_id"]))
        ),
        "clip": str(CLIP),
        "clip_high": str(1 - CLIP),
        "clip_max_log": fixed(-math.log(CLIP), 2),
        "scenario_pwar": fixed(p_war, 2),
        "scenario_brier": fixed(brier_score(p_war, 1)),
    }
    out.update({f"n_{v.replace(' ', '_')}": str(int(counts.get(v, 0))) for v in VERDICT_ORDER})
    second_rows = forecasts[forecasts["forecaster"] == SECOND]
    second, second_base = essay_scores(forecasts, words, SECOND), baseline_scores(forecasts, words, SECOND)
    out |= {
        "second_name": forecaster_names(d)[SECOND],
        "second_n_claims": str(len(second_rows)),
        "second_n_scored": str(len(second["items"])),
        "second_brier": fixed(second["brier"]),
        "second_log": fixed(second["log"]),
        "second_base_brier": fixed(second_base["brier"]),
        "second_base_log": fixed(second_base["log"]),
    }
    return out


def exercise_numbers(*, data: Mapping | None = None) -> dict[str, str]:
    """The numbers the exercises on scoring cite (names `ex_...`): the essay's Brier score without its expectation
    about the peacekeepers' term, and with that event scored through the forecast of a renegotiation instead; single
    scores of a miss, a certain miss and the term forecast; and what the term forecast gained over always-0.5."""
    d = book_data(data)
    forecasts, words = d["forecasts"], d["probability_words"]
    rows = scored_forecasts(forecasts, words).set_index("forecast_id")
    p_term = float(rows.loc["peacekeepers_term", "probability"])
    hit, miss = brier_score(p_term, 1), brier_score(p_term, 0)
    # The same event scored through the essay's other row on it (drones_renegotiate) instead of peacekeepers_term.
    swapped = forecasts.assign(
        scored=forecasts["scored"].where(
            ~forecasts["forecast_id"].isin(["peacekeepers_term", "drones_renegotiate"]),
            forecasts["forecast_id"] == "drones_renegotiate",
        )
    )
    return {
        "ex_brier_without_term": fixed(essay_scores(forecasts[forecasts["kind"] != "expectation"], words)["brier"]),
        "ex_brier_event_via_drones": fixed(essay_scores(swapped, words)["brier"]),
        "ex_brier_status_no": fixed(brier_score(float(rows.loc["status_quo_changes", "probability"]), 0)),
        "ex_log_certain_miss": fixed(log_score(1.0, 0), 2),
        "ex_p_term": fixed(p_term, 2),
        "ex_brier_term_miss": fixed(miss),
        "ex_brier_term_hit": fixed(hit),
        "ex_brier_term_gain": fixed(brier_score(BASELINE, 1) - hit),
    }

"""Scoring forecasts: Brier and log scores of the essay's forecasts, and a scorer for the reader's own (live and static)."""
from __future__ import annotations

import html
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from widgets.scenarios import explorer_html, next_uid
from widgets.tables import Table, table_of, source_html

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
    return {"items": items,
            "brier": sum(v["brier"] for v in items.values()) / n,
            "log": sum(v["log"] for v in items.values()) / n}


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
    table = pd.DataFrame({
        "forecast": rows["event"], "words": rows["phrase"],
        "probability": [s["items"][f]["probability"] for f in rows["forecast_id"]],
        "happened": ["yes" if s["items"][f]["outcome"] else "no" for f in rows["forecast_id"]],
        "Brier": [s["items"][f]["brier"] for f in rows["forecast_id"]],
        "log": [s["items"][f]["log"] for f in rows["forecast_id"]],
    })
    mean = pd.DataFrame([{"forecast": "Mean", "words": "", "probability": math.nan, "happened": "",
                          "Brier": s["brier"], "log": s["log"]}])
    return pd.concat([table, mean], ignore_index=True)


def fixed(x: float, places: int = 3) -> str:
    """`x` with `places` decimals, rounding the exact binary value half up, as JavaScript's toFixed does."""
    return str(Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# The live table's look; the static scorer is styled by widgets.scenarios' explorer machinery.
STYLE = """<style>
.cf-fs table{border-collapse:collapse;font-size:.92em}
.cf-fs th,.cf-fs td{padding:.2em .5em;border-bottom:1px solid rgba(128,128,128,.45);text-align:left;vertical-align:top}
.cf-fs th[scope=row]{font-weight:normal}
.cf-fs caption{color:inherit}
.cf-fs td.num{text-align:right;font-variant-numeric:tabular-nums}
.cf-fs .cf-fs-msg{font-weight:600;border-left:4px solid #c0262d;padding-left:.5rem}
</style>"""

# The JavaScript twin of checked_probability, brier_score, log_score and scores (keep in step): it scores the
# reader's numbers from the data the Python side emits; tests/test_retro_browser.py compares the two.
COMPUTE_JS = r"""function (v, d) {
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c];});}
function cell(cls,x){return '<td class="num '+cls+'" data-value="'+String(x)+'">'+x.toFixed(3)+'</td>';}
var rows=[],sb=0,sl=0;
for(var i=0;i<d.forecasts.length;i++){var f=d.forecasts[i],p=v[f.id];
 if(typeof p!=="number"||isNaN(p))return {error:'Forecast "'+f.label+'": probability is not a number; enter a value between 0 and 1.'};
 if(!(p>=0&&p<=1))return {error:'Forecast "'+f.label+'": probability '+p+' is outside [0, 1].'};
 var b=(p-f.outcome)*(p-f.outcome),q=Math.min(Math.max(p,d.clip),1-d.clip),l=-Math.log(f.outcome===1?q:1-q);
 sb+=b;sl+=l;rows.push('<tr data-forecast="'+esc(f.id)+'"><th scope="row">'+esc(f.label)+'</th><td class="num">'+
  f.essay.toFixed(2)+'</td><td class="num">'+esc(p)+'</td><td>'+(f.outcome?"yes":"no")+'</td>'+cell("cf-fs-b",b)+cell("cf-fs-l",l)+'</tr>');}
var n=d.forecasts.length,mb=sb/n,ml=sl/n;
function ref(name,s){return '<tr><th scope="row" colspan="4">'+name+'</th>'+cell("",s.brier)+cell("",s.log)+'</tr>';}
return {html:'<table><caption>'+esc(d.caption)+'</caption><thead><tr><th scope="col">Forecast</th><th scope="col">Essay</th>'+
 '<th scope="col">You</th><th scope="col">Happened</th><th scope="col">Brier</th><th scope="col">Log</th></tr></thead><tbody>'+
 rows.join("")+'</tbody><tfoot><tr><th scope="row" colspan="4">Your mean score</th>'+cell("cf-fs-brier",mb)+cell("cf-fs-log",ml)+
 '</tr>'+ref(d.essay_label,d.essay)+ref(d.baseline_label,d.baseline)+'</tfoot></table>',
 status:"Your mean Brier score "+mb.toFixed(3)+", mean log score "+ml.toFixed(3)+" (lower is better)."};
}"""

CAPTION = f"Your probabilities, scored against what happened (lower is better; log scores clip p to [{CLIP}, {1 - CLIP}])"


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
        f'{_cell("cf-fs-b", result and result["items"][f]["brier"])}{_cell("cf-fs-l", result and result["items"][f]["log"])}'
        f"</tr>" for f, e, p, o in rows[["forecast_id", "event", "probability", "outcome"]].itertuples(index=False))
    foot = "".join(f'<tr><th scope="row" colspan="4">{name}</th>{_cell(cls_b, s and s["brier"])}{_cell(cls_l, s and s["log"])}</tr>'
                   for name, s, cls_b, cls_l in (("Your mean score", result, "cf-fs-brier", "cf-fs-log"),
                                                 (ESSAY_LABEL, essay, "", ""), (BASELINE_LABEL, base, "", "")))
    message = f'<p class="cf-fs-msg" role="alert">{html.escape(error)}</p>' if error else ""
    return (f'{message}<table><caption>{html.escape(CAPTION)}</caption><thead><tr><th scope="col">Forecast</th>'
            f'<th scope="col">Essay</th><th scope="col">You</th><th scope="col">Happened</th><th scope="col">Brier</th>'
            f'<th scope="col">Log</th></tr></thead><tbody>{body}</tbody><tfoot>{foot}</tfoot></table>')


ESSAY_LABEL = "The essay, as read here"
BASELINE_LABEL = f"Always {BASELINE}"


class ForecastScorer:
    """The reader's forecast scorer; Jupyter gets the live widget, the book a self-contained page that computes."""

    def __init__(self, forecasts: pd.DataFrame):
        self.rows = scored_forecasts(forecasts)
        if self.rows.empty:
            raise ForecastError("no forecast has both a probability and an outcome: nothing to score")
        self.start = {f: float(p) for f, p in zip(self.rows["forecast_id"], self.rows["probability"])}
        self.outcomes = {f: int(o) for f, o in zip(self.rows["forecast_id"], self.rows["outcome"])}

    def __repr__(self) -> str:
        return f"ForecastScorer({len(self.rows)} forecasts)"

    def data(self) -> dict:
        """What the static page's script scores with: the forecasts, their outcomes, the clip and the references."""
        return {"clip": CLIP, "caption": CAPTION, "essay_label": ESSAY_LABEL, "baseline_label": BASELINE_LABEL,
                "essay": _means(scores(self.start, self.outcomes)),
                "baseline": _means(scores({f: BASELINE for f in self.outcomes}, self.outcomes)),
                "forecasts": [{"id": f, "label": e, "outcome": self.outcomes[f], "essay": self.start[f]}
                              for f, e in zip(self.rows["forecast_id"], self.rows["event"])]}

    def html(self, uid: str | None = None) -> str:
        """The static scorer: inputs start at the essay's probabilities; the page scores whatever the reader types."""
        controls = [{"kind": "number", "name": f, "label": e, "value": self.start[f], "min": 0, "max": 1,
                     "step": 0.05} for f, e in zip(self.rows["forecast_id"], self.rows["event"])]
        fieldset = {"legend": "Your probability that each event would happen (0 to 1)", "controls": controls,
                    "help": "The boxes start at the essay's probabilities as this chapter reads its words."}
        uid = uid or next_uid("forecast-scorer")
        # One forecast per line: the events are sentences, too long to share a line.
        layout = (f"<style>#{uid} .xp-row label{{display:block}}#{uid} th[scope=row]{{font-weight:normal}}"
                  f"#{uid} caption{{color:inherit}}</style>")
        return explorer_html(uid, "Score your own forecasts", [fieldset], self.data(), COMPUTE_JS, intro=layout)

    def widget(self):
        """The live scorer: changing a probability re-scores in Python."""
        import ipywidgets

        boxes = {f: ipywidgets.FloatText(value=p, step=0.05, description=f, style={"description_width": "initial"})
                 for f, p in self.start.items()}
        table = ipywidgets.HTML()

        def refresh(_=None):
            given = {f: b.value for f, b in boxes.items()}
            shown = {f: html.escape(repr(v)) for f, v in given.items()}
            try:
                result, error = scores(given, self.outcomes), ""
            except ForecastError as exc:
                result, error = None, str(exc)
            table.value = STYLE + f'<div class="cf-fs">{results_html(self.rows, result, shown, error)}</div>'

        for b in boxes.values():
            b.observe(refresh, names="value")
        refresh()
        # Each box is named by its forecast id (short, stable); the event it scores is spelled out beside it.
        rows = [ipywidgets.HBox([boxes[f], ipywidgets.HTML(html.escape(e))])
                for f, e in zip(self.rows["forecast_id"], self.rows["event"])]
        return ipywidgets.VBox([ipywidgets.HTML("<strong>Your probabilities</strong>"), *rows, table])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget()._repr_mimebundle_())
        bundle["text/html"] = self.html()
        bundle["text/plain"] = repr(self)
        return bundle


def _means(s: dict) -> dict:
    return {"brier": s["brier"], "log": s["log"]}


def forecast_scorer(forecasts: pd.DataFrame) -> ForecastScorer:
    """The scorer for the essay's scored forecasts, starting from the probabilities its wording was mapped to."""
    return ForecastScorer(forecasts)


VERDICT_ORDER = {"right": 0, "partly right": 1, "wrong": 2, "untestable": 3}


def verdict_table(forecasts: pd.DataFrame) -> Table:
    """Every forecast and causal claim of the essay: factor, mechanism, the essay's words, what happened, the verdict."""
    frame = forecasts.assign(_order=forecasts["verdict"].map(VERDICT_ORDER)).sort_values(
        ["_order", "factor", "forecast_id"], kind="stable")
    rows = [{"_group": f"Verdict: {r['verdict']}",
             "claim": f"“{html.escape(r['claim'])}”<br><small style=\"font-weight:normal\">{html.escape(r['factor'])}"
                      f" · {html.escape(r['kind'])} · through: {html.escape(r['mechanism'])}</small>",
             "happened": r["outcome_note"],
             "why": f"{html.escape(r['verdict_note'])} Knowable in 2020: {html.escape(r['knowable_in_2020'])}."
                    f"<br>{source_html(r['source'])}"} for r in frame.to_dict("records")]
    columns = [("claim", "The essay says (factor · kind · mechanism)"), ("happened", "What happened"),
               ("why", "Verdict and sources")]
    caption = "The essay's forecasts and causal claims against the record, 2020-2026"
    return table_of(pd.DataFrame(rows), columns, caption, raw=("claim", "why"), group_by="_group")


def likelihood_table(forecasts: pd.DataFrame) -> Table:
    """How the essay's likelihood words are read: each phrase, its ICD 203 term and range, and the point scored."""
    mapped = forecasts.dropna(subset=["scale_term"]).sort_values(["scale_low", "phrase"], kind="stable")
    rows = []
    for (phrase, term, low, high), group in mapped.groupby(["phrase", "scale_term", "scale_low", "scale_high"],
                                                           sort=False):
        points = group["probability"].dropna()
        rows.append({"phrase": f"“{phrase}”", "term": term, "range": f"{fixed(low, 2)}–{fixed(high, 2)}",
                     "point": fixed(points.iloc[0], 2) if len(points) else "not scored (conditional)",
                     "used": ", ".join(group["forecast_id"])})
    columns = [("phrase", "The essay's words"), ("term", "Read as (ICD 203)"), ("range", "ICD 203 range"),
               ("point", "Probability scored"), ("used", "Forecasts")]
    caption = "From words to numbers: the essay's likelihood words on the ICD 203 scale"
    return table_of(pd.DataFrame(rows), columns, caption, numeric=("range", "point"))


def essay_score_table(forecasts: pd.DataFrame) -> Table:
    """score_table as a rendered table: each scored forecast's probability, outcome and scores, then the means."""
    rows = [{"forecast": r["forecast"], "words": f"“{r['words']}”" if r["words"] else "",
             "p": "" if math.isnan(r["probability"]) else fixed(r["probability"], 2), "happened": r["happened"],
             "brier": fixed(r["Brier"]), "log": fixed(r["log"])} for r in score_table(forecasts).to_dict("records")]
    columns = [("forecast", "Forecast (event scored)"), ("words", "The essay's words"), ("p", "Probability"),
               ("happened", "Happened"), ("brier", "Brier"), ("log", "Log")]
    caption = f"The essay's scored forecasts (lower scores are better; log scores clip p to [{CLIP}, {1 - CLIP}])"
    return table_of(pd.DataFrame(rows), columns, caption, numeric=("p", "brier", "log"))


def chapter_numbers(forecasts: pd.DataFrame) -> dict[str, str]:
    """The numbers the chapter's prose cites, as text for glue (names prefixed `next_`)."""
    essay, base = essay_scores(forecasts), baseline_scores(forecasts)
    counts = forecasts["verdict"].value_counts()
    out = {"next_essay_brier": fixed(essay["brier"]), "next_essay_log": fixed(essay["log"]),
           "next_base_brier": fixed(base["brier"]), "next_base_log": fixed(base["log"]),
           "next_base_p": str(BASELINE), "next_n_scored": str(len(essay["items"])), "next_n_claims": str(len(forecasts)),
           "next_clip": str(CLIP), "next_clip_high": str(1 - CLIP), "next_clip_max_log": fixed(-math.log(CLIP), 2)}
    out.update({f"next_n_{v.replace(' ', '_')}": str(int(counts.get(v, 0))) for v in VERDICT_ORDER})
    return out

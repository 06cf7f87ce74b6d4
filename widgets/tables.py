"""Sourced, dated HTML tables for the chapters (casualties, the statement, ceasefires, claims, timeline) and glue values."""
from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
BIB = ROOT / "references.bib"
ESSAY_KEY = "essay2020"

# One small stylesheet per table keeps each output self-contained (book, JupyterLab, offline). No background colours:
# borders use the theme's variable with a translucent grey fallback, text inherits, so light and dark modes both work.
# The extra class `dataframe` is the theme's hook for tables that follow its colour mode: without it
# pydata-sphinx-theme puts every HTML output on a light panel in dark mode.
CSS = (
    "<style>"
    ".cf-table-wrap{overflow-x:auto;margin:.5em 0 1.2em}"
    ".cf-table{border-collapse:collapse;max-width:100%;font-size:.9em;color:inherit}"
    ".cf-table caption{caption-side:top;text-align:left;font-weight:600;padding:.2em 0 .5em}"
    ".cf-table th,.cf-table td{border-bottom:1px solid var(--pst-color-border,rgba(127,127,127,.4));"
    "padding:.3em .5em;vertical-align:top;text-align:left}"
    ".cf-table thead th{border-bottom-width:2px}"
    ".cf-table .cf-num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".cf-table .cf-date{white-space:nowrap}"
    ".cf-table tr.cf-group th{padding-top:.9em;border-bottom-width:2px}"
    ".cf-table tr.cf-essay>*{font-style:italic}"
    ".cf-table cite{font-style:normal}"
    ".cf-badge{border:1px solid currentColor;border-radius:.3em;padding:0 .3em;font-size:.8em;"
    "font-style:normal;white-space:nowrap}"
    "</style>"
)


@dataclass(frozen=True, eq=False)
class Table:
    """A rendered table: deterministic HTML for the book and notebooks, plain text elsewhere."""
    caption: str
    html: str
    rows: pd.DataFrame = field(repr=False)

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.rows.to_string(index=False)}"


@dataclass(frozen=True)
class Figure:
    """One sourced figure: its value, its text, and an attribution phrase for prose."""
    figure_id: str
    value: int | float | None
    text: str
    reporting_party: str
    as_of: pd.Timestamp | None
    source: str
    phrase: str


# ---------------------------------------------------------------- formatting helpers

def format_number(value) -> str:
    """A count with thousands separators ('2,906'); non-integral values keep their decimals ('53.9')."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    f = float(value)
    return f"{int(f):,}" if f.is_integer() else f"{f:,.2f}".rstrip("0").rstrip(".")


def format_range(value=None, low=None, high=None) -> str:
    """A figure or a range ('300–400'); the value wins when both are given."""
    if not is_missing(value):
        return format_number(value)
    if not is_missing(low) and not is_missing(high):
        return f"{format_number(low)}–{format_number(high)}"
    return format_number(low if not is_missing(low) else high)


def format_date(value) -> str:
    """A date as the book writes it: '30 Jun 2021' (empty for a missing date)."""
    if is_missing(value):
        return ""
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts:%b %Y}"


def is_missing(value) -> bool:
    """True for None, pandas NA/NaT and float NaN: an empty cell of a data table."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def source_keys(source: str) -> list[str]:
    """The bibliography keys of a `source` cell ('a;b' -> ['a', 'b'])."""
    return [k.strip() for k in str(source).split(";") if k.strip()]


@lru_cache(maxsize=None)
def _bibliography() -> dict[str, dict[str, str]]:
    from pybtex.database import parse_file

    from widgets import _deps

    _deps.record(BIB)
    bib = parse_file(str(BIB), bib_format="bibtex")
    out = {}
    for key, entry in bib.entries.items():
        people = entry.persons.get("author", [])
        who = " ".join(people[0].last_names) if people else ""
        who = who or entry.fields.get("organization", "") or entry.fields.get("publisher", "") \
            or entry.fields.get("journal", "")
        out[key] = {"who": who.replace("{", "").replace("}", ""), "year": entry.fields.get("year", ""),
                    "title": entry.fields.get("title", "").replace("{", "").replace("}", "")}
    return out


def source_label(key: str, bibliography: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A short citation-like label, as the book cites: 'AzerNews, 2021', or '2020 essay' for the essay."""
    if key == ESSAY_KEY:
        return "2020 essay"
    entry = (bibliography if bibliography is not None else _bibliography()).get(key)
    if not entry:
        raise KeyError(f"source key {key!r} is not in references.bib")
    label = ", ".join(part for part in (entry.get("who", ""), entry.get("year", "")) if part)
    return label or key


def source_html(source: str, bibliography: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The `source` cell as citation labels: <cite data-key=...>[AzerNews, 2021]</cite>; the title is the tooltip."""
    bib = bibliography if bibliography is not None else _bibliography()
    parts = []
    for key in source_keys(source):
        title = (bib.get(key) or {}).get("title", "") if key != ESSAY_KEY else "The 2020 essay"
        parts.append(f'<cite data-key="{escape(key)}" title="{escape(title)}">[{escape(source_label(key, bib))}]</cite>')
    return " ".join(parts)


def attribution(reporting_party: str, as_of, source: str,
                bibliography: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """'according to X, as of 30 Jun 2021 [Label]' in Markdown with {cite} roles, for glued prose."""
    cites = cite_role(source)
    who = "the 2020 essay" if ESSAY_KEY in source_keys(source) else reporting_party
    when = f", as of {format_date(as_of)}" if not is_missing(as_of) else ""
    return f"according to {who}{when} {cites}".rstrip()


def cite_role(source: str) -> str:
    """One MyST citation for every key of a `source` cell: {cite}`a,b`."""
    return f"{{cite}}`{','.join(source_keys(source))}`"


def is_essay(row: Mapping) -> bool:
    """Whether a data row is the essay's own figure (its source is the essay)."""
    return ESSAY_KEY in source_keys(row.get("source", ""))


def _text(value) -> str:
    return "" if is_missing(value) else str(value)


def escape(text) -> str:
    """HTML-escaped text of a cell (empty for a missing value)."""
    return html.escape("" if is_missing(text) else str(text), quote=True)


# ---------------------------------------------------------------- the renderer

def render_table(rows: Sequence[Mapping], columns: Sequence[tuple[str, str]], caption: str, *,
                 numeric: Sequence[str] = (), raw: Sequence[str] = (), group_by: str | None = None,
                 dates: Sequence[str] = (), note: str = "") -> str:
    """Deterministic, accessible HTML: caption, th scope, first column as row header, optional group header rows.

    `columns` are (key, heading) pairs; values of keys in `raw` and group labels are trusted HTML, everything else is
    escaped. Columns in `numeric` are right-aligned, in `dates` kept on one line. A row with `_essay` true is marked
    with a visible badge, not only by style.
    """
    head = "".join(f'<th scope="col">{escape(h)}</th>' for _, h in columns)
    body, current = [], object()
    for row in rows:
        if group_by is not None and row[group_by] != current:
            current = row[group_by]
            body.append(f'<tr class="cf-group"><th scope="colgroup" colspan="{len(columns)}">{current}</th></tr>')
        cells = []
        for i, (key, _) in enumerate(columns):
            value = row.get(key, "")
            text = str(value) if key in raw else escape(value)
            if i == 0 and row.get("_essay"):
                text += ' <span class="cf-badge">2020 essay</span>'
            cls = ' class="cf-num"' if key in numeric else ' class="cf-date"' if key in dates else ""
            cells.append(f'<th scope="row"{cls}>{text}</th>' if i == 0 else f"<td{cls}>{text}</td>")
        marker = ' class="cf-essay"' if row.get("_essay") else ""
        body.append(f"<tr{marker}>{''.join(cells)}</tr>")
    foot = f'<p class="cf-note">{note}</p>' if note else ""
    # A wide table scrolls inside its wrapper, so the wrapper is a labelled, focusable region (keyboard scrolling).
    return (f'{CSS}<div class="cf-table-wrap" role="region" tabindex="0" aria-label="{escape(caption)}">'
            f'<table class="cf-table dataframe"><caption>{escape(caption)}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{foot}</div>')


def table_of(frame: pd.DataFrame, columns, caption, **kw) -> Table:
    """A `Table` of `frame` showing `columns` ((key, header) pairs) under `caption`; shared by every table module."""
    rows = frame.to_dict("records")
    shown = pd.DataFrame([{h: _plain(r.get(k, "")) for k, h in columns} for r in rows], columns=[h for _, h in columns])
    return Table(caption, render_table(rows, columns, caption, **kw), shown)


def _plain(value) -> str:
    return re.sub(r"<[^>]+>", "", re.sub(r"<br>", " ", str(value)))


def book_data(data: Mapping[str, pd.DataFrame] | None) -> Mapping[str, pd.DataFrame]:
    """`data` if given (tests pass small frames), else the validated package from `widgets.data.load()`."""
    if data is not None:
        return data
    from widgets.data import load

    return load()


def require_columns(frame: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    """Raise a clear ValueError naming data/<table>.csv if `frame` lacks any of `columns`."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"data/{table}.csv: widgets.tables needs column(s) {', '.join(missing)}, "
                         f"found {', '.join(frame.columns)}")


# ---------------------------------------------------------------- the tables

SIDE_LABELS = {"azerbaijan": "Azerbaijan", "armenia_nk": "Armenia and the Nagorno-Karabakh Armenians",
               "syria_fighters": "Syrian fighters", "combined": "Both sides together"}
CATEGORIES = ("military", "civilian", "all")
CLAIM_LABELS = {"own_losses": "own losses, official", "enemy_losses": "claim about the other side",
                "third_party": "third-party government", "independent": "independent or aggregator",
                "essay": "the 2020 essay"}
QUALIFIERS = {"more_than": "more than", "at_least": "at least", "about": "about", "nearly": "nearly",
              "up_to": "up to"}


def casualty_figure(row: Mapping) -> str:
    """A casualty row's figure as reported: '2,906', 'more than 100', '300–400'."""
    text = format_range(row.get("value"), row.get("low"), row.get("high"))
    qualifier = row.get("qualifier")
    return f"{QUALIFIERS[qualifier]} {text}" if not is_missing(qualifier) and qualifier else text


def _select(frame: pd.DataFrame, column: str, wanted) -> pd.DataFrame:
    if wanted is None:
        return frame
    return frame[frame[column].isin([wanted] if isinstance(wanted, str) else list(wanted))]


def casualty_table(conflict: str = "2020-war", side=None, category=None, measure=None, *, latest: bool = False,
                   data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """Casualty figures of one conflict, grouped by side, category and measure, each with its reporting party, kind of
    figure, as-of date and source; group headers say where sources disagree; the essay's figures are marked.

    `side`, `category` and `measure` take one value or a list; `latest` keeps only each party's latest figure.
    """
    frame = book_data(data)["casualties"]
    require_columns(frame, "casualties", ["conflict", "side", "category", "measure", "value", "low", "high", "reporting_party",
                                "claim_type", "period_start", "period_end", "as_of", "source"])
    frame = _select(frame, "conflict", conflict)
    # A row that starts later than the rest of its conflict counts one episode (a strike on one town), not the war.
    frame = frame.assign(_partial=frame["period_start"] > frame.groupby("conflict")["period_start"].transform("min"))
    for column, wanted in (("side", side), ("category", category), ("measure", measure)):
        frame = _select(frame, column, wanted)
    if frame.empty:
        raise ValueError(f"data/casualties.csv has no row for conflict={conflict!r}, side={side!r}, "
                         f"category={category!r}, measure={measure!r}")
    sides = {k: i for i, k in enumerate(SIDE_LABELS)}
    categories = {k: i for i, k in enumerate(CATEGORIES)}
    frame = frame.assign(_side=frame["side"].map(sides).fillna(len(sides)),
                         _category=frame["category"].map(categories).fillna(len(categories)))
    frame = frame.sort_values(["_side", "_category", "measure", "as_of", "reporting_party"], kind="stable")
    if latest:
        frame = frame.groupby(["side", "category", "measure", "reporting_party"], sort=False).tail(1)
    rows = []
    for (s, c, m), group in frame.groupby(["side", "category", "measure"], sort=False):
        header = _group_header(s, c, m, group)
        for r in group.to_dict("records"):
            rows.append({
                "_group": header, "_essay": is_essay(r), "figure": casualty_figure(r),
                "party": escape("2020 essay" if is_essay(r) else r["reporting_party"]) + "<br><small>" + escape(
                    CLAIM_LABELS.get(r["claim_type"], r["claim_type"]) + (
                        f"; one episode only ({period_text(r['period_start'], r['period_end'])})" if r["_partial"] else ""))
                + "</small>",
                "as_of": format_date(r["as_of"]), "source": source_html(r["source"]), "confidence": confidence_label(r),
            })
    columns = [("figure", "Figure"), ("party", "Reported by (kind of figure)"), ("as_of", "As of"),
               ("source", "Source"), ("confidence", "Confidence")]
    scope = "; ".join(", ".join([w] if isinstance(w, str) else list(w)).replace("_", " ")
                      for w in (side, category, measure) if w is not None)
    caption = (f"Casualties ({conflict}{': ' + scope if scope else ''}): "
               + ("the latest figure of each reporting party" if latest else "every figure")
               + ", with who reported it, when, and the source")
    return table_of(pd.DataFrame(rows), columns, caption, numeric=("figure",), raw=("source", "party"),
                  group_by="_group", dates=("as_of",))


def _group_header(side: str, category: str, measure: str, group: pd.DataFrame) -> str:
    """'Azerbaijan — military — killed', how many figures from how many parties, their range, and a verdict badge."""
    whole = group[~group["_partial"].astype(bool)]
    latest = (whole if not whole.empty else group).groupby("reporting_party", sort=False).tail(1)
    values = {_bounds(r) for r in latest.to_dict("records")}
    parties = group["reporting_party"].nunique()
    if len(group) == 1:
        verdict = "one figure"
    elif parties == 1:
        verdict = "one reporting party"
    else:
        verdict = "sources disagree" if len(values) > 1 else "sources agree"
    bounds = [_bounds(r) for r in group.to_dict("records")]
    lo, hi = min(b[0] for b in bounds), max(b[1] for b in bounds)
    span = f"all {format_number(lo)}" if lo == hi else f"from {format_number(lo)} to {format_number(hi)}"
    title = f"{SIDE_LABELS.get(side, side)} — {category} — {measure.replace('_', ' ')}"
    counts = f"{len(group)} figure{'s' * (len(group) != 1)} from {parties} reporting part{'ies' if parties != 1 else 'y'}"
    return (f'{escape(title)} <span class="cf-badge">{verdict}</span><br>'
            f"<small>{escape(counts)}: {escape(span)}</small>")


def period_text(start, end) -> str:
    """'28 Oct 2020', or '4 Oct 2020 – 17 Oct 2020' for a period of several days."""
    if is_missing(start) or is_missing(end) or pd.Timestamp(start) == pd.Timestamp(end):
        return format_date(start if not is_missing(start) else end)
    return f"{format_date(start)} – {format_date(end)}"


def _bounds(row: Mapping) -> tuple[float, float]:
    """A row's figure as (low, high): (value, value) for a single figure."""
    if not is_missing(row.get("value")):
        return float(row["value"]), float(row["value"])
    return float(row["low"]), float(row["high"])


def confidence_label(row: Mapping) -> str:
    """"high, verified"-style label from a row's confidence and verification columns."""
    parts = [str(row[k]) for k in ("confidence", "verification") if k in row and not is_missing(row[k])]
    return ", ".join(parts)


OUTCOMES = {"implemented": "implemented", "implemented_late": "implemented late", "partly": "partly",
            "not_implemented": "not implemented", "superseded": "superseded"}


def statement_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The obligations of the 9/10 Nov 2020 statement in text order: what each says, its deadline, what happened, the
    outcome, and where the essay describes a point, what the essay says and how that checks out."""
    d = book_data(data)
    frame = d["statement"]
    require_columns(frame, "statement", ["row_id", "point", "paraphrase", "deadline", "what_happened", "outcome_date",
                               "outcome_status", "source"])
    frame = frame.sort_values(["point", "deadline", "row_id"], kind="stable", na_position="last")
    essay = _essay_reading(d)
    # The essay's words about a point go on the point's first row only.
    first = ~frame["point"].duplicated()
    rows = [{"point": f"{int(r['point'])}", "paraphrase": r["paraphrase"], "deadline": format_date(r["deadline"]) or "—",
             "happened": r["what_happened"],
             "outcome": f"{OUTCOMES.get(r['outcome_status'], r['outcome_status'])} ({format_date(r['outcome_date'])})",
             "essay": essay.get(int(r["point"]), "") if is_first else "", "source": source_html(r["source"])}
            for r, is_first in zip(frame.to_dict("records"), first)]
    columns = [("point", "Point"), ("paraphrase", "What the statement says (paraphrased)"), ("deadline", "Deadline"),
               ("happened", "What happened"), ("outcome", "Outcome")]
    if essay:
        columns.append(("essay", "What the 2020 essay says"))
    columns.append(("source", "Sources"))
    caption = "The trilateral statement of 9/10 November 2020, obligation by obligation, and what became of each"
    return table_of(pd.DataFrame(rows), columns, caption, raw=("source", "essay"), dates=("deadline",))


def _essay_reading(d: Mapping[str, pd.DataFrame]) -> dict[int, str]:
    """The essay's claims about each statement point (claims.statement_point), quoted with their verdict, as HTML."""
    claims = d.get("claims")
    if claims is None or "statement_point" not in claims.columns:
        return {}
    out: dict[int, list[str]] = {}
    for r in claims.dropna(subset=["statement_point"]).sort_values("claim_id").to_dict("records"):
        out.setdefault(int(r["statement_point"]), []).append(
            f"“{escape(r['essay_quote'])}” <span class=\"cf-badge\">{escape(VERDICTS.get(r['verdict'], r['verdict']))}</span>")
    return {k: "<br>".join(v) for k, v in out.items()}


def madrid_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The six Madrid (Basic) Principles against the points of the 10 Nov 2020 statement that match them, if any."""
    frame = book_data(data)["madrid_principles"]
    require_columns(frame, "madrid_principles", ["principle_id", "principle", "statement_points", "in_statement", "comparison",
                                       "source"])
    frame = frame.sort_values("principle_id", kind="stable")
    rows = [{"principle": r["principle"], "in": r["in_statement"],
             "points": "—" if is_missing(r["statement_points"]) else str(r["statement_points"]).replace(";", ", "),
             "comparison": r["comparison"], "source": source_html(r["source"])} for r in frame.to_dict("records")]
    columns = [("principle", "Madrid Principle (2009 wording)"), ("in", "In the 2020 statement?"),
               ("points", "Statement points"), ("comparison", "How the statement compares"), ("source", "Sources")]
    caption = "The Madrid Principles and the statement of 10 November 2020, point by point"
    return table_of(pd.DataFrame(rows), columns, caption, raw=("source",))


def madrid_counts(*, data: Mapping[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """How many Madrid Principles the statement contains, as glue-ready text: {'all': '6', 'yes': '3', ...}."""
    frame = book_data(data)["madrid_principles"]
    counts = frame["in_statement"].value_counts()
    return {"all": format_number(len(frame)), **{k: format_number(int(counts.get(k, 0))) for k in ("yes", "partly", "no")}}


def days_between_events(first: str, second: str, *, data: Mapping[str, pd.DataFrame] | None = None) -> int:
    """Whole days from the date of event `first` to the date of event `second` (data/events.csv event ids)."""
    events = book_data(data)["events"]
    dates = {}
    for event_id in (first, second):
        match = events[events["event_id"] == event_id]
        if match.empty:
            raise KeyError(f"data/events.csv has no event_id {event_id!r}")
        dates[event_id] = pd.Timestamp(match.iloc[0]["date"])
    return int((dates[second] - dates[first]).days)


MEDIATORS = {"russia": "Russia", "france": "France", "usa": "United States",
             "russian_peacekeepers": "Russian peacekeepers", "other": "other"}


def ceasefire_table(since=None, until=None, *, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """Ceasefires of the conflict in force between `since` and `until` (ISO dates or years, inclusive): when agreed
    and in force, who mediated, how long each held and how it ended."""
    frame = book_data(data)["ceasefires"]
    require_columns(frame, "ceasefires", ["ceasefire_id", "name", "agreed_date", "in_force_date", "in_force_local_time",
                                "mediator", "held_text", "how_broken", "status", "source"])
    lo, hi = _span(frame["in_force_date"], since, until)
    frame = frame[(frame["in_force_date"] >= lo) & (frame["in_force_date"] <= hi)]
    if frame.empty:
        raise ValueError(f"data/ceasefires.csv has no ceasefire in force between {since} and {until}")
    frame = frame.sort_values(["in_force_date", "ceasefire_id"], kind="stable")
    rows = [{"name": r["name"], "agreed": format_date(r["agreed_date"]),
             "in_force": " ".join(x for x in (format_date(r["in_force_date"]), _text(r["in_force_local_time"])) if x),
             "mediator": MEDIATORS.get(r["mediator"], r["mediator"]), "held": r["held_text"],
             "ended": r["how_broken"] if not is_missing(r["how_broken"]) else r["status"].replace("_", " "),
             "source": source_html(r["source"])} for r in frame.to_dict("records")]
    columns = [("name", "Ceasefire"), ("agreed", "Agreed"), ("in_force", "In force (local time)"),
               ("mediator", "Mediator"), ("held", "How long it held"), ("ended", "How it ended"), ("source", "Sources")]
    caption = f"Ceasefires of the Nagorno-Karabakh conflict, {format_date(lo)} – {format_date(hi)}"
    return table_of(pd.DataFrame(rows), columns, caption, raw=("source",), dates=("agreed", "in_force"))


def _span(dates: pd.Series, start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Inclusive bounds from ISO dates or years ('2020' ends on 31 Dec 2020); open ends take the data's range."""
    lo = pd.Timestamp(str(start)) if start is not None else dates.min()
    hi = dates.max() if end is None else (
        pd.Timestamp(f"{end}-12-31") if len(str(end)) == 4 else pd.Timestamp(str(end)))
    return lo, hi


VERDICTS = {"supported": "supported", "partly_supported": "partly supported", "wrong": "wrong",
            "unsupported": "unsupported"}


def claims_table(topic=None, *, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The essay's checkable claims (of one topic or a list of topics): as worded, the verdict, what the sources say
    instead, why, and the sources."""
    frame = book_data(data)["claims"]
    require_columns(frame, "claims", ["claim_id", "essay_quote", "topic", "verdict", "corrected_value", "explanation", "source"])
    frame = _select(frame, "topic", topic)
    if frame.empty:
        raise ValueError(f"data/claims.csv has no claim with topic {topic!r}")
    frame = frame.sort_values("claim_id", kind="stable")
    rows = [{"claim": f"“{r['essay_quote']}”", "verdict": VERDICTS.get(r["verdict"], r["verdict"]),
             "correction": r["corrected_value"], "why": r["explanation"], "source": source_html(r["source"])}
            for r in frame.to_dict("records")]
    columns = [("claim", "The essay says"), ("verdict", "Verdict"), ("correction", "What the sources say"),
               ("why", "Why"), ("source", "Sources")]
    caption = "The 2020 essay's claims checked" + (f": {', '.join([topic] if isinstance(topic, str) else topic)}"
                                                   if topic is not None else "")
    return table_of(pd.DataFrame(rows), columns, caption, raw=("source",))


ACTORS = {"nk_authorities": "Nagorno-Karabakh authorities", "soviet_union": "Soviet Union", "usa": "United States",
          "osce": "OSCE", "csce": "CSCE", "un": "United Nations", "unsc": "UN Security Council"}


def actor_names(cell) -> str:
    """A `;`-separated actors cell as readable names: 'armenia;nk_authorities' -> 'Armenia, Nagorno-Karabakh authorities'."""
    return ", ".join(ACTORS.get(a, a.replace("_", " ").capitalize()) for a in source_keys(_text(cell)))


def timeline_table(start=None, end=None, *, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """Dated events between `start` and `end` (inclusive; ISO dates or years), oldest first, with actors and source."""
    frame = book_data(data)["events"]
    require_columns(frame, "events", ["date", "title", "description", "actors", "type", "source"])
    lo, hi = _span(frame["date"], start, end)
    frame = frame[(frame["date"] >= lo) & (frame["date"] <= hi)].sort_values(["date", "title"], kind="stable")
    if frame.empty:
        raise ValueError(f"data/events.csv has no event between {start} and {end}")
    rows = [{"date": _event_date(r), "event": f"<strong>{escape(r['title'])}</strong><br>{escape(r['description'])}",
             "actors": actor_names(r["actors"]), "type": _text(r["type"]).replace("_", " "),
             "source": source_html(r["source"])} for r in frame.to_dict("records")]
    columns = [("date", "Date"), ("event", "Event"), ("actors", "Actors"), ("type", "Type"), ("source", "Sources")]
    caption = f"Timeline, {format_date(lo)} – {format_date(hi)}"
    return table_of(pd.DataFrame(rows), columns, caption, raw=("source", "event"))


def _event_date(row: Mapping) -> str:
    """'12 Jul 2020', 'Nov 2007' for month precision, '2 Apr 2016 – 5 Apr 2016' for an event with an end date."""
    if row.get("date_precision") == "month":
        return f"{pd.Timestamp(row['date']):%b %Y}"
    if row.get("date_precision") == "year":
        return f"{pd.Timestamp(row['date']):%Y}"
    return period_text(row["date"], row.get("end_date"))


# ---------------------------------------------------------------- figures for the glue pattern

def figure(figure_id: str, *, data: Mapping[str, pd.DataFrame] | None = None) -> Figure:
    """One sourced figure, by `figure_id` of data/figures.csv, `record_id` of data/casualties.csv, or
    'table/row_id/column' for a numeric cell of any table keyed by its first column (e.g.
    'ceasefires/2020_11_10_statement/held_days'), with its text ('2,906', 'more than 100', '300–400') and its
    attribution phrase (Markdown with a {cite} role)."""
    d = book_data(data)
    if figure_id.count("/") == 2:
        return _cell_figure(d, figure_id)
    figures = d["figures"]
    match = figures[figures["figure_id"] == figure_id]
    if not match.empty:
        r = match.iloc[0].to_dict()
        text = format_number(r["value"])
        unit = "" if is_missing(r.get("unit")) or r["unit"] == "count" else f" {r['unit']}"
    else:
        casualties = d["casualties"] if "casualties" in d else pd.DataFrame(columns=["record_id"])
        match = casualties[casualties["record_id"] == figure_id]
        if match.empty:
            raise KeyError(f"no figure {figure_id!r}: it is neither a figure_id of data/figures.csv "
                           "nor a record_id of data/casualties.csv")
        r = match.iloc[0].to_dict()
        text, unit = casualty_figure(r), ""
    value = None if is_missing(r.get("value")) else (int(r["value"]) if float(r["value"]).is_integer()
                                                     else float(r["value"]))
    phrase = f"{text}{unit} ({attribution(r['reporting_party'], r['as_of'], r['source'])})"
    return Figure(figure_id, value, text, r["reporting_party"], pd.Timestamp(r["as_of"]), r["source"], phrase)


def _cell_figure(d: Mapping[str, pd.DataFrame], path: str) -> Figure:
    table, row_id, column = path.split("/")
    if table not in d:
        raise KeyError(f"no figure {path!r}: there is no table data/{table}.csv")
    frame = d[table]
    key = frame.columns[0]
    match = frame[frame[key] == row_id]
    if match.empty or column not in frame.columns:
        raise KeyError(f"no figure {path!r}: data/{table}.csv has no row {key}={row_id!r} or no column {column!r}")
    r = match.iloc[0].to_dict()
    if is_missing(r[column]):
        raise KeyError(f"no figure {path!r}: data/{table}.csv row {row_id!r} has no value in column {column!r}")
    value = int(r[column]) if float(r[column]).is_integer() else float(r[column])
    text = format_number(value)
    party = r.get("reporting_party")
    phrase = (f"{text} ({attribution(party, r.get('as_of'), r['source'])})" if not is_missing(party)
              else f"{text} {cite_role(r['source'])}")
    return Figure(path, value, text, _text(party), pd.Timestamp(r["as_of"]) if not is_missing(r.get("as_of")) else None,
                  r["source"], phrase)


def glue_values(*figure_ids: str, data: Mapping[str, pd.DataFrame] | None = None, **named: str) -> dict[str, object]:
    """Values to glue: for each figure, `name` -> its text ('2,906'), `name_date` -> its as-of date ('30 Jun 2021'),
    `name_attr` -> its attributed phrase and `name_cite` -> its citation alone (both Markdown). Positional ids are their own names; keyword arguments name a
    figure (`held='ceasefires/x/held_days'`)."""
    from IPython.display import Markdown

    out: dict[str, object] = {}
    for name, fid in [(f, f) for f in figure_ids] + list(named.items()):
        if "/" in name:
            raise ValueError(f"glue name {name!r} contains '/': pass it as a keyword argument, name='{name}'")
        f = figure(fid, data=data)
        out[name] = f.text
        out[f"{name}_date"] = format_date(f.as_of)
        out[f"{name}_attr"] = Markdown(f.phrase)
        out[f"{name}_cite"] = Markdown(cite_role(f.source))
    return out

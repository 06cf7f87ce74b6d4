"""The book's sourced, dated HTML tables: casualties, the statement, the Madrid Principles, ceasefires, claims and the
timeline. Formatting, citations and the renderer are in `widgets.render`; numbers for the prose in `widgets.glue`."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from widgets.glue import casualty_figure
from widgets.render import (
    Table,
    bibliography,
    book_data,
    category_labels,
    confidence_label,
    escape,
    format_date,
    format_number,
    is_essay,
    is_missing,
    period_text,
    require_columns,
    select,
    source_html,
    source_keys,
    span,
    table_of,
    text,
)

# ---------------------------------------------------------------- the tables

CATEGORIES = ("military", "civilian", "all")


def casualty_table(
    conflict: str = "2020-war",
    side=None,
    category=None,
    measure=None,
    *,
    latest: bool = False,
    data: Mapping[str, pd.DataFrame] | None = None,
) -> Table:
    """Casualty figures of one conflict, grouped by side, category and measure, each with its reporting party, kind of
    figure, as-of date and source; group headers say where sources disagree; the essay's figures are marked.

    `side`, `category` and `measure` take one value or a list; `latest` keeps only each party's latest figure.
    """
    d = book_data(data)
    bib, qualifiers = bibliography(d), category_labels(d, "casualties", "qualifier")
    side_labels, claim_labels = category_labels(d, "casualties", "side"), category_labels(d, "casualties", "claim_type")
    frame = d["casualties"]
    require_columns(
        frame,
        "casualties",
        [
            "conflict",
            "side",
            "category",
            "measure",
            "value",
            "low",
            "high",
            "reporting_party",
            "claim_type",
            "period_start",
            "period_end",
            "as_of",
            "source",
        ],
    )
    frame = select(frame, "conflict", conflict)
    # A row that starts later than the rest of its conflict counts one episode (a strike on one town), not the war.
    frame = frame.assign(_partial=frame["period_start"] > frame.groupby("conflict")["period_start"].transform("min"))
    for column, wanted in (("side", side), ("category", category), ("measure", measure)):
        frame = select(frame, column, wanted)
    if frame.empty:
        raise ValueError(
            f"data/casualties.csv has no row for conflict={conflict!r}, side={side!r}, "
            f"category={category!r}, measure={measure!r}"
        )
    sides = {k: i for i, k in enumerate(side_labels)}
    categories = {k: i for i, k in enumerate(CATEGORIES)}
    frame = frame.assign(
        _side=frame["side"].map(sides).fillna(len(sides)),
        _category=frame["category"].map(categories).fillna(len(categories)),
    )
    frame = frame.sort_values(["_side", "_category", "measure", "as_of", "reporting_party"], kind="stable")
    if latest:
        frame = frame.groupby(["side", "category", "measure", "reporting_party"], sort=False).tail(1)
    rows = []
    for (s, c, m), group in frame.groupby(["side", "category", "measure"], sort=False):
        header = _group_header(s, c, m, group, side_labels)
        for r in group.to_dict("records"):
            rows.append(
                {
                    "_group": header,
                    "_essay": is_essay(r),
                    "figure": casualty_figure(r, qualifiers),
                    "party": escape("2020 essay" if is_essay(r) else r["reporting_party"])
                    + "<br><small>"
                    + escape(
                        claim_labels.get(r["claim_type"], r["claim_type"])
                        + (
                            f"; one episode only ({period_text(r['period_start'], r['period_end'])})"
                            if r["_partial"]
                            else ""
                        )
                    )
                    + "</small>",
                    "as_of": format_date(r["as_of"]),
                    "source": source_html(r["source"], bib),
                    "confidence": confidence_label(r),
                }
            )
    columns = [
        ("figure", "Figure"),
        ("party", "Reported by (kind of figure)"),
        ("as_of", "As of"),
        ("source", "Source"),
        ("confidence", "Confidence"),
    ]
    scope = "; ".join(
        ", ".join([w] if isinstance(w, str) else list(w)).replace("_", " ")
        for w in (side, category, measure)
        if w is not None
    )
    caption = (
        f"Casualties ({conflict}{': ' + scope if scope else ''}): "
        + ("the latest figure of each reporting party" if latest else "every figure")
        + ", with who reported it, when, and the source"
    )
    return table_of(
        pd.DataFrame(rows),
        columns,
        caption,
        numeric=("figure",),
        raw=("source", "party"),
        group_by="_group",
        dates=("as_of",),
    )


def _group_header(side: str, category: str, measure: str, group: pd.DataFrame, side_labels: Mapping) -> str:
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
    extent = f"all {format_number(lo)}" if lo == hi else f"from {format_number(lo)} to {format_number(hi)}"
    title = f"{side_labels.get(side, side)} — {category} — {measure.replace('_', ' ')}"
    counts = (
        f"{len(group)} figure{'s' * (len(group) != 1)} from {parties} reporting part{'ies' if parties != 1 else 'y'}"
    )
    return (
        f'{escape(title)} <span class="cf-badge">{verdict}</span><br><small>{escape(counts)}: {escape(extent)}</small>'
    )


def _bounds(row: Mapping) -> tuple[float, float]:
    """A row's figure as (low, high): (value, value) for a single figure."""
    if not is_missing(row.get("value")):
        return float(row["value"]), float(row["value"])
    return float(row["low"]), float(row["high"])


def statement_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The obligations of the 9/10 Nov 2020 statement in text order: what each says, its deadline, what happened, the
    outcome, and where the essay describes a point, what the essay says and how that checks out."""
    d = book_data(data)
    bib, outcomes = bibliography(d), category_labels(d, "statement", "outcome_status")
    frame = d["statement"]
    require_columns(
        frame,
        "statement",
        ["row_id", "point", "paraphrase", "deadline", "what_happened", "outcome_date", "outcome_status", "source"],
    )
    frame = frame.sort_values(["point", "deadline", "row_id"], kind="stable", na_position="last")
    essay = _essay_reading(d)
    # The essay's words about a point go on the point's first row only.
    first = ~frame["point"].duplicated()
    rows = [
        {
            "point": f"{int(r['point'])}",
            "paraphrase": r["paraphrase"],
            "deadline": format_date(r["deadline"]) or "—",
            "happened": r["what_happened"],
            "outcome": f"{outcomes.get(r['outcome_status'], r['outcome_status'])} ({format_date(r['outcome_date'])})",
            "essay": essay.get(int(r["point"]), "") if is_first else "",
            "source": source_html(r["source"], bib),
        }
        for r, is_first in zip(frame.to_dict("records"), first)
    ]
    columns = [
        ("point", "Point"),
        ("paraphrase", "What the statement says (paraphrased)"),
        ("deadline", "Deadline"),
        ("happened", "What happened"),
        ("outcome", "Outcome"),
    ]
    if essay:
        columns.append(("essay", "What the 2020 essay says"))
    columns.append(("source", "Sources"))
    caption = "The trilateral statement of 9/10 November 2020, obligation by obligation, and what became of each"
    return table_of(pd.DataFrame(rows), columns, caption, raw=("source", "essay"), dates=("deadline",))


def _essay_reading(d: Mapping[str, pd.DataFrame]) -> dict[int, str]:
    """The essay's claims about each statement point (claims.statement_point), quoted with their verdict, as HTML."""
    claims = d.get("claims")
    verdicts = category_labels(d, "claims", "verdict")
    if claims is None or "statement_point" not in claims.columns:
        return {}
    out: dict[int, list[str]] = {}
    for r in claims.dropna(subset=["statement_point"]).sort_values("claim_id").to_dict("records"):
        out.setdefault(int(r["statement_point"]), []).append(
            f"“{escape(r['essay_quote'])}” "
            f'<span class="cf-badge">{escape(verdicts.get(r["verdict"], r["verdict"]))}</span>'
        )
    return {k: "<br>".join(v) for k, v in out.items()}


def madrid_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The six Madrid (Basic) Principles against the points of the 10 Nov 2020 statement that match them, if any."""
    d = book_data(data)
    frame = d["madrid_principles"]
    require_columns(
        frame,
        "madrid_principles",
        ["principle_id", "principle", "statement_points", "in_statement", "comparison", "source"],
    )
    frame = frame.sort_values("principle_id", kind="stable")
    rows = [
        {
            "principle": r["principle"],
            "in": r["in_statement"],
            "points": "—" if is_missing(r["statement_points"]) else str(r["statement_points"]).replace(";", ", "),
            "comparison": r["comparison"],
            "source": source_html(r["source"], bibliography(d)),
        }
        for r in frame.to_dict("records")
    ]
    columns = [
        ("principle", "Madrid Principle (2009 wording)"),
        ("in", "In the 2020 statement?"),
        ("points", "Statement points"),
        ("comparison", "How the statement compares"),
        ("source", "Sources"),
    ]
    caption = "The Madrid Principles and the statement of 10 November 2020, point by point"
    return table_of(pd.DataFrame(rows), columns, caption, raw=("source",))


def madrid_counts(*, data: Mapping[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """How many Madrid Principles the statement contains, as glue-ready text: {'all': '6', 'yes': '3', ...}."""
    frame = book_data(data)["madrid_principles"]
    counts = frame["in_statement"].value_counts()
    return {
        "all": format_number(len(frame)),
        **{k: format_number(int(counts.get(k, 0))) for k in ("yes", "partly", "no")},
    }


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


def ceasefire_table(since=None, until=None, *, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """Ceasefires of the conflict in force between `since` and `until` (ISO dates or years, inclusive): when agreed
    and in force, who mediated, how long each held and how it ended."""
    d = book_data(data)
    bib, mediators = bibliography(d), category_labels(d, "ceasefires", "mediator")
    frame = d["ceasefires"]
    require_columns(
        frame,
        "ceasefires",
        [
            "ceasefire_id",
            "name",
            "agreed_date",
            "in_force_date",
            "in_force_local_time",
            "mediator",
            "held_text",
            "how_broken",
            "status",
            "source",
        ],
    )
    lo, hi = span(frame["in_force_date"], since, until)
    frame = frame[(frame["in_force_date"] >= lo) & (frame["in_force_date"] <= hi)]
    if frame.empty:
        raise ValueError(f"data/ceasefires.csv has no ceasefire in force between {since} and {until}")
    frame = frame.sort_values(["in_force_date", "ceasefire_id"], kind="stable")
    rows = [
        {
            "name": r["name"],
            "agreed": format_date(r["agreed_date"]),
            "in_force": " ".join(x for x in (format_date(r["in_force_date"]), text(r["in_force_local_time"])) if x),
            "mediator": mediators.get(r["mediator"], r["mediator"]),
            "held": r["held_text"],
            "ended": r["how_broken"] if not is_missing(r["how_broken"]) else r["status"].replace("_", " "),
            "source": source_html(r["source"], bib),
        }
        for r in frame.to_dict("records")
    ]
    columns = [
        ("name", "Ceasefire"),
        ("agreed", "Agreed"),
        ("in_force", "In force (local time)"),
        ("mediator", "Mediator"),
        ("held", "How long it held"),
        ("ended", "How it ended"),
        ("source", "Sources"),
    ]
    caption = f"Ceasefires of the Nagorno-Karabakh conflict, {format_date(lo)} – {format_date(hi)}"
    return table_of(pd.DataFrame(rows), columns, caption, raw=("source",), dates=("agreed", "in_force"))


def claims_table(topic=None, *, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The essay's checkable claims (of one topic or a list of topics): as worded, the verdict, what the sources say
    instead, why, and the sources."""
    d = book_data(data)
    bib, verdicts = bibliography(d), category_labels(d, "claims", "verdict")
    frame = d["claims"]
    require_columns(
        frame, "claims", ["claim_id", "essay_quote", "topic", "verdict", "corrected_value", "explanation", "source"]
    )
    frame = select(frame, "topic", topic)
    if frame.empty:
        raise ValueError(f"data/claims.csv has no claim with topic {topic!r}")
    frame = frame.sort_values("claim_id", kind="stable")
    rows = [
        {
            "claim": f"“{r['essay_quote']}”",
            "verdict": verdicts.get(r["verdict"], r["verdict"]),
            "correction": r["corrected_value"],
            "why": r["explanation"],
            "source": source_html(r["source"], bib),
        }
        for r in frame.to_dict("records")
    ]
    columns = [
        ("claim", "The essay says"),
        ("verdict", "Verdict"),
        ("correction", "What the sources say"),
        ("why", "Why"),
        ("source", "Sources"),
    ]
    caption = "The 2020 essay's claims checked" + (
        f": {', '.join([topic] if isinstance(topic, str) else topic)}" if topic is not None else ""
    )
    return table_of(pd.DataFrame(rows), columns, caption, raw=("source",))


def actor_names(cell, labels: Mapping[str, str] | None = None) -> str:
    """A `;`-separated actors cell as readable names: 'armenia;nk_authorities' -> 'Armenia, Nagorno-Karabakh
    authorities' (labels: the `categories` of events.actors in data/datapackage.json)."""
    labels = labels if labels is not None else category_labels(None, "events", "actors")
    return ", ".join(labels.get(a, a.replace("_", " ").capitalize()) for a in source_keys(text(cell)))


def timeline_table(start=None, end=None, *, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """Dated events between `start` and `end` (inclusive; ISO dates or years), oldest first, with actors and source."""
    d = book_data(data)
    bib, actors = bibliography(d), category_labels(d, "events", "actors")
    frame = d["events"]
    require_columns(frame, "events", ["date", "title", "description", "actors", "type", "source"])
    lo, hi = span(frame["date"], start, end)
    frame = frame[(frame["date"] >= lo) & (frame["date"] <= hi)].sort_values(["date", "title"], kind="stable")
    if frame.empty:
        raise ValueError(f"data/events.csv has no event between {start} and {end}")
    rows = [
        {
            "date": _event_date(r),
            "event": f"<strong>{escape(r['title'])}</strong><br>{escape(r['description'])}",
            "actors": actor_names(r["actors"], actors),
            "type": text(r["type"]).replace("_", " "),
            "source": source_html(r["source"], bib),
        }
        for r in frame.to_dict("records")
    ]
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

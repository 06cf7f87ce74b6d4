"""Sourced tables for the three factor chapters: the 2020 oil shock and Azerbaijan's economy, drone claims,
Armenia's 2021 vote."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from widgets.data import Frames
from widgets.render import (
    Table,
    bibliography,
    book_data,
    confidence_label,
    format_date,
    format_number,
    is_missing,
    period_text,
    require_columns,
    source_html,
    table_of,
)
from widgets.tables import timeline_table

# economy.csv mixes three kinds of figure; the id prefix says which, so a new row needs no extra column.
ECONOMY_GROUPS = (
    ("brent_", "Oil prices (Brent crude)"),
    ("az_", "Azerbaijan's economy"),
    ("sofaz_", "The State Oil Fund and the budget"),
)
# Armenia's post-war crisis: from the night the statement was announced to the snap election.
CRISIS = ("2020-11-09", "2021-06-30")
SIDES = {
    "azerbaijan": "Claims by Azerbaijani officials",
    "armenia": "Claims by Armenian officials",
    "russia": "Claims by Russian officials",
    "turkey": "Claims by Turkish officials",
}


def economy_group(figure_id: str) -> str:
    """The heading under which an economy.csv figure is shown, from its id prefix; unknown prefixes fail loudly."""
    for prefix, heading in ECONOMY_GROUPS:
        if figure_id.startswith(prefix):
            return heading
    known = ", ".join(p for p, _ in ECONOMY_GROUPS)
    raise ValueError(f"data/economy.csv: figure_id {figure_id!r} starts with none of the known prefixes ({known})")


def economy_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """Oil prices and Azerbaijan's economy in 2019–2020, grouped by kind, each with its period, reporter and source."""
    d = book_data(data)
    bib = bibliography(d)
    frame = d["economy"]
    require_columns(
        frame,
        "economy",
        ["figure_id", "label", "value", "unit", "period_start", "period_end", "reporting_party", "as_of", "source"],
    )
    order = {heading: i for i, (_, heading) in enumerate(ECONOMY_GROUPS)}
    frame = frame.assign(_group=frame["figure_id"].map(economy_group))
    frame = frame.assign(_order=frame["_group"].map(order)).sort_values(
        ["_order", "period_start", "figure_id"], kind="stable"
    )
    rows = [
        {
            "_group": r["_group"],
            "label": r["label"],
            "value": f"{format_number(r['value'])} {r['unit']}",
            "period": period_text(r["period_start"], r["period_end"]),
            "party": r["reporting_party"],
            "as_of": format_date(r["as_of"]),
            "source": source_html(r["source"], bib),
            "confidence": confidence_label(r),
        }
        for r in frame.to_dict("records")
    ]
    columns = [
        ("label", "Figure"),
        ("value", "Value"),
        ("period", "Period"),
        ("party", "Reported by"),
        ("as_of", "As of"),
        ("source", "Source"),
        ("confidence", "Confidence"),
    ]
    caption = "The 2020 oil-price collapse and Azerbaijan's economy: every figure with its period, reporter and source"
    return table_of(pd.DataFrame(rows), columns, caption, numeric=("value",), raw=("source",), group_by="_group")


def drone_claims_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The belligerents' claims about drones and destroyed equipment, grouped by side, each attributed and dated."""
    d = book_data(data)
    bib = bibliography(d)
    frame = d["military_claims"]
    require_columns(
        frame,
        "military_claims",
        ["figure_id", "reporting_party", "side", "claim_date", "claim", "value", "unit", "source"],
    )
    frame = frame.assign(_order=frame["side"].map(list(SIDES).index))
    frame = frame.sort_values(["_order", "claim_date", "figure_id"], kind="stable")
    rows = [
        {
            "_group": SIDES[r["side"]],
            "claim": r["claim"],
            "value": "not given" if is_missing(r["value"]) else f"{format_number(r['value'])} {r['unit']}",
            "party": r["reporting_party"],
            "date": format_date(r["claim_date"]),
            "source": source_html(r["source"], bib),
            "confidence": confidence_label(r),
        }
        for r in frame.to_dict("records")
    ]
    columns = [
        ("claim", "What was claimed (paraphrased)"),
        ("value", "Claimed quantity"),
        ("party", "Claimed by"),
        ("date", "Date"),
        ("source", "Source"),
        ("confidence", "Confidence in the report"),
    ]
    caption = "Claims about drones and destroyed equipment in the 2020 war: belligerents' claims, not established facts"
    return table_of(pd.DataFrame(rows), columns, caption, numeric=("value",), raw=("source",), group_by="_group")


def election_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The forces that won seats in Armenia's snap election of 20 June 2021: votes, share, seats and source."""
    d = book_data(data)
    bib = bibliography(d)
    frame = d["armenia_election_2021"]
    require_columns(frame, "armenia_election_2021", ["party", "leader", "votes", "vote_share_pct", "seats", "source"])
    frame = frame.sort_values(["seats", "party"], ascending=[False, True], kind="stable")
    rows = [
        {
            "party": r["party"],
            "leader": r["leader"],
            "votes": format_number(r["votes"]),
            "share": f"{format_number(r['vote_share_pct'])}%",
            "seats": format_number(r["seats"]),
            "source": source_html(r["source"], bib),
        }
        for r in frame.to_dict("records")
    ]
    columns = [
        ("party", "Party or alliance"),
        ("leader", "Led by"),
        ("votes", "Votes"),
        ("share", "Share of the vote"),
        ("seats", "Seats"),
        ("source", "Sources"),
    ]
    caption = "Armenia's snap parliamentary election of 20 June 2021: the forces that won seats (final results)"
    return table_of(pd.DataFrame(rows), columns, caption, numeric=("votes", "share", "seats"), raw=("source",))


def figure_comparison_table(
    pairs,
    caption: str,
    headings: tuple[str, str] = ("The 2020 essay", "The sources"),
    *,
    table: str = "figures",
    data: Mapping[str, pd.DataFrame] | None = None,
) -> Table:
    """Two sources side by side: for each (first_id, second_id) pair of figure ids, both figures, reporters and sources.

    Reads `table` (figures.csv by default; any table with figure_id, label, value, unit, reporting_party, as_of and
    source columns). The row is named after the second figure's label, the one being checked against.
    """
    d = book_data(data)
    bib = bibliography(d)
    frame = d[table]
    require_columns(frame, table, ["figure_id", "label", "value", "unit", "reporting_party", "as_of", "source"])
    frame = frame.set_index("figure_id")
    rows = []
    for pair in pairs:
        missing = [fid for fid in pair if fid not in frame.index]
        if missing:
            raise KeyError(f"data/{table}.csv has no figure_id {', '.join(map(repr, missing))}")
        first, second = (frame.loc[fid] for fid in pair)
        rows.append(
            {
                "topic": second["label"],
                "first": f"{format_number(first['value'])} {first['unit']}",
                "first_by": f"{first['reporting_party']}, {format_date(first['as_of'])}",
                "first_source": source_html(first["source"], bib),
                "second": f"{format_number(second['value'])} {second['unit']}",
                "second_by": f"{second['reporting_party']}, {format_date(second['as_of'])}",
                "second_source": source_html(second["source"], bib),
            }
        )
    # Headings name their side: a repeated "Source" heading would be ambiguous to screen readers and in the text view.
    columns = [
        ("topic", "What"),
        ("first", headings[0]),
        ("first_by", f"{headings[0]}: reported by, as of"),
        ("first_source", f"{headings[0]}: source"),
        ("second", headings[1]),
        ("second_by", f"{headings[1]}: reported by, as of"),
        ("second_source", f"{headings[1]}: source"),
    ]
    return table_of(
        pd.DataFrame(rows), columns, caption, numeric=("first", "second"), raw=("first_source", "second_source")
    )


def armenia_crisis_timeline(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """Armenia's political crisis, Nov 2020 – Jun 2021: Armenian politics and election events of events.csv together
    with the crisis events only armenia_politics.csv lists; an event listed in both files is an error."""
    d = book_data(data)
    events, extra = d["events"], d["armenia_politics"]
    both = sorted(set(events["event_id"]) & set(extra["event_id"]))
    if both:
        raise ValueError(f"data/armenia_politics.csv repeats event(s) of data/events.csv: {', '.join(both)}")
    missing = [c for c in events.columns if c not in extra.columns]
    if missing:
        raise ValueError(
            f"data/armenia_politics.csv needs the columns of data/events.csv; missing: {', '.join(missing)}"
        )
    armenian = events["actors"].str.split(";").apply(lambda actors: "armenia" in actors)
    events = events[armenian & events["type"].isin(["politics", "election"])]
    merged = pd.concat([events, extra[events.columns]], ignore_index=True)
    return timeline_table(*CRISIS, data=_with_labels(d, {"events": merged}))


def _with_labels(d, tables: dict) -> Frames:
    """Derived tables that cite and label like the package they came from (its bibliography and vocabularies)."""
    out = Frames(tables, bibliography(d))
    if hasattr(d, "resource"):
        out.resource = d.resource
    return out


def election_numbers(*, data: Mapping[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """Each force's share of the vote and seats in Armenia's 2021 election, as text for glue (`<party_id>_share`,
    `<party_id>_seats`; the chapter prefixes them)."""
    out = {}
    for r in book_data(data)["armenia_election_2021"].to_dict("records"):
        out[f"{r['party_id']}_share"] = f"{r['vote_share_pct']:g}"
        out[f"{r['party_id']}_seats"] = str(r["seats"])
    return out

"""Sourced tables for the three factor chapters: the 2020 oil shock and Azerbaijan's economy, drone claims, Armenia's 2021 vote."""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from widgets.tables import (Table, _confidence, _data, _missing, _need, _table, format_date, format_number,
                            source_html)

# economy.csv mixes three kinds of figure; the id prefix says which, so a new row needs no extra column.
ECONOMY_GROUPS = (("brent_", "Oil prices (Brent crude)"), ("az_", "Azerbaijan's economy"),
                  ("sofaz_", "The State Oil Fund and the budget"))
SIDES = {"azerbaijan": "Claims by Azerbaijani officials", "armenia": "Claims by Armenian officials",
         "russia": "Claims by Russian officials", "turkey": "Claims by Turkish officials"}


def economy_group(figure_id: str) -> str:
    """The heading under which an economy.csv figure is shown, from its id prefix; unknown prefixes fail loudly."""
    for prefix, heading in ECONOMY_GROUPS:
        if figure_id.startswith(prefix):
            return heading
    known = ", ".join(p for p, _ in ECONOMY_GROUPS)
    raise ValueError(f"data/economy.csv: figure_id {figure_id!r} starts with none of the known prefixes ({known})")


def _period(start, end) -> str:
    if _missing(start) or _missing(end) or pd.Timestamp(start) == pd.Timestamp(end):
        return format_date(start if not _missing(start) else end)
    return f"{format_date(start)} – {format_date(end)}"


def economy_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """Oil prices and Azerbaijan's economy in 2019–2020, grouped by kind, each figure with its period, reporter and source."""
    frame = _data(data)["economy"]
    _need(frame, "economy", ["figure_id", "label", "value", "unit", "period_start", "period_end", "reporting_party",
                             "as_of", "source"])
    order = {heading: i for i, (_, heading) in enumerate(ECONOMY_GROUPS)}
    frame = frame.assign(_group=frame["figure_id"].map(economy_group))
    frame = frame.assign(_order=frame["_group"].map(order)).sort_values(["_order", "period_start", "figure_id"],
                                                                        kind="stable")
    rows = [{"_group": r["_group"], "label": r["label"], "value": f"{format_number(r['value'])} {r['unit']}",
             "period": _period(r["period_start"], r["period_end"]), "party": r["reporting_party"],
             "as_of": format_date(r["as_of"]), "source": source_html(r["source"]), "confidence": _confidence(r)}
            for r in frame.to_dict("records")]
    columns = [("label", "Figure"), ("value", "Value"), ("period", "Period"), ("party", "Reported by"),
               ("as_of", "As of"), ("source", "Source"), ("confidence", "Confidence")]
    caption = "The 2020 oil-price collapse and Azerbaijan's economy: every figure with its period, reporter and source"
    return _table(pd.DataFrame(rows), columns, caption, numeric=("value",), raw=("source",), group_by="_group")


def drone_claims_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The belligerents' claims about drones and destroyed equipment, grouped by side, each attributed and dated."""
    frame = _data(data)["military_claims"]
    _need(frame, "military_claims", ["figure_id", "reporting_party", "side", "claim_date", "claim", "value", "unit",
                                     "source"])
    frame = frame.assign(_order=frame["side"].map(list(SIDES).index))
    frame = frame.sort_values(["_order", "claim_date", "figure_id"], kind="stable")
    rows = [{"_group": SIDES[r["side"]], "claim": r["claim"],
             "value": "not given" if _missing(r["value"]) else f"{format_number(r['value'])} {r['unit']}",
             "party": r["reporting_party"], "date": format_date(r["claim_date"]), "source": source_html(r["source"]),
             "confidence": _confidence(r)} for r in frame.to_dict("records")]
    columns = [("claim", "What was claimed (paraphrased)"), ("value", "Claimed quantity"), ("party", "Claimed by"),
               ("date", "Date"), ("source", "Source"), ("confidence", "Confidence in the report")]
    caption = "Claims about drones and destroyed equipment in the 2020 war: belligerents' claims, not established facts"
    return _table(pd.DataFrame(rows), columns, caption, numeric=("value",), raw=("source",), group_by="_group")


def election_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The forces that won seats in Armenia's snap election of 20 June 2021: votes, share, seats and source."""
    frame = _data(data)["armenia_election_2021"]
    _need(frame, "armenia_election_2021", ["party", "leader", "votes", "vote_share_pct", "seats", "source"])
    frame = frame.sort_values(["seats", "party"], ascending=[False, True], kind="stable")
    rows = [{"party": r["party"], "leader": r["leader"], "votes": format_number(r["votes"]),
             "share": f"{format_number(r['vote_share_pct'])}%", "seats": format_number(r["seats"]),
             "source": source_html(r["source"])} for r in frame.to_dict("records")]
    columns = [("party", "Party or alliance"), ("leader", "Led by"), ("votes", "Votes"), ("share", "Share of the vote"),
               ("seats", "Seats"), ("source", "Sources")]
    caption = "Armenia's snap parliamentary election of 20 June 2021: the forces that won seats (final results)"
    return _table(pd.DataFrame(rows), columns, caption, numeric=("votes", "share", "seats"), raw=("source",))

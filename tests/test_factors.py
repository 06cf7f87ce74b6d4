"""Unit tests for widgets.factors: grouping, attribution of claims, missing quantities, election order, clear errors."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from widgets import factors
from widgets.data import Frames

BIB = {
    "eia": {"who": "EIA", "year": "2021", "title": "Oil"},
    "mod": {"who": "MoD", "year": "2020", "title": "Claims"},
    "cec": {"who": "CEC", "year": "2021", "title": "Results"},
}


def _groups(html: str) -> list[str]:
    return re.findall(r'scope="colgroup" colspan="\d+">([^<]*)</th>', html)


def _d(*iso):
    return pd.to_datetime(list(iso))


@pytest.fixture
def data():
    economy = pd.DataFrame(
        {
            "figure_id": ["sofaz_limit", "brent_avg_2020", "az_gdp_2020", "brent_low"],
            "label": ["Transfer limit", "Brent 2020", "GDP 2020", "Brent low"],
            "value": [12200.0, 41.69, -4.3, 9.12],
            "unit": ["million manats", "US dollars per barrel", "percent", "US dollars per barrel"],
            "period_start": _d("2020-01-01", "2020-01-01", "2020-01-01", "2020-04-21"),
            "period_end": _d("2020-12-31", "2020-12-31", "2020-12-31", "2020-04-21"),
            "reporting_party": ["SOFAZ", "EIA", "Ministry of Economy", "EIA"],
            "as_of": _d("2020-08-31", "2021-01-12", "2021-10-06", "2020-04-21"),
            "source": ["eia"] * 4,
            "confidence": ["high"] * 4,
            "verification": ["verified"] * 4,
        }
    )
    claims = pd.DataFrame(
        {
            "figure_id": ["am_drones", "az_count", "az_damage"],
            "reporting_party": ["Armenia, Ministry of Defence", "President Aliyev", "President Aliyev"],
            "side": ["armenia", "azerbaijan", "azerbaijan"],
            "claim_date": _d("2020-10-29", "2020-10-15", "2020-10-15"),
            "claim": ["220 drones downed", "Number not disclosed", "Damage worth one billion"],
            "value": [220.0, float("nan"), 1000.0],
            "unit": ["drones", "", "million US dollars"],
            "source": ["mod"] * 3,
            "confidence": ["low", "medium", "low"],
            "verification": ["secondary", "verified", "verified"],
        }
    )
    election = pd.DataFrame(
        {
            "party": ["I Have Honor Alliance", "Civil Contract", "Armenia Alliance"],
            "leader": ["Serzh Sargsyan", "Nikol Pashinyan", "Robert Kocharyan"],
            "votes": pd.array([66650, 688761, 269481], dtype="Int64"),
            "vote_share_pct": [5.22, 53.91, 21.09],
            "seats": pd.array([7, 71, 29], dtype="Int64"),
            "source": ["cec"] * 3,
        }
    )
    return Frames({"economy": economy, "military_claims": claims, "armenia_election_2021": election}, BIB)


def test_economy_groups_in_fixed_order_with_negative_values_and_periods(data):
    t = factors.economy_table(data=data)
    html = t.html
    assert _groups(html) == ["Oil prices (Brent crude)", "Azerbaijan's economy", "The State Oil Fund and the budget"]
    assert "-4.3 percent" in html and "12,200 million manats" in html
    assert "1 Jan 2020 – 31 Dec 2020" in html
    # A one-day period is shown as a single date, not as a range.
    assert re.search(r"<td[^>]*>21 Apr 2020</td>", html)
    assert list(t.rows["Figure"])[:2] == ["Brent 2020", "Brent low"]


def test_economy_unknown_prefix_fails_naming_the_id(data):
    data["economy"].loc[0, "figure_id"] = "gdp_misc"
    with pytest.raises(ValueError, match="'gdp_misc' starts with none of the known prefixes"):
        factors.economy_table(data=data)


def test_claims_are_grouped_by_side_and_attributed(data):
    t = factors.drone_claims_table(data=data)
    html = t.html
    assert _groups(html) == ["Claims by Azerbaijani officials", "Claims by Armenian officials"]
    assert "not established facts" in t.caption
    assert list(t.rows["Claimed by"]) == ["President Aliyev", "President Aliyev", "Armenia, Ministry of Defence"]
    # A claim without a figure says so instead of printing nan or an empty cell.
    assert list(t.rows["Claimed quantity"]) == ["not given", "1,000 million US dollars", "220 drones"]
    assert "nan" not in html


def test_election_sorted_by_seats_with_shares(data):
    t = factors.election_table(data=data)
    assert list(t.rows["Party or alliance"]) == ["Civil Contract", "Armenia Alliance", "I Have Honor Alliance"]
    assert list(t.rows["Votes"]) == ["688,761", "269,481", "66,650"]
    assert list(t.rows["Share of the vote"]) == ["53.91%", "21.09%", "5.22%"]


def test_missing_column_is_named(data):
    data["armenia_election_2021"] = data["armenia_election_2021"].drop(columns=["seats"])
    with pytest.raises(ValueError, match=r"data/armenia_election_2021.csv: .*seats"):
        factors.election_table(data=data)


def test_html_is_deterministic(data):
    assert factors.drone_claims_table(data=data).html == factors.drone_claims_table(data=data).html
    assert "0x" not in repr(factors.economy_table(data=data))


def test_real_package_renders_every_row(monkeypatch):
    from widgets.data import load

    monkeypatch.undo()  # the real tables cite references.bib, not the small test bibliography

    d = load()
    assert len(factors.economy_table().rows) == len(d["economy"])
    assert len(factors.drone_claims_table().rows) == len(d["military_claims"])
    assert len(factors.election_table().rows) == len(d["armenia_election_2021"])
    assert len(factors.armenia_crisis_timeline().rows) >= len(d["armenia_politics"])


def test_comparison_puts_the_two_sources_side_by_side(data):
    data["figures"] = pd.DataFrame(
        {
            "figure_id": ["essay_troops", "statement_troops"],
            "label": ["Essay troops", "Peacekeepers in the statement"],
            "value": [1000.0, 1960.0],
            "unit": ["soldiers", "servicemen"],
            "reporting_party": ["The 2020 essay", "Trilateral statement"],
            "as_of": _d("2020-11-16", "2020-11-10"),
            "source": ["essay2020", "cec"],
        }
    )
    t = factors.figure_comparison_table([("essay_troops", "statement_troops")], "Troops", data=data)
    assert t.rows.iloc[0].tolist()[:3] == [
        "Peacekeepers in the statement",
        "1,000 soldiers",
        "The 2020 essay, 16 Nov 2020",
    ]
    assert t.rows.iloc[0].tolist()[5] == "Trilateral statement, 10 Nov 2020"
    assert "1,960 servicemen" in t.html and "[2020 essay]" in t.html
    with pytest.raises(KeyError, match="no figure_id 'nope'"):
        factors.figure_comparison_table([("essay_troops", "nope")], "Troops", data=data)


def _events(ids, dates, actors, types):
    n = len(ids)
    return pd.DataFrame(
        {
            "event_id": ids,
            "date": _d(*dates),
            "date_precision": ["day"] * n,
            "end_date": pd.to_datetime([None] * n),
            "title": [f"Title {i}" for i in ids],
            "description": ["Description"] * n,
            "actors": actors,
            "type": types,
            "place_id": ["yerevan"] * n,
            "source": ["cec"] * n,
            "confidence": ["high"] * n,
            "verification": ["verified"] * n,
            "note": [""] * n,
        }
    )


def test_crisis_timeline_merges_armenian_politics_in_the_window(data):
    data["events"] = _events(
        ["2020_statement", "2020_roadmap", "2020_handover", "2021_vote", "2022_later"],
        ["2020-11-10", "2020-11-18", "2020-11-20", "2021-06-20", "2022-09-13"],
        ["armenia;azerbaijan;russia", "armenia", "armenia;azerbaijan", "armenia", "armenia"],
        ["ceasefire", "politics", "territory", "election", "politics"],
    )
    data["armenia_politics"] = _events(["2020_ultimatum"], ["2020-12-08"], ["armenia"], ["politics"])
    t = factors.armenia_crisis_timeline(data=data)
    titles = [row.split("Description")[0].strip() for row in t.rows["Event"]]
    assert titles == ["Title 2020_roadmap", "Title 2020_ultimatum", "Title 2021_vote"]


def test_crisis_timeline_refuses_an_event_listed_twice(data):
    data["events"] = _events(["2020_roadmap"], ["2020-11-18"], ["armenia"], ["politics"])
    data["armenia_politics"] = _events(["2020_roadmap"], ["2020-11-18"], ["armenia"], ["politics"])
    with pytest.raises(ValueError, match="repeats event.*2020_roadmap"):
        factors.armenia_crisis_timeline(data=data)

"""Unit tests for widgets.tables: sorting, attribution, essay marking, deterministic and dark-mode-safe HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from widgets import glue, render, tables
from widgets.data import Frames

BIB = {
    "azmod2021": {"who": "AzerNews", "year": "2021", "title": "Azerbaijan's war toll"},
    "rferl2021": {"who": "RFE/RL", "year": "2021", "title": "Armenian deaths"},
    "forensic2020": {"who": "Republic World", "year": "2020", "title": "Forensic count"},
}


def _dates(*iso):
    return pd.to_datetime(list(iso))


@pytest.fixture
def data():
    casualties = pd.DataFrame(
        {
            "record_id": ["az1", "am1", "az0", "essay_az", "am2", "az_ganja"],
            "conflict": ["2020-war"] * 6,
            "side": ["azerbaijan", "armenia_nk", "azerbaijan", "azerbaijan", "armenia_nk", "azerbaijan"],
            "category": ["military"] * 5 + ["civilian"],
            "measure": ["killed"] * 6,
            "qualifier": [None, None, None, None, None, "more_than"],
            "value": pd.array([2906, 2317, 2783, 7630, 3773, 26], dtype="Int64"),
            "low": pd.array([None] * 6, dtype="Int64"),
            "high": pd.array([None] * 6, dtype="Int64"),
            "reporting_party": [
                "Azerbaijan, Ministry of Defence",
                "Armenia, Ministry of Health",
                "Azerbaijan, Ministry of Defence",
                "2020 essay",
                "Armenia, Government",
                "Azerbaijan",
            ],
            "claim_type": ["own_losses", "own_losses", "own_losses", "essay", "own_losses", "own_losses"],
            "period_start": _dates(*["2020-09-27"] * 5, "2020-10-04"),
            "period_end": _dates(*["2020-11-10"] * 5, "2020-10-17"),
            "as_of": _dates("2021-06-30", "2020-11-14", "2020-12-03", "2020-11-15", "2021-08-24", "2020-12-01"),
            "source": ["azmod2021", "forensic2020", "azmod2021", "essay2020", "rferl2021", "azmod2021"],
            "confidence": ["high", "high", "high", "low", "high", "medium"],
            "verification": ["verified", "verified", "verified", "unverified", "verified", "secondary"],
        }
    )
    figures = pd.DataFrame(
        {
            "figure_id": ["pk_troops", "oil_price"],
            "label": ["troops", "Brent"],
            "value": [1960.0, 41.5],
            "unit": ["count", "USD per barrel"],
            "reporting_party": ["Trilateral statement", "US EIA"],
            "as_of": _dates("2020-11-10", "2020-11-30"),
            "source": ["azmod2021", "rferl2021"],
        }
    )
    events = pd.DataFrame(
        {
            "event_id": ["war", "bishkek", "statement", "vote", "madrid"],
            "date": _dates("2020-09-27", "1994-05-12", "2020-11-10", "1988-02-20", "2007-11-01"),
            "date_precision": ["day", "day", "day", "day", "month"],
            "end_date": _dates(None, None, None, None, None),
            "title": ["War begins", "Bishkek ceasefire", "Statement", "Soviet vote", "Madrid Principles"],
            "description": ["Fighting", "Takes effect", "Signed", "Petition", "Presented"],
            "actors": ["azerbaijan;armenia", "russia", "russia", "nk_authorities", "osce"],
            "type": ["war", "ceasefire", "ceasefire", "politics", "diplomacy"],
            "source": ["azmod2021"] * 5,
        }
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["c02", "c01", "c03"],
            "essay_quote": ["300 to 400 Armenian civilians", "7,630 on the Azerbaijani side", "for 10 years"],
            "topic": ["casualties", "casualties", "peacekeeping"],
            "statement_point": pd.array([None, None, 6], dtype="Int64"),
            "verdict": ["unsupported", "wrong", "partly_supported"],
            "corrected_value": ["80 identified", "2,906", "5"],
            "explanation": ["none found", "enemy claim", "renewing"],
            "source": ["rferl2021", "azmod2021", "essay2020;azmod2021"],
        }
    )
    statement = pd.DataFrame(
        {
            "row_id": ["p6_lachin", "p1_ceasefire", "p6_kalbajar", "p6_passage"],
            "point": pd.array([6, 1, 6, 6], dtype="Int64"),
            "paraphrase": ["Lachin by 1 Dec", "Ceasefire", "Kalbajar by 15 Nov", "Safe passage"],
            "deadline": _dates("2020-12-01", "2020-11-10", "2020-11-15", None),
            "what_happened": ["On time", "Held until 2023", "Ten days late", "Blockade"],
            "outcome_date": _dates("2020-12-01", "2023-09-19", "2020-11-25", "2022-12-12"),
            "outcome_status": ["implemented", "partly", "implemented_late", "not_implemented"],
            "source": ["azmod2021;rferl2021"] * 4,
        }
    )
    ceasefires = pd.DataFrame(
        {
            "ceasefire_id": ["2020_10_26", "1994", "2020_10_10"],
            "name": ["Washington", "Bishkek", "Moscow"],
            "agreed_date": _dates("2020-10-25", "1994-05-11", "2020-10-10"),
            "in_force_date": _dates("2020-10-26", "1994-05-12", "2020-10-10"),
            "in_force_local_time": ["08:00", None, "12:00"],
            "mediator": ["usa", "russia", "russia"],
            "held_days": pd.array([0, 7996, 0], dtype="Int64"),
            "held_text": ["Minutes", "Almost 22 years", "Minutes"],
            "how_broken": ["Shelling", "2016 war", None],
            "status": ["broken", "broken", "broken"],
            "source": ["rferl2021"] * 3,
            "as_of": _dates("2020-10-26", "2016-04-06", "2020-10-10"),
        }
    )
    madrid = pd.DataFrame(
        {
            "principle_id": pd.array([2, 1], dtype="Int64"),
            "principle": ["interim status", "return of territories"],
            "statement_points": [None, "1;2;6"],
            "in_statement": ["no", "yes"],
            "comparison": ["absent", "present"],
            "source": ["rferl2021"] * 2,
        }
    )
    return Frames(
        {
            "casualties": casualties,
            "figures": figures,
            "events": events,
            "claims": claims,
            "statement": statement,
            "ceasefires": ceasefires,
            "madrid_principles": madrid,
        },
        BIB,
    )


class Cells(HTMLParser):
    """Collects the table's structure: tags with attributes and the text of each row."""

    def __init__(self):
        super().__init__()
        self.tags, self.rows, self._row = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self._row = []

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            self.rows.append(" ".join(self._row))
            self._row = None

    def handle_data(self, text):
        if self._row is not None and text.strip():
            self._row.append(text.strip())


def parse(html: str) -> Cells:
    p = Cells()
    p.feed(html)
    return p


def test_casualty_rows_sorted_by_side_then_date(data):
    rows = parse(tables.casualty_table(category="military", data=data).html).rows
    figures = [r.split()[0] for r in rows if re.match(r"^[\d,]+ ", r)]
    # Azerbaijan before Armenia (the order of the categories of casualties.side), and each side's figures oldest first.
    assert figures == ["7,630", "2,783", "2,906", "2,317", "3,773"]


def test_latest_keeps_one_figure_per_party(data):
    rows = parse(tables.casualty_table(side="azerbaijan", category="military", latest=True, data=data).html).rows
    assert [r.split()[0] for r in rows if re.match(r"^[\d,]+ ", r)] == ["7,630", "2,906"]


def test_qualifier_and_episode_are_shown(data):
    rows = parse(tables.casualty_table(category="civilian", data=data).html).rows
    assert rows[2].startswith(
        "more than 26 Azerbaijan own losses, official; one episode only (4 Oct 2020 – 17 Oct 2020)"
    )


def test_every_figure_has_party_date_and_source_label(data):
    rows = parse(tables.casualty_table(data=data).html).rows
    row = next(r for r in rows if r.startswith("2,906"))
    assert "Azerbaijan, Ministry of Defence" in row
    assert "30 Jun 2021" in row
    assert "[AzerNews, 2021]" in row


def test_essay_rows_are_marked_visibly(data):
    t = tables.casualty_table(data=data)
    essay_rows = re.findall(r'<tr class="cf-essay">.*?</tr>', t.html)
    assert len(essay_rows) == 1
    assert "7,630" in essay_rows[0] and "2020 essay" in essay_rows[0]
    assert 'class="cf-badge">2020 essay<' in essay_rows[0]  # a visible label, not colour alone
    assert "[2020 essay]" in essay_rows[0]


def test_group_header_shows_disagreement(data):
    html = tables.casualty_table(side="azerbaijan", category="military", data=data).html
    header = re.search(r'<tr class="cf-group">(.*?)</tr>', html).group(1)
    assert ">Azerbaijan — military — killed <" in header
    assert "sources disagree" in header
    assert "3 figures from 2 reporting parties: from 2,783 to 7,630" in header


def test_group_header_agreement_ignores_superseded_figures(data):
    data["casualties"].loc[3, "value"] = 2906  # the essay now matches the ministry's latest figure
    html = tables.casualty_table(side="azerbaijan", category="military", data=data).html
    assert "sources agree" in re.search(r'<tr class="cf-group">(.*?)</tr>', html).group(1)


def test_filter_without_rows_raises_clear_error(data):
    with pytest.raises(ValueError, match="no row for conflict='2020-war', side='georgia'"):
        tables.casualty_table(side="georgia", data=data)


def test_missing_column_is_named(data):
    data["casualties"] = data["casualties"].drop(columns=["reporting_party"])
    with pytest.raises(ValueError, match=r"data/casualties.csv: .*reporting_party"):
        tables.casualty_table(data=data)


def test_html_is_accessible(data):
    p = parse(tables.casualty_table(data=data).html)
    names = [t for t, _ in p.tags]
    assert "caption" in names
    ths = [a for t, a in p.tags if t == "th"]
    assert ths and all(a.get("scope") in {"col", "row", "colgroup"} for a in ths)
    wrap = next(a for t, a in p.tags if t == "div")
    # a scrolling region must be reachable by keyboard and named (axe: scrollable-region-focusable)
    assert wrap["role"] == "region" and wrap["tabindex"] == "0" and wrap["aria-label"].startswith("Casualties")


def test_html_is_deterministic_and_id_free(data):
    a = tables.casualty_table(data=data).html
    b = tables.casualty_table(data=data).html
    assert a == b
    assert not re.search(r"\bid=", a)
    assert "0x" not in repr(tables.casualty_table(data=data))


@pytest.mark.parametrize(
    "make",
    [
        lambda d: tables.casualty_table(data=d),
        lambda d: tables.timeline_table(1988, 2020, data=d),
        lambda d: tables.claims_table(data=d),
    ],
)
def test_dark_mode_safe_no_fixed_background_or_text_colour(data, make):
    html = make(data).html
    assert "background" not in html
    assert not re.search(r"(?<![-\w])color\s*:\s*(#|rgb|white|black)", html)


def test_no_index_column(data):
    html = tables.casualty_table(data=data).html
    assert "<th></th>" not in html and 'class="blank' not in html


def test_timeline_filters_and_sorts(data):
    t = tables.timeline_table("1990", "2020-10-01", data=data)
    assert list(t.rows["Date"]) == ["12 May 1994", "Nov 2007", "27 Sep 2020"]
    assert list(t.rows["Actors"]) == ["Russia", "OSCE", "Azerbaijan, Armenia"]
    assert list(t.rows["Event"])[0] == "Bishkek ceasefire Takes effect"


def test_timeline_year_end_is_inclusive(data):
    t = tables.timeline_table(1988, 1988, data=data)
    assert list(t.rows["Actors"]) == ["Nagorno-Karabakh authorities"]
    assert len(tables.timeline_table(2020, 2020, data=data).rows) == 2


def test_claims_sorted_and_filtered(data):
    t = tables.claims_table("casualties", data=data)
    assert list(t.rows["The essay says"]) == ["“7,630 on the Azerbaijani side”", "“300 to 400 Armenian civilians”"]
    assert list(tables.claims_table(["casualties", "peacekeeping"], data=data).rows["Verdict"]) == [
        "wrong",
        "unsupported",
        "partly supported",
    ]
    with pytest.raises(ValueError, match="no claim with topic 'oil'"):
        tables.claims_table("oil", data=data)


def test_figure_text_and_attribution(data):
    f = glue.figure("pk_troops", data=data)
    assert f.value == 1960 and isinstance(f.value, int)
    assert f.text == "1,960"
    assert f.phrase == "1,960 (according to Trilateral statement, as of 10 Nov 2020 {cite}`azmod2021`)"
    g = glue.figure("oil_price", data=data)
    assert g.text == "41.5" and "USD per barrel" in g.phrase


def test_casualty_record_is_a_figure_too(data):
    f = glue.figure("az_ganja", data=data)
    assert f.text == "more than 26" and f.value == 26
    assert f.phrase == "more than 26 (according to Azerbaijan, as of 1 Dec 2020 {cite}`azmod2021`)"
    essay = glue.figure("essay_az", data=data)
    assert essay.phrase == "7,630 (according to the 2020 essay, as of 15 Nov 2020 {cite}`essay2020`)"


def test_unknown_figure_is_named(data):
    with pytest.raises(KeyError, match="no figure 'nope': it is neither a figure_id of data/figures.csv"):
        glue.figure("nope", data=data)


def test_glue_values_are_plain_python(data):
    values = glue.glue_values("pk_troops", data=data)
    assert values["pk_troops"] == "1,960" and type(values["pk_troops"]) is str
    assert values["pk_troops_attr"].data.startswith("1,960 (according to")
    assert values["pk_troops_cite"].data == "{cite}`azmod2021`"
    assert values["pk_troops_date"] == "10 Nov 2020"


@pytest.mark.parametrize(
    "value, low, high, text",
    [
        (2906, None, None, "2,906"),
        (None, 300, 400, "300–400"),
        (53.92, None, None, "53.92"),
        (None, None, None, ""),
    ],
)
def test_format_range(value, low, high, text):
    assert render.format_range(value, low, high) == text


def test_unknown_source_key_is_named():
    with pytest.raises(KeyError, match="'nokey' is not in references.bib"):
        render.source_label("nokey")


def test_text_is_escaped(data):
    data["claims"].loc[0, "essay_quote"] = "<script>alert(1)</script>"
    assert "<script>alert" not in tables.claims_table(data=data).html


def test_statement_rows_in_text_order_with_outcomes(data):
    t = tables.statement_table(data=data)
    assert list(t.rows["What the statement says (paraphrased)"]) == [
        "Ceasefire",
        "Kalbajar by 15 Nov",
        "Lachin by 1 Dec",
        "Safe passage",
    ]
    assert list(t.rows["Outcome"])[1] == "implemented late (25 Nov 2020)"
    assert list(t.rows["Deadline"])[3] == "—"
    assert list(t.rows["What the 2020 essay says"]) == ["", "“for 10 years” partly supported", "", ""]


def test_statement_without_essay_links_has_no_essay_column(data):
    data["claims"] = data["claims"].drop(columns=["statement_point"])
    assert "What the 2020 essay says" not in tables.statement_table(data=data).rows.columns


def test_ceasefires_filtered_by_years_and_sorted(data):
    t = tables.ceasefire_table(2020, 2020, data=data)
    assert list(t.rows["Ceasefire"]) == ["Moscow", "Washington"]
    assert list(t.rows["In force (local time)"]) == ["10 Oct 2020 12:00", "26 Oct 2020 08:00"]
    assert list(t.rows["Mediator"]) == ["Russia", "United States"]
    assert list(t.rows["How it ended"]) == ["broken", "Shelling"]
    with pytest.raises(ValueError, match="no ceasefire in force between 2021 and 2021"):
        tables.ceasefire_table(2021, 2021, data=data)


def test_madrid_table_sorted_with_points(data):
    t = tables.madrid_table(data=data)
    assert list(t.rows["Madrid Principle (2009 wording)"]) == ["return of territories", "interim status"]
    assert list(t.rows["Statement points"]) == ["1, 2, 6", "—"]


def test_any_numeric_cell_is_a_figure(data):
    f = glue.figure("ceasefires/1994/held_days", data=data)
    assert f.text == "7,996" and f.phrase == "7,996 {cite}`rferl2021`"
    with pytest.raises(KeyError, match="no row ceasefire_id='1995'"):
        glue.figure("ceasefires/1995/held_days", data=data)
    with pytest.raises(KeyError, match="has no value in column 'held_days'"):
        data["ceasefires"].loc[0, "held_days"] = pd.NA
        glue.figure("ceasefires/2020_10_26/held_days", data=data)


def test_glue_values_named_and_path_ids(data):
    values = glue.glue_values(held="ceasefires/1994/held_days", data=data)
    assert values["held"] == "7,996"
    with pytest.raises(ValueError, match="pass it as a keyword argument"):
        glue.glue_values("ceasefires/1994/held_days", data=data)


def test_days_between_events(data):
    assert tables.days_between_events("war", "statement", data=data) == 44
    with pytest.raises(KeyError, match="no event_id 'peace'"):
        tables.days_between_events("war", "peace", data=data)


def test_madrid_counts(data):
    assert tables.madrid_counts(data=data) == {"all": "2", "yes": "1", "partly": "0", "no": "1"}


def test_military_before_civilian_within_a_side(data):
    html = tables.casualty_table(side="azerbaijan", data=data).html
    headers = re.findall(r'<tr class="cf-group"><th[^>]*>([^<]*)<', html)
    assert headers == ["Azerbaijan — military — killed ", "Azerbaijan — civilian — killed "]


def test_caption_names_the_selection(data):
    caption = tables.casualty_table(category="civilian", measure="killed", latest=True, data=data).caption
    assert caption == (
        "Casualties (2020-war: civilian; killed): the latest figure of each reporting party, "
        "with who reported it, when, and the source"
    )

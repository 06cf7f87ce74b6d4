"""widgets.charts: every chart builds from the real data, is byte-identical from call to call, carries alt text and a
caption that names its rows, keeps its ids to itself, and refuses broken input with a clear message."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from widgets import charts
from widgets.data import load

NAMES = sorted(charts.CHARTS)


@pytest.fixture(scope="module")
def drawn():
    return {name: charts.CHARTS[name]() for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_chart_is_deterministic(drawn, name):
    again = charts.CHARTS[name]()
    assert again.svg == drawn[name].svg
    assert again.html() == drawn[name].html()


@pytest.mark.parametrize("name", NAMES)
def test_chart_svg_is_clean_inline_svg(drawn, name):
    chart = drawn[name]
    svg = chart.svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    ET.fromstring(svg)  # well-formed XML
    assert "<?xml" not in svg and "DOCTYPE" not in svg and "<script" not in svg.lower()
    assert "dc:date" not in svg and "<metadata" not in svg, "no date or other metadata"
    assert "<text" in svg, "text stays text (svg.fonttype none), searchable and scalable"
    assert charts.INK not in svg and "currentColor" in svg, "text and axes follow the page's colour"
    assert 'style="fill: #ffffff"' not in svg, "transparent background"
    # Every id is the chart's own, so two charts on one page never clash.
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith(chart.name) for i in ids)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', svg):
        assert ref in ids, f"dangling reference #{ref}"


@pytest.mark.parametrize("name", NAMES)
def test_chart_has_alt_text_and_caption(drawn, name):
    chart = drawn[name]
    page = chart._repr_html_()
    assert page.startswith("<figure") and "<figcaption" in page and 'role="img"' in page
    assert 'aria-label="' in page and len(chart.alt) > 80, "a real description, not a label"
    assert f'<title id="{chart.name}-title">' in chart.svg and f'<desc id="{chart.name}-desc">' in chart.svg
    bundle = chart._repr_mimebundle_()
    assert bundle["text/html"] == page and bundle["text/plain"].startswith("Chart ")
    if chart.table:
        assert f"{chart.table}.csv" in chart.caption
        assert chart.rows and all(r in chart.caption for r in chart.rows), "the caption names every row drawn"
        assert "references.bib" in chart.caption
    else:
        assert "No data rows" in chart.caption


def test_charts_on_one_page_have_distinct_ids(drawn):
    ids = [i for c in drawn.values() for i in re.findall(r'\bid="([^"]+)"', c.html())]
    assert len(ids) == len(set(ids))


def test_palette_has_contrast_in_both_themes():
    for colour in charts.PALETTE.values():
        for background in charts.BACKGROUNDS.values():
            assert charts.contrast(colour, background) >= 3.0, (colour, background)


def test_toll_chart_rows_and_attribution(drawn):
    chart = drawn["toll_chart"]
    data = load()["casualties"]
    mine = data[data["record_id"].isin(chart.rows)]
    assert set(mine["claim_type"]) == {"own_losses"} and set(mine["measure"]) == {"killed"}
    assert "am_mil_namelist_20201118" not in chart.rows and "am_mil_namelist_20201118" in chart.caption
    assert (
        "according to Azerbaijan&#x27;s Ministry of Defence" in chart.svg
        or "according to Azerbaijan's Ministry of Defence" in chart.svg
    )


def test_scenario_charts_agree_with_the_model(drawn):
    from widgets.scenarios import renewed_war_probability

    p = renewed_war_probability(factor="combined")
    assert f"P(renewed war) = {p:.3f}" in drawn["scenario_tree_chart"].svg
    assert f"{p:.3f}" in drawn["sensitivity_chart"].alt
    # Varying one node: the chart's formula against the model's.
    order, states, _, branches, conditions = charts._scenario_inputs(load(), "test", "combined")
    for x in (0.0, 0.3, 1.0):
        probs = {"armenia_leadership": {"pashinyan_stays": x, "successor": 1 - x}}
        assert charts._p_war(order, states, branches, conditions, probs) == pytest.approx(
            renewed_war_probability(probs, factor="combined")
        )


def test_brier_chart_agrees_with_the_scores(drawn):
    from widgets.forecasts import baseline_scores, essay_scores

    fc = load()["forecasts"]
    assert f"{essay_scores(fc)['brier']:.3f}" in drawn["brier_chart"].alt
    assert f"{baseline_scores(fc)['brier']:.3f}" in drawn["brier_chart"].alt


def _package(**tables):
    data = dict(load())
    data.update(tables)
    return data


@pytest.mark.parametrize(
    "name,table",
    [
        ("toll_chart", "casualties"),
        ("ceasefire_chart", "ceasefires"),
        ("scenario_tree_chart", "scenario_branches"),
        ("sensitivity_chart", "scenario_states"),
        ("brier_chart", "forecasts"),
        ("economy_chart", "economy"),
    ],
)
def test_empty_table_is_a_clear_error(name, table):
    empty = load()[table].iloc[0:0]
    with pytest.raises(charts.ChartError, match=rf"{name}: .*{table}"):
        charts.CHARTS[name](data=_package(**{table: empty}))


@pytest.mark.parametrize(
    "name,table,column",
    [
        ("toll_chart", "casualties", "as_of"),
        ("ceasefire_chart", "ceasefires", "held_days"),
        ("economy_chart", "economy", "value"),
    ],
)
def test_missing_column_is_a_clear_error(name, table, column):
    broken = load()[table].drop(columns=[column])
    with pytest.raises(charts.ChartError, match=rf"lacks the column\(s\) {column}"):
        charts.CHARTS[name](data=_package(**{table: broken}))


def test_other_broken_inputs():
    with pytest.raises(charts.ChartError, match="no table 'economy'"):
        charts.economy_chart(data={})
    with pytest.raises(charts.ChartError, match="mapping"):
        charts.toll_chart(data=[1, 2])
    with pytest.raises(charts.ChartError, match="no own-loss rows"):
        charts.toll_chart(conflict="no-such-war")
    with pytest.raises(charts.ChartError, match="lacks the row"):
        economy = load()["economy"]
        charts.economy_chart(data=_package(economy=economy[economy["figure_id"] != "brent_month_2020_04"]))
    with pytest.raises(charts.ChartError, match="explorer 'nope'"):
        charts.scenario_tree_chart(explorer="nope")
    with pytest.raises(charts.ChartError, match="steps"):
        charts.sensitivity_chart(steps=1)
    with pytest.raises(charts.ChartError, match="paths"):
        charts.random_walk_chart(paths=0)
    ceasefires = load()["ceasefires"]
    ceasefires.loc[ceasefires["ceasefire_id"] == "2016_april_moscow", "held_days"] = pd.NA
    with pytest.raises(charts.ChartError, match="2016_april_moscow"):
        charts.ceasefire_chart(data=_package(ceasefires=ceasefires))


def test_no_forecast_to_score_is_a_clear_error():
    fc = load()["forecasts"]
    fc["scored"] = False
    with pytest.raises(charts.ChartError, match="brier_chart: the essay has no scored forecast"):
        charts.brier_chart(data=_package(forecasts=fc))


def test_older_matplotlib_without_svg_id_gets_the_same_root_id(drawn, monkeypatch):
    """The browser's matplotlib (Pyodide) predates the `svg.id` setting: the chart's root still gets its id, which
    its own style rule and the page's CSS address."""
    import types

    import matplotlib as mpl

    old = types.SimpleNamespace(rcParams={k: v for k, v in mpl.rcParams.items() if k != "svg.id"})
    old.rc_context = mpl.rc_context
    monkeypatch.setattr(charts, "mpl", old)
    chart = charts.CHARTS["brier_chart"]()
    name = chart.name
    root = ET.fromstring(chart.svg)
    assert root.get("id") == f"{name}-svg", root.attrib
    assert f"#{name}-svg *" in chart.svg
    assert re.findall(r'\bid="([^"]+)"', chart.svg).count(f"{name}-svg") == 1
    assert ET.fromstring(drawn["brier_chart"].svg).get("id") == f"{name}-svg"

"""Unit tests of the scenario model (widgets.scenarios): probabilities, edge cases, errors, and the explorer output."""

from __future__ import annotations

import itertools
import json
import math
import re

import pandas as pd
import pytest

import widgets.data
from widgets import scenarios as sc
from widgets.scenarios import EXPLORERS, ScenarioError, branch_table, renewed_war_probability


@pytest.fixture(scope="module")
def model():
    return sc.scenario_model()


def degenerate(model, factor, states):
    """Probabilities that put all weight on one state of each of the explorer's nodes."""
    node_ids, _ = model.explorers[factor]
    return {n: {s: float(s == st) for s in model.nodes[n].state_ids()} for n, st in zip(node_ids, states)}


def test_every_explorer_covers_each_combination_once(model):
    for factor in EXPLORERS:
        node_ids, branches = model.explorers[factor]
        combos = [tuple(s for _, s in b.conditions) for b in branches]
        expected = list(itertools.product(*(model.nodes[n].state_ids() for n in node_ids)))
        assert sorted(combos) == sorted(expected), factor


def test_the_essays_nodes_and_states_are_modelled(model):
    states = {n: set(node.state_ids()) for n, node in model.nodes.items()}
    assert states["russia_commitment"] == {"limited", "robust"}
    assert states["russia_evenhandedness"] == {"even_handed", "tilted"}
    assert states["sapsan_syria"] == {"fails", "succeeds"}
    assert states["armenia_leadership"] == {"pashinyan_stays", "successor"}
    assert {"aliyev_resolve", "un_involvement"} <= set(states)
    # The essay's two concluding scenarios: after a leadership change, Sapsan failing vs succeeding.
    armenia = {b.branch_id: b for b in model.explorers["armenia"][1]}
    assert armenia["armenia-successor-succeeds"].verdict == "high"
    assert armenia["armenia-successor-succeeds"].basis == "stated"
    assert "turn a blind eye" in armenia["armenia-successor-succeeds"].essay_quote


@pytest.mark.parametrize("factor", EXPLORERS)
def test_defaults_give_the_weighted_sum(model, factor):
    _, branches = model.explorers[factor]
    expected = 0.0
    for b in branches:
        p = math.prod(dict((s, p) for s, _, p in model.nodes[n].states)[st] for n, st in b.conditions)
        expected += p * b.default_p_war
    assert renewed_war_probability(factor=factor) == pytest.approx(expected, abs=1e-12)
    table = branch_table(factor=factor)
    assert table["p_branch"].sum() == pytest.approx(1.0, abs=1e-12)
    assert table["share"].sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("factor", EXPLORERS)
def test_all_zero_and_all_one(model, factor):
    ids = [b.branch_id for b in model.explorers[factor][1]]
    assert renewed_war_probability(p_war={i: 0 for i in ids}, factor=factor) == 0.0
    assert renewed_war_probability(p_war={i: 1 for i in ids}, factor=factor) == pytest.approx(1.0, abs=1e-12)
    zero = branch_table(p_war={i: 0.0 for i in ids}, factor=factor)
    assert (zero["share"] == 0).all()  # no division by zero when nothing carries risk


@pytest.mark.parametrize("factor", EXPLORERS)
def test_a_single_certain_branch_carries_everything(model, factor):
    node_ids, branches = model.explorers[factor]
    for b in branches:
        probs = degenerate(model, factor, [s for _, s in b.conditions])
        assert renewed_war_probability(probs, factor=factor) == pytest.approx(b.default_p_war, abs=1e-15)
        table = branch_table(probs, factor=factor).set_index("branch_id")
        assert table.loc[b.branch_id, "p_branch"] == 1.0
        assert table["p_branch"].sum() == 1.0
        if b.default_p_war > 0:
            assert table.loc[b.branch_id, "share"] == 1.0


def test_nodes_outside_the_explorer_are_accepted_and_ignored():
    base = renewed_war_probability(factor="russia")
    other = {"armenia_leadership": {"pashinyan_stays": 0.0, "successor": 1.0}}
    assert renewed_war_probability(other, factor="russia") == base


def test_reader_probabilities_change_the_result():
    low = renewed_war_probability({"armenia_leadership": {"pashinyan_stays": 1, "successor": 0}}, factor="armenia")
    high = renewed_war_probability({"armenia_leadership": {"pashinyan_stays": 0, "successor": 1}}, factor="armenia")
    assert low < high  # the essay: a pro-Russian successor raises the risk


@pytest.mark.parametrize(
    "probs, p_war, words",
    [
        ({"armenia_leadership": {"pashinyan_stays": 0.5, "successor": 1.5}}, None, ["armenia_leadership", "outside"]),
        ({"armenia_leadership": {"pashinyan_stays": -0.1, "successor": 1.1}}, None, ["armenia_leadership", "outside"]),
        ({"armenia_leadership": {"pashinyan_stays": "0.5", "successor": 0.5}}, None, ["armenia_leadership", "number"]),
        ({"armenia_leadership": {"pashinyan_stays": None, "successor": 0.5}}, None, ["armenia_leadership", "number"]),
        ({"armenia_leadership": {"pashinyan_stays": True, "successor": 0}}, None, ["armenia_leadership", "number"]),
        ({"armenia_leadership": {"pashinyan_stays": float("nan"), "successor": 0.5}}, None, ["armenia_leadership"]),
        (
            {"armenia_leadership": {"pashinyan_stays": 0.4, "successor": 0.4}},
            None,
            ["armenia_leadership", "sum to 0.8"],
        ),
        ({"armenia_leadership": {"successor": 0.4}}, None, ["armenia_leadership", "sum to 0.4"]),
        ({"armenia_leadership": {"kocharyan": 1.0}}, None, ["armenia_leadership", "unknown state 'kocharyan'"]),
        ({"armenia_leadrship": {"successor": 1.0}}, None, ["unknown node 'armenia_leadrship'"]),
        ({"armenia_leadership": 0.5}, None, ["armenia_leadership", "mapping"]),
        ([("armenia_leadership", 1)], None, ["mapping"]),
        (None, {"armenia-successor-succeeds": 2}, ["armenia-successor-succeeds", "outside"]),
        (None, {"armenia-successor-succeeds": "high"}, ["armenia-successor-succeeds", "number"]),
        (None, {"russia-robust-even": 0.5}, ["unknown branch 'russia-robust-even'"]),
    ],
)
def test_bad_input_raises_a_clear_error(probs, p_war, words):
    with pytest.raises(ScenarioError) as info:
        renewed_war_probability(probs, p_war, factor="armenia")
    for w in words:
        assert w in str(info.value)


def test_unknown_explorer_is_refused():
    with pytest.raises(ScenarioError, match="unknown explorer 'turkey'"):
        sc.scenario_explorer("turkey")


def test_sum_tolerance_accepts_typed_decimals():
    probs = {"un_involvement": {"none": 0.1 + 0.2 + 0.6, "un_force": 0.1}}
    assert 0 <= renewed_war_probability(probs) <= 1


def _drop_branch(data):
    b = data["scenario_branches"]
    data["scenario_branches"] = b[b["branch_id"] != "russia-limited-tilted"]


def _skew_defaults(data):
    s = data["scenario_states"]
    s.loc[(s["node_id"] == "sapsan_syria") & (s["state_id"] == "fails"), "default_p"] = 0.9


def _misspell_state(data):
    b = data["scenario_branches"]
    b.loc[b["branch_id"] == "russia-robust-even", "conditions"] = (
        "russia_commitment=robustt;russia_evenhandedness=even_handed"
    )


@pytest.mark.parametrize(
    "edit, message",
    [
        (_drop_branch, "explorer 'russia'.*exactly once"),
        (_skew_defaults, "node 'sapsan_syria'.*sum to 1.4"),
        (_misspell_state, "branch 'russia-robust-even': node 'russia_commitment' has no state 'robustt'"),
    ],
)
def test_an_inconsistent_tree_is_refused(monkeypatch, edit, message):
    data = {name: widgets.data.load()[name] for name in ("scenario_nodes", "scenario_states", "scenario_branches")}
    edit(data)
    monkeypatch.setattr(widgets.data, "load", lambda root=None: data)
    with pytest.raises(ScenarioError, match=message):
        sc.scenario_model()


def test_static_explorers_have_distinct_deterministic_ids():
    a, b = sc.scenario_html("armenia"), sc.scenario_html("armenia")
    ids_a = set(re.findall(r'\bid="([^"]+)"', a))
    ids_b = set(re.findall(r'\bid="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b
    names_a = set(re.findall(r'(?<![-\w])name="([^"]+)"', a))
    assert names_a and not names_a & set(re.findall(r'(?<![-\w])name="([^"]+)"', b))
    assert sc.scenario_html("armenia", uid="x-1") == sc.scenario_html("armenia", uid="x-1")


def test_static_explorer_is_offline_accessible_and_carries_the_python_model():
    page = sc.scenario_html("combined", uid="t-1")
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)
    assert "<fieldset>" in page and "<legend>" in page and 'role="status"' in page and 'role="alert"' in page
    assert len(re.findall(r'<label for="t-1-c\d+">', page)) == page.count("<input ")
    spec = json.loads(
        re.search(r'<script type="application/json" class="xp-data">(.*?)</script>', page, re.S)
        .group(1)
        .replace("<\\/", "</")
    )
    assert spec == json.loads(json.dumps(sc.model_spec("combined")))
    assert "book’s reading" in page  # defaults are labelled as the book's, not the essay's


def test_explorer_html_rejects_unknown_control_kinds():
    from widgets.explorer import explorer_html

    with pytest.raises(ValueError, match="unknown control kind 'slider'"):
        explorer_html("u-1", "t", [{"legend": "l", "controls": [{"kind": "slider", "name": "x"}]}], {}, "null")


def test_mimebundle_has_live_widget_static_html_and_a_stable_repr():
    x = sc.scenario_explorer("russia")
    bundle = x._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "text/html", "text/plain"} <= set(bundle)
    assert bundle["text/plain"] == "ScenarioExplorer(factor='russia')"
    assert "0x" not in bundle["text/plain"]
    assert bundle["text/html"].startswith('<section class="xp" id="scen-russia-')


def test_live_widget_callbacks_recompute():
    x = sc.scenario_explorer("armenia")
    x.widget()
    before = x.result.value
    x.controls["s:armenia_leadership"].value = "successor"
    x.controls["s:sapsan_syria"].value = "succeeds"
    assert 'data-branch="armenia-successor-succeeds"' in x.result.value and x.result.value != before
    x.controls["p:armenia_leadership:successor"].value = 0.9
    assert "sum to 1.4" in x.result.value and "Probability of renewed war" not in x.result.value
    x.controls["p:armenia_leadership:pashinyan_stays"].value = 0.1
    expected = renewed_war_probability(
        {"armenia_leadership": {"pashinyan_stays": 0.1, "successor": 0.9}}, factor="armenia"
    )
    assert f"Probability of renewed war: {expected:.1%}" in x.result.value


def test_branch_table_columns():
    table = branch_table(factor="russia")
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == [
        "branch_id",
        "russia_commitment",
        "russia_evenhandedness",
        "p_branch",
        "p_war_given_branch",
        "contribution",
        "share",
        "verdict",
        "basis",
        "observed",
    ]


def test_states_read_from_the_essays_words_use_the_one_number_of_their_term():
    """One number for each verbal probability: a state with a `term` defaults to that term's point, as in the scores."""
    data = widgets.data.load()
    points = dict(zip(data["probability_words"]["term"], data["probability_words"]["point"]))
    states = data["scenario_states"].dropna(subset=["term"])
    assert {"very unlikely", "roughly even chance"} <= set(states["term"])
    for s in states.itertuples(index=False):
        assert s.default_p == pytest.approx(points[s.term]), (s.node_id, s.state_id)
    model = sc.scenario_model()
    un = dict((s, p) for s, _, p in model.nodes["un_involvement"].states)
    assert un["un_force"] == pytest.approx(points["very unlikely"]) and un["none"] == pytest.approx(1 - un["un_force"])


def test_a_state_whose_default_differs_from_its_terms_point_is_refused(monkeypatch):
    names = ("scenario_nodes", "scenario_states", "scenario_branches", "probability_words")
    data = {name: widgets.data.load()[name].copy() for name in names}
    s = data["scenario_states"]
    s.loc[(s["node_id"] == "un_involvement") & (s["state_id"] == "un_force"), "default_p"] = 0.05
    s.loc[(s["node_id"] == "un_involvement") & (s["state_id"] == "none"), "default_p"] = 0.95
    monkeypatch.setattr(widgets.data, "load", lambda root=None: data)
    with pytest.raises(ScenarioError, match=r"un_force.*0\.05 is not the point 0\.1 of its term 'very unlikely'"):
        sc.scenario_model()

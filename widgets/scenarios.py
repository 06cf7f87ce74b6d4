"""The 2020 essay's scenario tree: the model, its probabilities, and one explorer (live in Jupyter, static in the book).

Model (data/scenario_nodes.csv, scenario_states.csv, scenario_branches.csv): uncertain *nodes* (Russia's commitment,
Aliyev's resolve, ...) each take one of their *states*; an *explorer* (`russia`, `aliyev`, `armenia`, `combined`)
looks at a few nodes, and each combination of their states is one *branch* carrying the essay's qualitative verdict
on the risk of renewed fighting, a verbatim quote, and what actually happened. In the probabilistic mode nodes are
independent: P(branch) = product of P(state) over the explorer's nodes, and
P(renewed war) = sum over branches of P(branch) * P(renewed war | branch). Every default probability is the book's
reading of the essay; the essay gives no numbers.

Python is the one source of truth: the static explorer receives the model as JSON and computes with the same formula
in JavaScript (static/scenarios.js; tests/test_scenarios_browser.py compares the two on random inputs).
"""

from __future__ import annotations

import html
import itertools
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from widgets.explorer import Explorer, error_box, live_style
from widgets.render import bibliography, book_data, category_labels, is_missing, source_html

EXPLORERS = ("russia", "aliyev", "armenia", "combined")
# How verdicts, bases and observations read: the `categories` of scenario_branches in data/datapackage.json.
LABELLED = ("verdict", "basis", "observed")
# Probabilities typed by a reader (0.1 + 0.2 + 0.7) rarely sum to exactly 1 in floating point.
SUM_TOLERANCE = 1e-6
_model_cache: list = []


class ScenarioError(ValueError):
    """Bad input to the scenario model; the message names the node or branch and what is wrong."""


@dataclass(frozen=True)
class Node:
    """One uncertain factor: its id, wording, the essay's words on it and its states (id, label, default P)."""

    node_id: str
    label: str
    question: str
    essay_quote: str
    default_basis: str
    states: tuple[tuple[str, str, float], ...]

    def state_ids(self) -> list[str]:
        return [s[0] for s in self.states]


@dataclass(frozen=True)
class Branch:
    """One combination of states of an explorer's nodes and what the essay (and the record) says of it."""

    branch_id: str
    conditions: tuple[tuple[str, str], ...]
    verdict: str
    basis: str
    essay_quote: str
    reasoning: str
    default_p_war: float
    observed: str
    observed_note: str
    observed_source: tuple[str, ...]
    source: tuple[str, ...]


@dataclass(frozen=True)
class Model:
    """All nodes, and for each explorer its node ids (in order) and its branches."""

    nodes: dict[str, Node]
    explorers: dict[str, tuple[tuple[str, ...], tuple[Branch, ...]]]
    labels: dict[str, dict[str, str]]


def scenario_model(*, data: Mapping | None = None) -> Model:
    """The validated scenario model read from the data package (raises ScenarioError if the tree is inconsistent)."""
    data = book_data(data)
    if _model_cache and _model_cache[0] is data:
        return _model_cache[1]
    nodes_df, states_df, branches_df = data["scenario_nodes"], data["scenario_states"], data["scenario_branches"]
    nodes = {}
    for row in nodes_df.itertuples(index=False):
        st = states_df[states_df["node_id"] == row.node_id]
        states = tuple((s.state_id, s.label, float(s.default_p)) for s in st.itertuples(index=False))
        if len(states) < 2:
            raise ScenarioError(f"node {row.node_id!r}: needs at least two states in scenario_states.csv")
        total = sum(s[2] for s in states)
        if abs(total - 1.0) > SUM_TOLERANCE:
            raise ScenarioError(f"node {row.node_id!r}: default probabilities of its states sum to {total:g}, not 1")
        _check_terms(row.node_id, st, data)
        nodes[row.node_id] = Node(row.node_id, row.label, row.question, row.essay_quote, row.default_basis, states)
    keys = set(bibliography(data))
    explorers = {}
    for name in EXPLORERS:
        rows = branches_df[branches_df["explorer"] == name]
        branches = tuple(_branch(r, nodes, keys) for r in rows.itertuples(index=False))
        if not branches:
            raise ScenarioError(f"explorer {name!r}: has no branches in scenario_branches.csv")
        node_ids = tuple(n for n, _ in branches[0].conditions)
        expected = set(itertools.product(*(nodes[n].state_ids() for n in node_ids)))
        seen = []
        for b in branches:
            if tuple(n for n, _ in b.conditions) != node_ids:
                raise ScenarioError(f"branch {b.branch_id!r}: must name the nodes {', '.join(node_ids)} in that order")
            seen.append(tuple(s for _, s in b.conditions))
        if len(seen) != len(set(seen)) or set(seen) != expected:
            missing = sorted(expected - set(seen))
            raise ScenarioError(
                f"explorer {name!r}: branches must cover each combination of states exactly once "
                f"(missing {missing}, {len(seen) - len(set(seen))} duplicated)"
            )
        explorers[name] = (node_ids, branches)
    model = Model(nodes, explorers, {f: category_labels(data, "scenario_branches", f) for f in LABELLED})
    # load() returns the same object while no data file changed, so the model is rebuilt exactly when data changes.
    _model_cache[:] = [data, model]
    return model


def _check_terms(node_id: str, states: pd.DataFrame, data: Mapping) -> None:
    """One number for each verbal probability: a state whose default reads a likelihood phrase of the essay (its
    `term`) must default to that term's point in data/probability_words.csv, as the forecast scores do."""
    if "term" not in states or "probability_words" not in data:
        return
    points = dict(zip(data["probability_words"]["term"], data["probability_words"]["point"]))
    for s in states.itertuples(index=False):
        if is_missing(s.term):
            continue
        if s.term not in points:
            raise ScenarioError(f"node {node_id!r}, state {s.state_id!r}: term {s.term!r} is not in probability_words")
        if abs(float(s.default_p) - float(points[s.term])) > SUM_TOLERANCE:
            raise ScenarioError(
                f"node {node_id!r}, state {s.state_id!r}: default_p {float(s.default_p):g} is not the point "
                f"{float(points[s.term]):g} of its term {s.term!r} (data/probability_words.csv)"
            )


def _branch(row, nodes: Mapping[str, Node], keys: set[str]) -> Branch:
    conditions = tuple(tuple(pair.split("=", 1)) for pair in row.conditions.split(";"))
    for node_id, state_id in conditions:
        if node_id not in nodes:
            raise ScenarioError(f"branch {row.branch_id!r}: unknown node {node_id!r}")
        if state_id not in nodes[node_id].state_ids():
            raise ScenarioError(f"branch {row.branch_id!r}: node {node_id!r} has no state {state_id!r}")
    observed_source = tuple(row.observed_source.split(";"))
    unknown = [k for k in observed_source if k not in keys]
    if unknown:
        raise ScenarioError(f"branch {row.branch_id!r}: observed_source key(s) {unknown} not in references.bib")
    return Branch(
        row.branch_id,
        conditions,
        row.verdict,
        row.basis,
        row.essay_quote,
        row.reasoning,
        float(row.default_p_war),
        row.observed,
        row.observed_note,
        observed_source,
        tuple(row.source.split(";")),
    )


def branch_label(model: Model, branch: Branch) -> str:
    """A branch's states in words, e.g. 'A pro-Russian successor · Succeeds'."""
    return " · ".join(dict((s, lab) for s, lab, _ in model.nodes[n].states)[st] for n, st in branch.conditions)


def _explorer(model: Model, factor: str | None) -> tuple[tuple[str, ...], tuple[Branch, ...]]:
    name = factor or "combined"
    if name not in model.explorers:
        raise ScenarioError(f"unknown explorer {name!r}; choose one of {', '.join(EXPLORERS)}")
    return model.explorers[name]


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ScenarioError(f"{where}: probability must be a number between 0 and 1, got {value!r}")
    p = float(value)
    if math.isnan(p) or not 0.0 <= p <= 1.0:
        raise ScenarioError(f"{where}: probability {p!r} is outside [0, 1]")
    return p


def checked_state_probabilities(model: Model, probs: Mapping | None) -> dict[str, dict[str, float]]:
    """Every node's state probabilities: the reader's (`{node: {state: p}}`) where given, else the defaults."""
    probs = {} if probs is None else probs
    if not isinstance(probs, Mapping):
        raise ScenarioError(f"probabilities must be a mapping {{node: {{state: p}}}}, got {type(probs).__name__}")
    out = {n: {s: p for s, _, p in node.states} for n, node in model.nodes.items()}
    for node_id, given in probs.items():
        if node_id not in model.nodes:
            raise ScenarioError(f"unknown node {node_id!r}; known nodes: {', '.join(model.nodes)}")
        if not isinstance(given, Mapping):
            raise ScenarioError(f"node {node_id!r}: give a mapping {{state: probability}}, got {given!r}")
        states = model.nodes[node_id].state_ids()
        for state_id in given:
            if state_id not in states:
                raise ScenarioError(f"node {node_id!r}: unknown state {state_id!r}; its states: {', '.join(states)}")
        values = {s: _number(given.get(s, 0.0), f"node {node_id!r}, state {s!r}") for s in states}
        total = sum(values.values())
        if abs(total - 1.0) > SUM_TOLERANCE:
            raise ScenarioError(f"node {node_id!r}: the probabilities of its states sum to {total:.6g}, not 1")
        out[node_id] = values
    return out


def checked_war_probabilities(model: Model, p_war: Mapping | None, factor: str | None = None) -> dict[str, float]:
    """P(renewed war | branch) for each branch of the explorer: the reader's where given, else the defaults."""
    _, branches = _explorer(model, factor)
    p_war = {} if p_war is None else p_war
    if not isinstance(p_war, Mapping):
        raise ScenarioError(f"war probabilities must be a mapping {{branch: p}}, got {type(p_war).__name__}")
    ids = [b.branch_id for b in branches]
    for branch_id in p_war:
        if branch_id not in ids:
            raise ScenarioError(
                f"unknown branch {branch_id!r} for explorer {factor or 'combined'!r}; its branches: {', '.join(ids)}"
            )
    return {b.branch_id: _number(p_war.get(b.branch_id, b.default_p_war), f"branch {b.branch_id!r}") for b in branches}


def branch_rows(model: Model, probs: Mapping | None, p_war: Mapping | None, factor: str | None) -> list[dict]:
    """Checked inputs turned into one dict per branch: states, P(branch), P(war | branch), contribution, share."""
    _, branches = _explorer(model, factor)
    sp = checked_state_probabilities(model, probs)
    pw = checked_war_probabilities(model, p_war, factor)
    rows = []
    for b in branches:
        p_branch = math.prod(sp[n][s] for n, s in b.conditions)
        rows.append(
            {
                "branch_id": b.branch_id,
                **dict(b.conditions),
                "p_branch": p_branch,
                "p_war_given_branch": pw[b.branch_id],
                "contribution": p_branch * pw[b.branch_id],
                "share": 0.0,
                "verdict": b.verdict,
                "basis": b.basis,
                "observed": b.observed,
            }
        )
    total = sum(r["contribution"] for r in rows)
    for r in rows:
        r["share"] = r["contribution"] / total if total > 0 else 0.0
    return rows


def branch_table(
    probs: Mapping | None = None,
    p_war: Mapping | None = None,
    factor: str | None = None,
    *,
    data: Mapping | None = None,
) -> pd.DataFrame:
    """One row per branch of the explorer: states, P(branch), P(war | branch), contribution, share, verdict."""
    return pd.DataFrame(branch_rows(scenario_model(data=data), probs, p_war, factor))


def renewed_war_probability(
    probs: Mapping | None = None,
    p_war: Mapping | None = None,
    factor: str | None = None,
    *,
    data: Mapping | None = None,
) -> float:
    """P(renewed war) = sum over the explorer's branches of P(branch) * P(war | branch); defaults where not given."""
    return sum(r["contribution"] for r in branch_rows(scenario_model(data=data), probs, p_war, factor))


def model_spec(factor: str | None = None, *, data: Mapping | None = None) -> dict:
    """The explorer's model as plain JSON-ready data: nodes with states and defaults, branches with verdicts."""
    model = scenario_model(data=data)
    node_ids, branches = _explorer(model, factor)
    bib = bibliography(data)
    return {
        "factor": factor or "combined",
        "tolerance": SUM_TOLERANCE,
        "nodes": [
            {
                "id": n,
                "label": model.nodes[n].label,
                "question": model.nodes[n].question,
                "quote": model.nodes[n].essay_quote,
                "default_basis": model.nodes[n].default_basis,
                "states": [{"id": s, "label": lab, "p": p} for s, lab, p in model.nodes[n].states],
            }
            for n in node_ids
        ],
        "branches": [
            {
                "id": b.branch_id,
                "label": branch_label(model, b),
                "when": dict(b.conditions),
                "verdict": b.verdict,
                "verdict_label": model.labels["verdict"][b.verdict],
                "basis_label": model.labels["basis"][b.basis],
                "quote": b.essay_quote,
                "reasoning": b.reasoning,
                "p_war": b.default_p_war,
                "observed": b.observed,
                "observed_label": model.labels["observed"][b.observed],
                "observed_note": b.observed_note,
                "observed_source": list(b.observed_source),
                "source": list(b.source),
                # The citations as the book shows them: labels linked to the bibliography, not raw keys.
                "observed_cite": source_html(";".join(b.observed_source), bib),
                "cite": source_html(";".join(b.source), bib),
            }
            for b in branches
        ],
    }


def scenario_html(
    factor: str | None = None,
    probs: Mapping | None = None,
    p_war: Mapping | None = None,
    uid: str | None = None,
    *,
    data: Mapping | None = None,
) -> str:
    """The static HTML/JS explorer for one factor (self-contained; computes in the page from the emitted model)."""
    explorer = ScenarioExplorer(factor, probs, p_war, data=data)
    if uid:
        explorer.uid = uid
    return explorer.html()


def _branch_html(model: Model, factor: str | None, selection: Mapping[str, str], probs, p_war) -> str:
    """The live widget's result: the chosen branch's verdict and the probability table, or the error message."""
    node_ids, branches = _explorer(model, factor)
    try:
        rows = branch_rows(model, probs, p_war, factor)
    except ScenarioError as exc:
        return live_style() + error_box(str(exc))
    b = next(b for b in branches if all(selection[n] == s for n, s in b.conditions))
    total = sum(r["contribution"] for r in rows)
    labels = {x.branch_id: branch_label(model, x) for x in branches}
    body = "".join(
        f"<tr><td>{_esc(labels[r['branch_id']])}</td><td>{r['p_branch']:.1%}</td>"
        f"<td>{r['p_war_given_branch']:.1%}</td><td>{r['share']:.1%}</td></tr>"
        for r in sorted(rows, key=lambda r: -r["contribution"])
    )
    return (
        f'<div data-branch="{_esc(b.branch_id)}"><p><strong>{_esc(labels[b.branch_id])}</strong>: the essay’s '
        f"verdict is <strong>{_esc(model.labels['verdict'][b.verdict])}</strong> "
        f"<small>({_esc(model.labels['basis'][b.basis])})</small></p><blockquote>“{_esc(b.essay_quote)}” "
        f"{source_html(';'.join(b.source))}</blockquote><p>{_esc(b.reasoning)}</p><p><strong>What happened</strong> "
        f"({_esc(model.labels['observed'][b.observed])}): {_esc(b.observed_note)} "
        f"{source_html(';'.join(b.observed_source))}"
        f"</p></div><p><strong>Probability of renewed war: {total:.1%}</strong> (the defaults are the book’s "
        f"reading of the essay)</p><table><tr><th>Branch</th><th>P(branch)</th><th>P(war | branch)</th>"
        f"<th>Share</th></tr>{body}</table>"
    )


class ScenarioExplorer(Explorer):
    """One explorer: a live ipywidget in Jupyter and a self-contained HTML/JS explorer in the built book."""

    compute = "scenarios.js"

    def __init__(
        self,
        factor: str | None = None,
        probs: Mapping | None = None,
        p_war: Mapping | None = None,
        *,
        data: Mapping | None = None,
    ):
        self.model = scenario_model(data=data)
        self.factor = factor or "combined"
        self.node_ids, self.branches = _explorer(self.model, self.factor)
        self.probs = checked_state_probabilities(self.model, probs)
        self.p_war = checked_war_probabilities(self.model, p_war, self.factor)
        self.spec = model_spec(self.factor, data=data)
        self.uid_prefix = f"scen-{self.factor}"
        self.title = f"Explore the branch: {', '.join(n['label'] for n in self.spec['nodes'])}"
        super().__init__()

    def __repr__(self) -> str:
        return f"ScenarioExplorer(factor={self.factor!r})"

    def fieldsets(self) -> list[dict]:
        fieldsets = []
        for n in self.spec["nodes"]:
            controls = [
                {"kind": "radio", "name": f"s:{n['id']}", "value": s["id"], "label": s["label"], "checked": k == 0}
                for k, s in enumerate(n["states"])
            ]
            controls += [
                {
                    "kind": "number",
                    "name": f"p:{n['id']}:{s['id']}",
                    "label": f"P({s['label']})",
                    "value": self.probs[n["id"]][s["id"]],
                }
                for s in n["states"]
            ]
            if len(n["states"]) == 2:
                # A two-state factor takes one number; the other state's probability follows (1 - p) and is shown.
                first, second = n["states"]
                controls[-1] = {
                    "kind": "complement",
                    "name": f"p:{n['id']}:{second['id']}",
                    "of": f"p:{n['id']}:{first['id']}",
                    "label": f"P({second['label']}) = 1 − P({first['label']})",
                    "value": 1 - self.probs[n["id"]][first["id"]],
                }
            fieldsets.append(
                {"legend": n["question"], "controls": controls, "help": f"Default probabilities: {n['default_basis']}"}
            )
        fieldsets.append(
            {
                "legend": "P(renewed war | branch): the book's reading, change it to yours",
                "advanced": "Advanced: the chance of renewed war on each branch",
                "controls": [
                    {"kind": "number", "name": f"w:{b['id']}", "label": b["label"], "value": self.p_war[b["id"]]}
                    for b in self.spec["branches"]
                ],
            }
        )
        return fieldsets

    def page_data(self) -> dict:
        return self.spec

    def page_options(self) -> dict:
        return {
            "intro": "<p><small>Choose a state for each factor to read the essay’s verdict on that branch; set the "
            "probabilities to see the chance of renewed war and which branches carry it.</small></p>"
        }

    def _selection(self) -> dict[str, str]:
        return {n: self.controls[f"s:{n}"].value for n in self.node_ids}

    def _update(self, _change=None) -> None:
        probs = {
            n: {s: self.controls[f"p:{n}:{s}"].value for s in self.model.nodes[n].state_ids()} for n in self.node_ids
        }
        p_war = {b.branch_id: self.controls[f"w:{b.branch_id}"].value for b in self.branches}
        self.result.value = _branch_html(self.model, self.factor, self._selection(), probs, p_war)

    def build_widget(self):
        """Radio buttons and number boxes whose callbacks recompute in Python."""
        import ipywidgets

        self.controls, boxes = {}, []
        for n in self.node_ids:
            node = self.model.nodes[n]
            radio = ipywidgets.RadioButtons(
                options=[(lab, s) for s, lab, _ in node.states], description="", layout={"width": "auto"}
            )
            self.controls[f"s:{n}"] = radio
            nums = [
                ipywidgets.FloatText(
                    value=self.probs[n][s], description=f"P({lab})", step=0.05, style={"description_width": "initial"}
                )
                for s, lab, _ in node.states
            ]
            for (s, _, _), w in zip(node.states, nums):
                self.controls[f"p:{n}:{s}"] = w
            if len(nums) == 2:
                # As on the page: a two-state factor takes one number, the other follows (1 - p) and is shown.
                first, second = nums
                second.disabled = True
                second.description = f"{second.description} = 1 − {first.description}"

                def follow(change, other=second):
                    other.value = 1 - change["new"] if change["new"] is not None else other.value

                first.observe(follow, names="value")
            boxes.append(
                ipywidgets.VBox([ipywidgets.HTML(f"<b>{_esc(node.question)}</b>"), radio, ipywidgets.HBox(nums)])
            )
        war = []
        for b in self.branches:
            w = ipywidgets.FloatText(
                value=self.p_war[b.branch_id],
                description=branch_label(self.model, b),
                step=0.05,
                style={"description_width": "initial"},
            )
            self.controls[f"w:{b.branch_id}"] = w
            war.append(w)
        advanced = ipywidgets.Accordion([ipywidgets.VBox(war)], titles=("Advanced: P(renewed war | branch)",))
        advanced.selected_index = None
        boxes.append(advanced)
        self.result = ipywidgets.HTML()
        for c in self.controls.values():
            c.observe(self._update, names="value")
        self._update()
        return ipywidgets.VBox([*boxes, self.result])


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def scenario_explorer(
    factor: str | None = None,
    probs: Mapping | None = None,
    p_war: Mapping | None = None,
    *,
    data: Mapping | None = None,
) -> ScenarioExplorer:
    """The scenario explorer for `factor` ("russia", "aliyev", "armenia" or "combined"; None means "combined")."""
    return ScenarioExplorer(factor, probs, p_war, data=data)

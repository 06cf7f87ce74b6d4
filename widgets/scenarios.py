"""The 2020 essay's scenario tree: the model, its probabilities, and one explorer that is live in Jupyter and static in the book.

Model (data/scenario_nodes.csv, scenario_states.csv, scenario_branches.csv): uncertain *nodes* (Russia's commitment,
Aliyev's resolve, ...) each take one of their *states*; an *explorer* (`russia`, `aliyev`, `armenia`, `combined`)
looks at a few nodes, and each combination of their states is one *branch* carrying the essay's qualitative verdict
on the risk of renewed fighting, a verbatim quote, and what actually happened. In the probabilistic mode nodes are
independent: P(branch) = product of P(state) over the explorer's nodes, and
P(renewed war) = sum over branches of P(branch) * P(renewed war | branch). Every default probability is the book's
reading of the essay; the essay gives no numbers.

Python is the one source of truth: the static explorer receives the model as JSON and computes with the same formula
in JavaScript (tests/test_scenarios_browser.py compares the two on random inputs).
"""
from __future__ import annotations

import html
import itertools
import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

EXPLORERS = ("russia", "aliyev", "armenia", "combined")
VERDICT_LABELS = {"lower": "lower risk", "raised": "raised risk", "high": "high risk"}
BASIS_LABELS = {"stated": "the essay says this of this branch",
                "combined": "the book combines effects the essay states separately"}
OBSERVED_LABELS = {"yes": "these conditions held", "partly": "some of these conditions held",
                   "no": "these conditions did not hold", "unknown": "not known"}
# Probabilities typed by a reader (0.1 + 0.2 + 0.7) rarely sum to exactly 1 in floating point.
SUM_TOLERANCE = 1e-6
_uids = itertools.count(1)
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


def scenario_model() -> Model:
    """The validated scenario model read from the data package (raises ScenarioError if the tree is inconsistent)."""
    from widgets.data import bib_keys, load

    data = load()
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
        nodes[row.node_id] = Node(row.node_id, row.label, row.question, row.essay_quote, row.default_basis, states)
    keys = bib_keys()
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
            raise ScenarioError(f"explorer {name!r}: branches must cover each combination of states exactly once "
                                f"(missing {missing}, {len(seen) - len(set(seen))} duplicated)")
        explorers[name] = (node_ids, branches)
    model = Model(nodes, explorers)
    # load() returns the same object while no data file changed, so the model is rebuilt exactly when data changes.
    _model_cache[:] = [data, model]
    return model


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
    return Branch(row.branch_id, conditions, row.verdict, row.basis, row.essay_quote, row.reasoning,
                  float(row.default_p_war), row.observed, row.observed_note, observed_source,
                  tuple(row.source.split(";")))


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
            raise ScenarioError(f"unknown branch {branch_id!r} for explorer {factor or 'combined'!r}; "
                                f"its branches: {', '.join(ids)}")
    return {b.branch_id: _number(p_war.get(b.branch_id, b.default_p_war), f"branch {b.branch_id!r}")
            for b in branches}


def branch_rows(model: Model, probs: Mapping | None, p_war: Mapping | None, factor: str | None) -> list[dict]:
    """Checked inputs turned into one dict per branch: states, P(branch), P(war | branch), contribution, share."""
    _, branches = _explorer(model, factor)
    sp = checked_state_probabilities(model, probs)
    pw = checked_war_probabilities(model, p_war, factor)
    rows = []
    for b in branches:
        p_branch = math.prod(sp[n][s] for n, s in b.conditions)
        rows.append({"branch_id": b.branch_id, **dict(b.conditions), "p_branch": p_branch,
                     "p_war_given_branch": pw[b.branch_id], "contribution": p_branch * pw[b.branch_id],
                     "share": 0.0, "verdict": b.verdict, "basis": b.basis, "observed": b.observed})
    total = sum(r["contribution"] for r in rows)
    for r in rows:
        r["share"] = r["contribution"] / total if total > 0 else 0.0
    return rows


def branch_table(probs: Mapping | None = None, p_war: Mapping | None = None, factor: str | None = None) -> pd.DataFrame:
    """One row per branch of the explorer: its states, P(branch), P(war | branch), contribution to P(war), share, verdict."""
    return pd.DataFrame(branch_rows(scenario_model(), probs, p_war, factor))


def renewed_war_probability(probs: Mapping | None = None, p_war: Mapping | None = None,
                            factor: str | None = None) -> float:
    """P(renewed war) = sum over the explorer's branches of P(branch) * P(war | branch); defaults where not given."""
    return sum(r["contribution"] for r in branch_rows(scenario_model(), probs, p_war, factor))


def model_spec(factor: str | None = None) -> dict:
    """The explorer's model as plain JSON-ready data: nodes with states and defaults, branches with verdicts."""
    model = scenario_model()
    node_ids, branches = _explorer(model, factor)
    return {
        "factor": factor or "combined",
        "tolerance": SUM_TOLERANCE,
        "nodes": [{"id": n, "label": model.nodes[n].label, "question": model.nodes[n].question,
                   "quote": model.nodes[n].essay_quote, "default_basis": model.nodes[n].default_basis,
                   "states": [{"id": s, "label": lab, "p": p} for s, lab, p in model.nodes[n].states]}
                  for n in node_ids],
        "branches": [{"id": b.branch_id, "label": branch_label(model, b), "when": dict(b.conditions),
                      "verdict": b.verdict,
                      "verdict_label": VERDICT_LABELS[b.verdict], "basis_label": BASIS_LABELS[b.basis],
                      "quote": b.essay_quote, "reasoning": b.reasoning, "p_war": b.default_p_war,
                      "observed": b.observed, "observed_label": OBSERVED_LABELS[b.observed],
                      "observed_note": b.observed_note, "observed_source": list(b.observed_source),
                      "source": list(b.source)} for b in branches],
    }


# ---------------------------------------------------------------------------------------------------------------
# Static explorer machinery (reusable): fieldsets + a JavaScript compute function, driven by a JSON spec.

_CSS = """
.xp{border:1px solid rgba(128,128,128,.45);border-radius:.4rem;padding:.8rem 1rem;margin:1rem 0;color:inherit}
.xp .xp-title{font-size:1.1em;margin:0 0 .4rem}
.xp legend,.xp blockquote,.xp cite,.xp th,.xp td,.xp strong,.xp .xp-title{color:inherit}
.xp fieldset{border:1px solid rgba(128,128,128,.35);border-radius:.3rem;margin:0 0 .6rem;padding:.4rem .8rem}
.xp legend{font-weight:600;font-size:1em;padding:0 .3rem;margin:0;width:auto;float:none}
.xp input{accent-color:#2563eb}
/* pydata-sphinx-theme puts HTML outputs on a light panel in dark mode (only outputs holding a table.dataframe follow
   the theme): lift the panel under an explorer so it follows the reader's colour mode, as the book's tables do. */
html[data-theme=dark] .bd-content div.cell_output div.text_html:has(>section.xp){background:transparent;color:inherit;padding:0}
html[data-theme=dark] .bd-content .xp{color-scheme:dark}
.xp label{display:inline-block;margin:.15rem 1rem .15rem 0;cursor:pointer}
.xp input[type=number]{width:5.5em;color:inherit;background:transparent;border:1px solid rgba(128,128,128,.6);border-radius:.2rem;padding:.05rem .25rem}
.xp input:focus-visible{outline:2px solid #3b82f6;outline-offset:2px}
.xp .xp-error{color:#7a0010;background:#fde8e8;font-weight:600;border-left:4px solid #b00020;padding:.3rem .5rem}
.xp table{border-collapse:collapse;margin:.4rem 0;font-size:.92em}
.xp th,.xp td{border-bottom:1px solid rgba(128,128,128,.35);padding:.15rem .5rem;text-align:left}
.xp td.num{text-align:right;font-variant-numeric:tabular-nums}
.xp tr.xp-current{background:rgba(59,130,246,.14)}
.xp .xp-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.xp blockquote{margin:.4rem 0;padding:0 0 0 .7rem;border-left:3px solid rgba(128,128,128,.6);background:transparent;font-size:1em}
.xp .xp-verdict{display:inline-block;border:1px solid currentColor;border-radius:.3rem;padding:0 .4rem;font-weight:600}
"""

_RUNTIME = """(function(){
var root=document.getElementById(%(uid)s);if(!root||root.getAttribute("data-xp-ready"))return;
root.setAttribute("data-xp-ready","1");
var data=JSON.parse(root.querySelector("script.xp-data").textContent);
var compute=(%(compute)s);
var out=root.querySelector(".xp-result"),err=root.querySelector(".xp-error"),status=root.querySelector(".xp-status");
function values(){var v={};root.querySelectorAll("input").forEach(function(el){
 if(el.type==="radio"){if(el.checked)v[el.getAttribute("data-name")]=el.value;}
 else if(el.type==="number"){v[el.getAttribute("data-name")]=el.value.trim()===""?NaN:Number(el.value);}});return v;}
function update(){var r;try{r=compute(values(),data);}catch(e){r={error:"Could not compute: "+e.message};}
 if(r.error){err.textContent=r.error;err.hidden=false;out.hidden=true;out.innerHTML="";status.textContent=r.error;}
 else{err.hidden=true;err.textContent="";out.hidden=false;out.innerHTML=r.html;status.textContent=r.status||"";}
 root.setAttribute("data-xp-state",r.error?"error":"ok");}
root.addEventListener("input",update);root.addEventListener("change",update);update();})();"""


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def explorer_html(uid: str, title: str, fieldsets: list[dict], data, compute_js: str, intro: str = "") -> str:
    """A self-contained, offline HTML explorer: labelled fieldsets of controls, and a JS function computing the result.

    Reusable by other widgets (e.g. a forecast scorer). Arguments:
    - `uid`: a page-unique id (letters, digits, '-'); every id and radio group name inside is prefixed with it, so
      several explorers can share one page. Use `next_uid(prefix)` for a deterministic one.
    - `title`: shown as the explorer's heading (and its accessible name).
    - `fieldsets`: `[{"legend": str, "controls": [control, ...], "help": str (optional)}]`, where a control is
      `{"kind": "radio", "name": str, "value": str, "label": str, "checked": bool}` (controls with the same name form
      one radio group) or `{"kind": "number", "name": str, "label": str, "value": float, "min": 0, "max": 1,
      "step": 0.01}`. Labels are plain text (escaped).
    - `data`: anything JSON-serialisable; embedded once in the page and passed to the compute function.
    - `compute_js`: the source of a JS function expression `function (values, data) {...}` returning either
      `{html: "<...>", status: "short text for screen readers"}` or `{error: "message"}`. `values` maps each radio
      group's name to its checked value and each number input's name to a Number (NaN when empty or not a number).
    - `intro`: optional HTML shown under the title (trusted, not escaped).
    The page re-runs `compute` on every change; results appear in `.xp-result`, errors in a visible `role="alert"`
    paragraph (the result is then hidden, never stale), and a `role="status"` line announces each change. The root
    element carries `data-xp-state="ok"|"error"` for tests. No network, no external script: works from file://.
    """
    # A named group, not a heading or landmark: explorers sit under any heading level, several to a page.
    parts = [f'<section class="xp" id="{_esc(uid)}" role="group" aria-labelledby="{_esc(uid)}-title">',
             f"<style>{_CSS}</style>", f'<p class="xp-title" id="{_esc(uid)}-title"><strong>{_esc(title)}</strong></p>']
    if intro:
        parts.append(f"<div>{intro}</div>")
    parts.append('<form onsubmit="return false">')
    counter = itertools.count(1)
    for fs in fieldsets:
        parts.append(f"<fieldset><legend>{_esc(fs['legend'])}</legend>")
        if fs.get("help"):
            parts.append(f'<p><small>{_esc(fs["help"])}</small></p>')
        kind = None
        for c in fs["controls"]:
            cid = f"{uid}-c{next(counter)}"
            if c["kind"] != kind:
                # One line per kind of control: the radio group, then its probabilities.
                parts.append(("</div>" if kind else "") + '<div class="xp-row">')
                kind = c["kind"]
            if c["kind"] == "radio":
                checked = " checked" if c.get("checked") else ""
                parts.append(f'<label for="{cid}"><input type="radio" id="{cid}" name="{_esc(uid)}-{_esc(c["name"])}" '
                             f'data-name="{_esc(c["name"])}" value="{_esc(c["value"])}"{checked}> '
                             f'{_esc(c["label"])}</label>')
            elif c["kind"] == "number":
                parts.append(f'<label for="{cid}">{_esc(c["label"])} <input type="number" id="{cid}" '
                             f'data-name="{_esc(c["name"])}" value="{c["value"]!r}" min="{c.get("min", 0)}" '
                             f'max="{c.get("max", 1)}" step="{c.get("step", 0.01)}" inputmode="decimal"></label>')
            else:
                raise ValueError(f"explorer {uid!r}: unknown control kind {c['kind']!r} (use 'radio' or 'number')")
        parts.append(("</div>" if kind else "") + "</fieldset>")
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    parts += ["</form>", '<p class="xp-error" role="alert" aria-live="assertive" hidden></p>',
              '<div class="xp-result"><noscript>This explorer needs JavaScript; the branch table in the text '
              'shows the same results.</noscript></div>', '<p class="xp-status xp-sr" role="status" aria-live="polite"></p>',
              f'<script type="application/json" class="xp-data">{payload}</script>',
              "<script>" + _RUNTIME % {"uid": json.dumps(uid), "compute": compute_js} + "</script>", "</section>"]
    return "\n".join(parts)


def next_uid(prefix: str) -> str:
    """A deterministic page-unique id: the prefix plus a counter that restarts with every kernel."""
    return f"{prefix}-{next(_uids)}"


# The JavaScript twin of checked_state_probabilities / checked_war_probabilities / branch_table (keep in step).
_SCENARIO_JS = r"""function (v, d) {
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c];});}
function pct(x){return (100*x).toFixed(1)+"%";}
function num(x,where){if(typeof x!=="number"||isNaN(x))throw where+": enter a number between 0 and 1";
 if(x<0||x>1)throw where+": probability "+x+" is outside [0, 1]";return x;}
var sp={},i,j;
try{
 for(i=0;i<d.nodes.length;i++){var n=d.nodes[i],tot=0;sp[n.id]={};
  for(j=0;j<n.states.length;j++){var s=n.states[j];
   var p=num(v["p:"+n.id+":"+s.id],"“"+n.label+"”, state “"+s.label+"”");sp[n.id][s.id]=p;tot+=p;}
  if(Math.abs(tot-1)>d.tolerance)throw "“"+n.label+"”: the probabilities of its states sum to "+(+tot.toPrecision(6))+", not 1";}
 var rows=[],total=0,cur=null;
 for(i=0;i<d.branches.length;i++){var b=d.branches[i],pb=1,match=true;
  for(var k in b.when){pb*=sp[k][b.when[k]];if(v["s:"+k]!==b.when[k])match=false;}
  var pw=num(v["w:"+b.id],"P(renewed war | "+b.id+")");
  rows.push({b:b,pb:pb,pw:pw,c:pb*pw});if(match)cur=b;}
}catch(e){if(typeof e==="string")return {error:e};throw e;}
rows.forEach(function(r){total+=r.c;});
var h="";
if(cur){var states=cur.label;
 h+='<div class="xp-branch" data-branch="'+esc(cur.id)+'" data-verdict="'+esc(cur.verdict)+'">'+
 '<p><strong>'+esc(states)+'</strong>: the essay’s verdict is <span class="xp-verdict">'+esc(cur.verdict_label)+'</span> <small>('+esc(cur.basis_label)+')</small></p>'+
 '<blockquote>“'+esc(cur.quote)+'” <cite>['+esc(cur.source.join("; "))+']</cite></blockquote>'+
 '<p>'+esc(cur.reasoning)+'</p>'+
 '<p><strong>What happened</strong> ('+esc(cur.observed_label)+'): '+esc(cur.observed_note)+' <cite>['+esc(cur.observed_source.join("; "))+']</cite></p></div>';}
h+='<p class="xp-total" data-value="'+total+'"><strong>Probability of renewed war: '+pct(total)+'</strong> <small>(with the probabilities above; the defaults are the book’s reading of the essay, not the essay’s numbers)</small></p>';
var sorted=rows.slice().sort(function(a,b){return b.c-a.c;});
h+='<table><caption class="xp-sr">Which branches carry the probability of renewed war</caption><thead><tr><th scope="col">Branch</th><th scope="col">P(branch)</th><th scope="col">P(war | branch)</th><th scope="col">Share of P(war)</th><th scope="col">Essay’s verdict</th></tr></thead><tbody>';
sorted.forEach(function(r){h+='<tr data-branch="'+esc(r.b.id)+'" data-contribution="'+r.c+'"'+(cur&&r.b.id===cur.id?' class="xp-current"':'')+'><th scope="row">'+esc(r.b.label)+'</th><td class="num">'+pct(r.pb)+'</td><td class="num">'+pct(r.pw)+'</td><td class="num">'+(total>0?pct(r.c/total):"–")+'</td><td>'+esc(r.b.verdict_label)+'</td></tr>';});
h+='</tbody></table>';
return {html:h,status:(cur?cur.label+": the essay’s verdict is "+cur.verdict_label+". ":"")+"Probability of renewed war "+pct(total)+"."};
}"""


def scenario_html(factor: str | None = None, probs: Mapping | None = None, p_war: Mapping | None = None,
                  uid: str | None = None) -> str:
    """The static HTML/JS explorer for one factor (self-contained; computes in the page from the emitted model)."""
    model = scenario_model()
    spec = model_spec(factor)
    sp = checked_state_probabilities(model, probs)
    pw = checked_war_probabilities(model, p_war, factor)
    uid = uid or next_uid(f"scen-{spec['factor']}")
    fieldsets = []
    for n in spec["nodes"]:
        controls = [{"kind": "radio", "name": f"s:{n['id']}", "value": s["id"], "label": s["label"], "checked": k == 0}
                    for k, s in enumerate(n["states"])]
        controls += [{"kind": "number", "name": f"p:{n['id']}:{s['id']}", "label": f"P({s['label']})",
                      "value": sp[n["id"]][s["id"]]} for s in n["states"]]
        fieldsets.append({"legend": n["question"], "controls": controls,
                          "help": f"Default probabilities: {n['default_basis']}"})
    fieldsets.append({"legend": "P(renewed war | branch): the book's reading, change it to yours",
                      "controls": [{"kind": "number", "name": f"w:{b['id']}", "label": b["label"],
                                    "value": pw[b["id"]]} for b in spec["branches"]]})
    title = f"Explore the branch: {', '.join(n['label'] for n in spec['nodes'])}"
    intro = ("<p><small>Choose a state for each factor to read the essay’s verdict on that branch; set the "
             "probabilities to see the chance of renewed war and which branches carry it.</small></p>")
    return explorer_html(uid, title, fieldsets, spec, _SCENARIO_JS, intro)


# ---------------------------------------------------------------------------------------------------------------
# Live explorer (ipywidgets, Python callbacks) carrying the static explorer for the book.

def _branch_html(model: Model, factor: str | None, selection: Mapping[str, str], probs, p_war) -> str:
    """The live widget's result: the chosen branch's verdict and the probability table, or the error message."""
    node_ids, branches = _explorer(model, factor)
    try:
        rows = branch_rows(model, probs, p_war, factor)
    except ScenarioError as exc:
        return (f'<p role="alert" style="color:#7a0010;background:#fde8e8;font-weight:600;padding:.3rem .5rem">'
                f"{_esc(exc)}</p>")
    b = next(b for b in branches if all(selection[n] == s for n, s in b.conditions))
    total = sum(r["contribution"] for r in rows)
    labels = {x.branch_id: branch_label(model, x) for x in branches}
    body = "".join(f"<tr><td>{_esc(labels[r['branch_id']])}</td><td>{r['p_branch']:.1%}</td>"
                   f"<td>{r['p_war_given_branch']:.1%}</td><td>{r['share']:.1%}</td></tr>"
                   for r in sorted(rows, key=lambda r: -r["contribution"]))
    return (f'<div data-branch="{_esc(b.branch_id)}"><p><strong>{_esc(labels[b.branch_id])}</strong>: the essay’s '
            f"verdict is <strong>{_esc(VERDICT_LABELS[b.verdict])}</strong> <small>({_esc(BASIS_LABELS[b.basis])})</small></p><blockquote>“{_esc(b.essay_quote)}” "
            f"[{_esc('; '.join(b.source))}]</blockquote><p>{_esc(b.reasoning)}</p><p><strong>What happened</strong> "
            f"({_esc(OBSERVED_LABELS[b.observed])}): {_esc(b.observed_note)} [{_esc('; '.join(b.observed_source))}]"
            f"</p></div><p><strong>Probability of renewed war: {total:.1%}</strong> (the defaults are the book’s "
            f"reading of the essay)</p><table><tr><th>Branch</th><th>P(branch)</th><th>P(war | branch)</th>"
            f"<th>Share</th></tr>{body}</table>")


class ScenarioExplorer:
    """One explorer: a live ipywidget in Jupyter and a self-contained HTML/JS explorer in the built book."""

    def __init__(self, factor: str | None = None, probs: Mapping | None = None, p_war: Mapping | None = None):
        self.model = scenario_model()
        self.factor = factor or "combined"
        self.node_ids, self.branches = _explorer(self.model, self.factor)
        self.probs = checked_state_probabilities(self.model, probs)
        self.p_war = checked_war_probabilities(self.model, p_war, self.factor)
        self.html = scenario_html(self.factor, self.probs, self.p_war)
        self._widget = None

    def __repr__(self) -> str:
        return f"ScenarioExplorer(factor={self.factor!r})"

    def _selection(self) -> dict[str, str]:
        return {n: self.controls[f"s:{n}"].value for n in self.node_ids}

    def _update(self, _change=None) -> None:
        probs = {n: {s: self.controls[f"p:{n}:{s}"].value for s in self.model.nodes[n].state_ids()}
                 for n in self.node_ids}
        p_war = {b.branch_id: self.controls[f"w:{b.branch_id}"].value for b in self.branches}
        self.result.value = _branch_html(self.model, self.factor, self._selection(), probs, p_war)

    @property
    def widget(self):
        """The live ipywidgets view (built on first use): radio buttons and number boxes whose callbacks recompute."""
        if self._widget is None:
            import ipywidgets

            self.controls, boxes = {}, []
            for n in self.node_ids:
                node = self.model.nodes[n]
                radio = ipywidgets.RadioButtons(options=[(lab, s) for s, lab, _ in node.states],
                                                description="", layout={"width": "auto"})
                self.controls[f"s:{n}"] = radio
                nums = [ipywidgets.FloatText(value=self.probs[n][s], description=f"P({lab})", step=0.05,
                                             style={"description_width": "initial"})
                        for s, lab, _ in node.states]
                for (s, _, _), w in zip(node.states, nums):
                    self.controls[f"p:{n}:{s}"] = w
                boxes.append(ipywidgets.VBox([ipywidgets.HTML(f"<b>{_esc(node.question)}</b>"), radio,
                                              ipywidgets.HBox(nums)]))
            war = []
            for b in self.branches:
                w = ipywidgets.FloatText(value=self.p_war[b.branch_id], description=branch_label(self.model, b),
                                         step=0.05,
                                         style={"description_width": "initial"})
                self.controls[f"w:{b.branch_id}"] = w
                war.append(w)
            boxes.append(ipywidgets.VBox([ipywidgets.HTML("<b>P(renewed war | branch): the book's reading</b>"),
                                          *war]))
            self.result = ipywidgets.HTML()
            for c in self.controls.values():
                c.observe(self._update, names="value")
            self._update()
            self._widget = ipywidgets.VBox([*boxes, self.result])
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle = dict(bundle)
        bundle["text/html"] = self.html
        bundle["text/plain"] = repr(self)
        return bundle


def scenario_explorer(factor: str | None = None, probs: Mapping | None = None,
                      p_war: Mapping | None = None) -> ScenarioExplorer:
    """The scenario explorer for `factor` ("russia", "aliyev", "armenia" or "combined"; None means "combined")."""
    return ScenarioExplorer(factor, probs, p_war)

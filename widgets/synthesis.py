"""What the book's models and checks add up to: the scenario tree under other readings (chapter 5), the research on
peacekeeping (chapter 6) and the tallies of verdicts the conclusion cites (chapter 8)."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import pandas as pd

from widgets import scenarios as sc
from widgets.render import (
    Table,
    bibliography,
    book_data,
    category_labels,
    format_date,
    format_number,
    is_missing,
    pct,
    source_html,
    table_of,
)

# The branch the essay calls most dangerous; its probability under any dependence between the nodes is bounded below.
HIGH_RISK_BRANCH = "combined-successor-succeeds-no-un"


def readings(*, data: Mapping | None = None) -> dict[str, dict]:
    """The other readings of the essay's words (data/scenario_readings.csv), each as label, why, the state
    probabilities it sets (`{node: {state: p}}`) and the P(renewed war | branch) it sets (`{branch: p}`); everything
    else keeps the book's default reading."""
    out = {}
    for r in book_data(data)["scenario_readings"].to_dict("records"):
        probs: dict[str, dict[str, float]] = {}
        for item in _pairs(r["state_probabilities"], r["reading_id"]):
            key, p = item
            node, _, state = key.partition(".")
            probs.setdefault(node, {})[state] = p
        p_war = dict(_pairs(r["branch_war_probabilities"], r["reading_id"]))
        out[r["reading_id"]] = {"label": r["label"], "why": r["why"], "probs": probs, "p_war": p_war}
    return out


def _pairs(cell, reading_id: str) -> list[tuple[str, float]]:
    if is_missing(cell) or not str(cell).strip():
        return []
    pairs = []
    for part in str(cell).split(";"):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"data/scenario_readings.csv, reading {reading_id!r}: {part!r} is not key=probability")
        pairs.append((key.strip(), float(value)))
    return pairs


def reading_probability(name: str, *, data: Mapping | None = None) -> float:
    """P(renewed war) of the combined explorer under one of the readings ('default' is the book's own reading)."""
    if name == "default":
        return sc.renewed_war_probability(factor="combined", data=data)
    known = readings(data=data)
    if name not in known:
        raise KeyError(f"unknown reading {name!r}; choose 'default' or one of {', '.join(known)}")
    r = known[name]
    return sc.renewed_war_probability(r["probs"], r["p_war"], factor="combined", data=data)


def reading_table(*, data: Mapping | None = None) -> Table:
    """The combined explorer's P(renewed war) under the book's reading and the two alternative readings."""
    rows = [
        {
            "reading": "The book's reading of the essay (the defaults)",
            "what": "Probabilities from data/scenario_states.csv and scenario_branches.csv.",
            "p": pct(reading_probability("default", data=data)),
        }
    ]
    rows += [
        {"reading": r["label"], "what": r["why"], "p": pct(reading_probability(n, data=data))}
        for n, r in readings(data=data).items()
    ]
    return table_of(
        pd.DataFrame(rows),
        [("reading", "Reading"), ("what", "What changes"), ("p", "P(renewed war)")],
        "What different readings of the essay imply for the chance of renewed war (computed by the model)",
        numeric=("p",),
    )


def scenario_branch_table(
    probs: Mapping | None = None, p_war: Mapping | None = None, *, data: Mapping | None = None
) -> Table:
    """The combined explorer's branches: states, P(branch), P(war | branch), share of P(war), verdict, what happened."""
    model = sc.scenario_model(data=data)
    _, branches = model.explorers["combined"]
    by_id = {b.branch_id: b for b in branches}
    rows = sorted(sc.branch_rows(model, probs, p_war, "combined"), key=lambda r: -r["contribution"])
    shown = [
        {
            "branch": sc.branch_label(model, by_id[r["branch_id"]]),
            "p_branch": pct(r["p_branch"]),
            "p_war": pct(r["p_war_given_branch"]),
            "contribution": pct(r["contribution"]),
            "share": pct(r["share"]),
            "verdict": model.labels["verdict"][r["verdict"]],
            "observed": model.labels["observed"][r["observed"]],
        }
        for r in rows
    ]
    columns = [
        ("branch", "Branch (Armenia · Sapsan-Convoy · UN)"),
        ("p_branch", "P(branch)"),
        ("p_war", "P(war | branch)"),
        ("contribution", "Contribution"),
        ("share", "Share of P(war)"),
        ("verdict", "Essay's verdict"),
        ("observed", "What happened"),
    ]
    return table_of(
        pd.DataFrame(shown),
        columns,
        "The essay's combined scenario tree, branch by branch (the book's reading; largest contribution first)",
        numeric=("p_branch", "p_war", "contribution", "share"),
    )


def branch_probability_bounds(
    branch_id: str = HIGH_RISK_BRANCH, probs: Mapping | None = None, *, data: Mapping | None = None
) -> dict[str, float]:
    """P(branch) if the nodes are independent, and the lowest and highest it can be for any dependence between them
    with the same probabilities per node (the Fréchet bounds)."""
    model = sc.scenario_model(data=data)
    _, branches = model.explorers["combined"]
    match = [b for b in branches if b.branch_id == branch_id]
    if not match:
        raise KeyError(f"unknown branch {branch_id!r} of the combined explorer")
    sp = sc.checked_state_probabilities(model, probs)
    marginals = [sp[n][s] for n, s in match[0].conditions]
    return {
        "low": max(0.0, sum(marginals) - (len(marginals) - 1)),
        "independent": math.prod(marginals),
        "high": min(marginals),
    }


def scenario_numbers(*, data: Mapping | None = None) -> dict[str, str]:
    """The figures the prose cites about the scenario tree, as text for glue (plain names: the chapter prefixes them):
    every one computed by the model."""
    model = sc.scenario_model(data=data)
    out = {"pwar_default": pct(reading_probability("default", data=data))}
    known = readings(data=data)
    for name in known:
        out[f"pwar_{name}"] = pct(reading_probability(name, data=data))
    alarmed, two_sided = known["alarmed"], known["two_sided"]
    out["alarmed_successor"] = pct(alarmed["probs"]["armenia_leadership"]["successor"], 0)
    out["alarmed_succeeds"] = pct(alarmed["probs"]["sapsan_syria"]["succeeds"], 0)
    out["two_sided_fails"] = pct(two_sided["p_war"]["combined-stays-fails-no-un"], 0)
    out["two_sided_succeeds"] = pct(two_sided["p_war"]["combined-stays-succeeds-no-un"], 0)
    rows = {r["branch_id"]: r for r in sc.branch_rows(model, None, None, "combined")}
    for short, branch_id in (
        ("high", HIGH_RISK_BRANCH),
        ("stays_fails", "combined-stays-fails-no-un"),
        ("stays_succeeds", "combined-stays-succeeds-no-un"),
    ):
        out[f"{short}_p_war"] = pct(rows[branch_id]["p_war_given_branch"], 0)
        out[f"{short}_share"] = pct(rows[branch_id]["share"], 0)
    out["stays_share"] = pct(sum(r["share"] for r in rows.values() if r["armenia_leadership"] == "pashinyan_stays"), 0)
    for state in ("pashinyan_stays", "successor"):
        certain = {"armenia_leadership": {s: float(s == state) for s in ("pashinyan_stays", "successor")}}
        out[f"pwar_if_{state}"] = pct(sc.renewed_war_probability(certain, factor="combined", data=data))
    bounds = branch_probability_bounds(data=data)
    out |= {f"high_{k}": pct(v) for k, v in bounds.items()}
    states = sc.checked_state_probabilities(model, None)
    out["p_successor"] = pct(states["armenia_leadership"]["successor"], 0)
    out["stays_prob"] = pct(states["armenia_leadership"]["pashinyan_stays"], 0)
    out["p_succeeds"] = pct(states["sapsan_syria"]["succeeds"], 0)
    out["p_no_un"] = pct(states["un_involvement"]["none"], 0)
    return out


def studies_table(*, data: Mapping[str, pd.DataFrame] | None = None) -> Table:
    """The research findings on peacekeeping the book cites: study, finding, figure, who reports it, verification."""
    d = book_data(data)
    bib, qualifiers = bibliography(d), category_labels(d, "peacekeeping_studies", "qualifier")
    frame = d["peacekeeping_studies"]
    rows = []
    for r in frame.to_dict("records"):
        figure = ""
        if not pd.isna(r["low"]) and not pd.isna(r["high"]):
            figure = f"{format_number(r['low'])}–{format_number(r['high'])}"
        elif not pd.isna(r["value"]):
            qualifier = "" if pd.isna(r["qualifier"]) else qualifiers[r["qualifier"]] + " "
            figure = qualifier + format_number(r["value"])
        if figure and not pd.isna(r["unit"]):
            figure += f" {r['unit']}"
        rows.append(
            {
                "study": source_html(r["study"], bib),
                "finding": r["finding"],
                "figure": figure or "—",
                "reported": f"{html.escape(r['reported_by'])}<br>{source_html(r['source'], bib)}",
                "check": f"{r['verification']}: {r['note']}",
            }
        )
    columns = [
        ("study", "Study"),
        ("finding", "Finding"),
        ("figure", "Figure"),
        ("reported", "Reported in"),
        ("check", "Verification"),
    ]
    return table_of(
        pd.DataFrame(rows),
        columns,
        "What the research on peacekeeping finds, and how the book checked it",
        raw=("study", "reported"),
    )


# Rows of claims.csv that are not factual claims: a word of the essay that takes one side's position (topic
# `language`). The conclusion counts them apart: "N factual claims and M contested words".
NOT_FACTUAL = ("contested_wording",)


def verdict_tallies(*, data: Mapping[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """Counts the conclusion cites (plain names): the essay's claims by verdict (claims.csv, all six verdicts;
    `n_claims` counts the factual claims only, `n_contested_words` the contested words apart), its forecasts and
    causal claims by verdict (forecasts.csv, the essay's rows only), and the dates the record runs to (events.csv)."""
    from widgets.forecasts import ESSAY, VERDICT_ORDER

    d = book_data(data)
    claims, forecasts, events = d["claims"], d["forecasts"], d["events"]
    forecasts = forecasts[forecasts["forecaster"] == ESSAY]
    factual = ~claims["verdict"].isin(NOT_FACTUAL)
    out = {
        "n_claims": str(int(factual.sum())),
        "n_contested_words": str(int((~factual).sum())),
        "n_claims_rows": str(len(claims)),
        "n_forecasts": str(len(forecasts)),
    }
    for verdict in category_labels(d, "claims", "verdict"):
        out[f"claims_{verdict}"] = str(int((claims["verdict"] == verdict).sum()))
    for verdict in VERDICT_ORDER:
        out[f"forecasts_{verdict.replace(' ', '_')}"] = str(int((forecasts["verdict"] == verdict).sum()))
    out["latest_event"] = format_date(events["date"].max())
    out["pwar_hindsight"] = pct(hindsight_probability(data=d))
    return out


def hindsight_probability(*, data: Mapping | None = None) -> float:
    """P(renewed war) of the combined tree once what happened is set as certain: Pashinyan stayed, no UN force came."""
    known = {
        "armenia_leadership": {"pashinyan_stays": 1.0, "successor": 0.0},
        "un_involvement": {"none": 1.0, "un_force": 0.0},
    }
    return sc.renewed_war_probability(known, factor="combined", data=data)


def conclusion_numbers(*, data: Mapping[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """Everything the conclusion glues from the models and checks (plain names): the forecast scores of
    `forecasts.forecast_numbers`, the tallies of `verdict_tallies` and the tree's P(renewed war) under the book's
    reading (`pwar_default`)."""
    from widgets.forecasts import forecast_numbers

    # The tallies come last: `n_claims` is the number of factual claims (claims.csv), not of forecasts.
    out = forecast_numbers(data=data) | verdict_tallies(data=data)
    out["pwar_default"] = pct(reading_probability("default", data=data))
    return out

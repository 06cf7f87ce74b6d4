"""The numbers the instructor guide's answer keys quote, computed from `widgets` and `data/` at build time.

The keys name each value by the glue name the chapter uses (e.g. `ch5_pwar_if_successor`) and show the number
beside it as a MyST substitution, `{{ ch5_pwar_if_successor }}`; a data row they cite (e.g. `statement_pk_troops`)
shows the number it holds as `{{ row_statement_pk_troops }}`. This module is a Sphinx extension of the instructor
book (instructor/_config.yml, `sphinx.local_extensions`): when the book is built it computes every value the same way
the chapters do and hands them to MyST as substitutions, so no number is typed into the guide and a corrected data
row changes the keys at the next `make instructor`.

    python -m tools.answer_values      # print every value with its name
"""

from __future__ import annotations

import sys


def _chapter5() -> dict[str, str]:
    from widgets.synthesis import scenario_numbers

    return scenario_numbers()  # chapter 5, cell setup


def _chapter6() -> dict[str, str]:
    from widgets.bargaining import chapter_numbers

    return chapter_numbers()  # chapter 6, cell setup (the illustration's numbers)


def _chapter7() -> dict[str, str]:
    from widgets import forecasts as fc
    from widgets.data import load

    forecasts = load()["forecasts"]
    out = dict(fc.chapter_numbers(forecasts))  # chapter 7, cell setup-scores
    # Chapter 7, cells setup-exercises and setup-exercises-term: the same expressions.
    by_id = forecasts.set_index("forecast_id")
    out["next_ex_brier_without_term"] = fc.fixed(
        fc.essay_scores(forecasts[forecasts["kind"] != "expectation"])["brier"]
    )
    out["next_ex_brier_status_no"] = fc.fixed(fc.brier_score(by_id.loc["status_quo_changes", "probability"], 0))
    out["next_ex_log_certain_miss"] = fc.fixed(fc.log_score(1.0, 0), 2)
    p_term = by_id.loc["peacekeepers_term", "probability"]
    out["next_ex_p_term"] = fc.fixed(p_term, 2)
    hit, miss = fc.brier_score(p_term, 1), fc.brier_score(p_term, 0)
    out["next_ex_brier_term_miss"] = fc.fixed(miss)
    out["next_ex_brier_term_hit"] = fc.fixed(hit)
    out["next_ex_brier_term_gain"] = fc.fixed(fc.brier_score(fc.BASELINE, 1) - hit)
    return out


def _unit(row) -> str:
    from widgets.tables import is_missing

    unit = row.get("unit")
    return "" if is_missing(unit) or unit in ("count", "") else f" {unit}"


def _rows() -> dict[str, str]:
    """`row_<id>`: the number a data row holds, as the book's tables print it, for every row a key may cite."""
    from widgets.data import load
    from widgets.tables import casualty_figure, format_number, format_range, is_missing

    data = load()
    out = {}
    for r in data["figures"].to_dict("records"):
        out[r["figure_id"]] = format_number(r["value"]) + _unit(r)
    for r in data["casualties"].to_dict("records"):
        out[r["record_id"]] = casualty_figure(r)
    for table in ("economy", "military_claims"):
        for r in data[table].to_dict("records"):
            out[r["figure_id"]] = format_number(r["value"]) + _unit(r)
    for r in data["peacekeeping_studies"].to_dict("records"):
        text = format_range(r.get("value"), r.get("low"), r.get("high"))
        if text:
            out[r["finding_id"]] = text + _unit(r)
    for r in data["armenia_election_2021"].to_dict("records"):
        out[r["party_id"]] = f"{format_number(r['vote_share_pct'])} % and {format_number(r['seats'])} seats"
    for r in data["ceasefires"].to_dict("records"):
        if not is_missing(r.get("held_days")):
            out[r["ceasefire_id"]] = f"held {format_number(r['held_days'])} days"
    return {f"row_{k}": v for k, v in out.items() if v}


GROUPS = {"ch5_": _chapter5, "ch6_": _chapter6, "next_": _chapter7, "row_": _rows}


def computed() -> tuple[dict[str, str], dict[str, str]]:
    """(values by glue name, {name prefix: why its group could not be computed})."""
    out, failed = {}, {}
    for prefix, group in GROUPS.items():
        try:
            out |= {k: str(v) for k, v in group().items()}
        except Exception as exc:  # noqa: BLE001 - reported beside the value, never a typed number instead
            failed[prefix] = f"{type(exc).__name__}: {exc}"
    return out, failed


def values() -> dict[str, str]:
    """Every value the answer keys quote, by the chapters' glue names; SystemExit if a group cannot be computed."""
    out, failed = computed()
    if failed:
        raise SystemExit("error: answer values not computable: " + "; ".join(f"{k}*: {v}" for k, v in failed.items()))
    return out


def cited_names(text: str) -> set[str]:
    """Every substitution `{{ name }}` a page uses."""
    import re

    return set(re.findall(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", text))


def _inject(app, config) -> None:
    """Every value as a substitution; a value whose group fails says so on the page (and the build log) instead."""
    from pathlib import Path

    out, failed = computed()
    for page in Path(app.srcdir).glob("*.md"):
        for name in cited_names(page.read_text(encoding="utf-8")):
            if name not in out:
                why = next(
                    (v for k, v in failed.items() if name.startswith(k)), "no such value in tools/answer_values.py"
                )
                out[name] = f"[not computed in this build: {why}]"
    for prefix, why in failed.items():
        print(f"WARNING (answer values): {prefix}* not computed: {why}", file=sys.stderr)
    config.myst_substitutions = {**(config.myst_substitutions or {}), **out}


def setup(app):
    """Sphinx extension: the values become MyST substitutions before any page is read."""
    app.connect("config-inited", _inject)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main() -> int:
    out, failed = computed()
    for name, value in sorted(out.items()):
        print(f"{name}\t{value}")
    for prefix, why in failed.items():
        print(f"error: {prefix}* not computed: {why}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

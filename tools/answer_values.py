"""The numbers the instructor guide's answer keys quote, computed from `widgets` and `data/` at build time.

The keys name each value by the glue name the chapter uses (e.g. `scen_pwar_if_successor`) and show the number
beside it as a MyST substitution, `{{ scen_pwar_if_successor }}`; a data row they cite (e.g. `statement_pk_troops`)
shows the number it holds as `{{ row_statement_pk_troops }}`. This module is a Sphinx extension of the instructor
book (instructor/_config.yml, `sphinx.local_extensions`): when the book is built it computes every value the same way
the chapters do and hands them to MyST as substitutions, so no number is typed into the guide and a corrected data
row changes the keys at the next `make instructor`.

    python -m tools.answer_values      # print every value with its name
"""

from __future__ import annotations

import sys


def _scenarios() -> dict[str, str]:
    from widgets.synthesis import scenario_numbers

    return scenario_numbers()  # chapter "Scenarios", cell setup: glue_all(scenario_numbers(), prefix="scen_")


def _keeping() -> dict[str, str]:
    from widgets.bargaining import illustration_numbers

    # Chapter "What keeps a ceasefire", cell setup: glue_all(studies, illustration_numbers(), prefix="keep_").
    return illustration_numbers()


def _next() -> dict[str, str]:
    from widgets.forecasts import exercise_numbers, forecast_numbers

    # Chapter "What happened next", cells setup-scores and setup-exercises: the same calls, prefix "next_".
    return forecast_numbers() | exercise_numbers()


def _conclusion() -> dict[str, str]:
    from widgets.synthesis import conclusion_numbers

    return conclusion_numbers()  # chapter "Conclusion", cell setup: glue_all(conclusion_numbers(), prefix="concl_")


def _unit(row) -> str:
    from widgets.render import is_missing

    unit = row.get("unit")
    return "" if is_missing(unit) or unit in ("count", "") else f" {unit}"


def _rows() -> dict[str, str]:
    """`row_<id>`: the number a data row holds, as the book's tables print it, for every row a key may cite."""
    from widgets.data import load
    from widgets.glue import casualty_figure
    from widgets.render import format_number, format_range, is_missing

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


GROUPS = {"scen_": _scenarios, "keep_": _keeping, "next_": _next, "concl_": _conclusion, "row_": _rows}


def computed() -> tuple[dict[str, str], dict[str, str]]:
    """(values by glue name, {name prefix: why its group could not be computed})."""
    out, failed = {}, {}
    for prefix, group in GROUPS.items():
        try:
            values = {k: str(v) for k, v in group().items()}
            out |= values if prefix == "row_" else {prefix + k: v for k, v in values.items()}
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

"""Numbers for the prose: sourced figures as glue-ready text, and `glue_all`, the one helper every chapter glues with.

A chapter's hidden setup cell computes nothing itself; it asks `widgets` for named values and glues them:

    from widgets.glue import glue_all, glue_values
    glue_all(glue_values("az_mil_killed_20210630"), madrid_counts(), prefix="")

Names carry no chapter number: a module returns plain names (`pwar_default`) and the chapter chooses its prefix
(`glue_all(scenario_numbers(), prefix="scen_")`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from widgets.render import (
    attribution,
    book_data,
    cite_role,
    format_date,
    format_number,
    format_range,
    is_missing,
    text,
)

QUALIFIERS_RESOURCE = "casualties"


@dataclass(frozen=True)
class Figure:
    """One sourced figure: its value, its text, and an attribution phrase for prose."""

    figure_id: str
    value: int | float | None
    text: str
    reporting_party: str
    as_of: pd.Timestamp | None
    source: str
    phrase: str


def casualty_figure(row: Mapping, qualifiers: Mapping[str, str] | None = None) -> str:
    """A casualty row's figure as reported: '2,906', 'more than 100', '300–400'."""
    from widgets.render import category_labels

    shown = format_range(row.get("value"), row.get("low"), row.get("high"))
    qualifier = row.get("qualifier")
    if is_missing(qualifier) or not qualifier:
        return shown
    labels = qualifiers if qualifiers is not None else category_labels(None, "casualties", "qualifier")
    return f"{labels[qualifier]} {shown}"


def _number(value) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def figure(figure_id: str, *, data: Mapping[str, pd.DataFrame] | None = None) -> Figure:
    """One sourced figure, by `figure_id` of data/figures.csv, `record_id` of data/casualties.csv, or
    'table/row_id/column' for a numeric cell of any table keyed by its first column (e.g.
    'ceasefires/2020_11_10_statement/held_days'), with its text ('2,906', 'more than 100', '300–400') and its
    attribution phrase (Markdown with a {cite} role)."""
    from widgets.render import category_labels

    d = book_data(data)
    if figure_id.count("/") == 2:
        return _cell_figure(d, figure_id)
    figures = d["figures"]
    match = figures[figures["figure_id"] == figure_id]
    if not match.empty:
        r = match.iloc[0].to_dict()
        shown = format_number(r["value"])
        unit = "" if is_missing(r.get("unit")) or r["unit"] == "count" else f" {r['unit']}"
    else:
        casualties = d["casualties"] if "casualties" in d else pd.DataFrame(columns=["record_id"])
        match = casualties[casualties["record_id"] == figure_id]
        if match.empty:
            raise KeyError(
                f"no figure {figure_id!r}: it is neither a figure_id of data/figures.csv "
                "nor a record_id of data/casualties.csv"
            )
        r = match.iloc[0].to_dict()
        shown, unit = casualty_figure(r, category_labels(d, "casualties", "qualifier")), ""
    value = None if is_missing(r.get("value")) else _number(r["value"])
    phrase = f"{shown}{unit} ({attribution(r['reporting_party'], r['as_of'], r['source'])})"
    return Figure(figure_id, value, shown, r["reporting_party"], pd.Timestamp(r["as_of"]), r["source"], phrase)


def _cell_figure(d: Mapping[str, pd.DataFrame], path: str) -> Figure:
    table, row_id, column = path.split("/")
    if table not in d:
        raise KeyError(f"no figure {path!r}: there is no table data/{table}.csv")
    frame = d[table]
    key = frame.columns[0]
    match = frame[frame[key] == row_id]
    if match.empty or column not in frame.columns:
        raise KeyError(f"no figure {path!r}: data/{table}.csv has no row {key}={row_id!r} or no column {column!r}")
    r = match.iloc[0].to_dict()
    if is_missing(r[column]):
        raise KeyError(f"no figure {path!r}: data/{table}.csv row {row_id!r} has no value in column {column!r}")
    value = _number(r[column])
    shown = format_number(value)
    party = r.get("reporting_party")
    phrase = (
        f"{shown} ({attribution(party, r.get('as_of'), r['source'])})"
        if not is_missing(party)
        else f"{shown} {cite_role(r['source'])}"
    )
    as_of = pd.Timestamp(r["as_of"]) if not is_missing(r.get("as_of")) else None
    return Figure(path, value, shown, text(party), as_of, r["source"], phrase)


def glue_values(*figure_ids: str, data: Mapping[str, pd.DataFrame] | None = None, **named: str) -> dict[str, object]:
    """Values to glue: for each figure, `name` -> its text ('2,906'), `name_date` -> its as-of date ('30 Jun 2021'),
    `name_attr` -> its attributed phrase and `name_cite` -> its citation alone (both Markdown). Positional ids are
    their own names; keyword arguments name a figure (`held='ceasefires/x/held_days'`)."""
    from IPython.display import Markdown

    out: dict[str, object] = {}
    for name, fid in [(f, f) for f in figure_ids] + list(named.items()):
        if "/" in name:
            raise ValueError(f"glue name {name!r} contains '/': pass it as a keyword argument, name='{name}'")
        f = figure(fid, data=data)
        out[name] = f.text
        out[f"{name}_date"] = format_date(f.as_of)
        out[f"{name}_attr"] = Markdown(f.phrase)
        out[f"{name}_cite"] = Markdown(cite_role(f.source))
    return out


def table_figures(*tables: str, data: Mapping[str, pd.DataFrame] | None = None) -> dict[str, object]:
    """`glue_values` for every figure of the given tables (each with the columns of data/figures.csv)."""
    d = book_data(data)
    out: dict[str, object] = {}
    for table in tables:
        frame = d[table]
        out |= glue_values(*frame["figure_id"].dropna(), data={"figures": frame})
    return out


def glue_all(*values: Mapping[str, object], prefix: str = "") -> None:
    """Glue every (name, value) of the given mappings, hidden (`display=False`), each name with the chapter's `prefix`.
    Values must be Python values or strings (no NumPy scalars): refused here, not in the build."""
    try:
        from myst_nb import glue
    except ImportError:  # Colab, the browser: the same hidden output as myst-nb's, without Sphinx
        glue = _glue

    for mapping in values:
        for name, value in mapping.items():
            if type(value).__module__ == "numpy":
                raise TypeError(f"glue {name!r}: {value!r} is a NumPy scalar; pass a Python value or text")
            glue(prefix + name, value, display=False)


def _glue(name: str, value: object, display: bool = True) -> None:
    """A stand-in for `myst_nb.glue` where myst-nb is not installed: the same output (the value's display data under
    myst-nb's hidden mime prefix, with its `scrapbook` name), so a chapter runs unchanged."""
    from IPython.core.formatters import format_display_data
    from IPython.display import display as show

    bundle, metadata = format_display_data(value)
    prefix = "" if display else "application/papermill.record/"
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    show({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)

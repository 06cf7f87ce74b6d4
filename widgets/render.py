"""Shared rendering: the package's static files, the one way to the data, value formatting, citations and the
accessible HTML table every table of the book is drawn with.

Every public function of `widgets` that reads the book's data takes a keyword-only `data=None`: `book_data(data)`
turns None into `widgets.data.load()` (so `load(root=...)` is honoured when a caller passes its result), and
`bibliography(data)` gives the labels of `references.bib` as read by that same package.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from widgets import _deps

STATIC = Path(__file__).resolve().parent / "static"
ESSAY_KEY = "essay2020"


# ---------------------------------------------------------------- static files (CSS and JavaScript)


@cache
def _static_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def static(name: str) -> str:
    """The text of `widgets/static/<name>` (a stylesheet or script), read once; the chapter that uses it records it,
    so editing the file re-executes exactly the chapters that show it."""
    _deps.record(STATIC / name)
    return _static_text(name)


def style(*names: str) -> str:
    """A `<style>` element holding the given stylesheets of `widgets/static/`, in order."""
    return "<style>" + "".join(static(n) for n in names) + "</style>"


# ---------------------------------------------------------------- the one way to the data


def book_data(data: Mapping[str, pd.DataFrame] | None = None) -> Mapping[str, pd.DataFrame]:
    """`data` if given (tests pass small frames, callers pass `load(root=...)`), else `widgets.data.load()`."""
    if data is not None:
        return data
    from widgets.data import load

    return load()


def bibliography(data: Mapping | None = None) -> Mapping[str, Mapping[str, str]]:
    """The bibliography (key -> who, year, title) that comes with `data` (see `widgets.data.BookData.bibliography`);
    for a plain mapping of frames without one, that of the default package."""
    bib = getattr(data, "bibliography", None)
    if bib is None:
        bib = getattr(book_data(None), "bibliography", None)
    if bib is None:
        # `load` replaced by a plain mapping (tests): the repository's bibliography, through the same reader.
        from widgets.data import BIB, read_bibliography

        path = _deps.book_root() / BIB
        _deps.record(path)
        bib = read_bibliography(path.read_text(encoding="utf-8"))
    return bib


def require_columns(frame: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    """Raise a clear ValueError naming data/<table>.csv if `frame` lacks any of `columns`."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"data/{table}.csv: widgets needs column(s) {', '.join(missing)}, found {', '.join(frame.columns)}"
        )


# ---------------------------------------------------------------- formatting


def is_missing(value) -> bool:
    """True for None, pandas NA/NaT and float NaN: an empty cell of a data table."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def text(value) -> str:
    """A cell as text: empty for a missing value."""
    return "" if is_missing(value) else str(value)


def escape(value) -> str:
    """HTML-escaped text of a cell (empty for a missing value)."""
    return html.escape(text(value), quote=True)


def format_number(value) -> str:
    """A count with thousands separators ('2,906'); non-integral values keep their decimals ('53.9')."""
    if is_missing(value):
        return ""
    f = float(value)
    return f"{int(f):,}" if f.is_integer() else f"{f:,.2f}".rstrip("0").rstrip(".")


def format_range(value=None, low=None, high=None) -> str:
    """A figure or a range ('300–400'); the value wins when both are given."""
    if not is_missing(value):
        return format_number(value)
    if not is_missing(low) and not is_missing(high):
        return f"{format_number(low)}–{format_number(high)}"
    return format_number(low if not is_missing(low) else high)


def format_date(value) -> str:
    """A date as the book writes it: '30 Jun 2021' (empty for a missing date)."""
    if is_missing(value):
        return ""
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts:%b %Y}"


def period_text(start, end) -> str:
    """'28 Oct 2020', or '4 Oct 2020 – 17 Oct 2020' for a period of several days."""
    if is_missing(start) or is_missing(end) or pd.Timestamp(start) == pd.Timestamp(end):
        return format_date(start if not is_missing(start) else end)
    return f"{format_date(start)} – {format_date(end)}"


def pct(p: float, places: int = 1) -> str:
    """A probability as a percentage with `places` decimals ('32.6%')."""
    return f"{100 * p:.{places}f}%"


def confidence_label(row: Mapping) -> str:
    """ "high, verified"-style label from a row's confidence and verification columns."""
    parts = [str(row[k]) for k in ("confidence", "verification") if k in row and not is_missing(row[k])]
    return ", ".join(parts)


# ---------------------------------------------------------------- citations


def source_keys(source: str) -> list[str]:
    """The bibliography keys of a `source` cell ('a;b' -> ['a', 'b'])."""
    return [k.strip() for k in str(source).split(";") if k.strip()]


def is_essay(row: Mapping) -> bool:
    """Whether a data row is the essay's own figure (its source is the essay)."""
    return ESSAY_KEY in source_keys(row.get("source", ""))


def source_label(key: str, bib: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A short citation-like label, as the book cites: 'AzerNews, 2021', or '2020 essay' for the essay."""
    if key == ESSAY_KEY:
        return "2020 essay"
    entry = (bib if bib is not None else bibliography()).get(key)
    if not entry:
        raise KeyError(f"source key {key!r} is not in references.bib")
    label = ", ".join(part for part in (entry.get("who", ""), entry.get("year", "")) if part)
    return label or key


BIBLIOGRAPHY_PAGE = "../back/bibliography.html"


def bib_anchor(key: str) -> str:
    """The id of a key's entry in the built bibliography page: `_config.yml` sets sphinxcontrib-bibtex's
    `bibtex_cite_id: "cite-{key}"`, which docutils' `make_id` normalises (lower case, other characters -> '-')."""
    return re.sub(r"[^a-z0-9]+", "-", f"cite-{key}".lower()).strip("-")


def source_html(source: str, bib: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The `source` cell as citation labels linked to their bibliography entries:
    <cite data-key=...><a href="../back/bibliography.html#cite-key">[AzerNews, 2021]</a></cite>; the title is the
    tooltip. The link targets the top window, so a citation inside a map (an iframe) opens the bibliography page."""
    bib = bib if bib is not None else bibliography()
    parts = []
    for key in source_keys(source):
        title = (bib.get(key) or {}).get("title", "") if key != ESSAY_KEY else "The 2020 essay"
        label = escape(source_label(key, bib))
        href = f"{BIBLIOGRAPHY_PAGE}#{bib_anchor(key)}"
        link = f'<a href="{href}" target="_top">[{label}]</a>'
        parts.append(f'<cite data-key="{escape(key)}" title="{escape(title)}">{link}</cite>')
    return " ".join(parts)


def cite_role(source: str) -> str:
    """One MyST citation for every key of a `source` cell: {cite}`a,b`."""
    return f"{{cite}}`{','.join(source_keys(source))}`"


def attribution(reporting_party: str, as_of, source: str) -> str:
    """'according to X, as of 30 Jun 2021 {cite}`key`' in Markdown, for glued prose."""
    who = "the 2020 essay" if ESSAY_KEY in source_keys(source) else reporting_party
    when = f", as of {format_date(as_of)}" if not is_missing(as_of) else ""
    return f"according to {who}{when} {cite_role(source)}".rstrip()


# ---------------------------------------------------------------- the table renderer

LONG_TABLE = 15  # more rows than this: the table folds under its caption on a phone (a <details>)


@dataclass(frozen=True, eq=False)
class Table:
    """A rendered table: deterministic HTML for the book and notebooks, plain text elsewhere."""

    caption: str
    html: str
    rows: pd.DataFrame = field(repr=False)

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.rows.to_string(index=False)}"


def render_table(
    rows: Sequence[Mapping],
    columns: Sequence[tuple[str, str]],
    caption: str,
    *,
    numeric: Sequence[str] = (),
    raw: Sequence[str] = (),
    group_by: str | None = None,
    dates: Sequence[str] = (),
    note: str = "",
    stylesheet: bool = True,
) -> str:
    """Deterministic, accessible HTML: caption, th scope, first column as row header, optional group header rows.

    `columns` are (key, heading) pairs; values of keys in `raw` and group labels are trusted HTML, everything else is
    escaped. Columns in `numeric` are right-aligned, in `dates` kept on one line. A row with `_essay` true is marked
    with a visible badge, not only by style. The table's stylesheet (static/table.css) comes first unless
    `stylesheet` is false (a page that already carries it). The class `dataframe` is pydata-sphinx-theme's hook for
    outputs that follow its colour mode.
    """
    head = "".join(f'<th scope="col">{escape(h)}</th>' for _, h in columns)
    labels = [escape(_plain(h)) for _, h in columns]
    body, current = [], object()
    for row in rows:
        if group_by is not None and row[group_by] != current:
            current = row[group_by]
            body.append(f'<tr class="cf-group"><th scope="colgroup" colspan="{len(columns)}">{current}</th></tr>')
        cells = []
        for i, (key, _) in enumerate(columns):
            value = row.get(key, "")
            shown = str(value) if key in raw else escape(value)
            if i == 0 and row.get("_essay"):
                shown += ' <span class="cf-badge">2020 essay</span>'
            cls = ' class="cf-num"' if key in numeric else ' class="cf-date"' if key in dates else ""
            # data-label: on a phone the rows become cards and each cell shows its column's heading (table.css).
            cells.append(
                f'<th scope="row"{cls}>{shown}</th>' if i == 0 else f'<td{cls} data-label="{labels[i]}">{shown}</td>'
            )
        marker = ' class="cf-essay"' if row.get("_essay") else ""
        body.append(f"<tr{marker}>{''.join(cells)}</tr>")
    foot = f'<p class="cf-note">{note}</p>' if note else ""
    # A wide table scrolls inside its wrapper, so the wrapper is a labelled, focusable region (keyboard scrolling).
    table = (
        f'<div class="cf-table-wrap" role="region" tabindex="0" aria-label="{escape(caption)}">'
        f'<table class="cf-table dataframe"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{foot}</div>"
    )
    n = len(rows)
    if n > LONG_TABLE:
        # A long table is one tap away: open by default (desktop, print, no JavaScript); assets/phone.js closes it on
        # a narrow screen, where it would fill many screens of cards.
        table = (
            f'<details class="cf-long" open><summary>{escape(caption)} <span class="cf-rows">({n} rows: show or '
            f"hide)</span></summary>{table}</details>"
        )
    return f"{style('table.css') if stylesheet else ''}{table}"


def _plain(value) -> str:
    return re.sub(r"<[^>]+>", "", re.sub(r"<br>", " ", str(value)))


def table_of(frame: pd.DataFrame, columns, caption, **kw) -> Table:
    """A `Table` of `frame` showing `columns` ((key, header) pairs) under `caption`; shared by every table module."""
    rows = frame.to_dict("records")
    shown = pd.DataFrame([{h: _plain(r.get(k, "")) for k, h in columns} for r in rows], columns=[h for _, h in columns])
    return Table(caption, render_table(rows, columns, caption, **kw), shown)


def select(frame: pd.DataFrame, column: str, wanted) -> pd.DataFrame:
    """The rows whose `column` is `wanted` (one value or a list); all rows for None."""
    if wanted is None:
        return frame
    return frame[frame[column].isin([wanted] if isinstance(wanted, str) else list(wanted))]


def span(dates: pd.Series, start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Inclusive bounds from ISO dates or years ('2020' ends on 31 Dec 2020); open ends take the data's range."""
    lo = pd.Timestamp(str(start)) if start is not None else dates.min()
    hi = (
        dates.max() if end is None else (pd.Timestamp(f"{end}-12-31") if len(str(end)) == 4 else pd.Timestamp(str(end)))
    )
    return lo, hi


# ---------------------------------------------------------------- label vocabularies (data/datapackage.json)


def category_labels(data: Mapping | None, resource: str, field_name: str) -> dict[str, str]:
    """How the codes of a field read, in their declared order: the field's Table Schema `categories`
    (`[{"value": "more_than", "label": "more than"}, ...]`) in data/datapackage.json. For a plain mapping of frames
    (tests), those of the default package."""
    package = data if hasattr(data, "resource") else book_data(None)
    fields = package.resource(resource)["schema"]["fields"]
    spec = next(f for f in fields if f["name"] == field_name)
    if "categories" not in spec:
        raise KeyError(f"data/datapackage.json: field {resource}.{field_name} declares no categories (labels)")
    return {c["value"]: c.get("label", c["value"]) for c in spec["categories"]}

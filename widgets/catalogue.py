"""The data-sources page: every resource of data/datapackage.json with its licence, sources, size, columns and dates."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from widgets import _deps
from widgets.render import (
    Table,
    book_data,
    escape,
    format_date,
    format_number,
    is_missing,
    render_table,
    source_html,
    source_keys,
    style,
)

# The page's resource blocks are styled by static/catalogue.css (no colours, like static/table.css).
JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


@dataclass(frozen=True)
class Catalogue:
    """The rendered catalogue: HTML for the book and notebooks, one line per resource elsewhere."""

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


def _load(data):
    return book_data(data)


def package_descriptor() -> dict:
    """The parsed data/datapackage.json of this repository (package-level licence and sources are read from it)."""
    from widgets.data import PACKAGE

    path = _deps.book_root() / PACKAGE
    _deps.record(path)
    return json.loads(path.read_text(encoding="utf-8"))


def licence_text(resource: Mapping, package: Mapping) -> str:
    """The resource's licence(s), or the package's with '(package licence)' when the resource declares none."""
    own = resource.get("licenses")
    names = [lic.get("title") or lic.get("name", "") for lic in (own or package.get("licenses", []))]
    text = "; ".join(n for n in names if n)
    if not text:
        raise ValueError(f"data/datapackage.json: resource {resource['name']!r} has no licence and the package none")
    return text if own else f"{text} (package licence)"


def source_titles(resource: Mapping, package: Mapping) -> list[str]:
    """The resource's declared sources (or the package's), each as its title with its address when it has one."""
    items = resource.get("sources") or package.get("sources", [])
    return [f"{s['title']} ({s['path']})" if s.get("path") else s["title"] for s in items]


def _is_source_column(name: str) -> bool:
    return name in ("source", "sources") or name.endswith("_source")


def cited_keys(table) -> list[str]:
    """The references.bib keys named in the source columns (or GeoJSON `source` properties) of a table, sorted."""
    if isinstance(table, dict):
        cells = [f["properties"].get("source", "") for f in table["features"]]
    else:
        cells = [v for c in table.columns if _is_source_column(c) for v in table[c] if not is_missing(v)]
    return sorted({k for cell in cells for k in source_keys(cell)})


def row_count(table) -> int:
    """Rows of a CSV table, features of a GeoJSON collection."""
    return len(table["features"]) if isinstance(table, dict) else len(table)


def as_of_range(table) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Earliest and latest `as_of` date of a table, or None when it has no as_of column (GeoJSON layers)."""
    if isinstance(table, dict) or "as_of" not in table.columns or table["as_of"].dropna().empty:
        return None
    dates = pd.to_datetime(table["as_of"].dropna())
    return dates.min(), dates.max()


def constraint_text(field: Mapping, primary_key: list[str], foreign: Mapping[str, str]) -> str:
    """A field's rules in words: 'primary key; required; one of a, b; at least 0; pattern ^x$; → places.place_id'."""
    c = field.get("constraints", {})
    parts = ["primary key"] if field["name"] in primary_key else []
    parts += [word for key, word in (("required", "required"), ("unique", "unique")) if c.get(key)]
    if "enum" in c:
        parts.append("one of " + ", ".join(str(v) for v in c["enum"]))
    parts += [
        f"{word} {c[key]}"
        for key, word in (
            ("minimum", "at least"),
            ("maximum", "at most"),
            ("minLength", "length at least"),
            ("maxLength", "length at most"),
            ("pattern", "pattern"),
        )
        if key in c
    ]
    if field["name"] in foreign:
        parts.append(f"refers to {foreign[field['name']]}")
    return "; ".join(parts)


def _foreign(schema: Mapping) -> dict[str, str]:
    out = {}
    for fk in schema.get("foreignKeys", []):
        fields, ref = fk["fields"], fk["reference"]
        targets = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        for own, target in zip(fields if isinstance(fields, list) else [fields], targets):
            out[own] = f"{ref['resource']}.{target}"
    return out


def _primary_key(schema: Mapping) -> list[str]:
    key = schema.get("primaryKey", [])
    return key if isinstance(key, list) else [key]


def column_rows(resource: Mapping, table) -> list[dict]:
    """One row per column: name, type, rules and description (for GeoJSON: each property with its observed types)."""
    if isinstance(table, dict):
        return _property_rows(table)
    schema = resource.get("schema", {})
    key, foreign = _primary_key(schema), _foreign(schema)
    return [
        {
            "name": f["name"],
            "type": f["type"],
            "rules": constraint_text(f, key, foreign),
            "description": f.get("description", ""),
        }
        for f in schema.get("fields", [])
    ]


def _property_rows(collection: dict) -> list[dict]:
    features = collection["features"]
    names = sorted({k for f in features for k in f["properties"]})
    rows = []
    for name in names:
        values = [f["properties"].get(name) for f in features]
        types = sorted({next(t for cls, t in JSON_TYPES if isinstance(v, cls)) for v in values if v is not None})
        present = sum(v is not None for v in values)
        rows.append(
            {
                "name": name,
                "type": " or ".join(types) or "null",
                "rules": f"in {present} of {len(features)} features",
                "description": "",
            }
        )
    geometries = sorted({f["geometry"]["type"] for f in features})
    rows.append({"name": "geometry", "type": " or ".join(geometries), "rules": "every feature", "description": ""})
    return rows


def resource_summary(name: str, *, data=None, package: Mapping | None = None) -> dict:
    """Everything the catalogue shows about one resource, as plain values (dates as Timestamps, None when absent)."""
    data = _load(data)
    package = package if package is not None else package_descriptor()
    resource = data.resource(name)
    table = data[name]
    span = as_of_range(table)
    return {
        "name": name,
        "title": resource["title"],
        "description": resource["description"],
        "path": "data/" + resource["path"],
        "format": resource["format"],
        "licence": licence_text(resource, package),
        "sources": source_titles(resource, package),
        "cited": cited_keys(table),
        "rows": row_count(table),
        "as_of_first": span[0] if span else None,
        "as_of_last": span[1] if span else None,
        "primary_key": _primary_key(resource.get("schema", {})),
        "columns": column_rows(resource, table),
    }


def _summaries(data, package) -> list[dict]:
    package = package if package is not None else package_descriptor()
    return [resource_summary(n, data=data, package=package) for n in data]


def catalogue_counts(*, data=None, package: Mapping | None = None) -> dict[str, object]:
    """Glue values for the page's prose: resources, tables, map layers, rows, distinct source keys, package date."""
    data = _load(data)
    summaries = _summaries(data, package)
    return {
        "data_resources": len(summaries),
        "data_csv_tables": sum(s["format"] == "csv" for s in summaries),
        "data_geo_layers": sum(s["format"] == "geojson" for s in summaries),
        "data_rows": format_number(sum(s["rows"] for s in summaries)),
        "data_source_keys": len({k for s in summaries for k in s["cited"]}),
        "data_package_as_of": format_date(data.as_of),
    }


def _unit(summary: Mapping) -> str:
    return "features" if summary["format"] == "geojson" else "rows"


def _size(summary: Mapping) -> str:
    return f"{format_number(summary['rows'])} {_unit(summary)}"


def _span_text(summary: Mapping) -> str:
    first, last = summary["as_of_first"], summary["as_of_last"]
    if first is None:
        return "not dated per row"
    return format_date(first) if first == last else f"{format_date(first)} – {format_date(last)}"


def licence_names(resource: Mapping, package: Mapping) -> str:
    """The short licence identifiers of a resource (CC-BY-4.0, ...), the package's when it declares none."""
    return ", ".join(lic.get("name", "") for lic in resource.get("licenses") or package.get("licenses", []))


def catalogue_overview(*, data=None, package: Mapping | None = None) -> Table:
    """A table of every resource: name (linking to its block), title, rows, as-of range, licence identifier."""
    data = _load(data)
    package = package if package is not None else package_descriptor()
    rows = []
    for s in _summaries(data, package):
        name = s["name"]
        # Non-breaking spaces inside each date, so a narrow column breaks a range only at its dash.
        rows.append(
            {
                "name": f'<a href="#data-{escape(name)}"><code>{escape(name)}</code></a>',
                "plain_name": name,
                "title": s["title"],
                "rows": _size(s),
                "as_of": _span_text(s).replace(" ", "\u00a0").replace("\u00a0–\u00a0", " – "),
                "licence": licence_names(data.resource(name), package),
            }
        )
    columns = [("name", "Resource"), ("title", "Title"), ("rows", "Size"), ("as_of", "As of"), ("licence", "Licence")]
    caption = f"The data package: every resource, as of {format_date(data.as_of)}"
    shown = pd.DataFrame(
        [{h: r["plain_name" if k == "name" else k] for k, h in columns} for r in rows], columns=[h for _, h in columns]
    )
    return Table(caption, render_table(rows, columns, caption, numeric=["rows"], raw=["name"]), shown)


def resource_block(summary: Mapping) -> str:
    """One resource as HTML: heading, description, facts, then a table of its columns."""
    name = summary["name"]
    sources = "".join(f"<li>{escape(s)}</li>" for s in summary["sources"])
    cited = source_html(";".join(summary["cited"])) if summary["cited"] else "none (no source column)"
    unit = _unit(summary)
    key = ", ".join(f"<code>{escape(k)}</code>" for k in summary["primary_key"]) or "none declared"
    facts = [
        ("File", f"<code>{escape(summary['path'])}</code> ({escape(summary['format'])})"),
        ("Size", _size(summary)),
        ("As of", escape(_span_text(summary))),
        ("Licence", escape(summary["licence"])),
        ("Sources", f"<ul>{sources}</ul>"),
        (f"Cited by its {unit} ({len(summary['cited'])})", cited),
        ("Primary key", key),
    ]
    facts_html = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    columns = render_table(
        summary["columns"],
        [("name", "Column"), ("type", "Type"), ("rules", "Rules"), ("description", "Description")],
        f"Columns of {summary['name']}",
        stylesheet=False,
    )
    return (
        f'<div class="cf-resource"><h3 id="data-{escape(name)}">{escape(summary["title"])} '
        f"(<code>{escape(name)}</code>)</h3><p>{escape(summary['description'])}</p><dl>{facts_html}</dl>{columns}</div>"
    )


def catalogue(*, data=None, package: Mapping | None = None) -> Catalogue:
    """Every resource of the package, in datapackage.json order, as headed blocks (see resource_block)."""
    data = _load(data)
    summaries = _summaries(data, package)
    text = "\n".join(f"{s['name']}: {s['title']} ({s['path']}, {_size(s)}, as of: {_span_text(s)})" for s in summaries)
    return Catalogue(style("table.css") + style("catalogue.css") + "".join(resource_block(s) for s in summaries), text)

"""Offline maps of the region, Shusha and the Lachin corridor: Leaflet inlined, no tiles, stable ids, caption + table.

Every map is a `BookMap`: a self-contained `<iframe srcdoc>` (Leaflet 1.9.3 from the xstatic-leaflet package, no
CDN, no jQuery/Bootstrap/Font Awesome) followed by a caption and a table of what it shows. It renders the same from
`file://`, in JupyterLab and in a single-page build, and re-rendering gives byte-identical HTML.

No geometry is computed here: the layers cut to each map's view, and the points where a map names the countries, are
precomputed in data/geo/map_context.geojson (tools/derive_map_context.py), and distances come from a pure-Python
geodesic (widgets.geodesy). A chapter with a map needs neither shapely nor pyproj, so it also runs under Pyodide.

    from widgets.maps import overview_map, shusha_map, lachin_corridor_map, control_2023_map
    shusha_map()
"""

from __future__ import annotations

import base64
import html
import itertools
import math
import re
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import branca.element
import folium
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from widgets.geodesy import distance_m
from widgets.glue import figure
from widgets.render import (
    Table,
    book_data,
    format_date,
    format_number,
    format_range,
    period_text,
    render_table,
    source_html,
    static,
)

ATTRIBUTION = "Natural Earth (public domain); GeoNames (CC BY 4.0); corridor and peacekeeping area are schematic"
# Natural Earth 10m puts Kornidzor 0.4 km inside Azerbaijan: zooming closer than 11 would overstate its precision.
MAX_ZOOM = 11
WATER = "#d6e6f2"
OSM = ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "&copy; OpenStreetMap contributors")

# One line style per kind of layer; `label` goes into the legend and the table, `schematic` adds the word there.
STYLES = {
    "country": {"color": "#8c8c8c", "weight": 1, "fillColor": "#f6f4ee", "fillOpacity": 1},
    "lake": {"color": "#8fb3d1", "weight": 1, "fillColor": WATER, "fillOpacity": 1},
    "river": {"color": "#4f86c0", "weight": 1.5},
    "nkao": {"color": "#6a3d9a", "weight": 2.5, "dashArray": "8 5", "fillOpacity": 0.02},
    "line_of_contact": {"color": "#b2182b", "weight": 2.5, "dashArray": "6 4"},
    "district": {"color": "#b35806", "weight": 1.5, "fillColor": "#f1a340", "fillOpacity": 0.45},
    "peacekeeping": {"color": "#1b7837", "weight": 1.5, "dashArray": "4 3", "fillColor": "#5aae61", "fillOpacity": 0.3},
    "corridor_2020": {"color": "#c51b7d", "weight": 1.5, "fillColor": "#de77ae", "fillOpacity": 0.55},
    "corridor_2022": {
        "color": "#542788",
        "weight": 1.5,
        "dashArray": "5 4",
        "fillColor": "#998ec3",
        "fillOpacity": 0.5,
    },
    "route_2020": {"color": "#333333", "weight": 2.5},
    "route_2022": {"color": "#542788", "weight": 2.5, "dashArray": "6 4"},
    "control_2023": {"color": "#252525", "weight": 1.5, "fillColor": "#636363", "fillOpacity": 0.45},
}
# Inside the iframe nothing inherits the book's theme: static/map.css makes every colour explicit, so light and dark
# pages both read. folium's Popup and keep_in_front templates call jQuery's `$`: static/map-jquery-stub.js covers both.


# ---------------------------------------------------------------- the offline map base


@cache
def leaflet_inline() -> str:
    """Leaflet 1.9.3's CSS (images as data: URIs) and JS from the xstatic-leaflet package, plus the `$` stand-in."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    images = {
        p.name: "data:image/png;base64," + base64.b64encode(p.read_bytes()).decode()
        for p in sorted((base / "images").glob("*.png"))
    }
    css = re.sub(
        r"url\(images/([\w-]+\.png)\)",
        lambda m: f"url({images[m.group(1)]})",
        (base / "leaflet.css").read_text(encoding="utf-8"),
    )
    js = re.sub(r"//# sourceMappingURL=\S+\s*$", "", (base / "leaflet.js").read_text(encoding="utf-8"))
    icons = (
        "L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({"
        f"iconUrl:'{images['marker-icon.png']}',iconRetinaUrl:'{images['marker-icon-2x.png']}',"
        f"shadowUrl:'{images['marker-shadow.png']}'}});"
    )
    stub = static("map-jquery-stub.js")
    return f"<style>{css}{static('map.css')}</style><script>{js}</script><script>{stub}{icons}</script>"


class OfflineMap(folium.Map):
    """A folium Map that loads nothing: Leaflet inlined in its page, no CDN links, no tiles unless asked for."""

    default_js: list = []
    default_css: list = []

    def render(self, **kwargs):
        self.get_root().header.add_child(Element(leaflet_inline()), name="leaflet_inline")
        super().render(**kwargs)


@contextmanager
def stable_ids():
    """Number branca element ids 1, 2, 3... while a map is built and rendered (instead of random hex)."""
    counter = itertools.count(1)
    original = branca.element.Element.__dict__["_generate_id"]
    branca.element.Element._generate_id = classmethod(lambda cls: f"{next(counter):04d}")
    try:
        yield
    finally:
        branca.element.Element._generate_id = original


class MapChrome(MacroElement):
    """Legend, attribution, scale bar and an accessible name for the map container."""

    # A Jinja template of folium JavaScript: legend, scale, attribution, accessible name (static/map-chrome.js.jinja).
    _template = Template(static("map-chrome.js.jinja"))

    def __init__(self, legend: str, label: str, position: str, fit: list[list[float]] = ()):
        super().__init__()
        self._name = "MapChrome"
        self.legend, self.label, self.position, self.attribution = legend, label, position, ATTRIBUTION
        # [lat, lon] of the places the map is named for: a narrow map zooms out until they all show.
        self.fit = [list(p) for p in fit]


def base_map(
    view: tuple[float, float, float, float],
    center: tuple[float, float],
    zoom: int,
    *,
    online_tiles: bool = False,
    max_zoom: int = MAX_ZOOM,
) -> OfflineMap:
    """An offline map centred on (lat, lon), held to `view` (west, south, east, north); OpenStreetMap tiles only if
    `online_tiles`."""
    west, south, east, north = view
    m = OfflineMap(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        min_zoom=zoom,
        max_zoom=max_zoom,
        max_bounds=True,
        min_lat=south,
        max_lat=north,
        min_lon=west,
        max_lon=east,
        keyboard=True,
        maxBoundsViscosity=1.0,
    )
    m.online_tiles = online_tiles
    if online_tiles:
        folium.TileLayer(
            OSM[0],
            attr=OSM[1],
            name="OpenStreetMap (online, off by default)",
            overlay=True,
            show=False,
            max_zoom=MAX_ZOOM,
        ).add_to(m)
    return m


# ---------------------------------------------------------------- the returned object


@dataclass(frozen=True, eq=False)
class BookMap:
    """A rendered map: a self-contained iframe, then its caption and a table of what it shows."""

    title: str
    caption: str
    document: str = field(repr=False)
    rows: pd.DataFrame = field(repr=False)
    table_html: str = field(repr=False)
    height: int = 480

    @property
    def html(self) -> str:
        # Single-quoted: the page's JSON is full of double quotes and has almost no single ones.
        srcdoc = self.document.replace("&", "&amp;").replace("'", "&#39;")
        keys = (
            "Keyboard: Tab into the map, then use the arrow keys to pan and + / \u2212 to zoom. "
            "The table below lists what the map shows, with its dates and sources."
        )
        return (
            f'<figure class="cf-map" style="margin:0 0 1em">'
            f"<iframe srcdoc='{srcdoc}'"
            f' title="{html.escape(self.title)}" '
            f'style="width:100%;height:{self.height}px;border:1px solid rgba(127,127,127,.5);display:block">'
            f'</iframe><figcaption style="padding:.4em 0;color:inherit"><strong>{html.escape(self.title)}.'
            f'</strong> {html.escape(self.caption)} <span style="opacity:.85">{html.escape(keys)}</span>'
            f"</figcaption>{self.table_html}</figure>"
        )

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"{self.title}. {self.caption}\n{self.rows.to_string(index=False)}"


# ---------------------------------------------------------------- layers


CONTEXT = "geo_map_context"
DERIVE_CONTEXT = "python -m tools.derive_map_context"
BOOKKEEPING = ("map", "layer")


class MapContextMissing(LookupError):
    """data/geo/map_context.geojson has no features cut for a map's current view in data/maps.json."""


def map_context(d: Mapping, name: str, spec: Mapping) -> dict[str, list[dict]]:
    """The precomputed layers of map `name` (data/geo/map_context.geojson), by layer ('countries', 'lakes',
    'rivers', 'label', 'districts_2020', ...): GeoJSON features cut to its view, each with the properties of the
    feature it was cut from. Raises MapContextMissing when they were cut for another view or tolerance than
    data/maps.json now gives (a view changed and the file was not re-derived)."""
    context = d[CONTEXT]
    wanted = {"view": list(spec["view"]), "simplify": spec.get("simplify", 0.0)}
    cut_for = context.get("maps", {}).get(name)
    if cut_for != wanted:
        now = f"view {wanted['view']}, simplify {wanted['simplify']}"
        was = "" if cut_for is None else f" (they were cut for view {cut_for['view']}, simplify {cut_for['simplify']})"
        raise MapContextMissing(
            f"data/geo/map_context.geojson has no layers cut for map {name!r} as {SPECS} gives it ({now}){was}: "
            f"run `{DERIVE_CONTEXT}` after changing a map's view (it needs shapely, which the book's "
            "development environment has)"
        )
    layers: dict[str, list[dict]] = {}
    for feature in context["features"]:
        props = feature["properties"]
        if props["map"] == name:
            layers.setdefault(props["layer"], []).append(
                {
                    "type": "Feature",
                    "id": props["id"],
                    "properties": {k: v for k, v in props.items() if k not in BOOKKEEPING},
                    "geometry": feature["geometry"],
                }
            )
    return layers


def _feature(d: Mapping, layer: str, feature_id: str) -> dict:
    for feature in d[layer]["features"]:
        if feature["properties"]["id"] == feature_id:
            return feature
    raise KeyError(f"data/{layer.removeprefix('geo_')}.geojson has no feature with id {feature_id!r}")


def _popup(title: str, lines: list[str], source: str) -> folium.Popup:
    body = "".join(f"<p>{line}</p>" for line in lines)
    cite = f"<p>Source: {source_html(source)}</p>" if source else ""
    content = f"<b>{html.escape(title)}</b>{body}{cite}"
    # folium puts popup HTML in a JS template literal: backticks, backslashes and `${` must not reach it raw.
    content = content.replace("\\", "&#92;").replace("`", "&#96;").replace("${", "&#36;{")
    # Long popups scroll instead of auto-panning the map out of its data extent.
    return folium.Popup(folium.Html(content, script=True), max_width=320, max_height=230)


def add_shape(target, feature: dict, kind: str, tooltip: str, lines: list[str]) -> None:
    """One GeoJSON feature drawn in the style of `kind`, with a tooltip and a sourced popup."""
    style = STYLES[kind]
    props = feature["properties"]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": [feature]},
        style_function=lambda _f, s=style: s,
        name=props["name"],
        control=False,
        tooltip=folium.Tooltip(html.escape(tooltip), sticky=True),
        popup=_popup(props["name"], lines, props.get("source", "")),
    ).add_to(target)


def add_context(m, context: Mapping[str, list[dict]]) -> None:
    """Countries (with their names), lakes and the Aras and Kura, cut to the view; not interactive."""
    for layer, kind in (("countries", "country"), ("lakes", "lake"), ("rivers", "river")):
        features = context.get(layer, [])
        if features:
            folium.GeoJson(
                {"type": "FeatureCollection", "features": features},
                style_function=lambda _f, s=STYLES[kind]: {**s, "interactive": False},
                interactive=False,
                control=False,
                name=kind,
            ).add_to(m)
    for feature in context.get("label", []):
        lon, lat = feature["geometry"]["coordinates"]
        folium.Marker(
            [lat, lon],
            interactive=False,
            icon=folium.DivIcon(
                html=f'<span style="color:#4a4a4a;font:italic 600 13px system-ui,sans-serif;white-space:nowrap">'
                f"{html.escape(feature['properties']['name'].upper())}</span>",
                icon_size=(0, 0),
            ),
        ).add_to(m)


def place_lines(row: Mapping, events: pd.DataFrame) -> list[str]:
    """Popup lines for a place: both names, elevation, role, control note and dated events, all from data/."""
    names = [
        f"Azerbaijani: {html.escape(row['name_az'])}" if _has(row, "name_az") else "",
        f"Armenian: {html.escape(row['name_hy'])}" if _has(row, "name_hy") else "",
    ]
    lines = [" \u00b7 ".join(n for n in names if n)]
    if _has(row, "elevation_m"):
        lines.append(f"Elevation: {format_number(row['elevation_m'])} m")
    elif _has(row, "elevation_note"):
        lines.append(f"Elevation: {html.escape(row['elevation_note'])}")
    lines.append(html.escape(row["role"]))
    if _has(row, "control_note"):
        lines.append(html.escape(row["control_note"]))
    for _, ev in events[events["place_id"] == row["place_id"]].sort_values("date").iterrows():
        lines.append(
            f"<b>{format_date(ev['date'])}</b>: {html.escape(ev['event'])} "
            f"(reported by {html.escape(ev['reporting_party'])}) {source_html(ev['source'])}"
        )
    return [line for line in lines if line]


def _has(row: Mapping, key: str) -> bool:
    value = row.get(key)
    return value is not None and not pd.isna(value) and str(value) != ""


def add_places(m, d: Mapping, place_ids: list[str], labelled: set[str]) -> list[dict]:
    """Circle markers for places (both names in the tooltip, sourced facts in the popup); returns table rows."""
    places = d["places"].set_index("place_id", drop=False)
    missing = [p for p in place_ids if p not in places.index]
    if missing:
        raise KeyError(f"data/places.csv has no row for {', '.join(missing)} (needed by widgets.maps)")
    events, rows = d["geo_map_events"], []
    for pid in place_ids:
        row = places.loc[pid].to_dict()
        armenia = row["country_2020"] == "armenia"
        folium.CircleMarker(
            [row["lat"], row["lon"]],
            radius=6 if pid in labelled else 4,
            weight=2,
            color="#1a1a1a",
            fill=True,
            fill_color="#9e9e9e" if armenia else "#ffffff",
            fill_opacity=1,
            tooltip=folium.Tooltip(
                html.escape(row["name_en"]), permanent=pid in labelled, direction="right", class_name="cf-label"
            ),
            popup=_popup(row["name_en"], place_lines(row, events), row["source"]),
        ).add_to(m)
        evs = events[events["place_id"] == pid]
        rows.append(
            {
                "shown": row["name_en"],
                "what": f"place ({'Armenia' if armenia else 'Azerbaijan'}); " + row["role"],
                "when": "; ".join(format_date(x) for x in sorted(evs["date"])),
                "source": row["source"] + "".join(";" + s for s in evs["source"]),
                "approximate": "no",
            }
        )
    return rows


def legend_html(entries: list[tuple[str, str, bool]]) -> str:
    """Legend rows: (style kind or 'place'/'place_am', label, schematic?)."""
    out = []  # its heading is the <summary> of the folding legend (static/map-chrome.js.jinja)
    for kind, label, schematic in entries:
        if kind.startswith("place"):
            fill = "#9e9e9e" if kind == "place_am" else "#ffffff"
            swatch = f'<i class="cf-dot" style="border-color:#1a1a1a;background:{fill}"></i>'
        else:
            s = STYLES[kind]
            line = "fillColor" not in s
            dash = "dashed" if "dashArray" in s else "solid"
            swatch = (
                f'<i class="{"cf-line" if line else ""}" style="border-color:{s["color"]};border-style:{dash};'
                f'background:{"transparent" if line else s["fillColor"]}"></i>'
            )
        out.append(f"<div>{swatch}{html.escape(label)}{' <em>(schematic)</em>' if schematic else ''}</div>")
    return "".join(out)


def table_of(title: str, rows: list[dict]) -> tuple[pd.DataFrame, str]:
    columns = [
        ("shown", "Shown"),
        ("what", "What it is"),
        ("when", "Dates"),
        ("source_html", "Source"),
        ("approximate", "Schematic or approximate"),
    ]
    shaped = [{**r, "source_html": source_html(r["source"]) if r["source"] else ""} for r in rows]
    frame = pd.DataFrame(
        [
            {
                "Shown": r["shown"],
                "What it is": r["what"],
                "Dates": r["when"],
                "Source": r["source"],
                "Schematic or approximate": r["approximate"],
            }
            for r in rows
        ]
    )
    return frame, render_table(shaped, columns, f"What the map \u201c{title}\u201d shows", raw=("source_html",))


def fit_points(d: Mapping, spec: Mapping) -> list[list[float]]:
    """[lat, lon] of the map's labelled places (data/places.csv), sorted by id (the spec gives a set): deterministic."""
    places = d["places"].set_index("place_id", drop=False)
    return [
        [round(float(places.loc[p, "lat"]), 4), round(float(places.loc[p, "lon"]), 4)] for p in sorted(spec["labelled"])
    ]


def finish(
    m,
    d: Mapping,
    title: str,
    caption: str,
    legend: list,
    rows: list[dict],
    *,
    layer_control: bool,
    height: int = 480,
    fit: list[list[float]] = (),
) -> BookMap:
    # The layer control, when there is one, takes the top right corner.
    position = "bottomleft" if layer_control or m.online_tiles else "topright"
    MapChrome(legend_html(legend), title, position, fit).add_to(m)
    if layer_control or m.online_tiles:
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
    frame, table = table_of(title, rows)
    # folium's templates indent heavily and its JSON has spaces after , and : -- dropping both saves ~15% of a
    # map's own bytes and changes no JS, JSON or HTML.
    policies = folium.features.GeoJson._template.environment.policies
    saved = policies["json.dumps_kwargs"]
    policies["json.dumps_kwargs"] = {**saved, "separators": (",", ":")}
    try:
        document = re.sub(r"\n\s*\n|\n[ \t]+", "\n", m.get_root().render())
    finally:
        policies["json.dumps_kwargs"] = saved
    # The framed document is a page of its own to assistive technology: it needs a language and a title.
    document = document.replace("<html>", '<html lang="en">', 1).replace(
        "<head>", f"<head>\n<title>{html.escape(title)}</title>", 1
    )
    return BookMap(title, caption, document, frame, table, height)


def shape_row(feature: dict, what: str, when: str = "") -> dict:
    props = feature["properties"]
    return {
        "shown": props["name"],
        "what": what,
        "when": when,
        "source": props.get("source", ""),
        "approximate": "yes: " + props["method"] if props.get("approximate") else "no",
    }


def _period(props: Mapping) -> str:
    start, end = props.get("valid_from"), props.get("valid_to")
    return period_text(pd.Timestamp(start), pd.Timestamp(end)) if start and end else ""


SPECS = "data/maps.json"


def map_spec(name: str) -> dict:
    """What map `name` shows, and its title and caption (data/maps.json): view, center, zoom, places (labelled ones
    carry a permanent label), legend entries [style, label, schematic]."""
    import json

    from widgets import _deps

    path = _deps.book_root() / SPECS
    _deps.record(path, name)
    specs = json.loads(path.read_text(encoding="utf-8"))
    if name not in specs:
        raise KeyError(f"{SPECS} has no map {name!r}; it has: {', '.join(k for k in specs if not k.startswith('_'))}")
    spec = specs[name]
    return {
        **spec,
        "view": tuple(spec["view"]),
        "center": tuple(spec["center"]),
        "labelled": set(spec["labelled"]),
        "legend": [tuple(entry) for entry in spec["legend"]],
    }


def km_between(d: Mapping, a: str, b: str) -> float:
    """Straight-line (geodesic) distance in km between two places of places.csv."""
    p = d["places"].set_index("place_id")
    return distance_m(p.at[a, "lon"], p.at[a, "lat"], p.at[b, "lon"], p.at[b, "lat"]) / 1000


# ---------------------------------------------------------------- the book's maps


def _nkao(d: Mapping, target, rows: list[dict]) -> None:
    nkao = _feature(d, "geo_nkao", "nkao")
    official = figure("nkao_area_official_km2", data=d)
    derived = nkao["properties"]["area_km2_derived"]
    add_shape(
        target,
        nkao,
        "nkao",
        "Former Nagorno-Karabakh Autonomous Oblast (1923\u20131991)",
        [
            f"Boundary as drawn by Natural Earth: {format_number(derived)} km\u00b2.",
            f"Official area: {format_number(official.value)} km\u00b2 {source_html(official.source)}.",
        ],
    )
    rows.append(
        shape_row(
            nkao,
            f"boundary of the autonomous oblast; {format_number(derived)} km\u00b2 as drawn "
            f"(official {format_number(official.value)} km\u00b2)",
            "7 Jul 1923 \u2013 26 Nov 1991",
        )
    )


def _districts(d: Mapping, target, rows: list[dict], context: Mapping[str, list[dict]]) -> None:
    for feature in context["districts_2020"]:
        p = feature["properties"]
        deadline, handed = pd.Timestamp(p["deadline"]), pd.Timestamp(p["handed_over"])
        when = f"handed over {format_date(handed)}" + (
            f" (deadline {format_date(deadline)})" if deadline != handed else ""
        )
        add_shape(
            target,
            feature,
            "district",
            f"{p['name']}: {when}",
            [
                f"Deadline in the statement: {format_date(deadline)}.",
                f"Handed over: {format_date(handed)}.",
                html.escape(p["note"]) + ".",
            ],
        )
        rows.append(
            shape_row(
                feature, "district handed over to Azerbaijan under the statement of 10 Nov 2020; " + p["note"], when
            )
        )


def _corridor(d: Mapping, target, rows: list[dict], which: str, context: Mapping[str, list[dict]]) -> None:
    width = figure("statement_corridor_width_km", data=d)
    feature = next(f for f in context["lachin_corridor"] if f["id"] == f"corridor_{which}")
    p = feature["properties"]
    lines = [
        f"In use {_period(p)}.",
        f"Width in the statement: {format_number(width.value)} km {source_html(width.source)}; "
        "drawn here schematically, not surveyed.",
    ]
    if which == "2022":
        lines.append("Runs east and south of Lachin/Berdzor, Aghavno and Sus, through Mets Shen and Hin Shen.")
    add_shape(target, feature, f"corridor_{which}", f"{p['name']} (schematic)", lines)
    rows.append(
        shape_row(
            feature, "corridor under Russian peacekeeping control linking Nagorno-Karabakh with Armenia", _period(p)
        )
    )
    route = next(f for f in context["lachin_corridor"] if f["id"] == f"route_{which}")
    add_shape(
        target,
        route,
        f"route_{which}",
        route["properties"]["name"] + " (schematic)",
        ["Road line drawn through towns and a few waypoints; not surveyed."],
    )
    rows.append(shape_row(route, "road through the corridor"))


def _peacekeeping(d: Mapping, target, rows: list[dict], context: Mapping[str, list[dict]]) -> None:
    troops = figure("statement_pk_troops", data=d)
    feature = context["peacekeeping_area"][0]
    p = feature["properties"]
    add_shape(
        target,
        feature,
        "peacekeeping",
        "Russian peacekeeping area (schematic)",
        [
            f"Deployed {_period(p)}.",
            f"Contingent in the statement: {format_number(troops.value)} servicemen {source_html(troops.source)}.",
            "Outline schematic: the part of the former NKAO not taken in the war, plus the corridor.",
        ],
    )
    rows.append(
        shape_row(
            feature,
            f"area of the Russian peacekeeping deployment ({format_number(troops.value)} servicemen in the statement)",
            _period(p),
        )
    )


def overview_map(*, data: Mapping | None = None, online_tiles: bool = False) -> BookMap:
    """The region before and after 10 Nov 2020: the 1994 line of contact, or the handed-over districts, the
    peacekeeping area and the corridor (radio buttons), with the former NKAO and the main towns."""
    d, spec = book_data(data), map_spec("overview")
    view, context = spec["view"], map_context(d, "overview", spec)
    with stable_ids():
        # Small scale (zoom 8-9): lines thinned to ~1 km (two to four pixels) keep this page light.
        m = base_map(view, spec["center"], spec["zoom"], online_tiles=online_tiles, max_zoom=spec["max_zoom"])
        add_context(m, context)
        before = folium.FeatureGroup(name="Before 10 Nov 2020: line of contact of 1994", overlay=False, show=False)
        after = folium.FeatureGroup(name="After 10 Nov 2020: handovers, peacekeepers, corridor", overlay=False)
        rows: list[dict] = []
        loc = _feature(d, "geo_nkao", "line_of_contact_1994")
        add_shape(
            before,
            loc,
            "line_of_contact",
            "Line of contact, 1994\u20132020 (approximate)",
            [
                "Front line of the 1994 ceasefire, generalised by Natural Earth.",
                "Armenian forces held the land west of it outside the former NKAO until 2020.",
            ],
        )
        rows.append(shape_row(loc, "front line of the 1994 ceasefire (layer 'Before')", "May 1994 \u2013 Sep 2020"))
        _districts(d, after, rows, context)
        _peacekeeping(d, after, rows, context)
        _corridor(d, after, rows, "2020", context)
        before.add_to(m)
        after.add_to(m)
        _nkao(d, m, rows)
        rows += add_places(m, d, spec["places"], labelled=spec["labelled"])
        return finish(
            m, d, spec["title"], spec["caption"], spec["legend"], rows, layer_control=True, fit=fit_points(d, spec)
        )


def shusha_map(*, data: Mapping | None = None, online_tiles: bool = False) -> BookMap:
    """Shusha/Shushi on its heights above Stepanakert/Khankendi, the corridor road below it, elevations and the
    dates of its capture; followed by an elevation table Stepanakert -> Shusha -> Lachin -> Goris."""
    d, spec = book_data(data), map_spec("shusha")
    view, context = spec["view"], map_context(d, "shusha", spec)
    with stable_ids():
        m = base_map(view, spec["center"], spec["zoom"], online_tiles=online_tiles)
        add_context(m, context)
        rows: list[dict] = []
        _peacekeeping(d, m, rows, context)
        _nkao(d, m, rows)
        _corridor(d, m, rows, "2020", context)
        rows += add_places(m, d, spec["places"], labelled=spec["labelled"])
        km = km_between(d, "stepanakert", "shusha")
        caption = spec["caption"].format(stepanakert_shusha_km=format_number(round(km, 1)))
        result = finish(
            m,
            d,
            spec["title"],
            caption,
            spec["legend"],
            rows,
            layer_control=False,
            height=spec["height"],
            fit=fit_points(d, spec),
        )
    return BookMap(
        result.title,
        result.caption,
        result.document,
        result.rows,
        elevation_profile_svg(data=d) + result.table_html + elevation_table(data=d).html,
        result.height,
    )


def _elevation_span(row: Mapping) -> tuple[float, float] | None:
    """(low, high) metres of a place: its elevation_m twice, or a range read from its elevation_note
    ('spans about 1,400-1,800 m'); None when neither gives one."""
    if _has(row, "elevation_m"):
        return float(row["elevation_m"]), float(row["elevation_m"])
    if _has(row, "elevation_note"):
        found = re.search(r"(\d[\d,]*)\s*[-–]\s*(\d[\d,]*)\s*m", str(row["elevation_note"]))
        if found:
            low, high = (float(x.replace(",", "")) for x in found.groups())
            return low, high
    return None


def elevation_profile_svg(*, data: Mapping | None = None) -> str:
    """A small inline SVG of the heights along the map's elevation profile (data/maps.json, places.csv): each town at
    its straight-line distance from the first, a range (Shusha/Shushi spans 1,400-1,800 m) drawn as a bar; the text
    alternative lists the same figures. Colours follow the text (currentColor), so it reads in both colour modes."""
    d = book_data(data)
    p = d["places"].set_index("place_id", drop=False)
    order = map_spec("shusha")["elevation_profile"]
    points, total = [], 0.0
    for i, pid in enumerate(order):
        if i:
            total += km_between(d, order[i - 1], pid)
        span = _elevation_span(p.loc[pid])
        if span is not None:
            points.append((p.loc[pid, "name_en"], total, span))
    if len(points) < 2:
        return ""
    w, h, left, right, top, bottom = 440, 260, 44, 40, 30, 30
    lo = min(s[0] for *_, s in points)
    hi = max(s[1] for *_, s in points)
    lo, hi = 100 * math.floor((lo - 450) / 100), 100 * math.ceil((hi + 100) / 100)
    km_max = points[-1][1] or 1.0

    def x(km: float) -> float:
        return round(left + (w - left - right) * km / km_max, 1)

    def y(m: float) -> float:
        return round(top + (h - top - bottom) * (hi - m) / (hi - lo), 1)

    def metres(span) -> str:
        return f"{format_number(span[0])} m" if span[0] == span[1] else f"{format_range(low=span[0], high=span[1])} m"

    mid = [(name, km, (s[0] + s[1]) / 2, s) for name, km, s in points]
    line = " ".join(f"{x(km)},{y(m)}" for _, km, m, _ in mid)
    parts = [
        f'<line x1="{left}" y1="{y(lo)}" x2="{w - right}" y2="{y(lo)}" stroke="currentColor" stroke-opacity=".4"/>',
        f'<polyline points="{line}" fill="none" stroke="currentColor" stroke-width="2" stroke-dasharray="5 3"/>',
    ]
    for step in range(500 * math.ceil(lo / 500), int(hi) + 1, 500):
        if step > lo:
            parts.append(
                f'<line x1="{left}" y1="{y(step)}" x2="{w - right}" y2="{y(step)}" stroke="currentColor" '
                f'stroke-opacity=".15"/><text x="{left - 6}" y="{y(step) + 4}" text-anchor="end">'
                f"{format_number(step)}</text>"
            )
    last_km_x = -100.0
    for k, (name, km, m, span) in enumerate(mid):
        ranged = span[0] != span[1]
        if ranged:
            parts.append(
                f'<rect x="{x(km) - 5}" y="{y(span[1])}" width="10" height="{round(y(span[0]) - y(span[1]), 1)}" '
                f'fill="currentColor" fill-opacity=".3" stroke="currentColor"/>'
            )
        else:
            parts.append(f'<circle cx="{x(km)}" cy="{y(m)}" r="4.5" fill="currentColor"/>')
        anchor = "start" if k == 0 else "end" if k == len(mid) - 1 else "middle"
        # A town lower than its neighbours is labelled below its point, the others above: labels do not collide.
        neighbours = [mid[j][2] for j in (k - 1, k + 1) if 0 <= j < len(mid)]
        below = not ranged and all(m < n for n in neighbours)
        name_y, metres_y = (y(m) + 20, y(m) + 38) if below else (y(span[1]) - 24, y(span[1]) - 8)
        if ranged:
            name_y, metres_y = y(span[1]) - 8, y(m) + 4
        parts.append(
            f'<text x="{x(km)}" y="{name_y}" text-anchor="{anchor}" font-weight="600">{html.escape(name)}</text>'
            f'<text x="{x(km) + (9 if ranged else 0)}" y="{metres_y}" text-anchor="{"start" if ranged else anchor}" '
            f'font-size="13">{metres(span)}</text>'
        )
        if x(km) - last_km_x >= 64 or k == len(mid) - 1:
            last_km_x = x(km)
            parts.append(
                f'<text x="{x(km)}" y="{y(lo) + 18}" text-anchor="{anchor}" font-size="13">'
                f"{format_number(round(km, 1))} km</text>"
            )
    names = " → ".join(name for name, *_ in points)
    desc = "; ".join(f"{name}: {metres(span)}, {format_number(round(km, 1))} km" for name, km, span in points)
    title = f"Elevation profile, {names}"
    return (
        f'<figure class="cf-profile" style="margin:.6em 0;color:inherit">'
        f'<svg viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px;height:auto;display:block;font:14px '
        f'system-ui,sans-serif" role="img" aria-labelledby="cf-profile-title cf-profile-desc" fill="currentColor">'
        f'<title id="cf-profile-title">{html.escape(title)}</title><desc id="cf-profile-desc">'
        f"{html.escape(desc)} (metres above sea level; distance = sum of straight-line legs).</desc>"
        f"{''.join(parts)}</svg>"
        f'<figcaption style="font-size:.9em;padding:.2em 0;text-align:left">{html.escape(title)}: heights in metres '
        f"(a bar where a town spans a range), distances along straight-line legs from the first town. Figures "
        f"from the places table below.</figcaption></figure>"
    )


def elevation_table(*, data: Mapping | None = None) -> Table:
    """Elevations along Stepanakert -> Shusha -> Lachin -> Goris, with straight-line distances (from places.csv)."""
    d = book_data(data)
    p = d["places"].set_index("place_id", drop=False)
    order, rows, total = map_spec("shusha")["elevation_profile"], [], 0.0
    for i, pid in enumerate(order):
        row = p.loc[pid]
        if i:
            total += km_between(d, order[i - 1], pid)
        elev = (
            f"{format_number(row['elevation_m'])} m"
            if _has(row, "elevation_m")
            else str(row["elevation_note"])
            if _has(row, "elevation_note")
            else "not known"
        )
        rows.append(
            {
                "place": row["name_en"],
                "elev": elev,
                "km": format_number(round(total, 1)),
                "source": source_html(row["source"]),
            }
        )
    caption = "Elevation profile: " + " \u2192 ".join(str(r["place"]) for r in rows)
    columns = [
        ("place", "Place"),
        ("elev", "Elevation"),
        ("km", "Km from Stepanakert (sum of straight-line legs)"),
        ("source", "Source"),
    ]
    shown = pd.DataFrame([{"Place": r["place"], "Elevation": r["elev"], "Km": r["km"]} for r in rows])
    return Table(caption, render_table(rows, columns, caption, numeric=("km",), raw=("source",)), shown)


def lachin_corridor_map(*, data: Mapping | None = None, online_tiles: bool = False) -> BookMap:
    """The Lachin corridor of 2020, its August 2022 rerouting, the peacekeeping area, the Lachin and Kalbajar
    handovers, and Goris and Kornidzor on the Armenian side."""
    d, spec = book_data(data), map_spec("lachin_corridor")
    view, context = spec["view"], map_context(d, "lachin_corridor", spec)
    with stable_ids():
        m = base_map(view, spec["center"], spec["zoom"], online_tiles=online_tiles)
        add_context(m, context)
        rows: list[dict] = []
        _districts(d, m, rows, context)
        _peacekeeping(d, m, rows, context)
        _corridor(d, m, rows, "2020", context)
        _corridor(d, m, rows, "2022", context)
        _nkao(d, m, rows)
        rows += add_places(m, d, spec["places"], labelled=spec["labelled"])
        return finish(
            m, d, spec["title"], spec["caption"], spec["legend"], rows, layer_control=False, fit=fit_points(d, spec)
        )


def control_2023_map(*, data: Mapping | None = None, online_tiles: bool = False) -> BookMap:
    """The change of control of 19-20 Sep 2023: the area held by the Karabakh Armenian authorities until then, the
    corridor road of 2022, the road closure and the checkpoint, and the exodus figure."""
    d, spec = book_data(data), map_spec("control_2023")
    view, context = spec["view"], map_context(d, "control_2023", spec)
    with stable_ids():
        m = base_map(view, spec["center"], spec["zoom"], online_tiles=online_tiles)
        add_context(m, context)
        rows: list[dict] = []
        _nkao(d, m, rows)
        feature = context["control_2023"][0]
        p = feature["properties"]
        exodus = figure("x23_displaced_20231019", data=d)
        exodus_text = (
            f"{exodus.text} people had crossed into Armenia by {format_date(exodus.as_of)}, according to "
            f"{exodus.reporting_party}"
        )
        add_shape(
            m,
            feature,
            "control_2023",
            "Held by the Karabakh Armenian authorities until 19\u201320 Sep 2023",
            [
                f"Under Azerbaijani control from {format_date(pd.Timestamp(p['changed_on']))}.",
                f"{html.escape(exodus_text)} {source_html(exodus.source)}.",
                "Outline schematic (the peacekeeping area without the corridor).",
            ],
        )
        rows.append(
            shape_row(
                feature,
                "area held by the Karabakh Armenian authorities until Sep 2023; after 20 Sep "
                "2023 the whole former NKAO was under Azerbaijani control",
                f"until {format_date(pd.Timestamp(p['changed_on']))}",
            )
        )
        rows.append(
            {
                "shown": "Exodus",
                "what": exodus_text,
                "when": format_date(exodus.as_of),
                "source": exodus.source,
                "approximate": "no",
            }
        )
        _corridor(d, m, rows, "2022", context)
        rows += add_places(m, d, spec["places"], labelled=spec["labelled"])
        return finish(
            m, d, spec["title"], spec["caption"], spec["legend"], rows, layer_control=False, fit=fit_points(d, spec)
        )

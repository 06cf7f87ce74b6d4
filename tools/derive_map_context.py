"""Cut the map layers of data/geo/ to the view of each map in data/maps.json: data/geo/map_context.geojson.

    python -m tools.derive_map_context     # after changing a view in data/maps.json (under a second)

`tools.derive_geodata` runs this step last, so re-deriving the layers re-derives their cuts too. The book's maps
(`widgets.maps`) draw these precomputed features and need neither shapely nor pyproj when a chapter runs (in the
browser, Pyodide has neither a recent shapely nor pyproj). What is computed here, with shapely, for each map:

- countries, lakes and rivers cut to the view, rounded to 4 decimals; a map with `simplify` (degrees) in
  data/maps.json has them thinned, countries and lakes with `shapely.coverage_simplify` (shared borders stay
  shared), rivers with `simplify`;
- the point where the map writes a country's name: the `representative_point` of each country whose cut
  (unsimplified) covers more than 0.05 square degrees, kept at full precision (it is a computed position, not a
  surveyed one);
- the districts of 2020, the Lachin corridor and its roads, the peacekeeping area and the area held until 2023, cut
  to the view (not simplified).

Each feature carries the properties of the feature it was cut from, plus `map` (the key in data/maps.json) and
`layer` (the layer's file stem, or `label`). The collection's `maps` member records the view and tolerance each
map was cut for: `widgets.maps` refuses a map whose view in data/maps.json has changed since. Output: sorted keys,
one feature per line, byte-identical on every run (tests/test_map_context.py re-derives it and compares).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import box, mapping, shape

ROOT = Path(__file__).resolve().parent.parent
STEM = "map_context"
COMMAND = "python -m tools.derive_map_context"
# Drawn under everything, not interactive; thinned on a small-scale map (its `simplify`).
CONTEXT_LAYERS = ("countries", "lakes", "rivers")
# The book's own layers, cut to the view only.
CUT_LAYERS = ("districts_2020", "lachin_corridor", "peacekeeping_area", "control_2023")
LABEL = "label"
LABEL_MIN_AREA = 0.05  # square degrees of a country's cut before the map names it (about 500 km2)
BOOKKEEPING = ("map", "layer")


def clipped(collection: dict, view: tuple[float, float, float, float], simplify: float = 0.0) -> list[dict]:
    """The features of a GeoJSON collection cut to `view` (keeps each map's page small), rounded to 4 decimals;
    `simplify` (degrees) thins the lines of a small-scale map, keeping shared borders shared."""
    frame = box(*view)
    geoms = [shape(f["geometry"]).intersection(frame) for f in collection["features"]]
    if simplify and all(g.geom_type.endswith("Polygon") for g in geoms if not g.is_empty):
        kept = [i for i, g in enumerate(geoms) if not g.is_empty]
        for i, g in zip(kept, shapely.coverage_simplify([geoms[i] for i in kept], simplify)):
            geoms[i] = g
    elif simplify:
        geoms = [g.simplify(simplify) for g in geoms]
    out = []
    for feature, geom in zip(collection["features"], geoms):
        geom = shapely.set_precision(geom, 1e-4)
        if not geom.is_empty:
            out.append({"properties": feature["properties"], "geometry": mapping(geom)})
    return out


def label_points(countries: dict, view: tuple[float, float, float, float]) -> list[dict]:
    """Where a map writes the names of the countries that fill enough of its view: (lon, lat) of a point inside
    each one's cut."""
    out = []
    for feature in clipped(countries, view):
        geom = shape(feature["geometry"])
        if geom.area > LABEL_MIN_AREA:
            point = geom.representative_point()
            out.append(
                {"properties": feature["properties"], "geometry": {"type": "Point", "coordinates": [point.x, point.y]}}
            )
    return out


def map_features(name: str, spec: dict, layers: dict[str, dict]) -> list[dict]:
    """Every precomputed feature of one map, in drawing order: context layers, labels, then the book's layers."""
    view, simplify = tuple(spec["view"]), spec.get("simplify", 0.0)
    parts = [(stem, clipped(layers[stem], view, simplify)) for stem in CONTEXT_LAYERS]
    parts.append((LABEL, label_points(layers["countries"], view)))
    parts += [(stem, clipped(layers[stem], view)) for stem in CUT_LAYERS]
    out = []
    for layer, features in parts:
        for f in features:
            clash = set(BOOKKEEPING) & set(f["properties"])
            if clash:
                raise ValueError(f"data/geo/{layer}.geojson: a feature already has the properties {sorted(clash)}")
            out.append(
                {
                    "type": "Feature",
                    "properties": {**f["properties"], "map": name, "layer": layer},
                    "geometry": f["geometry"],
                }
            )
    return out


def render(root: Path = ROOT) -> str:
    """The text of data/geo/map_context.geojson for the maps of `root`/data/maps.json and the layers beside it."""
    specs = json.loads((root / "data" / "maps.json").read_text(encoding="utf-8"))
    geo = root / "data" / "geo"
    layers = {
        stem: json.loads((geo / f"{stem}.geojson").read_text(encoding="utf-8")) for stem in CONTEXT_LAYERS + CUT_LAYERS
    }
    maps = {name: spec for name, spec in specs.items() if not name.startswith("_")}
    features = [f for name, spec in maps.items() for f in map_features(name, spec, layers)]
    meta = {
        "type": "FeatureCollection",
        "name": STEM,
        "description": "The map layers cut to each map's view (data/maps.json), with the points where the maps "
        f"name the countries; derived by tools/derive_map_context.py: re-run `{COMMAND}` after changing a view",
        "maps": {
            name: {"view": list(spec["view"]), "simplify": spec.get("simplify", 0.0)} for name, spec in maps.items()
        },
    }
    lines = [json.dumps(f, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for f in features]
    head = json.dumps(meta, sort_keys=True, ensure_ascii=False)[:-1]
    text = head + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"
    json.loads(text)
    return text


def write(root: Path = ROOT, out: Path | None = None) -> Path:
    """Derive the file from the data of `root` and write it into `out` (default: `root`/data/geo)."""
    path = (out or root / "data" / "geo") / f"{STEM}.geojson"
    text = render(root)
    path.write_text(text, encoding="utf-8")
    print(f"data/geo/{STEM}.geojson: {len(json.loads(text)['features'])} features, {len(text.encode()):,} bytes")
    return path


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())

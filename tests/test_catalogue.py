"""Unit tests for widgets.catalogue: the data-sources page shows every resource, truthfully, from the package itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from widgets import catalogue
from widgets.data import load

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def data():
    return load()


def test_every_resource_has_a_block_with_its_anchor_title_and_file(data):
    page = catalogue.catalogue(data=data).html
    for res in PACKAGE["resources"]:
        block = re.search(rf'<h3 id="data-{res["name"]}">(.*?)</h3>', page)
        assert block, f"no heading for resource {res['name']}"
        assert res["title"].replace("'", "&#x27;") in block.group(1)
        assert f"<code>data/{res['path']}</code>" in page


def test_row_counts_and_as_of_range_match_the_files(data):
    casualties = pd.read_csv(ROOT / "data" / "casualties.csv")
    s = catalogue.resource_summary("casualties", data=data)
    assert s["rows"] == len(casualties)
    assert s["as_of_first"] == pd.Timestamp(casualties["as_of"].min())
    assert s["as_of_last"] == pd.Timestamp(casualties["as_of"].max())
    geo = json.loads((ROOT / "data" / "geo" / "countries.geojson").read_text(encoding="utf-8"))
    g = catalogue.resource_summary("geo_countries", data=data)
    assert g["rows"] == len(geo["features"]) and g["as_of_first"] is None


def test_columns_follow_the_schema_with_their_rules(data):
    res = next(r for r in PACKAGE["resources"] if r["name"] == "events")
    cols = catalogue.resource_summary("events", data=data)["columns"]
    assert [c["name"] for c in cols] == [f["name"] for f in res["schema"]["fields"]]
    rules = {c["name"]: c["rules"] for c in cols}
    assert rules["event_id"].startswith("primary key; required")
    assert "refers to places.place_id" in rules["place_id"]


def test_constraint_text_names_every_rule():
    field = {
        "name": "n",
        "type": "integer",
        "constraints": {"required": True, "unique": True, "enum": [1, 2], "minimum": 0, "maximum": 9, "pattern": "^x$"},
    }
    assert (
        catalogue.constraint_text(field, ["n"], {"n": "t.id"})
        == "primary key; required; unique; one of 1, 2; at least 0; at most 9; pattern ^x$; refers to t.id"
    )
    assert catalogue.constraint_text({"name": "m", "type": "string"}, [], {}) == ""


def test_licence_falls_back_to_the_package_and_says_so():
    package = {"licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0"}]}
    assert catalogue.licence_text({"name": "a"}, package) == "Creative Commons Attribution 4.0 (package licence)"
    own = {"name": "b", "licenses": [{"name": "ODC-PDDL-1.0", "title": "Public domain"}]}
    assert catalogue.licence_text(own, package) == "Public domain"
    with pytest.raises(ValueError, match="resource 'a' has no licence"):
        catalogue.licence_text({"name": "a"}, {})


def test_cited_keys_come_from_every_source_column_and_geojson_properties():
    frame = pd.DataFrame({"source": ["a;b", None], "observed_source": ["c", "a"], "note": ["x;y", "z"]})
    assert catalogue.cited_keys(frame) == ["a", "b", "c"]
    collection = {"features": [{"properties": {"source": "n;q"}}, {"properties": {}}]}
    assert catalogue.cited_keys(collection) == ["n", "q"]


def test_geojson_properties_report_types_and_presence():
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"geometry": {"type": "Polygon"}, "properties": {"id": "a", "area": 5, "ok": True}},
            {"geometry": {"type": "LineString"}, "properties": {"id": "b", "area": 2.5}},
        ],
    }
    rows = {r["name"]: r for r in catalogue.column_rows({"name": "g"}, collection)}
    assert rows["area"]["type"] == "integer or number"
    assert rows["ok"]["rules"] == "in 1 of 2 features"
    assert rows["geometry"]["type"] == "LineString or Polygon"


def test_counts_add_up(data):
    counts = catalogue.catalogue_counts(data=data)
    assert counts["data_resources"] == len(PACKAGE["resources"])
    assert counts["data_csv_tables"] + counts["data_geo_layers"] == counts["data_resources"]
    assert all(isinstance(v, (int, str)) for v in counts.values())


def test_overview_and_catalogue_are_deterministic_and_link_each_block(data):
    first, second = catalogue.catalogue_overview(data=data), catalogue.catalogue_overview(data=data)
    assert first.html == second.html and catalogue.catalogue(data=data).html == catalogue.catalogue(data=data).html
    for res in PACKAGE["resources"]:
        assert f'href="#data-{res["name"]}"' in first.html
    assert " at 0x" not in first.html + repr(catalogue.catalogue(data=data))

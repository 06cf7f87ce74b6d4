"""widgets.data refuses every kind of broken data with one error naming file, line, column and rule."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from widgets import _deps, data
from widgets.data import DataError, load

BIB = """% test sources
@misc{srcA,
  title = {A},
}
@Book{src_b, title = {B}}
@comment{notakey, x}
"""
PLACES = """place_id,name_en,name_az,name_hy,contested,lat,lon,source,as_of
shusha,Shusha/Shushi,Shusha,Shushi,true,39.7601,46.7499,srcA,2024-01-01
goris,Goris,,Goris,false,39.5111,46.3417,srcA;src_b,2024-01-01
"""
CASUALTIES = """row_id,side,measure,value,low,high,period_start,period_end,as_of,place_id,source,note
az_killed,azerbaijan,killed,2906,,,2020-09-27,2020-11-10,2021-06-30,,srcA,
am_killed,armenia,killed,3773,3700,3800,2020-09-27,2020-11-10,2021-08-24,,src_b,"quoted, with comma"
shusha_civ,azerbaijan,injured,12,,,2020-10-01,2020-11-10,2020-12-03,shusha,srcA;src_b,
"""
GEO = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Shusha"},
            "geometry": {"type": "Point", "coordinates": [46.75, 39.76]},
        }
    ],
}
CONFIDENCE = {"name": "confidence", "type": "string", "constraints": {"enum": ["high", "medium", "low"]}}
PACKAGE = {
    "name": "test-package",
    "as_of": "2026-11-25",
    "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
    "resources": [
        {
            "name": "places",
            "path": "places.csv",
            "format": "csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [
                    {"name": "place_id", "type": "string", "constraints": {"required": True, "pattern": "^[a-z_]+$"}},
                    {"name": "name_en", "type": "string", "constraints": {"required": True}},
                    {"name": "name_az", "type": "string"},
                    {"name": "name_hy", "type": "string"},
                    {"name": "contested", "type": "boolean", "constraints": {"required": True}},
                    {"name": "lat", "type": "number"},
                    {"name": "lon", "type": "number"},
                    {"name": "source", "type": "string", "constraints": {"required": True}},
                    {"name": "as_of", "type": "date", "constraints": {"required": True}},
                ],
                "primaryKey": ["place_id"],
            },
        },
        {
            "name": "casualties",
            "path": "casualties.csv",
            "format": "csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [
                    {"name": "row_id", "type": "string"},
                    {
                        "name": "side",
                        "type": "string",
                        "constraints": {"required": True, "enum": ["azerbaijan", "armenia"]},
                    },
                    {"name": "measure", "type": "string", "constraints": {"enum": ["killed", "missing", "injured"]}},
                    # No minimum on purpose: the loader's count rule must catch negatives by itself.
                    {"name": "value", "type": "integer", "constraints": {"required": True}},
                    {"name": "low", "type": "integer"},
                    {"name": "high", "type": "integer"},
                    {"name": "period_start", "type": "date"},
                    {"name": "period_end", "type": "date"},
                    {"name": "as_of", "type": "date", "constraints": {"required": True}},
                    {"name": "place_id", "type": "string"},
                    {"name": "source", "type": "string", "constraints": {"required": True}},
                    {"name": "note", "type": "string"},
                ],
                "primaryKey": ["row_id"],
                "foreignKeys": [{"fields": "place_id", "reference": {"resource": "places", "fields": "place_id"}}],
            },
        },
        {"name": "borders", "path": "geo/borders.geojson", "format": "geojson", "mediatype": "application/geo+json"},
    ],
}


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A small valid package (two tables with a foreign key, one GeoJSON layer) under a fresh root."""
    (tmp_path / "data" / "geo").mkdir(parents=True)
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "data" / "datapackage.json").write_text(json.dumps(PACKAGE, indent=1), encoding="utf-8")
    (tmp_path / "data" / "places.csv").write_text(PLACES, encoding="utf-8")
    (tmp_path / "data" / "casualties.csv").write_text(CASUALTIES, encoding="utf-8")
    (tmp_path / "data" / "geo" / "borders.geojson").write_text(json.dumps(GEO), encoding="utf-8")
    return tmp_path


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(root: Path, file: str, row: int | None, column: str | None, rule: str, words: str = "") -> DataError:
    with pytest.raises(DataError) as info:
        load(root)
    err = info.value
    assert (err.file, err.row, err.column) == (file, row, column), str(err)
    assert rule in err.rule, str(err)
    assert words in str(err), str(err)
    where = file + (f", line {row}" if row else "") + (f', column "{column}"' if column else "")
    assert str(err).startswith(where + ": ") and str(err).endswith(f"(rule: {err.rule})")
    return err


CAS, PL = "data/casualties.csv", "data/places.csv"


def test_valid_package_loads_with_documented_types(pkg):
    book = load(pkg)
    assert list(book) == ["places", "casualties", "borders"] and len(book) == 3
    cas, places = book["casualties"], book["places"]
    assert str(cas["value"].dtype) == "Int64" and cas["low"].isna().tolist() == [True, False, True]
    assert str(cas["as_of"].dtype) == "datetime64[ns]" and cas["as_of"][0] == pd.Timestamp("2021-06-30")
    assert str(places["contested"].dtype) == "boolean" and places["contested"].tolist() == [True, False]
    assert str(places["lat"].dtype) == "float64" and pd.api.types.is_string_dtype(places["name_en"])
    assert cas["note"][1] == "quoted, with comma" and places["name_az"].isna().tolist() == [False, True]
    assert book["borders"]["features"][0]["properties"] == {"name": "Shusha"}
    assert book.as_of.isoformat() == "2026-11-25" and book.resource("borders")["format"] == "geojson"
    assert repr(book) == "BookData(as_of=2026-11-25, resources: places, casualties, borders)"
    assert data.bib_keys(pkg) == {"srcA", "src_b"}


def test_missing_column(pkg):
    lines = (pkg / CAS).read_text(encoding="utf-8").splitlines(keepends=True)
    (pkg / CAS).write_text("".join(line.replace(line.split(",")[3] + ",", "", 1) for line in lines), encoding="utf-8")
    refused(pkg, CAS, 1, "value", "header lists the schema's fields", "missing")


def test_unknown_column(pkg):
    edit(pkg, CAS, ",note\n", ",note,extra\n")
    for row in ("2021-06-30,,srcA,\n", 'quoted, with comma"\n', "srcA;src_b,\n"):
        edit(pkg, CAS, row, row[:-1] + ",x\n")
    refused(pkg, CAS, 1, "extra", "header lists the schema's fields", "not in the schema")


EDITS = [  # file, text replaced, replacement, line, column, rule (part), words in the message
    pytest.param(
        CAS, "killed,3773,", "killed,3.773k,", 3, "value", "type integer", "'3.773k' is not an integer", id="wrong-type"
    ),
    pytest.param(CAS, "3700,3800", "3900,3800", 3, "low", "low <= high", "3900", id="low-above-high"),
    pytest.param(
        PL,
        "srcA;src_b",
        "srcA;nosuchkey2020",
        3,
        "source",
        "source keys resolve in references.bib",
        "'nosuchkey2020'",
        id="unknown-source-key",
    ),
    pytest.param(CAS, 'src_b,"quoted', ',"quoted', 3, "source", "required", "missing", id="no-source"),
    pytest.param(CAS, "2021-08-24", "24/08/2021", 3, "as_of", "type date", "YYYY-MM-DD", id="malformed-date"),
    pytest.param(
        CAS,
        "2020-10-01",
        "2021-02-30",
        4,
        "period_start",
        "dates exist in the calendar",
        "impossible",
        id="impossible-date",
    ),
    pytest.param(
        CAS,
        "2020-12-03",
        "2020-09-30",
        4,
        "as_of",
        "as_of on or after period_start",
        "2020-10-01",
        id="as-of-before-period-start",
    ),
    pytest.param(
        CAS,
        "2020-10-01,2020-11-10",
        "2020-10-01,2020-09-10",
        4,
        "period_end",
        "period_start <= period_end",
        "",
        id="period-end-before-start",
    ),
    pytest.param(
        PL,
        "srcA,2024-01-01",
        "srcA,2027-01-01",
        2,
        "as_of",
        "no date after the package's as_of",
        "2026-11-25",
        id="date-after-package-as-of",
    ),
    pytest.param(
        CAS,
        "shusha_civ,",
        "am_killed,",
        4,
        "row_id",
        "primary key values are unique",
        "repeats line 3",
        id="duplicate-primary-key",
    ),
    pytest.param(PL, "46.3417", "52.1", 3, "lon", "coordinates inside the region", "52.1", id="lon-outside-region"),
    pytest.param(PL, "39.7601", "37.2", 2, "lat", "coordinates inside the region", "37.2", id="lat-outside-region"),
    pytest.param(PL, "\ngoris", "\n\ngoris", 3, None, "no blank lines", "", id="blank-line-in-the-middle"),
    pytest.param(CAS, "armenia,killed", "armenia,dead", 3, "measure", "enum", "'dead'", id="unknown-enum-value"),
    pytest.param(CAS, "armenia,killed,3773", "armenia,killed,", 3, "value", "required", "", id="missing-value"),
    pytest.param(CAS, ",armenia,", ", armenia,", 3, "side", "no surrounding spaces", "", id="surrounding-spaces"),
    pytest.param(
        PL,
        "Shusha,Shushi,true",
        ",,true",
        2,
        "name_az",
        "contested places have both names",
        "",
        id="contested-place-without-names",
    ),
    pytest.param(
        PL,
        "Shusha,Shushi,true",
        "Shusha,,true",
        2,
        "name_hy",
        "contested places have both names",
        "",
        id="contested-place-without-armenian-name",
    ),
    pytest.param(PL, ",true,", ",yes,", 2, "contested", "type boolean", "'yes'", id="not-a-boolean"),
    pytest.param(
        CAS,
        ",shusha,",
        ",agdam,",
        4,
        "place_id",
        "foreign keys point to an existing row",
        '"agdam" is not in places',
        id="foreign-key-to-missing-place",
    ),
    pytest.param(PL, "goris,", "Goris,", 3, "place_id", "pattern", "", id="pattern"),
    pytest.param(
        CAS, ',"quoted, with comma"', ',"quoted, "with" comma"', 3, None, "well-formed CSV", "", id="stray-quote"
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "row", "column", "rule", "words"), EDITS)
def test_broken_value_is_refused(pkg, file, old, new, row, column, rule, words):
    edit(pkg, file, old, new)
    refused(pkg, file, row, column, rule, words)


def test_any_source_column_is_checked(pkg):
    edit(pkg, "data/datapackage.json", '"name": "source"', '"name": "observed_source"')
    edit(pkg, PL, ",source,", ",observed_source,")
    edit(pkg, PL, "srcA;src_b", "srcA;nosuchkey2020")
    refused(pkg, PL, 3, "observed_source", "source keys resolve in references.bib", "'nosuchkey2020'")


def test_end_date_before_date(pkg):
    for old, new in (("period_start", "date"), ("period_end", "end_date")):
        edit(pkg, "data/datapackage.json", f'"name": "{old}"', f'"name": "{new}"')
        edit(pkg, CAS, f",{old},", f",{new},")
    edit(pkg, CAS, "2020-10-01,2020-11-10", "2020-10-01,2020-09-10")
    refused(pkg, CAS, 4, "end_date", "date <= end_date", "2020-09-10 is before date 2020-10-01")


def test_negative_count_without_minimum_constraint(pkg):
    edit(pkg, CAS, "injured,12,", "injured,-5,")
    err = refused(pkg, CAS, 4, "value", "counts are never negative")
    assert str(err) == f'{CAS}, line 4, column "value": -5 is negative (rule: counts are never negative)'


def test_empty_file(pkg):
    (pkg / CAS).write_bytes(b"")
    refused(pkg, CAS, None, None, "files are not empty")


def test_missing_file(pkg):
    (pkg / CAS).unlink()
    refused(pkg, CAS, None, None, "exists", "not found")


def test_byte_order_mark(pkg):
    (pkg / PL).write_bytes(b"\xef\xbb\xbf" + PLACES.encode())
    refused(pkg, PL, 1, None, "UTF-8 without byte-order mark")


def test_invalid_utf8_latin1_bytes(pkg):
    (pkg / CAS).write_bytes(CASUALTIES.replace("quoted, with comma", "Erdoğan café").encode("cp1254"))
    refused(pkg, CAS, 3, "note", "UTF-8 encoding", "0xf0")


def test_trailing_junk_row(pkg):
    (pkg / CAS).write_text(CASUALTIES + "Total,,6691\n", encoding="utf-8")
    refused(pkg, CAS, 5, None, "as many values as the header", "3 values")


def test_geojson_feature_without_geometry(pkg):
    doc = json.loads(json.dumps(GEO))
    del doc["features"][0]["geometry"]
    (pkg / "data/geo/borders.geojson").write_text(json.dumps(doc), encoding="utf-8")
    refused(pkg, "data/geo/borders.geojson", None, None, "FeatureCollection", "feature 1 has no valid geometry")


def test_geojson_position_outside_region(pkg):
    doc = json.loads(json.dumps(GEO))
    lines = [[[46.0, 39.0], [46.5, 39.5]], [[46.0, 39.0], [40.1, 39.5]]]
    doc["features"].append(
        {"type": "Feature", "properties": {}, "geometry": {"type": "MultiLineString", "coordinates": lines}}
    )
    (pkg / "data/geo/borders.geojson").write_text(json.dumps(doc), encoding="utf-8")
    refused(
        pkg, "data/geo/borders.geojson", None, None, "coordinates inside the region", "feature 2 has a position [40.1"
    )


def test_geojson_invalid_json(pkg):
    (pkg / "data/geo/borders.geojson").write_text('{"type": "FeatureCollection",\n "features": [,]}', encoding="utf-8")
    refused(pkg, "data/geo/borders.geojson", 2, None, "valid JSON")


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('"type": "integer"', '"type": "geopoint"', "'geopoint'"),
        ('"resource": "places"', '"resource": "borders"', "foreign key"),
        ('"path": "places.csv"', '"path": "../places.csv"', "inside data/"),
        ('"name": "casualties"', '"name": "places"', "unique name"),
        ('"as_of": "2026-11-25"', '"as_of": "2026-11-31"', '"as_of" date'),
    ],
    ids=["unsupported-type", "foreign-key-to-geojson", "path-outside-data", "duplicate-name", "bad-package-as-of"],
)
def test_invalid_descriptor(pkg, old, new, words):
    edit(pkg, "data/datapackage.json", old, new)
    refused(pkg, "data/datapackage.json", None, None, "Data Package descriptor", words)


def test_duplicate_bibliography_key(pkg):
    (pkg / "references.bib").write_text(BIB + "@misc{srcA, title={again}}\n", encoding="utf-8")
    refused(pkg, "references.bib", 7, None, "keys are unique", "line 2")


def test_error_leaves_nothing_half_loaded(pkg):
    good = load(pkg)
    cached = dict(data._CACHE)
    edit(pkg, CAS, "injured,12,", "injured,-5,")
    with pytest.raises(DataError):
        load(pkg)
    assert data._CACHE == cached, "a failed load must not add to the cache"
    edit(pkg, CAS, "injured,-5,", "injured,13,")
    fixed = load(pkg)
    assert fixed is not good and fixed["casualties"]["value"].tolist() == [2906, 3773, 13]


def test_cache_is_keyed_on_content_and_copy_safe(pkg):
    first = load(pkg)
    assert load(pkg) is first
    frame = first["casualties"]
    frame.loc[0, "value"] = -1
    frame["value"] = 0
    first["borders"]["features"].clear()
    assert first["casualties"]["value"].tolist() == [2906, 3773, 12]
    assert len(load(pkg)["borders"]["features"]) == 1
    edit(pkg, PL, "Goris,", "Goris town,")
    assert load(pkg) is not first and load(pkg)["places"]["name_en"][1] == "Goris town"


def test_access_records_the_file_read(pkg, monkeypatch):
    recorded: list[tuple[Path, str | None]] = []
    monkeypatch.setattr(_deps, "record", lambda path, part=None: recorded.append((Path(path), part)))
    book = load(pkg)
    assert recorded == [], "validation alone shapes no output: nothing is recorded until a table is read"
    book["places"]
    assert recorded[-2:] == [(pkg / "data" / "places.csv", None), (pkg / "data" / "datapackage.json", "places")]
    book["borders"]
    assert recorded[-2][0] == pkg / "data" / "geo" / "borders.geojson"
    with pytest.raises(KeyError, match="no resource 'nope'"):
        book["nope"]


def test_synthetic_package_is_valid_for_frictionless(pkg):
    """The test package itself follows the standard, so the rules above are tested on conforming input."""
    from frictionless import Package

    report = Package(str(pkg / "data" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_one_cell_reads_the_package_once_and_the_next_cell_afresh(tmp_path):
    """In a notebook (IPython) the files are read once per cell, however often the cell's code asks for the data
    (in the browser every read is a request); a new cell reads them again, so an edit to data/ is seen. Outside
    IPython every call reads. Run in a subprocess: an IPython shell in the test process would stay for later tests."""
    import subprocess
    import sys
    import textwrap

    from tools.chromium import ROOT

    script = textwrap.dedent(
        """
        import widgets.data as wd
        reads = [0]
        real = wd._read
        wd._read = lambda *a: (reads.__setitem__(0, reads[0] + 1), real(*a))[1]
        wd.load(); once = reads[0]; wd.load()
        print("plain", once, reads[0])
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.user_ns["reads"] = reads
        shell.run_cell("import widgets.data as wd; before = reads[0]; wd.load(); wd.load(); _ = wd.load()")
        shell.run_cell("one_cell = reads[0] - before; _ = wd.load(); next_cell = reads[0] - before - one_cell")
        print("ipython", shell.user_ns["one_cell"], shell.user_ns["next_cell"])
        """
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = {line.split()[0]: line.split() for line in proc.stdout.splitlines() if line.startswith(("plain", "ip"))}
    plain, ipython = lines["plain"], lines["ipython"]
    files = int(plain[1])
    assert files > 20, f"a load read only {files} files"
    assert int(plain[2]) == 2 * files, "outside IPython, each call must read the files"
    assert ipython[1:] == [str(files), str(files)], f"in IPython: one cell read {ipython[1]}, the next {ipython[2]}"

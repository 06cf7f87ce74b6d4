"""Loads the book's data package (data/datapackage.json), checking every file and rule, into read-only tables.

`load()` validates the whole package before returning anything and raises one `DataError` naming the file, line,
column and rule of the first problem. On success it returns a read-only mapping: CSV resources come back as pandas
DataFrames (integer and year → nullable `Int64`, number → `float64`, boolean → `boolean`, date and datetime →
`datetime64[ns]` (datetimes converted to UTC, then made naive), string → pandas' string dtype); GeoJSON resources
(`"format": "geojson"`) come back as parsed dicts. Every access returns a fresh copy, so a chapter may change what it
gets without touching the cached package, and records the file it read (see `widgets._deps`).

Rules beyond the Table Schema (types, required, unique, minimum, maximum, enum, pattern, minLength, maxLength,
primaryKey, foreignKeys), following data/README.md:
- files: present, non-empty, UTF-8 without BOM, no blank line, every row as long as the header, header = schema
  fields in order, no value with surrounding spaces;
- counts are never negative: integer fields named value/low/high or containing a count word (killed, missing,
  injured, wounded, displaced, count, total, ...) even without a `minimum` constraint;
- `low` <= `high` (also `x_low` <= `x_high`); dates exist (2021-02-30 is refused); `period_start` <= `as_of`;
  `period_start` <= `period_end` and `date` (or `start_date`) <= `end_date`; no date or datetime lies after the
  package's own `as_of`;
- every `;`-separated key in a `source` column (also `sources`, `*_source`) exists in references.bib;
- `lat`/`lon` inside lon 43–51, lat 38–42.5; a row with `contested` true has both `name_az` and `name_hy`;
- GeoJSON: a FeatureCollection whose features all have a geometry and properties, every position inside the region.
"""

from __future__ import annotations

import codecs
import copy
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

import pandas as pd

from widgets import _deps

PACKAGE = "data/datapackage.json"
BIB = "references.bib"
REGION = {"lon": (43.0, 51.0), "lat": (38.0, 42.5)}
REGION_RULE = "coordinates inside the region (lon 43–51, lat 38–42.5)"
# Integer fields whose name contains one of these words are counts: never negative, whatever the schema says.
COUNT_WORDS = {
    "value",
    "low",
    "high",
    "count",
    "total",
    "killed",
    "dead",
    "deaths",
    "missing",
    "injured",
    "wounded",
    "displaced",
    "refugees",
    "returnees",
    "casualties",
    "captured",
    "prisoners",
    "hours",
    "days",
    "votes",
    "seats",
}
DTYPES = {
    "string": "str",
    "integer": "Int64",
    "year": "Int64",
    "number": "float64",
    "boolean": "boolean",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
}
GEOMETRIES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_BIB_ENTRY = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^\s,{}()]+)[ \t]*,", re.MULTILINE)
_CACHE: dict[str, BookData] = {}
_CACHE_SIZE = 4


class DataError(ValueError):
    """One problem in the data package: where it is (file, 1-based line, column) and the rule it breaks."""

    def __init__(self, file: str, row: int | None, column: str | None, rule: str, problem: str):
        self.file, self.row, self.column, self.rule = file, row, column, rule
        where = file + (f", line {row}" if row else "") + (f', column "{column}"' if column else "")
        super().__init__(f"{where}: {problem} (rule: {rule})")


class _Bad(Exception):
    """A value breaks a rule; the caller knows the file, line and column."""

    def __init__(self, problem: str, rule: str):
        super().__init__(problem)
        self.problem, self.rule = problem, rule


class BookData(Mapping):
    """The validated package: resource name -> fresh copy of its DataFrame (or GeoJSON dict)."""

    def __init__(self, root: Path, descriptor: dict, tables: dict, bib_text: str = ""):
        self._root, self._descriptor, self._tables, self._bib_text = root, descriptor, tables, bib_text
        self._bibliography: dict[str, dict[str, str]] | None = None
        self._paths = {r["name"]: root / "data" / r["path"] for r in descriptor["resources"]}

    def __getitem__(self, name: str):
        if name not in self._tables:
            raise KeyError(f"no resource {name!r} in {PACKAGE}; it has: {', '.join(self._tables)}")
        # The table's file and its schema in datapackage.json: a new table elsewhere re-executes no chapter.
        _deps.record(self._paths[name])
        _deps.record(self._root / PACKAGE, name)
        table = self._tables[name]
        return table.copy(deep=True) if isinstance(table, pd.DataFrame) else copy.deepcopy(table)

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        # Deterministic (no memory address), so a notebook that displays it stores stable output.
        return f"BookData(as_of={self._descriptor['as_of']}, resources: {', '.join(self._tables)})"

    @property
    def as_of(self) -> dt.date:
        _deps.record(self._root / PACKAGE, "as_of")
        return dt.date.fromisoformat(self._descriptor["as_of"])

    @property
    def bibliography(self) -> dict[str, dict[str, str]]:
        """references.bib as read with this package (under the same root): key -> {"who", "year", "title"}, the
        labels and tooltips of the book's citations. Parsed on first use."""
        _deps.record(self._root / BIB)
        if self._bibliography is None:
            self._bibliography = read_bibliography(self._bib_text)
        return self._bibliography

    def resource(self, name: str) -> dict:
        """A copy of the resource's descriptor in datapackage.json (title, description, schema, ...)."""
        _deps.record(self._root / PACKAGE, name)
        return copy.deepcopy(next(r for r in self._descriptor["resources"] if r["name"] == name))


# Within one notebook cell the package is read once: a map or a table asks for it dozens of times (every citation
# does), and in the browser (JupyterLite) every file read and every stat is an HTTP request to the app's drive. The
# memo is emptied before each cell runs (IPython's pre_run_cell), so a cell run after editing data/ reads it afresh.
# Outside IPython (scripts, tests) there is no memo: every call reads the files.
_CELL_MEMO: dict[tuple, BookData] = {}
_HOOKED: list = []


def _cell_memo() -> dict | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None:
        return None
    if shell not in _HOOKED:
        shell.events.register("pre_run_cell", lambda *_info: _CELL_MEMO.clear())
        _HOOKED.append(shell)
    return _CELL_MEMO


def load(root: Path | str | None = None) -> BookData:
    """The whole validated data package under `root` (by default the book around the working directory, see
    `widgets._deps.book_root`); raises DataError."""
    memo = _cell_memo()
    memo_key = (None if root is None else str(root), os.getcwd())
    if memo is not None and memo_key in memo:
        return memo[memo_key]
    data = _load(root)
    if memo is not None:
        memo[memo_key] = data
    return data


def _load(root: Path | str | None) -> BookData:
    # Validation reads every file, but only what a chapter then accesses shapes its output, so only that is
    # recorded (on access): a broken package fails loudly in every chapter and in the data tests anyway.
    root = Path(root or _deps.book_root()).resolve()
    raw_package = _read(root, PACKAGE)
    descriptor = _descriptor(_json(PACKAGE, raw_package))
    files = {BIB: _read(root, BIB)}
    for res in descriptor["resources"]:
        files["data/" + res["path"]] = _read(root, "data/" + res["path"])
    digest = hashlib.sha256(str(root).encode() + b"\0" + raw_package)
    for rel, raw in files.items():
        digest.update(b"\0" + rel.encode() + b"\0" + hashlib.sha256(raw).digest())
    key = digest.hexdigest()
    if key not in _CACHE:
        # Cached only once everything passed: an error leaves nothing behind.
        tables = _validate(descriptor, files)
        _CACHE[key] = BookData(root, descriptor, tables, _text(BIB, files[BIB]))
        while len(_CACHE) > _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
    return _CACHE[key]


def bib_keys(root: Path | str | None = None) -> set[str]:
    """The entry keys of references.bib under `root` (by default the book around the working directory)."""
    root = Path(root or _deps.book_root()).resolve()
    _deps.record(root / BIB)
    return _bib_keys(_text(BIB, _read(root, BIB)))


def read_bibliography(text: str) -> dict[str, dict[str, str]]:
    """The one reader of references.bib: its keys (unique, checked as the package is) with, for each, who (first
    author's last name, else organization, publisher or journal), year and title, braces removed."""
    from pybtex.database import parse_string

    keys = _bib_keys(text)
    out = {}
    for key, entry in parse_string(text, bib_format="bibtex").entries.items():
        people = entry.persons.get("author", [])
        who = " ".join(people[0].last_names) if people else ""
        fields = entry.fields
        who = who or fields.get("organization", "") or fields.get("publisher", "") or fields.get("journal", "")
        out[key] = {
            "who": who.replace("{", "").replace("}", ""),
            "year": fields.get("year", ""),
            "title": fields.get("title", "").replace("{", "").replace("}", ""),
        }
    missing = keys - set(out)
    if missing:
        raise DataError(BIB, None, None, "every entry parses", f"entries {sorted(missing)} could not be read")
    return out


def _read(root: Path, rel: str) -> bytes:
    path = root / rel
    if not path.is_file():
        raise DataError(rel, None, None, "every file the package names exists", "file not found")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(rel, None, None, "files are not empty", "file is empty")
    return raw


def _text(rel: str, raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        raise DataError(
            rel,
            1,
            None,
            "UTF-8 without byte-order mark",
            "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = _column_at(raw, raw[line_start : exc.start]) if rel.endswith(".csv") else None
        raise DataError(
            rel,
            line,
            column,
            "UTF-8 encoding",
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8 (saved as Latin-1 or Windows-1252?)",
        ) from None


def _column_at(raw: bytes, before: bytes) -> str | None:
    """The header name of the CSV field that `before` (the start of a line) ends in, when the header is readable."""
    try:
        header = next(csv.reader([raw.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")]))
        index = max(len(next(csv.reader([before.decode("utf-8", "replace")]), [])), 1) - 1
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return None
    return header[index] if 0 <= index < len(header) else None


def _json(rel: str, raw: bytes):
    try:
        return json.loads(_text(rel, raw))
    except json.JSONDecodeError as exc:
        raise DataError(rel, exc.lineno, None, "valid JSON", exc.msg) from None


def _descriptor(pkg) -> dict:
    """The package descriptor, checked for what the loader relies on."""

    def fail(problem: str, rule: str = "a valid, supported Data Package descriptor"):
        raise DataError(PACKAGE, None, None, rule, problem)

    if not isinstance(pkg, dict) or not isinstance(pkg.get("resources"), list) or not pkg["resources"]:
        fail('the descriptor needs a non-empty "resources" list')
    try:
        dt.date.fromisoformat(pkg.get("as_of", ""))
    except (TypeError, ValueError):
        fail('the package needs an "as_of" date (YYYY-MM-DD)')
    names = [r.get("name") if isinstance(r, dict) else None for r in pkg["resources"]]
    tables = {
        r.get("name")
        for r in pkg["resources"]
        if isinstance(r, dict) and isinstance(r.get("path"), str) and _format(r) == "csv"
    }
    for res in pkg["resources"]:
        name = res.get("name") if isinstance(res, dict) else None
        if not isinstance(name, str) or not name or names.count(name) > 1:
            fail(f"resource {name!r}: every resource needs a unique name")
        path = res.get("path")
        if (
            not isinstance(path, str)
            or PurePosixPath(path).is_absolute()
            or ".." in PurePosixPath(path).parts
            or "://" in path
        ):
            fail(f"resource {name!r}: path must be a relative path inside data/, got {path!r}")
        if str(res.get("encoding", "utf-8")).lower() not in ("utf-8", "utf8"):
            fail(f"resource {name!r}: only utf-8 files are supported")
        if _format(res) == "geojson":
            continue
        if _format(res) != "csv":
            fail(f"resource {name!r}: format must be csv or geojson")
        schema = res.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
            fail(f"resource {name!r}: a CSV resource needs an inline schema with fields")
        fields = [f.get("name") for f in schema["fields"]]
        if len(set(fields)) != len(fields) or not all(isinstance(f, str) and f for f in fields):
            fail(f"resource {name!r}: field names must be unique, non-empty strings")
        for field in schema["fields"]:
            if field.get("type", "string") not in DTYPES:
                fail(
                    f"resource {name!r}, field {field['name']!r}: type {field.get('type')!r} is not supported "
                    f"(use one of {', '.join(DTYPES)})"
                )
        foreign = [_list(fk.get("fields")) for fk in schema.get("foreignKeys", [])]
        for key in [_list(schema.get("primaryKey"))] + foreign:
            if any(k not in fields for k in key):
                fail(f"resource {name!r}: key fields {key} are not all in the schema")
        for fk in schema.get("foreignKeys", []):
            reference = fk.get("reference") or {}
            target = reference.get("resource") or name
            if target not in tables or len(_list(reference.get("fields"))) != len(_list(fk.get("fields"))):
                fail(
                    f"resource {name!r}: foreign key {fk.get('fields')!r} must reference fields of a CSV resource "
                    "in this package"
                )
    return pkg


def _format(res: dict) -> str:
    return str(res.get("format") or PurePosixPath(res["path"]).suffix.lstrip(".")).lower()


def _list(value) -> list:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _bib_keys(text: str) -> set[str]:
    keys: dict[str, int] = {}
    for match in _BIB_ENTRY.finditer(text):
        if match.group(1).lower() in ("comment", "string", "preamble"):
            continue
        if match.group(2) in keys:
            first = text.count("\n", 0, keys[match.group(2)]) + 1
            raise DataError(
                BIB,
                text.count("\n", 0, match.start()) + 1,
                None,
                "bibliography keys are unique",
                f"key {match.group(2)!r} is already used on line {first}",
            )
        keys[match.group(2)] = match.start()
    return set(keys)


def _validate(descriptor: dict, files: dict[str, bytes]) -> dict:
    """Every resource checked and converted, then the foreign keys across them; raises the first DataError."""
    as_of = dt.date.fromisoformat(descriptor["as_of"])
    sources = _bib_keys(_text(BIB, files[BIB]))
    tables, parsed = {}, {}
    for res in descriptor["resources"]:
        rel = "data/" + res["path"]
        if _format(res) == "geojson":
            tables[res["name"]] = _geojson(rel, files[rel])
        else:
            parsed[res["name"]] = _records(rel, files[rel], res["schema"], as_of, sources)
    for res in descriptor["resources"]:
        for fk in res.get("schema", {}).get("foreignKeys", []):
            _check_foreign_key(res, fk, parsed)
    # Frames are built only once every rule passed: the costly part is never spent on a broken package.
    for res in descriptor["resources"]:
        if res["name"] in parsed:
            tables[res["name"]] = _frame(res["schema"]["fields"], parsed[res["name"]])
    return {res["name"]: tables[res["name"]] for res in descriptor["resources"]}


def _geojson(rel: str, raw: bytes) -> dict:
    doc = _json(rel, raw)
    rule = "a GeoJSON FeatureCollection whose features all have a geometry and properties"
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise DataError(rel, None, None, rule, "the file is not a GeoJSON FeatureCollection with a features list")
    for number, feature in enumerate(doc["features"], 1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problem = "is not a Feature"
        elif not isinstance(feature.get("geometry"), dict) or feature["geometry"].get("type") not in GEOMETRIES:
            problem = "has no valid geometry"
        elif not isinstance(feature.get("properties"), dict):
            problem = "has no properties"
        else:
            outside = next((p for p in _positions(feature["geometry"]) if not _in_region(p)), None)
            if outside is None:
                continue
            rule = REGION_RULE
            problem = f"has a position {outside} outside the region"
        raise DataError(rel, None, None, rule, f"feature {number} {problem}")
    return doc


def _positions(geometry: dict) -> Iterator:
    """Every [lon, lat] position of a GeoJSON geometry (any nesting depth, collections included)."""
    if geometry.get("type") == "GeometryCollection":
        for part in geometry.get("geometries", []):
            yield from _positions(part)
    else:
        yield from _leaves(geometry.get("coordinates"))


def _leaves(coordinates) -> Iterator:
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], list):
        for part in coordinates:
            yield from _leaves(part)
    else:
        yield coordinates


def _in_region(position) -> bool:
    lon, lat = REGION["lon"], REGION["lat"]
    if not (
        isinstance(position, list) and len(position) in (2, 3) and all(isinstance(x, (int, float)) for x in position)
    ):
        return False
    return lon[0] <= position[0] <= lon[1] and lat[0] <= position[1] <= lat[1]


def _rows(rel: str, raw: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (line number, values) of every data row of a well-formed UTF-8 CSV file."""
    reader = csv.reader(io.StringIO(_text(rel, raw), newline=""), strict=True)
    rows, line = [], 1
    try:
        for values in reader:
            if not values:
                raise DataError(rel, line, None, "no blank lines", "blank line")
            rows.append((line, values))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(rel, reader.line_num, None, "well-formed CSV", str(exc)) from None
    return rows.pop(0)[1], rows


def _check_header(rel: str, header: list[str], names: list[str]) -> None:
    if header == names:
        return
    rule = "the header lists the schema's fields, in order"
    for position, name in enumerate(names):
        if name not in header:
            raise DataError(rel, 1, name, rule, "column is missing")
        if position >= len(header) or header[position] != name:
            raise DataError(
                rel,
                1,
                name,
                rule,
                f"column is out of order (found at position {header.index(name) + 1}, "
                f"the schema puts it at {position + 1})",
            )
    extra = next(h for h in header if h not in names)
    raise DataError(rel, 1, extra, rule, "column is not in the schema")


def _records(rel: str, raw: bytes, schema: dict, as_of: dt.date, sources: set[str]) -> list[tuple[int, dict]]:
    """The (line number, typed values) of every row, with every Table Schema and domain rule checked."""
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    header, rows = _rows(rel, raw)
    _check_header(rel, header, names)
    for number, values in rows:
        if len(values) != len(header):
            raise DataError(
                rel,
                number,
                None,
                "every row has as many values as the header",
                f"{len(values)} values, the header has {len(header)}",
            )
    missing = set(schema.get("missingValues", [""]))
    casters = [_caster(f, as_of, sources) for f in fields]
    primary = _list(schema.get("primaryKey"))
    required = {f["name"] for f in fields if f.get("constraints", {}).get("required")} | set(primary)
    records = []
    for number, values in rows:
        record = {}
        for name, caster, value in zip(names, casters, values):
            try:
                if value in missing:
                    if name in required:
                        raise _Bad("value is missing", "required")
                    record[name] = None
                    continue
                if value != value.strip():
                    raise _Bad(f"{value!r} has leading or trailing spaces", "values carry no surrounding spaces")
                record[name] = caster(value)
            except _Bad as bad:
                raise DataError(rel, number, name, bad.rule, bad.problem) from None
        _check_row(rel, number, record)
        records.append((number, record))
    for key in [primary] + [[f["name"]] for f in fields if f.get("constraints", {}).get("unique")]:
        if key:
            _check_unique(rel, records, key, "primary key" if key == primary else "unique")
    return records


def _frame(fields: list[dict], records: list[tuple[int, dict]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            f["name"]: pd.Series([r[f["name"]] for _, r in records], dtype=DTYPES[f.get("type", "string")])
            for f in fields
        }
    )


def _check_unique(rel: str, records: list[tuple[int, dict]], key: list[str], what: str) -> None:
    seen: dict[tuple, int] = {}
    for number, record in records:
        value = tuple(record[k] for k in key)
        if None in value:
            continue
        if value in seen:
            raise DataError(
                rel, number, ", ".join(key), f"{what} values are unique", f"{_shown(value)} repeats line {seen[value]}"
            )
        seen[value] = number


def _check_foreign_key(res: dict, fk: dict, parsed: dict) -> None:
    fields, target_fields = _list(fk["fields"]), _list(fk["reference"]["fields"])
    target = fk["reference"].get("resource") or res["name"]
    known = {tuple(r[k] for k in target_fields) for _, r in parsed[target]}
    for number, record in parsed[res["name"]]:
        value = tuple(record[k] for k in fields)
        if None not in value and value not in known:
            raise DataError(
                "data/" + res["path"],
                number,
                ", ".join(fields),
                f"foreign keys point to an existing row ({target}.{', '.join(target_fields)})",
                f"{_shown(value)} is not in {target}",
            )


def _shown(value: tuple) -> str:
    return ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in value)


def _caster(field: dict, as_of: dt.date, sources: set[str]):
    """A function turning one non-missing text value of `field` into its typed value, or raising _Bad."""
    name, kind = field["name"], field.get("type", "string")
    constraints = field.get("constraints", {})
    parse = _parser(field)
    is_count = kind == "integer" and bool(COUNT_WORDS & set(name.lower().split("_")))
    bounds = {c: parse(str(constraints[c])) for c in ("minimum", "maximum") if c in constraints}
    enum = [parse(str(v)) if kind != "string" else v for v in constraints.get("enum", [])]
    pattern = re.compile(constraints["pattern"]) if "pattern" in constraints else None
    region = REGION.get({"latitude": "lat", "longitude": "lon", "lng": "lon"}.get(name, name))

    def cast(text: str):
        value = parse(text)
        if is_count and value < 0:
            raise _Bad(f"{value} is negative", "counts are never negative")
        if region and kind in ("number", "integer") and not region[0] <= value <= region[1]:
            raise _Bad(f"{value} is outside the region's {name} range {region[0]:g}–{region[1]:g}", REGION_RULE)
        if "minimum" in bounds and value < bounds["minimum"]:
            raise _Bad(f"{text} is below the minimum {constraints['minimum']}", f"minimum {constraints['minimum']}")
        if "maximum" in bounds and value > bounds["maximum"]:
            raise _Bad(f"{text} is above the maximum {constraints['maximum']}", f"maximum {constraints['maximum']}")
        if enum and value not in enum:
            raise _Bad(f"{text!r} is not one of {', '.join(map(str, constraints['enum']))}", "enum")
        if pattern and not pattern.fullmatch(text):
            raise _Bad(f"{text!r} does not match {pattern.pattern}", "pattern")
        if len(text) < constraints.get("minLength", 0) or len(text) > constraints.get("maxLength", len(text)):
            raise _Bad(f"{text!r} has {len(text)} characters", "minLength/maxLength")
        if kind in ("date", "datetime") and (value.date() if kind == "datetime" else value) > as_of:
            raise _Bad(f"{text} is after the package's as_of date {as_of}", "no date after the package's as_of")
        if _is_source(name):
            unknown = [k for k in (k.strip() for k in text.split(";")) if k not in sources]
            if unknown:
                raise _Bad(f"source key {unknown[0]!r} is not in {BIB}", "source keys resolve in references.bib")
        return value

    return cast


def _parser(field: dict):
    """A function turning text into the field's type (no constraints), or raising _Bad."""
    kind = field.get("type", "string")
    if kind == "string":
        return str
    if kind == "boolean":
        true = field.get("trueValues", ["true", "True", "TRUE", "1"])
        false = field.get("falseValues", ["false", "False", "FALSE", "0"])
        return lambda text: text in true or _refuse(text not in false, text, kind, "one of " + ", ".join(true + false))
    if kind == "date" and field.get("format", "default") != "default":
        return lambda text: _strptime(text, field["format"]).date()
    pattern, convert, shape = {
        "integer": (_INTEGER, int, "a whole number"),
        "year": (re.compile(r"\d{4}"), int, "YYYY"),
        "number": (_NUMBER, float, "a decimal number"),
        "date": (_DATE, dt.date.fromisoformat, "YYYY-MM-DD"),
        "datetime": (_DATETIME, _utc, "YYYY-MM-DDThh:mm:ss[Z]"),
    }[kind]

    def parse(text: str):
        _refuse(not pattern.fullmatch(text), text, kind, shape)
        try:
            return convert(text)
        except ValueError:
            raise _Bad(f"{text} is an impossible {kind}", "dates exist in the calendar") from None

    return parse


def _refuse(bad: bool, text: str, kind: str, shape: str) -> bool:
    if bad:
        raise _Bad(f"{text!r} is not {'an' if kind == 'integer' else 'a'} {kind} ({shape})", f"type {kind}")
    return False


def _strptime(text: str, fmt: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, fmt)
    except ValueError:
        raise _Bad(f"{text!r} is not a date in the format {fmt}", "type date") from None


def _utc(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _check_row(rel: str, number: int, record: dict) -> None:
    """The rules that relate several columns of one row."""

    def check(ok: bool, column: str, rule: str, problem: str) -> None:
        if not ok:
            raise DataError(rel, number, column, rule, problem)

    for low in [n for n in record if n == "low" or n.endswith("_low")]:
        high = low[:-3] + "high"
        if record.get(high) is not None and record[low] is not None:
            check(record[low] <= record[high], low, f"{low} <= {high}", f"{record[low]} is above {high} {record[high]}")
    for end_name, start_name in (("period_end", "period_start"), ("end_date", "start_date"), ("end_date", "date")):
        start, end = record.get(start_name), record.get(end_name)
        if start is not None and end is not None:
            check(start <= end, end_name, f"{start_name} <= {end_name}", f"{end} is before {start_name} {start}")
    start, as_of = record.get("period_start"), record.get("as_of")
    if start is not None and as_of is not None:
        check(
            start <= as_of,
            "as_of",
            "as_of on or after period_start",
            f"{as_of} is before period_start {start}: a figure cannot be current before its period begins",
        )
    if record.get("contested"):
        for column in ("name_az", "name_hy"):
            check(
                bool(record.get(column)),
                column,
                "contested places have both names",
                "a contested place needs both its Azerbaijani and its Armenian name",
            )
    for column in filter(_is_source, record):
        check(bool(record[column]), column, "every row names a source", "no source key")


def _is_source(name: str) -> bool:
    """Columns of references.bib keys: `source`, `sources` and e.g. `observed_source`."""
    return name in ("source", "sources") or name.endswith(("_source", "_sources"))


class Frames(dict):
    """A plain mapping of tables that carries its own bibliography (key -> who, year, title): small packages in tests
    and views derived from the package inside `widgets` (e.g. two tables merged), read like `load()`'s result."""

    def __init__(self, tables: Mapping, bibliography: Mapping | None = None):
        super().__init__(tables)
        self.bibliography = bibliography

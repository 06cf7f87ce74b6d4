"""A guard for what tests can see (issue 15, item 5): rules across rows and tables that the loader cannot check alone.

The loader (`widgets.data.load`) checks each row by itself. These checks look across rows and files:

(a) **as_of after the event** — a row cannot be current to a date before the event it reports:
    events / armenia_politics / map_events: `as_of` >= `date` (and >= `end_date` when set);
    any table with `period_start`: `as_of` >= `period_start`;
    ceasefires: `as_of` >= `agreed_date`, `in_force_date` and (when set) `broken_date`;
    statement: `as_of` >= `outcome_date` when set; military_claims: `as_of` >= `claim_date`.
(b) **one event, one date** — the same event stored in two tables must carry the same date. The links are explicit
    (`SAME_DATE` below): each says which column of which row must equal which column of which other row. A link to a
    row that no longer exists fails too, so renaming an id cannot silently switch the guard off. `TEXT_DATE` does the
    same for dates written in prose columns (places.control_note, statement.what_happened): the text must contain the
    events.csv date as the book writes it ("26 Aug 2022").
(c) **a citation must be findable** — every key in a `source` column must point to a bibliography entry that has a
    URL or DOI, or at least a real title (a placeholder such as "[headline not captured]" is not a title).

Each checker returns a list of `Problem(table, row, rule, detail)`; the tests on the real package assert the list is
empty, and the unit tests at the bottom break one row of a copy of the package and assert the checker names it.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from widgets.data import load

ROOT = Path(__file__).resolve().parent.parent

RULE_AS_OF = "as_of on or after the event it reports"
RULE_SAME_DATE = "one event, one date across tables"
RULE_CITATION = "cited source has a URL/DOI or a real title"


@dataclass(frozen=True)
class Problem:
    table: str
    row: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.table}, row {self.row}: {self.detail} (rule: {self.rule})"


# ---------------------------------------------------------------------------------------------------------------------
# (a) as_of on or after the event
# ---------------------------------------------------------------------------------------------------------------------
# table -> columns whose (non-empty) date the row's as_of may not precede. Tables with period_start are added below.
AS_OF_AFTER = {
    "events": ["date", "end_date"],
    "armenia_politics": ["date", "end_date"],
    "geo_map_events": ["date"],
    "ceasefires": ["agreed_date", "in_force_date", "broken_date"],
    "statement": ["outcome_date"],
    "military_claims": ["claim_date"],
}


def _key(book, table: str) -> str:
    key = book.resource(table)["schema"]["primaryKey"]
    return key[0] if isinstance(key, list) else key


def check_as_of(book) -> list[Problem]:
    problems = []
    rules = dict(AS_OF_AFTER)
    for name in book:
        frame = book[name]
        if isinstance(frame, pd.DataFrame) and "period_start" in frame.columns:
            rules.setdefault(name, []).append("period_start")
    for table, columns in rules.items():
        if table not in book:
            continue
        frame, key = book[table], _key(book, table)
        for _, row in frame.iterrows():
            for column in columns:
                if column in frame.columns and pd.notna(row[column]) and row["as_of"] < row[column]:
                    problems.append(
                        Problem(
                            table,
                            str(row[key]),
                            RULE_AS_OF,
                            f"as_of {row['as_of']:%Y-%m-%d} is before {column} {row[column]:%Y-%m-%d}",
                        )
                    )
    return problems


# ---------------------------------------------------------------------------------------------------------------------
# (b) one event, one date across tables: explicit links (table, row id, column) == (table, row id, column)
# ---------------------------------------------------------------------------------------------------------------------
SAME_DATE = [
    # ceasefires <-> events
    (("ceasefires", "1994_bishkek_moscow", "in_force_date"), ("events", "1994_ceasefire", "date")),
    (("ceasefires", "1994_bishkek_moscow", "broken_date"), ("events", "2016_april_war", "date")),
    (("ceasefires", "2016_april_moscow", "agreed_date"), ("events", "2016_april_war", "end_date")),
    (("ceasefires", "2016_april_moscow", "broken_date"), ("events", "2020_war_begins", "date")),
    (("ceasefires", "2020_10_10_moscow", "in_force_date"), ("events", "2020_ceasefire_oct10", "date")),
    (("ceasefires", "2020_10_18_paris", "in_force_date"), ("events", "2020_ceasefire_oct18", "date")),
    (("ceasefires", "2020_10_26_washington", "in_force_date"), ("events", "2020_ceasefire_oct26", "date")),
    (("ceasefires", "2020_11_10_statement", "in_force_date"), ("events", "2020_statement", "date")),
    (("ceasefires", "2020_11_10_statement", "broken_date"), ("events", "2023_offensive", "date")),
    (("ceasefires", "2022_09_14_border", "agreed_date"), ("events", "2022_border_war", "end_date")),
    (("ceasefires", "2023_09_20_surrender", "agreed_date"), ("events", "2023_ceasefire", "date")),
    # statement outcomes <-> events
    (("statement", "p1_ceasefire", "outcome_date"), ("events", "2023_offensive", "date")),
    (("statement", "p2_aghdam", "outcome_date"), ("events", "2020_aghdam_handover", "date")),
    (("statement", "p3_peacekeepers", "outcome_date"), ("events", "2020_statement", "date")),
    (("statement", "p4_term", "outcome_date"), ("events", "2024_withdrawal_complete", "date")),
    (("statement", "p5_centre", "outcome_date"), ("events", "2021_jmc_opens", "date")),
    (("statement", "p6_kalbajar", "outcome_date"), ("events", "2020_kalbajar_handover", "date")),
    (("statement", "p6_lachin", "outcome_date"), ("events", "2020_lachin_handover", "date")),
    (("statement", "p6_passage", "outcome_date"), ("events", "2022_blockade", "date")),
    (("statement", "p8_prisoners", "outcome_date"), ("events", "2020_pow_exchange", "date")),
    (("statement", "p9_transport", "outcome_date"), ("events", "2025_washington", "date")),
    # map_events <-> events
    (("geo_map_events", "shusha_claimed_20201108", "date"), ("events", "2020_shusha_announced", "date")),
    (("geo_map_events", "shusha_conceded_20201109", "date"), ("events", "2020_shushi_conceded", "date")),
    (("geo_map_events", "lachin_district_20201201", "date"), ("events", "2020_lachin_handover", "date")),
    (("geo_map_events", "lachin_town_20220825", "date"), ("events", "2022_lachin_town", "date")),
    (("geo_map_events", "blockade_20221212", "date"), ("events", "2022_blockade", "date")),
    (("geo_map_events", "checkpoint_20230423", "date"), ("events", "2023_hakari_checkpoint", "date")),
    (("geo_map_events", "control_20230920", "date"), ("events", "2023_ceasefire", "date")),
    # casualties periods <-> events
    (("casualties", "tovuz_az_mil_killed", "period_start"), ("events", "2020_tovuz", "date")),
    (("casualties", "az_mil_killed_20201203", "period_start"), ("events", "2020_war_begins", "date")),
    (("casualties", "az_mil_killed_20201203", "period_end"), ("events", "2020_statement", "date")),
    (("casualties", "az_civ_killed_ganja", "period_end"), ("events", "2020_ganja_strike", "date")),
    (("casualties", "az_civ_killed_barda", "period_start"), ("events", "2020_barda_strike", "date")),
    (("casualties", "b22_am_all_killedmissing_20220919", "period_start"), ("events", "2022_border_war", "date")),
    (("casualties", "b22_am_all_killedmissing_20220919", "period_end"), ("events", "2022_border_war", "end_date")),
    (("casualties", "o23_az_mil_killed", "period_start"), ("events", "2023_offensive", "date")),
    (("casualties", "o23_az_mil_killed", "period_end"), ("events", "2023_offensive", "end_date")),
    (("casualties", "x23_depot_killed_20231222", "period_start"), ("events", "2023_fuel_depot", "date")),
    (("casualties", "x23_displaced_20231019", "period_start"), ("events", "2023_exodus", "date")),
    (("casualties", "x23_displaced_20231019", "as_of"), ("events", "2023_exodus", "end_date")),
]


def _cell(book, table: str, row_id: str, column: str):
    frame = book[table]
    hit = frame[frame[_key(book, table)] == row_id]
    if hit.empty:
        return None, f"no row {row_id!r}"
    if column not in frame.columns:
        return None, f"no column {column!r}"
    return hit.iloc[0][column], None


def check_same_dates(book, links=SAME_DATE) -> list[Problem]:
    problems = []
    for (ta, ia, ca), (tb, ib, cb) in links:
        a, missing_a = _cell(book, ta, ia, ca)
        b, missing_b = _cell(book, tb, ib, cb)
        if missing_a or missing_b:
            table, row, why = (ta, ia, missing_a) if missing_a else (tb, ib, missing_b)
            problems.append(
                Problem(
                    table,
                    row,
                    RULE_SAME_DATE,
                    f"the link to {tb}/{ib} names {why} (update SAME_DATE)"
                    if missing_a
                    else f"the link from {ta}/{ia} names {why} (update SAME_DATE)",
                )
            )
            continue
        if pd.isna(a) or pd.isna(b) or a != b:
            shown = lambda v: "empty" if pd.isna(v) else f"{v:%Y-%m-%d}"  # noqa: E731
            problems.append(Problem(ta, ia, RULE_SAME_DATE, f"{ca} {shown(a)} differs from {tb}/{ib} {cb} {shown(b)}"))
    return problems


# The same event's date written in prose columns of other tables ("handed to Azerbaijan on 26 Aug 2022"): the text
# must contain the events.csv date written as the book writes dates (D Mon YYYY).
TEXT_DATE = [
    (("places", "lachin", "control_note"), ("events", "2022_lachin_town", "date")),
    (("places", "aghavno", "control_note"), ("events", "2022_lachin_town", "date")),
    (("places", "sus", "control_note"), ("events", "2022_lachin_town", "date")),
    (("places", "kalbajar", "control_note"), ("events", "2020_kalbajar_handover", "date")),
    (("places", "aghdam", "control_note"), ("events", "2020_aghdam_handover", "date")),
    (("statement", "p4_term", "what_happened"), ("events", "2024_peacekeepers_leave", "date")),
    (("statement", "p4_term", "what_happened"), ("events", "2024_withdrawal_complete", "date")),
    (("statement", "p5_centre", "what_happened"), ("events", "2020_jmc_memorandum", "date")),
    (("statement", "p5_centre", "what_happened"), ("events", "2021_jmc_opens", "date")),
    (("statement", "p5_centre", "what_happened"), ("events", "2024_jmc_closed", "date")),
    (("statement", "p6_kalbajar", "what_happened"), ("events", "2020_kalbajar_handover", "date")),
    (("statement", "p6_lachin", "what_happened"), ("events", "2020_lachin_handover", "date")),
    (("statement", "p6_passage", "what_happened"), ("events", "2022_blockade", "date")),
    (("statement", "p6_passage", "what_happened"), ("events", "2023_hakari_checkpoint", "date")),
    (("statement", "p8_prisoners", "what_happened"), ("events", "2020_pow_exchange", "date")),
    (("statement", "p9_transport", "what_happened"), ("events", "2025_washington", "date")),
]


def book_date(value) -> str:
    return f"{value.day} {value:%b %Y}"


def check_text_dates(book, links=TEXT_DATE) -> list[Problem]:
    problems = []
    for (ta, ia, ca), (tb, ib, cb) in links:
        text, missing_a = _cell(book, ta, ia, ca)
        date, missing_b = _cell(book, tb, ib, cb)
        if missing_a or missing_b:
            problems.append(
                Problem(
                    ta if missing_a else tb,
                    ia if missing_a else ib,
                    RULE_SAME_DATE,
                    f"the text-date link names {missing_a or missing_b} (update TEXT_DATE)",
                )
            )
        elif pd.isna(text) or book_date(date) not in str(text):
            problems.append(
                Problem(ta, ia, RULE_SAME_DATE, f"{ca} does not give {tb}/{ib} {cb} as {book_date(date)!r}")
            )
    return problems


# ---------------------------------------------------------------------------------------------------------------------
# (c) every cited source is findable: URL or DOI, or a real title
# ---------------------------------------------------------------------------------------------------------------------
_ENTRY = re.compile(r"^@\s*(\w+)\s*\{\s*([^,\s]+)\s*,(.*?)(?=^@|\Z)", re.S | re.M)
_FIELD = re.compile(r"^\s*(\w+)\s*=\s*(.*?),?\s*$", re.M)
PLACEHOLDER = re.compile(r"not captured|not seen|not recorded|placeholder|unknown title|untitled|^\W*$", re.I)


def bib_entries(text: str) -> dict[str, dict[str, str]]:
    entries = {}
    for kind, key, body in _ENTRY.findall(text):
        if kind.lower() in {"comment", "string", "preamble"}:
            continue
        entries[key] = {name.lower(): value.strip().strip('{}"').strip() for name, value in _FIELD.findall(body)}
    return entries


def findable(entry: dict[str, str]) -> bool:
    has_link = bool(entry.get("url") or entry.get("doi"))
    title = entry.get("title", "")
    return has_link or bool(title and not PLACEHOLDER.search(title))


def check_citations(book, bib_text: str) -> list[Problem]:
    entries = bib_entries(bib_text)
    problems = []
    for name in book:
        frame = book[name]
        if not isinstance(frame, pd.DataFrame) or "source" not in frame.columns:
            continue
        key = _key(book, name)
        for _, row in frame.iterrows():
            for cited in str(row["source"]).split(";"):
                cited = cited.strip()
                if cited in entries and not findable(entries[cited]):
                    problems.append(
                        Problem(
                            name,
                            str(row[key]),
                            RULE_CITATION,
                            f"source {cited!r} has no url/doi and no real title in references.bib",
                        )
                    )
    return problems


# ---------------------------------------------------------------------------------------------------------------------
# The guard on the real package
# ---------------------------------------------------------------------------------------------------------------------
def _report(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def test_real_package_as_of_never_precedes_the_event():
    problems = check_as_of(load())
    assert not problems, _report(problems)


def test_real_package_gives_one_event_one_date():
    problems = check_same_dates(load())
    assert not problems, _report(problems)


# Cited entries still without URL/DOI or real title after the Nov 2026 re-verification (issue 15): searched for and
# not found. The list may only shrink: the test fails if any other entry is unfindable, and also if an entry listed
# here has been fixed or is no longer cited (then delete it from the list).
KNOWN_UNFINDABLE = {
    "afp2020halfdisplaced": "AFP via tellerreport.com, ~17 Oct 2020 ('half of 140,000'); the AFP item was not found",
    "defenceredefined2020displaced": (
        "~10 Oct 2020, 'about 70,000'; not found (AFP quoted Beglaryan on 7 Oct: 70-75,000)"
    ),
    "lurer2021returns": "Russian MFA 'about 53,000 returned' (Nov 2021); not found",
}


def test_real_package_prose_dates_match_events():
    problems = check_text_dates(load())
    assert not problems, _report(problems)


def test_real_package_citations_are_findable():
    problems = check_citations(load(), (ROOT / "references.bib").read_text(encoding="utf-8"))
    unexpected = [p for p in problems if p.detail.split("'")[1] not in KNOWN_UNFINDABLE]
    assert not unexpected, _report(unexpected)
    still_open = {p.detail.split("'")[1] for p in problems}
    fixed = sorted(set(KNOWN_UNFINDABLE) - still_open)
    assert not fixed, f"now findable or no longer cited, remove from KNOWN_UNFINDABLE: {fixed}"


# ---------------------------------------------------------------------------------------------------------------------
# Each rule can fail: break one row of a copy of the package and expect the guard to name table, row and rule
# ---------------------------------------------------------------------------------------------------------------------
def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    return tmp_path


def _new(check, root: Path, *args) -> list[Problem]:
    """Problems the broken copy has that the unbroken package has not: the unit tests see only what they broke."""
    before = set(check(load(), *args))
    return [p for p in check(load(root), *args) if p not in before]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur exactly once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_guard_catches_as_of_before_the_event(tmp_path):
    root = _copy(tmp_path)
    # events 2020_pow_exchange: as_of moved to the day before the exchange
    _edit(root / "data" / "events.csv", "ap2020pow,2020-12-14,", "ap2020pow,2020-12-13,")
    problems = _new(check_as_of, root)
    assert [(p.table, p.row, p.rule) for p in problems] == [("events", "2020_pow_exchange", RULE_AS_OF)]


def test_guard_catches_as_of_before_a_ceasefire_was_agreed(tmp_path):
    root = _copy(tmp_path)
    _edit(
        root / "data" / "ceasefires.csv",
        "kyivindependent2023surrender;wion2023ceasefire,2023-09-20,",
        "kyivindependent2023surrender;wion2023ceasefire,2023-09-19,",
    )
    problems = _new(check_as_of, root)
    # before both agreed_date and in_force_date: reported once per column, always naming the row
    assert {(p.table, p.row, p.rule) for p in problems} == {("ceasefires", "2023_09_20_surrender", RULE_AS_OF)}
    assert {p.detail.split()[-2] for p in problems} == {"agreed_date", "in_force_date"}


def test_guard_catches_two_tables_giving_one_event_different_dates(tmp_path):
    root = _copy(tmp_path)
    # map_events moves the 2023 Hakari checkpoint a day later than events.csv has it
    _edit(
        root / "data" / "geo" / "map_events.csv",
        "checkpoint_20230423,kornidzor,2023-04-23,",
        "checkpoint_20230423,kornidzor,2023-04-24,",
    )
    problems = _new(check_same_dates, root)
    assert [(p.table, p.row, p.rule) for p in problems] == [("geo_map_events", "checkpoint_20230423", RULE_SAME_DATE)]
    assert "2023-04-24" in problems[0].detail and "2023-04-23" in problems[0].detail


def test_guard_catches_a_prose_date_that_differs(tmp_path):
    root = _copy(tmp_path)
    # places.csv says Lachin/Berdzor passed to Azerbaijan a day earlier than events.csv
    # (the error this guard was built for)
    _edit(
        root / "data" / "places.csv",
        "handed to Azerbaijan on 26 Aug 2022 when",
        "handed to Azerbaijan on 25 Aug 2022 when",
    )
    problems = _new(check_text_dates, root)
    assert [(p.table, p.row, p.rule) for p in problems] == [("places", "lachin", RULE_SAME_DATE)]
    assert "26 Aug 2022" in problems[0].detail


def test_guard_catches_a_link_to_a_row_that_is_gone():
    links = [(("events", "no_such_event", "date"), ("events", "2020_statement", "date"))]
    problems = check_same_dates(load(), links)
    assert [(p.table, p.row, p.rule) for p in problems] == [("events", "no_such_event", RULE_SAME_DATE)]


def test_guard_catches_a_citation_without_url_or_title(tmp_path):
    root = _copy(tmp_path)
    bib = root / "references.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("@misc{ap2020pow,")
    end = text.index("\n}", start)
    entry = text[start:end]
    broken = re.sub(r"\n\s*title\s*=.*", "\n  title        = {{[headline not captured]}},", entry, count=1)
    broken = re.sub(r"\n\s*url\s*=.*", "", broken, count=1)
    bib.write_text(text[:start] + broken + text[end:], encoding="utf-8")
    problems = [p for p in check_citations(load(root), bib.read_text(encoding="utf-8")) if "'ap2020pow'" in p.detail]
    rows = {(p.table, p.row, p.rule) for p in problems}
    assert ("events", "2020_pow_exchange", RULE_CITATION) in rows
    assert ("statement", "p8_prisoners", RULE_CITATION) in rows
    assert len(rows) == len(problems) >= 2


@pytest.mark.parametrize(
    "entry, ok",
    [
        ({"title": "A real headline", "url": ""}, True),
        ({"title": "{Something [headline not captured]}"}, False),
        ({"title": "{A paraphrase [headline not seen]}"}, False),
        ({"title": "{A paraphrase [headline not seen]}", "url": "https://example.org/y"}, True),
        ({"title": "", "url": "https://example.org/x"}, True),
        ({"doi": "10.1000/xyz"}, True),
        ({}, False),
    ],
)
def test_findable(entry, ok):
    assert findable(entry) is ok

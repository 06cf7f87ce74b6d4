"""Prose checks over every chapter's markdown cells and every markdown page: no figure typed in, both names for
contested places, every cited key in references.bib, no empty or placeholder text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
PAGES = [ROOT / "intro.md", *sorted((ROOT / "back").glob("*.md"))]


def contested_pairs(places: Path = ROOT / "data" / "places.csv") -> list[tuple[str, str]]:
    """Each contested place with two names, as (first, second) in the book's order: the place's official name of the
    Soviet period first (column soviet_name; the rule is stated in intro.md)."""
    import csv

    pairs = []
    with places.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            az, hy = row["name_az"], row["name_hy"]
            if row["contested"] == "true" and az and hy and az != hy:
                pairs.append((az, hy) if row["soviet_name"] == "az" else (hy, az))
    return pairs


CONTESTED = contested_pairs()

PLACEHOLDER = re.compile(r"\b(?:TODO|FIXME|TBD|XXX|lorem|ipsum|placeholder)\b", re.IGNORECASE)
# A full stop, comma or semicolon opening a line is what a deleted citation leaves behind ("… expects\n. The …");
# a colon there is MyST definition-list syntax.
ORPHAN_PUNCTUATION = re.compile(r"^[ \t]*[.,;](?=\s|$)", re.MULTILINE)

MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
)
# Digits that are not figures: what the house rules allow in prose without a data row behind them.
ALLOWED_DIGITS = [
    r"\b\d{4}-\d{2}-\d{2}\b",  # ISO dates
    rf"\b\d{{1,2}}(?:\s*(?:–|-|/|to|and)\s*\d{{1,2}})*\s+{MONTH}\b",  # 8–9 November, 9/10 Nov
    rf"\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?![\d,]\d)",  # November 10 (the essay's style)
    r"(?<![\d,.])(?:19\d\d|20[0-3]\d)s?(?![\d]|[,.]\d)",  # years 1900–2039
    r"\b\d{1,2}:\d{2}\b",  # time of day
    r"\b[Pp]oints?\s+[1-9](?:\s*(?:–|-|,|and|or|to)\s*[1-9])*\b",  # the statement's point numbers
    r"\bFactors?\s+[1-3](?:\s*(?:–|-|,|and)\s*[1-3])*\b",  # the essay's three factors
    r"\b\d{1,2}(?:st|nd|rd|th)\b",  # ordinals
]
# The explicit allowlist: each entry is (pattern, why it is not a figure that needs a data row).
ALLOWLIST = [
    (
        r"\[0, 1\]|\bbetween 0 and 1\b|\bsum to 1\b|\)\s+to [01]\b|\bstarts at 0\b|\babove 1\b|\blargest of 0\b"
        r"|\(1 if [^)]*, 0 if not\)|\b0 (?:is|for a) perfect\b|\b1 for a certain\b|\bsaid 1\.0\b",
        "the ends of the probability scale, and of a share, are definitions, not sourced figures",
    ),
    (r"\bstarts at 100%", "a survival curve starts at 100% by definition (glossary)"),
    (
        r"\bAbout \d{1,3} minutes(?:[,;] (?:about )?\d{1,3} with the exercises)?",
        "reading-time estimates are the authors' guidance to the reader, not facts about the conflict",
    ),
    (r"\bPython 3\.11\b", "the Python version the book is pinned to (requirements.txt), not a figure"),
    (r"\bICD 203\b", "the name of a published standard (ODNI Intelligence Community Directive 203)"),
    (r"\bCOVID-19\b", "the name of the disease, quoted from the essay"),
    (
        r"\b[Rr]esolutions?\s+\d{3,4}(?:\s*(?:,|and)\s*\d{3,4})*\b",
        "UN Security Council resolution numbers (Resolution 822) are names of documents, not figures",
    ),
    (r"\bFrance 24\b", "the name of a broadcaster"),
    (r"\bCC BY 4\.0\b", "the name of a licence"),
    (r"\boutcome (?:would be|is) [01]\b", "a yes/no outcome is coded 1 or 0 by definition of the Brier score"),
]
_MASKS = re.compile("|".join(f"(?:{p})" for p in ALLOWED_DIGITS + [p for p, _ in ALLOWLIST]))

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")
CITE = re.compile(r"\{cite(?::[\w]+)?\}`([^`]*)`")
CODE_SPAN = re.compile(r"`[^`\n]*`")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.DOTALL)
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
LABEL_LINE = re.compile(r"^\s*\([\w:.-]+\)=\s*$", re.MULTILINE)
OPTION_LINE = re.compile(r"^\s*:[\w-]+:.*$", re.MULTILINE)
DIRECTIVE_LINE = re.compile(r"^\s*(?::{3,}|`{3,})\{[\w:-]+\}.*$|^\s*:{3,}\s*$", re.MULTILINE)
HEADING_NUMBER = re.compile(r"^(#+\s+)\d+(?:\.\d+)*\.?\s", re.MULTILINE)
LIST_MARKER = re.compile(r"^(\s*)\d+[.)]\s", re.MULTILINE)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
NUMBER = re.compile(r"\d(?:[\d,.\u2009\u202f]*\d)?")


@dataclass(frozen=True)
class Cell:
    """One block of prose: a notebook's markdown cell, or a whole markdown page."""

    page: str
    cell_id: str
    source: str


def _blank(match: re.Match) -> str:
    # Keep newlines so positions still map to lines.
    return re.sub(r"[^\n]", " ", match.group(0))


def prose_cells(path: Path) -> list[Cell]:
    """The markdown cells of a notebook, or a markdown page as one cell."""
    shown = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    if path.suffix == ".md":
        return [Cell(shown, "(page)", path.read_text(encoding="utf-8"))]
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        Cell(shown, c.get("id", f"#{i}"), "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "markdown"
    ]


def without_code_blocks(text: str) -> str:
    """The text with fenced code blocks blanked; directive fences (```{name}) keep their content."""
    out, fence = [], None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if fence is None and m:
            is_directive = m.group(3).strip().startswith("{")
            fence = (m.group(2)[0], len(m.group(2)), is_directive)
            out.append("")
        elif (
            fence is not None
            and m
            and m.group(2)[0] == fence[0]
            and len(m.group(2)) >= fence[1]
            and not m.group(3).strip()
        ):
            fence = None
            out.append("")
        else:
            out.append(line if fence is None or fence[2] else "")
    return "\n".join(out)


def reader_text(text: str) -> str:
    """The words a reader sees, without code, roles, labels, link targets, directive lines or options."""
    text = COMMENT.sub(_blank, without_code_blocks(text))
    for pattern in (LABEL_LINE, DIRECTIVE_LINE, OPTION_LINE, ROLE, CODE_SPAN):
        text = pattern.sub(_blank, text)
    return LINK.sub(lambda m: m.group(1), text)


def typed_figures(cell: Cell) -> list[str]:
    """Every number typed into the cell's prose that no rule or allowlist entry permits, with its context."""
    text = reader_text(cell.source)
    found = []
    for m in MATH.finditer(text):
        # Notation such as $(p - o)^2$ is fine; a figure hidden in math is not.
        found += [f"math {m.group(0)!r}" for n in NUMBER.findall(m.group(0)) if len(n) > 1]
    text = MATH.sub(_blank, text)
    text = HEADING_NUMBER.sub(lambda m: m.group(1), text)
    text = LIST_MARKER.sub(lambda m: m.group(1), text)
    masked = _MASKS.sub(_blank, text)
    for m in NUMBER.finditer(masked):
        line = text.count("\n", 0, m.start()) + 1
        context = " ".join(text[max(0, m.start() - 40) : m.end() + 40].split())
        found.append(f"line {line}: {m.group(0)!r} in “…{context}…”")
    return found


def missing_other_names(cells: list[Cell]) -> list[str]:
    """For each contested place the page names, the name it never gives; and every pair written in the wrong order."""
    text = "\n".join(reader_text(c.source) + " " + " ".join(ROLE.findall(c.source)) for c in cells)
    problems = []
    for first, second in CONTESTED:
        has_first, has_second = (re.search(rf"\b{n}\b", text) is not None for n in (first, second))
        if has_first != has_second:
            given, missing = (first, second) if has_first else (second, first)
            problems.append(f"names {given} but never {missing} (write {first}/{second} at least once)")
        for cell in cells:
            if re.search(rf"\b{second}\s*/\s*{first}\b", reader_text(cell.source)):
                problems.append(f"cell {cell.cell_id}: {second}/{first} is in the wrong order (write {first}/{second})")
    return problems


def bib_keys(bib: Path = ROOT / "references.bib") -> set[str]:
    """Every entry key in references.bib."""
    return set(re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", bib.read_text(encoding="utf-8"), re.MULTILINE))


def unknown_cite_keys(cells: list[Cell], known: set[str]) -> list[str]:
    """Every {cite} key in the cells that references.bib does not define, with its cell id."""
    return [
        f"cell {c.cell_id}: unknown key {key!r}"
        for c in cells
        for keys in CITE.findall(c.source)
        for key in (k.strip() for k in keys.split(","))
        if key and key not in known
    ]


def empty_or_placeholder(cells: list[Cell]) -> list[str]:
    """Every empty cell, placeholder word (TODO, FIXME, lorem, placeholder, …) and orphaned punctuation mark."""
    problems = [f"cell {c.cell_id}: empty markdown cell" for c in cells if not c.source.strip()]
    for c in cells:
        text = reader_text(c.source)
        for m in PLACEHOLDER.finditer(text):
            problems.append(f"cell {c.cell_id}: placeholder text {m.group(0)!r}")
        for m in ORPHAN_PUNCTUATION.finditer(c.source):
            line = c.source.count("\n", 0, m.start()) + 1
            context = " ".join(c.source[max(0, m.start() - 50) : m.end() + 30].split())
            problems.append(
                f"cell {c.cell_id}, line {line}: stray {m.group(0).strip()!r} at the start of a line "
                f"(a removed citation?) in “…{context}…”"
            )
    return problems


def _fail(page: str, rule: str, problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{page}: {rule}:\n  " + "\n  ".join(problems), pytrace=False)


ALL_PAGES = CHAPTERS + PAGES
IDS = [p.relative_to(ROOT).as_posix() for p in ALL_PAGES]


@pytest.fixture(scope="module")
def known_keys() -> set[str]:
    return bib_keys()


@pytest.mark.parametrize("path", ALL_PAGES, ids=IDS)
def test_no_figure_typed_into_prose(path):
    problems = [f"cell {c.cell_id}, {f}" for c in prose_cells(path) for f in typed_figures(c)]
    _fail(path.relative_to(ROOT).as_posix(), "figures typed into prose (glue them from data/)", problems)


@pytest.mark.parametrize("path", ALL_PAGES, ids=IDS)
def test_contested_places_have_both_names(path):
    _fail(
        path.relative_to(ROOT).as_posix(),
        "contested place without its other name",
        missing_other_names(prose_cells(path)),
    )


@pytest.mark.parametrize("path", ALL_PAGES, ids=IDS)
def test_cited_keys_exist(path, known_keys):
    _fail(
        path.relative_to(ROOT).as_posix(),
        "cite keys missing from references.bib",
        unknown_cite_keys(prose_cells(path), known_keys),
    )


@pytest.mark.parametrize("path", ALL_PAGES, ids=IDS)
def test_no_empty_or_placeholder_text(path):
    _fail(path.relative_to(ROOT).as_posix(), "empty or placeholder text", empty_or_placeholder(prose_cells(path)))


def test_every_chapter_and_page_is_checked():
    assert len(CHAPTERS) >= 1 and (ROOT / "intro.md") in PAGES, "no chapters or intro.md found to check"


# A test of the test: a synthetic notebook that breaks every rule once, and one that breaks none.
BAD_CELLS = {
    "figure": "Azerbaijan lost 2,906 soldiers in the war.",
    "one-name": "The road ran through Lachin to Shusha/Shushi.",
    "reversed": "The shelling of Khankendi/Stepanakert.",
    "cite": "As the essay says {cite}`essay2020,nosuchkey1999`.",
    "todo": "TODO: write the summary.",
    "stray": "As Blainey expects\n. The next sentence.",
    "empty": "  \n",
}
GOOD_CELL = (
    "(ch-x)=\n# Factor 2: a title\n\nOn 8–9 November 2020, at 00:00, {glue:text}`war_days` days after "
    "27 September (2020-09-27), Shusha/Shushi fell (point 6, points 2–6) {cite}`essay2020`. "
    "See [the table](tbl-war-casualties) and `casualty_table(2020)`; $p^2$ lies in [0, 1].\n\n"
    "1. first\n2. second\n\n```python\nx = 1960\n```\n\n:::{exercise}\n:label: ex-1\nText.\n:::\n"
)


def _notebook(tmp_path: Path, cells: dict[str, str]) -> Path:
    nb = {
        "cells": [{"cell_type": "markdown", "id": k, "metadata": {}, "source": v} for k, v in cells.items()],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "99_bad.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_checks_catch_a_bad_notebook(tmp_path):
    cells = prose_cells(_notebook(tmp_path, BAD_CELLS))
    figures = [f for c in cells for f in typed_figures(c)]
    assert len(figures) == 1 and "'2,906'" in figures[0] and "line 1" in figures[0], figures
    assert sorted(missing_other_names(cells)) == [
        "cell reversed: Khankendi/Stepanakert is in the wrong order (write Stepanakert/Khankendi)",
        "names Lachin but never Berdzor (write Lachin/Berdzor at least once)",
    ]
    assert unknown_cite_keys(cells, {"essay2020"}) == ["cell cite: unknown key 'nosuchkey1999'"]
    unfinished = empty_or_placeholder(cells)
    assert unfinished[:2] == ["cell empty: empty markdown cell", "cell todo: placeholder text 'TODO'"], unfinished
    assert len(unfinished) == 3 and unfinished[2].startswith("cell stray, line 2: stray '.'"), unfinished
    with pytest.raises(pytest.fail.Exception, match=r"99_bad.ipynb: figures typed into prose"):
        _fail("99_bad.ipynb", "figures typed into prose (glue them from data/)", [f"cell figure, {f}" for f in figures])


def test_checks_pass_a_clean_notebook(tmp_path):
    cells = prose_cells(_notebook(tmp_path, {"good": GOOD_CELL}))
    assert [f for c in cells for f in typed_figures(c)] == []
    assert missing_other_names(cells) == []
    assert unknown_cite_keys(cells, {"essay2020"}) == []
    assert empty_or_placeholder(cells) == []


@pytest.mark.parametrize(
    "text",
    [
        "The force had 1,960 troops.",
        "It lasted 44 days.",
        "A toll of 3,773.",
        "Brent averaged 41.96 dollars.",
        "Some 90 armoured vehicles.",
        "$1960$ troops",
        "In 12 months",
        "point 12 of nothing",
        "Factor 4 is not in the essay",
    ],
)
def test_each_kind_of_typed_figure_is_caught(text):
    assert typed_figures(Cell("x", "c", text)), f"not caught: {text!r}"


def test_place_table_follows_the_name_order_rule():
    """name_en of every contested place is its two names, the Soviet-period official name first (intro.md)."""
    import csv

    with (ROOT / "data" / "places.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["contested"] == "true"]
    wrong = []
    for r in rows:
        az, hy = r["name_az"], r["name_hy"]
        expected = az if az == hy else (f"{az}/{hy}" if r["soviet_name"] == "az" else f"{hy}/{az}")
        if r["name_en"] != expected or r["soviet_name"] not in {"az", "hy", "same"}:
            wrong.append(
                f"{r['place_id']}: name_en {r['name_en']!r}, expected {expected!r} (soviet_name {r['soviet_name']!r})"
            )
    assert rows and not wrong, "\n".join(wrong)

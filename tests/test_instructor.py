"""The instructor guide: a key for every exercise, every name it cites real, and none of it in the public site."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from widgets.data import bib_keys, load

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "instructor"
PAGES = (
    "lesson_plans",
    "discussion",
    "answer_keys",
    "worksheet_probability_card",
    "worksheet_jigsaw",
    "worksheet_brier",
    "rubric",
    "reading_list",
    "teaching_contested_war",
)
# Sheets per printed worksheet (one A4 page each).
WORKSHEETS = {"worksheet_probability_card": 1, "worksheet_jigsaw": 4, "worksheet_brier": 2}
# Every guide page says this; the public site must contain it nowhere.
MARKER = "Instructor only: not for students."
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
EXERCISE = re.compile(r":::\{exercise\}\s*\n:label:\s*(\S+)")
KEY_TERM = re.compile(r"^`(ex-[a-z0-9-]+)`$", re.MULTILINE)
# Code spans in the guide that are neither data nor bibliography names: commands, paths, values of the data's enums.
PLAIN = {
    "make lab",
    "make instructor",
    "make slides",
    "references.bib",
    "data/README.md",
    "answer_keys.md",
    "tests/test_instructor.py",
    "chapters/",
    "data/",
    "widgets.forecasts",
    "widgets.bargaining.illustration_numbers",
    "widgets",
    "tools/answer_values.py",
    "_build_instructor/worksheets/",
} | {f"_build_instructor/worksheets/{w}.pdf" for w in WORKSHEETS}


def _markdown(path: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def exercise_labels() -> dict[str, str]:
    """Every exercise label in the chapters -> the chapter file it is in."""
    return {label: p.name for p in CHAPTERS for label in EXERCISE.findall(_markdown(p))}


def test_every_exercise_of_every_chapter_has_exactly_one_key():
    keys = KEY_TERM.findall((GUIDE / "answer_keys.md").read_text(encoding="utf-8"))
    labels = exercise_labels()
    assert labels, "no exercise found in chapters/: the label pattern no longer matches"
    missing = sorted(f"{label} ({chapter})" for label, chapter in labels.items() if label not in keys)
    assert not missing, f"instructor/answer_keys.md has no key for: {', '.join(missing)}"
    stale = sorted(k for k in keys if k not in labels)
    assert not stale, f"instructor/answer_keys.md has keys for exercises no chapter has: {', '.join(stale)}"
    doubled = sorted({k for k in keys if keys.count(k) > 1})
    assert not doubled, f"instructor/answer_keys.md keys these exercises twice: {', '.join(doubled)}"


def test_every_chapter_with_exercises_has_discussion_questions():
    headings = set(re.findall(r"^## (.+)$", (GUIDE / "discussion.md").read_text(encoding="utf-8"), re.MULTILINE))
    missing = []
    for p in CHAPTERS:
        text = _markdown(p)
        title = re.search(r"^# (.+)$", text, re.MULTILINE).group(1)
        if EXERCISE.search(text) and not any(title.startswith(h) for h in headings):
            missing.append(f"{p.name} ({title})")
    assert not missing, f"instructor/discussion.md has no section for: {', '.join(missing)}"


def known_names() -> set[str]:
    """Names the guide may put in code spans: data files, columns, row ids, enum values, bib keys, glue names."""
    data = load()
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    names = set(bib_keys()) | set(exercise_labels()) | PLAIN
    for res in package["resources"]:
        names |= {res["path"], "data/" + res["path"], res["path"].split("/")[-1]}
        for field in res.get("schema", {}).get("fields", []):
            names.add(field["name"])
            names |= {str(v) for v in field.get("constraints", {}).get("enum", [])}
        key = res.get("schema", {}).get("primaryKey")
        if key:
            frame = data[res["name"]]
            names |= {str(v) for v in frame[key if isinstance(key, str) else key[0]].dropna()}
    chapters = "\n".join(_markdown(p) for p in CHAPTERS)
    names |= set(re.findall(r"\{glue:(?:text|md)\}`([A-Za-z0-9_]+)", chapters))
    return names


def test_every_name_the_guide_cites_exists():
    """A row id, source key or glue name with a typo would send an instructor to nothing."""
    known = known_names()
    unknown = []
    for page in PAGES:
        text = (GUIDE / f"{page}.md").read_text(encoding="utf-8")
        text = re.sub(r"\{[\w:.-]+\}`[^`\n]*`", "", text)  # a role's target ({doc}`x`) is not a name
        for span in re.findall(r"`([^`\n]+)`", text):
            if span not in known:
                unknown.append(f"{page}.md: `{span}`")
    assert not unknown, "names in the instructor guide that no data file, bibliography or chapter has:\n" + "\n".join(
        unknown
    )


def test_instructor_book_lists_its_pages_and_the_public_book_excludes_it():
    toc = yaml.safe_load((GUIDE / "_toc.yml").read_text(encoding="utf-8"))
    listed = [c["file"] for c in toc.get("chapters", [])]
    assert listed == list(PAGES), f"instructor/_toc.yml lists {listed}, expected {list(PAGES)}"
    for page in ("index",) + PAGES:
        assert MARKER in (GUIDE / f"{page}.md").read_text(encoding="utf-8"), f"instructor/{page}.md lacks {MARKER!r}"
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "instructor" in config["exclude_patterns"], "_config.yml does not exclude instructor/ from the public book"
    assert "instructor" not in (ROOT / "_toc.yml").read_text(encoding="utf-8"), "_toc.yml links the instructor guide"
    assert "jupyter-book build instructor" in (ROOT / "Makefile").read_text(encoding="utf-8"), "no `make instructor`"


def test_public_site_contains_no_answer_key_text(site):
    """No page, search index or source file of the built site carries the guide's marker or its pages' titles."""
    needles = [MARKER, "Answer keys to the exercises", "Discussion questions and model answers"]
    leaked = [
        f"{p.relative_to(site).as_posix()}: {n!r}"
        for p in site.rglob("*")
        if p.is_file() and p.suffix in {".html", ".js", ".txt", ".md", ".ipynb", ".json"}
        for n in needles
        if n in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert not leaked, "instructor text in the public site:\n" + "\n".join(leaked)


# The answer keys' computed values: shown beside every glue name, computed by tools/answer_values.py at build time.
GLUE_SPAN = re.compile(r"`((?:ch5|ch6|next)_[a-z0-9_]+)`")


def test_every_computed_value_the_keys_cite_is_shown_beside_its_name():
    """Glue names show their computed value; data rows holding a number show it (`row_<id>`), never typed."""
    from tools.answer_values import _rows

    text = (GUIDE / "answer_keys.md").read_text(encoding="utf-8")
    missing = [
        m.group(1) for m in GLUE_SPAN.finditer(text) if not text.startswith(f" (**{{{{ {m.group(1)} }}}}**)", m.end())
    ]
    rows = _rows()
    missing += [
        m.group(1)
        for m in re.finditer(r"(?<!\})`([A-Za-z0-9_]+)`", text)
        if f"row_{m.group(1)}" in rows
        and not re.match(rf" \(\*\*\{{\{{ row_{m.group(1)} \}}\}}\*\*[);]", text[m.end() :])
    ]
    assert not missing, "answer keys name a computed value without showing it (` (**{{ name }}**)`): " + ", ".join(
        sorted(set(missing))
    )
    assert not re.search(r"\{\{(?!\s*[A-Za-z0-9_]+\s*\}\})", text), "a malformed {{ substitution }} in answer_keys.md"


def test_answer_values_are_computed_as_the_chapters_compute_them():
    """Every substitution the guide uses is computed from widgets; chapters 5 and 6 agree with their stored glue."""
    from tools.answer_values import GROUPS, cited_names, computed

    values, failed = computed()
    used = set().union(*(cited_names((GUIDE / f"{p}.md").read_text(encoding="utf-8")) for p in PAGES))
    unknown = sorted(n for n in used if not any(n.startswith(prefix) for prefix in GROUPS))
    assert not unknown, f"substitutions no group of tools/answer_values.py computes: {unknown}"
    for stem in ("05_scenarios", "06_what_keeps_a_ceasefire"):
        nb = nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4)
        stored = {
            o.metadata["scrapbook"]["name"]: o.data
            for c in nb.cells
            for o in c.get("outputs", [])
            if "scrapbook" in o.get("metadata", {})
        }
        for name in sorted(n for n in used if n in stored):
            assert name in values, f"{name}: not computed ({failed})"
            glued = str(stored[name].get("application/papermill.record/text/plain", "")).strip("'\"")
            assert values[name] == glued, f"{name}: the guide computes {values[name]!r}, chapter {stem} glued {glued!r}"
    blocked = sorted(n for n in used if n not in values)
    if blocked:
        pytest.skip(
            f"{len(blocked)} value(s) not computable on this checkout ({'; '.join(failed.values())}): "
            f"the page shows that instead of a number"
        )


def test_worksheets_split_into_sheets_without_the_instructor_note():
    from tools.worksheets import sheets

    for name, n in WORKSHEETS.items():
        pages = sheets(GUIDE / f"{name}.md")
        assert len(pages) == n, f"{name}: {len(pages)} sheets, expected {n}"
        assert all(MARKER not in p and "Instructor only" not in p for p in pages)


@pytest.mark.browser
def test_worksheet_pdfs_print_one_page_per_sheet(tmp_path):
    """`make instructor` prints each worksheet with Chromium; pdfinfo counts its A4 pages."""
    # In a process of its own: the browser tests' Playwright session may already be running in this one.
    run = subprocess.run(
        [sys.executable, "-m", "tools.worksheets", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.stem for p in tmp_path.glob("*.pdf")) == sorted(WORKSHEETS)
    for name in WORKSHEETS:
        info = subprocess.run(
            ["pdfinfo", str(tmp_path / f"{name}.pdf")], capture_output=True, text=True, check=True
        ).stdout
        assert re.search(rf"^Pages:\s+{WORKSHEETS[name]}$", info, re.MULTILINE), info
        assert re.search(r"^Page size:\s+595\.\d+ x 84[12]\.\d+ pts \(A4\)", info, re.MULTILINE), info

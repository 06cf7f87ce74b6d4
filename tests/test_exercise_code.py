"""The coding exercises: every chapter 01-08 has one (label `ex-<slug>-code`), and the Python in each solution runs,
from the repository root and from `chapters/` (where a live notebook starts), and prints an answer."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("0[1-8]_*.ipynb"))
SOLUTION = re.compile(r"^:::\{solution\}\s+(ex-[\w-]+-code)\s*$(.*?)^:::\s*$", re.MULTILINE | re.DOTALL)
PYTHON = re.compile(r"^```python\s*$\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
TIMEOUT = 120


def markdown(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def solution_code(text: str) -> dict[str, str]:
    """label -> the Python of its solution box (all ```python blocks, joined), for every `-code` exercise."""
    return {label: "\n".join(PYTHON.findall(body)) for label, body in SOLUTION.findall(text)}


# Runs the solution (read from stdin) once from each folder given, in a fresh namespace each time, in one Python
# process (the imports are paid once); the output of each run follows a line naming its folder.
RUNNER = """import os, sys
code = sys.stdin.read()
for folder in sys.argv[1:]:
    os.chdir(folder)
    print(f"@@ from {folder}", flush=True)
    print(f"@@ from {folder}", file=sys.stderr, flush=True)
    exec(compile(code, "<solution>", "exec"), {"__name__": "__main__"})
    sys.stdout.flush()
"""
FOLDERS = (ROOT, ROOT / "chapters")


def run(code: str, *folders: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *map(str, folders)],
        input=code,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def check(code: str, where: str, folders: tuple[Path, ...] = FOLDERS) -> None:
    """The solution runs from each folder (a live notebook starts in chapters/, a script in the root) and prints."""
    assert code.strip(), f"{where}: the solution has no ```python block"
    done = run(code, *folders)
    parts = re.split(r"^@@ from (.*)\n", done.stdout, flags=re.MULTILINE)
    runs = dict(zip(parts[1::2], parts[2::2]))
    failed_in = re.findall(r"^@@ from (.*)$", done.stderr, re.MULTILINE)[-1:] or ["?"]
    assert done.returncode == 0, f"{where} (cwd {Path(failed_in[0]).name}) fails:\n{done.stderr[-2000:]}"
    for folder in folders:
        assert runs.get(str(folder), "").strip(), f"{where} (cwd {folder.name}) prints nothing"


CASES = [(path.stem, label, code) for path in CHAPTERS for label, code in solution_code(markdown(path)).items()]


@pytest.mark.parametrize("chapter", [p.stem for p in CHAPTERS])
def test_every_chapter_has_one_coding_exercise(chapter):
    text = markdown(ROOT / "chapters" / f"{chapter}.ipynb")
    labels = list(solution_code(text))
    assert len(labels) == 1, f"{chapter}: expected one `ex-<slug>-code` exercise with a solution, found {labels}"
    assert re.search(rf"^:label: {re.escape(labels[0])}\s*$", text, re.MULTILINE), "the exercise itself is missing"
    assert re.search(rf"^:::\{{solution\}} {re.escape(labels[0])}\s*\n:class: dropdown\s*$", text, re.MULTILINE), (
        "the solution is hidden by default"
    )


@pytest.mark.parametrize("chapter,label,code", CASES, ids=[c[1] for c in CASES])
def test_solution_runs_and_prints_from_the_root_and_from_chapters(chapter, label, code):
    check(code, f"{chapter} {label}")


def test_a_broken_solution_fails():
    fake = (
        ":::{solution} ex-fake-code\n:class: dropdown\n\n```python\nfrom widgets.data import load\n"
        'print(load()["no_such_table"])\n```\n\nThe code prints nothing useful.\n:::\n'
    )
    code = solution_code(fake)["ex-fake-code"]
    with pytest.raises(AssertionError, match="no_such_table"):
        check(code, "fake")
    with pytest.raises(AssertionError, match="prints nothing"):
        check("x = 1", "silent")
    with pytest.raises(AssertionError, match=r"cwd chapters\) fails"):
        check("print(open('data/datapackage.json').read(9))", "only from the root")
    with pytest.raises(AssertionError, match=r"cwd chapters\) prints nothing"):
        check("import os\nif os.path.isdir('data'): print('x')", "silent in chapters")
    with pytest.raises(AssertionError, match="no ```python block"):
        check(
            solution_code(":::{solution} ex-empty-code\n:class: dropdown\n\nNo code.\n:::\n")["ex-empty-code"],
            "empty",
        )

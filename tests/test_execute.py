"""The change-aware executor re-runs exactly the notebooks whose code or recorded inputs changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent


def _notebook(path: Path, code: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell(code)]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    nbformat.write(nb, path)


def _reader(name: str) -> str:
    return (
        f"from widgets import _deps\n_deps.record('../data/{name}')\n"
        f"_deps.record('../data/package.json', '{name}')\n"
        f"print(open('../data/{name}').read().strip())"
    )


def _package(a_title: str, b_title: str) -> str:
    return json.dumps({"resources": [{"name": "a.csv", "title": a_title}, {"name": "b.csv", "title": b_title}]})


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A tiny book with the real tools/ and widgets/: chapter a reads a.csv, chapter b reads b.csv."""
    for sub in ("tools", "widgets"):
        shutil.copytree(ROOT / sub, tmp_path / sub, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "requirements.txt", tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x\n1\n")
    (tmp_path / "data" / "b.csv").write_text("y\n2\n")
    (tmp_path / "data" / "package.json").write_text(_package("A", "B"))
    (tmp_path / "chapters").mkdir()
    _notebook(tmp_path / "chapters" / "a.ipynb", _reader("a.csv"))
    _notebook(tmp_path / "chapters" / "b.ipynb", _reader("b.csv"))
    return tmp_path


def run(book: Path, *args: str) -> subprocess.CompletedProcess:
    # The kernel must import the copied widgets package, not the installed one: PYTHONPATH comes first.
    env = {**os.environ, "PYTHONPATH": str(book)}
    return subprocess.run(
        [sys.executable, "-m", "tools.execute", *args], cwd=book, env=env, capture_output=True, text=True, timeout=300
    )


def executed(proc: subprocess.CompletedProcess) -> list[str]:
    return sorted(l.split()[1].rstrip(":") for l in proc.stdout.splitlines() if l.startswith("execute chapters/"))


def test_reexecutes_exactly_what_a_change_touches_and_rerun_is_byte_identical(book: Path):
    first = run(book)
    assert first.returncode == 0, first.stderr
    assert executed(first) == ["chapters/a.ipynb", "chapters/b.ipynb"]
    inputs = nbformat.read(book / "chapters" / "a.ipynb", as_version=4).metadata["ceasefire"]["inputs"]
    assert "data/a.csv" in inputs and "data/b.csv" not in inputs and "widgets/_deps.py" in inputs

    assert executed(run(book)) == [], "nothing changed, nothing should run"

    # a data file: only the chapter that read it
    (book / "data" / "a.csv").write_text("x\n10\n")
    check = run(book, "--check")
    assert check.returncode == 1 and "data/a.csv changed" in check.stdout
    assert executed(run(book)) == ["chapters/a.ipynb"]
    out = nbformat.read(book / "chapters" / "a.ipynb", as_version=4).cells[1].outputs
    assert "10" in out[0]["text"], "the stored output must be the new one"

    # one resource's schema in a shared descriptor: only the chapter that read that resource
    (book / "data" / "package.json").write_text(_package("A", "B, retitled"))
    assert executed(run(book)) == ["chapters/b.ipynb"]

    # re-executing unchanged inputs writes the same bytes
    before = (book / "chapters" / "a.ipynb").read_bytes()
    assert run(book, "--force", "chapters/a.ipynb").returncode == 0
    assert (book / "chapters" / "a.ipynb").read_bytes() == before

    # a widgets module: every chapter that imported it
    with open(book / "widgets" / "_deps.py", "a") as f:
        f.write("\n# a helper change\n")
    assert executed(run(book)) == ["chapters/a.ipynb", "chapters/b.ipynb"]

    # a chapter's own code: that chapter only
    nb = nbformat.read(book / "chapters" / "b.ipynb", as_version=4)
    nb.cells[1].source += "\nprint('more')"
    nbformat.write(nb, book / "chapters" / "b.ipynb")
    assert executed(run(book)) == ["chapters/b.ipynb"]


def test_failing_cell_names_chapter_and_cell_and_writes_nothing(book: Path):
    _notebook(book / "chapters" / "c.ipynb", "x = 1\n1 / 0")
    before = (book / "chapters" / "c.ipynb").read_bytes()
    proc = run(book, "chapters/c.ipynb")
    assert proc.returncode == 1
    assert "chapters/c.ipynb: cell 2 of 2 (id 'cell-1'" in proc.stderr and "ZeroDivisionError" in proc.stderr
    assert (book / "chapters" / "c.ipynb").read_bytes() == before
    assert json.loads(before)["metadata"].get("ceasefire") is None

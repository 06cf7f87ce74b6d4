"""The strict build skips jupyter-book only when no input of the site changed since its last successful build."""

from pathlib import Path

from tools import build_book


def test_inputs_digest_follows_the_book_and_ignores_tests_and_outputs(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(build_book, "ROOT", tmp_path)
    for rel in ("chapters/a.ipynb", "back/glossary.md", "tests/test_x.py", "_build/html/index.html", ".ruff_cache/c"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("v1")
    first = build_book.inputs_digest("html", None, None)
    assert build_book.inputs_digest("html", None, None) == first
    (tmp_path / "tests" / "test_x.py").write_text("v2")
    (tmp_path / "_build" / "html" / "index.html").write_text("v2")
    (tmp_path / ".ruff_cache" / "c").write_text("v2")  # `make lint` writes it just before `make test` builds
    assert build_book.inputs_digest("html", None, None) == first, "tests, outputs and caches are not inputs"
    assert build_book.inputs_digest("singlehtml", None, None) != first, "another builder is another build"
    (tmp_path / "back" / "glossary.md").write_text("v2")
    assert build_book.inputs_digest("html", None, None) != first, "a changed page must rebuild"
    (tmp_path / "back" / "glossary.md").write_text("v1")
    (tmp_path / "chapters" / "b.ipynb").write_text("v1")
    assert build_book.inputs_digest("html", None, None) != first, "a new page must rebuild"


def test_a_failed_build_leaves_no_stamp(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(build_book, "ROOT", tmp_path)
    out = tmp_path / "_build" / "html"
    out.mkdir(parents=True)
    (out / "index.html").write_text("old")
    (out / ".build-inputs").write_text("stale digest")

    class Failed:
        returncode, stdout, stderr = 2, "", "x.md:1: WARNING: broken"

    monkeypatch.setattr(build_book.subprocess, "run", lambda *a, **k: Failed())
    assert build_book.build() == 2
    assert not (out / ".build-inputs").exists(), "a failed build must not leave the site marked current"

"""tools/lite.py without building: the app is rebuilt exactly when what it is made of changes."""

from __future__ import annotations

import pytest

from tools import lite


@pytest.fixture
def book(tmp_path):
    """A tree with what the app's digest reads: tools/lite.py, its lock, and each of lite.CONTENTS."""
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "lite.py").write_text("PRELOAD = []\n")
    (tmp_path / "tools" / "lite-lock.json").write_text("{}\n")
    for rel in lite.CONTENTS:
        if "." in rel:
            (tmp_path / rel).write_text("x\n")
        else:
            (tmp_path / rel / "__pycache__").mkdir(parents=True)
            (tmp_path / rel / "a.txt").write_text("a\n")
            (tmp_path / rel / "__pycache__" / "a.pyc").write_bytes(b"\0")
    return tmp_path


def test_digest_follows_contents_pins_and_lock_but_not_caches(book):
    first = lite.inputs_digest(book)
    assert lite.inputs_digest(book) == first
    (book / "chapters" / "__pycache__" / "a.pyc").write_bytes(b"\1")
    assert lite.inputs_digest(book) == first, "a cache file changed the digest"
    for changed in ("data/a.txt", "tools/lite.py", "tools/lite-lock.json", "references.bib"):
        before = lite.inputs_digest(book)
        (book / changed).write_text((book / changed).read_text() + "more\n")
        assert lite.inputs_digest(book) != before, f"editing {changed} left the digest unchanged"


def test_build_is_skipped_only_for_an_app_made_from_the_same_inputs(tmp_path, monkeypatch):
    out = tmp_path / "lite"
    out.mkdir()
    (out / "jupyter-lite.json").write_text("{}")
    monkeypatch.setattr(lite, "inputs_digest", lambda: "same")

    def fetch(update=False):
        raise RuntimeError("built")

    monkeypatch.setattr(lite, "fetch", fetch)
    (out / lite.STAMP).write_text("same")
    assert lite.build(out) == out  # current: nothing fetched, nothing built
    (out / lite.STAMP).write_text("other")
    with pytest.raises(RuntimeError, match="built"):
        lite.build(out)
    (out / lite.STAMP).write_text("same")
    with pytest.raises(RuntimeError, match="built"):
        lite.build(out, update=True)

"""Records which repository files a chapter read, so the build re-executes exactly the chapters a change touches."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

MARKER = "data/datapackage.json"
_read: set[str] = set()


class BookNotFound(FileNotFoundError):
    """No data package in the working directory or any folder above it."""


def find_root(start: str | Path | None = None) -> Path | None:
    """The book's root: the nearest folder, from `start` (the working directory) up, holding data/datapackage.json.

    The data are found from where the kernel runs (the repository root or its chapters/), never from where the
    `widgets` package happens to be installed."""
    here = Path(start or Path.cwd()).resolve()
    return next((p for p in (here, *here.parents) if (p / MARKER).is_file()), None)


def book_root() -> Path:
    """The root found from the working directory, or one clear error saying what to do."""
    root = find_root()
    if root is None:
        raise BookNotFound(
            f"No {MARKER} in {Path.cwd()} or any folder above it: the chapters read the book's data package. "
            "Start Jupyter inside a copy of the book's repository (its root or chapters/), e.g. with `make lab`; "
            "on Colab, run the chapter's first cell, which fetches the repository."
        )
    return root


# The repository whose files a chapter's reads are recorded against: the book around the working directory, or (in
# a bare folder, e.g. the executor's own tests) the one holding this package.
ROOT = find_root() or Path(__file__).resolve().parent.parent


@functools.cache
def _in_book(path: str) -> str | None:
    """`path` relative to ROOT, or None outside it. Cached: every data access records its file, and resolving a path
    asks the file system about each of its folders, which in the browser (JupyterLite) is one HTTP request each."""
    p = Path(path).resolve()
    return p.relative_to(ROOT).as_posix() if p.is_relative_to(ROOT) else None


def record(path: str | Path, part: str | None = None) -> None:
    """Note that the running notebook read `path` (a file inside the repository), or only `part` of a JSON file:
    the resource of that name in a data package, or else that top-level key (see tools.execute.file_hash)."""
    rel = _in_book(str(path))
    if rel is not None:
        _read.add(rel + (f"#{part}" if part else ""))


def recorded() -> list[str]:
    """The repository files read so far: every recorded data file and every imported module of this repository."""
    files = set(_read)
    for module in list(sys.modules.values()):
        f = getattr(module, "__file__", None)
        if f and Path(f).resolve().is_relative_to(ROOT) and "/.venv/" not in Path(f).resolve().as_posix():
            files.add(Path(f).resolve().relative_to(ROOT).as_posix())
    return sorted(files)

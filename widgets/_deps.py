"""Records which repository files a chapter read, so the build re-executes exactly the chapters a change touches."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_read: set[str] = set()


def record(path: str | Path, part: str | None = None) -> None:
    """Note that the running notebook read `path` (a file inside the repository), or only `part` of a JSON file:
    the resource of that name in a data package, or else that top-level key (see tools.execute.file_hash)."""
    p = Path(path).resolve()
    if p.is_relative_to(ROOT):
        _read.add(p.relative_to(ROOT).as_posix() + (f"#{part}" if part else ""))


def recorded() -> list[str]:
    """The repository files read so far: every recorded data file and every imported module of this repository."""
    files = set(_read)
    for module in list(sys.modules.values()):
        f = getattr(module, "__file__", None)
        if f and Path(f).resolve().is_relative_to(ROOT) and "/.venv/" not in Path(f).resolve().as_posix():
            files.add(Path(f).resolve().relative_to(ROOT).as_posix())
    return sorted(files)

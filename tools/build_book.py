"""Build the site strictly: any Sphinx warning fails the build (`-n -W --keep-going`), naming the file and line.

    python -m tools.build_book [--builder html|singlehtml|dirhtml] [--path-output DIR]
Notebooks are executed beforehand by `tools.execute` (jupyter-book's own execution is off).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WARNING = re.compile(r"^(?P<where>\S.*?): (?:WARNING|ERROR|CRITICAL): (?P<what>.*)$")


SKIP_DIRS = {
    ".git",
    ".venv",
    "_build",
    "_build_instructor",
    "dist",
    "tests",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",  # written by `make lint`, which runs before the build in `make test`
    ".ipynb_checkpoints",
    "node_modules",
}


def files_digest(root: Path, paths, salt: str = "") -> str:
    """sha256 over `salt` and each file's path (relative to `root`) and bytes, in the order given: the stamp of a
    build's inputs (the site's here, the browser app's in tools/lite.py)."""
    digest = hashlib.sha256(salt.encode())
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def inputs_digest(*options: str | None) -> str:
    """sha256 over every file the build could read (all but tests, caches and outputs) and the build options."""

    def files():
        for folder, dirs, names in os.walk(ROOT):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            yield from (Path(folder, name) for name in sorted(names))

    return files_digest(ROOT, files(), repr(options))


def build(builder: str = "html", path_output: str | None = None, config: str | None = None) -> int:
    # jupyter-book needs about 10 s even when nothing changed (imports, bibliography pass); like make, skip it when
    # no input changed since the last successful build.
    out = Path(path_output or ROOT) / "_build" / builder
    # the same folder however it is named (relative, absolute, through a symbolic link) is the same build
    where = str(Path(path_output).resolve()) if path_output else None
    stamp, digest = out / ".build-inputs", inputs_digest(builder, where, config)
    if (out / "index.html").is_file() and stamp.is_file() and stamp.read_text() == digest:
        print(f"site is up to date: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}/index.html")
        return 0
    stamp.unlink(missing_ok=True)
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(ROOT),
        "-n",
        "-W",
        "--keep-going",
        "--builder",
        builder,
    ]
    if path_output:
        cmd += ["--path-output", path_output]
    if config:
        cmd += ["--config", config]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    log = ANSI.sub("", proc.stdout + proc.stderr)
    problems = [m for m in map(WARNING.match, log.splitlines()) if m]
    if proc.returncode != 0 or problems:
        sys.stderr.write(log[-6000:] + "\n")
        for m in problems:
            where = m["where"].replace(str(ROOT) + "/", "")
            print(f"error: {where}: {m['what']}", file=sys.stderr)
        print(
            f"build failed: {len(problems)} warning(s) or error(s); the build is strict (-n -W --keep-going)",
            file=sys.stderr,
        )
        return proc.returncode or 1
    stamp.write_text(digest)
    print(f"built {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}/index.html")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--builder", default="html")
    ap.add_argument("--path-output")
    ap.add_argument("--config")
    args = ap.parse_args(argv)
    return build(args.builder, args.path_output, args.config)


if __name__ == "__main__":
    sys.exit(main())

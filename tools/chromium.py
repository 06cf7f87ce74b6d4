"""Where the repository, the built site and Chromium are: shared by the tests (tests/conftest.py) and the benchmark
(tools/bench.py), so neither imports the other."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BOOK_SITE points the tests at another build (e.g. an isolated --path-output build or an unpacked offline zip).
SITE = Path(os.environ.get("BOOK_SITE") or ROOT / "_build" / "html").resolve()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str:
    """The system Chromium (or $CHROMIUM); raises FileNotFoundError saying how to install it."""
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        shutil.which("chromium"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(
        "no Chromium found for the browser tests: run `bash tools/ensure_chromium.sh` "
        "(installs Debian's chromium) or set CHROMIUM=/path/to/chromium"
    )

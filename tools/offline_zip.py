"""Pack the built site into one zip that works unpacked anywhere and opened from disk, with a SHA-256 manifest.

    python -m tools.offline_zip [--site _build/html] [--out dist/ceasefire-book-offline.zip]
Writes the zip (one top folder `ceasefire-book/`, a `SHA256SUMS` manifest of every file inside it, fixed timestamps so
that the same site gives the same bytes) and `<zip>.sha256` beside it. Fails if the zip exceeds the size budget.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zipfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
TOP = "ceasefire-book"
BUDGET_BYTES = 10 * 10**6  # the light edition: under 10 MB (issue 13); it is about 2 MB
FIXED_TIME = (2020, 11, 10, 0, 0, 0)  # the ceasefire; any fixed date makes the zip reproducible
# Not needed to read the book from disk: source maps (for debugging the theme), Sphinx's build stamp, sphinx-thebe's
# assets (removed from every page by tools/sphinx_site.py) and the theme's template leftovers.
DROP_SUFFIXES = (".map",)
DROP_NAMES = {
    ".buildinfo",
    ".build-inputs",
    ".lite-inputs",
    "sphinx-thebe.js",
    "sphinx-thebe.css",
    "webpack-macros.html",
    "sbt-webpack-macros.html",
}
README = """Will the Ceasefire Hold? - offline edition

Open index.html in this folder with any web browser. Nothing is downloaded: maps, scenario explorers, search and
mathematics all work from disk. The chapters' notebooks (.ipynb) are under _sources/chapters/.
SHA256SUMS lists a checksum for every file (check with: sha256sum -c SHA256SUMS).
"""


LIVE_README = """
This edition also carries lite/: the chapters live in the browser (JupyterLite with Pyodide). Browsers refuse to
start it from disk (file://): serve this folder with a one-line local server, then open the address it prints:

    python3 -m http.server --bind 127.0.0.1 --directory .      # then http://127.0.0.1:8000/lite/lab/index.html
"""
LIVE_BUDGET_BYTES = 64 * 2**20


def files_to_pack(site: Path, live: bool = False) -> list[Path]:
    """The site's files that the offline edition keeps, sorted; the browser app (lite/) only in the live edition."""
    return sorted(
        p
        for p in site.rglob("*")
        if p.is_file()
        and p.name not in DROP_NAMES
        and not p.name.endswith(DROP_SUFFIXES)
        and ".doctrees" not in p.parts
        and (live or p.relative_to(site).parts[0] != "lite")
    )


def write_zip(site: Path, out: Path, budget: int = BUDGET_BYTES, live: bool = False) -> tuple[int, str]:
    """Write the offline zip and its .sha256 file; return (size in bytes, SHA-256 of the zip)."""
    if not (site / "index.html").is_file():
        raise SystemExit(f"error: no built site at {site}/index.html: run `make book` first")
    out.parent.mkdir(parents=True, exist_ok=True)
    manifest = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(str(PurePosixPath(TOP) / name), date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=9)
            manifest.append(f"{hashlib.sha256(data).hexdigest()}  {name}")

        if live and not (site / "lite" / "jupyter-lite.json").is_file():
            raise SystemExit(f"error: no browser app at {site}/lite: run `python -m tools.lite` first")
        for path in files_to_pack(site, live):
            add(path.relative_to(site).as_posix(), path.read_bytes())
        if not live:  # the chapters' "Run in the browser" button then leads to a page saying where the app is
            from tools.sphinx_site import lite_missing_page

            add("lite/lab/index.html", lite_missing_page().encode())
        add("README.txt", (README + (LIVE_README if live else "")).encode())
        add("SHA256SUMS", ("\n".join(manifest) + "\n").encode())
    size = out.stat().st_size
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    out.with_name(out.name + ".sha256").write_text(f"{digest}  {out.name}\n", encoding="utf-8")
    if size > budget:
        raise SystemExit(
            f"error: {out} is {size:,} bytes, over the {budget:,}-byte budget "
            f"for the offline edition: find the heavy files with `du -a {site} | sort -n | tail`"
        )
    return size, digest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--out", type=Path, default=ROOT / "dist" / "ceasefire-book-offline.zip")
    ap.add_argument("--live", action="store_true", help="also pack the browser app (lite/) into a second zip")
    args = ap.parse_args(argv)
    if args.live and args.out == ROOT / "dist" / "ceasefire-book-offline.zip":
        args.out = ROOT / "dist" / "ceasefire-book-offline-live.zip"
    budget = LIVE_BUDGET_BYTES if args.live else BUDGET_BYTES
    size, digest = write_zip(args.site, args.out, budget, live=args.live)
    shown = args.out.relative_to(ROOT) if args.out.resolve().is_relative_to(ROOT) else args.out
    print(f"wrote {shown} ({size / 2**20:.2f} MiB, sha256 {digest[:16]}...); unpack it and open {TOP}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())

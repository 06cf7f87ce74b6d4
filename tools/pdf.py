"""Print the book to one PDF: build the single-page HTML, then print it with the system Chromium (maps included).

    python -m tools.pdf [--out _build/pdf/book.pdf] [--path-output DIR]
The single-page build goes under _build/print/ (its own Sphinx environment, so it can build and print while the site
builds: `make test` runs both side by side); like the site's build, it is skipped when no input changed, and so is the
printing when the PDF was printed from that same build by the same Chromium (a stamp beside the PDF records both).
The page is opened from file:// with every other request refused; printing waits until every map is drawn and any
mathematics is typeset. (`jupyter-book build --builder pdfhtml` would download its own browser; this does not.)
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

from tools.build_book import build
from tools.chromium import CHROMIUM_ARGS, chromium_executable

ROOT = Path(__file__).resolve().parent.parent
PRINT_BUILD = ROOT / "_build" / "print"
# Every Leaflet container of every frame (folium maps sit in srcdoc iframes), with its number of drawn layers.
DRAWN_MAPS_JS = """() => Array.from(document.querySelectorAll('.leaflet-container'))
  .filter(c => c.querySelector('.leaflet-overlay-pane path, .leaflet-marker-pane > *')).length"""


FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def chromium() -> str:
    """The system Chromium (or $CHROMIUM), with one clear error when there is none."""
    try:
        return chromium_executable()
    except FileNotFoundError as exc:
        raise SystemExit(f"error: no Chromium to print the PDF with: {exc}") from None


# The drawn shapes of every map of a frame, as the total length of their SVG paths: unchanged between two looks once
# Leaflet has finished drawing.
SHAPES_JS = """() => Array.from(document.querySelectorAll('.leaflet-overlay-pane path'))
  .reduce((n, p) => n + (p.getAttribute('d') || '').length, 0)"""
SETTLE_MS = 300


def wait_for_settled_maps(page, expected: int, timeout_ms: int, html: Path) -> None:
    """Until `expected` maps are drawn and their shapes stayed the same for SETTLE_MS; one error naming the page if
    that takes over `timeout_ms`."""
    waited, before = 0, None
    while True:
        drawn = sum(f.evaluate(DRAWN_MAPS_JS) for f in page.frames)
        shapes = [f.evaluate(SHAPES_JS) for f in page.frames]
        if drawn >= expected and shapes == before:
            return
        if waited >= timeout_ms:
            raise SystemExit(
                f"error: {html}: {drawn} of {expected} maps drawn, still changing after {timeout_ms} ms; "
                "not printing a PDF without them"
            )
        before = shapes
        page.wait_for_timeout(SETTLE_MS)
        waited += SETTLE_MS


def map_count(html: Path) -> int:
    """The Leaflet maps an HTML file creates (inline, or inside folium's srcdoc frames)."""
    return len(re.findall(r"\bL\.map\(", html.read_text(encoding="utf-8")))


def print_pdf(html: Path, out: Path, timeout_ms: int = 30000) -> int:
    """Print one HTML file to `out` with Chromium, offline, once its maps are drawn; return the number of maps."""
    from playwright.sync_api import sync_playwright

    expected = map_count(html)
    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(color_scheme="light")
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("file:", "data:", "about:", "blob:"))
                    else route.abort()
                ),
            )
            page = context.new_page()
            page.goto(html.resolve().as_uri(), wait_until="load")
            # Lay the page out for paper first: the map frames take their printed size and Leaflet redraws each map
            # (after a frame), so printing a screen layout would capture maps mid-redraw, blank (seen under load).
            page.emulate_media(media="print")
            wait_for_settled_maps(page, expected, timeout_ms, html)
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            page.evaluate("() => document.fonts.ready.then(() => true)")
            # Page numbers in the footer; a tagged PDF with an outline (bookmarks) built from the headings.
            page.pdf(
                path=str(out),
                format="A4",
                print_background=True,
                tagged=True,
                outline=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                margin={"top": "12mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
            )
        finally:
            browser.close()
    return expected


def build_single_page(path_output: str | Path = PRINT_BUILD) -> Path:
    """The single-page HTML under `path_output`/_build/singlehtml, built unless current; its index.html."""
    if build("singlehtml", str(path_output)) != 0:
        raise SystemExit("error: the single-page build failed (see above); no PDF written")
    return Path(path_output) / "_build" / "singlehtml" / "index.html"


def whole_book(index: Path) -> Path:
    """The page of a single-page build that holds the whole book: jupyter-book writes index.html as a redirect to the
    root page."""
    redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', index.read_text(encoding="utf-8"))
    return index.parent / redirect[1] if redirect else index


def print_inputs(html: Path) -> str:
    """What a printed PDF depends on: the single-page build (its inputs stamp, written by tools.build_book after a
    successful build, covers every file of the repository, this one included), the page printed, and the Chromium
    printing it (its path, size and modification time)."""
    build_stamp = html.parent / ".build-inputs"
    if not build_stamp.is_file():
        return ""  # a build without a stamp is never current
    browser = Path(chromium())
    info = browser.stat()
    seen = f"{build_stamp.read_text()}\n{html.name}\n{browser.resolve()} {info.st_size} {info.st_mtime_ns}"
    return hashlib.sha256(seen.encode()).hexdigest()


def stamp_of(out: Path) -> Path:
    return out.with_name(f".{out.name}.inputs")


def make_pdf(out: Path, path_output: str | Path = PRINT_BUILD) -> tuple[Path, int, bool]:
    """Build the single-page HTML (under `path_output`) unless current, and print it unless `out` was printed from
    that build by the same Chromium; (pdf, maps, printed now)."""
    html = whole_book(build_single_page(path_output))
    stamp, inputs = stamp_of(out), print_inputs(html)
    if inputs and out.is_file() and stamp.is_file() and stamp.read_text() == inputs:
        return out, map_count(html), False
    stamp.unlink(missing_ok=True)
    maps = print_pdf(html, out)
    if inputs:
        stamp.write_text(inputs)
    return out, maps, True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "book.pdf")
    ap.add_argument("--path-output", default=PRINT_BUILD, help="build the single-page HTML under DIR/_build/singlehtml")
    args = ap.parse_args(argv)
    out, maps, printed = make_pdf(args.out, args.path_output)
    shown = out.relative_to(ROOT) if out.resolve().is_relative_to(ROOT) else out
    state = "wrote" if printed else "up to date:"
    print(f"{state} {shown} ({out.stat().st_size / 2**20:.2f} MiB, {maps} map(s) drawn before printing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

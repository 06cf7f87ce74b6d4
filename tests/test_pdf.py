"""`make pdf`: the single-page build printed by the system Chromium, with every map drawn into the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tools.chromium import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every Leaflet map prints its attribution control: the prefix "Leaflet", a separator, then the data sources. On a map
# drawn at the printed width the control may wrap, and pdftotext may set a town label between the two.
ATTRIBUTION = re.compile(r"Leaflet[^|]{0,60}?\| ")


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.fail(
            f"{tool} (poppler-utils) is needed to check the PDF: `apt-get install poppler-utils` "
            "(or `make browser`, which installs it)"
        )
    return path


def page_texts(pdf) -> list[str]:
    """The text of every page, in one pdftotext run (it ends each page with a form feed)."""
    text = subprocess.run([poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def long_vector_paths(pdf, number: int) -> int:
    """Vector paths of more than 40 segments on one page (coastlines, borders, polygons of a drawn map; text and
    boxes have none), counted in the page converted to SVG (glyph definitions left out)."""
    svg = subprocess.run(
        [poppler("pdftocairo"), "-svg", "-f", str(number), "-l", str(number), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    body = re.sub(r"<defs>.*?</defs>", "", svg, flags=re.S)
    return sum(1 for d in re.findall(r'<path[^>]*\sd="([^"]+)"', body) if len(re.findall(r"[MLCQZ]", d)) > 40)


@pytest.fixture(scope="module")
def printed():
    """The PDF `make pdf` makes, _build/pdf/book.pdf: `make test` printed it beside the site's build; `python -m
    tools.pdf` (in its own process: the tests' browser already runs Playwright here) prints it again here only if
    the single-page build or the Chromium changed since. (pdf, maps drawn before printing)."""
    import sys

    proc = subprocess.run([sys.executable, "-m", "tools.pdf"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, f"python -m tools.pdf failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    maps = re.search(r"(\d+) map\(s\) drawn before printing", proc.stdout)
    assert maps, f"unexpected output from tools.pdf: {proc.stdout[-500:]}"
    return ROOT / "_build" / "pdf" / "book.pdf", int(maps[1])


def test_pdf_has_every_map_drawn(printed):
    pdf, maps = printed
    info = subprocess.run([poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert pages > 1, f"the PDF has {pages} page(s)"
    assert maps, "the single-page build has no map: nothing to check in the PDF"
    texts = page_texts(pdf)
    assert len(texts) == pages, f"pdftotext gave {len(texts)} pages of text, pdfinfo counts {pages}"
    with_maps = {n: len(ATTRIBUTION.findall(text)) for n, text in enumerate(texts, start=1)}
    with_maps = {n: c for n, c in with_maps.items() if c}
    assert sum(with_maps.values()) >= maps, (
        f"{maps} map(s) in the HTML but {sum(with_maps.values())} map attribution(s) printed "
        f"(pages {sorted(with_maps)})"
    )
    # A map split by a page break ends (with its attribution) on the next page: either page may carry the shapes.
    drawn = {n: max(long_vector_paths(pdf, m) for m in (n - 1, n) if m >= 1) for n in with_maps}
    blank = {n: count for n, count in drawn.items() if count < 1}  # a text page has none (test below)
    assert not blank, f"pages with a map attribution but no map shapes (page: long paths): {blank}"


def test_shape_count_tells_a_text_page_from_a_map_page(printed):
    """The measure itself: the title page (text only) has no long vector path."""
    pdf, _ = printed
    assert long_vector_paths(pdf, 1) == 0


def test_pdf_is_made_for_print(printed):
    """Tagged, with an outline from the headings and page numbers; no code toggles, buttons or navigation printed."""
    pdf, _ = printed
    info = subprocess.run([poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Tagged:\s+yes", info), "the PDF is not tagged"
    raw = pdf.read_bytes()
    assert b"/Outlines" in raw, "the PDF has no outline (bookmarks)"
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    texts = page_texts(pdf)
    for unwanted in ("Show code cell source", "Toggle primary sidebar", "Skip to main content", "Back to top"):
        assert not any(unwanted in text for text in texts), f"the PDF prints {unwanted!r}"
    assert f"2 / {pages}" in texts[1], "no page number in the footer of page 2"


def test_pdf_is_printed_again_when_its_build_or_browser_changes(tmp_path):
    """The stamp beside the PDF (tools.pdf.print_inputs) changes with the single-page build's inputs stamp, and a
    build without a stamp (failed, or from before stamps) is never taken as printed."""
    from tools.pdf import print_inputs

    html = tmp_path / "index.html"
    html.write_text("<html></html>", encoding="utf-8")
    assert print_inputs(html) == "", "a build without an inputs stamp counted as current"
    (tmp_path / ".build-inputs").write_text("digest-1")
    first = print_inputs(html)
    (tmp_path / ".build-inputs").write_text("digest-2")
    assert first and print_inputs(html) not in ("", first)

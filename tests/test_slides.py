"""Slide decks (tools/slides.py): one per chapter, chosen by the chapter's "slides" metadata, built from stored
outputs, opening from disk with no request leaving the machine; keyboard navigation and maps work."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools import slides

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("0[1-8]_*.ipynb"))
DRAWN_MAP_JS = """() => Array.from(document.querySelectorAll('.leaflet-container'))
  .filter(c => c.querySelector('.leaflet-overlay-pane path, .leaflet-marker-pane > *')).length"""


def spec(path: Path) -> list:
    return json.loads(path.read_text(encoding="utf-8"))["metadata"].get("slides", [])


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("slides")
    assert slides.main(["--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_lists_its_slides_by_cell_ids_it_has(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    ids = {c.get("id") for c in nb["cells"]}
    entries = spec(path)
    assert entries, f'{path.name}: no "slides" list in the notebook metadata'
    named = [i for e in entries for i in ([e] if isinstance(e, str) else e)]
    assert set(named) <= ids, f"{path.name}: slides name cells it does not have: {sorted(set(named) - ids)}"
    assert "discussion" in named, f"{path.name}: the deck has no discussion slide"


def test_decks_are_self_contained_and_indexed(decks):
    written = sorted(p.name for p in decks.glob("*.html"))
    assert written == sorted([p.stem + ".html" for p in CHAPTERS] + ["index.html"])
    index = (decks / "index.html").read_text(encoding="utf-8")
    for p in CHAPTERS:
        text = (decks / f"{p.stem}.html").read_text(encoding="utf-8")
        assert f'href="{p.stem}.html"' in index
        assert "Content-Security-Policy" in text
        # Nothing loaded from elsewhere: no external script, stylesheet, image or frame source.
        assert not re.search(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']?(?:https?:)?//""", text), p.name
        assert "{glue" not in text and "{cite" not in text, f"{p.name}: a MyST role was not resolved"
        assert ":::{solution}" not in text


def test_a_missing_cell_is_named(tmp_path):
    nb = json.loads(CHAPTERS[1].read_text(encoding="utf-8"))
    nb["metadata"]["slides"] = ["title", "no-such-cell"]
    bad = tmp_path / CHAPTERS[1].name
    bad.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(SystemExit, match="no-such-cell"):
        slides.deck(bad)


@pytest.mark.browser
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_deck_opens_offline_and_navigates(decks, offline_page, path):
    n = len(spec(path))
    page = offline_page.open(decks / f"{path.stem}.html")
    counter = page.locator(".counter")
    assert page.locator(".slide").count() == n
    assert counter.inner_text() == f"1 / {n}"
    assert page.locator(".slide.current").get_attribute("id") == "slide-1"
    page.keyboard.press("ArrowRight")
    assert counter.inner_text() == f"2 / {n}"
    assert page.locator(".slide.current").get_attribute("id") == "slide-2"
    page.keyboard.press("End")
    assert counter.inner_text() == f"{n} / {n}"
    page.keyboard.press("PageUp")
    assert counter.inner_text() == f"{n - 1} / {n}"
    page.keyboard.press("Home")
    assert counter.inner_text() == f"1 / {n}"
    page.keyboard.press("Space")
    assert counter.inner_text() == f"2 / {n}"
    page.locator("button.prev").click()
    assert counter.inner_text() == f"1 / {n}"
    assert page.locator(".slide:visible").count() == 1, "more than one slide on screen"
    assert not offline_page.external_requests, f"requests left the machine: {offline_page.external_requests}"
    assert not offline_page.js_errors, f"JavaScript errors: {offline_page.js_errors}"


@pytest.mark.browser
@pytest.mark.parametrize("stem", ["01_war_and_ceasefire", "02_russia_peacekeeping", "07_what_happened_next"])
def test_map_deck_draws_its_map_with_alt_text(decks, offline_page, stem):
    path = ROOT / "chapters" / f"{stem}.ipynb"
    n = next(
        i for i, e in enumerate(spec(path), 1) if any(c.endswith("map") for c in ([e] if isinstance(e, str) else e))
    )
    page = offline_page.open(decks / f"{stem}.html")
    page.goto(page.url.split("#")[0] + f"#{n}")
    slide = page.locator(f"#slide-{n}")
    assert "current" in slide.get_attribute("class")
    frame = slide.locator("iframe").first
    assert frame.get_attribute("title"), "the map's frame has no title"
    assert slide.locator("figcaption").count() >= 1, "the map lost its caption"
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.slide.current iframe'))
        .some(f => f.contentDocument && f.contentDocument.querySelector('.leaflet-overlay-pane path'))""",
        timeout=15000,
    )
    height = frame.evaluate("f => f.getBoundingClientRect().height")
    assert height >= 250, f"the map is only {height}px high"
    assert not offline_page.external_requests, f"requests left the machine: {offline_page.external_requests}"
    assert not offline_page.js_errors, f"JavaScript errors: {offline_page.js_errors}"


def _luminance(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.browser
def test_deck_follows_dark_mode_and_prints_one_slide_per_page(decks, browser):
    """Dark colours when the reader prefers them; in print every slide shows, each starting a page, no controls."""
    path = CHAPTERS[1]
    context = browser.new_context(color_scheme="dark", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto((decks / f"{path.stem}.html").as_uri())
        bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        fg = page.evaluate("() => getComputedStyle(document.body).color")
        assert _luminance(bg) < 0.2 < 0.7 < _luminance(fg), f"dark mode: background {bg}, text {fg}"
        page.emulate_media(media="print")
        n = len(spec(path))
        assert page.locator(".slide:visible").count() == n, "not every slide is printed"
        assert page.locator(".bar").is_hidden(), "the navigation bar is printed"
        breaks = page.evaluate(
            "() => Array.from(document.querySelectorAll('.slide')).map(s => getComputedStyle(s).breakAfter)"
        )
        assert breaks[:-1] == ["page"] * (n - 1), breaks
    finally:
        context.close()


@pytest.mark.browser
def test_swipe_moves_the_slide_on_a_phone(decks, browser):
    path = CHAPTERS[0]
    context = browser.new_context(has_touch=True, is_mobile=True, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto((decks / f"{path.stem}.html").as_uri())
        swipe = """([x0, x1]) => {
          const el = document.querySelector('.slide.current .inner');
          const t = (x) => new Touch({identifier: 1, target: el, clientX: x, clientY: 400});
          el.dispatchEvent(new TouchEvent('touchstart', {touches: [t(x0)], changedTouches: [t(x0)], bubbles: true}));
          el.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [t(x1)], bubbles: true}));
        }"""
        n = len(spec(path))
        page.evaluate(swipe, [300, 80])
        assert page.locator(".counter").inner_text() == f"2 / {n}", "a left swipe did not move forward"
        page.evaluate(swipe, [80, 300])
        assert page.locator(".counter").inner_text() == f"1 / {n}", "a right swipe did not move back"
    finally:
        context.close()

"""The book's maps: their HTML (deterministic, loads nothing) and every built page that shows one, in Chromium from
file:// with the network cut off (no request, no JS error, layers drawn, a popup opens).
Page weight and draw time are figures of `make bench`, not test assertions."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from sitecheck import site_pages

from tools.chromium import SITE
from widgets import maps

pytestmark = pytest.mark.browser

MAP_FUNCTIONS = [maps.overview_map, maps.shusha_map, maps.lachin_corridor_map, maps.control_2023_map]
MAP_MARK = 'class="cf-map"'
# A resource load: a src/href attribute of script, link, img, iframe or source, a CSS url() or @import.
RESOURCE = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*https?://"
    r"|url\(\s*[\"']?\s*https?://|@import\s+[\"']?https?://",
    re.I,
)


# ---------------------------------------------------------------- the map HTML itself (no browser)


@pytest.mark.parametrize("make", MAP_FUNCTIONS, ids=lambda f: f.__name__)
def test_map_html_is_deterministic_and_loads_nothing(make):
    first, second = make(), make()
    assert first.html == second.html, f"{make.__name__}: two renderings differ"
    assert not RESOURCE.findall(first.document), f"{make.__name__}: loads {RESOURCE.findall(first.document)[:3]}"
    assert "tile.openstreetmap.org" not in first.document, "tiles must be opt-in"
    assert not re.search(r"[0-9a-f]{32}", first.document), "a random (hex) element id is left in the map"
    assert " at 0x" not in repr(first) and first.title in repr(first)
    for needed in ("L.map(", "L.control.scale", "Natural Earth (public domain); GeoNames (CC BY 4.0)", "keyboard"):
        assert needed in first.document, f"{make.__name__}: {needed!r} missing from the map page"
    assert "<table" in first.html and "<figcaption" in first.html, "a map is followed by its caption and table"
    assert '<html lang="en">' in first.document and f"<title>{first.title}</title>" in first.document, (
        "the framed map document needs a language and a title (axe: html-has-lang, document-title)"
    )


def test_online_tiles_appear_only_when_asked_for():
    offline, online = maps.shusha_map(), maps.shusha_map(online_tiles=True)
    assert "tile.openstreetmap.org" in online.document and "tile.openstreetmap.org" not in offline.document
    assert not re.search(r"tile_layer_\d+\s*\.addTo\(", online.document), "the tile layer must start switched off"
    assert "L.control.layers" in online.document, "the reader needs a layer control to switch the tiles on"


def test_map_html_check_catches_a_cdn_link():
    """The resource check above can fail: a stock folium map loads Leaflet and friends from CDNs."""
    import folium

    stock = folium.Map(location=[39.8, 46.7]).get_root().render()
    assert RESOURCE.findall(stock)


# ---------------------------------------------------------------- built pages with a map


def map_pages(site: Path = SITE) -> list[Path]:
    """Built pages that show at least one of the book's maps."""
    return [p for p in site_pages(site) if MAP_MARK in p.read_text(encoding="utf-8")] if site.is_dir() else []


def map_page_ids() -> list[str]:
    # One failing id when no page shows a map: the maps must be in the book, not only in widgets/.
    return [p.relative_to(SITE).as_posix() for p in map_pages()] or ["<no page with a map>"]


def map_frames(page) -> list:
    return [
        f for f in page.frames if f != page.main_frame and f.evaluate("!!document.querySelector('.leaflet-container')")
    ]


def wait_for_drawn_maps(page, expected: int, timeout_s: float = 10) -> list:
    """The map frames once `expected` of them have drawn layers (or time is up)."""
    end = time.monotonic() + timeout_s
    while True:
        frames = [
            f
            for f in map_frames(page)
            if f.evaluate("document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length")
        ]
        if len(frames) >= expected or time.monotonic() > end:
            return frames
        page.wait_for_timeout(50)


@pytest.mark.parametrize("page_id", map_page_ids())
def test_map_page_works_offline(site, offline_page, page_id):
    path = site / page_id
    assert path.is_file(), (
        f"no built page shows a map from widgets.maps in {site}: the chapters must call "
        "shusha_map() / lachin_corridor_map() / overview_map() / control_2023_map()"
    )
    expected = path.read_text(encoding="utf-8").count(MAP_MARK)
    page = offline_page.open(path)
    frames = wait_for_drawn_maps(page, expected)
    assert len(frames) == expected, f"{page_id}: {expected} map(s) in the HTML, {len(frames)} drawn"
    for frame in frames:
        counts = frame.evaluate("""() => ({
            paths: document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length,
            labels: document.querySelectorAll('.leaflet-marker-pane > *, .leaflet-tooltip-pane > *').length,
            legend: !!document.querySelector('.cf-legend'), scale: !!document.querySelector('.leaflet-control-scale'),
            attribution: (document.querySelector('.leaflet-control-attribution') || {}).textContent || '',
            tabindex: document.querySelector('.leaflet-container').tabIndex,
            label: document.querySelector('.leaflet-container').getAttribute('aria-label')})""")
        assert counts["paths"] >= 5 and counts["labels"] >= 3, f"{page_id}: too few layers drawn: {counts}"
        assert counts["legend"] and counts["scale"] and "GeoNames (CC BY 4.0)" in counts["attribution"], counts
        assert counts["tabindex"] == 0 and counts["label"], f"{page_id}: map not keyboard-focusable/named: {counts}"
        marker = frame.locator("path.leaflet-interactive").last
        marker.dispatch_event("click")
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for(state="visible", timeout=3000)
        assert "Source" in popup.inner_text(), f"{page_id}: the popup shows no source"
    assert offline_page.external_requests == [], f"{page_id}: requests left the machine"
    assert offline_page.js_errors == [], f"{page_id}: JS errors {offline_page.js_errors}"

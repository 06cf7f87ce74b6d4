"""The book on a phone (390 x 844, touch) and on a desktop: the navigation opens and closes by tap and keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
CHAPTER = "chapters/02_russia_peacekeeping.html"


@pytest.fixture
def open_page(offline_tabs, site):
    """Opens a page in the test process's tab for that device (conftest.OfflineTabs); returns it and its JS errors."""

    def opener(device: dict, page_id: str = CHAPTER):
        probe = offline_tabs.lend(device)
        probe.open(site / page_id)
        return probe.page, probe.js_errors

    yield opener
    offline_tabs.take_back()


def visible(page, selector: str):
    shown = [el for el in page.query_selector_all(selector) if el.is_visible()]
    assert shown, f"no visible {selector} on the page"
    return shown[0]


def dialog_open(page, dialog_id: str) -> bool:
    return page.evaluate(f"document.getElementById('{dialog_id}').open")


@pytest.mark.browser
@pytest.mark.parametrize(
    "toggle, dialog",
    [(".primary-toggle", "pst-primary-sidebar-modal"), (".secondary-toggle", "pst-secondary-sidebar-modal")],
)
def test_phone_menus_open_by_tap_and_close_by_escape(open_page, toggle, dialog):
    page, errors = open_page(PHONE)
    visible(page, toggle).tap()
    page.wait_for_function(f"document.getElementById('{dialog}').open")
    links = page.locator(f"#{dialog} a")
    assert links.count() > 3, f"the {dialog} opened empty"
    assert links.first.is_visible()
    page.keyboard.press("Escape")
    page.wait_for_function(f"!document.getElementById('{dialog}').open")
    assert not errors


@pytest.mark.browser
def test_phone_reaches_another_chapter_in_two_taps(open_page):
    page, errors = open_page(PHONE)
    visible(page, ".primary-toggle").tap()
    page.wait_for_function("document.getElementById('pst-primary-sidebar-modal').open")
    page.locator("#pst-primary-sidebar-modal a", has_text="What happened next").first.tap()
    page.wait_for_url("**/07_what_happened_next.html", timeout=5000)
    assert not errors


@pytest.mark.browser
def test_phone_menu_opens_from_the_keyboard(open_page):
    page, _ = open_page(PHONE)
    visible(page, ".primary-toggle").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('pst-primary-sidebar-modal').open")


@pytest.mark.browser
def test_desktop_toggle_collapses_and_restores_the_sidebar(open_page):
    page, errors = open_page(DESKTOP)
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    visible(page, ".primary-toggle").click()
    page.wait_for_timeout(300)
    assert "pst-sidebar-hidden" in sidebar.get_attribute("class")
    assert not dialog_open(page, "pst-primary-sidebar-modal")
    visible(page, ".primary-toggle").click()
    page.wait_for_timeout(300)
    assert "pst-sidebar-hidden" not in sidebar.get_attribute("class")
    assert not errors


# ---------------------------------------------------------------- reading on a phone (issue 16 items 2-6)

CHAPTERS = [
    "chapters/00_background.html",
    "chapters/01_war_and_ceasefire.html",
    "chapters/02_russia_peacekeeping.html",
    "chapters/03_aliyev_resolve.html",
    "chapters/04_armenia_unrest.html",
    "chapters/05_scenarios.html",
    "chapters/06_what_keeps_a_ceasefire.html",
    "chapters/07_what_happened_next.html",
    "chapters/08_conclusion.html",
    "chapters/09_data_sources.html",
]
MAP_CHAPTERS = ["chapters/01_war_and_ceasefire.html", "chapters/02_russia_peacekeeping.html"]

# Every book table (.cf-table) whose columns do not all fit: either its rows are cards (a cell shows as a block with
# its column's label) or its wrapper scrolls with a visible cue; returns the captions of those out of reach.
TABLES_OUT_OF_REACH = """() => [...document.querySelectorAll('.cf-table-wrap')].filter(w => {
  const details = w.closest('details');
  if (details && !details.open) details.open = true;
  const table = w.querySelector('table');
  const fits = table.getBoundingClientRect().right <= document.documentElement.clientWidth + 1 &&
    w.scrollWidth <= w.clientWidth + 1;
  const td = w.querySelector('td[data-label]');
  const cards = td && getComputedStyle(td).display === 'block' &&
    getComputedStyle(td, '::before').content.includes(td.dataset.label);
  return !(fits && (cards || !td));
}).map(w => (w.querySelector('caption') || {}).textContent)"""


@pytest.mark.browser
@pytest.mark.parametrize("page_id", CHAPTERS)
def test_phone_tables_keep_every_column_in_reach(open_page, page_id):
    page, errors = open_page(PHONE, page_id)
    assert page.evaluate("document.documentElement.scrollWidth") <= 391, "the page scrolls sideways on a phone"
    out = page.evaluate(TABLES_OUT_OF_REACH)
    assert out == [], f"{page_id}: tables with columns out of reach at 390 px (re-execute the chapter?): {out}"
    assert not errors


@pytest.mark.browser
def test_phone_long_tables_fold_and_open_for_desktop_and_print(open_page):
    page, _ = open_page(PHONE, "chapters/01_war_and_ceasefire.html")
    folded = page.locator("details.cf-long")
    assert folded.count() >= 1
    assert page.evaluate("[...document.querySelectorAll('details.cf-long')].every(d => !d.open)")
    summary = folded.first.locator("summary")
    summary.tap()
    assert folded.first.evaluate("d => d.open") and folded.first.locator("table").is_visible()
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("[...document.querySelectorAll('details.cf-long')].every(d => d.open)")
    desk, _ = open_page(DESKTOP, "chapters/01_war_and_ceasefire.html")
    assert desk.evaluate("[...document.querySelectorAll('details.cf-long')].every(d => d.open)")
    # Desktop: the table is a table again (no cards).
    assert desk.evaluate("getComputedStyle(document.querySelector('.cf-table td')).display") == "table-cell"


@pytest.mark.browser
def test_phone_explorer_result_is_on_screen_after_a_change(open_page):
    page, errors = open_page(PHONE, CHAPTER)
    root = page.locator("section.xp").first
    boxes = root.locator("input[type=number] >> visible=true")
    box = boxes.last  # the last number a reader sees before the result
    box.scroll_into_view_if_needed()
    box.fill("0.9")
    page.wait_for_timeout(100)
    line = root.locator(".xp-now")
    rect = line.bounding_box()
    header = page.locator(".bd-header-article").bounding_box()
    assert rect and 0 <= rect["y"] and rect["y"] + rect["height"] <= 844, f"result line off screen: {rect}"
    assert header is None or rect["y"] >= header["y"] + header["height"] - 1, "result line under the header"
    assert "Probability of renewed war" in line.inner_text()
    assert not errors


@pytest.mark.browser
def test_phone_scorer_totals_are_visible(open_page):
    page, errors = open_page(PHONE, "chapters/07_what_happened_next.html")
    button = page.get_by_role("button", name="Score my forecasts").first
    button.scroll_into_view_if_needed()
    button.tap()
    total = page.locator(".xp-scorer .cf-fs-brier").first
    total.scroll_into_view_if_needed()
    assert total.is_visible()
    rect = total.bounding_box()
    assert rect["x"] >= 0 and rect["x"] + rect["width"] <= 391, f"the scorer's total is cut off: {rect}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    assert not errors


def _map_frame(page):
    page.wait_for_timeout(600)
    for frame in page.frames:
        if frame != page.main_frame and frame.evaluate("!!document.querySelector('.leaflet-container')"):
            return frame
    raise AssertionError("no map frame on the page")


@pytest.mark.browser
@pytest.mark.parametrize("page_id", MAP_CHAPTERS)
def test_phone_map_lets_a_vertical_swipe_scroll_the_page(open_page, page_id):
    page, errors = open_page(PHONE, page_id)
    iframe = page.locator("figure.cf-map iframe").first
    iframe.scroll_into_view_if_needed()
    _map_frame(page)
    box = iframe.bounding_box()
    cdp = page.context.new_cdp_session(page)

    def swipe() -> float:
        """A one-finger swipe up over the map (touch events through the browser's input pipeline); the page's scroll."""
        x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"], 400) * 0.7
        before = page.evaluate("window.scrollY")
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for i in range(1, 11):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 25 * i}]})
            page.wait_for_timeout(16)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        page.wait_for_timeout(300)
        return page.evaluate("window.scrollY") - before

    assert swipe() > 100, "a one-finger swipe over the map did not scroll the page"
    # Control: a map that takes one finger (Leaflet's default) swallows the same swipe, so the check can fail.
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    _map_frame(page).evaluate("window[Object.keys(window).find(k => /^map_/.test(k))].dragging.enable()")
    assert swipe() < 20, "the swipe check does not tell a map that captures one finger from one that does not"
    assert not errors


@pytest.mark.browser
def test_desktop_wheel_over_a_map_scrolls_the_page_until_the_map_has_focus(open_page):
    page, errors = open_page(DESKTOP, "chapters/02_russia_peacekeeping.html")
    iframe = page.locator("figure.cf-map iframe").first
    iframe.scroll_into_view_if_needed()
    frame = _map_frame(page)
    box = iframe.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = page.evaluate("window.scrollY")
    scale = "window[Object.keys(window).find(k => /^map_/.test(k))].getZoom()"
    first = frame.evaluate(scale)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(500)
    assert page.evaluate("window.scrollY") > before, "the wheel over an unfocused map did not scroll the page"
    assert frame.evaluate(scale) == first, "the wheel zoomed a map that did not have focus"
    assert not errors


# A map's legend and its permanent town labels: the rectangles of the labels the legend covers.
LEGEND_OVER_LABELS = """() => {
  const legend = document.querySelector('.cf-legend');
  if (!legend) return ['no legend'];
  const a = legend.getBoundingClientRect();
  return [...document.querySelectorAll('.cf-label')].filter(l => {
    const b = l.getBoundingClientRect();
    return b.width && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }).map(l => l.textContent);
}"""


@pytest.mark.browser
@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("page_id", MAP_CHAPTERS)
def test_map_legend_never_covers_town_labels(open_page, page_id, device):
    page, errors = open_page(device, page_id)
    frame = _map_frame(page)
    covered = frame.evaluate(LEGEND_OVER_LABELS)
    assert covered == [], f"{page_id}: the legend covers {covered}"
    labels = frame.evaluate("[...document.querySelectorAll('.cf-label')].map(l => l.textContent)")
    assert any("Stepanakert" in t for t in labels) and any("Shusha" in t for t in labels)
    # The labels of the places the map is named for are inside the map, not cut off at its edge.
    width = frame.evaluate("document.querySelector('.leaflet-container').clientWidth")
    cut = frame.evaluate(
        "w => [...document.querySelectorAll('.cf-label')].filter(l => l.getBoundingClientRect().right > w + 1)"
        ".map(l => l.textContent)",
        width,
    )
    assert cut == [], f"{page_id}: labels cut off at the map's edge: {cut}"
    assert not errors


@pytest.mark.browser
def test_phone_screenshots_show_the_page_in_light_and_dark(browser, site, tmp_path):
    """`python -m tools.screenshots` (`make screenshots`; CI keeps every chapter's as artifacts) writes a phone-width
    first screen in each colour mode, and the two differ (the dark mode is applied). One chapter here: the tool is the
    same for every page, and every page's dark mode is checked by the site audit."""
    from PIL import Image

    from tools.screenshots import shoot

    written = shoot(site, tmp_path, [CHAPTER], full=False, devices=("phone",), browser=browser)
    assert [p.name for p in written] == [f"{Path(CHAPTER).stem}-phone-{mode}.png" for mode in ("light", "dark")]
    light, dark = (Image.open(p).convert("L") for p in written)
    assert light.size == dark.size == (390, 844), (light.size, dark.size)
    mean = [sum(i * n for i, n in enumerate(im.histogram())) / (390 * 844) for im in (light, dark)]
    assert mean[0] > 150 and mean[1] < 90, f"mean brightness light {mean[0]:.0f}, dark {mean[1]:.0f}"


@pytest.mark.browser
def test_offline_search_shows_excerpts_and_ranks_chapters_first(open_page):
    """From disk, each search result carries the passage around the term (from the text the build writes), and a
    chapter ranks above the back matter."""
    page, errors = open_page(PHONE, "search.html")
    page.goto(page.url + "?q=Shusha")
    page.wait_for_selector("#search-results li p.context", timeout=15000)
    items = page.locator("#search-results li")
    first = items.first
    assert "chapters/" in first.locator("a").first.get_attribute("href")
    excerpts = page.locator("#search-results li p.context").all_inner_texts()
    assert excerpts and all("shusha" in e.lower() for e in excerpts[:3]), excerpts[:3]
    assert not errors

"""The book on a phone (390 x 844, touch) and on a desktop: the navigation opens and closes by tap and keyboard."""

from __future__ import annotations

import pytest

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
CHAPTER = "chapters/02_russia_peacekeeping.html"


@pytest.fixture
def open_page(browser, site):
    contexts = []

    def opener(device: dict, page_id: str = CHAPTER):
        context = browser.new_context(service_workers="block", **device)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto((site / page_id).as_uri())
        return page, errors

    yield opener
    for context in contexts:
        context.close()


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

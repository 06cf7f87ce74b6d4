"""Accessibility of every page: axe-core (bundled with axe-playwright-python, injected from disk), a skip link and a
heading outline without jumps."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from sitecheck import page_ids, page_path

pytestmark = pytest.mark.browser

BLOCKING = {"critical", "serious"}
# Frames are audited one by one (axe cannot reach into srcdoc frames from the page without waiting for them).
AXE_OPTIONS = {"resultTypes": ["violations"], "iframes": False}

# The page's headings in document order, outside hidden elements, as [level, text].
HEADINGS_JS = """() => Array.from(document.querySelectorAll('#main-content h1, #main-content h2, #main-content h3, '
  + '#main-content h4, #main-content h5, #main-content h6'))
  .filter(h => h.getClientRects().length && !h.closest('[hidden], details:not([open])'))
  .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 50)])"""


def axe_violations(frame) -> list[dict]:
    """axe-core's violations in one frame, injected from the local copy (no network)."""
    frame.evaluate(AXE_SCRIPT)
    return frame.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})")["violations"]


def heading_problems(headings: list[list]) -> list[str]:
    """One h1, first; no level skipped on the way down (h2 -> h4)."""
    problems = []
    levels = [level for level, _ in headings]
    if levels.count(1) != 1 or (levels and levels[0] != 1):
        problems.append(f"expected exactly one h1, first; found levels {levels}")
    for (previous, _), (level, text) in zip(headings, headings[1:]):
        if level > previous + 1:
            problems.append(f"heading {text!r} jumps from h{previous} to h{level}")
    return problems


@pytest.mark.parametrize("page_id", page_ids())
def test_page_is_accessible(site, offline_page, page_id):
    """No critical or serious axe violation in the page or its frames; a working skip link; sensible headings."""
    page = offline_page.open(page_path(site, page_id))
    problems = []
    for frame in page.frames:
        where = "page" if frame == page.main_frame else "frame"
        for v in axe_violations(frame):
            if v["impact"] in BLOCKING:
                targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
                problems.append(f"axe {v['impact']} in {where}: {v['id']} ({v['help']}) at {targets}")
    skip = page.evaluate("""() => { const a = document.querySelector('a.skip-link, a[href="#main-content"]');
        return a ? {href: a.getAttribute('href'),
                   first: a === document.querySelector('a[href], button, input')} : null; }""")
    if not skip:
        problems.append("no skip link to the main content")
    elif not page.locator(skip["href"]).count():
        problems.append(f"skip link target {skip['href']} does not exist")
    elif not skip["first"]:
        problems.append("the skip link is not the first focusable element")
    if page_id not in ("search.html", "genindex.html"):
        problems += heading_problems(page.evaluate(HEADINGS_JS))
    problems += [f"request leaving the machine: {url}" for url in offline_page.external_requests]
    assert not problems, f"{page_id}:\n  " + "\n  ".join(problems)


def test_heading_check_reports_jumps_and_missing_h1():
    assert heading_problems([[1, "a"], [2, "b"], [3, "c"], [2, "d"]]) == []
    assert heading_problems([[1, "a"], [3, "c"]]) == ["heading 'c' jumps from h1 to h3"]
    assert heading_problems([[2, "b"]])[0].startswith("expected exactly one h1")


def test_axe_reports_serious_violations_offline(offline_page, tmp_path):
    """The axe run itself works from disk and finds a serious fault (an image without text alternative)."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!doctype html><html lang="en"><body><main><img src="x.png"></main></body></html>', encoding="utf-8"
    )
    page = offline_page.open(bad)
    ids = {v["id"] for v in axe_violations(page.main_frame) if v["impact"] in BLOCKING}
    assert "image-alt" in ids, ids
    assert not offline_page.external_requests, offline_page.external_requests

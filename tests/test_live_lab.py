"""Instructors live: every explorer in the chapters, run in a real kernel as JupyterLab would, recomputes in Python
when any of its controls changes (the front end is simulated over the widget comm protocol). The whole chapters run
in a kernel under nbval and, in a real JupyterLab page, in test_explorer_recomputes_in_jupyterlab; here a chapter's
first cell, its imports and its explorer cells are enough (an explorer cell is one call of an imported function)."""

from __future__ import annotations

import ast
import os
import signal
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from kernelcheck import idle, iopub_until
from sitecheck import click_another_explorer_option

from tools.chromium import ROOT

pytestmark = [pytest.mark.kernel, pytest.mark.browser, pytest.mark.slow]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TIMEOUT = 120
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
# Widget state keys that carry what a reader sees as the result.
RESULT_KEYS = ("value", "outputs", "children", "description", "options", "_options_labels")


def explorer_cells(path: Path) -> list[str]:
    """Ids of the code cells whose stored output is a live widget (an explorer, scorer or filter)."""
    return explorer_cells_of(nbformat.read(path, as_version=4))


def explorer_cells_of(nb) -> list[str]:
    return [
        c.id
        for c in nb.cells
        if c.cell_type == "code" and any(WIDGET_VIEW in o.get("data", {}) for o in c.get("outputs", []))
    ]


def changed_control(state: dict) -> dict | None:
    """The state update a reader's click would send to move this control to another value; None if not a control."""
    model = state.get("_model_name", "")
    if "_options_labels" in state and state.get("index") is not None and len(state["_options_labels"]) > 1:
        return {"index": (state["index"] + 1) % len(state["_options_labels"])}
    if model in ("CheckboxModel", "ToggleButtonModel"):
        return {"value": not state["value"]}
    if model in (
        "FloatTextModel",
        "BoundedFloatTextModel",
        "FloatSliderModel",
        "IntSliderModel",
        "IntTextModel",
        "BoundedIntTextModel",
    ):
        low, high, value = state.get("min", 0), state.get("max", 1), state["value"]
        if model.startswith("Int"):
            return {"value": high if value != high else low}
        return {"value": round(high - (value - low), 6) if value != (low + high) / 2 else low}
    return None


def comm_states(msgs: list[dict], states: dict[str, dict]) -> dict[str, dict]:
    """Widget states as a front end knows them after these iopub messages (opens, then updates)."""
    for m in msgs:
        content = m["content"]
        if m["msg_type"] == "comm_open" and "state" in content.get("data", {}):
            states[content["comm_id"]] = dict(content["data"]["state"])
        elif m["msg_type"] == "comm_msg" and content["data"].get("method") in ("update", "echo_update"):
            states.setdefault(content["comm_id"], {}).update(content["data"]["state"])
    return states


def run_cell(kc, code: str, deadline: float) -> list[dict]:
    return iopub_until(kc, kc.execute(code), idle, deadline)


def results_of(states: dict[str, dict], control: str) -> dict:
    """What the reader sees of every widget but the control being changed."""
    return {k: {key: st.get(key) for key in RESULT_KEYS} for k, st in states.items() if k != control}


def sibling_checkboxes(states: dict[str, dict], comm_id: str) -> list[str]:
    """The other checkboxes in the same box as this one (empty unless it is a checkbox)."""
    if states[comm_id].get("_model_name") != "CheckboxModel":
        return []
    ref = f"IPY_MODEL_{comm_id}"
    parent = next((st for st in states.values() if ref in (st.get("children") or [])), {})
    return [
        c.removeprefix("IPY_MODEL_")
        for c in parent.get("children", [])
        if c != ref and states.get(c.removeprefix("IPY_MODEL_"), {}).get("_model_name") == "CheckboxModel"
    ]


def send_update(kc, comm_id: str, change: dict, states: dict[str, dict], deadline: float) -> dict[str, dict]:
    """Send the update a front end sends when a reader moves a control; return the states after the kernel's reply."""
    update = kc.session.msg(
        "comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": change, "buffer_paths": []}}
    )
    kc.shell_channel.send(update)
    states = comm_states(iopub_until(kc, update["header"]["msg_id"], idle, deadline), states)
    states[comm_id].update(change)
    return states


@pytest.fixture(scope="module")
def chapter_kernel():
    """A python3 kernel started in chapters/, as `make lab` and tools.execute run the notebooks (one for this file:
    each explorer cell makes its own widgets)."""
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "chapters"))
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def live_cells(nb) -> list[tuple[str | None, str]]:
    """(explorer cell id or None, code) to run: the first code cell (it finds the book), the import statements of
    the other cells, then each explorer cell."""
    wanted = set(explorer_cells_of(nb))
    code = [c for c in nb.cells if c.cell_type == "code"]
    imports = [
        ast.get_source_segment(c.source, node)
        for c in code[1:]
        if c.id not in wanted
        for node in ast.parse(c.source).body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    return [(None, code[0].source), (None, "\n".join(imports))] + [(c.id, c.source) for c in code if c.id in wanted]


LIVE = [p for p in CHAPTERS if explorer_cells(p)]


def test_some_chapter_has_a_live_explorer():
    assert LIVE, "no chapter stores a live widget output (widget-view+json): the live test would test nothing"


@pytest.mark.parametrize("path", LIVE, ids=[p.name for p in LIVE])
def test_every_control_of_every_explorer_recomputes_live(chapter_kernel, path):
    kc = chapter_kernel
    deadline = time.monotonic() + TIMEOUT
    problems, tested = [], 0
    for cell_id, source in live_cells(nbformat.read(path, as_version=4)):
        msgs = run_cell(kc, source, deadline)
        if cell_id is None:
            continue
        states = comm_states(msgs, {})
        controls = [cid for cid, st in states.items() if changed_control(st)]
        if not controls:
            problems.append(f"cell {cell_id}: a live widget with no control to change")
        for cid in controls:
            label = states[cid].get("description") or states[cid].get("_model_name")
            # A checkbox of a filter group may change nothing while its siblings still admit the same items
            # (any-of semantics), so it is tried with its sibling checkboxes switched off, then everything is restored.
            siblings = [k for k in sibling_checkboxes(states, cid) if states[k]["value"]]
            for k in siblings:
                states = send_update(kc, k, {"value": False}, states, deadline)
            change = changed_control(states[cid])
            original = {key: states[cid][key] for key in change}
            before = results_of(states, cid)
            states = send_update(kc, cid, change, states, deadline)
            tested += 1
            if results_of(states, cid) == before:
                problems.append(f"cell {cell_id}: changing control {label!r} recomputed nothing")
            for k, restore in [(cid, original)] + [(k, {"value": True}) for k in siblings]:
                states = send_update(kc, k, restore, states, deadline)
    assert tested, f"{path.name}: no control was exercised"
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def test_live_cells_are_the_finder_the_imports_and_the_explorers():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import sys\nsys.path.insert(0, '..')"),
        nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_code_cell("from widgets.maps import shusha_map\nimport pandas as pd\nshusha_map()"),
        nbformat.v4.new_code_cell("x = 1\nprint(x)"),
        nbformat.v4.new_code_cell(
            "scenario_explorer('russia')", outputs=[nbformat.v4.new_output("display_data", {WIDGET_VIEW: {}})]
        ),
    ]
    explorer = nb.cells[4].id
    assert live_cells(nb) == [
        (None, "import sys\nsys.path.insert(0, '..')"),
        (None, "from widgets.maps import shusha_map\nimport pandas as pd"),
        (explorer, "scenario_explorer('russia')"),
    ]


def test_control_changes_cover_the_widget_kinds():
    """The simulated clicks move each kind of control to a different value."""
    assert changed_control({"_model_name": "RadioButtonsModel", "_options_labels": ["a", "b"], "index": 1}) == {
        "index": 0
    }
    assert changed_control({"_model_name": "CheckboxModel", "value": False}) == {"value": True}
    assert changed_control({"_model_name": "FloatTextModel", "value": 0.3}) == {"value": 0.7}
    assert changed_control({"_model_name": "FloatTextModel", "value": 0.5}) == {"value": 0}
    assert changed_control({"_model_name": "HTMLModel", "value": "<b>x</b>"}) is None


@pytest.fixture(scope="module")
def lab_server():
    """`make lab` (JupyterLab on chapters/) on a free local port, without opening a browser."""
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "ceasefire-test"
    args = (
        f"--no-browser --port={port} --ip=127.0.0.1 --IdentityProvider.token={token} "
        "--LabApp.expose_app_in_browser=True"
    )
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"`make lab` exited: {proc.stderr.read()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail("`make lab` did not answer within 60 s")
        yield base, token
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # make and the JupyterLab it started (their own process group)
        proc.wait(timeout=20)


def test_lab_serves_the_chapters_with_the_widget_manager(lab_server):
    import json
    import urllib.request

    base, token = lab_server
    listing = json.load(urllib.request.urlopen(f"{base}/api/contents?token={token}"))
    names = {item["name"] for item in listing["content"]}
    assert {p.name for p in CHAPTERS} <= names, f"JupyterLab does not show the chapters: {sorted(names)}"
    extensions = json.load(urllib.request.urlopen(f"{base}/lab/api/extensions?token={token}"))
    installed = {e["name"] for e in (extensions if isinstance(extensions, list) else extensions.get("data", []))}
    assert any("jupyterlab-manager" in name for name in installed), (
        f"no @jupyter-widgets/jupyterlab-manager in JupyterLab: {sorted(installed)}"
    )


# A map and an explorer in six code cells (the chapter the browser-app test runs too).
LAB_CHAPTER = "02_russia_peacekeeping.ipynb"


def test_explorer_recomputes_in_jupyterlab(lab_server, browser):
    """In a real JupyterLab page: run a chapter, click another option of its first explorer, see the result change."""
    base, token = lab_server
    assert LAB_CHAPTER in {p.name for p in LIVE}, f"{LAB_CHAPTER} has no live explorer"
    context = browser.new_context()
    leaving = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((base, "data:", "blob:"))
            else (leaving.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{base}/lab/tree/{LAB_CHAPTER}?token={token}")
        page.wait_for_function(
            "() => window.jupyterapp && jupyterapp.shell.currentWidget "
            "&& jupyterapp.shell.currentWidget.sessionContext "
            "&& jupyterapp.shell.currentWidget.sessionContext.session",
            timeout=60000,
        )
        page.wait_for_function(
            "() => jupyterapp.shell.currentWidget.sessionContext.session.kernel.connectionStatus === 'connected'",
            timeout=60000,
        )
        page.evaluate("() => jupyterapp.commands.execute('notebook:run-all-cells')")
        click_another_explorer_option(page)
    finally:
        context.close()
    assert not leaving, f"JupyterLab page requests leaving the machine: {leaving[:5]}"

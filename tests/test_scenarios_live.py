"""Live-kernel test: a real Python kernel shows an explorer, a simulated front end changes a radio button over the
widget comm protocol, and the kernel's Python callback sends back a recomputed result."""

from __future__ import annotations

import time

import pytest
from kernelcheck import TIMEOUT, idle, iopub_until

pytestmark = pytest.mark.kernel


def test_changing_a_radio_button_recomputes_in_python(kernel):
    deadline = time.monotonic() + TIMEOUT
    code = "from widgets.scenarios import scenario_explorer\nscenario_explorer('armenia')"
    msgs = iopub_until(kernel, kernel.execute(code), idle, deadline)
    opened = {}  # comm id -> widget state as the front end would know it: opened, then updated
    for m in msgs:
        if m["msg_type"] == "comm_open":
            opened[m["content"]["comm_id"]] = dict(m["content"]["data"]["state"])
        elif m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "update":
            opened[m["content"]["comm_id"]].update(m["content"]["data"]["state"])
    shown = [m for m in msgs if m["msg_type"] == "execute_result"]
    assert shown and "application/vnd.jupyter.widget-view+json" in shown[0]["content"]["data"]
    assert "text/html" in shown[0]["content"]["data"]
    radios = [cid for cid, st in opened.items() if st.get("_model_name") == "RadioButtonsModel"]
    results = [
        cid
        for cid, st in opened.items()
        if st.get("_model_name") == "HTMLModel" and "data-branch=" in st.get("value", "")
    ]
    assert len(radios) == 2 and len(results) == 1, "expected two radio groups and one result in the armenia explorer"
    before = opened[results[0]]["value"]
    assert 'data-branch="armenia-stays-fails"' in before
    leadership = next(cid for cid in radios if "successor" in opened[cid]["_options_labels"][1].lower())

    # What JupyterLab sends when the reader clicks the second option ("A pro-Russian successor").
    update = kernel.session.msg(
        "comm_msg", {"comm_id": leadership, "data": {"method": "update", "state": {"index": 1}, "buffer_paths": []}}
    )
    kernel.shell_channel.send(update)

    def result_changed(seen):
        return any(
            m["msg_type"] == "comm_msg"
            and m["content"]["comm_id"] == results[0]
            and "value" in m["content"]["data"].get("state", {})
            for m in seen
        )

    msgs = iopub_until(kernel, update["header"]["msg_id"], result_changed, deadline)
    after = next(
        m["content"]["data"]["state"]["value"]
        for m in msgs
        if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == results[0]
    )
    assert after != before
    assert 'data-branch="armenia-successor-fails"' in after
    assert "Probability of renewed war" in after

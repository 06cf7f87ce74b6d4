"""Live-kernel tests of the chapter "What happened next": a real kernel shows the forecast scorer and the timeline, a
simulated front end changes an input over the widget comm protocol, and the Python callbacks send back new output.
The kernel fixture and message helpers are the scenarios' live test's (one way to drive a kernel in this book)."""

from __future__ import annotations

import re
import time

import pytest
from kernelcheck import TIMEOUT, idle, iopub_until

from widgets.data import load
from widgets.forecasts import SCORE_BUTTON, scored_forecasts, scores

pytestmark = pytest.mark.kernel

SCORER = "from widgets.forecasts import forecast_scorer\nforecast_scorer()"
TIMELINE = "from widgets.timeline import timeline\ntimeline(since='2021-01-01')"


def _show(kc, code, deadline) -> dict[str, dict]:
    """Run `code` in the kernel; return each widget model it opened (comm id -> state, with later updates applied)."""
    msgs = iopub_until(kc, kc.execute(code), idle, deadline)
    shown = [m for m in msgs if m["msg_type"] == "execute_result"]
    assert shown and {"application/vnd.jupyter.widget-view+json", "text/html"} <= set(shown[0]["content"]["data"])
    models: dict[str, dict] = {}
    for m in msgs:
        if m["msg_type"] == "comm_open":
            models[m["content"]["comm_id"]] = dict(m["content"]["data"]["state"])
        elif m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "update":
            models[m["content"]["comm_id"]].update(m["content"]["data"]["state"])
    return models


def _send_and_watch(kc, msg: dict, watched: str, deadline) -> str:
    """Send a comm message as JupyterLab would; return the watched model's new `value` once the kernel sends it."""
    kc.shell_channel.send(msg)

    def changed(seen):
        return any(
            m["msg_type"] == "comm_msg"
            and m["content"]["comm_id"] == watched
            and "value" in m["content"]["data"].get("state", {})
            for m in seen
        )

    msgs = iopub_until(kc, msg["header"]["msg_id"], changed, deadline)
    return next(
        m["content"]["data"]["state"]["value"]
        for m in msgs
        if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == watched
    )


def _set(kc, comm_id: str, state: dict, watched: str, deadline) -> str:
    """What JupyterLab sends when the reader edits a control; the watched model's new `value`."""
    data = {"method": "update", "state": state, "buffer_paths": []}
    return _send_and_watch(kc, kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data}), watched, deadline)


def _click(kc, comm_id: str, watched: str, deadline) -> str:
    """What JupyterLab sends when the reader clicks a button; the watched model's new `value`."""
    data = {"method": "custom", "content": {"event": "click"}}
    return _send_and_watch(kc, kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data}), watched, deadline)


def _mean_brier(html: str) -> str:
    return re.search(r'class="num cf-fs-brier" data-value="([^"]*)"', html).group(1)


def test_outcomes_stay_hidden_until_asked_then_a_changed_probability_rescores_in_python(kernel):
    deadline = time.monotonic() + TIMEOUT
    models = _show(kernel, SCORER, deadline)
    rows = scored_forecasts(load()["forecasts"])
    boxes = {st["description"]: cid for cid, st in models.items() if st.get("_model_name") == "FloatTextModel"}
    assert sorted(boxes) == sorted(rows["forecast_id"])
    table = next(
        cid
        for cid, st in models.items()
        if st.get("_model_name") == "HTMLModel" and 'class="cf-fs"' in st.get("value", "")
    )
    button = next(
        cid
        for cid, st in models.items()
        if st.get("_model_name") == "ButtonModel" and st.get("description") == SCORE_BUTTON
    )
    hidden = models[table]["value"]
    assert "Happened" not in hidden and "cf-fs-brier" not in hidden, "the outcomes show before the reader asks"
    target = rows["forecast_id"].iloc[0]
    given = {f: models[cid]["value"] for f, cid in boxes.items()}
    given[target] = 1.0 - given[target]
    still_hidden = _set(kernel, boxes[target], {"value": given[target]}, table, deadline)
    assert "Happened" not in still_hidden and "cf-fs-brier" not in still_hidden

    before = _click(kernel, button, table, deadline)
    outcomes = dict(zip(rows["forecast_id"], map(int, rows["outcome"])))
    assert "Happened" in before
    assert float(_mean_brier(before)) == scores(given, outcomes)["brier"]

    given[target] = 1.0 - given[target]
    after = _set(kernel, boxes[target], {"value": given[target]}, table, deadline)
    assert after != before
    assert float(_mean_brier(after)) == scores(given, outcomes)["brier"]

    bad = _set(kernel, boxes[target], {"value": 1.5}, table, deadline)
    assert "outside [0, 1]" in bad and target in bad
    assert _mean_brier(bad) == "", "a bad probability must blank the score, not show a wrong one"


def test_unticking_an_actor_refilters_the_timeline_in_python(kernel):
    deadline = time.monotonic() + TIMEOUT
    models = _show(kernel, TIMELINE, deadline)
    boxes = {st["description"]: cid for cid, st in models.items() if st.get("_model_name") == "CheckboxModel"}
    listing = next(
        cid
        for cid, st in models.items()
        if st.get("_model_name") == "HTMLModel" and "cf-tl-list" in st.get("value", "")
    )
    before = models[listing]["value"]
    shown_before = before.count("<li ")
    azerbaijan = next(cid for label, cid in boxes.items() if label.startswith("Azerbaijan"))
    after = _set(kernel, azerbaijan, {"value": False}, listing, deadline)
    assert 0 < after.count("<li ") < shown_before

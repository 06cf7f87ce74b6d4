"""Helpers for the live-kernel tests: reading a kernel's iopub messages until a condition holds (the `kernel` fixture
itself is in conftest.py)."""

from __future__ import annotations

import queue
import time

import pytest

TIMEOUT = 60


def iopub_until(kc, parent_id, done, deadline):
    """Collect iopub messages (of one request, or comm updates) until `done(messages)` or the deadline."""
    seen = []
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") == parent_id:
            seen.append(msg)
            if msg["msg_type"] == "error":
                pytest.fail("kernel error: " + "\n".join(msg["content"]["traceback"]))
            if done(seen):
                return seen
    pytest.fail(f"timed out after {TIMEOUT} s waiting for the kernel; got {[m['msg_type'] for m in seen]}")


def idle(msgs) -> bool:
    """True once the kernel reported it finished the request."""
    return any(m["msg_type"] == "status" and m["content"]["execution_state"] == "idle" for m in msgs)

"""Accessibility checks (tests/sitecheck.py: axe-core injected from disk, a skip link, a heading outline without
jumps) proven able to fail. They run on every page of the build in test_site.py, in the same visit as the offline,
dark-theme audit (one page load for both)."""

from __future__ import annotations

import pytest
from sitecheck import BLOCKING, axe_violations, heading_problems

pytestmark = pytest.mark.browser


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

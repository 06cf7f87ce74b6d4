"""Browser test of the static random-walk explorer on the built site (file://, network aborted): every precomputed
setting shows exactly what the Python simulation gives for it, with no request leaving the machine and no JS error."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from widgets import bargaining as bw

pytestmark = pytest.mark.browser

KNOWN_SITE_NOISE = ("Identifier 'THEBE_JS_URL' has already been declared", "Got invalid theme mode")
PAGE = Path("chapters") / "06_what_keeps_a_ceasefire.html"

SELECT_AND_READ = """([uid, settings]) => settings.map(([sigma, monitoring, threshold]) => {
  const root = document.getElementById(uid);
  for (const [name, value] of [["sigma", sigma], ["monitoring", monitoring], ["threshold", threshold]]) {
    root.querySelector(`input[type=radio][data-name="${name}"][value="${value}"]`).click();
  }
  const r = root.querySelector('.xp-result:not([hidden]) .bw-result');
  return {state: root.dataset.xpState, key: r && r.dataset.key, holding: r && r.dataset.holding,
          median: r && r.dataset.median, headline: r && r.querySelector('p').textContent,
          cells: r ? [...r.querySelectorAll('td')].map(td => td.textContent) : [],
          points: r ? [...r.querySelectorAll('polyline')].map(p => p.getAttribute('points')) : [],
          label: r && r.querySelector('svg').getAttribute('aria-label'),
          status: root.querySelector('.xp-status').textContent};
})"""


def python_view(sigma: float, monitoring: float, threshold: float) -> dict:
    """What the page must show for a setting, read from the Python result HTML."""
    sim = bw.simulate(sigma, monitoring, threshold)
    out = bw.result_html(sim, bw.simulate(sigma, 0.0, threshold))
    return {
        "state": "ok",
        "key": bw.setting_key(sigma, monitoring, threshold),
        "holding": repr(sim.holding),
        "median": "" if sim.median_months is None else str(sim.median_months),
        "headline": re.sub(r"<[^>]+>", "", re.search(r"<p>(.*?)</p>", out).group(1)),
        "cells": re.findall(r'<td class="num">([^<]*)</td>', out),
        "points": re.findall(r'points="([^"]+)"', out),
        "label": re.search(r'aria-label="([^"]+)"', out).group(1),
        "status": bw.status_text(sim),
    }


def test_every_setting_of_the_static_explorer_matches_python(offline_page, site):
    page_path = site / PAGE
    if not page_path.is_file():
        pytest.fail(f"{PAGE} is not in the built site: build the book first")
    page = offline_page.open(page_path)
    uid = page.evaluate("() => (document.querySelector('section.xp[id^=\"bargain-\"]') || {}).id")
    assert uid, "no random-walk explorer (section.xp#bargain-…) on the page"
    assert page.evaluate("uid => document.getElementById(uid).dataset.xpState", uid) == "ok"
    settings = [
        (f"{s:g}", f"{m:g}", f"{t:g}") for s, m, t in itertools.product(bw.SIGMAS, bw.MONITORING, bw.THRESHOLDS)
    ]
    shown = page.evaluate(SELECT_AND_READ, [uid, settings])
    assert len(shown) == len(settings) == 48
    for (s, m, t), got in zip(settings, shown):
        assert got == python_view(float(s), float(m), float(t)), f"setting sigma={s}, monitoring={m}, threshold={t}"
    assert offline_page.external_requests == []
    assert [e for e in offline_page.js_errors if not any(n in e for n in KNOWN_SITE_NOISE)] == []


def test_a_missing_setting_gives_a_visible_error_not_a_stale_result(offline_page, site):
    page = offline_page.open(site / PAGE)
    uid = page.evaluate("() => document.querySelector('section.xp[id^=\"bargain-\"]').id")
    state = page.evaluate(
        """uid => {
      const root = document.getElementById(uid);
      const radio = root.querySelector('input[type=radio][data-name="sigma"]:checked');
      radio.value = "9.99";
      root.dispatchEvent(new Event('change', {bubbles: true}));
      return {state: root.dataset.xpState, error: root.querySelector('.xp-error').textContent,
              hidden: root.querySelector('.xp-result').hidden};
    }""",
        uid,
    )
    assert state["state"] == "error" and state["hidden"] is True
    assert "No precomputed result for the setting 9.99|" in state["error"]

"""The zero-request promise enforced by the browser: every page carries a Content-Security-Policy that lets it load
only the site's own files, and Chromium refuses a request to another origin made by the page or by a map frame."""

from __future__ import annotations

import pytest
from sitecheck import site_pages

INJECT = """async () => {
  const violations = [];
  document.addEventListener('securitypolicyviolation', e => violations.push(e.violatedDirective));
  const img = new Image(); img.src = 'https://tiles.example.invalid/1/1/1.png'; document.body.appendChild(img);
  let fetched = 'allowed';
  try { await fetch('https://example.invalid/data.json'); } catch (e) { fetched = 'refused'; }
  await new Promise(r => setTimeout(r, 300));
  return {violations: violations.sort(), fetched};
}"""


def test_every_page_declares_the_policy(site):
    missing = [
        p.relative_to(site).as_posix()
        for p in site_pages(site)
        if '<meta http-equiv="Content-Security-Policy"' not in p.read_text(encoding="utf-8")
    ]
    assert not missing, f"pages without the Content-Security-Policy meta element: {missing}"


@pytest.mark.browser
def test_injected_requests_to_other_origins_are_refused(site, offline_page):
    page = offline_page.open(site / "chapters" / "02_russia_peacekeeping.html")
    result = page.evaluate(INJECT)
    assert result == {"violations": ["connect-src", "img-src"], "fetched": "refused"}, result
    frames = [f for f in page.frames if f != page.main_frame and f.query_selector(".leaflet-container")]
    assert frames, "no map frame on the page to test"
    in_frame = frames[0].evaluate(INJECT)
    assert in_frame["fetched"] == "refused" and "img-src" in in_frame["violations"], in_frame
    assert not offline_page.external_requests, offline_page.external_requests

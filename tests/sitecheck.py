"""Helpers shared by the whole-site tests: the pages of a build and the in-browser probes run on each of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tools.chromium import SITE
from tools.pdf import map_count

# Folders of a Sphinx build that hold assets and sources, not pages (lite/ is the browser app: test_lite_browser).
NOT_PAGES = {"_static", "_sources", "_images", "_downloads", "lite"}


REDIRECT = re.compile(r'^\s*<meta http-equiv="Refresh" content="0; url=([^"]+)" />\s*$', re.I)


def html_files(site: Path = SITE) -> list[Path]:
    """Every HTML file of a built site (assets and sources excluded), sorted."""
    return sorted(p for p in site.rglob("*.html") if not NOT_PAGES & set(p.relative_to(site).parts[:-1]))


def redirect_target(path: Path) -> str | None:
    """The target of a one-line meta-refresh page (jupyter-book writes index.html so), else None."""
    m = REDIRECT.match(path.read_text(encoding="utf-8"))
    return m[1] if m else None


def site_pages(site: Path = SITE) -> list[Path]:
    """Every real page of a built site: HTML files that are not assets, sources or redirects."""
    return [p for p in html_files(site) if redirect_target(p) is None]


def page_ids(site: Path = SITE) -> list[str]:
    """Test ids for the pages of a build; one id that fails clearly when there is no build to test."""
    return [p.relative_to(site).as_posix() for p in site_pages(site)] or ["<no built site>"]


def page_path(site: Path, page_id: str) -> Path:
    """The page file for a test id, failing with one message when the site has not been built."""
    import pytest

    path = site / page_id
    if not path.is_file():
        pytest.fail(f"no page {page_id} in {site}: build the site first (`make book`)")
    return path


def expected_maps(page: Path) -> int:
    """How many Leaflet maps the page's HTML creates (tools.pdf.map_count: the count the PDF waits for too)."""
    return map_count(page)


# Runs in one frame: each Leaflet container with its size and the number of drawn layers (paths, markers, tiles).
MAPS_JS = """() => Array.from(document.querySelectorAll('.leaflet-container')).map(c => {
  const r = c.getBoundingClientRect();
  const layers = c.querySelectorAll('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas, '
    + '.leaflet-marker-pane > *, img.leaflet-tile-loaded').length;
  return {id: c.id, width: r.width, height: r.height, layers};
})"""

# Runs in one frame: every visible element carrying its own text whose colour contrast with its effective background
# is below WCAG AA (4.5:1, or 3:1 for large text). `scope` is a CSS selector limiting where to look.
LOW_CONTRAST_JS = """(scope) => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0];
    const v = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
  const over = (top, under) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const background = (el) => { const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor); if (c[3] > 0) layers.push(c); if (c[3] >= 1) break; }
    let base = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop() : [255, 255, 255, 1];
    while (layers.length) base = over(layers.pop(), base); return base; };
  const lum = (c) => { const f = (v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const bad = [];
  for (const root of document.querySelectorAll(scope)) for (const el of root.querySelectorAll('*')) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION'].includes(el.tagName)) continue;
    const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    if (s.visibility !== 'visible' || s.display === 'none' || r.width === 0 || r.height === 0
        || parseFloat(s.opacity) === 0) continue;
    if (el.closest('.sr-only, .visually-hidden, [aria-hidden=true]')) continue;
    const bg = background(el); const fg = over(parse(s.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a); const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(s.fontSize); const large = size >= 24 || (size >= 18.66 && parseInt(s.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) bad.push({tag: el.tagName.toLowerCase(), text: el.textContent.trim().slice(0, 40),
      color: s.color, background: 'rgb(' + bg.slice(0, 3).map(Math.round).join(',') + ')',
      ratio: Math.round(ratio * 100) / 100});
  }
  return bad;
}"""

# Runs in one frame: the explorers, i.e. roots holding form controls outside a map, and the name of each control group.
EXPLORERS_JS = """(rootSelector) => {
  const roots = Array.from(document.querySelectorAll(rootSelector)).filter(r =>
    Array.from(r.querySelectorAll('input, select')).some(c => !c.closest('.leaflet-container') && c.type !== 'hidden'));
  roots.forEach((r, i) => r.setAttribute('data-sitecheck-explorer', String(i)));
  return roots.map(r => {
    const groups = [];
    for (const c of r.querySelectorAll('input, select')) {
      if (c.closest('.leaflet-container') || c.type === 'hidden' || c.disabled) continue;
      const key = c.type === 'radio' ? 'radio:' + c.name
        : c.tagName.toLowerCase() + ':' + (c.id || c.name || groups.length);
      if (!groups.includes(key)) groups.push(key);
    }
    return groups;
  });
}"""

# Runs in one frame: tries every other value of one control group of one explorer, reports whether any of them
# changed the explorer's visible text, then puts the control back (each group is tried from the default state, not
# from an error left by the previous one). Returns {changed, tried}.
EXERCISE_GROUP_JS = """([index, key]) => {
  const root = document.querySelector('[data-sitecheck-explorer="' + index + '"]');
  const text = () => root.innerText;
  const fire = (c) => { c.dispatchEvent(new Event('input', {bubbles: true}));
                        c.dispatchEvent(new Event('change', {bubbles: true})); };
  const [kind, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  const before = text(); let tried = 0; let changed = false; let restore = () => {};
  if (kind === 'radio') {
    const group = Array.from(root.querySelectorAll('input[type=radio]')).filter(c => c.name === name);
    const original = group.find(c => c.checked);
    restore = () => { if (original) original.click(); };
    for (const c of group) {
      if (c.checked) continue;
      c.click(); tried++; if (text() !== before) { changed = true; break; } }
  } else {
    const all = Array.from(root.querySelectorAll(kind));
    const c = all.find(x => (x.id || x.name) === name) || all[Number(name)] || all[0];
    const original = c.value;
    restore = () => { c.value = original; fire(c); };
    if (c.tagName === 'SELECT') {
      for (const o of c.options) { if (o.selected || o.disabled) continue;
        c.value = o.value; fire(c); tried++; if (text() !== before) { changed = true; break; } }
    } else if (c.type === 'checkbox') { c.click(); tried++; changed = text() !== before; restore = () => c.click(); }
    else if (c.type === 'range' || c.type === 'number') {
      const lo = c.min === '' ? 0 : Number(c.min); const hi = c.max === '' ? lo + 100 : Number(c.max);
      for (const v of [lo, hi, (lo + hi) / 2]) { if (String(v) === c.value) continue;
        c.value = String(v); fire(c); tried++; if (text() !== before) { changed = true; break; } }
    }
  }
  restore();
  return {changed, tried, restored: text() === before};
}"""


# Installed in every frame (srcdoc map iframes included) before its scripts run: collects that frame's errors.
FRAME_ERRORS_JS = """window.__sitecheckErrors = [];
window.addEventListener('error', e => window.__sitecheckErrors.push(String(e.message || e.type)));
window.addEventListener('unhandledrejection',
  e => window.__sitecheckErrors.push('unhandled rejection: ' + e.reason));"""
MATH_MARKUP = re.compile(r'class="math notranslate nohighlight"')


def wait_for_maps(page, expected: int, timeout_ms: int = 5000) -> list[dict]:
    """The Leaflet containers of every frame, polled until as many as the HTML creates are drawn (or time is up)."""
    waited = 0
    while True:
        maps = [m | {"frame": f.url[:60]} for f in page.frames for m in f.evaluate(MAPS_JS)]
        if sum(1 for m in maps if m["layers"] and m["width"] and m["height"]) >= expected or waited >= timeout_ms:
            return maps
        page.wait_for_timeout(100)
        waited += 100


def explorer_problems(page) -> list[str]:
    """Each explorer (controls in a cell output, or in a non-map frame) must change its output for every control."""
    problems = []
    for frame in page.frames:
        root = ".cell_output" if frame == page.main_frame else "body"
        for index, groups in enumerate(frame.evaluate(EXPLORERS_JS, root)):
            for key in groups:
                result = frame.evaluate(EXERCISE_GROUP_JS, [index, key])
                if not result["tried"]:
                    problems.append(f"explorer {index + 1}: control {key} has no other value to try")
                elif not result["changed"]:
                    problems.append(
                        f"explorer {index + 1}: changing control {key} did not change its output "
                        f"({result['tried']} value(s) tried)"
                    )
                if not result["restored"]:
                    problems.append(f"explorer {index + 1}: putting control {key} back did not restore its output")
    return problems


def math_problems(page, html: str) -> list[str]:
    """Pages with math markup must typeset all of it with the self-hosted MathJax. (Sphinx also loads MathJax on a
    page whose toctree includes a page with math; any request it made would be caught as leaving the machine.)"""
    marked = len(MATH_MARKUP.findall(html))
    if not marked:
        return []
    scripts = page.eval_on_selector_all("script[src]", "els => els.map(e => e.getAttribute('src'))")
    mathjax = [s for s in scripts if "mathjax" in s.lower()]
    if not mathjax or any("://" in s for s in mathjax):
        return [f"has {marked} math element(s) but MathJax is not self-hosted: {mathjax}"]
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=10000)
    rendered = page.evaluate("""() => MathJax.startup.promise.then(() => ({
        containers: document.querySelectorAll('mjx-container').length,
        errors: Array.from(document.querySelectorAll('mjx-merror')).map(e => e.textContent)}))""")
    problems = [f"MathJax error: {e}" for e in rendered["errors"]]
    if rendered["containers"] < marked:
        problems.append(f"{marked} math element(s) but only {rendered['containers']} typeset by MathJax")
    return problems


def contrast_problems(page) -> list[str]:
    """Text in the main content and inside every frame (maps, tables, explorers) readable against its background."""
    problems = []
    for frame in page.frames:
        scope = "#main-content" if frame == page.main_frame else "body"
        where = "page" if frame == page.main_frame else "frame"
        for bad in frame.evaluate(LOW_CONTRAST_JS, scope):
            problems.append(
                f"dark theme, {where}: <{bad['tag']}> {bad['text']!r} colour {bad['color']} on "
                f"{bad['background']} (contrast {bad['ratio']}:1)"
            )
    return problems


def page_problems(offline_page, path: Path, maps_timeout_ms: int = 5000) -> list[str]:
    """Everything wrong with one page opened offline in the dark theme, as one message per problem (maps not drawn
    after `maps_timeout_ms` count as not drawn)."""
    html = path.read_text(encoding="utf-8")
    page = offline_page.page  # its context installs FRAME_ERRORS_JS in every frame (conftest.OfflineTab)
    page.emulate_media(color_scheme="dark")
    offline_page.open(path)

    problems = []
    expected = expected_maps(path)
    maps = wait_for_maps(page, expected, maps_timeout_ms)
    drawn = [m for m in maps if m["layers"] and m["width"] and m["height"]]
    if len(drawn) < expected:
        problems.append(f"{expected} map(s) in the HTML but {len(drawn)} drawn with layers: {maps}")
    problems += [f"map {m['id']} has no size or no layers: {m}" for m in maps if m not in drawn]
    problems += explorer_problems(page)
    problems += math_problems(page, html)
    if page.evaluate("document.documentElement.dataset.theme") != "dark":
        problems.append("the theme did not follow the reader's dark colour-scheme preference")
    problems += contrast_problems(page)
    page.wait_for_timeout(200)  # late errors (timers, async scripts) still count
    problems += [f"JS error: {e}" for e in offline_page.js_errors]
    for frame in page.frames[1:]:
        problems += [f"JS error in frame: {e}" for e in frame.evaluate("window.__sitecheckErrors || []")]
    problems += [f"request leaving the machine: {url}" for url in offline_page.external_requests]
    return list(dict.fromkeys(problems))


def click_another_explorer_option(page, appear_ms: int = 90_000, change_ms: int = 30_000) -> None:
    """In a JupyterLab page (JupyterLab or the browser app) whose notebook is running: wait for the first explorer's
    options, click one not chosen, and wait until that explorer's output changes (raises playwright's TimeoutError
    if it does not: the widget did not recompute)."""
    radio = page.locator(".widget-radio-box input[type=radio]:not(:checked)").first
    radio.wait_for(timeout=appear_ms)
    result = page.locator(".widget-radio-box").first.locator(
        "xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]"
    )
    before = result.inner_text()
    radio.click()
    page.wait_for_function(
        "([el, before]) => el.innerText !== before", arg=[result.element_handle(), before], timeout=change_ms
    )


# ---------------------------------------------------------------- accessibility (axe-core, skip link, headings)

BLOCKING = {"critical", "serious"}
# Frames are audited one by one (axe cannot reach into srcdoc frames from the page without waiting for them).
# No preload: axe would fetch every stylesheet by XMLHttpRequest, which the browser refuses from file:// (a console
# error per sheet), for its one rule that reads them (css-orientation-lock), experimental and so not run by default.
AXE_OPTIONS = {"resultTypes": ["violations"], "iframes": False, "preload": False}

# The page's headings in document order, outside hidden elements, as [level, text].
HEADINGS_JS = """() => Array.from(document.querySelectorAll('#main-content h1, #main-content h2, #main-content h3, '
  + '#main-content h4, #main-content h5, #main-content h6'))
  .filter(h => h.getClientRects().length && !h.closest('[hidden], details:not([open])'))
  .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 50)])"""


def axe_violations(frame) -> list[dict]:
    """axe-core's violations in one frame, injected from the local copy (no network)."""
    frame.evaluate(AXE_SCRIPT)
    return frame.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})")["violations"]


def heading_problems(headings: list[list]) -> list[str]:
    """One h1, first; no level skipped on the way down (h2 -> h4)."""
    problems = []
    levels = [level for level, _ in headings]
    if levels.count(1) != 1 or (levels and levels[0] != 1):
        problems.append(f"expected exactly one h1, first; found levels {levels}")
    for (previous, _), (level, text) in zip(headings, headings[1:]):
        if level > previous + 1:
            problems.append(f"heading {text!r} jumps from h{previous} to h{level}")
    return problems


def a11y_problems(page, page_id: str) -> list[str]:
    """No critical or serious axe violation in the page or its frames (axe-core bundled with axe-playwright-python,
    injected from disk); a skip link to the main content, first to take focus; headings without jumps."""
    problems = []
    for frame in page.frames:
        where = "page" if frame == page.main_frame else "frame"
        for v in axe_violations(frame):
            if v["impact"] in BLOCKING:
                targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
                problems.append(f"axe {v['impact']} in {where}: {v['id']} ({v['help']}) at {targets}")
    skip = page.evaluate("""() => { const a = document.querySelector('a.skip-link, a[href="#main-content"]');
        return a ? {href: a.getAttribute('href'),
                   first: a === document.querySelector('a[href], button, input')} : null; }""")
    if not skip:
        problems.append("no skip link to the main content")
    elif not page.locator(skip["href"]).count():
        problems.append(f"skip link target {skip['href']} does not exist")
    elif not skip["first"]:
        problems.append("the skip link is not the first focusable element")
    if page_id not in ("search.html", "genindex.html"):
        problems += heading_problems(page.evaluate(HEADINGS_JS))
    return problems


# True once no finite animation or transition (CSS or Web Animations) runs in the page.
SETTLED_JS = """() => document.getAnimations().every(a => a.playState !== 'running'
    || a.effect.getComputedTiming().endTime === Infinity)"""


def light_theme_problems(offline_page, page_id: str, timeout_ms: int = 5000) -> list[str]:
    """The reader's colour scheme turns light (the theme follows it, as in auto mode): then axe-core, the skip link
    and the headings (a11y_problems), and still no JS error and no request leaving the machine."""
    page = offline_page.page
    page.emulate_media(color_scheme="light")
    try:
        page.wait_for_function("document.documentElement.dataset.theme === 'light'", timeout=timeout_ms)
    except PlaywrightTimeout:  # the page did not follow the reader's colour scheme
        return ["the theme did not follow the reader's light colour-scheme preference"]
    # the theme's colours change with a CSS transition: audit the colours it ends on, not one caught halfway
    page.wait_for_function(SETTLED_JS, timeout=timeout_ms)
    problems = a11y_problems(page, page_id)
    problems += [f"JS error: {e}" for e in offline_page.js_errors]
    problems += [f"request leaving the machine: {url}" for url in offline_page.external_requests]
    return problems

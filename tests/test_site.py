"""Whole-site audit in Chromium: every page of the build opened from file:// with the network cut off."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sitecheck import light_theme_problems, page_ids, page_path, page_problems, site_pages

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("page_id", page_ids())
def test_page_works_offline_and_is_accessible_in_both_themes(site, offline_page, page_id):
    """One visit per page. Dark theme: no request leaves the machine, no JS error, maps drawn, explorers compute,
    math typeset, text readable. Then light: no serious axe violation in the page or its frames, a skip link, headings
    without jumps."""
    problems = page_problems(offline_page, page_path(site, page_id))
    problems += light_theme_problems(offline_page, page_id)
    problems = list(dict.fromkeys(problems))
    assert not problems, f"{page_id}:\n  " + "\n  ".join(problems)


# A page with one of each fault the audit must catch (its own check that the audit can fail).
BROKEN_PAGE = """<!doctype html><html lang="en" data-theme="light"><body><main id="main-content">
<div class="cell_output"><label><input type="radio" name="r" checked> a</label>
  <label><input type="radio" name="r"> b</label><p>result stays the same</p></div>
<table><tr><td style="color:#777;background:#888">pale cell</td></tr></table>
<div id="m"></div><script>var map_1 = L.map("m");</script>
<p>\\(x^2\\)</p><span class="math notranslate nohighlight">\\(x\\)</span>
<img src="https://tiles.example.invalid/1/1/1.png">
</main></body></html>"""


def test_audit_catches_every_kind_of_fault(offline_page, tmp_path):
    """The per-page audit reports a stock map that is not drawn, a dead explorer, unreadable text, unhosted math,
    a JS error, a light theme, a request leaving the machine, and (in the light theme) an image without text
    alternative, a missing skip link and a heading outline without h1."""
    broken = tmp_path / "broken.html"
    broken.write_text(BROKEN_PAGE, encoding="utf-8")
    # its map never draws: half a second says so as well as the five a real page gets
    found = page_problems(offline_page, broken, maps_timeout_ms=500)
    report = "\n".join(found + light_theme_problems(offline_page, "broken.html"))
    for expected in [
        "1 map(s) in the HTML but 0 drawn",
        "did not change its output",
        "pale cell",
        "MathJax is not self-hosted",
        "JS error: L is not defined",
        "dark colour-scheme",
        "request leaving the machine: https://tiles.example.invalid",
        "axe critical in page: image-alt",
        "no skip link to the main content",
        "expected exactly one h1",
    ]:
        assert expected in report, f"the audit missed: {expected}\n{report}"


def test_audit_catches_a_page_that_stays_dark(offline_page, tmp_path):
    stuck = tmp_path / "dark.html"
    stuck.write_text('<!doctype html><html lang="en" data-theme="dark"><body><p>x</p></body></html>', encoding="utf-8")
    offline_page.open(stuck)
    assert light_theme_problems(offline_page, "dark.html", timeout_ms=300) == [
        "the theme did not follow the reader's light colour-scheme preference"
    ]


def chapter_pages(site: Path) -> list[Path]:
    """The pages built from notebooks (their source in _sources is an .ipynb)."""
    return [p for p in site_pages(site) if (site / "_sources" / p.relative_to(site).with_suffix(".ipynb")).is_file()]


def test_search_finds_a_word_from_a_chapter(site, offline_page):
    """The search page, from file:// and offline, lists the chapter for a word of its title, with no errors."""
    chapters = chapter_pages(site)
    assert chapters, "no chapter pages (built from chapters/*.ipynb) in the site"
    chapter = chapters[0]
    title = BeautifulSoup(chapter.read_text(encoding="utf-8"), "html.parser").find("h1").get_text(" ", strip=True)
    word = max(re.findall(r"[A-Za-z]{4,}", title), key=len).lower()
    page = offline_page.open(site / "search.html")
    page.goto(page.url + f"?q={word}")
    page.wait_for_selector("#search-results ul.search li a", timeout=10000)
    links = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.href)")
    page.wait_for_timeout(300)  # the snippet fetches, if any, would fail now
    target = chapter.relative_to(site).as_posix()
    assert any(target in link for link in links), f"searching {word!r} did not list {target}: {links}"
    assert not offline_page.js_errors, f"search page errors: {offline_page.js_errors}"
    assert not offline_page.external_requests, f"search page requests: {offline_page.external_requests}"


def test_chapters_offer_notebook_download_launch_and_repository_buttons(site):
    """Each chapter page downloads its .ipynb (not .ipynb.txt) and links Binder, Colab, the browser app (lite/) and the
    repo; JupyterHub only when `launch_buttons.jupyterhub_url` is configured, and never a placeholder host."""
    import yaml

    hub = (
        yaml.safe_load((site.parent.parent / "_config.yml").read_text(encoding="utf-8")).get("launch_buttons") or {}
    ).get("jupyterhub_url")
    services = [("Binder", "mybinder.org/v2/gh/"), ("Colab", "colab.research.google.com/github/")]
    chapters = chapter_pages(site)
    assert chapters, "no chapter pages (built from chapters/*.ipynb) in the site"
    problems = []
    for page in chapters:
        name = page.relative_to(site).as_posix()
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        download = soup.select_one("a.btn-download-source-button")
        href = download.get("href", "") if download else ""
        if not href.endswith(".ipynb") or not (page.parent / href).resolve().is_file():
            problems.append(f"{name}: notebook download link {href!r} is not an existing .ipynb")
        launch = " ".join(a.get("href", "") for a in soup.select(".dropdown-launch-buttons a"))
        for service, marker in services:
            if marker not in launch:
                problems.append(f"{name}: no {service} launch button")
        if bool(hub) != ("/hub/user-redirect/git-pull?repo=" in launch):
            problems.append(f"{name}: JupyterHub launch button {'missing' if hub else 'shown but not configured'}")
        if "example." in launch:
            problems.append(f"{name}: a launch button points at a placeholder host")
        browser_run = [a for a in soup.select(".dropdown-launch-buttons a") if "Run in the browser" in a.get_text()]
        want = f"../lite/lab/index.html?path=chapters/{page.stem}.ipynb"
        if [a.get("href") for a in browser_run] != [want]:
            problems.append(f"{name}: no single 'Run in the browser' button to {want}")
        elif not (page.parent / want.split("?")[0]).resolve().is_file():
            problems.append(f"{name}: 'Run in the browser' leads nowhere (neither the app nor the page about it)")
        if not soup.select_one("a.btn-source-repository-button") and "github.com" not in str(
            soup.select(".article-header-buttons")
        ):
            problems.append(f"{name}: no repository button")
    assert not problems, "\n".join(problems)


def test_sitemap_lists_every_page_under_the_base_url(site):
    """sitemap.xml names every page of the site under html_baseurl."""
    sitemap = site / "sitemap.xml"
    assert sitemap.is_file(), "no sitemap.xml in the build (sphinx_sitemap and html.baseurl in _config.yml)"
    urls = {e.text for e in ET.parse(sitemap).getroot().iter() if e.tag.endswith("loc")}
    bases = {re.sub(r"[^/]*$", "", u) for u in urls if u.endswith("index.html")}
    assert urls and all(u.startswith("https://") for u in urls), f"sitemap URLs are not absolute: {sorted(urls)[:3]}"
    missing = [
        p.relative_to(site).as_posix()
        for p in site_pages(site)
        if p.name not in {"search.html", "genindex.html"}
        and not any(u.endswith("/" + p.relative_to(site).as_posix()) for u in urls)
    ]
    assert not missing, f"pages missing from sitemap.xml (base {bases}): {missing}"


def test_instructor_material_stays_out_of_the_public_site(site):
    """Answer keys are built separately (`make instructor`); no page or source of instructor/ is published."""
    leaked = [p.relative_to(site).as_posix() for p in site.rglob("*") if "instructor" in p.relative_to(site).parts]
    assert not leaked, f"instructor material in the public site: {leaked}"


def test_from_disk_run_in_the_browser_leads_to_how_to_serve_the_app(site, offline_page):
    """Browsers refuse to start the app from file://: opened from disk, the button leads to the section saying how."""
    page = offline_page.open(site / "chapters" / "02_russia_peacekeeping.html")
    href = page.evaluate(
        """() => [...document.querySelectorAll('.dropdown-launch-buttons a')]
                 .filter(a => a.textContent.includes('Run in the browser')).map(a => a.href)"""
    )
    assert len(href) == 1 and href[0].endswith("/back/running_live.html#in-the-browser-jupyterlite"), href
    target = BeautifulSoup((site / "back" / "running_live.html").read_text(encoding="utf-8"), "html.parser")
    assert target.find(id="in-the-browser-jupyterlite"), "running_live.html has no #in-the-browser-jupyterlite"

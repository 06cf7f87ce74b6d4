"""Link integrity of the built site, in pure Python: every internal link, asset and anchor resolves."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from sitecheck import html_files, redirect_target

pytestmark = pytest.mark.browser

LINK_ATTRIBUTES = {
    "a": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


@cache
def anchors_of(path: Path) -> frozenset[str]:
    """The ids and names a page defines (targets of #fragments)."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return frozenset(t["id"] for t in soup.find_all(id=True)) | frozenset(
        t["name"] for t in soup.find_all("a", attrs={"name": True})
    )


def is_external(url: str) -> bool:
    """True for links that leave the site (other schemes, other hosts) or are not links at all."""
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or url.startswith(("javascript:", "mailto:", "data:"))


def broken_target(site: Path, page: Path, url: str) -> str | None:
    """Why an internal link from `page` does not resolve, or None when it does."""
    parts = urlsplit(url)
    target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(site.resolve()):
        return f"leads outside the site: {url}"
    if not target.is_file():
        return f"missing file: {url}"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in anchors_of(target):
        return f"missing anchor #{fragment} in {target.relative_to(site.resolve()).as_posix()}"
    return None


def broken_links(site: Path) -> list[str]:
    """One line per internal link, asset reference, redirect or stylesheet url() that does not resolve."""
    site = site.resolve()
    problems = []
    for page in html_files(site):
        name = page.relative_to(site).as_posix()
        redirect = redirect_target(page)
        urls = [redirect] if redirect else []
        if not redirect:
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            for tag, attribute in LINK_ATTRIBUTES.items():
                urls += [t[attribute] for t in soup.find_all(tag, attrs={attribute: True})]
        for url in urls:
            if url in ("", "#") or is_external(url):
                continue
            if why := broken_target(site, page, url):
                problems.append(f"{name}: {why}")
    for css in sorted((site / "_static").rglob("*.css")):
        for url in CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace")):
            if not is_external(url) and not url.startswith("#") and (why := broken_target(site, css, url)):
                problems.append(f"{css.relative_to(site).as_posix()}: {why}")
    return problems


def test_every_internal_link_and_anchor_resolves(site):
    problems = broken_links(site)
    assert not problems, f"{len(problems)} broken internal link(s):\n" + "\n".join(problems[:50])


def test_link_checker_reports_missing_files_anchors_and_redirects(tmp_path):
    """The checker's own check: a missing page, a missing anchor, a missing asset and a dangling redirect."""
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "a.css").write_text("p { background: url(missing.png); }", encoding="utf-8")
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=gone.html" />', encoding="utf-8")
    (tmp_path / "page.html").write_text(
        '<h1 id="top">t</h1><a href="#top">ok</a><a href="page.html#nowhere">x</a><a href="lost.html">y</a>'
        '<img src="_static/pic.png" alt=""><a href="https://example.org/">external</a>',
        encoding="utf-8",
    )
    report = "\n".join(broken_links(tmp_path))
    for expected in [
        "index.html: missing file: gone.html",
        "page.html: missing anchor #nowhere",
        "page.html: missing file: lost.html",
        "page.html: missing file: _static/pic.png",
        "_static/a.css: missing file: missing.png",
    ]:
        assert expected in report, f"the link checker missed: {expected}\n{report}"
    assert "#top" not in report and "example.org" not in report, report

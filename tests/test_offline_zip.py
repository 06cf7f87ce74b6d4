"""The offline edition: `make offline`'s zip, unpacked into a fresh folder elsewhere, works from disk."""

from __future__ import annotations

import hashlib
import zipfile

import pytest
from sitecheck import page_problems
from test_links import broken_links

from tools.offline_zip import BUDGET_BYTES, TOP, write_zip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def unpacked(site, tmp_path_factory):
    """The zip written from the built site and unpacked into a folder whose path has a space in it."""
    out = tmp_path_factory.mktemp("dist") / "book.zip"
    size, digest = write_zip(site, out)
    target = tmp_path_factory.mktemp("somewhere else")
    with zipfile.ZipFile(out) as zf:
        zf.extractall(target)
    return {"zip": out, "size": size, "digest": digest, "root": target / TOP}


def test_zip_is_within_budget_and_has_a_checksum(unpacked):
    zip_path = unpacked["zip"]
    assert unpacked["size"] <= BUDGET_BYTES, f"offline zip is {unpacked['size']} bytes, over {BUDGET_BYTES}"
    recorded = zip_path.with_name(zip_path.name + ".sha256").read_text().split()
    assert recorded == [hashlib.sha256(zip_path.read_bytes()).hexdigest(), zip_path.name]


def test_manifest_matches_every_file(unpacked):
    root = unpacked["root"]
    lines = (root / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == on_disk, f"manifest and files differ: {sorted(set(listed) ^ on_disk)[:10]}"
    wrong = [n for n, d in listed.items() if hashlib.sha256((root / n).read_bytes()).hexdigest() != d]
    assert not wrong, f"checksums do not match: {wrong[:10]}"


def test_zip_keeps_notebooks_and_drops_sourcemaps(unpacked):
    root = unpacked["root"]
    assert not list(root.rglob("*.map")), "source maps in the offline zip"
    assert list((root / "_sources").rglob("*.ipynb")), "no .ipynb downloads in the offline zip"


def test_unpacked_site_links_resolve(unpacked):
    problems = broken_links(unpacked["root"])
    assert not problems, "\n".join(problems[:30])


def test_unpacked_entry_page_opens(unpacked, offline_page):
    """index.html at the top of the unpacked folder leads to the book's first page, from disk."""
    page = offline_page.open(unpacked["root"] / "index.html")
    page.wait_for_url("**/intro.html")
    page.wait_for_load_state("load")
    assert page.locator("#main-content h1").count(), "the entry page shows no title"
    assert not offline_page.js_errors and not offline_page.external_requests, (
        offline_page.js_errors,
        offline_page.external_requests,
    )


def test_unpacked_files_are_the_built_files(site, unpacked):
    """Every file of the unpacked edition is byte for byte the built site's (which the site audit checks page by
    page), except the files the zip adds: its README, its manifest and the page standing in for the browser app."""
    root = unpacked["root"]
    added = {"README.txt", "SHA256SUMS", "lite/lab/index.html"}
    differ = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file()
        and p.relative_to(root).as_posix() not in added
        and (not (site / p.relative_to(root)).is_file() or (site / p.relative_to(root)).read_bytes() != p.read_bytes())
    ]
    assert not differ, f"files of the unpacked zip that are not the built site's: {differ[:10]}"


# The files are the site's (above), so the full audit of every page runs once, on the build (test_site.py). Here, the
# chapters with a map, an explorer and the forecast scorer, audited again from the unpacked copy, in a folder whose
# path has a space in it.
UNPACKED_PAGES = ["chapters/02_russia_peacekeeping.html", "chapters/07_what_happened_next.html"]


@pytest.mark.parametrize("page_id", UNPACKED_PAGES)
def test_unpacked_chapter_works_offline(unpacked, offline_page, page_id):
    path = unpacked["root"] / page_id
    assert path.is_file(), f"{page_id} is not in the unpacked zip"
    problems = page_problems(offline_page, path)
    assert not problems, f"{page_id} (unpacked):\n  " + "\n  ".join(problems)

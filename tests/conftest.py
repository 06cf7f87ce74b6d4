"""Shared pytest fixtures: the repository root, the built site, and an offline Chromium page that records every
request leaving the machine and every JavaScript error."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# BOOK_SITE points the tests at another build (e.g. an isolated --path-output build or an unpacked offline zip).
SITE = Path(os.environ.get("BOOK_SITE") or ROOT / "_build" / "html").resolve()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def site() -> Path:
    """The built HTML site; the browser tests read it, they do not build it (`make test` builds it first)."""
    if not (SITE / "index.html").is_file():
        shown = SITE.relative_to(ROOT) if SITE.is_relative_to(ROOT) else SITE
        pytest.fail(f"no built site at {shown}/index.html: run `make book` (or `make test`) first")
    return SITE


def chromium_executable() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      shutil.which("chromium"), shutil.which("google-chrome")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("no Chromium found for the browser tests: run `bash tools/ensure_chromium.sh` "
                "(installs Debian's chromium) or set CHROMIUM=/path/to/chromium")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class OfflinePage:
    """A page whose every non-file request is aborted and recorded, with its JavaScript errors collected."""
    page: object
    external_requests: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)

    def open(self, path: Path, wait: str = "load"):
        self.page.goto(path.resolve().as_uri(), wait_until=wait)
        return self.page


@pytest.fixture
def offline_page(browser):
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    probe = OfflinePage(page)

    def guard(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            route.continue_()
        else:
            probe.external_requests.append(url)
            route.abort()

    context.route("**/*", guard)
    page.on("pageerror", lambda exc: probe.js_errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and probe.js_errors.append(msg.text))
    yield probe
    context.close()

"""Shared pytest fixtures: the repository root, the built site, and an offline Chromium page that records every
request leaving the machine and every JavaScript error."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tools.chromium import CHROMIUM_ARGS, ROOT, SITE, chromium_executable

# Test kinds, registered in pyproject.toml: `make test-fast` runs what is none of them.
BROWSER_FIXTURES = {"browser", "offline_page", "offline_tabs", "site"}
KERNEL_FIXTURES = {"kernel"}


def pytest_collection_modifyitems(config, items):
    """Notebooks (nbval) run a kernel and are slow; every test that opens the built site or Chromium is a browser
    test. Files mark their own kind too (`pytestmark`); this catches a new test that forgets."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.kernel)
            item.add_marker(pytest.mark.slow)
            continue
        fixtures = set(getattr(item, "fixturenames", ()))
        if BROWSER_FIXTURES & fixtures:
            item.add_marker(pytest.mark.browser)
        if KERNEL_FIXTURES & fixtures:
            item.add_marker(pytest.mark.kernel)
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: its collection is the order work is handed out in
        # Longest first: the files with slow tests, then the rest, then the tests handed out one by one (the
        # scheduler keeps this order), those of the largest pages first (the audit's time grows with a page's
        # size), so that no long test starts last while the other worker has nothing left.
        slow_files = {item.path for item in items if item.get_closest_marker("slow")}
        items.sort(
            key=lambda item: (2, -page_bytes(item)) if spread(item.nodeid) else (int(item.path not in slow_files), 0)
        )


# Under `pytest -n N --dist loadfile` (as `make test` runs), a file's tests stay in one worker: a notebook's cells share
# its kernel, and module fixtures (a printed PDF, an unpacked zip, a JupyterLab server) are made once. These files'
# tests share nothing but session fixtures, so they are handed out one by one, to keep both workers busy to the end.
SPREAD_FILES = {"tests/test_site.py", "tests/test_phone.py", "tests/test_maps_browser.py"}


def spread(nodeid: str) -> bool:
    return nodeid.split("::", 1)[0] in SPREAD_FILES


def page_bytes(item) -> int:
    """The size of the built page a test is parametrized with (`page_id`), or 0."""
    page_id = getattr(item, "callspec", None) and item.callspec.params.get("page_id")
    path = SITE / page_id if isinstance(page_id, str) else None
    return path.stat().st_size if path is not None and path.is_file() else 0


class SpreadScheduler:
    """Registered only when pytest-xdist is loaded (its hook is unknown to pytest without it)."""

    @staticmethod
    def pytest_xdist_make_scheduler(config, log):
        if config.getvalue("dist") != "loadfile":
            return None
        from xdist.scheduler import LoadScopeScheduling

        class FilesButSpread(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                return nodeid if spread(nodeid) else nodeid.split("::", 1)[0]

        config.option.loadscopereorder = False  # keep the collection's order (longest first, above)
        return FilesButSpread(config, log)


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(SpreadScheduler(), "ceasefire-spread-scheduler")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def kernel(root):
    """A real Python kernel started in the repository root (live-widget tests)."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(root))
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.fixture(scope="session")
def site() -> Path:
    """The built HTML site; the browser tests read it, they do not build it (`make test` builds it first)."""
    if not (SITE / "index.html").is_file():
        shown = SITE.relative_to(ROOT) if SITE.is_relative_to(ROOT) else SITE
        pytest.fail(f"no built site at {shown}/index.html: run `make book` (or `make test`) first")
    return SITE


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            executable = chromium_executable()
        except FileNotFoundError as exc:
            pytest.fail(str(exc))
        b = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
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

    def assert_clean(self) -> None:
        """The page asked the network for nothing and raised no JavaScript error (call it at the end of a test)."""
        assert self.external_requests == [], f"the page asked the network for: {self.external_requests}"
        assert self.js_errors == [], f"JavaScript errors: {self.js_errors}"


DEFAULT_VIEWPORT = {"width": 1280, "height": 720}  # Playwright's, for a context made without a device


class OfflineTab:
    """One browser context and tab for a device (its viewport, touch, ...), lent to one test at a time: opening a tab
    costs Chromium a new renderer process (about a core-second here, measured), a navigation a fraction of that. Every
    non-file request is aborted and recorded, every JavaScript error collected, for the test holding the tab; each
    frame also records its own errors in `window.__sitecheckErrors` (sitecheck.FRAME_ERRORS_JS)."""

    def __init__(self, browser, device: dict):
        from sitecheck import FRAME_ERRORS_JS

        self.device = device
        self.context = browser.new_context(service_workers="block", **device)
        self.context.add_init_script(FRAME_ERRORS_JS)
        self.context.route("**/*", self._guard)
        self.page = None
        self.probe: OfflinePage | None = None

    def _guard(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            route.continue_()
        else:
            if self.probe is not None:
                self.probe.external_requests.append(url)
            route.abort()

    def _error(self, text: str) -> None:
        if self.probe is not None:
            self.probe.js_errors.append(text)

    def lend(self) -> OfflinePage:
        """The tab as a new one would be: blank, screen media, light, the device's viewport, fresh records."""
        if self.page is None or self.page.is_closed():
            self.page = self.context.new_page()
            self.page.on("pageerror", lambda exc: self._error(str(exc)))
            self.page.on("console", lambda msg: msg.type == "error" and self._error(msg.text))
        self.page.goto("about:blank")
        self.page.emulate_media(media="screen", color_scheme="light")
        self.page.set_viewport_size(self.device.get("viewport", DEFAULT_VIEWPORT))
        self.probe = OfflinePage(self.page)
        return self.probe

    def take_back(self) -> None:
        """Forget what the test's page stored (the theme keeps its mode in localStorage) and leave it."""
        self.probe = None
        if self.page is None or self.page.is_closed():
            return
        try:
            if self.page.url.startswith("file:"):
                self.page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            self.page.goto("about:blank")
        except Exception:  # a page the test broke: the next test gets a new one
            self.page.close()


class OfflineTabs:
    """The test process's tabs, one per device, each made on first use."""

    def __init__(self, browser):
        self.browser = browser
        self.tabs: dict[str, OfflineTab] = {}

    def lend(self, device: dict | None = None) -> OfflinePage:
        key = json.dumps(device or {}, sort_keys=True)
        if key not in self.tabs:
            self.tabs[key] = OfflineTab(self.browser, device or {})
        return self.tabs[key].lend()

    def take_back(self) -> None:
        for tab in self.tabs.values():
            if tab.probe is not None:
                tab.take_back()

    def close(self) -> None:
        for tab in self.tabs.values():
            tab.context.close()


@pytest.fixture(scope="session")
def offline_tabs(browser):
    tabs = OfflineTabs(browser)
    yield tabs
    tabs.close()


@pytest.fixture
def offline_page(offline_tabs):
    """A tab (default device) offline, with its requests and errors recorded for this test."""
    yield offline_tabs.lend()
    offline_tabs.take_back()

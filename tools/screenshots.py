"""Screenshots of every chapter at phone width (390 x 844, touch) and desktop width (1280 x 900), light and dark, into
`_build/screenshots/` (CI keeps them as artifacts): a reviewer looks at what a student sees without a phone.

    python -m tools.screenshots [--site _build/html] [--out _build/screenshots] [--full] [page.html ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tools.chromium import CHROMIUM_ARGS, ROOT, SITE, chromium_executable

DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


def shoot(
    site: Path, out: Path, pages: list[str], full: bool = True, devices=tuple(DEVICES), browser=None
) -> list[Path]:
    """One PNG per page, device (of DEVICES) and colour mode; returns their paths. `browser`: a Playwright browser
    already running (the tests'), else one is started."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
            try:
                return shoot(site, out, pages, full, devices, launched)
            finally:
                launched.close()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for device in devices:
        for mode in ("light", "dark"):
            context = browser.new_context(service_workers="block", color_scheme=mode, **DEVICES[device])
            # The theme reads its mode from localStorage first: set it so both modes are shown whatever the OS.
            context.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}')")
            page = context.new_page()
            for rel in pages:
                page.goto((site / rel).as_uri())
                page.wait_for_timeout(400)
                path = out / f"{Path(rel).stem}-{device}-{mode}.png"
                page.screenshot(path=str(path), full_page=full)
                written.append(path)
            context.close()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, default=SITE)
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "screenshots")
    ap.add_argument("--viewport-only", action="store_true", help="the first screen only, not the full page")
    ap.add_argument("pages", nargs="*", help="pages relative to the site (default: every chapter)")
    args = ap.parse_args(argv)
    pages = args.pages or sorted(str(p.relative_to(args.site)) for p in (args.site / "chapters").glob("*.html"))
    written = shoot(args.site, args.out, pages, full=not args.viewport_only)
    print(f"{len(written)} screenshot(s) in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

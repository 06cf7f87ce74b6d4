"""Benchmark build, rebuild, test and page weight; print one table and write BENCHMARKS.md.

    python -m tools.bench [--runs N] [--test-runs N] [--output BENCHMARKS.md]
    python -m tools.bench --pages [_build/html]   # only the page weights of an already built site (seconds)

Everything runs in a scratch copy of the repository (the tracked files, with the real .venv linked in), so the
edits the benchmark makes to chapters, data and helpers never touch the working tree. Each figure is the median of
--runs runs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "jupyter-book",
    "sphinx",
    "myst-nb",
    "sphinx-book-theme",
    "folium",
    "ipywidgets",
    "pandas",
    "nbval",
    "playwright",
)


def scratch_copy() -> Path:
    """Copy the tracked files to a temporary folder and link the installed environment into it."""
    dest = Path(tempfile.mkdtemp(prefix="ceasefire-bench-"))
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(
            f"bench: `{' '.join(cmd)}` failed in the scratch copy:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    return elapsed, proc.stdout


def executed(stdout: str) -> list[str]:
    return sorted(l.split()[1].rstrip(":") for l in stdout.splitlines() if l.startswith("execute chapters/"))


def median(values: list[float]) -> float:
    return statistics.median(values)


def nbclient_seconds(work: Path, env: dict) -> dict[str, float]:
    """Plain nbclient execution time of each chapter, one after another (the sequential lower bound)."""
    code = (
        "import sys, time, json, nbformat\nfrom nbclient import NotebookClient\nout = {}\n"
        "for p in sys.argv[1:]:\n"
        "    nb = nbformat.read(p, as_version=4); t = time.perf_counter()\n"
        "    NotebookClient(nb, kernel_name='python3', resources={'metadata': {'path': 'chapters'}}).execute()\n"
        "    out[p] = time.perf_counter() - t\n"
        "print(json.dumps(out))"
    )
    nbs = sorted(str(p.relative_to(work)) for p in (work / "chapters").glob("*.ipynb"))
    _, stdout = timed([sys.executable, "-c", code, *nbs], work, env)
    return json.loads(stdout.strip().splitlines()[-1])


def tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def edit_markdown(nb_path: Path) -> None:
    nb = nbformat.read(nb_path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    cell.source += "\n\nA sentence added by the benchmark."
    nbformat.write(nb, nb_path)


def edit_csv_note(path: Path) -> None:
    """Change one free-text cell of a data table, keeping the table valid."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    col = rows[0].index("note") if "note" in rows[0] else len(rows[0]) - 1
    rows[1][col] = (rows[1][col] + " (edited by the benchmark)").strip()
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def readers_of(work: Path, rel: str) -> list[str]:
    out = []
    for p in sorted((work / "chapters").glob("*.ipynb")):
        inputs = nbformat.read(p, as_version=4).metadata.get("ceasefire", {}).get("inputs", {})
        if rel in inputs:
            out.append(p.relative_to(work).as_posix())
    return out


def versions() -> str:
    v = []
    for name in PACKAGES:
        try:
            v.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if Path(chromium).exists():
        v.append(subprocess.run([chromium, "--version"], capture_output=True, text=True).stdout.strip())
    return ", ".join(v)


def machine() -> str:
    cpu = (
        next(
            (
                l.split(":", 1)[1].strip()
                for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--test-runs", type=int, default=1, help="runs of `make test` (minutes each; 0 skips it)")
    ap.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument(
        "--pages",
        type=Path,
        nargs="?",
        const=ROOT / "_build" / "html",
        default=None,
        help="only measure every page's weight in an already built site and print the table",
    )
    args = ap.parse_args(argv)
    if args.pages is not None:
        weights = page_weights(args.pages)
        print(weight_table(weights, detail=True))
        return 0
    rows: list[tuple[str, str, str]] = []

    def add(name: str, value: str, budget: str = "") -> None:
        rows.append((name, value, budget))
        print(f"  {name}: {value}" + (f"   [budget {budget}]" if budget else ""), flush=True)

    work = scratch_copy()
    env = {**os.environ, "PYTHONPATH": str(work)}
    py = str(ROOT / ".venv" / "bin" / "python")
    execute, build = [py, "-m", "tools.execute"], [py, "-m", "tools.build_book"]
    print(f"bench: scratch copy in {work}", flush=True)
    try:
        per_nb = [nbclient_seconds(work, env) for _ in range(args.runs)]
        lower = median([sum(r.values()) for r in per_nb])
        add("chapters", str(len(per_nb[0])))
        add("sequential nbclient execution, sum of all chapters (lower bound)", f"{lower:.1f} s")

        clean, forced = [], []
        for _ in range(args.runs):
            shutil.rmtree(work / "_build", ignore_errors=True)
            clean.append(timed(execute, work, env)[0] + timed(build, work, env)[0])
            shutil.rmtree(work / "_build", ignore_errors=True)
            forced.append(timed(execute + ["--force"], work, env)[0] + timed(build, work, env)[0])
        add("clean build, stored outputs current (make book)", f"{median(clean):.1f} s")
        add("clean build, every chapter re-executed (execute --force + build)", f"{median(forced):.1f} s")
        add("ratio: forced clean build / sequential lower bound", f"{median(forced) / lower:.2f}", "<= 1.0")

        def rebuild(label: str, change=None, expect: list[str] | None = None, budget: str = "") -> None:
            times, ran = [], []
            for _ in range(args.runs):
                if change:
                    change()
                t1, out = timed(execute, work, env)
                t2, _ = timed(build, work, env)
                times.append(t1 + t2)
                ran = executed(out)
            extra = f"; re-executed {len(ran)} chapter(s)"
            if expect is not None:
                extra += " = exactly its readers" if ran == expect else f" but its readers are {expect}: MISMATCH"
            add(label, f"{median(times):.1f} s{extra if change else ''}", budget)

        rebuild("rebuild, nothing changed", budget="< 2 s")
        chapters = sorted((work / "chapters").glob("*.ipynb"))
        rebuild(f"rebuild after editing prose in {chapters[0].name}", lambda: edit_markdown(chapters[0]), [])
        data_file = "data/figures.csv"
        rebuild(
            f"rebuild after changing {data_file}", lambda: edit_csv_note(work / data_file), readers_of(work, data_file)
        )
        helper = "widgets/tables.py" if (work / "widgets/tables.py").exists() else "widgets/_deps.py"

        def touch_helper():
            with open(work / helper, "a") as f:
                f.write("\n# benchmark edit\n")

        rebuild(f"rebuild after changing {helper}", touch_helper, readers_of(work, helper))

        html = work / "_build" / "html"
        weights = page_weights(html)
        print(weight_table(weights), flush=True)
        draws, clicks = browser_timings(html, args.runs)
        heaviest = max(weights, key=lambda k: weights[k].total)
        add(
            "heaviest page with everything Chromium loads for it",
            f"{weights[heaviest].total / 1e3:.0f} KB ({heaviest})",
            "< 1 MB (aim 600 KB)",
        )
        add(
            "median page with everything Chromium loads for it",
            f"{median([w.total for w in weights.values()]) / 1e3:.0f} KB",
            "< 600 KB",
        )
        own = max(weights, key=lambda k: weights[k].own)
        add(
            "heaviest page without the theme's shared _static/ files",
            f"{weights[own].own / 1e3:.0f} KB ({own})",
            "< 600 KB (map pages)",
        )
        add("whole site (_build/html)", f"{tree_bytes(html) / 1e6:.1f} MB", "< 15 MB")
        if (ROOT / "tools" / "offline_zip.py").exists():
            timed([py, "-m", "tools.offline_zip"], work, env)
            zips = sorted((work / "dist").glob("*.zip")) if (work / "dist").exists() else []
            if zips:
                add("offline zip", f"{zips[0].stat().st_size / 1e6:.1f} MB", "< 10 MB")

        if args.test_runs:
            tests = [timed(["make", "test"], work, env)[0] for _ in range(args.test_runs)]
            add(f"make test after setup (median of {args.test_runs})", f"{median(tests):.0f} s", "< 300 s")
        for page, (nav, frame) in sorted(draws.items()):
            add(
                f"first map drawn: {page}",
                f"{nav:.0f} ms after navigation start, {frame:.0f} ms after its frame started",
                "< 1000 ms",
            )
        for label, ms in sorted(clicks.items()):
            add(f"explorer click to result: {label}", f"{ms:.1f} ms", "< 100 ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    today = dt.date.today().isoformat()
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `make bench` (`python -m tools.bench --runs {args.runs} --test-runs {args.test_runs}`) "
        f"on {today}.",
        "",
        f"- Machine: {machine()}",
        f"- Versions: {versions()}",
        f"- Each figure: median of {args.runs} runs.",
        "",
        "| figure | value | budget |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += ["", "## Page weight, every page", "", PAGE_WEIGHT_METHOD, "", weight_table(weights)]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"bench: wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0


DRAW_PROBE = """(() => {
  const mark = () => { if (!window.__drawn && document.querySelector('.leaflet-overlay-pane path')) {
    window.__drawn = performance.timeOrigin + performance.now(); } };
  new MutationObserver(mark).observe(document, {subtree: true, childList: true});
})();"""
# Change one control of an explorer and time until the browser has laid out the new result.
CLICK = """root => {
  const radio = [...root.querySelectorAll('input[type=radio]')].find(el => !el.checked);
  const t0 = performance.now();
  if (radio) { radio.click(); }
  else {
    const box = root.querySelector('input[type=number]');
    box.value = String((Number(box.value) || 0) === 0.5 ? 0.4 : 0.5);
    box.dispatchEvent(new Event('input', {bubbles: true}));
  }
  void root.offsetHeight;
  return performance.now() - t0;
}"""


class Weight(NamedTuple):
    """What Chromium loaded for one page: bytes in all, bytes outside the theme's shared _static/, requests, and the
    bytes of each loaded file (relative to the site root)."""

    total: int
    own: int
    requests: int
    files: dict


PAGE_WEIGHT_METHOD = (
    "Method: headless Chromium (Playwright) opens every page of `_build/html` from file:// (offline: any other "
    "origin is refused), waits for the load event, the fonts and a quiet network, and sums the decoded size of "
    "the page itself and of every file any frame of it requested (stylesheets, scripts, fonts, images, iframes; "
    "`srcdoc` frames are inside the page's own bytes). Sizes are uncompressed bytes, as a reader opening the "
    "offline zip loads them (a web server's gzip would shrink the transfer, not what the browser parses). "
    "1 KB = 1000 bytes."
)


def page_weights(html: Path) -> dict[str, Weight]:
    """Every page of the built site opened in Chromium from file://, with the bytes of everything it loaded."""
    from playwright.sync_api import sync_playwright

    from tools.chromium import CHROMIUM_ARGS, chromium_executable

    html = html.resolve()
    shared = html / "_static"
    weights: dict[str, Weight] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS)
        for path in sorted(html.rglob("*.html")):
            text = path.read_text(encoding="utf-8", errors="replace")
            if 'http-equiv="refresh"' in text.lower() or path.relative_to(html).parts[0] in ("_static", "_sources"):
                continue  # index.html only redirects to the first page; _static/ holds theme templates, not pages
            # A fresh context per page: nothing cached from the page before (every page pays for its shared files).
            context = browser.new_context(service_workers="block")
            context.route(
                "**/*",
                lambda r: (
                    r.continue_() if r.request.url.startswith(("file:", "data:", "about:", "blob:")) else r.abort()
                ),
            )
            page = context.new_page()
            urls: list[str] = []
            page.on("requestfinished", lambda r, urls=urls: urls.append(r.url))
            page.goto(path.as_uri(), wait_until="load")
            page.evaluate("() => document.fonts.ready.then(() => true)")
            try:
                page.wait_for_load_state("networkidle", timeout=5000)
            except Exception:  # noqa: BLE001 - a page that never goes quiet is measured as it is
                pass
            files: dict[str, int] = {}
            for url in urls:
                if url.startswith("file:"):
                    f = Path(unquote(urlsplit(url).path))
                    if f.is_file():
                        files[f.relative_to(html).as_posix() if f.is_relative_to(html) else str(f)] = f.stat().st_size
            files[path.relative_to(html).as_posix()] = path.stat().st_size
            total = sum(files.values())
            own = sum(n for rel, n in files.items() if not (html / rel).resolve().is_relative_to(shared))
            weights[path.relative_to(html).as_posix()] = Weight(total, own, len(urls), files)
            context.close()
        browser.close()
    return weights


def weight_table(weights: dict[str, Weight], detail: bool = False) -> str:
    """A Markdown table: every page, its weight with everything it loads, and the heaviest (with its files)."""
    lines = ["| page | KB with everything it loads | KB outside _static/ | requests |", "|---|---:|---:|---:|"]
    for name, w in sorted(weights.items()):
        lines.append(f"| {name} | {w.total / 1e3:.0f} | {w.own / 1e3:.0f} | {w.requests} |")
    heaviest = max(weights, key=lambda k: weights[k].total)
    lines += [
        "",
        f"Heaviest: {heaviest}, {weights[heaviest].total / 1e3:.0f} KB; median page "
        f"{median([w.total for w in weights.values()]) / 1e3:.0f} KB.",
    ]
    if detail:
        lines += ["", f"Files loaded by {heaviest}:"]
        lines += [
            f"  {n / 1e3:8.1f} KB  {rel}" for rel, n in sorted(weights[heaviest].files.items(), key=lambda kv: -kv[1])
        ]
    return "\n".join(lines)


def browser_timings(html: Path, runs: int) -> tuple[dict, dict]:
    """Per map page: ms from navigation and from the map frame's start to the first drawn layer; per explorer: ms
    from a click to the laid-out result."""
    from playwright.sync_api import sync_playwright

    from tools.chromium import CHROMIUM_ARGS, chromium_executable

    draws, clicks = {}, {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(service_workers="block")
        context.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:")) else r.abort()
        )
        context.add_init_script(DRAW_PROBE)
        for path in sorted(html.rglob("*.html")):
            text = path.read_text(encoding="utf-8", errors="replace")
            if 'http-equiv="refresh"' in text.lower():  # index.html only redirects to the first page
                continue
            name = path.relative_to(html).as_posix()
            page = context.new_page()
            page.goto(path.resolve().as_uri(), wait_until="load")
            if 'class="cf-map"' in text:  # the marker widgets.maps puts on every map
                samples = []
                for _ in range(runs):
                    page.goto(path.resolve().as_uri(), wait_until="load")
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('iframe')].some(f => "
                        "f.contentWindow && f.contentWindow.__drawn)",
                        timeout=10000,
                    )
                    samples.append(
                        page.evaluate("""() => {
                        const frames = [...document.querySelectorAll('iframe')].filter(f => f.contentWindow
                            && f.contentWindow.__drawn);
                        const first = frames.reduce(
                            (a, b) => a.contentWindow.__drawn <= b.contentWindow.__drawn ? a : b);
                        const drawn = first.contentWindow.__drawn;
                        return [drawn - performance.timeOrigin, drawn - first.contentWindow.performance.timeOrigin];
                    }""")
                    )
                draws[name] = (median([a for a, _ in samples]), median([b for _, b in samples]))
            roots = page.locator("section.xp")
            for i in range(roots.count()):
                root = roots.nth(i)
                label = f"{name}#{root.get_attribute('id')}"
                clicks[label] = median([root.evaluate(CLICK) for _ in range(max(5, runs))])
            page.close()
        browser.close()
    return draws, clicks


if __name__ == "__main__":
    sys.exit(main())

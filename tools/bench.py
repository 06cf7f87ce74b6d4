"""Benchmark build, rebuild, test and page weight; print one table and write BENCHMARKS.md.

    python -m tools.bench [--runs N] [--test-runs N] [--output BENCHMARKS.md]

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
    args = ap.parse_args(argv)
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
        weights, draws, clicks = browser_timings(html, args.runs)
        heaviest = max(weights, key=lambda k: weights[k][0])
        add(
            "heaviest page with everything Chromium loads for it",
            f"{weights[heaviest][0] / 1e3:.0f} KB ({heaviest})",
            "< 1 MB",
        )
        own = max(weights, key=lambda k: weights[k][1])
        add(
            "heaviest page without the theme's shared _static/ files",
            f"{weights[own][1] / 1e3:.0f} KB ({own})",
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


def browser_timings(html: Path, runs: int) -> tuple[dict, dict, dict]:
    """Per page: (bytes loaded, bytes outside the theme's shared _static/); per map page: ms from navigation and
    from the map frame's start to the first drawn layer; per explorer: ms from a click to the laid-out result."""
    from playwright.sync_api import sync_playwright

    from tools.chromium import CHROMIUM_ARGS, chromium_executable

    weights, draws, clicks = {}, {}, {}
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
            loaded: set[str] = set()
            page = context.new_page()
            page.on("request", lambda r, loaded=loaded: r.url.startswith("file:") and loaded.add(r.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            files = {Path(unquote(urlsplit(u).path)) for u in loaded} | {path.resolve()}
            shared = (html / "_static").resolve()
            weights[name] = (
                sum(f.stat().st_size for f in files if f.is_file()),
                sum(f.stat().st_size for f in files if f.is_file() and not f.is_relative_to(shared)),
            )
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
    return weights, draws, clicks


if __name__ == "__main__":
    sys.exit(main())

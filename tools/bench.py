"""Benchmark build, rebuild, test and page weight; print one table and write BENCHMARKS.md.

    python -m tools.bench [--runs N] [--test-runs N (default 2)] [--output BENCHMARKS.md]
    python -m tools.bench --pages [_build/html]   # only the page weights of an already built site (seconds)
    python -m tools.bench --lite [_build/html]    # only the browser app of a built site (builds the app if missing;
                                                  # every chapter run in it: about 20-30 minutes on 2 cores)
    python -m tools.bench --lite --chapters 05_scenarios 09_data_sources   # only these chapters in the app

Everything runs in a scratch copy of the repository (the tracked files, with the real .venv linked in), so the
edits the benchmark makes to chapters, data and helpers never touch the working tree. Each figure is the median of
--runs runs, except the browser app's: each chapter is run once in it (a minute or more each), and the time to a
ready kernel is the median over those openings (one per chapter, each in a fresh browser context).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import re
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
    """Copy the tracked files to a temporary folder, link the installed environment into it, commit them there."""
    dest = Path(tempfile.mkdtemp(prefix="ceasefire-bench-"))
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    # a repository of its own: `make test` there copies a clone of the book by `git ls-files` (test_live_anywhere.py)
    git = ["git", "-C", str(dest), "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "bench scratch copy"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
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


def pdf_page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1])


def without_print_rules(css: str) -> str:
    """A stylesheet with its `@media print { ... }` blocks taken out (braces matched)."""
    while (start := css.find("@media print")) >= 0:
        depth, end = 0, css.index("{", start)
        while True:
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            if depth == 0:
                break
            end += 1
        css = css[:start] + css[end + 1 :]
    return css


def pdf_rows(work: Path, env: dict) -> list[tuple[str, str, str]]:
    """The PDF's A4 pages (`python -m tools.pdf`, which prints only if `make test` has not) against the same book
    printed the same way without the book's print rules (the `@media print` blocks of assets/site.css)."""
    from tools.pdf import whole_book

    py = str(ROOT / ".venv" / "bin" / "python")
    timed([py, "-m", "tools.pdf"], work, env)
    after = pdf_page_count(work / "_build" / "pdf" / "book.pdf")
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-pdf-") as tmp:
        copy = Path(tmp) / "singlehtml"
        shutil.copytree(work / "_build" / "print" / "_build" / "singlehtml", copy)
        css = copy / "_static" / "site.css"
        css.write_text(without_print_rules(css.read_text(encoding="utf-8")), encoding="utf-8")
        code = (
            "import sys; from pathlib import Path; from tools.pdf import print_pdf; print_pdf(*map(Path, sys.argv[1:]))"
        )
        timed([py, "-c", code, str(whole_book(copy / "index.html")), str(Path(tmp) / "before.pdf")], work, env)
        before = pdf_page_count(Path(tmp) / "before.pdf")
    return [
        ("PDF (`make pdf`), A4 pages", str(after), "well under the next row"),
        ("the same book printed without its print rules (assets/site.css `@media print`)", f"{before} pages", ""),
    ]


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
    ap.add_argument("--test-runs", type=int, default=2, help="runs of `make test` (minutes each; 0 skips it)")
    ap.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument(
        "--pages",
        type=Path,
        nargs="?",
        const=ROOT / "_build" / "html",
        default=None,
        help="only measure every page's weight in an already built site and print the table",
    )
    ap.add_argument(
        "--lite",
        type=Path,
        nargs="?",
        const=ROOT / "_build" / "html",
        default=None,
        help="only measure the browser app (JupyterLite) of an already built site, building the app if missing, "
        "and print the tables",
    )
    ap.add_argument(
        "--chapters", nargs="+", metavar="NAME", help="the chapters to run in the browser app (default: every one)"
    )
    args = ap.parse_args(argv)
    if args.pages is not None:
        weights = page_weights(args.pages)
        print(weight_table(weights, detail=True))
        return 0
    if args.lite is not None:
        site = args.lite.resolve()
        if not (site / "index.html").is_file():
            raise SystemExit(f"bench: no built site at {site}/index.html: run `make book` first")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        lite_rows, lite_tables = lite_bench(site, ROOT, env, args.chapters)
        print("\n" + "\n\n".join([rows_table(lite_rows), *lite_tables]))
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
            # formatted as the repository's own code must be (the `make test` below checks it)
            subprocess.run([str(ROOT / ".venv" / "bin" / "ruff"), "format", "--quiet", str(work / helper)], check=True)

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
            # The first run in the scratch copy also builds the single-page book, prints the PDF and builds the
            # browser app (the site is built above); the next ones find them current, as a developer's do.
            tests = [timed(["make", "test"], work, env)[0] for _ in range(args.test_runs)]
            add(
                "make test after setup, first run (builds the single-page book, the PDF, the app)",
                f"{tests[0]:.0f} s",
                "< 240 s",
            )
            if len(tests) > 1:
                add(
                    f"make test again, nothing changed (median of {len(tests) - 1})",
                    f"{median(tests[1:]):.0f} s",
                    "< 240 s",
                )
        for row in pdf_rows(work, env):
            add(*row)
        for page, (nav, frame) in sorted(draws.items()):
            add(
                f"first map drawn: {page}",
                f"{nav:.0f} ms after navigation start, {frame:.0f} ms after its frame started",
                "< 1000 ms",
            )
        for label, ms in sorted(clicks.items()):
            add(f"explorer click to result: {label}", f"{ms:.1f} ms", "< 100 ms")
        lite_rows, lite_tables = lite_bench(html, work, env, args.chapters)
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
        rows_table(rows),
    ]
    lines += ["", "## Page weight, every page", "", PAGE_WEIGHT_METHOD, "", weight_table(weights)]
    lines += ["", "## Live in the browser (JupyterLite)", "", LITE_METHOD, "", rows_table(lite_rows)]
    lines += [part for table in lite_tables for part in ("", table)]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"bench: wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0


def rows_table(rows: list[tuple[str, str, str]]) -> str:
    return "\n".join(["| figure | value | budget |", "|---|---|---|", *(f"| {a} | {b} | {c} |" for a, b, c in rows)])


LITE_METHOD = (
    "Method: the built site (with the app under `lite/`, built by `python -m tools.lite` if missing) is served by "
    "Python's `http.server` on 127.0.0.1; headless Chromium (Playwright) opens each chapter straight in the app "
    "(`lite/lab/index.html?path=chapters/<name>.ipynb`) in a fresh browser context (nothing cached), waits for the "
    "kernel to be idle (time to a ready kernel, from the navigation), runs all cells (`notebook:run-all-cells`) and "
    "waits until the run has ended: every code cell numbered and the kernel idle, or an error stopped it (the cells "
    "after an error never run). Every request is seen and any to another host recorded. Each chapter runs once; "
    "the time to a ready kernel is the median over those openings. Error outputs are the notebook's `error` "
    "outputs (tracebacks); stderr streams (such as matplotlib's font-cache note) are counted apart. The zips are "
    "`python -m tools.offline_zip` (light) and "
    "`--live` (with the app). 1 MB = 10^6 bytes, 1 MiB = 2^20 bytes."
)


def one_line(text: str, width: int = 160) -> str:
    """Text for one Markdown table cell."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def lite_bench(
    site: Path, work: Path, env: dict, chapters: list[str] | None = None
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The browser app of `site`: its size, the two offline zips, the time to a ready kernel and to run every chapter
    (or `chapters`) in it, with any error. `work` is the repository the app and zips are built from. Returns the
    figure rows and the Markdown tables (chapters; then the errors, if any)."""
    from playwright.sync_api import sync_playwright

    from tools.chromium import CHROMIUM_ARGS, chromium_executable
    from tools.lite_run import open_and_run, serve
    from tools.offline_zip import BUDGET_BYTES, LIVE_BUDGET_BYTES

    rows: list[tuple[str, str, str]] = []

    def add(name: str, value: str, budget: str = "") -> None:
        rows.append((name, value, budget))
        print(f"  {name}: {value}" + (f"   [budget {budget}]" if budget else ""), flush=True)

    py = str(ROOT / ".venv" / "bin" / "python")
    app = site / "lite"
    if not (app / "jupyter-lite.json").is_file():
        seconds, _ = timed([py, "-m", "tools.lite", "--out", str(app)], work, env)
        add("lite app built by the benchmark (`python -m tools.lite`)", f"{seconds:.0f} s")
    files = [p for p in app.rglob("*") if p.is_file()]
    add(
        "lite app (_build/html/lite) on disk",
        f"{sum(p.stat().st_size for p in files) / 1e6:.1f} MB, {len(files)} files",
        "none of its own (outside the 15 MB site budget)",
    )
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-zip-") as tmp:
        for label, extra, budget, shown in (
            ("offline zip, light (no app)", [], BUDGET_BYTES, "< 10 MB (tools/offline_zip.py)"),
            ("offline zip, live (with the app)", ["--live"], LIVE_BUDGET_BYTES, "<= 64 MiB (tools/offline_zip.py)"),
        ):
            out = Path(tmp) / f"zip{len(extra)}.zip"
            cmd = [py, "-m", "tools.offline_zip", "--site", str(site), "--out", str(out), *extra]
            proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
            if out.is_file():
                size = out.stat().st_size
                over = "; OVER the tool's budget" if size > budget else ""
                add(label, f"{size / 1e6:.1f} MB ({size / 2**20:.1f} MiB){over}", shown)
            else:
                add(label, f"not written: {one_line(proc.stdout + proc.stderr)}", shown)

    names = chapters or sorted(p.stem for p in (work / "chapters").glob("*.ipynb"))
    runs: dict[str, dict] = {}
    with sync_playwright() as pw, serve(site) as base:
        browser = pw.chromium.launch(executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS)
        for name in names:
            try:
                page, record = open_and_run(browser, base, name, via_page=False)
                page.context.close()
            except Exception as exc:  # noqa: BLE001 - a chapter whose app never got a kernel is reported, not fatal
                record = {"failure": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
                for context in browser.contexts:
                    context.close()
            runs[name] = record
            if "run_s" in record:
                print(
                    f"  lite: {name}: kernel {record['kernel_s']:.1f} s, run {record['run_s']:.1f} s, "
                    f"{record['cells'] - record['unrun']}/{record['cells']} code cells run, "
                    f"{len(record['tracebacks'])} error(s), {record['requests']} requests "
                    f"({len(record['other_hosts'])} to other hosts; most asked: {record['paths'].most_common(3)})",
                    flush=True,
                )
            else:
                print(f"  lite: {name}: {record['failure']}", flush=True)
        browser.close()

    opened = [r for r in runs.values() if "kernel_s" in r]
    if opened:
        kernels = [r["kernel_s"] for r in opened]
        add(
            f"time to a ready kernel (median of {len(kernels)} openings, one per chapter)",
            f"{median(kernels):.1f} s (fastest {min(kernels):.1f} s, slowest {max(kernels):.1f} s)",
        )
    clean = [n for n, r in runs.items() if r.get("finished") and not r.get("tracebacks") and not r.get("unrun")]
    add("chapters that run in the app to the end without an error", f"{len(clean)} of {len(runs)}", "all")
    finished = [r["run_s"] for r in runs.values() if r.get("finished")]
    if finished:
        add("time to run all cells of a chapter in the app (median; one run each)", f"{median(finished):.0f} s")
    add("requests to another host, all chapters", str(sum(len(r.get("other_hosts", [])) for r in runs.values())), "0")

    table = [
        "| chapter | run all cells | kernel ready | code cells run | error outputs | stderr outputs | requests "
        "(to other hosts) | first error (cell: position in the notebook, from 1) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    details = []
    for name, r in runs.items():
        if "run_s" not in r:
            table.append(f"| {name} | not run | | | | | | {one_line(r['failure'])} |")
            continue
        first = ""
        if r["tracebacks"]:
            e = r["tracebacks"][0]
            where = f"cell {e['cell'] + 1} (In [{e['count']}])"
            first = f"{where}: {e['ename']}: {e['evalue']}"
            lines = [l for l in e["traceback"].splitlines() if l.strip() and not set(l.strip()) <= {"-"}]
            details += [f"{name}, {where}, first lines of the traceback:", "", "```", *lines[:8], "```", ""]
        elif not r["finished"]:
            first = f"no end within the timeout: prompts {r['prompts']}"
        for out in r["stderr"]:
            text = " ".join(out["text"].strip().splitlines()[:2])
            details += [f"{name}, cell {out['cell'] + 1} (In [{out['count']}]), stderr: {one_line(text)}", ""]
        ran = f"{r['run_s']:.0f} s" if r["finished"] else f"> {r['run_s']:.0f} s (timed out)"
        table.append(
            f"| {name} | {ran} | {r['kernel_s']:.1f} s | {r['cells'] - r['unrun']} / {r['cells']} | "
            f"{len(r['tracebacks'])} | {len(r['stderr'])} | {r['requests']} ({len(r['other_hosts'])}) | "
            f"{one_line(first)} |"
        )
    tables = ["\n".join(table)]
    if details:
        tables.append("\n".join(details).rstrip())
    return rows, tables


DRAW_PROBE = """(() => {
  const mark = () => { if (!window.__drawn && document.querySelector('.leaflet-overlay-pane path')) {
    window.__drawn = performance.timeOrigin + performance.now(); } };
  new MutationObserver(mark).observe(document, {subtree: true, childList: true});
})();"""
# Change one control of an explorer and time until the browser has laid out the new result.
CLICK = """root => {
  const radio = [...root.querySelectorAll('input[type=radio]')].find(el => !el.checked);
  const select = root.querySelector('select');
  const box = root.querySelector('input[type=checkbox]');
  const number = root.querySelector('input[type=number], input[type=range]');
  if (!radio && !select && !box && !number) return null;
  const t0 = performance.now();
  if (radio) radio.click();
  else if (select) {
    select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
    select.dispatchEvent(new Event('change', {bubbles: true}));
  } else if (box) box.click();
  else {
    number.value = String((Number(number.value) || 0) === 0.5 ? 0.4 : 0.5);
    number.dispatchEvent(new Event('input', {bubbles: true}));
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
                samples = [root.evaluate(CLICK) for _ in range(max(5, runs))]
                if None not in samples:  # an explorer without a control to change is not timed
                    clicks[label] = median(samples)
            page.close()
        browser.close()
    return draws, clicks


if __name__ == "__main__":
    sys.exit(main())

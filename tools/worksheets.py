"""Print the instructor guide's worksheets to PDF, one A4 page per sheet, with the system Chromium (offline).

    python -m tools.worksheets [--out _build_instructor/worksheets]

Each `instructor/worksheet_*.md` is a page of the instructor guide: an instructor's note, then the line
`<!-- sheet -->`, then the students' handout, whose pages are separated by `<div class="sheet-break"></div>`. The
handout alone is rendered (no instructor note, so a printed sheet never carries the answers) into a self-contained
HTML file and printed to `<out>/worksheet_*.pdf`. The tool fails if a PDF does not have exactly one page per sheet
(a sheet that overflows its page must be shortened, not silently split).
"""

from __future__ import annotations

import argparse
import html
import re
import subprocess
import sys
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "instructor"
SHEET_START = "<!-- sheet -->"
SHEET_BREAK = '<div class="sheet-break"></div>'
CSS = """
@page{size:A4}  /* margins: tools.pdf.print_pdf sets them (12 mm, footer with page numbers) */
*{box-sizing:border-box}
body{font:10.5pt/1.4 "DejaVu Sans","Noto Sans",Arial,sans-serif;color:#000;margin:0}
.sheet{break-after:page;page-break-after:always}
.sheet:last-child{break-after:auto;page-break-after:auto}
h1{font-size:15pt;margin:0 0 .5em;border-bottom:2px solid #000;padding-bottom:.2em}
p{margin:.45em 0}
table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:9.5pt}
th,td{border:1px solid #444;padding:.3em .4em;text-align:left;vertical-align:top}
td{height:2.1em}
th{background:#eee}
.box{border:1px solid #444;height:32mm;margin:.3em 0 .7em}
.box.tall{height:62mm}
.line{border-bottom:1px solid #444;height:9mm;margin-bottom:.6em}
.foot{font-size:8pt;color:#444;margin-top:1em}
"""
_md = MarkdownIt("commonmark", {"html": True}).enable("table")


def sheets(path: Path) -> list[str]:
    """The handout's pages (markdown), without the instructor's note."""
    text = path.read_text(encoding="utf-8")
    if SHEET_START not in text:
        raise SystemExit(f"error: {path.relative_to(ROOT)} has no {SHEET_START!r} line before the students' sheet")
    handout = text.split(SHEET_START, 1)[1]
    if re.search(r"\{[\w:-]+\}`|Instructor only", handout):
        raise SystemExit(
            f"error: {path.relative_to(ROOT)}: the students' sheet holds a MyST role or the instructor marker"
        )
    return [page.strip() for page in handout.split(SHEET_BREAK) if page.strip()]


def handout_html(path: Path) -> str:
    pages = sheets(path)
    title = re.search(r"^# (.+)$", pages[0], re.MULTILINE).group(1)
    body = "\n".join(f'<section class="sheet">{_md.render(page)}</section>' for page in pages)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE).group(1))


def build(out: Path) -> list[tuple[Path, int]]:
    """Write every worksheet's HTML and PDF under `out`; [(pdf, pages)]."""
    from tools.pdf import print_pdf

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for md in sorted(GUIDE.glob("worksheet_*.md")):
        page = out / f"{md.stem}.html"
        page.write_text(handout_html(md), encoding="utf-8")
        pdf = out / f"{md.stem}.pdf"
        print_pdf(page, pdf)
        expected, got = len(sheets(md)), pdf_pages(pdf)
        if got != expected:
            raise SystemExit(f"error: {pdf}: {got} pages for {expected} sheet(s): a sheet overflows its page")
        written.append((pdf, got))
    if not written:
        raise SystemExit("error: no instructor/worksheet_*.md to print")
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "_build_instructor" / "worksheets")
    args = ap.parse_args(argv)
    for pdf, pages in build(args.out):
        print(f"wrote {pdf} ({pages} page{'s' if pages != 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

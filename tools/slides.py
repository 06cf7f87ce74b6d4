"""Slide decks, one per chapter, from the chapters' stored outputs and markdown.

    python -m tools.slides [--out _build/slides] [chapters/02_russia_peacekeeping.ipynb ...]

What goes on the slides is chosen in the chapter, not here: the notebook's metadata holds a list `"slides"`; each
entry is one slide, given as a cell id or a list of cell ids shown together (e.g. a map's lead paragraph and the map).
Markdown cells are rendered with their glued values (from the chapter's stored outputs), citations as the tables
show them, and exercise solutions left out; code cells contribute their stored outputs (maps stay iframes with
srcdoc, tables and explorers keep their inline style and script). Nothing is executed.

Each deck is one self-contained HTML file (inline CSS and JS from tools/slides/, no external request) with keyboard,
button and swipe navigation, a slide counter, dark mode and a print stylesheet (one slide per page); an index.html
lists the decks.
"""

from __future__ import annotations

import argparse
import ast
import html
import json
import re
import sys
from pathlib import Path

from markdown_it import MarkdownIt

from tools.sphinx_site import CSP  # the site's own policy: only the file itself, inline code, data: and blob:

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
ASSETS = Path(__file__).resolve().parent / "slides"
BOOK_TITLE = "Will the Ceasefire Hold?"

ROLE = re.compile(r"\{([\w:.-]+)\}`([^`]*)`")
LABEL_LINE = re.compile(r"^\s*\([\w:.-]+\)=\s*\n", re.MULTILINE)
SOLUTION = re.compile(r"^:{3,}\{solution\}.*?^:{3,}\s*$\n?", re.MULTILINE | re.DOTALL)
DIRECTIVE = re.compile(r"^(:{3,})\{([\w-]+)\}[^\n]*\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL)
OPTION_LINE = re.compile(r"^:[\w-]+:.*\n", re.MULTILINE)
LINK = re.compile(r"\[([^\]]+)\]\((?!https?:)[^)]*\)")

_md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table")


def _cell_source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _text(data) -> str:
    return "".join(data) if isinstance(data, list) else str(data)


def glued(nb: dict) -> dict[str, dict[str, str]]:
    """Every value the chapter glued (its stored outputs): name -> {mime type: value}."""
    out: dict[str, dict[str, str]] = {}
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            scrap = o.get("metadata", {}).get("scrapbook")
            if scrap:
                prefix = scrap.get("mime_prefix", "")
                out[scrap["name"]] = {k[len(prefix) :]: _text(v) for k, v in o.get("data", {}).items()}
    return out


def labels() -> dict[str, str]:
    """Every `(label)=` of the chapters -> the heading under it; and every chapter's file stem -> its title."""
    found = {}
    for path in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            src = _cell_source(cell)
            for label, heading in re.findall(r"^\(([\w:.-]+)\)=\s*\n#+\s+(.+)$", src, re.MULTILINE):
                found[label] = heading.strip()
            title = re.search(r"^# (.+)$", src, re.MULTILINE)
            if title and path.stem not in found:
                found[path.stem] = title.group(1).strip()
    return found


def _plain(value: str) -> str:
    try:
        v = ast.literal_eval(value)
        return v if isinstance(v, str) else value
    except (ValueError, SyntaxError):
        return value


def _cite(keys: str, textual: bool) -> str:
    from widgets.render import bibliography, source_html

    keys = [k.strip() for k in keys.split(",") if k.strip()]
    if not textual:
        return source_html(";".join(keys))
    bib = bibliography()
    parts = []
    for key in keys:
        entry = bib.get(key, {})
        title = html.escape(entry.get("title", ""), quote=True)
        parts.append(
            f'{html.escape(entry.get("who", key))} <cite data-key="{html.escape(key)}" title="{title}">'
            f"({html.escape(entry.get('year', ''))})</cite>"
        )
    return "; ".join(parts)


def resolve_roles(text: str, glue: dict, targets: dict, depth: int = 0) -> str:
    """MyST roles to what a reader sees: glued values, citations, terms and cross-reference titles."""

    def one(m: re.Match) -> str:
        role, body = m.group(1), m.group(2)
        if role.startswith("glue"):
            name = body.split(":")[0]
            if name not in glue:
                raise SystemExit(f"error: glue name {name!r} has no stored value (run tools.execute on the chapter)")
            if role == "glue:md" and "text/markdown" in glue[name] and depth < 3:
                return resolve_roles(glue[name]["text/markdown"], glue, targets, depth + 1)
            return html.escape(_plain(glue[name].get("text/plain", "")))
        if role in ("cite", "cite:p", "cite:t"):
            return _cite(body, textual=role == "cite:t")
        shown = re.match(r"^(.*?)\s*<([^>]+)>$", body)
        if shown:
            return html.escape(shown.group(1))
        if role in ("ref", "doc", "numref"):
            return f"<em>{html.escape(targets.get(body, targets.get(body.split('/')[-1], body)))}</em>"
        return html.escape(body)  # term, abbr and the like: the word itself

    return ROLE.sub(one, text)


def render_markdown(src: str, glue: dict, targets: dict) -> str:
    src = LABEL_LINE.sub("", src)
    src = SOLUTION.sub("", src)

    def directive(m: re.Match) -> str:
        body = OPTION_LINE.sub("", m.group(3))
        return f'<div class="{html.escape(m.group(2))}">\n\n{body}\n</div>\n'

    src = DIRECTIVE.sub(directive, src)
    src = LINK.sub(lambda m: m.group(1), src)
    return _md.render(resolve_roles(src, glue, targets))


def render_outputs(cell: dict) -> str:
    """A code cell's stored outputs, richest representation first; widgets show their static HTML."""
    parts = []
    for o in cell.get("outputs", []):
        if o.get("metadata", {}).get("scrapbook") or o["output_type"] not in ("display_data", "execute_result"):
            continue
        data = o.get("data", {})
        if "text/html" in data:
            parts.append(_text(data["text/html"]))
        elif "image/svg+xml" in data:
            parts.append(_text(data["image/svg+xml"]))
        elif "image/png" in data:
            alt = html.escape(_text(data.get("text/plain", "")), quote=True)
            parts.append(f'<img src="data:image/png;base64,{_text(data["image/png"]).strip()}" alt="{alt}">')
        elif "text/markdown" in data:
            parts.append(_md.render(_text(data["text/markdown"])))
    return "".join(f'<div class="output">{p}</div>' for p in parts)


def deck(path: Path, targets: dict | None = None) -> tuple[str, str, int]:
    """(title, HTML, number of slides) of one chapter's deck; SystemExit if it names a cell it does not have."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    spec = nb.get("metadata", {}).get("slides")
    if not spec:
        raise SystemExit(f'error: {path.name} has no "slides" list in its notebook metadata')
    targets = targets if targets is not None else labels()
    cells = {c.get("id"): c for c in nb["cells"]}
    glue = glued(nb)
    title = targets.get(path.stem, path.stem)
    sections = []
    for n, entry in enumerate(spec, 1):
        ids = [entry] if isinstance(entry, str) else list(entry)
        body = []
        for cid in ids:
            if cid not in cells:
                raise SystemExit(f"error: {path.name}: slide {n} names cell {cid!r}, which the chapter does not have")
            cell = cells[cid]
            body.append(
                render_markdown(_cell_source(cell), glue, targets)
                if cell["cell_type"] == "markdown"
                else render_outputs(cell)
            )
        kind = " title-slide" if n == 1 else ""
        kicker = f'<p class="kicker">{html.escape(BOOK_TITLE)} · slides</p>' if n == 1 else ""
        sections.append(
            f'<section class="slide{kind}" id="slide-{n}" tabindex="-1" role="group" '
            f'aria-roledescription="slide" aria-label="{n} of {len(spec)}" data-cells="{" ".join(ids)}">'
            f'<div class="inner">{kicker}{"".join(body)}</div></section>'
        )
    css = (ASSETS / "slides.css").read_text(encoding="utf-8")
    js = (ASSETS / "slides.js").read_text(encoding="utf-8")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{html.escape(title)}: slides</title>
<style>
{css}</style>
</head>
<body>
<div class="progress" aria-hidden="true"></div>
<main class="deck" aria-label="{html.escape(title)}: slides">
{chr(10).join(sections)}
</main>
<nav class="bar" aria-label="Slide navigation">
<span class="deck-title">{html.escape(title)}</span>
<button type="button" class="prev" aria-label="Previous slide">&larr;</button>
<span class="counter" aria-live="polite">1 / {len(spec)}</span>
<button type="button" class="next" aria-label="Next slide">&rarr;</button>
</nav>
<script>
{js}</script>
</body>
</html>
"""
    return title, page, len(spec)


def index_page(decks: list[tuple[str, str, int]]) -> str:
    css = (ASSETS / "slides.css").read_text(encoding="utf-8")
    items = "\n".join(
        f'<li><a href="{html.escape(name)}">{html.escape(title)}</a> ({n} slides)</li>' for name, title, n in decks
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{html.escape(BOOK_TITLE)}: slides</title>
<style>
{css}
.index{{max-width:48rem;margin:0 auto;padding:2rem 1.2rem;overflow:visible;height:auto}}
</style>
</head>
<body>
<main class="index">
<h1>{html.escape(BOOK_TITLE)}: slides</h1>
<p>One deck per chapter, built from the chapter's stored outputs. Open a deck and move with the arrow keys, space,
Page Up/Page Down, Home/End, the buttons or a swipe; print it for one slide per page. Everything works offline.</p>
<ol>
{items}
</ol>
</main>
</body>
</html>
"""


def build(out: Path, paths: list[Path] | None = None) -> list[tuple[str, str, int]]:
    """Write one deck per chapter with a "slides" list (or the given chapters) and an index; [(file, title, n)]."""
    if paths is None:
        paths = [
            p
            for p in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))
            if json.loads(p.read_text(encoding="utf-8")).get("metadata", {}).get("slides")
        ]
    targets = labels()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        title, page, n = deck(path, targets)
        name = f"{path.stem}.html"
        (out / name).write_text(page, encoding="utf-8")
        written.append((name, title, n))
    (out / "index.html").write_text(index_page(written), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "slides", help="folder for the decks")
    ap.add_argument("chapters", nargs="*", type=Path, help="chapter notebooks (default: every chapter with slides)")
    args = ap.parse_args(argv)
    written = build(args.out, [p.resolve() for p in args.chapters] or None)
    for name, title, n in written:
        print(f"{args.out / name}: {n} slides ({title})")
    print(f"{args.out / 'index.html'}: {len(written)} decks")
    return 0


if __name__ == "__main__":
    sys.exit(main())

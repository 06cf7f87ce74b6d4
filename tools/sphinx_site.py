"""Sphinx extension for a clean, light site: no sphinx-thebe scripts, no search-snippet fetches on file://, valid ARIA
lists, a single-page build (for the PDF) that knows every node jupyter-book inserts, a Content-Security-Policy on every
page, and lighter pages: formulas as MathML at build time (no MathJax), Font Awesome cut to the icons shown, the
theme's unused style rules and unused scripts dropped. `python -m tools.bench --pages` measures what each page loads."""

from __future__ import annotations

import ast
import html as html_lib
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

# jupyter-book 1.0.4 always loads sphinx-thebe, whose inline `const THEBE_JS_URL` script ends up twice on every page
# (a JavaScript SyntaxError) and points at a CDN. The book has no thebe launch button, so its assets go entirely.
THEBE_MARKERS = ("THEBE_JS_URL", "sphinx-thebe")

# Sphinx's search page fetches every hit page for a snippet; from file:// Chromium refuses (CORS) and logs errors.
# The results list does not need the snippets, so they are switched off when the site is opened from disk.
SEARCH_SUMMARY_OFF_ON_FILE = (
    "if (location.protocol === 'file:' && typeof DOCUMENTATION_OPTIONS !== 'undefined') "
    "{ DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false; }"
)


def _is_thebe(asset) -> bool:
    """True when a registered script or stylesheet belongs to sphinx-thebe."""
    filename, attributes = asset if isinstance(asset, tuple) else (asset.filename, asset.attributes)
    text = f"{filename or ''} {attributes.get('body', '')}"
    return any(marker in text for marker in THEBE_MARKERS)


def drop_thebe_assets(app: Sphinx, env, docnames) -> None:
    """Remove sphinx-thebe's scripts and stylesheet (runs after sphinx-thebe's own env-before-read-docs handler)."""
    app.registry.js_files[:] = [a for a in app.registry.js_files if not _is_thebe(a)]
    app.registry.css_files[:] = [a for a in app.registry.css_files if not _is_thebe(a)]
    builder = app.builder
    if hasattr(builder, "_js_files"):
        builder._js_files[:] = [a for a in builder._js_files if not _is_thebe(a)]
        builder._css_files[:] = [a for a in builder._css_files if not _is_thebe(a)]


def fix_citation_roles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Give bibliography entries the listitem role their role="list" container requires (docutils writes the
    deprecated doc-biblioentry, which axe-core reports as a critical aria-required-children violation)."""
    if "body" in context and 'role="doc-biblioentry"' in context["body"]:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


HIDDEN_INPUT = re.compile(
    r'<details class="admonition hide above-input">(?P<inner>.*?<pre>(?P<code>.*?)</pre>.*?)</details>', re.S
)


def _single_call(code_html: str) -> bool:
    """Whether a code cell's highlighted source is one call (`claims_table(["peacekeeping"])`): plumbing."""
    code = html_lib.unescape(re.sub(r"<[^>]+>", "", code_html)).strip()
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Call)


def hide_plumbing_toggles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """A `hide-input` cell whose code is a single call (a table, map or explorer the page shows) gets no "Show code
    cell source" toggle on the student site: `cf-plumbing` (assets/site.css) hides it. The notebooks keep the code,
    and the data-sources chapter says how the tables are made and where the notebooks are."""
    body = context.get("body", "")
    if "hide above-input" not in body:
        return

    def mark(m: re.Match) -> str:
        if not _single_call(m.group("code")):
            return m.group(0)
        return f'<details class="admonition hide above-input cf-plumbing">{m.group("inner")}</details>'

    context["body"] = HIDDEN_INPUT.sub(mark, body)


def share_html_handlers(app: Sphinx) -> None:
    """Let the single-page build render every node the HTML build can. Sphinx falls back to the `html` handlers only
    when no extension registered any for `singlehtml`; one does, which hides myst-nb's HideCodeCellNode and
    sphinx-jupyterbook-latex's HiddenCellNode from it ("unknown node type")."""
    handlers = app.registry.translation_handlers
    if "singlehtml" in handlers:
        for node_name, visitors in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(node_name, visitors)


def queue_unwritten_pages_for_sitemap(app: Sphinx, exception) -> None:
    """sphinx-sitemap lists only the pages written by this build, so an incremental build would publish a partial
    sitemap.xml: queue every other document too, just before it writes the file."""
    links = getattr(app, "sitemap_links", None)
    if exception or links is None or app.builder.format != "html":
        return
    import queue

    from sphinx_sitemap import add_html_link

    drained = []  # the queue is a multiprocessing proxy: read it out, then put everything back
    while True:
        try:
            drained.append(links.get_nowait())
        except queue.Empty:
            break
    for item in drained:
        links.put(item)
    queued = {link for link, _ in drained}
    suffix = app.config.html_file_suffix or ".html"
    for docname in sorted(app.env.found_docs):
        if docname + suffix not in queued:
            add_html_link(app, docname, None, {}, None)


# Scripts every page carries but most pages do not use (measured in Chromium: 2.5 MB of a 2.9 MB page):
# - pydata-sphinx-theme's fontawesome.js (1.5 MB) turns <i class="fa-..."> into SVG, although its stylesheet already
#   draws the same icons from the Font Awesome webfonts;
# - MathJax (1.3 MB) is added to the root page and every page whose toctree holds mathematics somewhere below it;
#   only pages that show mathematics need it;
# - the search index (grows with the book) is loaded everywhere for search-as-you-type, which is off: only the
#   search page uses it.
FONTAWESOME = re.compile(
    r'<(?:script defer src|link rel="preload" as="script" href)="[^"]*_static/scripts/'
    r'fontawesome\.js[^"]*"\s*/?>(?:</script>)?\s*'
)
MATHJAX = re.compile(
    r'<script>window\.MathJax = .*?</script>\s*|<script[^>]*src="[^"]*mathjax/[^"]*"[^>]*></script>\s*', re.S
)
SEARCH = re.compile(
    r'<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)">'
    r"</script>\s*"
)


# The zero-request promise, enforced by the browser: every page may load only the site's own files (and data:/blob:
# URLs); inline scripts and styles are the book's own (maps, explorers). Any request to another origin is refused.
# Links (launch buttons, sources) are navigations, which a policy on fetches does not touch.
CSP = (
    "default-src 'self' data: blob:; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; "
    "style-src 'self' 'unsafe-inline' data:; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self' data: blob:; frame-src 'self' data: blob: about:; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}" />'


def with_csp(text: str) -> str:
    """The page with the policy as the first element of its head (a redirect stub without a head stays as it is)."""
    if CSP_META in text or "<head>" not in text:
        return text
    return text.replace("<head>", "<head>\n  " + CSP_META, 1)


# sphinx-design's stylesheet and tab script (62 KB) on pages that use none of its components (class "sd-...").
SPHINX_DESIGN = re.compile(
    r'<link rel="stylesheet" type="text/css" href="[^"]*_static/sphinx-design\.min\.css[^"]*"\s*/?>'
    r'\s*|<script[^>]*src="[^"]*_static/design-tabs\.js[^"]*"[^>]*></script>\s*'
)
USES_SPHINX_DESIGN = re.compile(r'class="(?:[^"]* )?sd-')


# ---- Mathematics as MathML, rendered at build time -------------------------------------------------------------
# Chromium and Firefox display MathML Core natively, so a page with formulas needs no script (MathJax was 1.3 MB plus
# its fonts for chapter 7's few formulas); screen readers read MathML as they read MathJax's output.
def _mathml(latex: str, display: str, node=None) -> str:
    """MathML for a TeX formula; a formula latex2mathml cannot convert is a build warning (an error in the strict
    build) and shows as its TeX source."""
    from html import escape

    from latex2mathml.converter import convert

    try:
        return convert(latex.strip(), display=display)
    except Exception as exc:  # noqa: BLE001 - any converter failure is reported against the source line
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            "formula %r cannot be rendered as MathML (%s: %s); simplify it",
            latex,
            type(exc).__name__,
            exc,
            location=node,
        )
        return f"<code>{escape(latex)}</code>"


def visit_math_mathml(self, node) -> None:
    self.body.append(f'<span class="cf-math">{_mathml(node.astext(), "inline", node)}</span>')
    raise nodes.SkipNode


def visit_displaymath_mathml(self, node) -> None:
    self.body.append(
        f'<div class="cf-math cf-math-block" id="{node["ids"][0]}">'
        if node.get("ids")
        else '<div class="cf-math cf-math-block">'
    )
    if node.get("label"):  # numbered equation: its number and permalink, as Sphinx writes them for MathJax
        number = self.builder.env.get_domain("math").get_equation_number_for(node["label"])
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, "Link to this equation")
        self.body.append("</span>")
    self.body.append(_mathml(node.astext(), "block", node))
    self.body.append("</div>\n")
    raise nodes.SkipNode


# ---- Font Awesome subset to the icons the site shows ------------------------------------------------------------
# The theme ships Font Awesome's full webfonts (solid 156 KB, brands 118 KB, regular); the site shows about twenty
# icons. After the build, the fonts are cut down to the glyphs referenced by (a) the fa-* icon classes used in any page
# or script, (b) any other rule or custom property of the site's stylesheets (admonition icons, breadcrumbs, external
# links ...), and the stylesheet's icon rules for classes used nowhere are dropped.
FA_DIR = Path("_static") / "vendor" / "fontawesome" / "webfonts"
FA_ICON_RULE = re.compile(r'(?<=[}/])((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:"([^"]*)"\}')
FA_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
PUA = re.compile(r"[\ue000-\uf8ff]|\\(f[0-9a-fA-F]{3}|e[0-9a-fA-F]{3})\b")


def _codepoints(text: str) -> set[int]:
    """Private-use characters (the icons), written literally or as CSS escapes."""
    return {int(m.group(1), 16) if m.group(1) else ord(m.group(0)) for m in PUA.finditer(text)}


def subset_icon_fonts(out: Path, pages: list[str]) -> None:
    from fontTools import subset

    css_files = [p for p in (out / "_static").rglob("*.css")]
    scripts = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (out / "_static").rglob("*.js")
        if "mathjax" not in p.parts
    )
    used = set()
    for text in pages + [scripts]:
        used |= set(FA_CLASS.findall(text))
    keep: set[int] = set()
    for css in css_files:
        text = css.read_text(encoding="utf-8")
        if "fa-" not in text and "Font Awesome" not in text:
            continue

        def icon_rule(m: re.Match) -> str:
            selectors = m.group(1).split(",")
            kept = [sel for sel in selectors if sel.split(":")[0][1:] in used]
            if not kept:
                return ""
            keep.update(_codepoints(m.group(2)))  # noqa: B023 (called by the sub() right below)
            return ",".join(kept) + '{content:"' + m.group(2) + '"}'

        lean = FA_ICON_RULE.sub(icon_rule, text)
        # every other icon reference (custom properties, pseudo-element contents) stays drawable
        keep |= _codepoints(FA_ICON_RULE.sub("", text))
        if lean != text:
            css.write_text(lean, encoding="utf-8")
    fonts = out / FA_DIR
    if not fonts.is_dir():
        return
    for font in sorted(fonts.glob("fa-*")):
        if font.suffix not in (".woff2", ".ttf"):
            continue
        options = subset.Options()
        options.flavor = "woff2" if font.suffix == ".woff2" else None
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.ignore_missing_unicodes = True
        tt = subset.load_font(str(font), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(keep))
        subsetter.subset(tt)
        subset.save_font(tt, str(font), options)


# The theme's stylesheets carry all of Bootstrap and every component the themes support; the rules that no page and
# no script of this site can match are dropped (tools/css_purge.py says how conservatively).
PURGED_CSS = (
    "styles/pydata-sphinx-theme.css",
    "styles/sphinx-book-theme.css",
    "mystnb.*.css",
    "basic.css",
    "sphinx-design.min.css",
)


def purge_stylesheets(out: Path, pages: list[str]) -> None:
    if __package__:  # imported as tools.sphinx_site
        from .css_purge import purge, vocabulary
    else:  # loaded by Sphinx as the local extension `sphinx_site` from tools/ (on sys.path)
        from css_purge import purge, vocabulary

    static = out / "_static"
    scripts = [
        p.read_text(encoding="utf-8", errors="replace") for p in static.rglob("*.js") if "mathjax" not in p.parts
    ]
    words, prefixes = vocabulary(pages + scripts)
    for pattern in PURGED_CSS:
        for css in static.glob(pattern):
            text = css.read_text(encoding="utf-8")
            lean = purge(text, words, prefixes)
            if lean != text:
                css.write_text(lean, encoding="utf-8")
                css.with_name(css.name + ".map").unlink(missing_ok=True)  # its source map no longer applies


# Offline search excerpts (assets/search_excerpts.js): the text of every page, loaded on the search page only.
PAGE_TEXT_CHARS = 12000
NOT_SEARCHED = {"search", "genindex"}


def write_page_texts(out: Path) -> None:
    """_static/search-texts.js: the first PAGE_TEXT_CHARS characters of each page's article text, by document name,
    and the two scripts on the search page (file:// cannot fetch the hit pages for their excerpts)."""
    import json

    from bs4 import BeautifulSoup

    texts = {}
    for page in book_pages(out):
        doc = page.relative_to(out).with_suffix("").as_posix()
        if doc.split("/")[0].startswith("_") or doc in NOT_SEARCHED:
            continue
        text = page.read_text(encoding="utf-8")  # only the article is parsed (the rest of the page is the theme's)
        start, end = text.find('<article class="bd-article"'), text.rfind("</article>")
        if start < 0 or end < start:
            continue
        article = BeautifulSoup(text[start : end + len("</article>")], "html.parser").article
        for hidden in article.select("script, style, iframe, .headerlink, details.above-input, .cell_input"):
            hidden.decompose()
        texts[doc] = " ".join(article.get_text(" ").split())[:PAGE_TEXT_CHARS]
    body = json.dumps(texts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    (out / "_static" / "search-texts.js").write_text(f"window.BOOK_PAGE_TEXTS = {body};\n", encoding="utf-8")
    search = out / "search.html"
    if search.is_file():
        html = search.read_text(encoding="utf-8")
        tags = '<script src="_static/search-texts.js"></script><script src="_static/search_excerpts.js"></script>'
        if tags not in html:
            search.write_text(html.replace("</body>", tags + "\n</body>", 1), encoding="utf-8")


def book_pages(out: Path) -> list[Path]:
    """The HTML files Sphinx wrote: everything but the browser app under lite/ (`make lite`), which is not a page."""
    return sorted(p for p in out.rglob("*.html") if p.relative_to(out).parts[0] != "lite")


INLINE_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S)


def drop_repeated_styles(text: str) -> str:
    """Each explorer, table and chart output carries its own stylesheet (an output stands alone in a notebook); in a
    page the first copy serves them all, so later identical copies go (in chapter 7, 15 of its 25 KB of styles)."""
    seen: set[str] = set()

    def once(match: re.Match) -> str:
        if match[0] in seen:
            return ""
        seen.add(match[0])
        return match[0]

    return INLINE_STYLE.sub(once, text)


def lighten_pages(app: Sphinx, exception) -> None:
    """Remove from every written page the scripts and styles it does not use, and cut the icon fonts (see above)."""
    if exception or app.builder.format != "html":
        return
    out = Path(app.outdir)
    as_you_type = (app.config.html_theme_options or {}).get("search_as_you_type", False)
    pages = []
    for page in book_pages(out):
        text = page.read_text(encoding="utf-8")
        lean = drop_repeated_styles(FONTAWESOME.sub("", text))
        if 'class="math' not in lean:
            lean = MATHJAX.sub("", lean)
        if page.name != "search.html" and not as_you_type:
            lean = SEARCH.sub("", lean)
        if not USES_SPHINX_DESIGN.search(lean):
            lean = SPHINX_DESIGN.sub("", lean)
        lean = with_csp(lean)
        if lean != text:
            page.write_text(lean, encoding="utf-8")
        pages.append(lean)
    for script in (out / "_static" / "scripts").glob("fontawesome.js*"):
        script.unlink()
    subset_icon_fonts(out, pages)
    purge_stylesheets(out, pages)
    write_page_texts(out)


# ---- "Run in the browser" ---------------------------------------------------------------------------------------
# The theme draws a "JupyterLite" launch button from `launch_buttons: jupyterlite_url` (_config.yml); readers are
# told what it does. Where the site was built without the app (`make book`; `make lite` adds it), the button's target
# is a page saying so (tools/lite-missing.html), so the link never breaks; assets/live.js handles file://.
LITE_MISSING = Path(__file__).with_name("lite-missing.html")


def name_browser_button(app: Sphinx, pagename, templatename, context, doctree) -> None:
    for group in context.get("header_buttons") or []:
        for button in group.get("buttons", []) if group.get("label") == "launch-buttons" else []:
            if button.get("text") == "JupyterLite":
                button["text"] = "Run in the browser"
                button["tooltip"] = "Run this chapter live in your browser: nothing to install (JupyterLite)"


def lite_missing_page() -> str:
    """The page put where the browser app would be (this build and the light offline zip)."""
    return with_csp(LITE_MISSING.read_text(encoding="utf-8"))


def browser_app_placeholder(app: Sphinx, exception) -> None:
    """lite/lab/index.html explains how to get the app when the build has none (never overwrites the app)."""
    if exception or app.builder.format != "html":
        return
    lite = Path(app.outdir) / "lite"
    if not (lite / "jupyter-lite.json").is_file():
        (lite / "lab").mkdir(parents=True, exist_ok=True)
        (lite / "lab" / "index.html").write_text(lite_missing_page(), encoding="utf-8")


def remember_pybtex_entry_points() -> None:
    """pybtex finds each of its plugins by scanning every installed package's entry points, at every call, and
    sphinxcontrib-bibtex asks for one at each citation it resolves (about 550 a build: 16 of a profiled build's
    50 s). The installed packages do not change during a build, so each scan's answer is kept (pybtex still looks at
    the plugins registered at run time first)."""
    import functools

    import pybtex.plugin

    if not hasattr(pybtex.plugin.entry_points, "cache_info"):
        pybtex.plugin.entry_points = functools.cache(pybtex.plugin.entry_points)


def remember_latex_decoding() -> None:
    """pybtex decodes a field's LaTeX (latexcodec) each time a style formats it, and sphinxcontrib-bibtex formats every
    entry twice (the bibliography and the hover text): each decoded string is kept (pybtex's own from_latex, with
    the decoding remembered)."""
    import codecs
    import functools

    import latexcodec  # noqa: F401 (registers the "ulatex" codec)
    import pybtex.richtext
    from pybtex.markup import LaTeXParser

    if getattr(pybtex.richtext.Text.from_latex, "remembers", False):
        return
    decode = functools.cache(lambda latex: codecs.decode(latex, "ulatex"))

    def from_latex(cls, latex):
        return LaTeXParser(decode(latex)).parse()

    from_latex.remembers = True
    pybtex.richtext.Text.from_latex = classmethod(from_latex)


# The hover text of a citation link (sphinxcontrib-bibtex's tooltip) leaves out these fields; the bibliography keeps
# them. The book's notes on what was read and where run to hundreds of words, and the tooltip is repeated in every
# link citing the entry: in chapter 7 they were 140 KB of the page.
TOOLTIP_LEFT_OUT = {"note", "url", "urldate", "doi", "eprint"}
TOOLTIP_STYLE = "book-tooltip"  # _config.yml: bibtex_tooltips_style


def register_tooltip_style() -> None:
    import pybtex.plugin
    from pybtex.database import Entry
    from pybtex.style.formatting.plain import Style

    class TooltipStyle(Style):
        """pybtex's plain style without TOOLTIP_LEFT_OUT: author, title, where and when."""

        def format_entry(self, label, entry, bib_data=None):
            fields = {k: v for k, v in entry.fields.items() if k.lower() not in TOOLTIP_LEFT_OUT}
            short = Entry(entry.original_type, fields=fields, persons=entry.persons)
            short.key = entry.key
            return super().format_entry(label, short, bib_data)

    if TOOLTIP_STYLE not in pybtex.plugin._RUNTIME_PLUGINS.get("pybtex.style.formatting", {}):
        pybtex.plugin.register_plugin("pybtex.style.formatting", TOOLTIP_STYLE, TooltipStyle)


def setup(app: Sphinx) -> dict:
    remember_pybtex_entry_points()
    remember_latex_decoding()
    register_tooltip_style()
    app.add_html_math_renderer("mathml", (visit_math_mathml, None), (visit_displaymath_mathml, None))
    app.connect("env-before-read-docs", drop_thebe_assets, priority=900)
    app.add_js_file(None, body=SEARCH_SUMMARY_OFF_ON_FILE, priority=201)
    app.connect("html-page-context", fix_citation_roles)
    app.connect("html-page-context", hide_plumbing_toggles)
    app.connect("html-page-context", name_browser_button, priority=502)  # after the theme's launch buttons (501)
    app.connect("build-finished", browser_app_placeholder)
    app.connect("builder-inited", share_html_handlers)
    app.connect("build-finished", lighten_pages)
    app.connect("build-finished", queue_unwritten_pages_for_sitemap, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

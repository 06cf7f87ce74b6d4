"""Sphinx extension for a clean site: no sphinx-thebe scripts, no search-snippet fetches on file://, valid ARIA lists,
and a single-page build (for the PDF) that knows every node jupyter-book inserts."""

from __future__ import annotations

import re
from pathlib import Path

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


def lighten_pages(app: Sphinx, exception) -> None:
    """Remove from every written page the scripts it does not use (see above)."""
    if exception or app.builder.format != "html":
        return
    out = Path(app.outdir)
    as_you_type = (app.config.html_theme_options or {}).get("search_as_you_type", False)
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        lean = FONTAWESOME.sub("", text)
        if 'class="math' not in lean:
            lean = MATHJAX.sub("", lean)
        if page.name != "search.html" and not as_you_type:
            lean = SEARCH.sub("", lean)
        if lean != text:
            page.write_text(lean, encoding="utf-8")
    for script in (out / "_static" / "scripts").glob("fontawesome.js*"):
        script.unlink()


def setup(app: Sphinx) -> dict:
    app.connect("env-before-read-docs", drop_thebe_assets, priority=900)
    app.add_js_file(None, body=SEARCH_SUMMARY_OFF_ON_FILE, priority=201)
    app.connect("html-page-context", fix_citation_roles)
    app.connect("builder-inited", share_html_handlers)
    app.connect("build-finished", lighten_pages)
    app.connect("build-finished", queue_unwritten_pages_for_sitemap, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

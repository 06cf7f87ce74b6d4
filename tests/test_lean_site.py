"""The lighter site keeps its features: formulas render as native MathML (no MathJax), the subset icon font still
draws every icon the pages show, and the stylesheet purge keeps what pages use. (Size and speed targets are measured
by `make bench`, not asserted here.)"""

from __future__ import annotations

import re

from tools.css_purge import purge, vocabulary

MATH_PAGE = "chapters/07_what_happened_next.html"
ICON_PAGE = "chapters/01_war_and_ceasefire.html"
ICON_FONTS = ("Font Awesome 6 Free", "Font Awesome 6 Brands")


def test_formulas_are_mathml_without_mathjax(site, offline_page):
    html = (site / MATH_PAGE).read_text(encoding="utf-8")
    assert "<math" in html, f"{MATH_PAGE}: no MathML: are its formulas still rendered at build time?"
    assert not re.search(r"<script[^>]*mathjax|window\.MathJax", html, re.I), f"{MATH_PAGE} still loads MathJax"
    assert 'class="math notranslate nohighlight"' not in html, "TeX left for a script to typeset"
    page = offline_page.open(site / MATH_PAGE)
    sizes = page.eval_on_selector_all(
        "math",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height, e.namespaceURI]; })",
    )
    assert sizes, "no <math> element in the rendered page"
    for width, height, ns in sizes:
        assert ns == "http://www.w3.org/1998/Math/MathML"
        assert width > 0 and height > 0, "a formula takes no space: MathML not rendered"
    assert not page.evaluate("() => 'MathJax' in window")
    assert not offline_page.js_errors and not offline_page.external_requests


# Draw the icon's character with the font its ::before uses, and a character no font has: a glyph missing from the
# subset would draw the same "missing glyph" box (or nothing) as that character.
DRAWS_ITS_GLYPH = """sel => {
    const el = document.querySelector(sel), style = getComputedStyle(el, '::before');
    const ch = JSON.parse(style.content);
    const font = `${style.fontStyle} ${style.fontWeight} 40px ${style.fontFamily}`;
    const draw = text => { const c = document.createElement('canvas'); c.width = c.height = 64;
        const ctx = c.getContext('2d'); ctx.font = font; ctx.fillText(text, 8, 48); return c.toDataURL(); };
    return {ch: ch, font: font, differs: draw(ch) !== draw('\\u{10FFFD}'),
            inked: draw(ch) !== draw('')};
}"""


# The icons of the desktop header, where every icon shows; the theme switch shows the icon of its current mode.
ICONS = {
    "fa-magnifying-glass": None,
    "fa-bars": None,
    "fa-list": None,
    "fa-download": None,
    "fa-github": None,
    "fa-circle-half-stroke": None,
    "fa-sun": "light",
    "fa-moon": "dark",
}
# Marks the first visible element with the icon (the theme switch shows one of its three icons at a time).
PROBE_ICON = """icon => {
    const el = [...document.querySelectorAll('.' + icon)].find(e => e.getClientRects().length);
    if (!el) { return false; }
    el.setAttribute('data-icon-probe', icon);
    return true; }"""


def test_icons_draw_from_the_subset_font(site, offline_page):
    page = offline_page.open(site / ICON_PAGE)
    page.set_viewport_size({"width": 1400, "height": 900})
    problems = []
    for icon, mode in ICONS.items():
        if mode:
            page.evaluate("mode => { document.documentElement.dataset.mode = mode; }", mode)
        page.evaluate("() => document.fonts.ready.then(() => true)")
        if not page.evaluate(PROBE_ICON, icon):
            problems.append(f"{ICON_PAGE} shows no {icon} at 1400 px")
            continue
        selector = f'[data-icon-probe="{icon}"]'
        if not page.eval_on_selector(selector, "e => e.getBoundingClientRect().width") > 0:
            problems.append(f"{icon} is visible but has no width")
            continue
        drawn = page.evaluate(DRAWS_ITS_GLYPH, selector)
        if not (ICON_FONTS[0] in drawn["font"] or ICON_FONTS[1] in drawn["font"]):
            problems.append(f"{icon} is not drawn with Font Awesome: {drawn}")
        elif not (drawn["inked"] and drawn["differs"]):
            problems.append(f"{icon}: its glyph does not draw from {drawn['font']} (missing?)")
    assert not problems, "\n".join(problems)
    assert not offline_page.js_errors and not offline_page.external_requests


def test_every_icon_class_on_the_site_has_its_glyph(site):
    """Each fa-* class a page uses maps (in the shipped stylesheet) to a code point the shipped fonts contain."""
    from fontTools.ttLib import TTFont

    css = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    glyphs = {
        name: content
        for sels, content in re.findall(r'((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:"([^"]*)"\}', css)
        for name in re.findall(r"\.(fa-[a-z0-9-]+):", sels)
    }
    cmap: set[int] = set()
    for font in (site / "_static" / "vendor" / "fontawesome" / "webfonts").glob("*.woff2"):
        cmap |= set(TTFont(font).getBestCmap())
    used = set()
    for page in site.rglob("*.html"):
        used |= set(
            re.findall(
                r'class="[^"]*\b(fa-(?!solid\b|brands\b|regular\b|lg\b|sm\b|xs\b|fw\b)[a-z0-9-]+)',
                page.read_text(encoding="utf-8"),
            )
        )
    assert used, "no icon classes found: has the theme changed?"
    for name in sorted(used):
        assert name in glyphs, f"icon class {name} used but its rule was purged from the stylesheet"
        content = glyphs[name]
        point = int(content[1:], 16) if content.startswith("\\") else ord(content)
        assert point in cmap, f"icon {name} (U+{point:04X}) is missing from the subset fonts"


def test_css_purge_keeps_what_can_match_and_drops_the_rest():
    words, prefixes = vocabulary(
        [
            '<div class="card used"><i class="bs-tooltip-top"></i></div>',
            "el.classList.add('show'); const c = `bs-${x}`;",
        ]
    )
    css = (
        "/*! licence */.used{a:1}.unused{b:2}.used,.other{c:3}div>p{d:4}.card .unused{e:5}"
        "@media (min-width:1px){.show{f:6}.gone{g:7}}@media print{.gone{h:8}}"
        '@keyframes spin{from{x:0}to{x:1}}.card:not(.unused){i:9}html[data-theme=dark] .used{j:"}"}'
        ".bs-popover-auto{k:1}"
    )
    lean = purge(css, words, prefixes)
    for kept in (
        "/*! licence */",
        ".used{a:1}",
        ".used,.other{c:3}",
        "div>p{d:4}",
        ".show{f:6}",
        "@keyframes spin{from{x:0}to{x:1}}",
        ".card:not(.unused){i:9}",
        'html[data-theme=dark] .used{j:"}"}',
        ".bs-popover-auto{k:1}",
    ):
        assert kept in lean, kept
    for dropped in (".unused{b:2}", ".card .unused", ".gone", "@media print"):
        assert dropped not in lean, dropped


def test_no_mathjax_is_shipped(site):
    """MathML replaced MathJax: the build carries none of its files (1.7 MB the offline zip no longer holds)."""
    # lite/ (the browser app, `make lite`) is JupyterLab, which renders notebook mathematics with its own MathJax.
    shipped = [
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if "mathjax" in p.name.lower() and p.relative_to(site).parts[0] != "lite"
    ]
    assert not shipped, shipped


def test_repeated_inline_styles_keep_their_first_copy_only():
    from tools.sphinx_site import drop_repeated_styles

    a, b = "<style>.xp{color:red}</style>", '<style type="text/css">.t{margin:0}</style>'
    page = f"<head>{a}</head><body>{a}<p>x</p>{b}<div>{a}{b}</div></body>"
    assert drop_repeated_styles(page) == f"<head>{a}</head><body><p>x</p>{b}<div></div></body>"
    srcdoc = '<iframe srcdoc="&lt;style&gt;.xp{color:red}&lt;/style&gt;"></iframe>'
    assert drop_repeated_styles(a + srcdoc) == a + srcdoc, "a map frame's own styles are its own"


def test_built_pages_carry_each_inline_style_once(site):
    import re

    for page in site.rglob("*.html"):
        styles = re.findall(r"<style\b[^>]*>.*?</style>", page.read_text(encoding="utf-8"), re.S)
        assert len(styles) == len(set(styles)), f"{page.relative_to(site)} repeats an inline stylesheet"


def test_citation_hover_text_leaves_out_notes_and_links(site):
    """A citation link's title (its hover text) is the reference, not the bibliography's notes and links: those
    were repeated in every citing link (140 KB of chapter 7)."""
    import re

    html = (site / "chapters" / "07_what_happened_next.html").read_text(encoding="utf-8")
    titles = re.findall(
        r'<a class="reference internal" href="[^"]*bibliography\.html#cite-[^"]*" title="([^"]*)"', html
    )
    assert titles, "no citation link with a hover text in chapter 7"
    long = [t for t in titles if "URL:" in t or len(t) > 400]
    assert not long, f"{len(long)} hover text(s) carry links or notes, e.g. {long[0][:200]!r}"

"""Drop the style rules no page of the built site can match (used by tools/sphinx_site.py at the end of a build).

Conservative by construction: a rule stays unless every selector of it names a class or id that appears nowhere in
the site's pages (anywhere in their text, frames included) nor in any of its scripts (classes added at run time appear
there as strings; a string ending in "-" such as `bs-${placement}` keeps every class that starts with it). Selectors
inside :not()/:is()/:where()/:has() are ignored (which only keeps more). At-rules other than @media, @supports,
@layer and @container (keyframes, font faces ...) are kept as they are.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z_][\w-]*")
FUNCTIONAL = re.compile(r":(?:not|is|where|has|matches|-webkit-any|-moz-any)\(")
NAMES = re.compile(r"[.#](-?[A-Za-z_][\w-]*)")
GROUPING = ("@media", "@supports", "@layer", "@container", "@document")


def vocabulary(texts) -> tuple[set[str], tuple[str, ...]]:
    words: set[str] = set()
    for text in texts:
        words.update(WORD.findall(text))
    prefixes = tuple(sorted(w for w in words if w.endswith("-") and len(w) > 2))
    return words, prefixes


def _skip_string(css: str, i: int) -> int:
    quote = css[i]
    i += 1
    while i < len(css) and css[i] != quote:
        i += 2 if css[i] == "\\" else 1
    return i + 1


def _block_end(css: str, i: int) -> int:
    """Index just past the "}" closing the block whose "{" is at i."""
    depth = 0
    while i < len(css):
        c = css[i]
        if c in "\"'":
            i = _skip_string(css, i)
            continue
        if css.startswith("/*", i):
            i = css.find("*/", i + 2) + 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(css)


def _strip_functional(selector: str) -> str:
    while m := FUNCTIONAL.search(selector):
        depth, j = 1, m.end()
        while j < len(selector) and depth:
            depth += {"(": 1, ")": -1}.get(selector[j], 0)
            j += 1
        selector = selector[: m.start()] + selector[j:]
    return selector


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for j, c in enumerate(prelude):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(prelude[start:j])
            start = j + 1
    parts.append(prelude[start:])
    return parts


def _may_match(selector: str, words: set[str], prefixes: tuple[str, ...]) -> bool:
    bare = re.sub(r"\[[^\]]*\]", "", _strip_functional(selector))  # attribute values are not class names
    if "\\" in bare:
        return True
    return all(name in words or name.startswith(prefixes) for name in NAMES.findall(bare))


def purge(css: str, words: set[str], prefixes: tuple[str, ...]) -> str:
    out, i = [], 0
    while i < len(css):
        if css.startswith("/*", i):
            end = css.find("*/", i + 2) + 2
            if css.startswith("/*!", i):  # licence comments stay
                out.append(css[i:end])
            i = end
            continue
        if css[i].isspace():
            i += 1
            continue
        # the prelude runs to the first "{" or ";" outside strings and brackets
        j, depth = i, 0
        while j < len(css):
            c = css[j]
            if c in "\"'":
                j = _skip_string(css, j)
                continue
            if c in "([":
                depth += 1
            elif c in ")]":
                depth -= 1
            elif depth == 0 and c in "{;}":
                break
            j += 1
        if j >= len(css) or css[j] in ";}":  # @import/@charset statement, or stray text: keep
            out.append(css[i : j + 1])
            i = j + 1
            continue
        prelude, end = css[i:j], _block_end(css, j)
        if prelude.startswith("@"):
            if prelude.lower().startswith(GROUPING):
                inner = purge(css[j + 1 : end - 1], words, prefixes)
                if inner.strip():
                    out.append(prelude + "{" + inner + "}")
            else:
                out.append(css[i:end])
        elif any(_may_match(sel, words, prefixes) for sel in _split_selectors(prelude)):
            out.append(css[i:end])
        i = end
    return "".join(out)

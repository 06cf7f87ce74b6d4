"""The one explorer: a live ipywidget in Jupyter, a self-contained HTML page fragment in the book.

Every interactive figure of the book (the scenario trees, the bargaining illustration, the forecast scorer, the
timeline) is an `Explorer`. A subclass fills in its controls (`fieldsets`), the data its page needs (`page_data`),
the name of its compute function in `widgets/static/` and, for Jupyter, `build_widget`. The base gives them all the
same `html()`, `widget()`, `_repr_mimebundle_` (the live widget for JupyterLab, the static page for the book, a
deterministic text), the same error box and one browser runtime (`static/explorer.js`).

The static page: labelled fieldsets of controls, a JSON payload, and the runtime, which re-runs the compute function
`function (values, data, root) {...}` on every change. It returns `{html, status}` (the result replaces
`.xp-result`; without `html` the result is left as it is, e.g. when the function only hides items), or `{error}`
(shown in the visible `role="alert"` box, the result hidden, never stale). `values` maps each radio group's name to
its checked value, each number input's name to a Number (NaN when empty) and each checkbox group's name to the list
of ticked values. The root carries `data-xp-state="ok"|"error"` for tests. No network, no external script.
"""

from __future__ import annotations

import html
import itertools
import json

from widgets.render import static, style

_uids = itertools.count(1)


def next_uid(prefix: str) -> str:
    """A deterministic page-unique id: the prefix plus a counter that restarts with every kernel."""
    return f"{prefix}-{next(_uids)}"


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def error_box(message: str) -> str:
    """The one way an explorer shows bad input, live or static: a visible alert naming what is wrong."""
    return f'<p class="xp-error" role="alert">{_esc(message)}</p>'


def live_style() -> str:
    """The explorers' stylesheet for a live widget's HTML output (the static page carries it itself)."""
    return style("explorer.css")


def _control(uid: str, c: dict, cid: str) -> str:
    name = _esc(c["name"])
    if c["kind"] == "radio":
        checked = " checked" if c.get("checked") else ""
        return (
            f'<label for="{cid}"><input type="radio" id="{cid}" name="{_esc(uid)}-{name}" data-name="{name}" '
            f'value="{_esc(c["value"])}"{checked}> {_esc(c["label"])}</label>'
        )
    if c["kind"] == "number":
        return (
            f'<label for="{cid}">{_esc(c["label"])} <input type="number" id="{cid}" data-name="{name}" '
            f'value="{c["value"]!r}" min="{c.get("min", 0)}" max="{c.get("max", 1)}" step="{c.get("step", 0.01)}" '
            f'inputmode="decimal"></label>'
        )
    if c["kind"] == "complement":
        # The other state of a two-state factor: not an input, its value follows the first (1 - p), shown live.
        return (
            f'<span class="xp-complement">{_esc(c["label"])}: <output id="{cid}" data-name="{name}" '
            f'data-complement-of="{_esc(c["of"])}">{float(c["value"]):.2f}</output></span>'
        )
    if c["kind"] == "checkbox":
        # Checkbox groups keep their plain name (no radio-style grouping to keep apart between explorers).
        checked = " checked" if c.get("checked", True) else ""
        return (
            f'<label><input type="checkbox" name="{name}" value="{_esc(c["value"])}"{checked}> '
            f"{_esc(c['label'])}</label>"
        )
    raise ValueError(f"explorer {uid!r}: unknown control kind {c['kind']!r} (use 'radio', 'number' or 'checkbox')")


def explorer_html(
    uid: str,
    title: str,
    fieldsets: list[dict],
    data,
    compute_js: str,
    intro: str = "",
    *,
    classes: str = "",
    stylesheets: tuple[str, ...] = (),
    actions: tuple[tuple[str, str], ...] = (),
    result: str = "",
    status: str = "",
    status_class: str = "xp-sr",
    form_label: str = "",
) -> str:
    """A self-contained, offline HTML explorer (see the module's docstring for the runtime's contract).

    - `uid`: a page-unique id (letters, digits, '-'); every id and radio group name inside is prefixed with it.
    - `fieldsets`: `[{"legend": str, "controls": [control, ...], "help": str (optional)}]`; a control is
      `{"kind": "radio", "name", "value", "label", "checked"}`, `{"kind": "number", "name", "label", "value", "min",
      "max", "step"}` or `{"kind": "checkbox", "name", "value", "label", "checked"}`,
      or `{"kind": "complement", "name", "of", "label", "value"}` (shown, not entered: 1 - the number named `of`).
      Labels are plain text. A fieldset with `"advanced": summary` is folded in a <details> under that summary.
    - `data`: anything JSON-serialisable, embedded once and passed to the compute function.
    - `intro`: optional trusted HTML under the title; `classes`: extra classes of the root; `stylesheets`: extra
      files of widgets/static/ after explorer.css; `actions`: (value, label) buttons that tick all ("all") or no
      ("none") checkboxes; `result`/`status`: initial content of the result and of the status line, which is
      visually hidden unless `status_class` says otherwise.
    """
    root_class = " ".join(["xp", *classes.split()])
    # A named group, not a heading or landmark: explorers sit under any heading level, several to a page.
    parts = [
        f'<section class="{root_class}" id="{_esc(uid)}" role="group" aria-labelledby="{_esc(uid)}-title">',
        style("explorer.css", *stylesheets),
        f'<p class="xp-title" id="{_esc(uid)}-title"><strong>{_esc(title)}</strong></p>',
        # The result in one line that stays at the top of the explorer while its controls scroll (on a phone the
        # full result is screens below the control just changed). Screen readers hear the status line instead.
        f'<p class="xp-now" aria-hidden="true">{_esc(status)}</p>',
    ]
    if intro:
        parts.append(f"<div>{intro}</div>")
    label = f' aria-label="{_esc(form_label)}"' if form_label else ""
    parts.append(f'<form onsubmit="return false"{label}>')
    counter = itertools.count(1)
    for fs in fieldsets:
        if fs.get("advanced"):
            # Rarely changed inputs: folded, one tap (or Enter on the summary) away.
            parts.append(f'<details class="xp-advanced"><summary>{_esc(fs["advanced"])}</summary>')
        parts.append(f"<fieldset><legend>{_esc(fs['legend'])}</legend>")
        if fs.get("help"):
            parts.append(f"<p><small>{_esc(fs['help'])}</small></p>")
        kind = None
        for c in fs["controls"]:
            if c["kind"] != kind:
                # One line per kind of control: the radio group, then its probabilities.
                parts.append(("</div>" if kind else "") + '<div class="xp-row">')
                kind = c["kind"]
            parts.append(_control(uid, c, f"{uid}-c{next(counter)}"))
        parts.append(("</div>" if kind else "") + "</fieldset>" + ("</details>" if fs.get("advanced") else ""))
    if actions:
        buttons = " ".join(f'<button type="button" data-xp-set="{_esc(v)}">{_esc(lab)}</button>' for v, lab in actions)
        parts.append(f"<p>{buttons}</p>")
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    result = result or (
        "<noscript>This explorer needs JavaScript; the table in the text shows the same results.</noscript>"
    )
    runtime = static("explorer.js") % {"uid": json.dumps(uid), "compute": compute_js}
    parts += [
        "</form>",
        '<p class="xp-error" role="alert" aria-live="assertive" hidden></p>',
        f'<div class="xp-result">{result}</div>',
        f'<p class="xp-status {status_class}" role="status" aria-live="polite">{_esc(status)}</p>',
        f'<script type="application/json" class="xp-data">{payload}</script>',
        f"<script>{runtime}</script>",
        "</section>",
    ]
    return "\n".join(parts)


class Explorer:
    """Base of every explorer. Subclasses set `title`, `uid_prefix` and `compute` (a file of widgets/static/), and
    implement `fieldsets()`, `page_data()` and `build_widget()`; they may override `page_options()` (keyword
    arguments of `explorer_html`: intro, classes, stylesheets, ...)."""

    title = "Explorer"
    uid_prefix = "xp"
    compute = ""

    def __init__(self):
        # The id is fixed when the explorer is made, so its page is the same however often it is shown.
        self.uid = next_uid(self.uid_prefix)
        self._widget = None

    def fieldsets(self) -> list[dict]:
        raise NotImplementedError

    def page_data(self):
        raise NotImplementedError

    def page_options(self) -> dict:
        return {}

    def build_widget(self):
        raise NotImplementedError

    def html(self) -> str:
        """The self-contained static explorer for the book (computes in the page from the embedded data)."""
        return explorer_html(
            self.uid, self.title, self.fieldsets(), self.page_data(), static(self.compute), **self.page_options()
        )

    def widget(self):
        """The live ipywidgets view (built on first use): controls whose Python callbacks recompute."""
        if self._widget is None:
            self._widget = self.build_widget()
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget()._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = self.html()
        bundle["text/plain"] = repr(self)
        return bundle

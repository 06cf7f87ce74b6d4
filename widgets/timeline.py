"""A timeline of events filterable by actor and type: a live ipywidget in Jupyter, self-contained HTML in the book."""
from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable

import pandas as pd

from widgets.tables import format_date, source_html

REQUIRED = ("event_id", "date", "title", "actors", "type")
# Several actors share one cell, separated like the data package's multi-valued columns.
SEPARATOR = ";"
# How the data's actor ids read; an id not listed reads as itself with underscores as spaces, capitalised.
ACTOR_LABELS = {"nk_authorities": "Nagorno-Karabakh authorities", "osce": "OSCE", "usa": "United States",
                "soviet_union": "Soviet Union", "un": "United Nations", "eu": "European Union"}


class TimelineError(ValueError):
    """Events that cannot be shown as a timeline; the message names the column or the filter value."""


def actors_of(cell) -> list[str]:
    """The actors named in one `actors` cell (as labels), in order, without blanks."""
    return [actor_label(a.strip()) for a in str(cell).split(SEPARATOR) if a.strip()]


def actor_label(actor_id: str) -> str:
    """How an actor id of the data reads in the timeline ('nk_authorities' -> 'Nagorno-Karabakh authorities')."""
    return ACTOR_LABELS.get(actor_id, actor_id.replace("_", " ").capitalize() if actor_id.islower() else actor_id)


def checked_events(events: pd.DataFrame) -> pd.DataFrame:
    """The events sorted by date, after checking that the columns the timeline needs are there and filled."""
    missing = [c for c in REQUIRED if c not in events.columns]
    if missing:
        raise TimelineError(f"events table lacks column(s) {missing}; the timeline needs {list(REQUIRED)}")
    for col in REQUIRED:
        blank = events[col].isna() | (events[col].astype(str).str.strip() == "")
        if blank.any():
            raise TimelineError(f"events table: column {col!r} is empty in row {int(blank.to_numpy().argmax()) + 1}")
    out = events.copy()
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def facets(events: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The sorted actors and types that occur in `events` (the filter's choices)."""
    actors = sorted({a for cell in events["actors"] for a in actors_of(cell)})
    return actors, sorted(set(events["type"].astype(str)))


def filtered_events(events: pd.DataFrame, actors: Iterable[str], types: Iterable[str]) -> pd.DataFrame:
    """Events of a chosen type that involve at least one chosen actor (the rule the static page's script applies)."""
    events = checked_events(events)
    known_actors, known_types = facets(events)
    actors, types = set(actors), set(types)
    for value, known, what in ((actors, known_actors, "actor"), (types, known_types, "type")):
        unknown = sorted(value - set(known))
        if unknown:
            raise TimelineError(f"unknown {what}(s) {unknown}; choose from {known}")
    keep = [kept(actors_of(a), t, actors, types) for a, t in zip(events["actors"], events["type"])]
    return events[keep].reset_index(drop=True)


def kept(event_actors: Iterable[str], event_type: str, actors: set[str], types: set[str]) -> bool:
    """The filter rule for one event: its type is chosen and at least one of its actors is."""
    return event_type in types and not actors.isdisjoint(event_actors)


def _item(row: dict) -> str:
    who = actors_of(row["actors"])
    detail = f' <span class="cf-tl-detail">{escape(row["description"])}</span>' if _filled(row.get("description")) else ""
    source = f" {source_html(row['source'])}" if _filled(row.get("source")) else ""
    return (f'<li data-event="{escape(row["event_id"])}" data-actors="{escape(json.dumps(who))}" '
            f'data-type="{escape(row["type"])}"><time datetime="{row["date"].date().isoformat()}">'
            f'{format_date(row["date"])}</time> <strong>{escape(row["title"])}</strong>{detail} '
            f'<span class="cf-tl-tags">{escape(", ".join(who))} · {escape(row["type"])}</span>{source}</li>')


def _filled(value) -> bool:
    return value is not None and not pd.isna(value) and str(value).strip() != ""


def escape(value) -> str:
    return html.escape(str(value), quote=True)


def items_html(events: pd.DataFrame) -> str:
    """The events as an ordered list (the same markup in the live widget and the static page)."""
    return "<ol class=\"cf-tl-list\">" + "".join(_item(r) for r in events.to_dict("records")) + "</ol>"


def _count_text(shown: int, total: int) -> str:
    return f"Showing {shown} of {total} events"


STYLE = """<style>
.cf-tl{font-size:.95em}
.cf-tl fieldset{display:inline-block;vertical-align:top;margin:0 1em .5em 0;padding:.3em .8em;
  border:1px solid currentColor;border-radius:4px}
.cf-tl fieldset label{display:inline-block;margin-right:.9em;white-space:nowrap}
.cf-tl input:focus-visible,.cf-tl button:focus-visible{outline:2px solid currentColor;outline-offset:2px}
.cf-tl-list{list-style:none;padding-left:0;border-left:2px solid currentColor;margin-left:.4em}
.cf-tl-list li{padding:.25em 0 .25em .8em}
.cf-tl-list time{font-variant-numeric:tabular-nums;font-weight:600;margin-right:.4em}
.cf-tl-list cite{font-style:normal;opacity:.8;font-size:.9em}
.cf-tl-tags{opacity:.8;font-size:.9em}
.cf-tl [hidden]{display:none}
</style>"""

SCRIPT = """<script>(function(){
var root=document.getElementById(%(id)s);if(!root)return;
var boxes=root.querySelectorAll('input[type=checkbox]'),items=root.querySelectorAll('li[data-event]');
var status=root.querySelector('.cf-tl-count'),empty=root.querySelector('.cf-tl-empty');
function chosen(name){var s={};root.querySelectorAll('input[name='+name+']').forEach(function(b){if(b.checked)s[b.value]=1;});return s;}
function apply(){var a=chosen('actor'),t=chosen('type'),n=0;
 items.forEach(function(li){var who=JSON.parse(li.getAttribute('data-actors'));
  var show=!!t[li.getAttribute('data-type')]&&who.some(function(x){return a[x];});
  li.hidden=!show;if(show)n++;});
 status.textContent='Showing '+n+' of '+items.length+' events';empty.hidden=n>0;}
boxes.forEach(function(b){b.addEventListener('change',apply);});
root.querySelectorAll('button[data-set]').forEach(function(btn){btn.addEventListener('click',function(){
 var on=btn.getAttribute('data-set')==='all';boxes.forEach(function(b){b.checked=on;});apply();});});
apply();})();</script>"""


def _fieldset(name: str, legend: str, values: list[str], counts: dict[str, int]) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" name="{name}" value="{html.escape(v)}" checked> '
        f'{html.escape(v)} ({counts[v]})</label>' for v in values)
    return f'<fieldset><legend>{legend}</legend>{boxes}</fieldset>'


class Timeline:
    """Events shown as a filterable timeline; Jupyter gets the live widget, the book the self-contained HTML."""

    def __init__(self, events: pd.DataFrame, title: str):
        self.events = checked_events(events)
        self.title = title
        self.actors, self.types = facets(self.events)
        digest = hashlib.sha256(items_html(self.events).encode()).hexdigest()[:10]
        self.key = f"cf-tl-{digest}"

    def __repr__(self) -> str:
        return f"Timeline({self.title!r}, {len(self.events)} events)"

    def _counts(self) -> tuple[dict, dict]:
        actor_counts = {a: sum(a in actors_of(c) for c in self.events["actors"]) for a in self.actors}
        type_counts = self.events["type"].astype(str).value_counts().to_dict()
        return actor_counts, type_counts

    def html(self) -> str:
        """The self-contained timeline: every event in the page, filtered by a few lines of inline script."""
        actor_counts, type_counts = self._counts()
        n = len(self.events)
        return (f'<div class="cf-tl" id="{self.key}">{STYLE}'
                f'<p class="cf-tl-title"><strong>{html.escape(self.title)}</strong></p>'
                f'<form class="cf-tl-filters" aria-label="Filter the timeline" onsubmit="return false">'
                f'{_fieldset("actor", "Actor", self.actors, actor_counts)}'
                f'{_fieldset("type", "Type", self.types, type_counts)}'
                f'<p><button type="button" data-set="all">Select all</button> '
                f'<button type="button" data-set="none">Clear all</button></p></form>'
                f'<p class="cf-tl-count" role="status" aria-live="polite">{_count_text(n, n)}</p>'
                f'{items_html(self.events)}'
                f'<p class="cf-tl-empty" hidden>No event matches: tick at least one actor and one type.</p>'
                f'{SCRIPT % {"id": json.dumps(self.key)}}</div>')

    def widget(self):
        """The live version: ticking a box re-filters the events in Python."""
        import ipywidgets

        actor_counts, type_counts = self._counts()
        actor_boxes = [ipywidgets.Checkbox(value=True, description=f"{a} ({actor_counts[a]})", indent=False)
                       for a in self.actors]
        type_boxes = [ipywidgets.Checkbox(value=True, description=f"{t} ({type_counts[t]})", indent=False)
                      for t in self.types]
        status = ipywidgets.HTML()
        listing = ipywidgets.HTML()
        # Rendered once: a click only re-selects items, so the widget answers at once even with many boxes.
        items = [(actors_of(r["actors"]), r["type"], _item(r)) for r in self.events.to_dict("records")]

        def refresh(_=None):
            actors = {a for a, b in zip(self.actors, actor_boxes) if b.value}
            types = {t for t, b in zip(self.types, type_boxes) if b.value}
            chosen = [item for who, kind, item in items if kept(who, kind, actors, types)]
            status.value = f'<p role="status">{_count_text(len(chosen), len(items))}</p>'
            listing.value = STYLE + f'<div class="cf-tl"><ol class="cf-tl-list">{"".join(chosen)}</ol></div>'

        for box in actor_boxes + type_boxes:
            box.observe(refresh, names="value")
        refresh()
        return ipywidgets.VBox([
            ipywidgets.HTML(f"<strong>{html.escape(self.title)}</strong>"),
            ipywidgets.HBox([ipywidgets.VBox([ipywidgets.Label("Actor")] + actor_boxes),
                             ipywidgets.VBox([ipywidgets.Label("Type")] + type_boxes)]),
            status, listing])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget()._repr_mimebundle_()
        bundle["text/html"] = self.html()
        bundle["text/plain"] = repr(self)
        return bundle


def timeline(events: pd.DataFrame, since: str | None = None, until: str | None = None,
             title: str = "Timeline") -> Timeline:
    """A filterable timeline of the events dated from `since` to `until` (ISO dates, both inclusive)."""
    events = checked_events(events)
    if since:
        events = events[events["date"] >= pd.Timestamp(since)]
    if until:
        events = events[events["date"] <= pd.Timestamp(until)]
    if events.empty:
        raise TimelineError(f"no event between {since or 'the start'} and {until or 'the end'}")
    return Timeline(events, title)

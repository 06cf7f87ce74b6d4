"""A timeline of events filterable by actor and type: an `Explorer` (live ipywidget in Jupyter, self-contained HTML
in the book), its filter rule the same in Python (`kept`) and in the page (static/timeline.js)."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable, Mapping

import pandas as pd

from widgets.explorer import Explorer
from widgets.render import bibliography, book_data, category_labels, format_date, source_html, style

REQUIRED = ("event_id", "date", "title", "actors", "type")
# Several actors share one cell, separated like the data package's multi-valued columns.
SEPARATOR = ";"


class TimelineError(ValueError):
    """Events that cannot be shown as a timeline; the message names the column or the filter value."""


def actors_of(cell, labels: Mapping[str, str] | None = None) -> list[str]:
    """The actors named in one `actors` cell (as labels), in order, without blanks."""
    labels = labels if labels is not None else category_labels(None, "events", "actors")
    return [actor_label(a.strip(), labels) for a in str(cell).split(SEPARATOR) if a.strip()]


def actor_label(actor_id: str, labels: Mapping[str, str]) -> str:
    """How an actor id reads ('nk_authorities' -> 'Nagorno-Karabakh authorities'): the `categories` of events.actors
    in data/datapackage.json; an id not listed reads as itself with underscores as spaces, capitalised."""
    return labels.get(actor_id, actor_id.replace("_", " ").capitalize() if actor_id.islower() else actor_id)


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


def facets(events: pd.DataFrame, labels: Mapping[str, str] | None = None) -> tuple[list[str], list[str]]:
    """The sorted actors and types that occur in `events` (the filter's choices)."""
    actors = sorted({a for cell in events["actors"] for a in actors_of(cell, labels)})
    return actors, sorted(set(events["type"].astype(str)))


def filtered_events(
    events: pd.DataFrame, actors: Iterable[str], types: Iterable[str], labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Events of a chosen type that involve at least one chosen actor (the rule the static page's script applies)."""
    events = checked_events(events)
    labels = labels if labels is not None else category_labels(None, "events", "actors")
    known_actors, known_types = facets(events, labels)
    actors, types = set(actors), set(types)
    for value, known, what in ((actors, known_actors, "actor"), (types, known_types, "type")):
        unknown = sorted(value - set(known))
        if unknown:
            raise TimelineError(f"unknown {what}(s) {unknown}; choose from {known}")
    keep = [kept(actors_of(a, labels), t, actors, types) for a, t in zip(events["actors"], events["type"])]
    return events[keep].reset_index(drop=True)


def kept(event_actors: Iterable[str], event_type: str, actors: set[str], types: set[str]) -> bool:
    """The filter rule for one event: its type is chosen and at least one of its actors is."""
    return event_type in types and not actors.isdisjoint(event_actors)


def _item(row: dict, bib: Mapping, labels: Mapping[str, str]) -> str:
    who = actors_of(row["actors"], labels)
    detail = (
        f' <span class="cf-tl-detail">{escape(row["description"])}</span>' if _filled(row.get("description")) else ""
    )
    source = f" {source_html(row['source'], bib)}" if _filled(row.get("source")) else ""
    return (
        f'<li data-event="{escape(row["event_id"])}" data-actors="{escape(json.dumps(who))}" '
        f'data-type="{escape(row["type"])}"><time datetime="{row["date"].date().isoformat()}">'
        f"{format_date(row['date'])}</time> <strong>{escape(row['title'])}</strong>{detail} "
        f'<span class="cf-tl-tags">{escape(", ".join(who))} · {escape(row["type"])}</span>{source}</li>'
    )


def _filled(value) -> bool:
    return value is not None and not pd.isna(value) and str(value).strip() != ""


def escape(value) -> str:
    return html.escape(str(value), quote=True)


def items_html(events: pd.DataFrame, bib: Mapping, labels: Mapping[str, str]) -> str:
    """The events as an ordered list (the same markup in the live widget and the static page)."""
    return '<ol class="cf-tl-list">' + "".join(_item(r, bib, labels) for r in events.to_dict("records")) + "</ol>"


def _count_text(shown: int, total: int) -> str:
    return f"Showing {shown} of {total} events"


class Timeline(Explorer):
    """Events shown as a filterable timeline; Jupyter gets the live widget, the book the self-contained HTML."""

    uid_prefix = "cf-tl"
    compute = "timeline.js"

    def __init__(self, events: pd.DataFrame, title: str, *, data: Mapping | None = None):
        d = book_data(data)
        self.bib, self.labels = bibliography(d), category_labels(d, "events", "actors")
        self.events = checked_events(events)
        self.title = title
        self.actors, self.types = facets(self.events, self.labels)
        self._widget = None
        # The id follows the events shown, not the order of the page's explorers (no counter is used up).
        digest = hashlib.sha256(items_html(self.events, self.bib, self.labels).encode()).hexdigest()[:10]
        self.uid = self.key = f"cf-tl-{digest}"

    def __repr__(self) -> str:
        return f"Timeline({self.title!r}, {len(self.events)} events)"

    def _counts(self) -> tuple[dict, dict]:
        actor_counts = {a: sum(a in actors_of(c, self.labels) for c in self.events["actors"]) for a in self.actors}
        type_counts = self.events["type"].astype(str).value_counts().to_dict()
        return actor_counts, type_counts

    def fieldsets(self) -> list[dict]:
        actor_counts, type_counts = self._counts()
        groups = (("actor", "Actor", self.actors, actor_counts), ("type", "Type", self.types, type_counts))
        return [
            {
                "legend": legend,
                "controls": [
                    {"kind": "checkbox", "name": name, "value": v, "label": f"{v} ({counts[v]})"} for v in values
                ],
            }
            for name, legend, values, counts in groups
        ]

    def page_data(self) -> dict:
        # Every event is in the page as a list item; the script only hides and shows them.
        return {}

    def page_options(self) -> dict:
        n = len(self.events)
        empty = '<p class="cf-tl-empty" hidden>No event matches: tick at least one actor and one type.</p>'
        return {
            "classes": "cf-tl",
            "stylesheets": ("timeline.css",),
            "form_label": "Filter the timeline",
            "actions": (("all", "Select all"), ("none", "Clear all")),
            "status": _count_text(n, n),
            "status_class": "cf-tl-count",
            "result": items_html(self.events, self.bib, self.labels) + empty,
        }

    def build_widget(self):
        """The live version: ticking a box re-filters the events in Python."""
        import ipywidgets

        actor_counts, type_counts = self._counts()
        actor_boxes = [
            ipywidgets.Checkbox(value=True, description=f"{a} ({actor_counts[a]})", indent=False) for a in self.actors
        ]
        type_boxes = [
            ipywidgets.Checkbox(value=True, description=f"{t} ({type_counts[t]})", indent=False) for t in self.types
        ]
        status = ipywidgets.HTML()
        listing = ipywidgets.HTML()
        # Rendered once: a click only re-selects items, so the widget answers at once even with many boxes.
        items = [
            (actors_of(r["actors"], self.labels), r["type"], _item(r, self.bib, self.labels))
            for r in self.events.to_dict("records")
        ]

        def refresh(_=None):
            actors = {a for a, b in zip(self.actors, actor_boxes) if b.value}
            types = {t for t, b in zip(self.types, type_boxes) if b.value}
            chosen = [item for who, kind, item in items if kept(who, kind, actors, types)]
            status.value = f'<p role="status">{_count_text(len(chosen), len(items))}</p>'
            listing.value = (
                style("timeline.css") + f'<div class="cf-tl"><ol class="cf-tl-list">{"".join(chosen)}</ol></div>'
            )

        for box in actor_boxes + type_boxes:
            box.observe(refresh, names="value")
        refresh()
        return ipywidgets.VBox(
            [
                ipywidgets.HTML(f"<strong>{html.escape(self.title)}</strong>"),
                ipywidgets.HBox(
                    [
                        ipywidgets.VBox([ipywidgets.Label("Actor")] + actor_boxes),
                        ipywidgets.VBox([ipywidgets.Label("Type")] + type_boxes),
                    ]
                ),
                status,
                listing,
            ]
        )


def timeline(
    since: str | None = None, until: str | None = None, title: str = "Timeline", *, data: Mapping | None = None
) -> Timeline:
    """A filterable timeline of the events of data/events.csv dated from `since` to `until` (ISO dates, inclusive)."""
    d = book_data(data)
    events = checked_events(d["events"])
    if since:
        events = events[events["date"] >= pd.Timestamp(since)]
    if until:
        events = events[events["date"] <= pd.Timestamp(until)]
    if events.empty:
        raise TimelineError(f"no event between {since or 'the start'} and {until or 'the end'}")
    return Timeline(events, title, data=d)

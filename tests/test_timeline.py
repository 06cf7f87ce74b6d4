"""Unit tests of widgets.timeline: checks, filtering rule, the static HTML and the live widget."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from widgets.timeline import TimelineError, actors_of, facets, filtered_events, timeline

EVENTS = pd.DataFrame(
    {
        "event_id": ["offensive", "border", "blockade", "assad", "early"],
        "date": ["2023-09-19", "2022-09-13", "2022-12-12", "2024-12-08", "2019-01-01"],
        "title": ["Offensive", "Border fighting", "Corridor blocked", "Fall of Assad", "Too early"],
        "description": ["One day.", "", "Protesters.", "From Idlib.", ""],
        "actors": ["azerbaijan; nk_authorities", "armenia;azerbaijan", "azerbaijan", "syria", "armenia"],
        "type": ["war", "war", "closure", "war", "politics"],
        "source": ["kyivindependent2023toll", "qna2022border", "newsam2022blockade", "euaa2025syria", ""],
    }
)


def test_actors_are_split_and_trimmed():
    assert actors_of("azerbaijan; nk_authorities") == ["Azerbaijan", "Nagorno-Karabakh authorities"]
    assert actors_of(" ;armenia; ") == ["Armenia"] and actors_of("usa") == ["United States"]


def test_events_are_dated_and_sorted_within_the_window():
    t = timeline(data={"events": EVENTS}, since="2021-01-01")
    assert list(t.events["title"]) == ["Border fighting", "Corridor blocked", "Offensive", "Fall of Assad"]
    assert t.actors == ["Armenia", "Azerbaijan", "Nagorno-Karabakh authorities", "Syria"]


def test_filter_keeps_events_with_a_chosen_type_and_any_chosen_actor():
    kept = filtered_events(EVENTS, actors=["Nagorno-Karabakh authorities", "Armenia"], types=["war"])
    assert list(kept["title"]) == ["Border fighting", "Offensive"]
    assert filtered_events(EVENTS, actors=["Syria"], types=["closure"]).empty


@pytest.mark.parametrize(
    "frame, words",
    [
        (EVENTS.drop(columns="type"), "lacks column(s) ['type']"),
        (EVENTS.assign(actors=["x", "", "y", "z", "w"]), "column 'actors' is empty in row 2"),
    ],
)
def test_bad_events_raise_clear_errors(frame, words):
    with pytest.raises(TimelineError, match=re.escape(words)):
        timeline(data={"events": frame})


def test_unknown_filter_values_and_empty_windows_are_refused():
    with pytest.raises(TimelineError, match=r"unknown actor\(s\) \['Russia'\]"):
        filtered_events(EVENTS, actors=["Russia"], types=["war"])
    with pytest.raises(TimelineError, match="no event between 2030-01-01"):
        timeline(data={"events": EVENTS}, since="2030-01-01")


def test_static_html_carries_every_event_with_its_facets():
    t = timeline(data={"events": EVENTS}, since="2021-01-01", title="Since 2021")
    out = t.html()
    items = re.findall(r'<li data-event="([^"]+)" data-actors="([^"]+)" data-type="([^"]+)"', out)
    assert len(items) == len(t.events)
    assert [json.loads(a.replace("&quot;", '"')) for _, a, _ in items] == [actors_of(a) for a in t.events["actors"]]
    actors, types = facets(t.events)
    assert out.count('name="actor"') == len(actors) and out.count('name="type"') == len(types)
    assert 'role="status"' in out and "<fieldset>" in out and "<legend>Actor</legend>" in out
    assert t.html() == timeline(data={"events": EVENTS}, since="2021-01-01", title="Since 2021").html()


def test_live_widget_refilters_when_a_box_is_unticked():
    box = timeline(data={"events": EVENTS}, since="2021-01-01").widget()
    filters, status, listing = box.children[1], box.children[2], box.children[3]
    actor_boxes = filters.children[0].children[1:]
    before = listing.value
    next(b for b in actor_boxes if b.description.startswith("Azerbaijan")).value = False
    assert listing.value != before
    assert "Showing 3 of 4 events" in status.value
    assert "Corridor blocked" not in listing.value and "Fall of Assad" in listing.value

"""The built chapter "What happened next" from file:// with the network aborted: the forecast scorer shows no outcome
until the reader presses "Score my forecasts", then its JavaScript scores exactly as Python does on random inputs and
refuses bad input visibly; the timeline filters as Python does."""

from __future__ import annotations

import json
import random

import pytest

from widgets.data import load
from widgets.forecasts import CLIP, ESSAY_LABEL, SCORE_BUTTON, STATUS_BEFORE, scores
from widgets.timeline import facets, filtered_events, timeline

pytestmark = pytest.mark.browser

PAGE = "chapters/07_what_happened_next.html"
RANDOM_INPUTS = 250
TIMELINE_SINCE = "2021-01-01"

SET_AND_READ = """([uid, values]) => {
  const root = document.getElementById(uid);
  for (const [name, value] of Object.entries(values)) {
    root.querySelector(`input[data-name="${name}"]`).value = value;
  }
  root.querySelector('input').dispatchEvent(new Event('input', {bubbles: true}));
  const read = sel => root.querySelector(sel)?.getAttribute('data-value') ?? null;
  const items = {};
  root.querySelectorAll('tr[data-forecast]').forEach(tr => {
    items[tr.getAttribute('data-forecast')] = [tr.querySelector('.cf-fs-b')?.getAttribute('data-value') ?? null,
                                               tr.querySelector('.cf-fs-l')?.getAttribute('data-value') ?? null];
  });
  return {state: root.getAttribute('data-xp-state'), brier: read('.cf-fs-brier'), log: read('.cf-fs-log'), items,
          error: root.querySelector('.xp-error').hidden ? '' : root.querySelector('.xp-error').textContent,
          resultHidden: root.querySelector('.xp-result').hidden};
}"""


@pytest.fixture
def chapter(offline_page, site):
    return offline_page, offline_page.open(site / PAGE)


def _scorer(page) -> tuple[str, dict]:
    uid = page.evaluate("() => document.querySelector('section.xp[id^=forecast-scorer]').id")
    data = json.loads(
        page.evaluate(f"() => document.getElementById('{uid}').querySelector('script.xp-data').textContent")
    )
    return uid, data


def _random_probability(rng: random.Random) -> float:
    # Mostly anywhere in [0, 1], sometimes the edges where clipping matters.
    return rng.choice([0.0, 1.0, CLIP / 2, 1 - CLIP / 2, CLIP, round(rng.random(), 2)] + [rng.random()] * 6)


def test_scorer_matches_python_refuses_bad_input_and_works_from_the_keyboard(chapter):
    """One page load for the checks of the scorer (page loads dominate this test's time)."""
    probe, page = chapter
    uid, data = _scorer(page)
    _check_hidden_until_asked(page, uid, data)
    _check_random_inputs(page, uid, data)
    _check_bad_inputs(page, uid, data)
    _check_keyboard(page, uid, data)
    probe.assert_clean()


HIDDEN = """(uid) => {
  const root = document.getElementById(uid);
  return {text: root.innerText, scoreCells: root.querySelectorAll('.cf-fs-b, .cf-fs-l, .cf-fs-brier').length,
          headers: Array.from(root.querySelectorAll('.xp-result thead th')).map(th => th.textContent),
          status: root.querySelector('.xp-status').textContent, state: root.getAttribute('data-xp-state')};
}"""


def _check_hidden_until_asked(page, uid, data):
    """Before the button: no outcome, no score, no essay's mean in the visible page, even after editing a box; the
    button works from the keyboard and moves the focus to the revealed table."""
    for step in ("loaded", "edited"):
        shown = page.evaluate(HIDDEN, uid)
        assert shown["state"] == "ok" and shown["scoreCells"] == 0, step
        assert shown["headers"] == ["Forecast", "Essay", "You"], step
        assert "Happened" not in shown["text"] and ESSAY_LABEL not in shown["text"], step
        assert shown["status"] == STATUS_BEFORE, step
        page.evaluate(SET_AND_READ, [uid, {data["forecasts"][0]["id"]: "0.35"}])
    button = page.locator(f"#{uid} button[data-xp-set='score']")
    assert button.text_content() == SCORE_BUTTON and button.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    shown = page.evaluate(HIDDEN, uid)
    assert shown["headers"][:4] == ["Forecast", "Essay", "You", "Happened"] and shown["scoreCells"] > 0
    assert ESSAY_LABEL in shown["text"] and shown["status"].startswith("Your mean Brier score")
    assert page.evaluate(f"() => document.activeElement === document.querySelector('#{uid} .xp-result table')")


def _check_random_inputs(page, uid, data):
    outcomes = {f["id"]: f["outcome"] for f in data["forecasts"]}
    assert outcomes == {f: int(o) for f, o in zip(*_scored_columns())}, "the page's data is not the package's"
    rng = random.Random(20201110)
    inputs = [{f: _random_probability(rng) for f in outcomes} for _ in range(RANDOM_INPUTS)]
    # One round trip for all inputs: the page scores each in turn and reports what it showed.
    results = page.evaluate(
        f"([uid, all]) => all.map(values => ({SET_AND_READ})([uid, values]))",
        [uid, [{f: repr(p) for f, p in given.items()} for given in inputs]],
    )
    for given, shown in zip(inputs, results, strict=True):
        expected = scores(given, outcomes)
        assert shown["state"] == "ok" and not shown["error"], given
        assert float(shown["brier"]) == pytest.approx(expected["brier"], rel=1e-12, abs=1e-15)
        assert float(shown["log"]) == pytest.approx(expected["log"], rel=1e-12, abs=1e-15)
        for f, (b, l) in shown["items"].items():
            assert float(b) == pytest.approx(expected["items"][f]["brier"], rel=1e-12, abs=1e-15)
            assert float(l) == pytest.approx(expected["items"][f]["log"], rel=1e-12, abs=1e-15)


def _scored_columns():
    from widgets.forecasts import scored_forecasts

    rows = scored_forecasts(load()["forecasts"])
    return rows["forecast_id"], rows["outcome"]


BAD_INPUTS = [
    ("1.5", "outside [0, 1]"),
    ("-0.2", "outside [0, 1]"),
    ("", "not a number"),
    ("abc", "not a number"),
    ("NaN", "not a number"),
]


def _check_bad_inputs(page, uid, data):
    for f in (data["forecasts"][0], data["forecasts"][-1]):
        for bad, words in BAD_INPUTS:
            shown = page.evaluate(SET_AND_READ, [uid, {f["id"]: bad}])
            assert shown["state"] == "error" and words in shown["error"] and f["label"] in shown["error"], bad
            assert shown["resultHidden"] and shown["brier"] is None, f"{bad!r}: a stale or wrong score is visible"
            assert page.locator(f"#{uid} .xp-error").is_visible()
            recovered = page.evaluate(SET_AND_READ, [uid, {f["id"]: "0.5"}])
            assert recovered["state"] == "ok" and recovered["brier"] is not None


def _check_keyboard(page, uid, data):
    first = page.locator(f"#{uid} input[data-name='{data['forecasts'][0]['id']}']")
    before = page.locator(f"#{uid} .cf-fs-brier").get_attribute("data-value")
    first.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(repr(1 - data["forecasts"][0]["essay"]))
    assert page.locator(f"#{uid} .cf-fs-brier").get_attribute("data-value") != before
    assert page.locator(f"#{uid} .xp-status").text_content().startswith("Your mean Brier score")


TIMELINE_SET = """([actors, types]) => {
  const root = document.querySelector('.cf-tl');
  root.querySelectorAll('input[name=actor]').forEach(b => { b.checked = actors.includes(b.value); });
  root.querySelectorAll('input[name=type]').forEach(b => { b.checked = types.includes(b.value); });
  root.querySelector('input[name=actor]').dispatchEvent(new Event('change', {bubbles: true}));
  return {shown: Array.from(root.querySelectorAll('li[data-event]')).filter(li => !li.hidden)
                   .map(li => li.getAttribute('data-event')),
          status: root.querySelector('.cf-tl-count').textContent,
          emptyShown: !root.querySelector('.cf-tl-empty').hidden};
}"""


def test_timeline_filters_like_python_and_works_from_the_keyboard(chapter):
    probe, page = chapter
    events = timeline(since=TIMELINE_SINCE).events
    actors, types = facets(events)
    _check_filters(page, events, actors, types)
    _check_timeline_keyboard(page, events, actors, types)
    probe.assert_clean()


def _check_filters(page, events, actors, types):
    rng = random.Random(20230919)
    choices = [(actors, types), ([], types), (actors, [])]
    choices += [
        (rng.sample(actors, rng.randint(1, len(actors))), rng.sample(types, rng.randint(1, len(types))))
        for _ in range(40)
    ]
    for chosen_actors, chosen_types in choices:
        shown = page.evaluate(TIMELINE_SET, [chosen_actors, chosen_types])
        expected = list(filtered_events(events, chosen_actors, chosen_types)["event_id"])
        assert shown["shown"] == expected, (chosen_actors, chosen_types)
        assert shown["status"] == f"Showing {len(expected)} of {len(events)} events"
        assert shown["emptyShown"] == (not expected)


def _check_timeline_keyboard(page, events, actors, types):
    page.evaluate(TIMELINE_SET, [actors, types])
    box = page.locator(".cf-tl input[name=actor]").first
    box.focus()
    page.keyboard.press("Space")
    assert not box.is_checked()
    expected = filtered_events(events, actors[1:], types)
    assert page.locator(".cf-tl .cf-tl-count").text_content() == f"Showing {len(expected)} of {len(events)} events"
    page.keyboard.press("Space")
    assert page.locator(".cf-tl .cf-tl-count").text_content() == f"Showing {len(events)} of {len(events)} events"

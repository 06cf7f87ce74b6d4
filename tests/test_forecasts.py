"""Unit tests of widgets.forecasts: the scoring rules, their errors, data/forecasts.csv's own rules, and the scorer."""

from __future__ import annotations

import json
import math
import re
from html import escape

import pandas as pd
import pytest

from widgets.data import load
from widgets.forecasts import (
    CLIP,
    ESSAY_LABEL,
    SCORE_BUTTON,
    VERDICT_ORDER,
    ForecastError,
    ForecastScorer,
    baseline_scores,
    brier_score,
    checked_probability,
    essay_scores,
    fixed,
    forecast_numbers,
    forecaster_score_table,
    likelihood_table,
    log_score,
    score_table,
    scored_forecasts,
    scores,
    verdict_table,
)


@pytest.fixture(scope="module")
def forecasts() -> pd.DataFrame:
    return load()["forecasts"]


@pytest.fixture(scope="module")
def words() -> pd.DataFrame:
    return load()["probability_words"]


def test_brier_is_squared_error():
    assert brier_score(0.7, 1) == pytest.approx(0.3**2)
    assert brier_score(0.7, 0) == pytest.approx(0.7**2)
    assert brier_score(1.0, 1) == 0.0 and brier_score(0.0, 1) == 1.0


def test_log_score_is_negative_log_of_the_probability_of_what_happened():
    assert log_score(0.7, 1) == pytest.approx(-math.log(0.7))
    assert log_score(0.7, 0) == pytest.approx(-math.log(0.3))


@pytest.mark.parametrize("p, outcome", [(0.0, 1), (1.0, 0), (0.0, 0), (1.0, 1)])
def test_log_score_clips_certainty_instead_of_returning_infinity(p, outcome):
    value = log_score(p, outcome)
    assert math.isfinite(value)
    wrong = (p == 0.0 and outcome == 1) or (p == 1.0 and outcome == 0)
    assert value == pytest.approx(-math.log(CLIP) if wrong else -math.log(1 - CLIP))


def test_clipping_leaves_inner_probabilities_alone():
    assert log_score(CLIP * 2, 1) == pytest.approx(-math.log(CLIP * 2))


@pytest.mark.parametrize(
    "bad, words",
    [
        (-0.1, "outside [0, 1]"),
        (1.5, "outside [0, 1]"),
        (float("nan"), "NaN"),
        (float("inf"), "outside [0, 1]"),
        ("0.5", "must be a number"),
        (True, "must be a number"),
        (None, "must be a number"),
    ],
)
def test_bad_probabilities_raise_a_clear_error_naming_the_forecast(bad, words):
    with pytest.raises(ForecastError, match=re.escape(words)) as err:
        checked_probability(bad, "forecast 'x'")
    assert "forecast 'x'" in str(err.value)


def test_scores_name_the_forecast_with_the_bad_probability():
    with pytest.raises(ForecastError, match=r"forecast 'b'.*outside \[0, 1\]"):
        scores({"a": 0.5, "b": 2.0}, {"a": 1, "b": 0})


def test_scores_reject_bad_outcomes_and_mismatched_forecasts():
    with pytest.raises(ForecastError, match="outcome must be 0"):
        scores({"a": 0.5}, {"a": 2})
    with pytest.raises(ForecastError, match=r"missing \['b'\], unknown \['c'\]"):
        scores({"a": 0.5, "c": 0.5}, {"a": 1, "b": 0})
    with pytest.raises(ForecastError, match="no forecasts"):
        scores({}, {})


def test_means_are_the_average_of_the_items():
    s = scores({"a": 0.9, "b": 0.2, "c": 0.0}, {"a": 1, "b": 1, "c": 0})
    assert s["brier"] == pytest.approx(sum(v["brier"] for v in s["items"].values()) / 3)
    assert s["log"] == pytest.approx(sum(v["log"] for v in s["items"].values()) / 3)


def test_always_half_scores_a_quarter_and_ln2_whatever_happened(forecasts):
    for who in ("essay2020", "racz2021euiss"):
        base = baseline_scores(forecasts, forecaster=who)
        assert base["brier"] == pytest.approx(0.25) and base["log"] == pytest.approx(math.log(2))


def test_essay_scores_follow_from_the_rows(forecasts, words):
    rows = scored_forecasts(forecasts)
    points = dict(zip(words["term"], words["point"]))
    assert list(rows["probability"]) == [points[t] for t in rows["term"]]
    expected = sum((p - o) ** 2 for p, o in zip(rows["probability"], rows["outcome"])) / len(rows)
    assert essay_scores(forecasts)["brier"] == pytest.approx(expected)
    table = score_table(forecasts)
    assert len(table) == len(rows) + 1 and table["Brier"].iloc[-1] == pytest.approx(expected)


def test_fixed_rounds_half_up_like_javascript():
    assert fixed(0.0625) == "0.063" and fixed(0.0005, 3) == "0.001" and fixed(0.25, 1) == "0.3"


# ---------------------------------------------------------------- scored once, by term, per forecaster


def test_the_probability_is_the_point_of_the_term_never_a_column(forecasts, words):
    assert "probability" not in forecasts.columns, "forecasts.csv must not carry its own probabilities"
    # Move the point of "likely": every scored row read as "likely" follows, and nothing else changes.
    moved = words.assign(point=[0.65 if t == "likely" else p for t, p in zip(words["term"], words["point"])])
    before, after = scored_forecasts(forecasts, words), scored_forecasts(forecasts, moved)
    likely = before["term"] == "likely"
    assert likely.any()
    assert (after.loc[likely, "probability"] == 0.65).all()
    assert (after.loc[~likely, "probability"] == before.loc[~likely, "probability"]).all()


def test_an_unknown_term_or_a_scored_row_without_outcome_is_an_error(forecasts):
    bad = forecasts.copy()
    bad.loc[bad["forecast_id"] == "un_mission", "term"] = "quite likely"
    with pytest.raises(ForecastError, match=r"un_mission.*quite likely"):
        scored_forecasts(bad)
    bad = forecasts.copy()
    bad.loc[bad["forecast_id"] == "un_mission", "outcome"] = pd.NA
    with pytest.raises(ForecastError, match=r"un_mission.*no term or no outcome"):
        scored_forecasts(bad)


def test_each_event_is_scored_once_and_only_scored_rows_count(forecasts):
    rows = scored_forecasts(forecasts)
    keys = forecasts.set_index("forecast_id").loc[list(rows["forecast_id"]), "event_key"]
    assert keys.is_unique
    # drones_renegotiate keeps its outcome for the verdict table but shares its event with peacekeepers_term.
    drones = forecasts.set_index("forecast_id").loc["drones_renegotiate"]
    assert not pd.isna(drones["outcome"]) and "drones_renegotiate" not in set(rows["forecast_id"])
    assert "peacekeepers_term" in set(rows["forecast_id"])
    # Flip which row of the event is scored: the other one is scored instead, and the count stays.
    flipped = forecasts.copy()
    for fid, value in (("drones_renegotiate", True), ("peacekeepers_term", False)):
        flipped.loc[flipped["forecast_id"] == fid, "scored"] = value
    swapped = scored_forecasts(flipped)
    assert len(swapped) == len(rows) and "drones_renegotiate" in set(swapped["forecast_id"])


def test_scores_are_per_forecaster(forecasts):
    essay = scored_forecasts(forecasts)
    second = scored_forecasts(forecasts, forecaster="racz2021euiss")
    by_id = forecasts.set_index("forecast_id")
    assert set(by_id.loc[list(essay["forecast_id"]), "forecaster"]) == {"essay2020"}
    assert set(by_id.loc[list(second["forecast_id"]), "forecaster"]) == {"racz2021euiss"}
    expected = forecasts[(forecasts["forecaster"] == "racz2021euiss") & (forecasts["scored"] == True)]  # noqa: E712
    assert sorted(second["forecast_id"]) == sorted(expected["forecast_id"])
    # The baseline is scored on the forecaster's own events.
    assert set(baseline_scores(forecasts, forecaster="racz2021euiss")["items"]) == set(second["forecast_id"])
    assert set(baseline_scores(forecasts)["items"]) == set(essay["forecast_id"])


def test_forecaster_table_and_numbers_agree_with_the_scores(forecasts):
    numbers = forecast_numbers()
    essay, second = essay_scores(forecasts), essay_scores(forecasts, forecaster="racz2021euiss")
    assert numbers["essay_brier"] == fixed(essay["brier"]) and numbers["second_brier"] == fixed(second["brier"])
    assert numbers["n_scored"] == str(len(essay["items"]))
    assert numbers["n_claims"] == str(int((forecasts["forecaster"] == "essay2020").sum()))
    assert sum(int(numbers[f"n_{v.replace(' ', '_')}"]) for v in VERDICT_ORDER) == int(numbers["n_claims"])
    table = forecaster_score_table()
    assert len(table.rows) == 2
    for s in (essay, second):
        assert fixed(s["brier"]) in table.html and fixed(s["log"]) in table.html


def test_verdict_table_shows_every_row_with_its_forecaster(forecasts):
    html = verdict_table().html
    for claim in forecasts["claim"]:
        assert escape(claim) in html
    assert "The 2020 essay" in html and "Rácz" in html
    assert "same event as peacekeepers_term, scored once" in html


def test_likelihood_table_gives_each_term_once_with_its_point(words):
    table = likelihood_table()
    assert len(table.rows) == len(words)
    for point in words["point"]:
        assert fixed(point, 2) in table.html


# ---------------------------------------------------------------- the data's own rules


def test_every_scored_forecast_sits_inside_its_words_range(forecasts, words):
    ranges = words.set_index("term")
    for who in ("essay2020", "racz2021euiss"):
        for r in scored_forecasts(forecasts, forecaster=who).to_dict("records"):
            assert ranges.loc[r["term"], "low"] <= r["probability"] <= ranges.loc[r["term"], "high"], r["forecast_id"]


def test_scored_rows_are_resolved_and_conditionals_and_causal_claims_are_not_scored(forecasts):
    for r in forecasts.to_dict("records"):
        if r["scored"]:
            assert not pd.isna(r["outcome"]) and not pd.isna(r["term"]), r["forecast_id"]
            assert not pd.isna(r["resolve_by"]) and str(r["event"]).strip(), r["forecast_id"]
            assert r["verdict"] != "untestable", r["forecast_id"]
        if r["kind"] in ("conditional", "causal"):
            assert not r["scored"], f"{r['forecast_id']}: a {r['kind']} claim is not scored"


# ---------------------------------------------------------------- the scorer


def _payload(out: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" class="xp-data">(.*?)</script>', out, re.S).group(1))


def _visible(out: str) -> str:
    """The page without its scripts: what a reader sees before the script runs (and the DOM it starts from)."""
    return re.sub(r"<script\b.*?</script>", "", out, flags=re.S)


def test_static_scorer_carries_the_data_its_script_scores(forecasts):
    out = ForecastScorer(forecasts).html()
    payload = _payload(out)
    rows = scored_forecasts(forecasts)
    assert [f["id"] for f in payload["forecasts"]] == list(rows["forecast_id"])
    assert [f["outcome"] for f in payload["forecasts"]] == [int(o) for o in rows["outcome"]]
    assert payload["clip"] == CLIP
    assert [f["essay"] for f in payload["forecasts"]] == list(rows["probability"])
    assert out.count('<input type="number"') == len(rows)


def test_static_scorer_shows_no_outcome_before_the_reader_asks(forecasts):
    out = ForecastScorer(forecasts).html()
    seen = _visible(out)
    assert f'data-xp-set="score">{SCORE_BUTTON}</button>' in seen
    for word in ("Happened", "cf-fs-b", "data-value", ESSAY_LABEL, "did not happen"):
        assert word not in seen, word
    for note in forecasts["outcome_note"].dropna():
        assert escape(note)[:40] not in seen and note[:40] not in seen


def test_scorer_output_is_deterministic_and_has_no_addresses(forecasts):
    a, b = ForecastScorer(forecasts), ForecastScorer(forecasts)
    a.uid = b.uid = "fs-test"
    assert a.html() == b.html()
    assert " at 0x" not in repr(a) and " at 0x" not in a.html()


def _live(forecasts):
    children = ForecastScorer(forecasts).widget().children
    boxes = [row.children[0] for row in children[1:-2]]
    return boxes, children[-2], children[-1]


def test_live_scorer_hides_the_outcomes_until_the_button_is_pressed(forecasts):
    boxes, button, table = _live(forecasts)
    assert button.description == SCORE_BUTTON
    assert "Happened" not in table.value and "cf-fs-brier" not in table.value and ESSAY_LABEL not in table.value
    boxes[0].value = 0.3
    assert "Happened" not in table.value, "changing a probability must not reveal the outcomes"
    button.click()
    assert "Happened" in table.value and "cf-fs-brier" in table.value and button.disabled


def test_live_scorer_rescores_when_a_probability_changes(forecasts):
    boxes, button, table = _live(forecasts)
    button.click()
    before = table.value
    boxes[0].value = 1.0 - boxes[0].value
    assert table.value != before
    mean = re.search(r'class="num cf-fs-brier" data-value="([^"]*)"', table.value).group(1)
    given = {b.description: b.value for b in boxes}
    rows = scored_forecasts(forecasts)
    assert float(mean) == scores(given, dict(zip(rows["forecast_id"], map(int, rows["outcome"]))))["brier"]


def test_live_scorer_shows_an_error_instead_of_a_score_for_bad_input(forecasts):
    boxes, button, table = _live(forecasts)
    box = boxes[0]
    box.value = 1.5
    assert "outside [0, 1]" in table.value and box.description in table.value
    button.click()
    assert "outside [0, 1]" in table.value
    assert re.search(r'class="num cf-fs-brier" data-value=""', table.value)


def test_scorer_without_scorable_forecasts_is_refused(forecasts):
    with pytest.raises(ForecastError, match="nothing to score"):
        ForecastScorer(forecasts.assign(scored=False))

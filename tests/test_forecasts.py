"""Unit tests of widgets.forecasts: the scoring rules, their errors, data/forecasts.csv's own rules, and the scorer."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from widgets.data import load
from widgets.forecasts import (
    CLIP,
    ForecastError,
    ForecastScorer,
    baseline_scores,
    brier_score,
    checked_probability,
    essay_scores,
    fixed,
    log_score,
    score_table,
    scored_forecasts,
    scores,
)


@pytest.fixture(scope="module")
def forecasts() -> pd.DataFrame:
    return load()["forecasts"]


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
    base = baseline_scores(forecasts)
    assert base["brier"] == pytest.approx(0.25) and base["log"] == pytest.approx(math.log(2))


def test_essay_scores_follow_from_the_rows(forecasts):
    rows = scored_forecasts(forecasts)
    expected = sum((p - o) ** 2 for p, o in zip(rows["probability"], rows["outcome"])) / len(rows)
    assert essay_scores(forecasts)["brier"] == pytest.approx(expected)
    table = score_table(forecasts)
    assert len(table) == len(rows) + 1 and table["Brier"].iloc[-1] == pytest.approx(expected)


def test_fixed_rounds_half_up_like_javascript():
    assert fixed(0.0625) == "0.063" and fixed(0.0005, 3) == "0.001" and fixed(0.25, 1) == "0.3"


# ---------------------------------------------------------------- the data's own rules


def test_every_scored_forecast_sits_inside_its_words_range(forecasts):
    rows = forecasts[forecasts["probability"].notna()]
    assert not rows.empty
    for r in rows.to_dict("records"):
        assert r["scale_low"] <= r["probability"] <= r["scale_high"], r["forecast_id"]


def test_the_words_to_probability_mapping_is_one_to_one(forecasts):
    mapped = forecasts.dropna(subset=["scale_term"])
    per_phrase = mapped.groupby("phrase")["scale_term"].nunique()
    assert (per_phrase == 1).all(), per_phrase[per_phrase > 1]
    per_term = mapped.groupby("scale_term")[["scale_low", "scale_high"]].nunique()
    assert (per_term == 1).all().all()
    scored = mapped.dropna(subset=["probability"]).groupby("scale_term")["probability"].nunique()
    assert (scored == 1).all(), "one likelihood term must map to one probability"


def test_only_resolved_forecasts_have_outcomes(forecasts):
    for r in forecasts.to_dict("records"):
        resolved = not pd.isna(r["outcome"])
        assert resolved == (r["verdict"] != "untestable" and not pd.isna(r["probability"])), r["forecast_id"]
        if resolved:
            assert not pd.isna(r["resolve_by"]) and str(r["event"]).strip(), r["forecast_id"]
        if r["kind"] in ("conditional", "causal"):
            assert pd.isna(r["probability"]), f"{r['forecast_id']}: a {r['kind']} claim is not scored"


# ---------------------------------------------------------------- the scorer


def test_static_scorer_carries_the_data_its_script_scores(forecasts):
    out = ForecastScorer(forecasts).html()
    payload = json.loads(
        re.search(r'<script type="application/json" class="xp-data">(.*?)</script>', out, re.S).group(1)
    )
    rows = scored_forecasts(forecasts)
    assert [f["id"] for f in payload["forecasts"]] == list(rows["forecast_id"])
    assert [f["outcome"] for f in payload["forecasts"]] == [int(o) for o in rows["outcome"]]
    assert payload["clip"] == CLIP
    assert [f["essay"] for f in payload["forecasts"]] == list(rows["probability"])
    assert out.count('<input type="number"') == len(rows)


def test_scorer_output_is_deterministic_and_has_no_addresses(forecasts):
    a, b = ForecastScorer(forecasts), ForecastScorer(forecasts)
    a.uid = b.uid = "fs-test"
    assert a.html() == b.html()
    assert " at 0x" not in repr(a) and " at 0x" not in a.html()


def test_live_scorer_rescores_when_a_probability_changes(forecasts):
    children = ForecastScorer(forecasts).widget().children
    boxes, table = [row.children[0] for row in children[1:-1]], children[-1]
    before = table.value
    boxes[0].value = 1.0 - boxes[0].value
    assert table.value != before
    mean = re.search(r'class="num cf-fs-brier" data-value="([^"]*)"', table.value).group(1)
    given = {b.description: b.value for b in boxes}
    assert (
        float(mean)
        == scores(
            given,
            dict(zip(scored_forecasts(forecasts)["forecast_id"], map(int, scored_forecasts(forecasts)["outcome"]))),
        )["brier"]
    )


def test_live_scorer_shows_an_error_instead_of_a_score_for_bad_input(forecasts):
    children = ForecastScorer(forecasts).widget().children
    box = children[1].children[0]
    box.value = 1.5
    html = children[-1].value
    assert "outside [0, 1]" in html and box.description in html
    assert re.search(r'class="num cf-fs-brier" data-value=""', html)


def test_scorer_without_scorable_forecasts_is_refused(forecasts):
    with pytest.raises(ForecastError, match="nothing to score"):
        ForecastScorer(forecasts.assign(outcome=pd.NA))

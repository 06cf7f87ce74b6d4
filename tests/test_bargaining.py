"""Unit tests of the random-walk illustration (widgets.bargaining) and of the chapter helpers in widgets.synthesis."""

from __future__ import annotations

import math
import re

import pytest

from widgets import bargaining as bw
from widgets import synthesis as sy


def expand(data: dict, text: str) -> str:
    """What the static explorer's JavaScript does to a stored result: put back shared markup and curves."""
    text = re.sub(r"@P(\d+)@", lambda m: data["parts"][int(m.group(1))], text)
    return re.sub(r"@C:([^@]+)@", lambda m: data["curves"][m.group(1)], text)


def test_simulation_is_a_pure_function_of_its_parameters():
    a, b = bw.simulate(1.0, 0.25, 10.0), bw.simulate(1.0, 0.25, 10.0)
    assert a == b
    assert bw.simulate(1.0, 0.25, 10.0, seed=1) != a


def test_survival_starts_at_one_never_rises_and_matches_holding():
    sim = bw.simulate(1.5, 0.0, 10.0)
    assert sim.survival[0] == 1.0 and len(sim.survival) == bw.MONTHS + 1
    assert all(later <= earlier for earlier, later in zip(sim.survival, sim.survival[1:]))
    assert sim.holding == sim.survival[-1]


def test_monitoring_lengthens_peace_and_is_the_same_as_less_drift():
    free, kept = bw.simulate(1.0, 0.0, 10.0), bw.simulate(1.0, 0.5, 10.0)
    assert kept.holding > free.holding
    assert free.median_months is not None
    assert kept.survival == bw.simulate(0.5, 0.0, 10.0).survival


def test_higher_threshold_and_lower_drift_hold_longer():
    assert bw.simulate(1.0, 0.0, 15.0).holding > bw.simulate(1.0, 0.0, 5.0).holding
    assert bw.simulate(0.5, 0.0, 10.0).holding > bw.simulate(2.0, 0.0, 10.0).holding


def test_edge_cases():
    assert bw.simulate(1.0, 1.0, 10.0).survival == (1.0,) * (bw.MONTHS + 1)
    assert bw.simulate(1.0, 1.0, 10.0).median_months is None
    tiny = bw.simulate(3.0, 0.0, 0.01, months=3, runs=10)
    assert tiny.survival == (1.0, 0.0, 0.0, 0.0) and tiny.median_months == 1


@pytest.mark.parametrize(
    "kwargs, named",
    [
        ({"sigma": 0}, "sigma"),
        ({"sigma": -1}, "sigma"),
        ({"sigma": math.inf}, "sigma"),
        ({"sigma": "1"}, "sigma"),
        ({"monitoring": 1.5}, "monitoring"),
        ({"monitoring": -0.1}, "monitoring"),
        ({"monitoring": True}, "monitoring"),
        ({"threshold": 0}, "threshold"),
        ({"threshold": math.nan}, "threshold"),
        ({"months": 0}, "months"),
        ({"months": 2.5}, "months"),
        ({"runs": 0}, "runs"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_parameters_raise_a_clear_error_naming_the_parameter(kwargs, named):
    with pytest.raises(bw.BargainingError, match=rf"^{named}"):
        bw.simulate(**kwargs)


def test_live_result_shows_the_error_instead_of_a_result():
    out = bw.live_result(-1, 0.5, 10)
    assert 'role="alert"' in out and "sigma" in out and "bw-result" not in out
    assert 'data-key="1|0.5|10"' in bw.live_result(1.0, 0.5, 10.0)


def test_every_stored_grid_result_expands_to_the_python_result():
    # How long the grid takes is measured by `python -m tools.bench`, not asserted here.
    data = bw.grid_data()
    assert len(data["results"]) == len(bw.SIGMAS) * len(bw.MONITORING) * len(bw.THRESHOLDS) <= 100
    for key, stored in data["results"].items():
        sigma, monitoring, threshold = map(float, key.split("|"))
        sim = bw.simulate(sigma, monitoring, threshold)
        assert expand(data, stored["html"]) == bw.result_html(sim, bw.simulate(sigma, 0.0, threshold))
        assert stored["status"] == bw.status_text(sim)
        assert "@" not in expand(data, stored["html"])


def test_static_explorer_is_deterministic_offline_and_small():
    a, b = bw.bargaining_html("bargain-t"), bw.bargaining_html("bargain-t")
    assert a == b
    assert "http://" not in a and "https://" not in a and " at 0x" not in a
    assert len(a) < 80_000
    defaults = re.findall(r'data-name="(\w+)" value="([^"]+)" checked', a)
    assert dict(defaults) == {k: f"{v:g}" for k, v in bw.DEFAULT.items()}


def test_result_html_table_and_svg():
    sim = bw.simulate(1.0, 0.5, 10.0)
    out = bw.result_html(sim, bw.simulate(1.0, 0.0, 10.0))
    assert out.count("<polyline") == 2 and 'role="img"' in out and "aria-label=" in out
    assert out.count('<td class="num">') == 2 * len(bw.TABLE_MONTHS)
    assert f'data-holding="{sim.holding!r}"' in out


def test_illustration_numbers_are_text_with_plain_names():
    numbers = bw.illustration_numbers()
    assert all(isinstance(v, str) and not re.match(r"ch\d", k) for k, v in numbers.items())
    assert numbers["same_drift_sigma"] == "0.5"


def test_readings_move_the_probability_and_default_matches_the_model():
    from widgets.scenarios import renewed_war_probability

    assert sy.reading_probability("default") == renewed_war_probability()
    for name in sy.readings():
        assert sy.reading_probability(name) > sy.reading_probability("default")
    with pytest.raises(KeyError, match="unknown reading"):
        sy.reading_probability("nope")


def test_scenario_numbers_state_probability_matches_the_model():
    from widgets.scenarios import checked_state_probabilities, scenario_model

    stays = checked_state_probabilities(scenario_model(), None)["armenia_leadership"]["pashinyan_stays"]
    assert sy.scenario_numbers()["stays_prob"] == sy.pct(stays, 0)


def test_frechet_bounds_bracket_the_independent_product():
    b = sy.branch_probability_bounds()
    assert b["low"] <= b["independent"] <= b["high"]
    certain = {
        "armenia_leadership": {"pashinyan_stays": 0.0, "successor": 1.0},
        "sapsan_syria": {"fails": 0.0, "succeeds": 1.0},
        "un_involvement": {"none": 1.0, "un_force": 0.0},
    }
    assert sy.branch_probability_bounds(probs=certain) == {"low": 1.0, "independent": 1.0, "high": 1.0}
    with pytest.raises(KeyError, match="unknown branch"):
        sy.branch_probability_bounds("nope")


def test_hindsight_keeps_only_the_branches_that_happened():
    from widgets.scenarios import branch_table

    rows = branch_table(factor="combined")
    kept = rows[(rows["armenia_leadership"] == "pashinyan_stays") & (rows["un_involvement"] == "none")]
    assert sy.hindsight_probability() == pytest.approx(
        (kept["p_branch"] / kept["p_branch"].sum() * kept["p_war_given_branch"]).sum()
    )


def test_chapter_tables_and_tallies():
    assert "P(renewed war)" in sy.reading_table().html
    branch = sy.scenario_branch_table()
    assert len(branch.rows) == 8 and "<caption>" in branch.html
    studies = sy.studies_table()
    assert "50–75 percent" in studies.html and "secondary" in studies.html
    tallies = sy.verdict_tallies()
    factual = ("supported", "partly_supported", "wrong", "unsupported", "not_checkable")
    assert sum(int(tallies[f"claims_{v}"]) for v in factual) == int(tallies["n_claims"])
    assert int(tallies["claims_contested_wording"]) == int(tallies["n_contested_words"])
    assert int(tallies["n_claims"]) + int(tallies["n_contested_words"]) == int(tallies["n_claims_rows"])

"""Browser tests of the static scenario explorers: every option combination of every explorer on the built site
(file://, network aborted) shows exactly the matching branch, and the page's JavaScript agrees with the Python model
on random inputs, including bad ones."""

from __future__ import annotations

import itertools
import math
import random
from pathlib import Path

import pytest

from widgets import scenarios as sc

pytestmark = pytest.mark.browser

READ_EXPLORER = """root => {
  const values = {};
  root.querySelectorAll('input[type=number]').forEach(el => { values[el.dataset.name] = el.value; });
  return {spec: JSON.parse(root.querySelector('script.xp-data').textContent), values, bytes: root.outerHTML.length};
}"""

CLICK = """(root, [name, value]) => {
  root.querySelector(`input[type=radio][data-name="${name}"][value="${value}"]`).click();
}"""

SHOWN = """root => ({
  state: root.dataset.xpState,
  branches: [...root.querySelectorAll('.xp-result:not([hidden]) .xp-branch')].map(e => e.dataset.branch),
  current: [...root.querySelectorAll('tr.xp-current')].map(e => e.dataset.branch),
  total: (root.querySelector('.xp-result:not([hidden]) .xp-total') || {dataset: {}}).dataset.value,
  error: root.querySelector('.xp-error').hidden ? null : root.querySelector('.xp-error').textContent,
})"""

SET_AND_READ_ALL = """trials => trials.map(([index, values]) => {
  const root = document.querySelectorAll('.xp')[index];
  for (const [name, v] of Object.entries(values)) {
    const box = root.querySelector(`input[data-name="${name}"]`);  // null: a two-state factor's 2nd state
    if (box) box.value = v;
  }
  root.dispatchEvent(new Event('input', {bubbles: true}));
  const err = root.querySelector('.xp-error');
  const total = root.querySelector('.xp-result:not([hidden]) .xp-total');
  return {state: root.dataset.xpState, error: err.hidden ? null : err.textContent,
          total: total ? Number(total.dataset.value) : null};
})"""


def python_inputs(spec: dict, values: dict[str, str]):
    """The page's number inputs as the Python model's arguments (an empty or unparsable box becomes None)."""

    def num(text):
        try:
            return float(text)
        except ValueError:
            return None

    # A two-state factor's second state is shown, not entered: no box, no value here (derived below).
    probs = {
        n["id"]: {s["id"]: num(values.get(f"p:{n['id']}:{s['id']}", "")) for s in n["states"]} for n in spec["nodes"]
    }
    for n in spec["nodes"]:
        if len(n["states"]) == 2:  # the page takes one number for a two-state factor; the other is 1 - p
            first, second = (s["id"] for s in n["states"])
            p = probs[n["id"]][first]
            probs[n["id"]][second] = None if p is None else 1 - p
    p_war = {b["id"]: num(values[f"w:{b['id']}"]) for b in spec["branches"]}
    return probs, p_war


def python_result(spec, values):
    probs, p_war = python_inputs(spec, values)
    try:
        return sc.renewed_war_probability(probs, p_war, spec["factor"])
    except sc.ScenarioError:
        return None


def explorer_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if 'class="xp" id="scen-' in p.read_text(encoding="utf-8"))


def test_every_combination_of_every_explorer_on_the_site(site, offline_page):
    pages = explorer_pages(site)
    assert pages, f"no scenario explorer found in any page of {site}: the chapters must show scenario_explorer(...)"
    model = sc.scenario_model()
    report = []
    for path in pages:
        page = offline_page.open(path)
        roots = page.locator('.xp[id^="scen-"]')
        assert roots.count() > 0
        ids = [roots.nth(i).get_attribute("id") for i in range(roots.count())]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate explorer ids {ids}"
        for i in range(roots.count()):
            root = roots.nth(i).element_handle()
            info = root.evaluate(READ_EXPLORER)
            spec, values = info["spec"], info["values"]
            node_ids, branches = model.explorers[spec["factor"]]
            expected_total = python_result(spec, values)
            assert expected_total is not None, f"{path.name} #{ids[i]}: the stored defaults are invalid"
            for combo in itertools.product(*(model.nodes[n].state_ids() for n in node_ids)):
                for n, s in zip(node_ids, combo):
                    root.evaluate(CLICK, [f"s:{n}", s])
                want = next(b.branch_id for b in branches if tuple(st for _, st in b.conditions) == combo)
                shown = root.evaluate(SHOWN)
                where = f"{path.name} #{ids[i]} {dict(zip(node_ids, combo))}"
                assert shown["state"] == "ok" and shown["error"] is None, where
                assert shown["branches"] == [want], where
                assert shown["current"] == [want], where
                assert math.isclose(float(shown["total"]), expected_total, rel_tol=0, abs_tol=1e-12), where
            report.append((path.name, ids[i], info["bytes"]))
        assert not offline_page.external_requests, f"{path.name}: {offline_page.external_requests}"
        assert not offline_page.js_errors, f"{path.name}: {offline_page.js_errors}"
    print(f"\nexplorers walked (page, id, bytes): {report}")


@pytest.fixture(scope="module")
def all_explorers_page(tmp_path_factory) -> Path:
    """A page with every explorer twice, built from the Python side: every factor is checked whatever the site holds."""
    body = "\n".join(sc.scenario_html(f) for f in sc.EXPLORERS + sc.EXPLORERS)
    path = tmp_path_factory.mktemp("scen") / "explorers.html"
    path.write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>{body}</body></html>',
        encoding="utf-8",
    )
    return path


def random_values(rng: random.Random, spec: dict) -> dict[str, str]:
    """Random number-box contents: valid probabilities, and in about a third of the trials one bad entry."""
    values = {}
    for n in spec["nodes"]:
        cuts = sorted(rng.random() for _ in range(len(n["states"]) - 1))
        parts = [b - a for a, b in zip([0.0, *cuts], [*cuts, 1.0])]
        values.update({f"p:{n['id']}:{s['id']}": repr(p) for s, p in zip(n["states"], parts)})
    for b in spec["branches"]:
        values[f"w:{b['id']}"] = repr(rng.random())
    if rng.random() < 1 / 3:
        name = rng.choice(sorted(values))
        values[name] = rng.choice(["1.5", "-0.25", "", "2e0", repr(float(values[name]) + 0.01)])
    return values


def test_javascript_matches_python_on_random_inputs(all_explorers_page, offline_page):
    rng = random.Random(20201110)
    page = offline_page.open(all_explorers_page)
    roots = page.locator(".xp")
    assert roots.count() == 2 * len(sc.EXPLORERS)
    specs = [roots.nth(i).element_handle().evaluate(READ_EXPLORER)["spec"] for i in range(roots.count())]
    trials = [(t % len(specs), random_values(rng, specs[t % len(specs)])) for t in range(240)]
    results = page.evaluate(SET_AND_READ_ALL, trials)  # one round trip: the page computes, Python checks below
    assert len(results) == len(trials)
    checked = errors = 0
    for (index, values), got in zip(trials, results):
        spec = specs[index]
        want = python_result(spec, values)
        where = f"trial {checked}, {spec['factor']}: {values}"
        if want is None:
            errors += 1
            assert got["state"] == "error" and got["error"] and got["total"] is None, where
        else:
            assert got["state"] == "ok" and got["error"] is None, where
            assert math.isclose(got["total"], want, rel_tol=0, abs_tol=1e-12), where
        checked += 1
    assert checked >= 200 and 40 <= errors <= 120, (checked, errors)
    assert not offline_page.external_requests and not offline_page.js_errors


def test_bad_number_shows_a_message_instead_of_a_number(all_explorers_page, offline_page):
    page = offline_page.open(all_explorers_page)
    root = page.locator(".xp").first
    box = root.locator('input[type=number][data-name^="p:russia_commitment:"]')
    assert box.count() == 1  # a two-state factor takes one number
    box.fill("1.7")
    error = root.locator(".xp-error")
    assert error.is_visible() and "outside [0, 1]" in error.inner_text()
    # The field that caused the error is marked and the message sits beside it.
    assert box.get_attribute("aria-invalid") == "true"
    note = root.locator(".xp-field-error")
    assert note.is_visible() and "outside [0, 1]" in note.inner_text()
    assert box.get_attribute("aria-describedby") == note.get_attribute("id")
    assert root.locator(".xp-total").count() == 0 and root.get_attribute("data-xp-state") == "error"
    follows = root.locator('output[data-complement-of^="p:russia_commitment:"]')
    box.fill("0.25")
    assert follows.inner_text() == "0.75" and box.get_attribute("aria-invalid") is None
    assert not error.is_visible() and root.locator(".xp-total").count() == 1


def test_keyboard_changes_the_branch_and_announces_it(all_explorers_page, offline_page):
    page = offline_page.open(all_explorers_page)
    root = page.locator(".xp").first
    first = root.locator('input[type=radio][data-name="s:russia_commitment"]').first
    first.focus()
    page.keyboard.press("ArrowRight")  # radio groups move with the arrow keys
    assert root.locator(".xp-branch").get_attribute("data-branch") == "russia-robust-even"
    status = root.locator('[role="status"]')
    assert "Robust · Even-handed: the essay’s verdict is lower risk" in status.inner_text()
    assert root.locator("legend").count() >= 3
    assert not offline_page.js_errors

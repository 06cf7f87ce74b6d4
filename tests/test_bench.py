"""tools/bench.py's own helpers (the benchmark itself runs by `make bench`, not in the tests)."""

from __future__ import annotations

from tools.bench import without_print_rules


def test_print_rules_are_taken_out_whole_and_nothing_else():
    css = "a{b:c}\n@media print {\n .x { y: z }\n}\nd{e:f}\n@media (min-width: 9px) { g{h:i} }\n@media print{k{l:m}}"
    assert without_print_rules(css) == "a{b:c}\n\nd{e:f}\n@media (min-width: 9px) { g{h:i} }\n"
    assert without_print_rules("p{q:r}") == "p{q:r}"

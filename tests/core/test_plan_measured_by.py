"""A qualitative target may name the registry that measures it (``measured_by``): Q20 全面建成双千兆城市 is measured by
the 双千兆城市 registry; a target naming a registry the plan does not declare is refused with its line."""

from __future__ import annotations

import pytest

from yangfan.core.errors import PlanInvalid
from yangfan.core.planfile import load_plan_text

Q20 = "{code: Q20, clause: G4, text: 全面建成双千兆城市, measured_by: gigabit_city}"


def test_the_targets_a_registry_measures_are_those_whose_words_it_counts(plan):
    """Q20 by the 双千兆城市; Q22 and Q26 by the registries whose source quotes are those targets' words."""
    measured = {t.code: t.measured_by for t in plan.qualitative_targets if t.measured_by}
    assert measured == {"Q20": "gigabit_city", "Q22": "innovation_centre", "Q26": "industry_product"}
    registries = {r.code: r for r in plan.registries}
    targets = {t.code: t for t in plan.qualitative_targets}
    for code in ("Q22", "Q26"):
        assert any(s.quote in targets[code].text for s in registries[measured[code]].sources)


def test_a_target_measured_by_an_unknown_registry_is_refused_with_its_line(plan_text, plan_path):
    assert plan_text.count(Q20) == 1
    broken = plan_text.replace(Q20, Q20.replace("gigabit_city", "gigabit_town"))
    with pytest.raises(PlanInvalid) as info:
        load_plan_text(broken, file="broken.yaml", base_dir=plan_path.parent)
    line = broken[: broken.index("gigabit_town")].count("\n") + 1
    (problem,) = info.value.problems
    assert problem.line == line and problem.path.endswith(".measured_by")
    assert "“gigabit_town”不是已定义的登记簿" in problem.message

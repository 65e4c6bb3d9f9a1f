"""The plan reader: the structural schema first, then the plan's own rules, then the :class:`Plan`. Its checks
are grouped by part of the plan in ``structure``, ``texts``, ``measures`` and ``wording``."""

from __future__ import annotations

from yangfan.core.plan import Plan
from yangfan.core.planfile.build import plan_build
from yangfan.core.planfile.measures import MeasureChecks
from yangfan.core.planfile.schema import schema_problems
from yangfan.core.planfile.structure import StructureChecks
from yangfan.core.planfile.succession import SuccessionChecks
from yangfan.core.planfile.texts import TextChecks
from yangfan.core.planfile.wording import WordingChecks
from yangfan.core.planfile.yaml_lines import Path_, format_path


class PlanReader(StructureChecks, TextChecks, MeasureChecks, WordingChecks, SuccessionChecks):
    """Checks one parsed document and builds the :class:`Plan`; collects problems instead of stopping."""

    def read(self, known=None) -> Plan:
        """The checked plan; ``known`` (code → plan) are the other plans its continuations may name, or ``None``
        where they are not checked again (a plan read back as it was loaded)."""
        if not isinstance(self.data, dict):
            self.problem((), "计划文件的顶层应为映射（键: 值）")
            self._fail_if_problems()
        for found in schema_problems(self.data):
            self.problem(*found)
        self._fail_if_problems()
        self._check_dates()
        self._check_unique_codes()
        source_text = self._read_source()
        clause_texts = self._clause_texts()
        units_by_name = self._check_responsible_units()
        self._check_sections_and_tasks(units_by_name)
        self._check_org_tree()
        self._check_sources(clause_texts)
        self._check_indicators()
        self._check_target_wording()
        self._check_goal_targets(clause_texts)
        self._check_measured_goals()
        self._check_data_elements()
        self._check_data_sets()
        self._check_validation_rules()
        self._check_evaluation()
        self._check_other_plans(known)
        if source_text:
            self._check_against_source(source_text)
        self._fail_if_problems()
        return plan_build(self.data, source_text, units_by_name)

    def _check_unique_codes(self) -> None:
        # Clause codes share one namespace (sources cite any of them); so do org units and groups.
        namespaces = [
            ("sections", "tasks", "special_projects", "safeguards", "goals"),
            ("org_units", "org_groups"),
            *[
                (c,)
                for c in (
                    "responsible_units",
                    "sectors",
                    "operators",
                    "data_elements",
                    "registries",
                    "indicators",
                    "qualitative_targets",
                    "data_sets",
                    "validation_rules",
                )
            ],
        ]
        for collections in namespaces:
            seen: dict[str, Path_] = {}
            for collection in collections:
                for path, item in self.items(collection):
                    code = item["code"]
                    if code in seen:
                        first = format_path(seen[code])
                        self.problem((*path, "code"), f"代码“{code}”重复（已在 {first} 使用）")
                    else:
                        seen[code] = path

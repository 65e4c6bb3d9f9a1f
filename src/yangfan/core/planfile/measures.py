"""Checks of what is measured and how: dates within the plan period, indicators (finite targets, formulas over
defined data elements and registries, annex rows that exist and hold numbers; whether a target equals them is
checked in ``wording``, with the figures of the quotes), data sets, validation rules and scoring schemes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from yangfan.core.errors import FormulaError
from yangfan.core.evaluation import COMPONENTS
from yangfan.core.expressions import parse_formula
from yangfan.core.plan import OPERATORS_REPORT
from yangfan.core.planfile.base import ReaderBase, as_decimal, is_number
from yangfan.core.planfile.yaml_lines import Path_, format_path


class MeasureChecks(ReaderBase):
    """Indicators and their targets, the data collected for them and how they are checked and scored."""

    def _check_dates(self) -> None:
        plan = self.data["plan"]
        start = self._date(("plan", "start"), plan["start"])
        end = self._date(("plan", "end"), plan["end"])
        if start and end and start >= end:
            self.problem(("plan", "end"), "计划结束日期应晚于开始日期")
        for path, indicator in self.items("indicators"):
            when = self._date((*path, "target", "date"), indicator["target"]["date"])
            if when and start and end and not start <= when <= end:
                self.problem((*path, "target", "date"), f"目标日期 {when} 不在计划期 {start} 至 {end} 内")
            previous = start
            for n, milestone in enumerate(indicator.get("milestones", [])):
                on = self._date((*path, "milestones", n, "date"), milestone["date"])
                if on and when and previous and not previous <= on < when:
                    self.problem(
                        (*path, "milestones", n, "date"),
                        f"阶段目标日期 {on} 应按时间顺序排列，且在计划开始 {start} 之后、最终目标日期 {when} 之前",
                    )
                previous = on or previous

    def _check_indicators(self) -> None:
        elements = self._codes("data_elements")
        registries = self._codes("registries")
        rows = (self.data.get("annex") or {}).get("rows", [])
        annex_rows = {r["number"]: (i, r) for i, r in enumerate(rows)}
        for path, indicator in self.items("indicators"):
            if not is_number(indicator["target"]["value"]):  # YAML .nan and .inf are numbers to the schema
                self.problem(
                    (*path, "target", "value"), f"目标值 {indicator['target']['value']} 不是有限的数值"
                )
            for n, milestone in enumerate(indicator.get("milestones", [])):
                if not is_number(milestone["value"]):
                    self.problem(
                        (*path, "milestones", n, "value"), f"阶段目标值 {milestone['value']} 不是有限的数值"
                    )
            try:
                formula = parse_formula(indicator["formula"])
            except FormulaError as exc:
                self.problem((*path, "formula"), exc.message)
                continue
            for code in formula.data_elements:
                if code not in elements:
                    self.problem((*path, "formula"), f"公式中的“{code}”不是已定义的数据项（data_elements）")
            for code in formula.registries:
                if code not in registries:
                    self.problem((*path, "formula"), f"count 中的“{code}”不是已定义的登记簿（registries）")
            if "cagr" in formula.functions and "base_year" not in indicator:
                self.problem(path, "公式使用 cagr（年均增长率），须给出基期年份 base_year")
            number = indicator.get("annex_number")
            if number is not None:
                row_index, row = annex_rows.get(number, (None, None))
                if row is None:
                    self.problem((*path, "annex_number"), f"附件中没有序号为 {number} 的指标")
                elif not is_number(row["value"]):  # whether the target equals it: wording, with the quotes
                    where = ("annex", "rows", row_index, "value")
                    self.problem(where, f"附件第 {number} 项的指标值“{row['value']}”不是数值")

    def _check_measured_goals(self) -> None:
        """A qualitative target's ``measured_by`` names a registry of the plan."""
        registries = self._codes("registries")
        for path, target in self.items("qualitative_targets"):
            code = target.get("measured_by")
            if code is not None and code not in registries:
                self.problem((*path, "measured_by"), f"“{code}”不是已定义的登记簿（registries）")

    def _check_data_elements(self) -> None:
        """A value's bounds: a range that admits something; a decimal count the store (six places) can keep."""
        for path, element in self.items("data_elements"):
            low, high = element.get("minimum"), element.get("maximum")
            if low is not None and high is not None and as_decimal(low) > as_decimal(high):
                self.problem((*path, "maximum"), f"上限 {high} 小于下限 {low}")

    def _check_data_sets(self) -> None:
        elements = self._codes("data_elements")
        reporters = self._codes("responsible_units") | {OPERATORS_REPORT}
        by_operator = {e["code"] for _, e in self.items("data_elements") if e.get("by_operator")}
        for path, data_set in self.items("data_sets"):
            for i, code in enumerate(data_set["data_elements"]):
                if code not in elements:
                    self.problem((*path, "data_elements", i), f"“{code}”不是已定义的数据项（data_elements）")
                elif data_set.get("by_operator") and code not in by_operator:
                    self.problem(
                        (*path, "data_elements", i),
                        f"数据项 {code} 不按运营商分列，不能放在按运营商报送的数据集中",
                    )
            if data_set["reporter"] not in reporters:
                self.problem(
                    (*path, "reporter"),
                    f"报送单位“{data_set['reporter']}”应为责任单位代码或 {OPERATORS_REPORT}（运营商）",
                )

    def _check_validation_rules(self) -> None:
        elements = self._codes("data_elements")
        for path, rule in self.items("validation_rules"):
            for side in ("left", "right"):
                if side not in rule:
                    continue
                try:
                    formula = parse_formula(rule[side])
                except FormulaError as exc:
                    self.problem((*path, side), exc.message)
                    continue
                if formula.registries or formula.functions:
                    self.problem((*path, side), "校验规则只能使用数据项、数字和四则运算")
                for code in formula.data_elements:
                    if code not in elements:
                        self.problem((*path, side), f"“{code}”不是已定义的数据项（data_elements）")
            if rule["kind"] == "jump" and rule["data_element"] not in elements:
                self.problem(
                    (*path, "data_element"), f"“{rule['data_element']}”不是已定义的数据项（data_elements）"
                )

    def _check_evaluation(self) -> None:
        """Scoring schemes: weights of the four components summing to 100, points 0–100, the weights of a lead
        and a co-operating unit's assignments finite (their range is the schema's), versions unique and
        in the order they took effect (the scheme for a period is the last one effective by its end)."""
        versions: dict[str, Path_] = {}
        previous: date | None = None
        for path, scheme in self.items("evaluation"):
            version = scheme["version"]
            if version in versions:
                first = format_path(versions[version])
                self.problem((*path, "version"), f"评分方案版本“{version}”重复（已在 {first} 使用）")
            else:
                versions[version] = path
            weights = scheme["weights"]
            bad = [k for k in COMPONENTS if not is_number(weights[k])]
            for key in bad:
                self.problem((*path, "weights", key), f"权重 {weights[key]} 不是有限的数值")
            if not bad:
                total = sum((as_decimal(weights[k]) for k in COMPONENTS), Decimal(0))
                if total != 100:
                    parts = " + ".join(f"{k} {as_decimal(weights[k]).normalize():f}" for k in COMPONENTS)
                    self.problem(
                        (*path, "weights"), f"四项权重之和应为 100，现为 {total.normalize():f}（{parts}）"
                    )
            for key, value in scheme["status_points"].items():
                if not is_number(value):
                    self.problem((*path, "status_points", key), f"状态得分 {value} 应为 0 至 100 之间的数值")
            for key, value in scheme.get("unit_weights", {}).items():
                if not is_number(value):
                    self.problem(
                        (*path, "unit_weights", key), f"单位权重 {value} 应为大于 0、不超过 100 的数值"
                    )
            effective = self._date((*path, "effective_from"), scheme["effective_from"])
            if effective and previous and effective <= previous:
                self.problem(
                    (*path, "effective_from"),
                    f"生效日期 {effective} 应晚于上一版本的生效日期 {previous}（评分方案按生效日期先后排列）",
                )
            previous = effective or previous

"""A broken plan file is refused with every problem, each with its file, line, path and a Chinese message.

Each test breaks the bundled plan by one small text edit and loads the result. The expected line is found
in the broken text itself (where the edited snippet now is), never written down as a number, so the tests
survive edits to the plan file.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yangfan.core.errors import PlanInvalid, PlanProblem
from yangfan.core.plan import Plan
from yangfan.core.planfile import load_plan, load_plan_text
from yangfan.core.supervision import SupervisionRules

FILE = "broken.yaml"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def edit(text: str, old: str, new: str) -> str:
    """Replace ``old``, which must occur exactly once, by ``new``."""
    assert text.count(old) == 1, f"the snippet to edit is not unique in the plan file: {old!r}"
    return text.replace(old, new)


def line_of(text: str, snippet: str) -> int:
    """The 1-based line on which ``snippet`` (which must occur exactly once) starts."""
    assert text.count(snippet) == 1, f"the snippet is not unique in the broken text: {snippet!r}"
    return text[: text.index(snippet)].count("\n") + 1


def index_of(plan: Plan, collection: str, code: str) -> int:
    return [item.code for item in getattr(plan, collection)].index(code)


def reported(problems: tuple[PlanProblem, ...], *, line: int, words: list[str], path: str | None = None):
    """The problem on ``line`` whose message contains all ``words`` (and whose path is ``path``)."""
    found = [
        p
        for p in problems
        if p.line == line and all(w in p.message for w in words) and (path is None or p.path == path)
    ]
    listing = "\n".join(str(p) for p in problems)
    assert found, f"no problem on line {line} at {path} saying {words}; reported:\n{listing}"
    return found[0]


@pytest.fixture(scope="module")
def plans_dir(plan_path: Path) -> Path:
    return plan_path.parent


@pytest.fixture(scope="module")
def problems_of(plans_dir: Path):
    """Load a broken plan text; return its problems (the load must fail, and every problem is complete)."""

    def load(text: str) -> tuple[PlanProblem, ...]:
        with pytest.raises(PlanInvalid) as info:
            load_plan_text(text, file=FILE, base_dir=plans_dir)
        problems = info.value.problems
        assert problems
        for problem in problems:
            assert problem.file == FILE
            assert CHINESE.search(problem.message), problem
        return problems

    return load


def test_unbroken_plan_text_loads(plan_text, plans_dir, plan: Plan):
    assert load_plan_text(plan_text, file=FILE, base_dir=plans_dir) == plan


def test_plan_file_copied_with_its_source_folder_loads_the_same_plan(plan_path, plan: Plan, tmp_path):
    shutil.copy(plan_path, tmp_path / plan_path.name)
    shutil.copytree(plan_path.parent / "sources", tmp_path / "sources")

    assert load_plan(tmp_path / plan_path.name) == plan


# -- responsible units ---------------------------------------------------------------------------


def test_unknown_responsible_unit_is_reported_with_its_line(plan_text, plan, problems_of):
    broken = edit(plan_text, "省卫健委, 省交通厅]", "省卫健委, 省交通局]")

    problems = problems_of(broken)

    task = index_of(plan, "tasks", "T4.3.9")
    problem = reported(
        problems,
        line=line_of(broken, "省卫健委, 省交通局]"),
        words=["未知责任单位", "“省交通局”"],
        path=f"tasks[{task}].responsible_units[6]",
    )
    assert "省交通运输厅" in problem.message  # lists the units it could have meant
    assert len(problems) == 1


def test_unit_not_named_in_the_tasks_responsibility_clause_is_reported(plan_text, plan, problems_of):
    broken = edit(
        plan_text,
        "responsible_units: [省通信管理局, 省交通运输厅]",
        "responsible_units: [省通信管理局, 省体育局]",
    )

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "[省通信管理局, 省体育局]"),
        words=["“省体育局”", "不在该任务的责任单位原文中"],
        path=f"tasks[{index_of(plan, 'tasks', 'T4.1.1')}].responsible_units[1]",
    )


def test_name_given_to_two_responsible_units_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, "aliases: [省交通厅]", "aliases: [省交通厅, 省工信厅]")

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "aliases: [省交通厅, 省工信厅]"),
        words=["“省工信厅”", "gxt"],
        path=f"responsible_units[{index_of(plan, 'responsible_units', 'jtt')}].aliases[1]",
    )


# -- formulas ------------------------------------------------------------------------------------


def test_formula_naming_an_unknown_data_element_is_reported(plan_text, problems_of):
    broken = edit(
        plan_text, "formula: mobile_users_5g / population * 100", "formula: mobile_users_5g / populaton * 100"
    )

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "populaton"),
        words=["“populaton”", "数据项"],
        path="indicators[0].formula",
    )
    assert len(problems) == 1


def test_count_of_an_unknown_registry_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, "formula: count(industry_vpn)", "formula: count(industry_vpns)")

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "count(industry_vpns)"),
        words=["“industry_vpns”", "登记簿"],
        path=f"indicators[{index_of(plan, 'indicators', 'A6')}].formula",
    )


def test_formula_outside_the_whitelist_is_reported_at_its_line(plan_text, plan, problems_of):
    broken = edit(plan_text, "formula: traffic_5g / traffic_mobile_total * 100", "formula: __import__('os')")

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "__import__"),
        words=["未知函数", "__import__"],
        path=f"indicators[{index_of(plan, 'indicators', 'A2')}].formula",
    )


def test_growth_rate_without_a_base_year_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, "    base_year: 2020\n    annex_number: 4\n", "    annex_number: 4\n")

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "code: A4\n"),
        words=["cagr", "base_year"],
        path=f"indicators[{index_of(plan, 'indicators', 'A4')}]",
    )


# -- codes ---------------------------------------------------------------------------------------


def test_duplicate_task_code_is_reported_at_the_second_use(plan_text, plan, problems_of):
    second = '- code: T2.1.3\n    section: "二.(一)"\n    number: "3"'
    broken = edit(plan_text, second, second.replace("T2.1.3", "T2.1.2"))

    problems = problems_of(broken)

    first = index_of(plan, "tasks", "T2.1.2")
    reported(
        problems,
        line=line_of(broken, second.replace("T2.1.3", "T2.1.2")),
        words=["“T2.1.2”", "重复", f"tasks[{first}]"],
        path=f"tasks[{index_of(plan, 'tasks', 'T2.1.3')}].code",
    )


def test_duplicate_org_unit_code_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, '{code: "610202", name: 王益区', '{code: "610102", name: 王益区')

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, '{code: "610102", name: 王益区'),
        words=["“610102”", "重复", f"org_units[{index_of(plan, 'org_units', '610102')}]"],
        path=f"org_units[{index_of(plan, 'org_units', '610202')}].code",
    )


def test_org_group_code_may_not_repeat_an_org_unit_code(plan_text, plan, problems_of):
    broken = edit(plan_text, "{code: FUGU, name: 府谷县", "{code: YANGLING, name: 府谷县")

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "{code: YANGLING, name: 府谷县"),
        words=["“YANGLING”", "重复"],
        path=f"org_groups[{index_of(plan, 'org_groups', 'FUGU')}].code",
    )


# -- organisation tree ---------------------------------------------------------------------------


def test_county_whose_parent_is_missing_is_reported(plan_text, plan, problems_of):
    broken = edit(
        plan_text,
        '{code: "610202", name: 王益区, level: 3, parent: "610200"}',
        '{code: "610202", name: 王益区, level: 3, parent: "610299"}',
    )

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, 'parent: "610299"'),
        words=["“610299”", "不存在", "王益区"],
        path=f"org_units[{index_of(plan, 'org_units', '610202')}].parent",
    )
    assert len(problems) == 1


def test_unit_counted_in_a_missing_unit_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, "counted_in: YANGLING}", "counted_in: YANGLIN}")

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "counted_in: YANGLIN}"),
        words=["“YANGLIN”", "不存在"],
        path=f"org_units[{index_of(plan, 'org_units', '610403')}].counted_in",
    )


def test_cycle_in_counted_in_is_reported_for_each_unit_on_it(plan_text, plan, problems_of):
    zone = (
        '{code: YANGLING, name: 杨凌示范区, name_en: Yangling Demonstration Zone, level: 2, parent: "610000",'
    )
    broken = edit(plan_text, zone, zone + ' counted_in: "610403",')

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "{code: YANGLING,"),
        words=["YANGLING", "循环"],
        path=f"org_units[{index_of(plan, 'org_units', 'YANGLING')}]",
    )
    reported(
        problems,
        line=line_of(broken, '{code: "610403"'),
        words=["610403", "循环"],
        path=f"org_units[{index_of(plan, 'org_units', '610403')}]",
    )
    assert sum("循环" in p.message for p in problems) == 2


def test_cycle_through_the_root_is_reported_once_per_unit_on_it_and_the_missing_root(plan_text, problems_of):
    broken = edit(
        plan_text,
        '{code: "610000", name: 陕西省, level: 1}',
        '{code: "610000", name: 陕西省, level: 1, parent: "610100"}',
    )

    problems = problems_of(broken)

    reported(problems, line=line_of(broken, '{code: "610000"'), words=["610000", "循环"])
    reported(problems, line=line_of(broken, '{code: "610100"'), words=["610100", "循环"])
    reported(problems, line=line_of(broken, "org_units:"), words=["只有一个根", "0"], path="org_units")
    assert sum("循环" in p.message for p in problems) == 2


def test_second_root_is_reported(plan_text, problems_of):
    broken = edit(
        plan_text,
        '{code: "611000", name: 商洛市, level: 2, parent: "610000"}',
        '{code: "611000", name: 商洛市, level: 2}',
    )

    problems = problems_of(broken)

    reported(problems, line=line_of(broken, '{code: "611000"'), words=["只有一个根", "2"])


def test_unit_not_below_its_parents_level_is_reported(plan_text, plan, problems_of):
    broken = edit(
        plan_text, '{code: "610202", name: 王益区, level: 3,', '{code: "610202", name: 王益区, level: 2,'
    )

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, '{code: "610202"'),
        words=["层级 2", "610200"],
        path=f"org_units[{index_of(plan, 'org_units', '610202')}].level",
    )


def test_group_member_that_is_not_an_org_unit_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, 'members: ["610581"]', 'members: ["610589"]')

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "610589"),
        words=["“610589”", "不存在"],
        path=f"org_groups[{index_of(plan, 'org_groups', 'HANCHENG')}].members[0]",
    )


def test_unit_that_is_a_member_of_two_groups_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, 'members: ["610881"]', 'members: ["610581"]')

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, "{code: SHENMU"),
        words=["610581", "HANCHENG"],
        path=f"org_groups[{index_of(plan, 'org_groups', 'SHENMU')}].members[0]",
    )


# -- YAML ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "bad"),
    [
        ('title: "加快打通跨行业协议标准"', 'title: "加快打通跨行业协议标准" 多余', "多余"),
        ("  - {code: gxt, name: 省工信厅,", "  - {code: gxt name: 省工信厅,", "{code: gxt name"),
        (
            '    section: "二.(一)"\n    number: "2"',
            '    section: "二.(一)"\n      number: "2"',
            '      number: "2"',
        ),
        ('    title: "研制重点行业融合应用标准"', '\ttitle: "研制重点行业融合应用标准"', "\ttitle"),
        ("  code: shaanxi-5g-2021-2023\n", "  code: shaanxi: 5g-2021-2023\n", "code: shaanxi: 5g"),
    ],
    ids=["text-after-a-quoted-value", "missing-comma", "bad-indentation", "tab", "colon-in-a-plain-value"],
)
def test_yaml_syntax_error_is_reported_with_its_line(plan_text, problems_of, old, new, bad):
    broken = edit(plan_text, old, new)

    (problem,) = problems_of(broken)

    assert problem.message.startswith("YAML 语法错误")
    assert problem.path == ""
    assert problem.line == line_of(broken, bad)


def test_unclosed_flow_mapping_is_reported_where_yaml_notices_it(plan_text, problems_of):
    unit = '{code: "610202", name: 王益区, level: 3, parent: "610200"}'
    broken = edit(plan_text, unit, unit.removesuffix("}"))

    (problem,) = problems_of(broken)

    assert problem.message.startswith("YAML 语法错误")
    # The parser can only tell at the next token, which is on the following line.
    assert problem.line in (line_of(broken, unit[:-1]), line_of(broken, unit[:-1]) + 1)


def test_duplicate_mapping_key_is_reported_at_the_repeated_key(plan_text, problems_of):
    broken = edit(
        plan_text,
        '    number: "1"\n    title: "加快打通跨行业协议标准"\n',
        '    number: "1"\n    title: "加快打通跨行业协议标准"\n    title: "另一个标题"\n',
    )

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, 'title: "另一个标题"')
    assert problem.path == "tasks[0].title"
    assert "“title”重复出现" in problem.message


def test_duplicate_key_in_a_flow_mapping_is_reported(plan_text, problems_of):
    broken = edit(plan_text, "{code: gxt, name: 省工信厅,", "{code: gxt, name: 省工信厅, code: gxt2,")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "code: gxt2")
    assert problem.path == "responsible_units[0].code"
    assert "“code”重复出现" in problem.message


def test_duplicate_top_level_key_is_reported(plan_text, problems_of):
    broken = edit(plan_text, "schema_version: 1\n", "schema_version: 1\nschema_version: 1\n")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "schema_version: 1\nschema_version") + 1
    assert problem.path == "schema_version"


def test_every_duplicate_key_is_reported_at_once(plan_text, problems_of):
    broken = edit(plan_text, "schema_version: 1\n", "schema_version: 1\nschema_version: 1\n")
    broken = edit(broken, "{code: gxt, name: 省工信厅,", "{code: gxt, name: 省工信厅, code: gxt2,")

    problems = problems_of(broken)

    assert [p.path for p in problems] == ["schema_version", "responsible_units[0].code"]


def test_mapping_key_that_is_not_text_is_reported(plan_text, problems_of):
    broken = edit(plan_text, "schema_version: 1\n", "schema_version: 1\n[a, b]: 1\n")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "[a, b]: 1")
    assert "字段名" in problem.message


def test_alias_that_contains_itself_is_refused_without_crashing(plan_text, problems_of):
    broken = edit(plan_text, "schema_version: 1\n", "schema_version: 1\nloop: &loop [*loop]\n")

    problems = problems_of(broken)

    reported(problems, line=line_of(broken, "loop: &loop"), words=["未知字段“loop”"], path="loop")


# -- structure (schema) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        (
            "name: 信息消费, name_en: Information consumption, key_industry: false",
            'name: 信息消费, name_en: Information consumption, key_industry: "yes"',
            "sectors[0].key_industry",
            ["布尔值", '"yes"'],
        ),
        (
            '{code: "610202", name: 王益区, level: 3,',
            '{code: "610202", name: 王益区, level: 三,',
            "org_units[25].level",
            ["整数", "三"],
        ),
        (
            "target: {value: 18, comparison: gt",
            'target: {value: "十八", comparison: gt',
            "indicators[4].target.value",
            ["数值", "十八"],
        ),
        (
            "responsible_units: [省通信管理局, 省交通运输厅]",
            "responsible_units: 省通信管理局",
            "tasks[23].responsible_units",
            ["列表"],
        ),
        (
            "target: {value: 18, comparison: gt",
            "target: {value: 18, comparison: ge",
            "indicators[4].target.comparison",
            ["“ge”", "gte"],
        ),
        ("kind: new_area", "kind: new-area", "org_groups[3].kind", ["“new-area”", "separately_addressed"]),
        ("schema_version: 1", "schema_version: 2", "schema_version", ["1"]),
        ('title: "加快打通跨行业协议标准"', 'title: ""', "tasks[0].title", ["不能为空"]),
        (
            "responsible_units: [省通信管理局, 省交通运输厅]",
            "responsible_units: []",
            "tasks[23].responsible_units",
            ["至少"],
        ),
        ("code: T2.1.1", "code: T 2.1.1", "tasks[0].code", ["“T 2.1.1”", "格式"]),
    ],
    ids=[
        "boolean",
        "integer",
        "number",
        "list",
        "enum",
        "enum-group-kind",
        "const",
        "empty",
        "min-items",
        "pattern",
    ],
)
def test_value_of_the_wrong_kind_is_reported_with_its_line(plan_text, problems_of, old, new, path, words):
    broken = edit(plan_text, old, new)

    (problem,) = problems_of(broken)

    assert problem.path == path
    assert problem.line == line_of(broken, new)
    for word in words:
        assert word in problem.message


def test_value_of_a_yaml_only_type_is_reported_not_crashing(plan_text, problems_of):
    broken = edit(
        plan_text,
        "name: 信息消费, name_en: Information consumption, key_industry: false",
        "name: 信息消费, name_en: Information consumption, key_industry: !!binary eWVz",
    )

    (problem,) = problems_of(broken)

    assert problem.path == "sectors[0].key_industry"
    assert problem.line == line_of(broken, "!!binary")
    assert "布尔值" in problem.message


def test_path_indexes_in_the_schema_cases_point_at_the_edited_items(plan: Plan):
    # The parametrized cases above name paths by index; keep them honest if the plan file is reordered.
    assert plan.sectors[0].name == "信息消费"
    assert plan.org_units[25].code == "610202"
    assert plan.indicators[4].code == "A5"
    assert plan.tasks[23].code == "T4.1.1"
    assert plan.org_groups[3].code == "XIXIAN"


def test_unknown_field_is_reported_with_the_fields_allowed_there(plan_text, plan, problems_of):
    broken = edit(
        plan_text,
        '    number: "2"\n    title: "研制重点行业融合应用标准"\n',
        '    number: "2"\n    owner: 张三\n    title: "研制重点行业融合应用标准"\n',
    )

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "owner: 张三")
    assert problem.path == f"tasks[{index_of(plan, 'tasks', 'T2.1.2')}].owner"
    assert "未知字段“owner”" in problem.message
    assert "responsibility" in problem.message


def test_every_unknown_field_of_one_item_is_reported(plan_text, problems_of):
    broken = edit(
        plan_text,
        '    number: "2"\n    title: "研制重点行业融合应用标准"\n',
        '    number: "2"\n    owner: 张三\n    deadline: 2023\n    title: "研制重点行业融合应用标准"\n',
    )

    problems = problems_of(broken)

    reported(problems, line=line_of(broken, "owner: 张三"), words=["未知字段“owner”"])
    reported(problems, line=line_of(broken, "deadline: 2023"), words=["未知字段“deadline”"])
    assert len(problems) == 2


def test_missing_required_field_is_reported_at_its_item(plan_text, plan, problems_of):
    broken = edit(plan_text, '    responsibility: "省通信管理局、省交通运输厅等部门按职责分工负责"\n', "")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "code: T4.1.1")
    assert problem.path == f"tasks[{index_of(plan, 'tasks', 'T4.1.1')}]"
    assert "缺少必填字段“responsibility”" in problem.message


def test_several_missing_fields_of_one_item_are_one_problem_naming_them_all(plan_text, problems_of):
    broken = edit(plan_text, '    responsibility: "省通信管理局、省交通运输厅等部门按职责分工负责"\n', "")
    broken = edit(broken, '    title: "提升面向公众的5G网络覆盖水平"\n', "")

    (problem,) = problems_of(broken)

    assert "“title”" in problem.message
    assert "“responsibility”" in problem.message


def test_misspelt_field_is_reported_as_unknown_and_as_missing(plan_text, problems_of):
    broken = edit(
        plan_text,
        '    responsibility: "省通信管理局、省交通运输厅等部门按职责分工负责"\n',
        '    responsibilty: "省通信管理局、省交通运输厅等部门按职责分工负责"\n',
    )

    problems = problems_of(broken)

    reported(problems, line=line_of(broken, "responsibilty:"), words=["未知字段“responsibilty”"])
    reported(problems, line=line_of(broken, "code: T4.1.1"), words=["缺少必填字段“responsibility”"])


# -- quotes and the source text ------------------------------------------------------------------


def test_quote_not_in_its_clause_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, "{code: Q06, clause: G1,", "{code: Q06, clause: G3,")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "{code: Q06")
    assert problem.path == f"qualitative_targets[{index_of(plan, 'qualitative_targets', 'Q06')}]"
    assert "“5G网络使用效率明显提高”" in problem.message
    assert "G3" in problem.message


def test_data_element_quote_citing_the_wrong_clause_is_reported(plan_text, plan, problems_of):
    quote = "{clause: 附件, quote: 5G移动电话用户数是指使用5G网络的个人用户}"
    broken = edit(plan_text, quote, quote.replace("附件", "G1"))

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, quote.replace("附件", "G1"))
    assert problem.path == f"data_elements[{index_of(plan, 'data_elements', 'mobile_users_5g')}].sources[0]"
    assert "不在条款 G1 的原文中" in problem.message


def test_quote_citing_a_clause_that_does_not_exist_is_reported(plan_text, problems_of):
    broken = edit(plan_text, "{code: Q06, clause: G1,", "{code: Q06, clause: G9,")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "{code: Q06")
    assert problem.path.endswith(".clause")
    assert "条款“G9”不存在" in problem.message


def test_task_title_altered_from_the_source_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, 'title: "研制重点行业融合应用标准"', 'title: "研制重点行业融合应用新标准"')

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "研制重点行业融合应用新标准")
    assert problem.path == f"tasks[{index_of(plan, 'tasks', 'T2.1.2')}].title"
    assert "找不到这段文字" in problem.message
    assert "研制重点行业融合应用新标准" in problem.message


def test_task_text_altered_from_the_source_is_reported_at_its_field(plan_text, plan, problems_of):
    broken = edit(plan_text, "系统推进重点行业5G融合应用标准研究", "系统推进重点行业6G融合应用标准研究")

    (problem,) = problems_of(broken)

    # A block text (``text: |-``) is reported at its key, the line above the edited words.
    text_key = line_of(broken, "系统推进重点行业6G") - 1
    assert broken.splitlines()[text_key - 1].strip() == "text: |-"
    assert problem.line == text_key
    assert problem.path == f"tasks[{index_of(plan, 'tasks', 'T2.1.2')}].text"
    assert "系统推进重点行业6G" in problem.message
    assert "shaanxi-5g-sailing-plan-2021-2023.txt" in problem.message


def test_task_responsibility_altered_from_the_source_is_reported(plan_text, plan, problems_of):
    old = 'responsibility: "省工信厅、省通信管理局、省市场监督管理局、各设区市政府等部门按职责分工负责"'
    new = 'responsibility: "省工信厅、省通信管理局、省市场监督管理局、各设区市政府负责"'
    broken = edit(plan_text, old, new)

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, new),
        words=["找不到这段文字"],
        path=f"tasks[{index_of(plan, 'tasks', 'T2.1.1')}].responsibility",
    )


def test_safeguard_altered_from_the_source_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, 'title: "培育人才队伍"', 'title: "培养人才队伍"')

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "培养人才队伍")
    assert problem.path == f"safeguards[{index_of(plan, 'safeguards', 'SG3')}].title"


def test_source_document_that_cannot_be_found_is_reported(plan_text, tmp_path):
    with pytest.raises(PlanInvalid) as info:
        load_plan_text(plan_text, file=FILE, base_dir=tmp_path)

    (problem,) = info.value.problems
    assert problem.line == line_of(plan_text, "source: sources/")
    assert problem.path == "plan.source"
    assert "找不到原文文件" in problem.message


def test_source_document_without_a_folder_to_look_in_is_reported(plan_text):
    with pytest.raises(PlanInvalid) as info:
        load_plan_text(plan_text, file=FILE)

    (problem,) = info.value.problems
    assert problem.path == "plan.source"
    assert "无法确定原文文件的位置" in problem.message


# -- annex ---------------------------------------------------------------------------------------


def test_target_differing_from_the_annex_value_is_reported(plan_text, plan, problems_of):
    broken = edit(
        plan_text,
        "target: {value: 18, comparison: gt, date: 2023-12-31, applies_to: every_unit}",
        "target: {value: 20, comparison: gt, date: 2023-12-31, applies_to: every_unit}",
    )

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "target: {value: 20,")
    assert problem.path == f"indicators[{index_of(plan, 'indicators', 'A5')}].target.value"
    assert "目标值 20" in problem.message
    assert "附件第 5 项" in problem.message
    assert "18" in problem.message


def test_annex_value_differing_from_the_target_is_reported_at_the_indicator(plan_text, plan, problems_of):
    broken = edit(plan_text, '      value: "18"\n', '      value: "19"\n')

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "target: {value: 18,")
    assert "19" in problem.message


def test_annex_value_that_is_not_a_number_is_reported(plan_text, problems_of):
    broken = edit(plan_text, '      value: "18"\n', '      value: "18个"\n')

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, 'value: "18个"')
    assert problem.path == "annex.rows[4].value"
    assert "不是数值" in problem.message


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_target_that_is_not_a_finite_number_is_reported(plan_text, plan, problems_of, value):
    broken = edit(
        plan_text, "target: {value: 16000000, comparison: gt", f"target: {{value: {value}, comparison: gt"
    )

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, f"{{value: {value},")
    assert problem.path == f"indicators[{index_of(plan, 'indicators', 'B1')}].target.value"
    assert "不是有限的数值" in problem.message


def test_annex_number_without_an_annex_row_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, "    annex_number: 7\n", "    annex_number: 8\n")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "annex_number: 8")
    assert problem.path == f"indicators[{index_of(plan, 'indicators', 'A7')}].annex_number"
    assert "序号为 8" in problem.message


# -- other references and dates ------------------------------------------------------------------


def test_sector_naming_a_task_that_does_not_exist_is_reported(plan_text, problems_of):
    broken = edit(plan_text, "key_industry: false, task: T3.1.1}", "key_industry: false, task: T3.1.9}")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "task: T3.1.9}")
    assert problem.path == "sectors[0].task"
    assert "“T3.1.9”不存在" in problem.message


def test_task_in_a_section_that_does_not_exist_is_reported(plan_text, problems_of):
    broken = edit(
        plan_text, '- code: T2.1.1\n    section: "二.(一)"', '- code: T2.1.1\n    section: "二.(九)"'
    )

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, 'section: "二.(九)"')
    assert problem.path == "tasks[0].section"


def test_plan_ending_before_it_starts_is_reported(plan_text, problems_of):
    broken = edit(plan_text, "  end: 2023-12-31\n", "  end: 2020-12-31\n")

    problems = problems_of(broken)

    reported(problems, line=line_of(broken, "end: 2020-12-31"), words=["结束日期"], path="plan.end")


def test_impossible_date_is_reported(plan_text, problems_of):
    broken = edit(plan_text, "  start: 2021-01-01\n", "  start: 2021-02-30\n")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "start: 2021-02-30")
    assert "不是有效日期" in problem.message


def test_target_date_outside_the_plan_period_is_reported(plan_text, plan, problems_of):
    broken = edit(
        plan_text,
        "target: {value: 18, comparison: gt, date: 2023-12-31, applies_to: every_unit}",
        "target: {value: 18, comparison: gt, date: 2025-12-31}",
    )

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "date: 2025-12-31")
    assert problem.path == f"indicators[{index_of(plan, 'indicators', 'A5')}].target.date"
    assert "不在计划期" in problem.message


# -- all at once ---------------------------------------------------------------------------------


def test_several_problems_are_all_reported_at_once_in_line_order(plan_text, problems_of):
    edits = [
        ("省卫健委, 省交通厅]", "省卫健委, 省交通局]", "省交通局", "未知责任单位"),
        (
            "formula: mobile_users_5g / population * 100",
            "formula: mobile_users_5g / populaton * 100",
            "populaton",
            "数据项",
        ),
        (
            "target: {value: 18, comparison: gt",
            "target: {value: 20, comparison: gt",
            "{value: 20,",
            "附件第 5 项",
        ),
        ("{code: Q06, clause: G1,", "{code: Q06, clause: G3,", "{code: Q06", "不在条款 G3"),
        (
            'name: 王益区, level: 3, parent: "610200"',
            'name: 王益区, level: 3, parent: "610299"',
            "610299",
            "不存在",
        ),
    ]
    broken = plan_text
    for old, new, _, _ in edits:
        broken = edit(broken, old, new)

    problems = problems_of(broken)

    for _, _, snippet, words in edits:
        reported(problems, line=line_of(broken, snippet), words=[words])
    assert len(problems) == len(edits)
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    message = str(PlanInvalid(list(problems)))
    for _, _, snippet, _ in edits:
        assert f"{FILE}:{line_of(broken, snippet)}: " in message


def test_several_structural_problems_are_all_reported_at_once(plan_text, problems_of):
    broken = edit(
        plan_text,
        "name: 信息消费, name_en: Information consumption, key_industry: false",
        'name: 信息消费, name_en: Information consumption, key_industry: "yes"',
    )
    broken = edit(broken, '    responsibility: "省通信管理局、省交通运输厅等部门按职责分工负责"\n', "")
    broken = edit(broken, "  - {code: cmcc, name: 中国移动,", "  - {code: cmcc, colour: red, name: 中国移动,")

    problems = problems_of(broken)

    reported(problems, line=line_of(broken, 'key_industry: "yes"'), words=["布尔值"])
    reported(problems, line=line_of(broken, "code: T4.1.1"), words=["“responsibility”"])
    reported(problems, line=line_of(broken, "colour: red"), words=["未知字段“colour”"])
    assert len(problems) == 3


# -- files ---------------------------------------------------------------------------------------


def test_missing_plan_file_is_reported(tmp_path):
    with pytest.raises(PlanInvalid) as info:
        load_plan(tmp_path / "none.yaml")

    (problem,) = info.value.problems
    assert problem.file == str(tmp_path / "none.yaml")
    assert problem.line is None
    assert problem.message == "文件不存在"


def test_plan_file_that_is_not_utf8_is_reported(tmp_path, plan_text):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(plan_text.encode("gbk", errors="replace"))

    with pytest.raises(PlanInvalid) as info:
        load_plan(path)

    (problem,) = info.value.problems
    assert "UTF-8" in problem.message


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_plan_file_is_reported(text, problems_of):
    (problem,) = problems_of(text)

    assert problem.message == "文件为空"


@pytest.mark.parametrize("text", ["- 1\n- 2\n", "just text\n", "42\n"])
def test_plan_file_that_is_not_a_mapping_is_reported(text, problems_of):
    (problem,) = problems_of(text)

    assert problem.line == 1
    assert "顶层应为映射" in problem.message


def test_problem_reads_as_file_line_path_and_message():
    problem = PlanProblem("plan.yaml", 12, "tasks[3].responsible_units[1]", "未知责任单位“省交通局”")

    assert str(problem) == "plan.yaml:12: tasks[3].responsible_units[1]: 未知责任单位“省交通局”"
    assert str(PlanProblem("plan.yaml", None, "", "文件不存在")) == "plan.yaml: 文件不存在"


# -- robustness ----------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_deleting_or_repeating_any_line_never_crashes_the_loader(plan_text, plans_dir, data):
    lines = plan_text.splitlines(keepends=True)
    index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    repeat = data.draw(st.booleans())
    broken = "".join([*lines[:index], *([lines[index]] * 2 if repeat else []), *lines[index + 1 :]])

    try:
        load_plan_text(broken, file=FILE, base_dir=plans_dir)
    except PlanInvalid as error:
        total = broken.count("\n") + 1
        for problem in error.problems:
            assert problem.line is None or 1 <= problem.line <= total, problem
            assert CHINESE.search(problem.message), problem


def test_milestones_are_read_and_one_after_the_final_target_date_is_reported(
    plan_text, plan, plans_dir, problems_of
):
    target = "target: {value: 18, comparison: gt, date: 2023-12-31, applies_to: every_unit}"
    fine = edit(
        plan_text, target, target + "\n    milestones: [{value: 8, comparison: gte, date: 2021-12-31}]"
    )
    (milestone,) = load_plan_text(fine, file=FILE, base_dir=plans_dir).indicator("A5").milestones
    assert (milestone.value, milestone.comparison, milestone.date) == (8, "gte", date(2021, 12, 31))

    broken = edit(
        plan_text, target, target + "\n    milestones: [{value: 8, comparison: gte, date: 2024-12-31}]"
    )
    (problem,) = problems_of(broken)
    assert problem.path == f"indicators[{index_of(plan, 'indicators', 'A5')}].milestones[0].date"
    assert "之前" in problem.message


# -- supervision and evaluation ------------------------------------------------------------------

WEIGHTS = "weights: {completion: 40, timeliness: 20, evidence: 15, indicators: 25}"
POINTS = "status_points: {achieved: 100, on_track: 80, at_risk: 40, off_track: 0}"
SCHEME_HEAD = '  - version: "1"\n    name: 任务落实综合评分（默认方案）\n    effective_from: 2021-01-01\n'


def second_scheme(version: str, effective_from: str) -> str:
    """A second scheme, to append after the bundled one (the last item of ``evaluation:``)."""
    return (
        f'  - version: "{version}"\n    name: 调整后的方案\n    effective_from: {effective_from}\n'
        f"    {WEIGHTS}\n    {POINTS}\n"
    )


def with_second_scheme(plan_text: str, version: str, effective_from: str) -> str:
    anchor = "\n# 登记簿："
    return edit(plan_text, anchor, "\n" + second_scheme(version, effective_from) + anchor)


def test_a_second_scheme_is_read_in_the_order_of_the_file(plan_text, plans_dir):
    text = with_second_scheme(plan_text, "2", "2023-01-01")
    plan = load_plan_text(text, file=FILE, base_dir=plans_dir)
    assert [(s.version, s.effective_from) for s in plan.evaluation_schemes] == [
        ("1", date(2021, 1, 1)),
        ("2", date(2023, 1, 1)),
    ]


def test_weights_not_summing_to_100_are_reported_with_the_sum_and_the_parts(plan_text, problems_of):
    bad = "weights: {completion: 40, timeliness: 20, evidence: 15, indicators: 20}"
    broken = edit(plan_text, WEIGHTS, bad)

    (problem,) = problems_of(broken)

    assert problem.path == "evaluation[0].weights"
    assert problem.line == line_of(broken, bad)
    assert "之和应为 100" in problem.message
    assert "现为 95" in problem.message
    assert "indicators 20" in problem.message


def test_weights_with_decimals_summing_to_100_load(plan_text, plans_dir):
    weights = "weights: {completion: 33.3, timeliness: 33.3, evidence: 33.4, indicators: 0}"
    plan = load_plan_text(edit(plan_text, WEIGHTS, weights), file=FILE, base_dir=plans_dir)
    assert plan.evaluation_schemes[0].weights["evidence"] == Decimal("33.4")


def test_weights_missing_a_component_or_naming_another_are_reported(plan_text, problems_of):
    missing = "weights: {completion: 40, timeliness: 20, evidence: 40}"
    (problem,) = problems_of(edit(plan_text, WEIGHTS, missing))
    assert problem.path == "evaluation[0].weights"
    assert "“indicators”" in problem.message

    extra = "weights: {completion: 40, timeliness: 20, evidence: 15, indicators: 25, speed: 0}"
    (problem,) = problems_of(edit(plan_text, WEIGHTS, extra))
    assert problem.path == "evaluation[0].weights.speed"
    assert "未知字段" in problem.message
    assert "completion" in problem.message


@pytest.mark.parametrize(
    ("new", "path", "words"),
    [
        (
            "status_points: {achieved: 120, on_track: 80, at_risk: 40, off_track: 0}",
            "achieved",
            ["不大于 100"],
        ),
        ("status_points: {achieved: 100, on_track: 80, at_risk: -5, off_track: 0}", "at_risk", ["不小于 0"]),
        (
            "status_points: {achieved: 100, on_track: .nan, at_risk: 40, off_track: 0}",
            "on_track",
            ["0 至 100"],
        ),
    ],
    ids=["above-100", "negative", "not-a-number"],
)
def test_status_points_outside_0_to_100_are_reported(plan_text, problems_of, new, path, words):
    broken = edit(plan_text, POINTS, new)

    (problem,) = problems_of(broken)

    assert problem.path == f"evaluation[0].status_points.{path}"
    assert problem.line == line_of(broken, new)
    for word in words:
        assert word in problem.message


def test_weight_that_is_not_a_finite_number_is_reported(plan_text, problems_of):
    bad = "weights: {completion: .nan, timeliness: 20, evidence: 15, indicators: 25}"
    (problem,) = problems_of(edit(plan_text, WEIGHTS, bad))
    assert problem.path == "evaluation[0].weights.completion"
    assert "有限的数值" in problem.message


UNIT_WEIGHTS = "unit_weights: {lead: 2, cooperating: 1}"


def test_bundled_scheme_weighs_a_lead_unit_two_and_says_it_is_yangfans_default(plan):
    (scheme,) = plan.evaluation_schemes

    assert scheme.unit_weights == {"lead": Decimal(2), "cooperating": Decimal(1)}
    assert "单位权重（牵头2、配合1）都是扬帆平台的默认配置，不是原文的数字" in scheme.remark


def test_scheme_without_unit_weights_weighs_both_roles_one(plan_text, plans_dir):
    plan = load_plan_text(edit(plan_text, f"    {UNIT_WEIGHTS}\n", ""), file=FILE, base_dir=plans_dir)

    assert plan.evaluation_schemes[0].unit_weights == {"lead": Decimal(1), "cooperating": Decimal(1)}


@pytest.mark.parametrize(
    ("new", "path", "words"),
    [
        ("unit_weights: {lead: 0, cooperating: 1}", "unit_weights.lead", ["应大于 0"]),
        ("unit_weights: {lead: 2, cooperating: 120}", "unit_weights.cooperating", ["不大于 100"]),
        ("unit_weights: {lead: .nan, cooperating: 1}", "unit_weights.lead", ["大于 0、不超过 100"]),
        ("unit_weights: {lead: 2}", "unit_weights", ["“cooperating”"]),
        ("unit_weights: {lead: 2, cooperating: 1, expert: 1}", "unit_weights.expert", ["未知字段"]),
    ],
    ids=["zero", "above-100", "not-a-number", "missing", "unknown"],
)
def test_bad_unit_weights_are_reported(plan_text, problems_of, new, path, words):
    broken = edit(plan_text, UNIT_WEIGHTS, new)

    (problem,) = problems_of(broken)

    assert problem.path == f"evaluation[0].{path}"
    assert problem.line == line_of(broken, new)
    for word in words:
        assert word in problem.message


def test_duplicate_scheme_version_is_reported_at_the_second_use(plan_text, problems_of):
    broken = with_second_scheme(plan_text, "1", "2023-01-01")

    problems = problems_of(broken)

    reported(
        problems,
        line=line_of(broken, '- version: "1"\n    name: 调整后的方案'),
        words=["“1”", "重复", "evaluation[0]"],
        path="evaluation[1].version",
    )


@pytest.mark.parametrize("effective_from", ["2021-01-01", "2020-06-30"])
def test_scheme_not_later_than_the_one_before_is_reported(plan_text, problems_of, effective_from):
    broken = with_second_scheme(plan_text, "2", effective_from)

    (problem,) = problems_of(broken)

    assert problem.path == "evaluation[1].effective_from"
    assert problem.line == line_of(
        broken, f"effective_from: {effective_from}\n    {WEIGHTS}\n    {POINTS}\n\n"
    )
    assert "应晚于上一版本的生效日期 2021-01-01" in problem.message


def test_impossible_effective_date_is_reported(plan_text, problems_of):
    broken = edit(plan_text, SCHEME_HEAD, SCHEME_HEAD.replace("2021-01-01", "2021-02-30"))
    (problem,) = problems_of(broken)
    assert problem.path == "evaluation[0].effective_from"
    assert "不是有效日期" in problem.message


def test_unquoted_numeric_version_is_reported_as_not_text(plan_text, problems_of):
    broken = edit(plan_text, SCHEME_HEAD, SCHEME_HEAD.replace('version: "1"', "version: 1"))
    (problem,) = problems_of(broken)
    assert problem.path == "evaluation[0].version"
    assert "文本" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        (
            "supervision:\n  period_type: quarterly\n",
            "supervision:\n  period_type: weekly\n",
            "supervision.period_type",
            ["weekly", "quarterly"],
        ),
        (
            "  report_deadline_days: 15\n",
            "  report_deadline_days: -1\n",
            "supervision.report_deadline_days",
            ["不小于 0"],
        ),
        ("  stalled_periods: 2\n", "  stalled_periods: 0\n", "supervision.stalled_periods", ["不小于 1"]),
        (
            "  stalled_periods: 2\n",
            "  stalled_periods: 2\n  escalate: true\n",
            "supervision.escalate",
            ["未知字段"],
        ),
    ],
    ids=["period-type", "deadline", "stalled", "unknown-field"],
)
def test_bad_supervision_rules_are_reported_with_their_line(plan_text, problems_of, old, new, path, words):
    broken = edit(plan_text, old, new)

    (problem,) = problems_of(broken)

    assert problem.path == path
    assert problem.line == line_of(broken, new.strip().split("\n")[-1])
    for word in words:
        assert word in problem.message


def test_plan_without_supervision_or_evaluation_sections_gets_the_defaults(plan_text, plans_dir):
    start = plan_text.index("\n# 任务督导：")
    end = plan_text.index("\n# 登记簿：")
    plan = load_plan_text(plan_text[:start] + plan_text[end:], file=FILE, base_dir=plans_dir)
    assert plan.supervision == SupervisionRules()
    assert plan.evaluation_schemes == ()

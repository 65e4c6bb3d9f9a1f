"""The plan file must say what its clauses say: every unit a responsibility clause names is listed for the
task, every target equals the figure its quote writes and uses the comparison the quote's words say, and every
goal phrase of 一.(三) has a target quoting it.

As in ``test_planfile_errors``, each test breaks the bundled plan by a small text edit and finds the expected
line in the broken text itself.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from tests.core.test_bundled_plan import TARGETS_ADDED_FOR_GOAL_PHRASES
from tests.core.test_planfile_errors import FILE, edit, index_of, line_of, reported

from yangfan.core.errors import PlanInvalid, PlanProblem
from yangfan.core.plan import Comparison, Plan
from yangfan.core.planfile import load_plan_text
from yangfan.core.planfile.structure import unit_names_in
from yangfan.core.planfile.wording import figures_in, goal_phrases, unit_scale


@pytest.fixture(scope="module")
def plans_dir(plan_path: Path) -> Path:
    return plan_path.parent


@pytest.fixture(scope="module")
def load(plans_dir: Path):
    def read(text: str) -> Plan:
        return load_plan_text(text, file=FILE, base_dir=plans_dir)

    return read


@pytest.fixture(scope="module")
def problems_of(load):
    def problems(text: str) -> tuple[PlanProblem, ...]:
        with pytest.raises(PlanInvalid) as info:
            load(text)
        assert all(p.file == FILE for p in info.value.problems)
        return info.value.problems

    return problems


def field_line(text: str, item_header: str, field: str) -> int:
    """The line of ``field`` in the item that starts with ``item_header`` (its first such line after it)."""
    at = text.index(f"    {field}:", text.index(item_header))
    return text[:at].count("\n") + 1


def text_line(text: str, item_header: str) -> int:
    return field_line(text, item_header, "text")


def set_target(text: str, code: str, old: str, new: str) -> str:
    """``text`` with indicator ``code``'s target line changed from ``old`` to ``new``."""
    at = text.index("    target: ", text.index(f"  - code: {code}\n"))
    end = text.index("\n", at)
    assert old in text[at:end], (code, text[at:end])
    return text[:at] + text[at:end].replace(old, new) + text[end:]


def test_bundled_plan_text_still_loads(plan_text, load, plan: Plan):
    assert load(plan_text) == plan


# -- every unit a responsibility clause names is listed ------------------------------------------

T211_UNITS = "responsible_units: [省工信厅, 省通信管理局, 省市场监督管理局, 各设区市政府]"


def test_unit_named_in_the_clause_but_not_listed_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, T211_UNITS, "responsible_units: [省工信厅, 省通信管理局, 各设区市政府]")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(plan_text, T211_UNITS)
    assert problem.path == f"tasks[{index_of(plan, 'tasks', 'T2.1.1')}].responsible_units"
    assert "“省市场监督管理局”" in problem.message
    assert "没有列出" in problem.message


def test_unit_named_in_the_clause_by_its_alias_but_not_listed_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, "省卫健委, 省交通厅]", "省卫健委]")

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "省发改委, 省卫健委]")
    assert problem.path == f"tasks[{index_of(plan, 'tasks', 'T4.3.9')}].responsible_units"
    assert "“省交通厅”" in problem.message


def test_every_unit_missing_from_a_task_is_reported(plan_text, problems_of):
    broken = edit(plan_text, T211_UNITS, "responsible_units: [省工信厅]")

    problems = problems_of(broken)

    for name in ("省通信管理局", "省市场监督管理局", "各设区市政府"):
        reported(problems, line=line_of(plan_text, T211_UNITS), words=[f"“{name}”"])
    assert len(problems) == 3


def test_mistyped_unit_is_reported_once_not_also_as_missing(plan_text, problems_of):
    broken = edit(plan_text, T211_UNITS, T211_UNITS.replace("省市场监督管理局", "省市场监管局"))

    (problem,) = problems_of(broken)

    assert "未知责任单位“省市场监管局”" in problem.message


def test_names_in_a_clause_are_read_longest_first():
    units = {"省交通运输厅": "jtt", "省交通厅": "jtt", "省委": "sw", "省委网信办": "wxb"}

    found = unit_names_in("省委网信办、省交通运输厅、省交通厅、省委等部门按职责分工负责", units)

    assert found == [("省委网信办", "wxb"), ("省交通运输厅", "jtt"), ("省交通厅", "jtt"), ("省委", "sw")]


# -- the units are listed in the clause's order: the first named leads (牵头) ---------------------

T439_UNITS = "responsible_units: [省委网信办, 省工信厅, 省通信管理局, 省公安厅, 省发改委, 省卫健委, 省交通厅]"


def test_units_listed_in_another_order_than_the_clause_are_refused_naming_both_orders(
    plan_text, plan, problems_of
):
    swapped = "responsible_units: [省通信管理局, 省工信厅, 省市场监督管理局, 各设区市政府]"
    broken = edit(plan_text, T211_UNITS, swapped)

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, swapped)
    assert problem.path == f"tasks[{index_of(plan, 'tasks', 'T2.1.1')}].responsible_units"
    assert "任务 T2.1.1" in problem.message
    assert "（省通信管理局、省工信厅、省市场监督管理局、各设区市政府）" in problem.message
    assert "原文的顺序（省工信厅、省通信管理局、省市场监督管理局、各设区市政府）" in problem.message
    assert "牵头" in problem.message


def test_order_is_read_through_an_alias(plan_text, plan, problems_of):
    moved = "responsible_units: [省交通厅, 省委网信办, 省工信厅, 省通信管理局, 省公安厅, 省发改委, 省卫健委]"
    broken = edit(plan_text, T439_UNITS, moved)

    (problem,) = problems_of(broken)

    assert problem.path == f"tasks[{index_of(plan, 'tasks', 'T4.3.9')}].responsible_units"
    assert (
        "原文的顺序（省委网信办、省工信厅、省通信管理局、省公安厅、省发改委、省卫健委、省交通厅）"
        in problem.message
    )


def test_unit_listed_twice_is_refused(plan_text, plan, problems_of):
    twice = T439_UNITS.replace("[省委网信办,", "[省委网信办, 省交通厅,")
    broken = edit(plan_text, T439_UNITS, twice)

    (problem,) = problems_of(broken)

    assert problem.path == f"tasks[{index_of(plan, 'tasks', 'T4.3.9')}].responsible_units[7]"
    assert "“省交通厅”重复列出" in problem.message


def test_every_task_of_the_bundled_plan_lists_its_units_in_the_clause_order(plan):
    names = {n: u.code for u in plan.responsible_units for n in (u.name, *u.aliases)}

    for task in plan.tasks:
        clause = list(dict.fromkeys(code for _, code in unit_names_in(task.responsibility, names)))
        assert list(task.responsible_units) == clause, task.code
    leads = {task.code: task.responsible_units[0] for task in plan.tasks}
    assert leads["T3.2.8"] == "cities"  # 智慧物流: “各设区市政府、省工信厅、省通信管理局”
    assert sum(1 for lead in leads.values() if lead != "gxt") == 20


# -- every target equals the figure its quotes write ---------------------------------------------


@pytest.mark.parametrize(
    ("code", "old", "new", "words"),
    [
        ("B1", "value: 16000000", "value: 1600000", ["1600000", "1600万"]),
        ("B2", "value: 2", "value: 3", ["目标值 3", "打造2个以上"]),
        ("B3", "value: 3", "value: 30", ["目标值 30", "建设3个以上"]),
        ("B4", "value: 15", "value: 12", ["目标值 12", "建设15个"]),
    ],
)
def test_text_target_differing_from_its_quote_is_reported(
    plan_text, plan, problems_of, code, old, new, words
):
    broken = set_target(plan_text, code, old, new)

    (problem,) = problems_of(broken)

    assert problem.line == field_line(broken, f"  - code: {code}\n", "target")
    assert problem.path == f"indicators[{index_of(plan, 'indicators', code)}].target.value"
    assert "不一致" in problem.message
    for word in words:
        assert word in problem.message


def test_quoted_figure_is_read_with_its_multiplier(plan_text, problems_of):
    broken = edit(plan_text, "{value: 16000000, comparison: gt", "{value: 1600, comparison: gt")

    (problem,) = problems_of(broken)

    assert "引文“用户数超过1600万”中的数值 1600万（16000000）" in problem.message


def test_annex_target_differing_from_annex_and_quote_is_one_problem_naming_both(plan_text, problems_of):
    old = "target: {value: 18, comparison: gt"
    broken = edit(plan_text, old, "target: {value: 20, comparison: gt")

    (problem,) = problems_of(broken)

    assert "附件第 5 项的指标值 18" in problem.message
    assert "引文“每万人拥有5G基站数超过18个”中的数值 18个" in problem.message


def test_indicator_counted_in_ten_thousands_is_compared_after_its_multiplier(plan_text, load):
    fine = edit(
        plan_text,
        "    unit: 户\n    formula: mobile_users_5g\n",
        "    unit: 万户\n    formula: mobile_users_5g\n",
    )
    fine = edit(fine, "{value: 16000000, comparison: gt", "{value: 1600, comparison: gt")

    assert load(fine).indicator("B1").target.value == 1600


def test_unit_differing_from_the_quotes_is_reported(plan_text, plan, problems_of):
    old = "    unit: 个\n    formula: base_stations_5g / population * 10000\n"
    broken = edit(plan_text, old, old.replace("unit: 个", 'unit: "%"'))

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, 'unit: "%"\n    formula: base_stations_5g')
    assert problem.path == f"indicators[{index_of(plan, 'indicators', 'A5')}].unit"
    assert "“个”" in problem.message


def test_target_no_quote_writes_is_reported(plan_text, plan, problems_of):
    old = "{clause: T3.2.1, quote: 到2023年，全省力争建设3个以上行业标识解析二级节点}"
    broken = edit(plan_text, old, "{clause: T3.2.1, quote: 行业标识解析二级节点}")

    (problem,) = problems_of(broken)

    assert problem.path == f"indicators[{index_of(plan, 'indicators', 'B3')}].sources"
    assert "目标值 3" in problem.message
    assert "找不到" in problem.message


# -- the comparison is the one the quote's words say ---------------------------------------------


@pytest.mark.parametrize(
    ("code", "old", "new", "words"),
    [
        ("A6", "comparison: gt,", "comparison: gte,", ["“gte”", "“超过”", "gt（大于）"]),
        ("A2", "comparison: gt,", "comparison: gte,", ["“超”", "超50%"]),
        ("A1", "comparison: gt,", "comparison: lt,", ["“lt”", "“超过”"]),
        ("B2", "comparison: gte,", "comparison: gt,", ["“gt”", "“以上”", "gte（大于或等于）"]),
        ("B3", "comparison: gte,", "comparison: gt,", ["“以上”", "建设3个以上"]),
        ("A7", "comparison: gte,", "comparison: gt,", ["“以上”"]),
    ],
)
def test_comparison_disagreeing_with_the_quotes_words_is_reported(
    plan_text, plan, problems_of, code, old, new, words
):
    broken = set_target(plan_text, code, old, new)

    (problem,) = problems_of(broken)

    assert problem.line == field_line(broken, f"  - code: {code}\n", "target")
    assert problem.path == f"indicators[{index_of(plan, 'indicators', code)}].target.comparison"
    for word in words:
        assert word in problem.message


def test_quote_without_a_comparison_word_leaves_the_comparison_to_the_file(plan_text, load):
    fine = set_target(plan_text, "B4", "comparison: gte,", "comparison: gt,")

    assert load(fine).indicator("B4").target.comparison == Comparison.GT


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("5G个人用户普及率超过40%", [("40%", Decimal(40), "%", "超过")]),
        ("5G网络接入流量占比超50％", [("50%", Decimal(50), "%", "超")]),
        ("用户数超过1600万", [("1600万", Decimal(16_000_000), "", "超过")]),
        ("全省建成超过75个5G行业虚拟专网", [("75个", Decimal(75), "个", "超过")]),
        ("到2023年，全省力争建设3个以上行业标识解析二级节点", [("3个", Decimal(3), "个", "以上")]),
        ("建设15个具有竞争力的工业互联网平台", [("15个", Decimal(15), "个", "")]),
        ("积极在大型活动中开展“5G+4K/8K超高清视频”应用示范", []),
        ("5G个人用户普及率=5G移动电话用户数/全省人口数", []),
        ("总量达到2.5亿个", [("2.5亿个", Decimal(250_000_000), "个", "")]),
    ],
)
def test_figures_are_numbers_with_a_multiplier_or_a_unit(quote, expected):
    figures = figures_in(quote, ["%", "个", "户", "人"])

    assert [(f.text, f.value, f.unit, f.word) for f in figures] == expected


def test_unit_with_a_multiplier_is_split():
    assert unit_scale("万户") == (Decimal(10_000), "户")
    assert unit_scale("万") == (Decimal(1), "万")
    assert unit_scale("％") == (Decimal(1), "%")


# -- every goal phrase has a target --------------------------------------------------------------

# The ten goal phrases that had no target before issue 18: the targets added for them (test_bundled_plan).
ADDED_FOR_GOALS = TARGETS_ADDED_FOR_GOAL_PHRASES


def without_target(plan_text: str, code: str) -> str:
    """The plan text without qualitative target ``code`` (its line and its remark's line)."""
    start = plan_text.index(f"  - {{code: {code},")
    end = plan_text.index("}\n", start) + 2
    return plan_text[:start] + plan_text[end:]


@pytest.mark.parametrize("code", ADDED_FOR_GOALS)
def test_goal_phrase_without_a_target_is_reported(plan_text, plan, problems_of, code):
    clause, phrase = ADDED_FOR_GOALS[code]
    broken = without_target(plan_text, code)

    (problem,) = problems_of(broken)

    collection = "goals" if clause in {g.code for g in plan.goals} else "sections"
    header = f"  - code: {clause}\n" if collection == "goals" else f'  - code: "{clause}"\n'
    assert problem.line == text_line(broken, header)
    assert problem.path == f"{collection}[{index_of(plan, collection, clause)}].text"
    assert f"目标“{phrase}”" in problem.message
    assert "没有对应的指标或定性目标" in problem.message


def test_goal_phrase_covered_by_an_indicator_quote_needs_no_qualitative_target(plan_text, problems_of):
    old = "      - {clause: G4, quote: 全省建成超过75个5G行业虚拟专网}\n"
    broken = edit(plan_text, old, "")

    (problem,) = problems_of(broken)

    assert "“全省建成超过75个5G行业虚拟专网”" in problem.message
    assert problem.line == text_line(broken, "  - code: G4\n")


def test_phrase_left_out_of_the_lead_ins_needs_a_target(plan_text, plan, problems_of):
    lead_ins = "lead_ins: [个人消费领域, 垂直行业领域, 社会民生领域]"
    broken = edit(plan_text, lead_ins, "lead_ins: [个人消费领域, 社会民生领域]")

    (problem,) = problems_of(broken)

    assert problem.line == text_line(broken, "  - code: G2\n")
    assert "目标“垂直行业领域”" in problem.message


def test_lead_in_that_is_not_a_phrase_of_the_text_is_reported(plan_text, plan, problems_of):
    broken = edit(plan_text, "lead_ins: [到2023年]", "lead_ins: [到2024年]")

    problems = problems_of(broken)

    section = index_of(plan, "sections", "一.(三)")
    reported(
        problems,
        line=line_of(broken, "lead_ins: [到2024年]"),
        words=["“到2024年”", "不是本段原文"],
        path=f"sections[{section}].lead_ins[0]",
    )
    reported(problems, line=text_line(broken, '  - code: "一.(三)"'), words=["目标“到2023年”"])
    assert len(problems) == 2


def test_lead_ins_of_a_section_without_goals_are_reported(plan_text, plan, problems_of):
    broken = edit(
        plan_text, '    title: "指导思想"\n', '    title: "指导思想"\n    lead_ins: [立足新发展阶段]\n'
    )

    (problem,) = problems_of(broken)

    assert problem.line == line_of(broken, "lead_ins: [立足新发展阶段]")
    assert problem.path == f"sections[{index_of(plan, 'sections', '一.(一)')}].lead_ins[0]"
    assert "没有目标" in problem.message


def test_goal_phrases_are_split_at_commas_full_stops_and_semicolons():
    text = "通过政府奖补、行业推广等方式激发市场活力，评选一批行业；培育一批供应商。"

    assert goal_phrases(text) == [
        "通过政府奖补、行业推广等方式激发市场活力",
        "评选一批行业",
        "培育一批供应商",
    ]

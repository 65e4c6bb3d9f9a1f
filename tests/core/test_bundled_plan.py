"""The bundled Shaanxi plan says what the notice 陕通局联〔2022〕10号 says, word for word.

These tests read the plan file as the platform does and compare it with the source document
(``plans/sources/``), DESIGN.md ("The plan as data", "Indicators") and the Ministry of Civil Affairs
division codes (tests/data/shaanxi-divisions.csv).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from yangfan.core.evaluation import COMPONENTS, scheme_for
from yangfan.core.plan import Comparison, Plan, Task, UnitKind
from yangfan.core.planfile import bundled_plan_paths, load_plan
from yangfan.core.planfile.wording import figures_in

# The 33 "责任单位" clauses by section, with the number the text gives each task (三 numbers none;
# 四.(一) skips 2).
TASKS_BY_SECTION = {
    "二.(一)": ["1", "2", "3"],
    "二.(二)": ["4", "5", "6"],
    "三.(一)": [None] * 2,
    "三.(二)": [None] * 10,
    "三.(三)": [None] * 5,
    "四.(一)": ["1", "3"],
    "四.(二)": ["4", "5", "6", "7"],
    "四.(三)": ["8", "9", "10", "11"],
}

RESPONSIBLE_UNITS = [
    "省工信厅",
    "省通信管理局",
    "各设区市政府",
    "省科技厅",
    "省发改委",
    "省委网信办",
    "省教育厅",
    "省公安厅",
    "省卫健委",
    "省农业农村厅",
    "省市场监督管理局",
    "省文旅厅",
    "省交通运输厅",
    "省广播电视局",
    "省体育局",
    "省国资委",
    "省政务大数据局",
]

SECTORS = [
    "信息消费",
    "融媒体",
    "工业互联网",
    "车联网",
    "智慧采矿",
    "智慧电力",
    "智能油气",
    "数字乡村",
    "智慧农业",
    "智慧物流",
    "智慧安防",
    "军民融合",
    "智慧教育",
    "智慧医疗",
    "文化旅游",
    "数字政府",
    "智慧城市",
]

# DESIGN.md, "Indicators": code → (annex number, formula, target value).
ANNEX_INDICATORS = {
    "A1": (1, "mobile_users_5g / population * 100", Decimal(40)),
    "A2": (2, "traffic_5g / traffic_mobile_total * 100", Decimal(50)),
    "A3": (3, "large_industrial_enterprises_5g / large_industrial_enterprises * 100", Decimal(35)),
    "A4": (4, "cagr(iot_terminals_5g) * 100", Decimal(200)),
    "A5": (5, "base_stations_5g / population * 10000", Decimal(18)),
    "A6": (6, "count(industry_vpn)", Decimal(75)),
    "A7": (7, "min_over_key_industries(count(benchmark))", Decimal(3)),
}

CITIES = {
    "610100": "西安市",
    "610200": "铜川市",
    "610300": "宝鸡市",
    "610400": "咸阳市",
    "610500": "渭南市",
    "610600": "延安市",
    "610700": "汉中市",
    "610800": "榆林市",
    "610900": "安康市",
    "611000": "商洛市",
}

DIVISION_LEVELS = {"province": 1, "prefecture": 2, "county": 3}

RESPONSIBILITY_SUFFIX = "等部门按职责分工负责"


def full_text(task: Task) -> str:
    """A task as the source writes it: title, text and responsibility clause (without its number)."""
    return f"{task.title}。{task.text}（责任单位：{task.responsibility}）"


def numbered_full_text(task: Task) -> str:
    return f"{task.number}.{full_text(task)}" if task.number else full_text(task)


# -- loading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", bundled_plan_paths(), ids=lambda p: p.name)
def test_every_bundled_plan_file_loads(path):
    plan = load_plan(path)

    assert plan.code
    assert plan.indicators
    assert plan.org_tree.root is not None


def test_the_shaanxi_plan_is_bundled():
    assert "shaanxi-5g-2021-2023.yaml" in [p.name for p in bundled_plan_paths()]


def test_plan_identity_follows_the_notice(plan: Plan):
    assert plan.code == "shaanxi-5g-2021-2023"
    assert plan.start == date(2021, 1, 1)
    assert plan.end == date(2023, 12, 31)
    assert plan.base_year == 2020
    assert plan.document == "陕通局联〔2022〕10号"
    assert plan.document in plan.source_text
    assert plan.preamble in plan.source_text


def test_source_text_is_the_bundled_source_document(plan: Plan, plan_path):
    source = plan_path.parent / "sources" / "shaanxi-5g-sailing-plan-2021-2023.txt"

    assert plan.source_text == source.read_text(encoding="utf-8")


# -- tasks ---------------------------------------------------------------------------------------


def test_plan_has_the_33_tasks_of_the_text(plan: Plan):
    assert len(plan.tasks) == 33
    assert len({t.code for t in plan.tasks}) == 33


def test_tasks_are_the_responsibility_clauses_of_each_section(plan: Plan):
    numbers_by_section: dict[str, list[str | None]] = {}
    for task in plan.tasks:
        numbers_by_section.setdefault(task.section, []).append(task.number)

    assert numbers_by_section == TASKS_BY_SECTION


def test_network_action_keeps_the_texts_numbering_without_task_2(plan: Plan):
    numbers = [t.number for t in plan.tasks if t.section == "四.(一)"]

    assert numbers == ["1", "3"]
    assert {"T4.1.1", "T4.1.3"} == {t.code for t in plan.tasks if t.section == "四.(一)"}


def test_task_codes_name_their_chapter_and_action(plan: Plan):
    chapters = {"二": "2", "三": "3", "四": "4"}
    parts = {"(一)": "1", "(二)": "2", "(三)": "3"}
    for task in plan.tasks:
        chapter, part = task.section.split(".")
        assert task.code.startswith(f"T{chapters[chapter]}.{parts[part]}."), task.code
        if task.number:
            assert task.code.endswith(f".{task.number}"), task.code


def test_every_task_full_text_appears_verbatim_in_the_source(plan: Plan):
    missing = [t.code for t in plan.tasks if full_text(t) not in plan.source_text]

    assert missing == []


def test_each_responsibility_clause_of_the_source_is_exactly_one_task(plan: Plan):
    source_lines = [line.strip() for line in plan.source_text.splitlines() if "责任单位" in line]
    tasks_by_line = {
        line: [t.code for t in plan.tasks if numbered_full_text(t) == line] for line in source_lines
    }

    assert plan.source_text.count("责任单位") == 33
    assert plan.source_text.count("（责任单位：") == 33
    assert len(source_lines) == 33
    assert [codes for codes in tasks_by_line.values() if len(codes) != 1] == []
    assert sorted(code for codes in tasks_by_line.values() for code in codes) == sorted(
        t.code for t in plan.tasks
    )


def test_tasks_are_in_the_order_of_the_source(plan: Plan):
    positions = [plan.source_text.index(full_text(t)) for t in plan.tasks]

    assert positions == sorted(positions)


# -- responsible units ---------------------------------------------------------------------------


def test_plan_defines_the_17_responsible_units_of_the_notice(plan: Plan):
    assert [u.name for u in plan.responsible_units] == RESPONSIBLE_UNITS


def test_every_task_unit_is_a_defined_responsible_unit(plan: Plan):
    codes = {u.code for u in plan.responsible_units}
    for task in plan.tasks:
        assert task.responsible_units, task.code
        assert set(task.responsible_units) <= codes, task.code


def test_task_units_are_exactly_those_named_in_its_responsibility_clause(plan: Plan):
    for task in plan.tasks:
        assert task.responsibility.endswith(RESPONSIBILITY_SUFFIX), task.code
        names = task.responsibility.removesuffix(RESPONSIBILITY_SUFFIX).split("、")
        resolved = [plan.unit_by_name(name) for name in names]

        assert None not in resolved, (task.code, names)
        assert tuple(u.code for u in resolved) == task.responsible_units, task.code


def test_provincial_transport_department_short_name_is_an_alias(plan: Plan):
    full = plan.unit_by_name("省交通运输厅")
    short = plan.unit_by_name("省交通厅")

    assert full is not None
    assert short is full
    assert "省交通厅" in full.aliases


def test_task_naming_the_transport_department_by_its_short_name_is_assigned_to_it(plan: Plan):
    transport = plan.unit_by_name("省交通运输厅")
    task = plan.task("T4.3.9")

    assert "省交通厅" in task.responsibility
    assert "省交通运输厅" not in task.responsibility
    assert transport.code in task.responsible_units
    assert [t.code for t in plan.tasks_of(transport.code)] == ["T3.2.2", "T4.1.1", "T4.3.9"]


def test_unknown_unit_name_resolves_to_nothing(plan: Plan):
    assert plan.unit_by_name("省交通局") is None


def test_city_governments_are_one_unit_of_their_own_kind(plan: Plan):
    (cities,) = [u for u in plan.responsible_units if u.kind == UnitKind.CITY_GOVERNMENTS]

    assert cities.name == "各设区市政府"
    assert len(plan.tasks_of(cities.code)) == sum("各设区市政府" in t.responsibility for t in plan.tasks)


def test_every_responsible_unit_has_at_least_one_task(plan: Plan):
    idle = [u.name for u in plan.responsible_units if not plan.tasks_of(u.code)]

    assert idle == []


# -- special projects, safeguards, goals, sectors ------------------------------------------------


def test_plan_has_the_four_special_projects_of_the_text(plan: Plan):
    assert [(p.code, p.number) for p in plan.special_projects] == [
        ("SP1", 1),
        ("SP2", 2),
        ("SP3", 3),
        ("SP4", 4),
    ]
    assert len(re.findall(r"专栏\d", plan.source_text)) == 4
    for project in plan.special_projects:
        heading = re.search(rf"专栏{project.number}[:：]\s*(\S.*)", plan.source_text)
        assert heading is not None and heading.group(1).strip() == project.title
        assert project.text in plan.source_text


def test_special_projects_belong_to_the_actions_they_follow(plan: Plan):
    sections = {p.code: p.section for p in plan.special_projects}

    assert sections == {"SP1": "二.(一)", "SP2": "二.(二)", "SP3": "四.(二)", "SP4": "四.(三)"}


def test_plan_has_the_four_safeguards_of_chapter_five(plan: Plan):
    assert [(s.code, s.number) for s in plan.safeguards] == [
        ("SG1", "（一）"),
        ("SG2", "（二）"),
        ("SG3", "（三）"),
        ("SG4", "（四）"),
    ]
    chapter_five = plan.source_text[plan.source_text.index("五、保障措施") : plan.source_text.index("附件：")]
    for safeguard in plan.safeguards:
        assert f"{safeguard.number}{safeguard.title}。{safeguard.text}" in chapter_five


def test_goals_are_the_four_dash_paragraphs_and_the_repeated_one_is_coded_once(plan: Plan):
    assert [g.code for g in plan.goals] == ["G1", "G2", "G3", "G4"]
    counts = {g.code: plan.source_text.count(f"——{g.title}。{g.text}") for g in plan.goals}

    assert counts == {"G1": 1, "G2": 2, "G3": 1, "G4": 1}


def test_plan_has_the_17_sectors_of_chapter_three(plan: Plan):
    assert [s.name for s in plan.sectors] == SECTORS


def test_each_sector_is_the_subject_of_one_chapter_three_task(plan: Plan):
    chapter_three = [t for t in plan.tasks if t.section.startswith("三.")]

    assert len(chapter_three) == len(plan.sectors) == 17
    for sector in plan.sectors:
        task = plan.task(sector.task)
        assert task.sector == sector.code
        assert f"5G+{sector.name}" in task.title
    assert sorted(t.code for t in chapter_three) == sorted(s.task for s in plan.sectors)


def test_some_sectors_are_key_industries(plan: Plan):
    key = [s for s in plan.sectors if s.key_industry]

    assert 0 < len(key) < len(plan.sectors)


# -- indicators ----------------------------------------------------------------------------------


def test_annex_indicators_are_a1_to_a7_numbered_as_the_annex(plan: Plan):
    assert [(i.code, i.annex_number) for i in plan.annex_indicators] == [
        (code, number) for code, (number, _, _) in ANNEX_INDICATORS.items()
    ]
    assert [r.number for r in plan.annex.rows] == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("code", ANNEX_INDICATORS)
def test_annex_indicator_has_the_formula_and_target_of_the_design(plan: Plan, code):
    number, formula, target = ANNEX_INDICATORS[code]
    indicator = plan.indicator(code)
    row = plan.annex.rows[number - 1]

    assert indicator.formula.source == formula
    assert indicator.target.value == target
    assert Decimal(row.value) == target
    assert indicator.target.date == date(2023, 12, 31)
    assert indicator.name in row.indicator


def test_annex_indicators_use_the_data_elements_of_the_design(plan: Plan):
    uses = {i.code: (i.formula.data_elements, i.formula.registries) for i in plan.annex_indicators}

    assert uses == {
        "A1": (("mobile_users_5g", "population"), ()),
        "A2": (("traffic_5g", "traffic_mobile_total"), ()),
        "A3": (("large_industrial_enterprises", "large_industrial_enterprises_5g"), ()),
        "A4": (("iot_terminals_5g",), ()),
        "A5": (("base_stations_5g", "population"), ()),
        "A6": ((), ("industry_vpn",)),
        "A7": ((), ("benchmark",)),
    }


def test_growth_rate_indicator_counts_from_the_year_before_the_plan(plan: Plan):
    a4 = plan.indicator("A4")

    assert a4.formula.functions == ("cagr",)
    assert a4.base_year == 2020
    assert "2020" in a4.remark


def test_enterprise_penetration_remark_reads_the_denominator_as_the_provinces(plan: Plan):
    assert "我国大型工业企业总数" in plan.annex.rows[2].meaning
    assert "省内大型工业企业" in plan.indicator("A3").remark


def test_targets_written_as_exceeding_are_strict_and_at_least_are_not(plan: Plan):
    comparisons = {i.code: i.target.comparison for i in plan.annex_indicators}

    assert comparisons == {**{f"A{n}": Comparison.GT for n in range(1, 7)}, "A7": Comparison.GTE}


def test_text_targets_beyond_the_annex_are_encoded(plan: Plan):
    targets = {i.code: (i.formula.source, i.target.value) for i in plan.indicators if i.annex_number is None}

    assert targets["B1"] == ("mobile_users_5g", Decimal(16_000_000))
    assert targets["B2"] == ("count(security_demo_centre)", Decimal(2))
    assert targets["B3"] == ("count(identification_secondary_node)", Decimal(3))
    assert targets["B4"] == ("count(iiot_platform)", Decimal(15))


def test_text_targets_are_the_figures_and_comparison_words_of_their_quotes(plan: Plan):
    units = ["%", "个", "户"]
    readings = {
        code: [
            (f.value, f.comparison) for s in plan.indicator(code).sources for f in figures_in(s.quote, units)
        ]
        for code in ("B1", "B2", "B3", "B4")
    }

    assert readings == {
        "B1": [(Decimal(16_000_000), Comparison.GT)],  # 超过1600万
        "B2": [(Decimal(2), Comparison.GTE)],  # 2个以上
        "B3": [(Decimal(3), Comparison.GTE)],  # 3个以上
        "B4": [(Decimal(15), None)],  # 建设15个: the file reads it as gte, and says so in the remark
    }
    assert "达到15个" in plan.indicator("B4").remark


def test_every_indicator_cites_a_clause_of_the_plan(plan: Plan):
    uncited = [i.code for i in plan.indicators if not i.sources]

    assert uncited == []


def test_design_data_elements_are_defined_with_their_time_aggregation(plan: Plan):
    aggregation = {e.code: e.aggregation.value for e in plan.data_elements}

    assert aggregation == {
        "population": "stock",
        "mobile_users_5g": "stock",
        "mobile_users_total": "stock",
        "traffic_5g": "flow",
        "traffic_mobile_total": "flow",
        "large_industrial_enterprises": "stock",
        "large_industrial_enterprises_5g": "stock",
        "iot_terminals_5g": "stock",
        "base_stations_5g": "stock",
    }
    assert plan.data_element("population").period_type == "yearly"


# -- qualitative targets -------------------------------------------------------------------------

# Goal phrases of 一.(三) that had no target until issue 18, in the words of the text.
TARGETS_ADDED_FOR_GOAL_PHRASES = {
    "Q28": ("一.(三)", "5G成为推动全省经济社会跨越发展的重要引擎"),
    "Q29": ("一.(三)", "打造IT（信息技术）、CT（通信技术）、OT（运营技术）深度融合新生态"),
    "Q30": ("一.(三)", "实现重点领域5G应用深度和广度双突破"),
    "Q31": ("一.(三)", "构建技术产业和标准体系双支柱"),
    "Q32": ("一.(三)", "网络、平台、安全等基础能力进一步提升"),
    "Q33": ("一.(三)", "5G应用“扬帆远航”的局面逐步形成"),
    "Q34": ("G2", "打造5G示范应用场景"),
    "Q35": ("G3", "通过政府奖补、行业推广、领域评选等方式激发市场活力"),
    "Q36": ("G4", "5G网络覆盖水平不断提升"),
    "Q37": ("G4", "5G应用安全保障能力进一步提升"),
}


def test_plan_has_37_qualitative_targets_q01_to_q37(plan: Plan):
    assert [q.code for q in plan.qualitative_targets] == [f"Q{n:02d}" for n in range(1, 38)]


def test_every_goal_phrase_without_a_figure_is_a_qualitative_target_in_the_texts_words(plan: Plan):
    added = {
        q.code: (q.clause, q.text)
        for q in plan.qualitative_targets
        if q.code in TARGETS_ADDED_FOR_GOAL_PHRASES
    }

    assert added == TARGETS_ADDED_FOR_GOAL_PHRASES
    for code, (_, text) in added.items():
        assert text in plan.source_text, code
        assert not re.search(r"\d", text.replace("5G", "")), code  # no figure: a qualitative target


# -- organisation tree ---------------------------------------------------------------------------


def test_province_is_the_only_root(plan: Plan):
    roots = [u for u in plan.org_units if u.statistical_parent is None]

    assert [(u.code, u.name, u.level) for u in roots] == [("610000", "陕西省", 1)]
    assert plan.org_tree.root == "610000"


def test_ten_prefecture_cities_and_yangling_stand_at_level_two(plan: Plan):
    level_two = {u.code: u.name for u in plan.org_units if u.level == 2}
    cities = {code: name for code, name in level_two.items() if re.fullmatch(r"\d{6}", code)}

    assert cities == CITIES
    assert set(level_two) - set(cities) == {"YANGLING"}
    assert level_two["YANGLING"] == "杨凌示范区"
    assert all(u.parent == "610000" for u in plan.org_units if u.level == 2)


def test_org_units_match_the_division_codes_exactly(plan: Plan, divisions):
    expected = {
        (r["code"], r["name"], DIVISION_LEVELS[r["level"]], r["parent_code"] or None) for r in divisions
    }
    actual = {(u.code, u.name, u.level, u.parent) for u in plan.org_units if u.code != "YANGLING"}

    assert len(divisions) == 118
    assert actual == expected


def test_division_codes_are_not_repeated(divisions):
    assert [code for code, n in Counter(r["code"] for r in divisions).items() if n > 1] == []


def test_plan_lists_107_county_level_divisions(plan: Plan):
    assert sum(u.level == 3 for u in plan.org_units) == 107


def test_only_yangling_district_is_counted_outside_its_city(plan: Plan):
    counted_elsewhere = [(u.code, u.name, u.parent, u.counted_in) for u in plan.org_units if u.counted_in]

    assert counted_elsewhere == [("610403", "杨陵区", "610400", "YANGLING")]


def test_separately_addressed_units_are_groups_over_their_divisions(plan: Plan):
    groups = {g.code: (g.name, g.members, g.overlaps) for g in plan.org_groups}

    assert groups == {
        "HANCHENG": ("韩城市", ("610581",), ()),
        "SHENMU": ("神木市", ("610881",), ()),
        "FUGU": ("府谷县", ("610822",), ()),
        "XIXIAN": ("西咸新区", (), ("610100", "610400")),
    }
    units = {u.code: u for u in plan.org_units}
    for group in plan.org_groups:
        for member in group.members:
            assert units[member].name == group.name


def test_every_unit_the_notice_addresses_separately_is_in_the_org_tree(plan: Plan):
    names = {u.name for u in plan.org_units} | {g.name for g in plan.org_groups}
    for name in ["韩城市", "杨凌示范区", "西咸新区", "神木市", "府谷县"]:
        assert name in plan.addressees
        assert name in names


def test_addressees_are_quoted_from_the_notice(plan: Plan):
    assert f"{plan.addressees}：" in plan.source_text


# -- supervision and evaluation: Yangfan's defaults, said to be so ---------------------------------

LEADING_GROUP = "定期组织对5G应用相关发展政策的落实、发展目标完成、行业发展情况等进行指导、评估及督导"


def test_the_plan_asks_for_periodic_evaluation_and_supervision_without_saying_how(plan: Plan):
    (safeguard,) = [s for s in plan.safeguards if LEADING_GROUP in s.text]
    assert safeguard.code == "SG1"
    # The text sets no reporting period, deadline or scoring method: nothing about 季度, 权重 or 评分.
    for word in ("季度", "权重", "评分", "打分"):
        assert word not in plan.source_text


def test_supervision_rules_are_quarterly_reports_due_15_days_after_stalled_after_2(plan: Plan):
    rules = plan.supervision
    assert (rules.period_type, rules.report_deadline_days, rules.stalled_periods) == ("quarterly", 15, 2)


def test_supervision_remark_says_these_are_defaults_not_the_plans(plan: Plan):
    remark = plan.supervision.remark
    assert "五、（一）" in remark
    assert "默认配置" in remark
    assert "不是原文" in remark
    assert "领导小组办公室" in remark


def test_evaluation_has_one_scheme_in_force_from_the_plans_start(plan: Plan):
    (scheme,) = plan.evaluation_schemes
    assert scheme.version == "1"
    assert scheme.effective_from == plan.start
    assert scheme_for(plan.evaluation_schemes, plan.end) is scheme
    assert dict(scheme.weights) == dict(zip(COMPONENTS, map(Decimal, (40, 20, 15, 25)), strict=True))
    assert sum(scheme.weights.values()) == 100
    assert dict(scheme.status_points) == {
        "achieved": 100,
        "on_track": 80,
        "at_risk": 40,
        "off_track": 0,
    }
    # the scheme gives a target missed at its date no points of its own: it scores as off track (严重滞后 0)
    assert scheme.points("missed") == scheme.points("off_track") == 0


def test_evaluation_remark_is_honest_about_where_the_weights_come_from(plan: Plan):
    remark = plan.evaluation_schemes[0].remark
    assert "没有规定评分办法" in remark
    assert "默认配置" in remark
    assert "不是原文的数字" in remark
    assert "新增版本" in remark
    assert "扬帆之城" in remark
    assert "没有照录其指标或权重" in remark


def test_top_remarks_say_the_supervision_and_evaluation_sections_are_defaults(plan: Plan):
    (remark,) = [r for r in plan.remarks if "supervision" in r]
    assert "evaluation" in remark
    assert "不是原文的内容" in remark

"""The national successor's plan file: its targets as the press summary writes them, its provinces as the
maintained division data set gives them, and the refusals of a plan file that continues another."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from yangfan.core.errors import PlanInvalid
from yangfan.core.plan import Comparison, grafted
from yangfan.core.planfile import (
    bundled_plan_files,
    bundled_plans,
    init_plan_paths,
    load_plan,
    load_plan_text,
)

CODE = "miit-5g-upgrade-2024-2027"
SEED = Path(__file__).parents[3] / "shared" / "seed" / "successor-targets.md"


@pytest.fixture(scope="module")
def upgrade():
    return load_plan(bundled_plan_files()[CODE])


def test_the_successor_is_shipped_but_loaded_on_request(upgrade):
    assert not upgrade.loads_on_init
    assert bundled_plan_files()[CODE] not in init_plan_paths()
    assert [p.name for p in init_plan_paths()] == ["shaanxi-5g-2021-2023.yaml"]


def test_every_published_target_is_encoded_with_its_quote(upgrade):
    targets = {
        i.name: (i.target.value, i.target.comparison, i.target.date.isoformat()) for i in upgrade.indicators
    }
    assert targets == {
        "每万人拥有5G基站数": (Decimal(38), Comparison.GTE, "2027-12-31"),
        "5G个人用户普及率": (Decimal(85), Comparison.GT, "2027-12-31"),
        "5G网络接入流量占比": (Decimal(75), Comparison.GT, "2027-12-31"),
        "5G物联网终端连接数": (Decimal(100000000), Comparison.GT, "2027-12-31"),
        "大中型工业企业5G应用渗透率": (Decimal(45), Comparison.GTE, "2027-12-31"),
        "5G行业虚拟专网数": (Decimal(70000), Comparison.GTE, "2027-12-31"),
        "边缘计算节点数": (Decimal(5000), Comparison.GTE, "2027-12-31"),
    }
    for indicator in upgrade.indicators:  # each quote is in the summary as the shared seed file quotes it
        assert indicator.sources and all(s.quote in upgrade.source_text for s in indicator.sources)
    if SEED.exists():
        summary = "".join(
            line.removeprefix("> ") for line in SEED.read_text("utf-8").splitlines() if line.startswith(">")
        )
        assert all(s.quote in summary for i in upgrade.indicators for s in i.sources)


def test_the_unknown_is_said_not_invented(upgrade):
    assert upgrade.tasks == ()
    assert [u.name for u in upgrade.responsible_units] == ["工业和信息化部"]
    assert any("任务条款" in r and "不编造" in r for r in upgrade.remarks)
    assert upgrade.document == ""


def test_its_provinces_are_the_division_data_sets(upgrade):
    folder = resources.files("yangfan.plans").joinpath("sources", "china-division-2.7.0")
    published = json.loads(folder.joinpath("provinces.json").read_text("utf-8"))
    provinces = [(u.code, u.name) for u in upgrade.org_units if u.level == 1]
    assert provinces == [(p["code"] + "0000", p["name"]) for p in published]
    assert len(provinces) == 31 and ("610000", "陕西省") in provinces
    assert upgrade.org_tree.root == "CN"
    assert {u.parent for u in upgrade.org_units if u.level == 1} == {"CN"}


def test_continued_indicators_name_the_earlier_plans(upgrade):
    continued = {i.code: (i.continues.plan, i.continues.code) for i in upgrade.indicators if i.continues}
    assert continued == {
        "U1": ("shaanxi-5g-2021-2023", "A5"),
        "U2": ("shaanxi-5g-2021-2023", "A1"),
        "U3": ("shaanxi-5g-2021-2023", "A2"),
        "U5": ("shaanxi-5g-2021-2023", "A3"),
        "U6": ("shaanxi-5g-2021-2023", "A6"),
    }
    assert "大中型" in upgrade.indicator("U5").continues.note
    shaanxi = bundled_plans()["shaanxi-5g-2021-2023"]
    for code, (_plan, earlier) in continued.items():
        assert upgrade.indicator(code).unit == shaanxi.indicator(earlier).unit


def test_the_national_tree_holds_the_province_tree_once(upgrade):
    shaanxi = bundled_plans()["shaanxi-5g-2021-2023"]
    national = grafted(upgrade, [shaanxi, upgrade])
    tree = national.org_tree
    assert [u.code for u in tree.ancestors("610116")] == ["CN", "610000", "610100"]  # 全国 → 陕西 → 西安
    assert tree.units["610000"].parent == "CN"
    codes = [u.code for u in national.org_units]
    assert len(codes) == len(set(codes)) == 32 + len(shaanxi.org_units) - 1
    assert [g.code for g in national.org_groups] == [g.code for g in shaanxi.org_groups]
    # the province's plan keeps its own tree: nothing of the national one is added to it
    assert grafted(shaanxi, [upgrade]) is shaanxi


# -- refusals ------------------------------------------------------------------------------------


def _variant(upgrade_text: str, old: str, new: str) -> str:
    assert old in upgrade_text
    return upgrade_text.replace(old, new, 1)


@pytest.fixture(scope="module")
def text():
    return bundled_plan_files()[CODE].read_text("utf-8")


def _problems(text: str, **kwargs) -> list[str]:
    with pytest.raises(PlanInvalid) as caught:
        load_plan_text(text, file="upgrade.yaml", base_dir=bundled_plan_files()[CODE].parent, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_a_continuation_of_an_unknown_plan_is_refused_with_its_line(text):
    problems = _problems(
        _variant(
            text,
            "continues: {plan: shaanxi-5g-2021-2023, indicator: A5}",
            "continues: {plan: henan-5g, indicator: A5}",
        )
    )
    assert len(problems) == 1
    assert "upgrade.yaml" in problems[0] and "indicators[0].continues.plan" in problems[0]
    assert "被延续的计划“henan-5g”不存在" in problems[0] and "shaanxi-5g-2021-2023" in problems[0]


def test_a_continuation_of_an_unknown_indicator_or_another_unit_is_refused(text):
    unknown = _problems(_variant(text, "indicator: A5}", "indicator: A9}"))
    assert any("indicators[0].continues.indicator" in p and "没有指标“A9”" in p for p in unknown)
    other_unit = _problems(_variant(text, "indicator: A5}", "indicator: A1}"))  # 个 against %
    assert any("单位“个”与被延续指标 A1" in p for p in other_unit)


def test_a_plan_may_not_continue_a_plan_that_has_not_ended(text):
    problems = _problems(_variant(text, "  start: 2024-01-01\n", "  start: 2023-06-01\n"))
    assert any("不早于本计划的开始日期 2023-06-01" in p for p in problems)


def test_two_plans_may_not_claim_one_code(text):
    problems = _problems(
        _variant(text, "  code: miit-5g-upgrade-2024-2027\n", "  code: shaanxi-5g-2021-2023\n")
    )
    assert any(
        "plan.code" in p and "已被另一个计划「陕西省5G应用“扬帆”行动计划（2021-2023年）」使用" in p
        for p in problems
    )


def test_a_target_without_its_quote_is_refused(text):
    quoted = "      - {clause: G1, quote: 带动5000个边缘计算节点建设}\n    remark: 原文“带动"
    problems = _problems(
        _variant(text, quoted, quoted.replace("带动5000个边缘计算节点建设", "边缘计算节点建设"))
    )
    assert any("indicators[6].sources" in p and "目标值 5000" in p and "找不到" in p for p in problems)


def test_reach_reads_as_at_least(text):
    problems = _problems(
        _variant(text, "target: {value: 38, comparison: gte", "target: {value: 38, comparison: gt")
    )
    assert any("写作“达”，应为 gte" in p for p in problems)

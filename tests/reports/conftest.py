"""A sample evaluation report built from plain values (no database), and the ``full`` marker.

The marker is registered here only until ``pyproject.toml`` lists it, so ``--strict-markers`` accepts the
render test either way.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yangfan.reports.document import (
    CompletenessRow,
    IndicatorSection,
    OverdueItem,
    RankingRow,
    RegistryRow,
    ReportDocument,
    TaskUnitRow,
    UnitFigure,
)

FULL_MARKER = "full: slow checks the full test run includes (LibreOffice rendering)"


def pytest_configure(config):
    registered = config.getini("markers")
    if not any(line.split(":", 1)[0].strip() == "full" for line in registered):
        config.addinivalue_line("markers", FULL_MARKER)


def _quarters(values: list[str | None]) -> tuple[tuple[str, Decimal | None], ...]:
    periods = [f"{year}Q{quarter}" for year in (2021, 2022, 2023) for quarter in (1, 2, 3, 4)]
    return tuple(
        (period, None if value is None else Decimal(value))
        for period, value in zip(periods, values, strict=False)
    )


def sample_report(**changes) -> ReportDocument:
    """Two annex indicators with series and units ahead and behind, one further target, 35 overdue items."""
    a1 = IndicatorSection(
        code="A1",
        name="5G个人用户普及率",
        unit="%",
        annex=True,
        value=Decimal("41.35"),
        value_text="41.35 %",
        target=Decimal("40"),
        target_text="≥ 40 %",
        target_met=True,
        status="achieved",
        status_label="已达标",
        pace_text="",
        series=_quarters(
            [
                "8.10",
                "10.52",
                "12.90",
                "15.33",
                "18.06",
                "21.40",
                None,
                "27.95",
                "31.20",
                "34.68",
                "38.02",
                "41.35",
            ]
        ),
        ahead=(
            UnitFigure("610100", "西安市", Decimal("48.20"), "48.20 %", "achieved", "已达标"),
            UnitFigure("610300", "宝鸡市", Decimal("40.10"), "40.10 %", "achieved", "已达标"),
        ),
        behind=(UnitFigure("611000", "商洛市", Decimal("31.05"), "31.05 %", "off_track", "进度滞后"),),
    )
    a5 = IndicatorSection(
        code="A5",
        name="每万人拥有5G基站数",
        unit="个",
        annex=True,
        value=Decimal("16.20"),
        value_text="16.20 个",
        target=Decimal("18"),
        target_text="≥ 18 个",
        target_met=False,
        status="at_risk",
        status_label="存在风险",
        pace_text="每季度需增 1.80 个",
        series=_quarters(
            ["2.1", "3.4", "4.9", "6.0", "7.7", "9.2", "10.5", "11.8", "12.9", "14.0", "15.1", "16.2"]
        ),
        ahead=(UnitFigure("610100", "西安市", Decimal("21.30"), "21.30 个", "achieved", "已达标"),),
        behind=(
            UnitFigure("610900", "安康市", Decimal("11.40"), "11.40 个", "off_track", "进度滞后"),
            UnitFigure("611000", "商洛市", Decimal("12.02"), "12.02 个", "at_risk", "存在风险"),
        ),
    )
    users = IndicatorSection(
        code="T1",
        name="5G用户数",
        unit="万户",
        annex=False,
        value=Decimal("1702.5"),
        value_text="1702.5 万户",
        target=Decimal("1600"),
        target_text="> 1600 万户",
        target_met=True,
        status="achieved",
        status_label="已达标",
        pace_text="",
        series=_quarters(["300", "1702.5"]),
    )
    overdue = tuple(
        OverdueItem(
            task=f"T3.3.{number}",
            task_title=f"推进重点行业5G应用第{number}项",
            unit="省工信厅" if number % 2 else "西安市政府",
            kind_label="逾期未报",
            message=f"第四季度进展应于2024年1月{number % 28 + 1}日前报送，尚未报送。",
            role="牵头" if number % 2 else "配合",
        )
        for number in range(1, 36)
    )
    values = {
        "title": "陕西省5G应用“扬帆”行动计划实施情况评估报告（2023年第四季度）",
        "plan_name": "陕西省5G应用“扬帆”行动计划（2021-2023年）",
        "plan_document": "陕通局联〔2022〕10号",
        "org_unit": "610000",
        "org_name": "陕西省",
        "period": "2023Q4",
        "period_label": "2023年第四季度",
        "issuer": "陕西省5G应用推广领导小组办公室",
        "written_on": date(2024, 1, 15),
        "summary": (
            "2023年第四季度，全省5G应用推广工作总体进展顺利，附件所列7项主要指标中4项已达标。",
            "5G网络建设持续推进，每万人拥有5G基站数距目标仍有差距。",
        ),
        "indicators": (a1, a5, users),
        "task_rows": (
            TaskUnitRow("省工信厅", 12, 7, 3, 1, 1, 0, 18, leading=10),
            TaskUnitRow("省通信管理局", 6, 4, 2, 0, 0, 1, 2, leading=1),
            TaskUnitRow("西安市政府", 9, 5, 2, 2, 0, 0, 15, leading=0),
        ),
        "overdue": overdue,
        "completeness": (
            CompletenessRow("运营商月度统计", "2023Q4", 11, 12, Decimal("91.666")),
            CompletenessRow("设区市季度报表", "2023Q4", 10, 10, Decimal("100")),
            CompletenessRow("行业应用年报", "2023", 0, 10, None),
        ),
        "registries": (
            RegistryRow("5G行业虚拟专网", 82),
            RegistryRow("5G应用标杆", 47),
            RegistryRow("5G应用安全创新示范中心", None, "由省通信管理局线下登记，尚未在系统中启用"),
        ),
        "ranking": (
            RankingRow(1, "西安市", "设区市", Decimal("92.50")),
            RankingRow(2, "宝鸡市", "设区市", Decimal("88.25")),
            RankingRow(3, "商洛市", "设区市", Decimal("71.00")),
        ),
        "ranking_note": "已发布（2024-01-20）",
        "attention": (
            "安康市、商洛市5G基站建设进度滞后，建议督促加快站址资源协调。",
            "部分省级部门任务进展逾期未报，建议纳入督办。",
        ),
        "demo": True,
        "notes": ("A3指标分母按全省大型工业企业总数计算。",),
    }
    values.update(changes)
    return ReportDocument(**values)


@pytest.fixture
def sample_document() -> ReportDocument:
    return sample_report()

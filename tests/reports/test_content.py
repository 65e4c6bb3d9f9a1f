"""The report's content is what the engine, supervision and collection compute, within the requester's scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from yangfan.audit.models import AuditEntry
from yangfan.datavalues.importers import parse_rows, read_table
from yangfan.datavalues.indicators import as_json, assessments, core_plans
from yangfan.datavalues.services import datavalues_import
from yangfan.reports.content import report_document

CSV = """数据项,期间,地区,值
population,2023,610100,"10,000,000"
mobile_users_5g,202312,610100,"4,500,000"
population,2023,610300,"2,000,000"
mobile_users_5g,202312,610300,"600,000"
"""


@pytest.fixture
def values(db, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(CSV, encoding="utf-8")
    datavalues_import(rows=parse_rows(read_table(path), str(path)), file=str(path))


def test_the_indicators_are_the_engines(values, make_user):
    document = report_document(actor=make_user("province"), org="610000", period="2023Q4")
    plan = next(iter(core_plans().values()))
    expected = {
        r["indicator"]: r for r in as_json(assessments(plan, ["610000"], plan_period(plan, "2023Q4")))
    }
    assert [s.code for s in document.indicators] == [i.code for i in plan.indicators]
    a1 = next(s for s in document.indicators if s.code == "A1")
    assert a1.value == Decimal(expected["A1"]["value"]) == Decimal("42.5")  # 5.1 million of 12 million
    assert a1.annex and a1.target == Decimal("40") and a1.status == expected["A1"]["status"]
    assert [f.name for f in a1.ahead] == ["西安市"] and [f.name for f in a1.behind] == [
        "宝鸡市"
    ]  # 45 % and 30 %
    assert a1.behind[0].status == "missed"  # 30 % at the target's date: missed, and behind
    assert document.period_label == "2023年第四季度" and document.org_name == "陕西省"
    assert "附件所列 7 项主要指标" in document.summary[0] and "到期未达标" in document.summary[0]
    assert (
        "有 334 个任务分工逾期未报送进展报告。" in document.attention
    )  # nobody reported 2023Q4 in this database
    assert len({t.unit for t in document.task_rows}) == 26  # 16 departments and 10 city governments
    assert sum(t.assignments for t in document.task_rows) == 334
    assert document.issuer == "陕西省5G应用推广领导小组办公室"


def plan_period(plan, text):
    from yangfan.datavalues.indicators import plan_period as parse

    return parse([plan], text)


def xian_leader(make_user):
    from yangfan.orgunits.models import OrgUnit

    return make_user("viewer", username="xian-leader", view_org_units=[OrgUnit.objects.get(code="610100")])


def test_a_city_report_holds_only_that_city(values, make_user):
    document = report_document(actor=xian_leader(make_user), org="610100", period="2023")
    assert document.org_name == "西安市"
    assert {t.unit for t in document.task_rows} == {"西安市人民政府"}
    assert all("西安市" in o.unit for o in document.overdue)
    a1 = next(s for s in document.indicators if s.code == "A1")
    assert a1.value == Decimal("45")


def test_a_unit_outside_the_scope_is_refused_and_audited(values, make_user):
    before = AuditEntry.objects.filter(action="permission_denied").count()
    with pytest.raises(PermissionDenied):
        report_document(actor=xian_leader(make_user), org="610300", period="2023")  # 宝鸡
    with pytest.raises(PermissionDenied):
        report_document(actor=make_user("operator"), org="610000", period="2023")  # operators make no reports
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 2


def test_unknown_units_and_bad_periods_are_said(db, make_user):
    from yangfan.core.periods import PeriodError

    with pytest.raises(LookupError, match="火星"):
        report_document(actor=None, org="火星", period="2023")
    with pytest.raises(PeriodError):
        report_document(actor=None, org="610000", period="2023Q5")


def test_the_workbook_and_the_word_file_hold_the_computed_figures(values, make_user):
    import io

    from docx import Document
    from openpyxl import load_workbook

    from yangfan.reports.docx_writer import report_docx_bytes
    from yangfan.reports.xlsx_writer import report_xlsx_bytes

    document = report_document(actor=make_user("province"), org="610000", period="2023")
    plan = next(iter(core_plans().values()))
    computed = {
        r["indicator"]: r
        for r in as_json(assessments(plan, ["610000", "610100", "610300"], plan_period(plan, "2023")))
        if r["org_unit"] == "610000"
    }
    sheet = load_workbook(io.BytesIO(report_xlsx_bytes(document)))["指标"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    for code, row in computed.items():
        expected = None if row["value"] is None else float(Decimal(row["value"]))
        assert rows[code][4] == expected, code  # 本期值, a number
        assert rows[code][9] == next(s.status_label for s in document.indicators if s.code == code)
    assert rows["A1"][4] == 42.5 and rows["A1"][6] == 40 and rows["A1"][5] == "42.50 %"
    word = Document(io.BytesIO(report_docx_bytes(document, charts=False)))
    first = {r.cells[0].text.split()[0]: [c.text for c in r.cells] for r in word.tables[0].rows[1:]}
    assert first["A1"][1:3] == ["42.50 %", "> 40 %"]
    ahead = [p.text for p in word.paragraphs if p.text.startswith("达标或进度正常的")]
    assert ahead and "西安市（45.00 %" in ahead[0]


def test_the_registries_section_holds_what_the_database_holds(db, make_user):
    """五、登记簿情况 for the province and for a city at 2023Q4: each kept registry's count at the quarter's end,
    what started and ended within it, by city, as the database's own rows give them; a registry Yangfan does not
    keep says so and gives no figure."""
    from datetime import date

    from django.db.models import Q
    from tests.conftest import unsaved_vpn

    from yangfan.orgunits.models import OrgUnit
    from yangfan.orgunits.selectors import covered_unit_ids
    from yangfan.registries.counts import KEPT
    from yangfan.registries.models import IndustryVpn

    days = [(date(2022, 6, 1), None), (date(2023, 11, 2), None), (date(2021, 1, 1), date(2023, 12, 1))]
    for org, (start, end) in zip(["610116", "610302", "610100"], days, strict=True):
        vpn = unsaved_vpn(org)
        vpn.commissioned_on, vpn.retired_on = start, end
        vpn.save()
    vpn = unsaved_vpn("610116")
    vpn.commissioned_on = date(2024, 1, 1)  # after the quarter: not yet standing
    vpn.save()

    quarter_start, quarter_end = date(2023, 10, 1), date(2023, 12, 31)
    for org, user in (("610000", make_user("province")), ("610100", xian_leader(make_user))):
        document = report_document(actor=user, org=org, period="2023Q4")
        plan = next(iter(core_plans().values()))
        assert [r.name for r in document.registries] == [r.name for r in plan.registries]
        units = IndustryVpn.objects.filter(org_unit__in=covered_unit_ids([OrgUnit.objects.get(code=org).pk]))
        standing = units.filter(commissioned_on__lte=quarter_end).filter(
            Q(retired_on__isnull=True) | Q(retired_on__gt=quarter_end)
        )
        vpns = next(
            r for r, p in zip(document.registries, plan.registries, strict=True) if p.code == "industry_vpn"
        )
        assert vpns.count == standing.count() == (2 if org == "610000" else 1)
        assert vpns.added == units.filter(commissioned_on__range=(quarter_start, quarter_end)).count()
        assert vpns.ended == units.filter(retired_on__range=(quarter_start, quarter_end)).count() == 1
        assert vpns.description.startswith(f"本期新增 {vpns.added}，退出 1")
        if org == "610000":
            assert "按地区：西安市 1、宝鸡市 1" in vpns.description
        for row, registry in zip(document.registries, plan.registries, strict=True):
            if registry.code in KEPT:
                assert row.count is not None
            else:
                assert row.count is None and row.note == "登记簿尚未在扬帆中建立，暂无条目"


def test_the_task_section_counts_the_tasks_each_unit_leads(db, make_user, plan):
    from yangfan.actionplans.models import TaskUnit

    document = report_document(actor=make_user("province"), org="610000", period="2023Q4")

    rows = {t.unit: t for t in document.task_rows}
    led = {
        name: TaskUnit.objects.filter(task__plan=plan, unit__name=name, lead=True).count() for name in rows
    }
    assert rows["省工信厅"].leading == led["省工信厅"] == 13
    assert (
        rows["西安市人民政府"].leading == TaskUnit.objects.filter(unit__code="cities", lead=True).count() == 1
    )
    assert sum(t.leading for t in document.task_rows) == 33 - 1 + 10  # one task led by each of the 10 cities
    roles = {(o.task, o.unit): o.role for o in document.overdue}
    assert roles[("T3.2.8", "西安市人民政府")] == "牵头"
    assert roles[("T3.2.8", "省工信厅")] == "配合"

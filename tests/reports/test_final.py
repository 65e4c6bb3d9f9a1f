"""The final evaluation (终期评估) of the finished bundled plan, against the database: the demo set is loaded once for
the module (with a few targets set per unit on top of the plan's), the evaluation is generated, and each figure is
checked against what the engine, the registries and the supervision rows give when asked directly (not through the
evaluation's own code): every target at its date, the first period each was reached, the registries' counts, each
task share's state; the Word file and the workbook hold them; the command writes the file and refuses what it must;
the web gives a city's office its city's evaluation and nothing else, and an enterprise nothing."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.conftest import PLAN_CODE, create_user, login_as
from tests.reports.test_views import _docx_text, run_worker
from tests.test_cli import assert_one_line_error, yangfan

from yangfan.core.periods import Period, PeriodKind
from yangfan.datavalues.indicators import assessments, core_plans
from yangfan.reports.final import PlanNotFinished, final_document

# targets set in Yangfan on top of the plan's (the plan file has no milestones): a milestone of the province at a
# year's end and one at a quarter's end, and final targets of 西安 and of its 雁塔区 (a county)
SET_TARGETS = (
    ("A1", "610000", date(2022, 12, 31), "30", "gt"),
    ("A5", "610000", date(2022, 6, 30), "8", "gte"),
    ("A1", "610100", date(2023, 12, 31), "50", "gt"),
    ("A5", "610113", date(2023, 12, 31), "25", "gte"),
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo set and the targets above, in a transaction held open for the module and rolled back after its
    last test (each test's own transaction is a savepoint inside it, as in the permission matrix); with the users
    the tests ask as: the provincial office, 西安's office, an enterprise; and the province's final evaluation."""
    from django.db import transaction
    from django.test import override_settings

    from yangfan.actionplans.models import Indicator
    from yangfan.actionplans.services import unit_target_set
    from yangfan.demo import demo_load
    from yangfan.orgunits.models import OrgUnit

    folder = tmp_path_factory.mktemp("final-data")
    quick = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], DATA_DIR=folder
    )
    with django_db_blocker.unblock(), quick:
        module = transaction.atomic()
        module.__enter__()
        try:
            demo_load()
            province = create_user("province", username="final-province")
            for code, org, on, value, comparison in SET_TARGETS:
                unit_target_set(
                    actor=province,
                    indicator=Indicator.objects.get(plan__code=PLAN_CODE, code=code),
                    org_unit=OrgUnit.objects.get(code=org),
                    on=on,
                    value=Decimal(value),
                    comparison=comparison,
                )
            users = {
                "province": province.pk,
                "xian-office": create_user(
                    "city-office",
                    username="final-xian-office",
                    capture_org_units=[OrgUnit.objects.get(code="610100")],
                ).pk,
                "enterprise": create_user("enterprise", username="final-enterprise").pk,
                # the province's evaluation, made once for the tests that read it
                "province_final": final_document(actor=province, org="610000"),
            }
        except BaseException:
            transaction.set_rollback(True)
            module.__exit__(None, None, None)
            raise
    yield users
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module.__exit__(None, None, None)


@pytest.fixture
def user(db, demo):
    from yangfan.accounts.models import User

    return lambda name: User.objects.get(pk=demo[name])


@pytest.fixture
def province_final(db, demo):
    return demo["province_final"]


def plan():
    return core_plans()[PLAN_CODE]


def engine_value(code: str, org: str, period: str) -> Decimal | None:
    """What the engine computes for one indicator, unit and period, asked on its own."""
    indicator = plan().indicator(code)
    return assessments(plan(), [org], Period.parse(period), indicators=[indicator])[0].value


def first_reached(code: str, org: str, kind: PeriodKind, holds) -> str:
    """The first period of ``kind``, from the year before the plan to its end, whose value (asked of the engine
    period by period) meets the target; "" when none does."""
    current = Period.containing(date(2020, 12, 31), kind)
    while current.end <= date(2023, 12, 31):
        value = engine_value(code, org, str(current))
        if value is not None and holds(value):
            return str(current)
        current = current.next()
    return ""


def verdict(document, code: str, org: str, on: date):
    found = [t for t in document.targets if (t.indicator, t.org_unit, t.date) == (code, org, on)]
    assert len(found) == 1, (code, org, on)
    return found[0]


# --- the content ----------------------------------------------------------------------------------------------


def test_every_target_is_judged_at_its_own_date_as_the_engine_computes(province_final):
    document = province_final
    end = date(2023, 12, 31)
    # every indicator's final target for the province, from the plan file, at 2023
    for indicator in plan().indicators:
        row = verdict(document, indicator.code, "610000", end)
        assert (row.kind_label, row.source_label, row.period) == ("最终目标", "计划文件", "2023")
        value = engine_value(indicator.code, "610000", "2023")
        assert row.value == value, indicator.code
        target = indicator.target
        assert row.target == target.value and row.met == (None if value is None else target.met_by(value))
        if row.met is False:
            assert row.gap == target.value - value and row.gap_text.startswith("差 ")
        else:
            assert row.gap is None
        expected = first_reached(indicator.code, "610000", PeriodKind.YEAR, target.met_by)
        assert row.first_reached == expected, indicator.code
    a1 = verdict(document, "A1", "610000", end)
    assert a1.value == engine_value("A1", "610000", "2023") and a1.value_text.endswith(" %")
    # the milestones set for the province: each judged on its own period (a year, a quarter)
    for code, org, on, value, comparison in SET_TARGETS:
        row = verdict(document, code, org, on)
        kind = PeriodKind.YEAR if on.month == 12 else PeriodKind.QUARTER
        period = Period.containing(on, kind)
        assert row.period == str(period)
        found = engine_value(code, org, str(period))
        assert row.value == found, (code, org)
        target = Decimal(value)
        holds = (lambda v, t=target: v > t) if comparison == "gt" else (lambda v, t=target: v >= t)
        assert row.met == holds(found)
        assert row.source_label == "省级设定"
        assert row.kind_label == ("最终目标" if on == end else "阶段目标")
        assert row.first_reached == first_reached(code, org, kind, holds), (code, org)
    # the trajectory: the years from the baseline, the values the engine gives for each
    a1_path = next(t for t in document.trajectories if t.section.code == "A1")
    assert [p.period for p in a1_path.points] == ["2020", "2021", "2022", "2023"]
    for point in a1_path.points:
        assert point.value == engine_value("A1", "610000", point.period)
    assert a1_path.points[-1].expected == Decimal(40)  # the path ends on the final target
    assert len(document.trajectories) == 7


def test_registries_tasks_and_units_are_what_the_database_holds(province_final):
    from django.db.models import Q

    from yangfan.registries.models import IndustryVpn
    from yangfan.supervision.models import Assignment, Evidence, ProgressReport, SupervisionNotice

    document = province_final
    # the registries' final counts: the VPNs standing at the plan's end
    end = date(2023, 12, 31)
    standing = IndustryVpn.objects.filter(commissioned_on__lte=end).filter(
        Q(retired_on__isnull=True) | Q(retired_on__gt=end)
    )
    vpns = next(r for r in document.report.registries if r.name == "5G行业虚拟专网")
    assert vpns.count == standing.count() > 0
    # each task share's final state is its 2023Q4 report's progress, or overdue without a submitted one
    shares = Assignment.objects.filter(task__plan__code=PLAN_CODE, parent__isnull=True, subtask__isnull=True)
    reports = {
        r.assignment_id: r for r in ProgressReport.objects.filter(assignment__in=shares, period="2023Q4")
    }
    expected = {}
    for share in shares.select_related("task", "responsible_unit", "org_unit"):
        report = reports.get(share.pk)
        submitted = report is not None and report.status in ("submitted", "approved")
        expected[(share.task.code, share.unit_name)] = report.progress if submitted else "overdue"
    assert {(t.task, t.unit): t.state for t in document.tasks} == expected
    assert document.task_period == "2023Q4"
    assert (
        sum(len(t.notices) for t in document.tasks)
        == SupervisionNotice.objects.filter(assignment__in=shares).count()
    )
    assert (
        sum(len(t.evidence) for t in document.tasks)
        == Evidence.objects.filter(
            Q(report__assignment__in=shares) | Q(answer__notice__assignment__in=shares)
        ).count()
    )
    # the cities and the groups compared, each at the plan's end as the engine gives it
    codes = [row.org_unit for row in document.comparison]
    assert codes[:10] == [u.code for u in plan().org_tree.children("610000")][:10]
    groups = {row.org_unit for row in document.comparison if row.kind_label == "统计分组"}
    assert groups == {"HANCHENG", "SHENMU", "FUGU", "XIXIAN"}  # the groups within the province, all of them
    xian = next(row for row in document.comparison if row.org_unit == "610100")
    a1 = next(f for f in xian.figures if f.indicator == "A1")
    assert a1.value == engine_value("A1", "610100", "2023")
    assert a1.met == (a1.value > 40)
    assert document.report.goals and document.report.ranking  # the report's sections, reused
    assert document.demo


def test_the_engine_reads_are_batched(user):
    """The whole series of every unit and indicator is read in a bounded number of queries of the stored totals
    (one per kind of period the targets need, plus the report's own), never one per period × indicator; the whole
    evaluation in a bounded number of queries."""
    province = user("province")
    with CaptureQueriesContext(connection) as queries:
        document = final_document(actor=province, org="610000")
    totals = [q["sql"] for q in queries.captured_queries if "storedtotal" in q["sql"].lower()]
    assert len(totals) <= 3, "\n".join(t[-400:] for t in totals)
    assert len(queries.captured_queries) <= 100, len(queries.captured_queries)  # 84 when written
    assert len(document.targets) > len(plan().indicators)


def test_a_city_office_gets_its_citys_final_evaluation_only(user):
    office = user("xian-office")
    document = final_document(actor=office, org="610100")
    assert document.org_name == "西安市"
    assert {t.unit for t in document.tasks} == {"西安市人民政府"}
    # 西安's final target (set in Yangfan) and 雁塔区's, a unit below it
    row = verdict(document, "A1", "610100", date(2023, 12, 31))
    assert row.value == engine_value("A1", "610100", "2023") and row.source_label == "省级设定"
    yanta = verdict(document, "A5", "610113", date(2023, 12, 31))
    assert yanta.value == engine_value("A5", "610113", "2023")
    assert not any(t.org_unit.startswith("6103") for t in document.targets)
    assert {row.org_unit for row in document.comparison} <= {
        u.code for u in plan().org_tree.descendants("610100")
    } | set(plan().org_tree.groups)
    with pytest.raises(PermissionDenied):
        final_document(actor=office, org="610300")  # 宝鸡
    with pytest.raises(PermissionDenied):
        final_document(actor=user("enterprise"), org="610100")


def test_unknown_and_unfinished_plans_are_refused(db, demo):
    with pytest.raises(LookupError, match="火星"):
        final_document(actor=None, org="火星")
    with pytest.raises(LookupError, match="no-such-plan"):
        final_document(actor=None, org="610000", plan_code="no-such-plan")
    with pytest.raises(PlanNotFinished, match="尚未结束"):
        final_document(actor=None, org="610000", today=date(2023, 6, 30))


# --- the files ------------------------------------------------------------------------------------------------


def test_the_word_file_and_the_workbook_hold_the_figures(province_final):
    from docx import Document
    from openpyxl import load_workbook

    from yangfan.reports.docx_writer import final_docx_bytes
    from yangfan.reports.xlsx_writer import FINAL_SHEETS, final_xlsx_bytes

    document = province_final
    a1 = verdict(document, "A1", "610000", date(2023, 12, 31))
    a2 = verdict(document, "A2", "610000", date(2023, 12, 31))
    word = Document(io.BytesIO(final_docx_bytes(document, charts=False)))
    targets = [[c.text for c in r.cells] for r in word.tables[0].rows[1:]]
    a1_row = next(r for r in targets if r[0].startswith("A1 ") and r[1] == "陕西省" and r[4] == "2023")
    assert a1_row[5] == a1.value_text == f"{engine_value('A1', '610000', '2023'):.2f} %"
    assert a1_row[6] == ("已达标" if a1.met else "未达标") and a1_row[8] == (a1.first_reached or "未达到")
    a2_row = next(r for r in targets if r[0].startswith("A2 ") and r[1] == "陕西省" and r[4] == "2023")
    assert a2_row[7] == (a2.gap_text or "—")
    text = _docx_text(final_docx_bytes(document, charts=False))
    assert "评估结论与下一步建议" in text and "由领导小组办公室在 Word 中填写" in text
    tasks = next(t for t in word.tables if t.rows[0].cells[0].text == "任务")
    assert len(tasks.rows) == 1 + len(document.tasks)
    first = document.tasks[0]
    assert tasks.rows[1].cells[2].text == first.state_label

    book = load_workbook(io.BytesIO(final_xlsx_bytes(document)))
    assert book.sheetnames == list(FINAL_SHEETS)
    rows = list(book["量化目标"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(document.targets)
    a1_cells = next(r for r in rows if r[0] == "A1" and r[3] == "610000" and r[7] == "2023-12-31")
    assert a1_cells[11] == float(engine_value("A1", "610000", "2023"))
    assert a1_cells[13] == a1.verdict_label and a1_cells[15] == a1.first_reached
    assert len(list(book["任务完成情况"].iter_rows(min_row=2))) == len(document.tasks)
    registry = {r[0]: r[1] for r in book["登记簿"].iter_rows(min_row=2, values_only=True)}
    vpns = next(r for r in document.report.registries if r.name == "5G行业虚拟专网")
    assert registry["5G行业虚拟专网"] == vpns.count
    assert book["评估结论"]["A1"].value == "评估结论与下一步建议"


# --- the web --------------------------------------------------------------------------------------------------


def test_the_reports_page_offers_the_final_evaluation_within_the_scope(user, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    office = login_as(Client(), user("xian-office"))
    page = office.get(reverse("reports:index")).content.decode()
    assert 'action="/reports/final/"' in page and f'value="{PLAN_CODE}"' in page
    assert 'value="610300"' not in page
    response = office.post(
        reverse("reports:final"), {"final-plan": PLAN_CODE, "final-org": "610100", "final-fmt": "docx"}
    )
    assert response.status_code == 302
    run_worker()
    job_page = office.get(response["Location"]).content.decode()
    assert "报告已生成" in job_page and "终期评估" in job_page
    download = re.search(r'href="(/reports/jobs/[^"]+/download/)"', job_page).group(1)
    text = _docx_text(b"".join(office.get(download).streaming_content))
    assert "西安市" in text and "终期评估报告" in text and "量化目标完成情况" in text
    # another city is not among its choices: refused
    refused = office.post(
        reverse("reports:final"), {"final-plan": PLAN_CODE, "final-org": "610300", "final-fmt": "docx"}
    )
    assert refused.status_code == 400
    enterprise = login_as(Client(), user("enterprise"))
    assert enterprise.get(reverse("reports:final")).status_code == 403
    assert (
        enterprise.post(
            reverse("reports:final"), {"final-plan": PLAN_CODE, "final-org": "610100", "final-fmt": "docx"}
        ).status_code
        == 403
    )


# --- the command ----------------------------------------------------------------------------------------------


def test_yangfan_report_final_writes_the_file_and_refuses_what_it_must(initialised_env, tmp_path):
    target = tmp_path / "final.xlsx"
    done = yangfan(
        "report", "--final", "--org", "610000", "--format", "xlsx", "-o", str(target), env=initialised_env
    )
    assert done.returncode == 0, done.stderr
    assert "终期评估报告已写入" in done.stdout
    from openpyxl import load_workbook

    book = load_workbook(target)
    assert "量化目标" in book.sheetnames and "任务完成情况" in book.sheetnames
    refused = tmp_path / "refused.docx"
    assert "火星" in assert_one_line_error(
        yangfan("report", "--final", "--org", "火星", "-o", str(refused), env=initialised_env)
    )
    assert "no-such-plan" in assert_one_line_error(
        yangfan(
            "report",
            "--final",
            "--org",
            "610000",
            "--plan",
            "no-such-plan",
            "-o",
            str(refused),
            env=initialised_env,
        )
    )
    loaded = yangfan("plan", "load", "miit-5g-upgrade-2024-2027", env=initialised_env, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    unfinished = assert_one_line_error(
        yangfan(
            "report",
            "--final",
            "--org",
            "610000",
            "--plan",
            "miit-5g-upgrade-2024-2027",
            "-o",
            str(refused),
            env=initialised_env,
        )
    )
    assert "尚未结束" in unfinished and "2027-12-31" in unfinished
    assert not refused.exists() and not list(tmp_path.glob(".*.part"))

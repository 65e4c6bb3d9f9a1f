"""专项工程推进情况 in the evaluation report, against the database: rows are created through the registries' service
(the security records, which have no service yet, through the ORM, checked by their own ``full_clean``), the report
is generated, its Word file and workbook are read back, and every figure must equal what the rows in the database
say, read here by a plain reading of the rows (not by the report's own queries). A reader without ``security.view``
gets no security figures; 宝鸡's office gets 宝鸡's and never 西安's."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

import docx
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.registries.test_exchange import credit_code

from yangfan.actionplans.models import Sector
from yangfan.core.periods import Period
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.models import (
    ApplicationCase,
    BloomCupEntry,
    Certification,
    CryptoAssessment,
    EvaluationBody,
    IndustryProduct,
    Inspection,
    LeadZone,
    Standard,
    Supplier,
    ThreatReport,
)
from yangfan.registries.services import entry_save
from yangfan.reports.content import report_document
from yangfan.reports.docx_writer import report_docx_bytes
from yangfan.reports.xlsx_writer import report_xlsx_bytes
from yangfan.security.models import Assessment, Questionnaire, Risk

PLAN = "shaanxi-5g-2021-2023"
DAY = date(2023, 12, 31)  # the end of the report's period, 2023
START = date(2023, 1, 1)
STANDARD_STAGES = [  # in order, with the field holding the day each was reached
    ("立项", "proposed_on"),
    ("征求意见", "consultation_on"),
    ("报批", "submitted_on"),
    ("发布", "published_on"),
    ("实施", "implemented_on"),
]
PRODUCT_STAGES = ["研制", "测试", "商用", "规模应用"]
PRODUCT_KINDS = {
    "base_station": "行业专用5G基站",
    "module": "5G模组",
    "terminal": "5G行业终端",
    "equipment": "预置5G能力的高端装备",
}
AWARDS = {
    "national_first": "全国一等奖",
    "national_second": "全国二等奖",
    "national_third": "全国三等奖",
    "national_excellent": "全国优秀奖",
    "regional": "区域赛（省赛）获奖",
    "entered": "参赛未获奖",
}
SECURITY = "5G应用安全（扬帆监测口径）"


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def sector(code: str) -> Sector:
    return Sector.objects.get(plan__code=PLAN, code=code)


# --- the rows ------------------------------------------------------------------------------------------------


@pytest.fixture
def province(make_user):
    return make_user("province")


@pytest.fixture
def world(province):
    """Registry entries and security records in 西安 (one case in its 新城区) and 宝鸡, some standing at the end of
    2023 and some not (withdrawn, retired, not yet started, published only after it)."""
    save = lambda entry, **m2m: entry_save(actor=province, entry=entry, m2m=m2m or None)  # noqa: E731

    def case(name, org, code, started=date(2022, 3, 1)):
        return save(
            ApplicationCase(
                org_unit=unit(org),
                name=name,
                sector=sector(code),
                enterprise=f"{name}公司",
                network_form="public",
                stage="production",
                started_on=started,
            )
        )

    x1 = case("西安智慧电网", "610100", "smart-power")
    case("西安远程会诊", "610100", "smart-healthcare")  # not a key industry
    x3 = case("新城智慧矿山", "610102", "smart-mining")  # a county of 西安
    x4 = case("西安配网巡检", "610100", "smart-power", started=date(2024, 2, 1))  # after the period
    x5 = case("西安变电站", "610100", "smart-power")
    b1 = case("宝鸡智慧矿山", "610300", "smart-mining")

    def standard(title, org, code, stage, *, adopters=(), std_code="", **dates):
        return save(
            Standard(
                org_unit=unit(org),
                title=title,
                level="local",
                code=std_code,
                sector=sector(code) if code else None,
                stage=stage,
                **dates,
            ),
            adopters=list(adopters),
        )

    s1 = standard(
        "5G智慧电力终端技术要求",
        "610100",
        "smart-power",
        "implemented",
        std_code="DB61/T 1501-2022",
        adopters=(x1, x5, x4),
        proposed_on=date(2021, 3, 1),
        consultation_on=date(2021, 9, 1),
        published_on=date(2022, 6, 1),
        implemented_on=date(2022, 9, 1),
    )
    standard(  # published only in 2024: in consultation at the end of 2023
        "5G电力专网切片要求",
        "610100",
        "smart-power",
        "published",
        std_code="DB61/T 1502-2024",
        adopters=(x3,),
        proposed_on=date(2021, 5, 1),
        consultation_on=date(2023, 3, 1),
        published_on=date(2024, 2, 1),
    )
    s3 = standard(
        "5G矿山井下通信要求",
        "610300",
        "smart-mining",
        "submitted",
        adopters=(b1,),
        proposed_on=date(2022, 1, 1),
        submitted_on=date(2023, 6, 1),
    )
    standard("5G远程医疗服务规范", "610100", "smart-healthcare", "proposed", proposed_on=date(2022, 2, 1))
    s5 = standard(  # withdrawn in 2023
        "5G配电自动化要求",
        "610100",
        "smart-power",
        "published",
        std_code="DB61/T 1400-2021",
        adopters=(x1,),
        proposed_on=date(2021, 1, 1),
        published_on=date(2021, 8, 1),
        withdrawn_on=date(2023, 5, 1),
    )
    standard("5G电力巡检机器人要求", "610100", "smart-power", "proposed", proposed_on=date(2024, 1, 10))
    standard("5G通用模组测试方法", "610100", None, "proposed", proposed_on=date(2023, 1, 1))

    body = EvaluationBody(
        org_unit=unit("610000"),
        name="陕西5G安全测评中心",
        does_assessment=True,
        does_crypto=True,
        does_testing=True,
        does_certification=True,
        recognised_on=date(2021, 1, 1),
    )
    body.full_clean()
    body.save()

    supplier = save(
        Supplier(
            org_unit=unit("610100"),
            name="西安五星通信设备有限公司",
            credit_code=credit_code("610100", "70000019"),
            listed_on=date(2021, 1, 1),
        )
    )

    def product(name, org, kind, stage, started, *, commercial=None, retired=None, users=(), supplied=True):
        return save(
            IndustryProduct(
                org_unit=unit(org),
                kind=kind,
                name=name,
                model_number="M-1",
                supplier=supplier if supplied else None,
                stage=stage,
                started_on=started,
                commercial_on=commercial,
                retired_on=retired,
            ),
            used_by=list(users),
        )

    p1 = product(
        "防爆工业网关",
        "610100",
        "terminal",
        "scale",
        date(2021, 6, 1),
        commercial=date(2022, 3, 1),
        users=(x1,),
    )
    product(
        "5G工业模组",
        "610100",
        "module",
        "commercial",
        date(2022, 1, 1),
        commercial=date(2024, 1, 15),
        users=(x5,),
    )
    product("高温专用基站", "610100", "base_station", "development", date(2023, 2, 1), supplied=False)
    product(
        "车载终端", "610100", "terminal", "testing", date(2023, 1, 1), retired=date(2023, 11, 1), users=(x3,)
    )
    product(
        "矿用巡检装备",
        "610300",
        "equipment",
        "commercial",
        date(2022, 5, 1),
        commercial=date(2023, 4, 1),
        users=(b1,),
    )
    product("AGV小车", "610100", "terminal", "development", date(2024, 2, 1))

    def certification(number, kind, issued, result="passed", standard=None):
        entry = Certification(
            org_unit=unit("610100"),
            body=body,
            kind=kind,
            number=number,
            standard=standard,
            product=p1,
            result=result,
            issued_on=issued,
        )
        entry.full_clean()
        entry.save()

    certification("C-1", "test", date(2023, 1, 10), standard=s1)
    certification("C-2", "certification", date(2023, 6, 1), standard=s1)
    certification("C-3", "evaluation", date(2024, 3, 1), standard=s1)  # after the period
    certification("C-4", "test", date(2023, 7, 1), result="failed", standard=s3)
    certification("C-5", "test", date(2022, 3, 1), standard=s5)  # against a withdrawn standard
    certification("C-6", "certification", date(2023, 3, 1))  # against no standard

    def zone(name, org, recognised, pilots="", retired=None):
        save(
            LeadZone(
                org_unit=unit(org),
                name=name,
                sector=sector("industrial-internet"),
                recognised_on=recognised,
                policy_pilots=pilots,
                retired_on=retired,
            )
        )

    zone("西安高新区5G引领区", "610100", date(2022, 5, 1), "频率先行先试\n基站用电补贴\n\n数据跨境试点\n")
    zone("宝鸡高新区5G引领区", "610300", date(2023, 2, 1), "用地保障")
    zone("西安经开区5G引领区", "610100", date(2021, 9, 1), "专网建设", retired=date(2023, 6, 1))
    zone("西安浐灞5G引领区", "610100", date(2024, 3, 1), "场景开放")

    def bloom(name, org, year, entered, award="entered", awarded=None):
        save(
            BloomCupEntry(
                org_unit=unit(org),
                round_year=year,
                name=name,
                enterprise=f"{name}公司",
                entered_on=entered,
                award=award,
                awarded_on=awarded,
            )
        )

    bloom("智慧电网项目", "610100", 2022, date(2022, 4, 1), "national_first", date(2022, 10, 1))
    bloom("智慧矿山项目", "610100", 2023, date(2023, 3, 1), "regional", date(2024, 2, 1))  # published later
    bloom("宝鸡装备项目", "610300", 2023, date(2023, 4, 1))
    bloom("宝鸡矿山项目", "610300", 2023, date(2023, 4, 2), "national_third", date(2023, 11, 1))
    bloom("西安文旅项目", "610100", 2024, date(2024, 3, 1))

    questionnaire = Questionnaire.objects.filter(
        published_at__isnull=False
    ).first() or Questionnaire.objects.create(
        version=(Questionnaire.objects.order_by("-version").values_list("version", flat=True).first() or 0)
        + 1,
        title="5G应用安全评估问卷",
        published_at=timezone.now(),
    )

    def assessment(case, assessed, status="submitted"):
        return Assessment.objects.create(
            org_unit=case.org_unit,
            case=case,
            stage="operation",
            kind="self",
            questionnaire=questionnaire,
            assessed_on=assessed,
            status=status,
        )

    a1 = assessment(x1, date(2023, 6, 1))
    a2 = assessment(x3, date(2022, 6, 1))  # more than a year before the day
    a3 = assessment(b1, date(2023, 5, 1), status="draft")

    def risk(title, found_in, created, likelihood=5, impact=5, status="open", **dates):
        from yangfan.core.security import risk_level

        entry = Risk(
            org_unit=found_in.org_unit,
            assessment=found_in,
            title=title,
            likelihood=likelihood,
            impact=impact,
            level=risk_level(likelihood, impact),
            owner="张工",
            remediation="升级固件",
            deadline=created.date() + timedelta(days=60),
            status=status,
            **dates,
        )
        entry.full_clean()
        entry.save()
        Risk.objects.filter(pk=entry.pk).update(created_at=created)  # registered then, not today

    def at(day: date) -> datetime:
        return timezone.make_aware(datetime(day.year, day.month, day.day, 10))

    risk("切片隔离不足", a1, at(date(2023, 3, 1)))
    risk("井下基站弱口令", a2, at(date(2023, 2, 1)), status="remediated", remediated_on=date(2023, 4, 1))
    risk(
        "边缘节点未加固",
        a1,
        at(date(2023, 1, 10)),
        status="closed",
        remediated_on=date(2023, 1, 30),
        closed_on=date(2023, 2, 15),
    )
    risk(
        "终端证书过期",
        a1,
        at(date(2023, 6, 1)),
        status="closed",
        remediated_on=date(2024, 1, 20),
        closed_on=date(2024, 2, 1),
    )
    risk("日志留存不足", a1, at(date(2023, 4, 1)), likelihood=2, impact=4)  # medium
    risk("新发现漏洞", a1, at(date(2024, 3, 1)))  # after the period
    risk("宝鸡专网暴露面", a3, at(date(2023, 5, 1)))

    def crypto(case, number, result, assessed, valid_until):
        entry = CryptoAssessment(
            org_unit=case.org_unit,
            case=case,
            system=f"{case.name}系统",
            level="3",
            body=body,
            report_number=number,
            assessed_on=assessed,
            result=result,
            valid_until=valid_until,
        )
        entry.full_clean()
        entry.save()

    crypto(x1, "MP-1", "compliant", date(2023, 2, 1), date(2025, 2, 1))
    crypto(x3, "MP-2", "basically", date(2022, 6, 1), date(2023, 6, 30))  # expired on the day
    crypto(x5, "MP-3", "non_compliant", date(2023, 8, 1), date(2025, 8, 1))

    def inspection(subject, org, inspected, follow_up="", due=None, closed=None):
        entry = Inspection(
            org_unit=unit(org),
            target="application",
            subject=subject,
            inspected_on=inspected,
            inspector="省通信管理局",
            follow_up=follow_up,
            follow_up_due=due,
            closed_on=closed,
        )
        entry.full_clean()
        entry.save()

    inspection("西安智慧电网", "610100", date(2023, 8, 1), "完善访问控制", date(2023, 10, 1))
    inspection(
        "西安变电站", "610100", date(2023, 5, 1), "补齐日志", date(2023, 7, 1), closed=date(2023, 8, 1)
    )
    inspection("宝鸡智慧矿山", "610300", date(2023, 9, 1), "整改弱口令", date(2024, 3, 1))
    inspection("西安远程会诊", "610100", date(2023, 6, 1))  # nothing to follow up
    inspection(
        "新城智慧矿山",
        "610102",
        date(2023, 11, 1),
        "加固边缘节点",
        date(2024, 1, 1),
        closed=date(2024, 1, 10),
    )

    def threat(title, org, received, closed=None):
        entry = ThreatReport(
            org_unit=unit(org),
            title=title,
            source="国家漏洞库",
            severity="high",
            received_on=received,
            handling="已通报并处置" if closed else "",
            closed_on=closed,
        )
        entry.full_clean()
        entry.save()

    threat("5G核心网漏洞通报", "610100", date(2023, 2, 1), date(2023, 3, 1))
    threat("模组固件后门", "610100", date(2022, 11, 1), date(2023, 1, 5))
    threat("矿区专网扫描", "610300", date(2023, 5, 1))
    threat("新型钓鱼攻击", "610100", date(2024, 1, 5))


# --- the database read plainly ---------------------------------------------------------------------------------


def inside(code: str) -> set[int]:
    """The unit and every unit counted in it."""
    from yangfan.orgunits.selectors import covered_unit_ids

    return covered_unit_ids([unit(code).pk])


def key_sectors() -> list[Sector]:
    return list(Sector.objects.filter(plan__code=PLAN, key_industry=True).order_by("position"))


def standards_expected(org: str) -> dict:
    table: dict[str, Counter] = {}
    counted = []
    for s in Standard.objects.filter(org_unit__in=inside(org)).select_related("sector"):
        if s.proposed_on > DAY or (s.withdrawn_on and s.withdrawn_on <= DAY):
            continue
        stage = [name for name, field in STANDARD_STAGES if getattr(s, field) and getattr(s, field) <= DAY][
            -1
        ]
        if s.sector is None:
            row = "未注明行业"
        elif s.sector.key_industry:
            row = s.sector.name
        else:
            row = "其他行业"
        table.setdefault(row, Counter())[stage] += 1
        counted.append(s)
    adopters = {c.pk for s in counted for c in s.adopters.all() if c.started_on <= DAY}
    certifications = [c for c in Certification.objects.filter(standard__in=counted) if c.issued_on <= DAY]
    return {
        "table": table,
        "total": len(counted),
        "adopters": len(adopters),
        "certifications": len(certifications),
        "kinds": Counter(c.get_kind_display() for c in certifications),
        "passed": sum(c.result == "passed" for c in certifications),
    }


def product_stage(p: IndustryProduct) -> str:
    """The reading the report documents: the market day dated, the stages before and after it not."""
    if p.commercial_on and p.commercial_on <= DAY:
        return "规模应用" if p.stage == "scale" else "商用"
    return "研制" if p.stage == "development" else "测试"


def products_expected(org: str) -> dict:
    counted = [
        p
        for p in IndustryProduct.objects.filter(org_unit__in=inside(org))
        if p.started_on <= DAY and not (p.retired_on and p.retired_on <= DAY)
    ]
    table: dict[str, Counter] = {}
    for p in counted:
        table.setdefault(PRODUCT_KINDS[p.kind], Counter())[product_stage(p)] += 1
    users = {c.pk for p in counted for c in p.used_by.all() if c.started_on <= DAY}
    return {
        "table": table,
        "total": len(counted),
        "users": len(users),
        "suppliers": len({p.supplier_id for p in counted if p.supplier_id}),
    }


def zones_expected(org: str) -> list[tuple[str, int]]:
    return sorted(
        (z.recognised_on, z.name, sum(1 for line in z.policy_pilots.splitlines() if line.strip()))
        for z in LeadZone.objects.filter(org_unit__in=inside(org))
        if z.recognised_on <= DAY and not (z.retired_on and z.retired_on <= DAY)
    )


def bloom_expected(org: str) -> dict[int, Counter]:
    table: dict[int, Counter] = {}
    for e in BloomCupEntry.objects.filter(org_unit__in=inside(org)):
        if e.entered_on <= DAY:
            award = e.award if e.awarded_on and e.awarded_on <= DAY else "entered"
            table.setdefault(e.round_year, Counter())[AWARDS[award]] += 1
    return table


def percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{(Decimal(part) * 100 / whole).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


def security_expected(org: str) -> dict:
    units = inside(org)
    key = [
        c
        for c in ApplicationCase.objects.filter(org_unit__in=units).select_related("sector")
        if c.sector.key_industry and c.started_on <= DAY
    ]
    current = {
        a.case_id
        for a in Assessment.objects.filter(status="submitted")
        if DAY - timedelta(days=365) < a.assessed_on <= DAY
    }
    cryptos = [c for c in CryptoAssessment.objects.all() if c.assessed_on <= DAY]
    passed = {c.case_id for c in cryptos if c.result in ("compliant", "basically") and c.valid_until >= DAY}
    missing = expired = 0
    for case in key:
        if case.pk in passed:
            continue
        own = sorted((c.assessed_on, c.pk, c) for c in cryptos if c.case_id == case.pk)
        if not own:
            missing += 1
        elif own[-1][2].valid_until < DAY:
            expired += 1
    high = Counter()
    spans = []
    for r in Risk.objects.filter(org_unit__in=units).select_related("assessment__case__sector"):
        created = timezone.localtime(r.created_at).date()
        unresolved = r.status in ("open", "remediated") or (r.status == "closed" and r.closed_on > DAY)
        if r.level == "high" and created <= DAY and unresolved:
            high[r.assessment.case.sector.name] += 1
        if r.remediated_on and DAY - timedelta(days=365) < r.remediated_on <= DAY:
            spans.append((r.remediated_on - created).days)
    inspections = [
        i
        for i in Inspection.objects.filter(org_unit__in=units)
        if i.follow_up and i.inspected_on <= DAY and (i.closed_on is None or i.closed_on > DAY)
    ]
    threats = list(ThreatReport.objects.filter(org_unit__in=units))
    return {
        "key": len(key),
        "assessed": percent(sum(c.pk in current for c in key), len(key)),
        "crypto": percent(sum(c.pk in passed for c in key), len(key)),
        "gaps": missing + expired,
        "missing": missing,
        "expired": expired,
        "high": high,
        "median": f"{Decimal(str(median(spans))).quantize(Decimal('0.1'))} 天" if spans else "—",
        "inspections": len(inspections),
        "overdue": sum(i.follow_up_due < DAY for i in inspections),
        "received": sum(START <= t.received_on <= DAY for t in threats),
        "closed": sum(bool(t.closed_on) and START <= t.closed_on <= DAY for t in threats),
    }


# --- the files read back -------------------------------------------------------------------------------------


def _written(actor, org: str):
    document = report_document(actor=actor, org=org, period="2023")
    word = docx.Document(io.BytesIO(report_docx_bytes(document, charts=False)))
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx_bytes(document)))
    return document, word, book


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _table(word, header: list[str]) -> list[list[str]]:
    found = [_rows(t) for t in word.tables if _rows(t)[0] == header]
    assert len(found) == 1, f"expected one table headed {header}"
    return found[0][1:]


def _text(word) -> str:
    return "\n".join(p.text for p in word.paragraphs)


def _sheet(book, name: str) -> list[tuple]:
    return list(book[name].iter_rows(min_row=2, values_only=True))


def _figures(book, section: str) -> dict[str, tuple]:
    """The 专项工程 sheet's rows of ``section``, by 项目: (数值, 单位, 说明)."""
    return {row[1]: row[2:] for row in _sheet(book, "专项工程") if row[0] == section}


def _cross(expected: dict[str, Counter], labels: list[str], columns: list[str]) -> list[list[int]]:
    rows = [[label, *(expected.get(label, Counter())[c] for c in columns)] for label in labels]
    return [[*row, sum(row[1:])] for row in rows]


def _with_total(rows: list[list]) -> list[list]:
    return [*rows, ["合计", *(sum(column) for column in list(zip(*rows, strict=True))[1:])]]


def _as_text(rows: list[list]) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in rows]


# --- the tests -------------------------------------------------------------------------------------------------


def test_the_special_projects_show_what_the_registries_hold(world, province):
    document, word, book = _written(province, "610000")
    level_1 = [p.text for p in word.paragraphs if p.text.startswith(("六、", "七、", "八、"))]
    assert level_1 == ["六、登记簿情况", "七、专项工程推进情况", "八、评估排名"]

    # 专栏1: key industries in the plan's order, then the others, then the entries naming none
    standards = standards_expected("610000")
    labels = [s.name for s in key_sectors()] + [
        r for r in ("其他行业", "未注明行业") if r in standards["table"]
    ]
    rows = _with_total(_cross(standards["table"], labels, [name for name, _f in STANDARD_STAGES]))
    assert rows[-1][-1] == standards["total"] == 5  # the data is what the test meant it to be
    assert _table(word, ["行业", "立项", "征求意见", "报批", "发布", "实施", "合计"]) == _as_text(rows)
    assert [list(r) for r in _sheet(book, "专栏1 标准")] == rows
    figures = _figures(book, "5G应用标准（专栏1）")
    assert figures["在册5G应用标准"][0] == standards["total"]
    assert figures["采用这些标准的应用"][0] == standards["adopters"] == 4
    assert figures["依据这些标准的测试评估认证"][0] == standards["certifications"] == 3
    kinds = "、".join(f"{k} {standards['kinds'][k]} 次" for k in ("测试", "评估", "认证"))
    assert figures["依据这些标准的测试评估认证"][2] == f"{kinds}；结论为通过的 {standards['passed']} 次"
    text = _text(word)
    assert f"采用这些标准的应用：{standards['adopters']} 个。" in text

    # 专栏2
    products = products_expected("610000")
    rows = _with_total(_cross(products["table"], list(PRODUCT_KINDS.values()), PRODUCT_STAGES))
    assert rows[-1][-1] == products["total"] == 4
    assert _table(word, ["产品类别", *PRODUCT_STAGES, "合计"]) == _as_text(rows)
    assert [list(r) for r in _sheet(book, "专栏2 产品")] == rows
    figures = _figures(book, "面向行业的5G产品（专栏2）")
    assert figures["使用这些产品的应用"][0] == products["users"] == 3
    assert figures["提供这些产品的供应商"][0] == products["suppliers"]
    assert f"使用这些产品的应用：{products['users']} 个。" in text

    # 专栏3: the zones standing, with their pilots; the entries by round and the award published by the day
    zones = zones_expected("610000")
    listed = _table(word, ["引领区", "地区", "主导行业", "认定日期", "政策试点数"])
    assert [(row[0], int(row[4])) for row in listed[:-1]] == [(name, n) for _d, name, n in zones]
    assert listed[-1][0] == "合计" and int(listed[-1][4]) == sum(n for *_z, n in zones) == 4
    bloom = bloom_expected("610000")
    columns = list(AWARDS.values())
    rows = _with_total(
        [[f"{y}年", *(bloom[y][c] for c in columns), sum(bloom[y].values())] for y in sorted(bloom)]
    )
    assert _table(word, ["届次", *columns, "合计"]) == _as_text(rows)
    assert [list(r) for r in _sheet(book, "专栏3 绽放杯")] == rows
    zone_title = next(s.title for s in document.special_projects if s.key == "zones")
    assert _figures(book, zone_title)["在册5G应用创新引领区"][0] == len(zones) == 2

    # 5G应用安全, labelled as Yangfan's measures
    security = security_expected("610000")
    figures = _figures(book, SECURITY)
    assert "扬帆监测口径" in text and "不是行动计划设定的目标" in text
    assert figures["重点行业5G应用"][0] == security["key"] == 4
    assert f"有有效安全评估的应用占比：{security['assessed']}" in text
    assert f"密评通过且在有效期内的应用占比：{security['crypto']}" in text
    assert figures["缺少或已过期密评的应用"][0] == security["gaps"] == 2
    assert figures["缺少或已过期密评的应用"][2].startswith(
        f"未做密评 {security['missing']} 个，密评已过期 {security['expired']} 个"
    )
    assert figures["未处置的高风险"][0] == sum(security["high"].values()) == 4
    assert f"风险整改用时中位数：{security['median']}" in text
    assert figures["整改未完成的监督检查"][0] == security["inspections"] == 3
    assert figures["整改未完成的监督检查"][2] == f"其中已超过整改时限 {security['overdue']} 次"
    assert figures["本期接收的威胁信息"][0] == security["received"]
    assert figures["本期处置完成的威胁信息"][0] == security["closed"]
    by_sector = dict(_table(word, ["行业", "高风险数"]))
    assert {k: int(v) for k, v in by_sector.items()} == {
        **security["high"],
        "合计": sum(security["high"].values()),
    }
    assert dict(_sheet(book, "5G应用安全 高风险"))["合计"] == sum(security["high"].values())


def test_a_reader_without_security_view_gets_no_security_figures(world, make_user):
    document, word, book = _written(make_user("viewer"), "610000")
    section = next(s for s in document.special_projects if s.key == "security")
    assert section.withheld and not section.figures and not section.tables
    text = _text(word)
    assert "按您的角色本报告不显示该部分" in text
    assert "未处置的高风险" not in text and "密评" not in text.split("5G应用安全（扬帆监测口径）")[-1]
    assert not [t for t in word.tables if _rows(t)[0] == ["行业", "高风险数"]]
    assert _figures(book, SECURITY) == {"未显示": (None, None, section.withheld)}
    assert "5G应用安全 高风险" not in book.sheetnames
    # the registries' sections are the viewer's as they are the office's
    assert _figures(book, "5G应用标准（专栏1）")["在册5G应用标准"][0] == standards_expected("610000")["total"]


def test_baojis_report_counts_baojis_rows_and_never_xians(world, make_user):
    _document, word, book = _written(make_user("city-office"), "610300")  # 宝鸡's office
    security = security_expected("610300")
    figures = _figures(book, SECURITY)
    assert figures["未处置的高风险"][0] == sum(security["high"].values()) == 1
    assert sum(security_expected("610000")["high"].values()) == 4  # 西安's three are in the province's
    assert figures["重点行业5G应用"][0] == security["key"] == 1
    assert figures["整改未完成的监督检查"][0] == security["inspections"] == 1
    assert figures["本期接收的威胁信息"][0] == security["received"] == 1
    assert "风险整改用时中位数：—" in _text(word)  # 宝鸡 remedied none; 西安's do not count
    assert (
        _figures(book, "5G应用标准（专栏1）")["在册5G应用标准"][0]
        == standards_expected("610300")["total"]
        == 1
    )
    assert (
        _figures(book, "面向行业的5G产品（专栏2）")["在册面向行业的5G产品"][0]
        == products_expected("610300")["total"]
    )
    listed = _table(word, ["引领区", "地区", "主导行业", "认定日期", "政策试点数"])
    assert [row[0] for row in listed[:-1]] == [name for _d, name, _n in zones_expected("610300")]
    assert all(row[1] in ("宝鸡市", "") for row in listed)


def test_the_command_line_reads_security_with_the_servers_rights(world):
    document = report_document(actor=None, org="610100", period="2023")
    section = next(s for s in document.special_projects if s.key == "security")
    figures = {f.label: f for f in section.figures}
    security = security_expected("610100")
    assert not section.withheld
    assert figures["未处置的高风险"].value == sum(security["high"].values()) == 3  # 新城区's included
    assert figures["整改未完成的监督检查"].value == security["inspections"]


def test_the_sections_read_as_many_queries_whatever_the_rows(world, province):
    from yangfan.datavalues.indicators import core_plans
    from yangfan.reports.special_projects import special_sections

    plan = core_plans()[PLAN]
    period = Period.parse("2023")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            special_sections(actor=province, plan=plan, org="610000", org_row=unit("610000"), period=period)
        return len(captured)

    before = queries()
    for n in range(5):  # more of everything
        entry_save(
            actor=province,
            entry=Standard(
                org_unit=unit("610100"),
                title=f"追加标准{n}",
                level="group",
                sector=sector("smart-power"),
                stage="proposed",
                proposed_on=date(2022, 1, 1),
            ),
        )
        entry_save(
            actor=province,
            entry=LeadZone(org_unit=unit("610300"), name=f"追加引领区{n}", recognised_on=date(2022, 1, 1)),
        )
    assert queries() == before

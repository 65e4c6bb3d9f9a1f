"""Registries to and from XLSX and CSV: deterministic exports, all-or-nothing imports that find the entry a row
describes, every bad row named with its column."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from yangfan.core.errors import ImportInvalid
from yangfan.core.uscc import check_character, organisation_check_character
from yangfan.registries.exchange import registry_columns, registry_export, registry_import
from yangfan.registries.services import REGISTRIES

pytestmark = pytest.mark.django_db


def credit_code(division: str, body: str) -> str:
    """A code with both check characters right (test values, not a real company's)."""
    prefix = "91" + division + body + organisation_check_character(body)
    return prefix + check_character(prefix)


CODE_1 = credit_code("610100", "70000001")
CODE_2 = credit_code("610100", "70000002")


@pytest.fixture
def province(make_user):
    return make_user("province")


@pytest.fixture
def entries(province):
    """One entry of every registry, entered through the service as the web form would."""
    from yangfan.actionplans.models import Operator, Sector
    from yangfan.orgunits.models import OrgUnit
    from yangfan.registries.choices import (
        BloomCupAward,
        CarrierKind,
        CaseStage,
        NetworkForm,
        ProductKind,
        ProductStage,
        StandardLevel,
        StandardStage,
        VpnType,
    )
    from yangfan.registries.models import (
        ApplicationCase,
        Benchmark,
        BloomCupEntry,
        Carrier,
        IndustryProduct,
        IndustryVpn,
        LeadZone,
        Standard,
        Supplier,
    )
    from yangfan.registries.services import entry_save

    xian = OrgUnit.objects.get(code="610100")
    mining = Sector.objects.get(code="smart-mining")
    power = Sector.objects.get(code="smart-power")
    cmcc = Operator.objects.get(code="cmcc")
    supplier = entry_save(
        actor=province,
        entry=Supplier(
            org_unit=xian,
            name="测试矿山科技有限公司",
            credit_code=CODE_1,
            capabilities="=井下定位、巡检",  # starts like a formula: must stay text
            contact="张三 029-00000000",
            listed_on=date(2022, 3, 1),
            published=True,
        ),
        m2m={"sectors": [mining, power]},
    )
    vpn = entry_save(
        actor=province,
        entry=IndustryVpn(
            org_unit=xian,
            name="测试煤矿5G行业虚拟专网",
            enterprise="测试煤业公司",
            operator=cmcc,
            sector=mining,
            vpn_type=VpnType.LOCAL_BREAKOUT,
            commissioned_on=date(2022, 5, 1),
        ),
    )
    case = entry_save(
        actor=province,
        entry=ApplicationCase(
            org_unit=xian,
            name="5G智慧矿山井下巡检",
            sector=mining,
            scenario="井下巡检",
            enterprise="测试煤业公司",
            operator=cmcc,
            network_form=NetworkForm.VPN,
            vpn=vpn,
            stage=CaseStage.PRODUCTION,
            started_on=date(2022, 6, 1),
            description="井下巡检机器人通过5G回传高清视频。\n第二行。",
        ),
        m2m={"suppliers": [supplier]},
    )
    entry_save(
        actor=province,
        entry=Benchmark(
            org_unit=xian,
            case=case,
            sector=mining,
            year=2023,
            published_on=date(2023, 9, 1),
            document="测试文件",
        ),
    )
    entry_save(
        actor=province,
        entry=Carrier(
            org_unit=xian,
            kind=CarrierKind.INCUBATOR,
            name="测试5G应用孵化器",
            recognised_on=date(2022, 1, 1),
            retired_on=date(2023, 6, 30),
        ),
    )
    entry_save(
        actor=province,
        entry=LeadZone(
            org_unit=xian,
            name="测试5G应用创新引领区",
            sector=mining,
            recognised_on=date(2022, 8, 1),
            policy_pilots="基站站址开放试点\n应用场景开放试点",
        ),
    )
    entry_save(
        actor=province,
        entry=BloomCupEntry(
            org_unit=xian,
            round_year=2022,
            name="5G智慧矿山井下巡检",
            enterprise="测试煤业公司",
            sector=mining,
            case=case,
            entered_on=date(2022, 5, 10),
            award=BloomCupAward.REGIONAL,
            awarded_on=date(2022, 9, 1),
        ),
    )
    entry_save(
        actor=province,
        entry=Standard(
            org_unit=xian,
            code="YD/T 3615-2022",
            title="5G智慧矿山井下通信技术要求",
            level=StandardLevel.INDUSTRY,
            sector=mining,
            stage=StandardStage.PUBLISHED,
            proposed_on=date(2021, 5, 1),
            consultation_on=date(2021, 11, 1),
            published_on=date(2022, 7, 1),
        ),
        m2m={"drafters": [supplier], "adopters": [case]},
    )
    entry_save(
        actor=province,
        entry=IndustryProduct(
            org_unit=xian,
            kind=ProductKind.BASE_STATION,
            name="矿用防爆5G基站",
            model_number="KT-5G-01",
            category="防爆",
            supplier=supplier,
            sector=mining,
            stage=ProductStage.COMMERCIAL,
            started_on=date(2021, 4, 1),
            commercial_on=date(2022, 2, 1),
            certification="煤安认证",
        ),
        m2m={"used_by": [case]},
    )
    _security_entries(province, xian, case)


def _security_entries(province, xian, case):
    """One entry of each security registry, about the case (a body, its certificate and 密评, an inspection, a
    threat report)."""
    from decimal import Decimal

    from yangfan.registries.models import (
        Certification,
        CryptoAssessment,
        EvaluationBody,
        Inspection,
        Standard,
        ThreatReport,
    )
    from yangfan.registries.services import entry_save

    body = entry_save(
        actor=province,
        entry=EvaluationBody(
            org_unit=xian,
            name="测试密码测评中心",
            does_crypto=True,
            does_certification=True,
            recognised_on=date(2021, 3, 1),
        ),
    )
    entry_save(
        actor=province,
        entry=Certification(
            org_unit=xian,
            body=body,
            kind="certification",
            number="CERT-2022-001",
            standard=Standard.objects.get(),
            case=case,
            result="passed",
            issued_on=date(2022, 8, 1),
            valid_until=date(2025, 7, 31),
        ),
    )
    entry_save(
        actor=province,
        entry=CryptoAssessment(
            org_unit=xian,
            case=case,
            system="井下巡检平台",
            level="3",
            body=body,
            report_number="MP-2022-017",
            assessed_on=date(2022, 10, 1),
            result="basically",
            score=Decimal("86.50"),
            valid_until=date(2023, 9, 30),
        ),
    )
    entry_save(
        actor=province,
        entry=Inspection(
            org_unit=xian,
            target="application",
            subject="井下巡检平台",
            case=case,
            inspected_on=date(2023, 4, 1),
            inspector="测试检查组",
            follow_up="补充日志审计",
            follow_up_due=date(2023, 6, 30),
        ),
    )
    entry_save(
        actor=province,
        entry=ThreatReport(
            org_unit=xian,
            title="某型号5G CPE 默认口令漏洞",
            source="测试通报",
            severity="high",
            received_on=date(2023, 3, 1),
            shared_with="各地市领导小组办公室",
            shared_on=date(2023, 3, 2),
        ),
    )


def _counts() -> dict[str, int]:
    from yangfan.audit.models import AuditEntry

    return {slug: model.objects.count() for slug, model in REGISTRIES.items()} | {
        "audit": AuditEntry.objects.count()
    }


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("slug", sorted(REGISTRIES))
def test_an_export_imported_again_changes_nothing(entries, province, slug, fmt):
    content = registry_export(slug, REGISTRIES[slug].objects.all(), fmt)
    before = _counts()
    outcome = registry_import(slug=slug, content=content, file=f"{slug}.{fmt}", actor=province)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 1)
    assert _counts() == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("slug", sorted(REGISTRIES))
def test_exports_are_deterministic_with_chinese_headers(entries, slug, fmt):
    first = registry_export(slug, REGISTRIES[slug].objects.all(), fmt)
    assert registry_export(slug, REGISTRIES[slug].objects.all(), fmt) == first
    if fmt == "csv":
        assert first.startswith("\ufeff".encode())
        header = first.decode("utf-8-sig").splitlines()[0]
        assert header.split(",")[0] == registry_columns(slug)[0].header


def test_the_csv_cells_name_related_things_as_people_write_them(entries):
    cases = registry_export("cases", REGISTRIES["cases"].objects.all(), "csv").decode("utf-8-sig")
    assert (
        "610100" in cases and "智慧采矿" in cases and "中国移动" in cases and "测试矿山科技有限公司" in cases
    )
    assert "2022-06-01" in cases and "商用部署" in cases and "行业虚拟专网" in cases
    suppliers = registry_export("suppliers", REGISTRIES["suppliers"].objects.all(), "csv").decode("utf-8-sig")
    assert "智慧采矿、智慧电力" in suppliers and ",是," in suppliers
    assert "'=井下定位" in suppliers  # a cell that would be a formula is quoted


def test_an_export_brought_into_an_empty_database_recreates_the_entries(entries, province):
    from yangfan.registries.models import IndustryProduct, Supplier

    content = registry_export("suppliers", Supplier.objects.all(), "xlsx")
    IndustryProduct.objects.all().delete()  # a product keeps its supplier in the directory
    Supplier.objects.all().delete()
    outcome = registry_import(slug="suppliers", content=content, file="s.xlsx", actor=province)
    assert outcome.created == 1
    supplier = Supplier.objects.get()
    assert supplier.capabilities == "=井下定位、巡检" and supplier.published
    assert sorted(s.code for s in supplier.sectors.all()) == ["smart-mining", "smart-power"]


SUPPLIERS_CSV = f"""企业名称,统一社会信用代码,地区,能力覆盖行业,入库日期,对外公布
甲科技有限公司,{CODE_1},610100,智慧采矿,2023-05-01,是
乙科技有限公司,{CODE_2},西安市,smart-power、智慧采矿,2023/5/1,否
"""


def test_a_changed_row_updates_its_entry_and_is_audited(province):
    from yangfan.audit.models import AuditEntry
    from yangfan.registries.models import Supplier

    first = registry_import(slug="suppliers", content=SUPPLIERS_CSV.encode(), file="s.csv", actor=province)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert Supplier.objects.get(credit_code=CODE_2).listed_on == date(2023, 5, 1)
    changed = SUPPLIERS_CSV.replace("甲科技有限公司", "甲科技股份有限公司")
    second = registry_import(slug="suppliers", content=changed.encode(), file="s.csv", actor=province)
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    assert Supplier.objects.get(credit_code=CODE_1).name == "甲科技股份有限公司"
    update = AuditEntry.objects.filter(action="update").latest("seq")
    assert update.changes["name"] == ["甲科技有限公司", "甲科技股份有限公司"]
    assert AuditEntry.objects.filter(action="import").count() == 2


def test_a_bad_credit_code_names_its_row_and_column_and_nothing_is_written(province):
    from yangfan.registries.models import Supplier

    wrong = CODE_2[:-1] + ("0" if CODE_2[-1] != "0" else "1")
    with pytest.raises(ImportInvalid) as caught:
        registry_import(
            slug="suppliers",
            content=SUPPLIERS_CSV.replace(CODE_2, wrong).encode(),
            file="s.csv",
            actor=province,
        )
    (error,) = caught.value.errors
    assert (error.row, error.column) == (3, "统一社会信用代码")
    assert f"校验码应为 {CODE_2[-1]}" in error.message
    assert not Supplier.objects.exists()


def test_the_same_entry_twice_in_a_file_names_both_rows(province):
    text = SUPPLIERS_CSV + f"丙科技有限公司,{CODE_1},610100,,2023-06-01,否\n"
    with pytest.raises(ImportInvalid) as caught:
        registry_import(slug="suppliers", content=text.encode(), file="s.csv", actor=province)
    (error,) = caught.value.errors
    assert error.row == 4 and "第 2 行" in error.message


def test_a_city_reporter_is_refused_another_city_and_nothing_is_written(make_user):
    from yangfan.registries.models import Carrier

    reporter = make_user("city-reporter")  # captures 610100 西安
    text = (
        "类别,名称,地区,建成或认定日期\n"
        "5G应用孵化器,西安测试孵化器,610100,2023-01-01\n"
        "5G应用孵化器,宝鸡测试孵化器,宝鸡市,2023-01-01\n"
    )
    with pytest.raises(ImportInvalid) as caught:
        registry_import(slug="carriers", content=text.encode(), file="c.csv", actor=reporter)
    (error,) = caught.value.errors
    assert (error.row, error.column, error.message) == (3, "地区", "无权登记该地区的条目")
    assert not Carrier.objects.exists()
    outcome = registry_import(
        slug="carriers", content=text.rsplit("5G应用孵化器,宝鸡", 1)[0].encode(), file="c.csv", actor=reporter
    )
    assert outcome.created == 1


def test_gb18030_csv_with_chinese_names_and_dates_as_people_write_them(entries, province):
    from yangfan.registries.models import IndustryVpn

    text = (
        "专网名称,服务企业,运营商,行业,地区,建设方式,开通日期,停用日期\n"
        "测试电厂5G专网,测试电力公司,中国电信,智慧电力,西安市,网络切片,2023年5月1日,\n"
        "测试油田5G专网,测试油田公司,cucc,smart-oil-gas,610100,slice,20230502,2023.12.31\n"
    )
    outcome = registry_import(slug="vpns", content=text.encode("gb18030"), file="v.csv", actor=province)
    assert outcome.created == 2
    power = IndustryVpn.objects.get(name="测试电厂5G专网")
    assert (power.operator.code, power.sector.code, power.vpn_type) == ("ctcc", "smart-power", "slice")
    assert power.commissioned_on == date(2023, 5, 1) and power.retired_on is None
    assert IndustryVpn.objects.get(name="测试油田5G专网").retired_on == date(2023, 12, 31)


def test_excel_dates_are_read_as_dates(province):
    from openpyxl import Workbook

    from yangfan.registries.models import Carrier

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["类别", "名称", "地区", "建成或认定日期", "撤销或停用日期"])
    sheet.append(["众创空间", "测试众创空间", "610100", datetime(2023, 5, 1), 45107])  # 45107: 2023-06-30
    buffer = io.BytesIO()
    workbook.save(buffer)
    registry_import(slug="carriers", content=buffer.getvalue(), file="c.xlsx", actor=province)
    carrier = Carrier.objects.get()
    assert (carrier.recognised_on, carrier.retired_on) == (date(2023, 5, 1), date(2023, 6, 30))


def test_every_bad_cell_is_named(entries, province):
    text = (
        "应用案例,行业,评选年度,地区,公布日期\n"
        "不存在的案例,智慧采矿,2023,610100,2023-09-01\n"
        "5G智慧矿山井下巡检,火星产业,二三年,火星市,2023-13-01\n"
    )
    with pytest.raises(ImportInvalid) as caught:
        registry_import(slug="benchmarks", content=text.encode(), file="b.csv", actor=province)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {(2, "应用案例"), (3, "行业"), (3, "评选年度"), (3, "地区"), (3, "公布日期")}
    assert "2023-05-01" in str(caught.value)


def test_missing_and_unknown_columns_are_named_in_the_header_row(province):
    with pytest.raises(ImportInvalid) as caught:
        registry_import(
            slug="suppliers",
            content="企业名称,入库时间\n甲,2023-01-01\n".encode(),
            file="s.csv",
            actor=province,
        )
    messages = [e.message for e in caught.value.errors]
    assert {e.row for e in caught.value.errors} == {1}
    assert any("未知的列“入库时间”" in m for m in messages)
    assert any("缺少列：统一社会信用代码、地区、入库日期" in m for m in messages)


def test_a_dry_run_checks_and_writes_nothing(province):
    from yangfan.registries.models import Supplier

    outcome = registry_import(
        slug="suppliers", content=SUPPLIERS_CSV.encode(), file="s.csv", actor=province, dry_run=True
    )
    assert outcome.created == 2 and not Supplier.objects.exists()


def test_the_models_own_checks_are_named_under_their_columns(entries, province):
    text = (
        "案例名称,行业,应用企业,地区,网络形态,阶段,启动日期,图文或视频链接,解决方案供应商,所用行业虚拟专网\n"
        f"{'长' * 201},智慧采矿,测试企业,610100,行业虚拟专网,试点,2023-01-01,不是链接,"
        "测试矿山科技有限公司,测试煤矿5G行业虚拟专网\n"
    )
    with pytest.raises(ImportInvalid) as caught:
        registry_import(slug="cases", content=text.encode(), file="c.csv", actor=province)
    assert {(e.row, e.column) for e in caught.value.errors} == {(2, "案例名称"), (2, "图文或视频链接")}


def test_a_case_names_its_suppliers_by_name_or_credit_code(entries, province):
    from yangfan.registries.models import ApplicationCase

    text = (
        "案例名称,行业,应用企业,地区,网络形态,阶段,启动日期,解决方案供应商\n"
        f"测试新案例,智慧采矿,测试企业,610100,public,pilot,2023-01-01,{CODE_1}\n"
    )
    outcome = registry_import(slug="cases", content=text.encode(), file="c.csv", actor=province)
    assert outcome.created == 1
    case = ApplicationCase.objects.get(name="测试新案例")
    assert [s.credit_code for s in case.suppliers.all()] == [CODE_1]
    assert "csxal" in case.search_text  # the search help is written by the service


def test_a_city_reporter_cannot_import_another_citys_entries_even_unchanged(province, make_user):
    from yangfan.orgunits.models import OrgUnit
    from yangfan.registries.choices import CarrierKind
    from yangfan.registries.models import Carrier
    from yangfan.registries.services import entry_save

    entry_save(
        actor=province,
        entry=Carrier(
            org_unit=OrgUnit.objects.get(code="610300"),
            kind=CarrierKind.MAKER_SPACE,
            name="宝鸡测试众创空间",
            recognised_on=date(2022, 1, 1),
        ),
    )
    content = registry_export("carriers", Carrier.objects.all(), "csv")
    with pytest.raises(ImportInvalid, match="无权登记该地区的条目"):
        registry_import(slug="carriers", content=content, file="c.csv", actor=make_user("city-reporter"))


@pytest.mark.parametrize(
    ("content", "file", "message"),
    [
        (b"", "s.csv", "文件没有数据行"),
        ("企业名称,统一社会信用代码,地区,入库日期\n".encode(), "s.csv", "文件没有数据行"),
        (b"not a workbook", "s.xlsx", "不是有效的 XLSX 文件"),
        (b"\xd0\xcf\x11\xe0rest", "s.xls", ".xls"),
    ],
)
def test_files_that_cannot_be_read_are_refused_at_row_1(province, content, file, message):
    with pytest.raises(ImportInvalid) as caught:
        registry_import(slug="suppliers", content=content, file=file, actor=province)
    (error,) = caught.value.errors
    assert error.row == 1 and message in error.message


def test_the_xlsx_export_has_date_cells_and_text_that_is_never_a_formula(entries):
    from openpyxl import load_workbook

    from yangfan.registries.models import Supplier

    content = registry_export("suppliers", Supplier.objects.all(), "xlsx")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, (c for c in sheet[2]), strict=True))
    assert row["入库日期"].is_date and row["入库日期"].value == datetime(2022, 3, 1)
    assert row["解决方案能力"].data_type == "s" and row["解决方案能力"].value == "=井下定位、巡检"
    assert row["出库日期"].value is None

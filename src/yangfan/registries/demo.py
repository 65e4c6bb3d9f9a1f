"""Demo registries for ``yangfan init --demo``: generated from a seed, every name ending in “（演示）” and every
remark saying 演示数据. None of it is a real network, company, case or platform; the credit codes are built to
pass the check digits and belong to nobody on purpose (their organisation codes start with "DEMA").

The set is made so that the indicators have something to read on both sides of their targets: about 90
industry VPNs commissioned through 2021–2023 across the cities, a few retired (A6 crosses 75 during 2023);
benchmarks published in 2022 and 2023 for the key industries, three or more in most but two in some (so A7, the
smallest, stays below 3); two security demonstration centres, three identification nodes, twelve
industrial-internet platforms (below the 15 of the plan); cases of every sector, some run on a VPN.

The security records (四.(三) 8–11) come last: four evaluation bodies with different capabilities, certificates of
products and cases, 密评 of some applications (one of them expired before the plan's end, most cases with none),
inspections with their follow-ups (open and closed) and threat reports.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record_many
from yangfan.core.uscc import check_character, organisation_check_character
from yangfan.registries.choices import (
    BloomCupAward,
    CarrierKind,
    CaseStage,
    CertificationKind,
    CertificationResult,
    CryptoLevel,
    CryptoResult,
    InspectionTarget,
    NetworkForm,
    ProductKind,
    ProductStage,
    Severity,
    StandardLevel,
    StandardStage,
    VpnType,
)
from yangfan.registries.models import (
    ApplicationCase,
    Benchmark,
    BloomCupEntry,
    Carrier,
    Certification,
    CryptoAssessment,
    EvaluationBody,
    IndustryProduct,
    IndustryVpn,
    Inspection,
    LeadZone,
    Standard,
    Supplier,
    ThreatReport,
)
from yangfan.registries.search import searchable

SEED = 20220410
DEMO = "（演示）"
REMARK = "演示数据（生成，非真实登记）"
CITY_WEIGHTS = {
    "610100": 30,
    "610200": 3,
    "610300": 8,
    "610400": 8,
    "610500": 6,
    "610600": 5,
    "610700": 5,
    "610800": 10,
    "610900": 3,
    "611000": 2,
}
ENTERPRISE_WORDS = ("秦川", "长安", "渭河", "华山", "汉水", "秦岭", "黄河", "延河", "丝路", "关中")
ENTERPRISE_KINDS = (
    "智能制造有限公司",
    "能源集团有限公司",
    "矿业有限公司",
    "物流有限公司",
    "医院",
    "职业技术学院",
    "文旅集团有限公司",
    "电力有限公司",
    "农业科技有限公司",
    "汽车有限公司",
)
SCENARIOS = {
    "industrial-internet": ("5G+机器视觉质检", "5G+远程设备运维", "5G全连接工厂"),
    "connected-vehicles": ("车路协同示范路段", "智能网联公交"),
    "smart-mining": ("井下5G无人巡检", "露天矿无人驾驶运输"),
    "smart-power": ("配网差动保护", "变电站智能巡检"),
    "smart-oil-gas": ("油田井场远程监控", "管道智能巡检"),
    "digital-village": ("乡村治理综合平台", "数字乡村广播"),
    "smart-agriculture": ("智慧大棚", "果园无人机植保"),
    "smart-logistics": ("无人仓储", "港口自动化装卸"),
    "smart-security": ("5G+警务巡逻", "城市视频联网"),
    "civil-military": ("军民融合研发协同",),
    "smart-education": ("5G+远程互动课堂", "虚拟仿真实训"),
    "smart-healthcare": ("5G+远程会诊", "急救车联网"),
    "culture-tourism": ("5G+智慧景区", "沉浸式文旅体验"),
    "digital-government": ("5G+政务服务", "一网统管"),
    "smart-city": ("城市运行管理", "智慧停车"),
    "info-consumption": ("云游戏", "超高清直播"),
    "media-convergence": ("5G+4K融媒体直播", "移动采编"),
}


def _pick_city(rng: random.Random, units: dict) -> object:
    codes = list(CITY_WEIGHTS)
    return units[rng.choices(codes, weights=[CITY_WEIGHTS[c] for c in codes])[0]]


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def demo_credit_code(rng: random.Random, division: str) -> str:
    """A code that passes both check characters, with an organisation code starting DEMA: no real company's."""
    body = "DEMA" + "".join(rng.choice("0123456789") for _ in range(4))
    prefix = "91" + division + body + organisation_check_character(body)
    return prefix + check_character(prefix)


@transaction.atomic
def demo_registries_load(*, actor=None) -> dict[str, int]:
    """Load the demo registries unless there are entries already (a second run adds nothing)."""
    from yangfan.actionplans.models import Operator, Sector
    from yangfan.orgunits.models import OrgUnit

    if IndustryVpn.objects.exists() or ApplicationCase.objects.exists():
        return {}
    rng = random.Random(SEED)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=CITY_WEIGHTS)}
    if len(units) != len(CITY_WEIGHTS):
        return {}
    sectors = {s.code: s for s in Sector.objects.all()}
    operators = list(Operator.objects.all())
    created: list = []

    suppliers = []
    for i in range(24):
        city = _pick_city(rng, units)
        supplier = Supplier(
            org_unit=city,
            name=f"{rng.choice(ENTERPRISE_WORDS)}{rng.choice(('数智', '云联', '通信', '网络'))}科技有限公司{i + 1}号{DEMO}",
            credit_code=demo_credit_code(rng, city.code),
            capabilities="5G行业解决方案设计、集成与运维（演示）",
            listed_on=_day(rng, date(2021, 3, 1), date(2023, 6, 30)),
            published=rng.random() < 0.7,
            remark=REMARK,
            created_by=actor,
        )
        supplier.save()
        supplier.sectors.set(rng.sample(list(sectors.values()), k=rng.randint(1, 3)))
        suppliers.append(supplier)
    created += suppliers

    vpns = []
    for i in range(92):
        city = _pick_city(rng, units)
        sector = sectors[rng.choice(list(SCENARIOS))]
        commissioned = _day(rng, date(2021, 2, 1), date(2023, 12, 20))
        retired = None
        if rng.random() < 0.08 and commissioned < date(2023, 9, 1):
            retired = _day(rng, commissioned + timedelta(days=90), date(2023, 12, 31))
        vpns.append(
            IndustryVpn(
                org_unit=city,
                name=f"{city.name.removesuffix('市')}{sector.name}5G行业虚拟专网{i + 1}号{DEMO}",
                enterprise=f"{rng.choice(ENTERPRISE_WORDS)}{rng.choice(ENTERPRISE_KINDS)}{DEMO}",
                operator=rng.choices(operators, weights=[50, 22, 25, 3][: len(operators)])[0],
                sector=sector,
                vpn_type=rng.choice(VpnType.values),
                commissioned_on=commissioned,
                retired_on=retired,
                remark=REMARK,
                created_by=actor,
            )
        )
    IndustryVpn.objects.bulk_create(vpns)
    vpns = list(IndustryVpn.objects.all())
    created += vpns

    cases = []
    for code, scenarios in SCENARIOS.items():
        for n in range(rng.randint(4, 9)):
            city = _pick_city(rng, units)
            form = rng.choices(NetworkForm.values, weights=[45, 45, 10])[0]
            vpn = (
                rng.choice([v for v in vpns if v.org_unit_id == city.pk] or [None]) if form == "vpn" else None
            )
            if form == "vpn" and vpn is None:
                form = NetworkForm.PUBLIC
            scenario = rng.choice(scenarios)
            case = ApplicationCase(
                org_unit=city,
                name=f"{city.name.removesuffix('市')}{scenario}应用{n + 1}{DEMO}",
                sector=sectors[code],
                scenario=scenario,
                enterprise=f"{rng.choice(ENTERPRISE_WORDS)}{rng.choice(ENTERPRISE_KINDS)}{DEMO}",
                operator=vpn.operator if vpn else rng.choice(operators),
                network_form=form,
                vpn=vpn,
                stage=rng.choices(CaseStage.values, weights=[40, 45, 15])[0],
                started_on=_day(rng, date(2021, 1, 15), date(2023, 11, 30)),
                description=f"演示数据：{scenario}，覆盖生产或服务的主要环节。",
                figures=rng.choice(
                    ("效率提升约20%（演示）", "人工巡检减少一半（演示）", "故障响应缩短至分钟级（演示）")
                ),
                bloom_cup=rng.choice(
                    ("", "", "", "2022年“绽放杯”参赛（演示）", "2023年“绽放杯”优秀奖（演示）")
                ),
                remark=REMARK,
                created_by=actor,
            )
            parts = [
                case.name,
                case.scenario,
                case.enterprise,
                case.description,
                case.figures,
                case.bloom_cup,
                case.sector.name,
            ]
            case.search_text = searchable(" ".join(p for p in parts if p))
            case.save()
            case.suppliers.set(rng.sample(suppliers, k=rng.randint(1, 2)))
            cases.append(case)
    created += cases

    benchmarks = []
    for sector in sectors.values():
        if not sector.key_industry:
            continue
        pool = [c for c in cases if c.sector_id == sector.pk]
        wanted = min(len(pool), rng.choice((2, 3, 3, 4)))
        for case in rng.sample(pool, k=wanted):
            year = rng.choice((2022, 2023))
            benchmarks.append(
                Benchmark(
                    org_unit=case.org_unit,
                    case=case,
                    sector=sector,
                    year=year,
                    published_on=date(year, rng.choice((6, 11)), rng.randint(1, 28)),
                    document=f"{year}年度陕西省5G应用标杆名单（演示）",
                    remark=REMARK,
                    created_by=actor,
                )
            )
    Benchmark.objects.bulk_create(benchmarks)
    created += list(Benchmark.objects.all())

    carriers = []
    plan_counts = (
        (CarrierKind.SECURITY_DEMO_CENTRE, 2),
        (CarrierKind.IDENTIFICATION_NODE, 3),
        (CarrierKind.IIOT_PLATFORM, 12),
        (CarrierKind.INNOVATION_CENTRE, 5),
        (CarrierKind.INCUBATOR, 6),
        (CarrierKind.MAKER_SPACE, 8),
        (CarrierKind.COMMON_TECH_PLATFORM, 3),
    )
    for kind, count in plan_counts:
        for n in range(count):
            city = _pick_city(rng, units) if kind != CarrierKind.SECURITY_DEMO_CENTRE else units["610100"]
            carriers.append(
                Carrier(
                    org_unit=city,
                    kind=kind,
                    name=f"{city.name.removesuffix('市')}{CarrierKind(kind).label}{n + 1}号{DEMO}",
                    operator_org=f"{rng.choice(ENTERPRISE_WORDS)}{rng.choice(ENTERPRISE_KINDS)}{DEMO}",
                    recognised_on=_day(rng, date(2021, 6, 1), date(2023, 10, 31)),
                    recognised_by="演示认定文件",
                    remark=REMARK,
                    created_by=actor,
                )
            )
    carriers.append(
        Carrier(
            org_unit=units["610100"],
            kind=CarrierKind.GIGABIT_CITY,
            name=f"西安市双千兆城市{DEMO}",
            recognised_on=date(2022, 1, 20),
            recognised_by="演示认定文件",
            remark=REMARK,
            created_by=actor,
        )
    )
    Carrier.objects.bulk_create(carriers)
    created += list(Carrier.objects.all())

    zones = [
        LeadZone(
            org_unit=units[code],
            name=f"{units[code].name}5G应用创新引领区{DEMO}",
            sector=sectors.get(sector),
            recognised_on=_day(rng, date(2022, 3, 1), date(2023, 9, 30)),
            recognised_by="演示认定文件",
            policy_pilots="5G基站站址资源开放共享试点（演示）\n5G行业应用场景开放试点（演示）",
            remark=REMARK,
            created_by=actor,
        )
        for code, sector in (
            ("610100", "industrial-internet"),
            ("610300", "smart-power"),
            ("610400", "smart-logistics"),
        )
    ]
    LeadZone.objects.bulk_create(zones)
    created += list(LeadZone.objects.all())

    entries = []
    pool = list(ApplicationCase.objects.select_related("org_unit", "sector").order_by("pk"))
    awards = list(BloomCupAward.values)
    for year in (2021, 2022, 2023):
        for case in rng.sample(pool, k=min(6, len(pool))):
            award = rng.choice(awards)
            entered = _day(rng, date(year, 4, 1), date(year, 6, 30))
            entries.append(
                BloomCupEntry(
                    org_unit=case.org_unit,
                    round_year=year,
                    name=case.name,
                    enterprise=case.enterprise or f"{rng.choice(ENTERPRISE_WORDS)}科技有限公司{DEMO}",
                    sector=case.sector,
                    case=case,
                    entered_on=entered,
                    award=award,
                    awarded_on=None if award == BloomCupAward.ENTERED else date(year, 10, 20),
                    remark=REMARK,
                    created_by=actor,
                )
            )
    BloomCupEntry.objects.bulk_create(entries)
    created += list(BloomCupEntry.objects.all())

    standards = []
    levels = [
        (StandardLevel.INDUSTRY, "YD/T {n}-{y}"),
        (StandardLevel.LOCAL, "DB61/T {n}-{y}"),
        (StandardLevel.GROUP, "T/SXCA {n}-{y}"),
    ]
    for i, sector_code in enumerate(
        (
            "industrial-internet",
            "smart-mining",
            "smart-power",
            "smart-healthcare",
            "smart-logistics",
            "smart-education",
        )
    ):
        sector = sectors.get(sector_code)
        if sector is None:
            continue
        level, pattern = levels[i % len(levels)]
        stage = list(StandardStage)[i % len(StandardStage)]
        proposed = _day(rng, date(2021, 3, 1), date(2022, 3, 31))
        dates = {"proposed_on": proposed}
        for step, name in enumerate(("consultation_on", "submitted_on", "published_on", "implemented_on"), 1):
            if list(StandardStage).index(stage) >= step:
                dates[name] = proposed + timedelta(days=120 * step)
        published = stage in (StandardStage.PUBLISHED, StandardStage.IMPLEMENTED)
        standard = Standard(
            org_unit=units["610100"],
            code=pattern.format(n=1000 + i, y=dates["published_on"].year) if published else "",
            title=f"5G+{sector.name}应用技术要求{DEMO}",
            level=level,
            sector=sector,
            stage=stage,
            other_drafters="演示起草单位",
            remark=REMARK,
            created_by=actor,
            **dates,
        )
        standard.full_clean()
        standard.save()
        standard.drafters.set(rng.sample(suppliers, k=2))
        if published:
            standard.adopters.set([c for c in cases if c.sector_id == sector.pk][:2])
        standards.append(standard)
    created += standards

    products = []
    examples = (
        (ProductKind.BASE_STATION, "防爆型5G基站", "防爆"),
        (ProductKind.BASE_STATION, "高温高湿型5G小基站", "高温、高湿"),
        (ProductKind.MODULE, "工业级5G模组", "工业级"),
        (ProductKind.TERMINAL, "5G工业网关", "工业级路由器/网关"),
        (ProductKind.TERMINAL, "5G高清摄像头", "高清摄像头"),
        (ProductKind.TERMINAL, "5G自动导引车", "AGV"),
        (ProductKind.EQUIPMENT, "预置5G的数控机床", "高端装备"),
    )
    stages = list(ProductStage)
    for i, (kind, name, category) in enumerate(examples):
        stage = stages[i % len(stages)]
        started = _day(rng, date(2021, 2, 1), date(2022, 6, 30))
        on_market = stage in (ProductStage.COMMERCIAL, ProductStage.SCALE)
        product = IndustryProduct(
            org_unit=_pick_city(rng, units),
            kind=kind,
            name=f"{name}{DEMO}",
            model_number=f"YF-{100 + i}",
            category=category,
            supplier=rng.choice(suppliers),
            stage=stage,
            started_on=started,
            commercial_on=started + timedelta(days=300) if on_market else None,
            certification="演示认证信息" if on_market else "",
            remark=REMARK,
            created_by=actor,
        )
        product.full_clean()
        product.save()
        if on_market:
            product.used_by.set(rng.sample(cases, k=2))
        products.append(product)
    created += products
    created += _security_records(rng, actor=actor, units=units, cases=cases, vpns=vpns, products=products)
    audit_record_many(
        [{"action": AuditAction.CREATE, "obj": e, "detail": "演示数据：登记簿条目"} for e in created],
        actor=actor,
    )
    return {"entries": len(created)}


# (name, capabilities: assessment, crypto, testing, certification, city, qualifications)
BODIES = (
    (
        "陕西省5G应用安全测评中心",
        (True, True, False, False),
        "610100",
        "商用密码检测机构资质\n网络安全等级测评机构",
    ),
    ("秦岭密码应用测评有限公司", (False, True, False, False), "610100", "商用密码检测机构资质"),
    (
        "关中通信产品检测认证中心",
        (False, False, True, True),
        "610400",
        "检验检测机构资质认定（CMA）\n认证机构批准书",
    ),
    ("汉水网络安全评估有限公司", (True, False, True, False), "610700", "网络安全服务认证"),
)


def _security_records(
    rng: random.Random, *, actor, units: dict, cases: list, vpns: list, products: list
) -> list:
    """The security records of the demo (after everything else, so the rest stays as it was): bodies, certificates,
    密评, inspections, threat reports. Each record about an application is placed at the application's unit."""
    created: list = []
    bodies = []
    for name, (assessment, crypto, testing, certification), city, qualifications in BODIES:
        body = EvaluationBody(
            org_unit=units[city],
            name=f"{name}{DEMO}",
            credit_code=demo_credit_code(rng, city),
            does_assessment=assessment,
            does_crypto=crypto,
            does_testing=testing,
            does_certification=certification,
            qualifications=qualifications,
            contact="演示联系人 029-00000000",
            recognised_on=_day(rng, date(2021, 1, 10), date(2021, 12, 31)),
            remark=REMARK,
            created_by=actor,
        )
        body.full_clean()
        body.save()
        bodies.append(body)
    created += bodies
    cryptographers = [b for b in bodies if b.does_crypto]
    testers = [b for b in bodies if b.does_testing or b.does_certification]

    certificates = []
    on_market = [p for p in products if p.commercial_on is not None]
    standard = Standard.objects.filter(code__gt="").order_by("pk").first()
    for i, product in enumerate(on_market):
        issued = product.commercial_on - timedelta(days=rng.randint(20, 90))
        certificates.append(
            Certification(
                org_unit=product.org_unit,
                body=testers[i % len(testers)],
                kind=CertificationKind.CERTIFICATION if i % 2 == 0 else CertificationKind.TEST,
                number=f"YF-CERT-{2021 + i % 3}-{100 + i:04d}",
                standard=standard if i == 0 else None,
                product=product,
                result=CertificationResult.PASSED,
                issued_on=issued,
                valid_until=issued + timedelta(days=3 * 365),
                remark=REMARK,
                created_by=actor,
            )
        )
    for i, case in enumerate(rng.sample(cases, k=3)):
        issued = _day(rng, date(2022, 1, 1), date(2023, 6, 30))
        certificates.append(
            Certification(
                org_unit=case.org_unit,
                body=testers[i % len(testers)],
                kind=CertificationKind.EVALUATION,
                number=f"YF-EVAL-{issued.year}-{200 + i:04d}",
                case=case,
                result=CertificationResult.FAILED if i == 2 else CertificationResult.PASSED,
                issued_on=issued,
                valid_until=issued + timedelta(days=2 * 365),
                remark=REMARK,
                created_by=actor,
            )
        )
    Certification.objects.bulk_create(certificates)
    created += list(Certification.objects.order_by("pk"))

    # 密评: the demo enterprise's busiest case in 西安 has a current and an expired one (its user reads them), eight
    # more cases and two VPNs one each; most cases have none
    own = _demo_enterprise_case(units["610100"])
    assessed = [own, *rng.sample([c for c in cases if c != own], k=8)]
    applications = [("case", c) for c in assessed if c is not None] + [
        ("vpn", v) for v in rng.sample(vpns, k=2)
    ]
    crypto = []
    # counted back from the day the demo is loaded, like the security assessments (``security.demo``), so that the
    # overview shows current and expired ones whenever it is loaded
    today = timezone.localdate()
    for i, (kind, application) in enumerate(applications):
        level = CryptoLevel.LEVEL_3 if i % 3 == 0 else CryptoLevel.LEVEL_2
        assessed_on = today - timedelta(days=rng.randint(20, 900))
        # 第三级 assessed every year, 第二级 every two (the demo's reading); the first an old, expired one
        years = 1 if level == CryptoLevel.LEVEL_3 else 2
        if i == 0:
            assessed_on = today - timedelta(days=800)
        score = Decimal(rng.randint(6200, 9800)) / 100
        result = (
            CryptoResult.COMPLIANT
            if score >= 85
            else CryptoResult.BASICALLY
            if score >= 70
            else CryptoResult.NON_COMPLIANT
        )
        crypto.append(
            CryptoAssessment(
                org_unit=application.org_unit,
                **{kind: application},
                system=f"{application.name.removesuffix(DEMO)}信息系统{DEMO}",
                level=level,
                body=cryptographers[i % len(cryptographers)],
                report_number=f"YF-MP-{assessed_on.year}-{300 + i:04d}",
                assessed_on=assessed_on,
                result=result,
                score=score,
                valid_until=assessed_on + timedelta(days=365 * years - 1),
                remark=REMARK,
                created_by=actor,
            )
        )
    if own is not None:  # its renewal: current for a year
        crypto.append(
            CryptoAssessment(
                org_unit=own.org_unit,
                case=own,
                system=f"{own.name.removesuffix(DEMO)}信息系统{DEMO}",
                level=CryptoLevel.LEVEL_3,
                body=cryptographers[0],
                report_number=f"YF-MP-{(today - timedelta(days=60)).year}-0399",
                assessed_on=today - timedelta(days=60),
                result=CryptoResult.BASICALLY,
                score=Decimal("81.50"),
                valid_until=today - timedelta(days=60) + timedelta(days=364),
                remark=REMARK,
                created_by=actor,
            )
        )
    CryptoAssessment.objects.bulk_create(crypto)
    created += list(CryptoAssessment.objects.order_by("pk"))

    inspections = []
    for i, case in enumerate(rng.sample(cases, k=4)):
        inspected = _day(rng, date(2022, 4, 1), date(2023, 9, 30))
        follow_up = i % 2 == 0
        inspections.append(
            Inspection(
                org_unit=case.org_unit,
                target=InspectionTarget.APPLICATION,
                subject=f"{case.name.removesuffix(DEMO)}安全检查{DEMO}",
                case=case,
                inspected_on=inspected,
                inspector=f"{case.org_unit.name}5G应用推广领导小组办公室检查组（演示）",
                findings="日志留存不足六个月；部分账号未启用双因素认证（演示）"
                if follow_up
                else "未发现问题（演示）",
                follow_up="完善日志留存与账号管理（演示）" if follow_up else "",
                follow_up_due=inspected + timedelta(days=60) if follow_up else None,
                closed_on=inspected + timedelta(days=45) if i == 0 else None,
                remark=REMARK,
                created_by=actor,
            )
        )
    inspections.append(
        Inspection(
            org_unit=units["610100"],
            target=InspectionTarget.CII,
            subject=f"西安市5G核心网边缘节点{DEMO}",
            inspected_on=date(2023, 6, 12),
            inspector="省通信管理局网络安全检查组（演示）",
            findings="边缘节点机房门禁记录不全（演示）",
            follow_up="补齐门禁记录并定期核查（演示）",
            follow_up_due=date(2023, 8, 31),
            remark=REMARK,
            created_by=actor,
        )
    )
    Inspection.objects.bulk_create(inspections)
    created += list(Inspection.objects.order_by("pk"))

    threats = []
    topics = (
        "5G CPE 默认口令漏洞",
        "工业网关远程代码执行漏洞",
        "针对5G专网的钓鱼邮件",
        "MEC平台未授权访问风险",
    )
    for i, topic in enumerate(topics):
        received = _day(rng, date(2022, 2, 1), date(2023, 11, 30))
        closed = i < 2
        threats.append(
            ThreatReport(
                org_unit=units["610100"] if i % 2 == 0 else _pick_city(rng, units),
                title=f"{topic}{DEMO}",
                source="国家网络安全威胁信息共享平台（演示）",
                severity=(Severity.HIGH, Severity.MEDIUM, Severity.LOW)[i % 3],
                received_on=received,
                description=f"演示数据：{topic}。",
                shared_with="各设区市5G应用推广领导小组办公室\n基础电信企业" if i != 3 else "",
                shared_on=received + timedelta(days=1) if i != 3 else None,
                handling="已通知相关企业完成修补（演示）" if closed else "",
                closed_on=received + timedelta(days=20) if closed else None,
                remark=REMARK,
                created_by=actor,
            )
        )
    ThreatReport.objects.bulk_create(threats)
    created += list(ThreatReport.objects.order_by("pk"))
    return created


def _demo_enterprise_case(city):
    """The first case of the demo enterprise with the most cases in ``city``: the enterprise the demo's
    enterprise user speaks for (``yangfan.demo``), read the same way."""
    from django.db.models import Count

    busiest = (
        ApplicationCase.objects.filter(org_unit=city)
        .values("enterprise")
        .annotate(n=Count("pk"))
        .order_by("-n", "enterprise")
        .first()
    )
    if busiest is None:
        return None
    return (
        ApplicationCase.objects.filter(org_unit=city, enterprise=busiest["enterprise"]).order_by("pk").first()
    )


def demo_selection_load(*, province, experts) -> None:
    """One selection round under review: 2023 智慧物流, three applications, both demo experts assigned, the first
    expert's scores in; the second expert and the office can finish it (review, then publish)."""
    from yangfan.actionplans.models import Sector
    from yangfan.registries import selection
    from yangfan.registries.models import BenchmarkCall

    sector = Sector.objects.filter(code="smart-logistics").first()
    if province is None or len(experts) < 2 or sector is None or BenchmarkCall.objects.exists():
        return
    candidates = list(
        ApplicationCase.objects.filter(sector=sector).exclude(benchmarks__year=2023).order_by("name")[:3]
    )
    if not candidates:
        return
    call = selection.call_create(
        actor=province,
        sector=sector,
        year=2023,
        title=f"2023年度智慧物流5G应用标杆评选{DEMO}",
        criteria=[
            {"name": "创新性", "max": 30},
            {"name": "应用成效", "max": 40},
            {"name": "可复制推广性", "max": 30},
        ],
        opens_on=date(2023, 3, 1),
        closes_on=date(2023, 4, 30),
    )
    selection.call_move(actor=province, call=call)
    applications = [
        selection.application_submit(actor=province, call=call, case=case, statement="演示数据：申报说明")
        for case in candidates
    ]
    selection.call_move(actor=province, call=call)
    rng = random.Random(SEED + 1)
    for application in applications:
        for expert in experts:
            review = selection.reviewer_assign(actor=province, application=application, reviewer=expert)
            if expert == experts[0]:
                selection.review_submit(
                    actor=expert,
                    review=review,
                    conflict=False,
                    scores={
                        "创新性": rng.randint(18, 28),
                        "应用成效": rng.randint(24, 38),
                        "可复制推广性": rng.randint(15, 28),
                    },
                    comment="演示数据：评审意见",
                )

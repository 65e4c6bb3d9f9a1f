"""The report's special projects (专项工程): what the registries that track 专栏1–4 hold for the report's unit at the
period's end, read within what the requester may see.

- 5G应用标准 (专栏1): standards by key industry × stage, the applications adopting them, and the tests, evaluations
  and certifications issued against them;
- 面向行业的5G产品 (专栏2): products by kind × stage, and the applications using them;
- 5G应用创新引领区 and “绽放杯” (专栏3): the zones standing with their policy pilots, the entries by round and award;
- 5G应用安全: Yangfan's own monitoring measures (扬帆监测口径, ``security.measures``), not targets of the plan, only for
  a reader who may ``security.view`` the unit.

An entry is in the unit when it is placed at the unit or at a unit counted in it (a group: its members'), as the
registries' counts read it. Every section reads a fixed number of queries (aggregates by stage, kind or round), so
its cost does not grow with the entries stored. ``actor`` ``None`` is the command line, which reads with the
server's own rights (``reports.content``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import translation

from yangfan.accounts.permissions import command_line_reader, may, restrict
from yangfan.core.periods import Period
from yangfan.core.registries import RegistryCounter
from yangfan.documents.word.gbt9704 import chinese_date
from yangfan.reports.document import CountTable, Figure, SpecialSection

OTHER_SECTORS = "其他行业"
NO_SECTOR = "未注明行业"
TOTAL = "合计"


def special_sections(*, actor, plan, org: str, org_row, period: Period) -> tuple[SpecialSection, ...]:
    """The special projects' sections of the report on ``org`` (its code; ``org_row`` the unit or group) at
    ``period``: one per project whose registry the plan declares, then the security section."""
    declared = {r.code: r for r in plan.registries}
    codes = RegistryCounter(plan.org_tree, (), ()).covered(org)
    reading = _Reading(actor=actor, plan=plan, units=codes, period=period)
    sections = []
    with translation.override("zh-hans"):
        if "standard" in declared:
            sections.append(reading.standards(_title(plan, declared, "standard")))
        if "industry_product" in declared:
            sections.append(reading.products(_title(plan, declared, "industry_product")))
        zone_codes = [c for c in ("innovation_lead_zone", "bloom_cup") if c in declared]
        if zone_codes:
            sections.append(reading.zones(_title(plan, declared, *zone_codes), set(zone_codes)))
        sections.append(_security(actor=actor, plan=plan, org_row=org_row, period=period))
    return tuple(sections)


def _title(plan, declared, *codes: str) -> str:
    """The registries' names, with the special project (专栏N) one of them cites: ``5G应用标准（专栏1）``."""
    projects = {p.code: p.number for p in plan.special_projects}
    numbers = sorted(
        {projects[s.clause] for code in codes for s in declared[code].sources if s.clause in projects}
    )
    name = "和".join(declared[code].name for code in codes)
    return f"{name}（{'、'.join(f'专栏{n}' for n in numbers)}）" if numbers else name


def _count(value) -> int:
    return int(value or 0)


class _Reading:
    """The registries as one reader sees them in one set of units on the period's end."""

    def __init__(self, *, actor, plan, units: Iterable[str], period: Period):
        self.actor = actor
        self.plan = plan
        self.units = sorted(units)
        self.period = period
        self.day: date = period.end
        self.sectors = {s.code: s for s in plan.sectors}

    def rows(self, model) -> QuerySet:
        """The entries of ``model`` in the units that the reader may see (the permission its registry is read with,
        ``registries.view`` by default)."""
        from yangfan.registries.specs import spec_of

        rows = model.objects.filter(org_unit__code__in=self.units)
        if self.actor is not None:
            rows = restrict(rows, self.actor, getattr(spec_of(model), "read", "registries.view"))
        return rows.order_by()

    def cases(self) -> QuerySet:
        """Application cases standing on the day that the reader may see (in any unit: an application elsewhere
        may adopt the unit's standard)."""
        from yangfan.registries.models import ApplicationCase

        cases = ApplicationCase.objects.filter(started_on__lte=self.day)
        if self.actor is not None:
            cases = restrict(cases, self.actor, "registries.view")
        return cases.order_by()

    # 专栏1 -----------------------------------------------------------------------------------------------------

    def standards(self, title: str) -> SpecialSection:
        """Standards proposed by the day and not withdrawn on or before it, each at its stage on the day: the latest
        stage whose date is on or before the day (a stage whose date was not recorded is skipped). Three queries."""
        from yangfan.registries.choices import CertificationKind, CertificationResult, StandardStage
        from yangfan.registries.models import STAGE_DATES, Certification, Standard

        day = self.day
        standing = self.rows(Standard).filter(proposed_on__lte=day).exclude(withdrawn_on__lte=day)
        stage_on = Case(
            *(
                When(**{f"{name}__lte": day}, then=Value(stage.value))
                for stage, name in reversed(STAGE_DATES)
            ),
            default=Value(StandardStage.PROPOSED.value),
            output_field=CharField(),
        )
        counts = (
            standing.annotate(stage_on=stage_on)
            .values_list("sector__code", "stage_on")
            .annotate(n=Count("pk"))
        )
        stages = list(StandardStage)
        table = self._by_sector(counts, stages)
        total = table[-1]
        published = sum(
            total[1 + stages.index(s)] for s in (StandardStage.PUBLISHED, StandardStage.IMPLEMENTED)
        )
        adopters = self.cases().filter(standards__in=standing).distinct().count()
        issued = (
            self.rows(Certification)
            .filter(standard__in=standing, issued_on__lte=day)
            .values_list("kind")
            .annotate(n=Count("pk"), passed=Count("pk", filter=Q(result=CertificationResult.PASSED)))
        )
        by_kind = {kind: (n, passed) for kind, n, passed in issued}
        done = sum(n for n, _p in by_kind.values())
        kinds = "、".join(f"{k.label} {by_kind.get(k.value, (0, 0))[0]} 次" for k in CertificationKind)
        key = sum(row[-1] for row in table[: len(self._key_sectors())])
        return SpecialSection(
            key="standards",
            title=title,
            basis=(
                f"截至{chinese_date(day)}已立项、未废止的5G应用标准，按当日所处阶段（日期在当日或之前的最后一个阶段）"
                "统计；落地应用为采用这些标准的应用案例，测试评估认证为依据这些标准出具的记录。"
            ),
            figures=(
                Figure("在册5G应用标准", total[-1], "项", f"其中重点行业 {key} 项"),
                Figure("已发布（含已实施）的标准", published, "项"),
                Figure("采用这些标准的应用", adopters, "个"),
                Figure(
                    "依据这些标准的测试评估认证",
                    done,
                    "次",
                    f"{kinds}；结论为通过的 {sum(p for _n, p in by_kind.values())} 次",
                ),
            ),
            tables=(
                CountTable(
                    title="5G应用标准（按重点行业和阶段）",
                    sheet="专栏1 标准",
                    header=("行业", *(str(s.label) for s in stages), TOTAL),
                    rows=tuple(table),
                ),
            ),
        )

    # 专栏2 -----------------------------------------------------------------------------------------------------

    def products(self, title: str) -> SpecialSection:
        """Products whose development started by the day and not withdrawn on or before it, at their stage on the
        day. The model dates only two stages: the start of development (``started_on``) and the market
        (``commercial_on``); 测试 and 规模应用 carry no date. A stage without a date is read as reached with the dated
        stage before it, the earliest the record allows, so the current period shows the recorded stage: on a day
        on or after ``commercial_on`` a product is at 商用, or at 规模应用 if that is its stage now; before it (or
        without it) at 研制 if it is still in development, at 测试 otherwise. Three queries."""
        from yangfan.registries.choices import ProductKind, ProductStage
        from yangfan.registries.models import IndustryProduct

        day = self.day
        standing = self.rows(IndustryProduct).filter(started_on__lte=day).exclude(retired_on__lte=day)
        stage_on = Case(
            When(
                commercial_on__lte=day,
                then=Case(
                    When(stage=ProductStage.SCALE, then=Value(ProductStage.SCALE.value)),
                    default=Value(ProductStage.COMMERCIAL.value),
                ),
            ),
            When(stage=ProductStage.DEVELOPMENT, then=Value(ProductStage.DEVELOPMENT.value)),
            default=Value(ProductStage.TESTING.value),
            output_field=CharField(),
        )
        counts: dict[tuple[str, str], int] = {
            (kind, stage): n
            for kind, stage, n in standing.annotate(stage_on=stage_on)
            .values_list("kind", "stage_on")
            .annotate(n=Count("pk"))
        }
        stages = list(ProductStage)
        rows = []
        for kind in ProductKind:
            cells = [counts.get((kind.value, s.value), 0) for s in stages]
            rows.append((str(kind.label), *cells, sum(cells)))
        rows.append(_total_row(rows))
        total = rows[-1]
        on_market = (
            total[1 + stages.index(ProductStage.COMMERCIAL)] + total[1 + stages.index(ProductStage.SCALE)]
        )
        users = self.cases().filter(products__in=standing).distinct().count()
        suppliers = standing.exclude(supplier=None).values("supplier").distinct().count()
        return SpecialSection(
            key="products",
            title=title,
            basis=(
                f"截至{chinese_date(day)}已启动研制、未停产的面向行业的5G产品，按当日所处阶段统计。登记簿只记录研制启动日期"
                "和商用日期：商用日期当日及以后为“商用”（现阶段为规模应用的记为“规模应用”），此前仍在研制的记为“研制”，"
                "其余记为“测试”。"
            ),
            figures=(
                Figure("在册面向行业的5G产品", total[-1], "个", f"其中已商用或规模应用 {on_market} 个"),
                Figure("提供这些产品的供应商", suppliers, "家"),
                Figure("使用这些产品的应用", users, "个"),
            ),
            tables=(
                CountTable(
                    title="面向行业的5G产品（按类别和阶段）",
                    sheet="专栏2 产品",
                    header=("产品类别", *(str(s.label) for s in stages), TOTAL),
                    rows=tuple(rows),
                ),
            ),
        )

    # 专栏3 -----------------------------------------------------------------------------------------------------

    def zones(self, title: str, codes: set[str]) -> SpecialSection:
        """The lead zones standing on the day (recognised by then, not revoked on or before it) with their policy
        pilots (one a line), and the “绽放杯” entries entered by the day by round and award: an award published
        after the day is not yet won on it. Two queries."""
        from yangfan.registries.choices import BloomCupAward
        from yangfan.registries.models import BloomCupEntry, LeadZone

        day = self.day
        figures: list[Figure] = []
        tables: list[CountTable] = []
        if "innovation_lead_zone" in codes:
            zones = list(
                self.rows(LeadZone)
                .filter(recognised_on__lte=day)
                .exclude(retired_on__lte=day)
                .values_list("name", "org_unit__name", "sector__code", "recognised_on", "policy_pilots")
                .order_by("recognised_on", "name")
            )
            rows = [
                (
                    name,
                    unit,
                    self.sectors[sector].name if sector in self.sectors else "—",
                    f"{recognised:%Y-%m-%d}",
                    _pilots(pilots),
                )
                for name, unit, sector, recognised, pilots in zones
            ]
            pilots = sum(row[-1] for row in rows)
            rows.append((TOTAL, "", "", "", pilots))
            figures += [
                Figure("在册5G应用创新引领区", len(zones), "个"),
                Figure("引领区开展的应用创新政策试点", pilots, "项"),
            ]
            tables.append(
                CountTable(
                    title="5G应用创新引领区及政策试点",
                    sheet="专栏3 引领区",
                    header=("引领区", "地区", "主导行业", "认定日期", "政策试点数"),
                    rows=tuple(rows),
                )
            )
        if "bloom_cup" in codes:
            won = Case(
                When(awarded_on__lte=day, then=F("award")),
                default=Value(BloomCupAward.ENTERED.value),
                output_field=CharField(),
            )
            counts: dict[int, dict[str, int]] = defaultdict(dict)
            for year, award, n in (
                self.rows(BloomCupEntry)
                .filter(entered_on__lte=day)
                .annotate(won=won)
                .values_list("round_year", "won")
                .annotate(n=Count("pk"))
            ):
                counts[year][award] = n
            awards = list(BloomCupAward)
            rows = []
            for year in sorted(counts):
                cells = [counts[year].get(a.value, 0) for a in awards]
                rows.append((f"{year}年", *cells, sum(cells)))
            rows.append(_total_row(rows, width=len(awards) + 1))
            total = rows[-1]
            national = sum(total[1 + i] for i, a in enumerate(awards) if a.value.startswith("national_"))
            figures += [
                Figure("“绽放杯”参赛项目", total[-1], "个"),
                Figure(
                    "获奖项目",
                    total[-1] - total[1 + awards.index(BloomCupAward.ENTERED)],
                    "个",
                    f"其中全国奖项 {national} 个",
                ),
            ]
            tables.append(
                CountTable(
                    title="“绽放杯”参赛及获奖（按届次和获奖等级）",
                    sheet="专栏3 绽放杯",
                    header=("届次", *(str(a.label) for a in awards), TOTAL),
                    rows=tuple(rows),
                )
            )
        return SpecialSection(
            key="zones",
            title=title,
            basis=(
                f"引领区为截至{chinese_date(day)}已认定、未撤销的5G应用创新引领区，政策试点按登记的试点逐项计数；"
                "“绽放杯”为截至当日已报名的参赛项目，获奖等级以当日已公布的为准。"
            ),
            figures=tuple(figures),
            tables=tuple(tables),
        )

    # helpers ---------------------------------------------------------------------------------------------------

    def _key_sectors(self) -> list:
        return [s for s in self.plan.sectors if s.key_industry]

    def _by_sector(self, counts, columns) -> list[tuple]:
        """Rows of ``(sector code, column value, n)`` counts as a table: every key industry in the plan's order, then
        the other industries together and the entries without one (each only when it has any), then 合计."""
        cells: dict[str, list[int]] = defaultdict(lambda: [0] * len(columns))
        index = {c.value: i for i, c in enumerate(columns)}
        for sector, column, n in counts:
            if sector in self.sectors and self.sectors[sector].key_industry:
                label = sector
            else:
                label = OTHER_SECTORS if sector else NO_SECTOR
            cells[label][index[column]] += n
        rows = [(s.name, *cells[s.code], sum(cells[s.code])) for s in self._key_sectors()]
        for label in (OTHER_SECTORS, NO_SECTOR):
            if label in cells:
                rows.append((label, *cells[label], sum(cells[label])))
        rows.append(_total_row(rows, width=len(columns) + 1))
        return rows


def _total_row(rows: list[tuple], width: int | None = None) -> tuple:
    """合计: the sum of each figure column of ``rows`` (all but the label)."""
    if not rows:
        return (TOTAL, *([0] * (width or 0)))
    return (TOTAL, *(sum(column) for column in list(zip(*rows, strict=True))[1:]))


def _pilots(text: str) -> int:
    """The policy pilots a zone runs: one a line, blank lines not counted."""
    return sum(1 for line in (text or "").splitlines() if line.strip())


# 5G应用安全 ---------------------------------------------------------------------------------------------------------

SECURITY_TITLE = "5G应用安全（扬帆监测口径）"


def _security(*, actor, plan, org_row, period: Period) -> SpecialSection:
    """The security of the unit's key-industry applications on the period's end (``security.measures``) with the
    open high risks by industry, the applications without a passed 密评 in force, the inspections whose follow-up is
    open and the threat reports of the period: only for a reader who may ``security.view`` the unit. Seven
    queries, besides the reader's scope."""
    from yangfan.orgunits.models import OrgUnit
    from yangfan.security.measures import ASSESSMENT_CURRENT_DAYS, REMEDIATION_WINDOW_DAYS

    if actor is not None and not may(actor, "security.view", org_row):
        return SpecialSection(
            key="security",
            title=SECURITY_TITLE,
            basis="",
            withheld="5G应用安全情况仅向有安全查看权限的角色（省、市领导小组办公室等）提供，按您的角色本报告不显示该部分。",
        )
    if not isinstance(org_row, OrgUnit):
        return SpecialSection(
            key="security",
            title=SECURITY_TITLE,
            basis="",
            withheld="5G应用安全情况按省、市、县（区）统计，组合区域不单独统计，请查看所属设区市的报告。",
        )
    reader = actor if actor is not None else command_line_reader()  # read as the provincial office
    day = period.end
    figures, high_rows = _security_figures(reader, plan, org_row, period)
    return SpecialSection(
        key="security",
        title=SECURITY_TITLE,
        basis=(
            "以下为扬帆监测口径，是扬帆平台为跟踪行动计划四.（三）和专栏4设置的监测指标，不是行动计划设定的目标。"
            f"统计日为{chinese_date(day)}，范围为重点行业的5G应用案例：安全评估以已提交、评估日期在统计日前 "
            f"{ASSESSMENT_CURRENT_DAYS} 天内的为有效；密评以结论为符合或基本符合且在有效期内的为通过；整改用时为统计日前 "
            f"{REMEDIATION_WINDOW_DAYS} 天内完成整改的风险自登记至整改完成的天数中位数。"
        ),
        figures=figures,
        tables=(
            CountTable(
                title="未处置的高风险（按行业）",
                sheet="5G应用安全 高风险",
                header=("行业", "高风险数"),
                rows=tuple(high_rows),
            ),
        ),
    )


def _security_figures(reader, plan, org_row, period: Period) -> tuple[tuple[Figure, ...], list[tuple]]:
    from yangfan.registries.models import Inspection, ThreatReport
    from yangfan.security.choices import RiskLevel
    from yangfan.security.measures import (
        SECTOR,
        crypto_gap_list,
        security_measures,
        unit_ids,
        unresolved_on,
    )
    from yangfan.security.models import Risk

    view = "security.view"
    day = period.end
    units = unit_ids(reader, org_row)
    measures = security_measures(actor=reader, org_unit=org_row, day=day)
    high = (
        restrict(Risk.objects.all(), reader, view)
        .filter(org_unit__in=units)
        .filter(unresolved_on(day), level=RiskLevel.HIGH)
        .annotate(sector_code=SECTOR)
        .order_by()
        .values_list("sector_code")
        .annotate(n=Count("pk"))
    )
    by_sector = dict(high)
    names = {s.code: s.name for s in plan.sectors}
    positions = {s.code: i for i, s in enumerate(plan.sectors)}
    high_rows: list[tuple] = [
        (names.get(code, code) if code else NO_SECTOR, n)
        for code, n in sorted(
            by_sector.items(), key=lambda i: (i[0] is None, positions.get(i[0], 10**6), i[0] or "")
        )
    ]
    high_rows.append((TOTAL, sum(by_sector.values())))
    gaps = (
        crypto_gap_list(actor=reader, org_unit=org_row, day=day)
        .order_by()
        .aggregate(
            missing=Count("pk", filter=Q(crypto_result__isnull=True)),
            expired=Count("pk", filter=Q(crypto_valid_until__lt=day)),
            whole=Count("pk"),
        )
    )
    missing, expired = _count(gaps["missing"]), _count(gaps["expired"])
    failed = _count(gaps["whole"]) - missing - expired
    inspections = (
        restrict(Inspection.objects.all(), reader, view)
        .filter(org_unit__in=units, inspected_on__lte=day)
        .exclude(follow_up="")
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(follow_up_due__lt=day)))
    )
    threats = (
        restrict(ThreatReport.objects.all(), reader, view)
        .filter(org_unit__in=units)
        .aggregate(
            received=Count("pk", filter=Q(received_on__gte=period.start, received_on__lte=day)),
            closed=Count("pk", filter=Q(closed_on__gte=period.start, closed_on__lte=day)),
            open=Count(
                "pk",
                filter=Q(received_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day)),
            ),
        )
    )
    assessed, crypto = measures.assessed, measures.crypto_passed
    median = measures.median_remediation_days
    figures = (
        Figure("重点行业5G应用", measures.key_applications, "个"),
        Figure(
            "有有效安全评估的应用占比",
            assessed.percent,
            "%",
            f"{assessed.part} / {assessed.whole}",
        ),
        Figure("密评通过且在有效期内的应用占比", crypto.percent, "%", f"{crypto.part} / {crypto.whole}"),
        Figure(
            "缺少或已过期密评的应用",
            missing + expired,
            "个",
            f"未做密评 {missing} 个，密评已过期 {expired} 个；另有密评结论为不符合的 {failed} 个",
        ),
        Figure("未处置的高风险", measures.open_high_risks, "个", "含已整改待复评"),
        Figure(
            "风险整改用时中位数",
            median,
            "天",
            f"统计日前一年内完成整改的风险 {measures.remediated} 个"
            if measures.remediated
            else "统计日前一年内无完成整改的风险",
        ),
        Figure(
            "整改未完成的监督检查",
            _count(inspections["open"]),
            "次",
            f"其中已超过整改时限 {_count(inspections['overdue'])} 次",
        ),
        Figure("本期接收的威胁信息", _count(threats["received"]), "条"),
        Figure(
            "本期处置完成的威胁信息",
            _count(threats["closed"]),
            "条",
            f"期末尚未处置完成 {_count(threats['open'])} 条",
        ),
    )
    return figures, high_rows


__all__ = ["special_sections"]

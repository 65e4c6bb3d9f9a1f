"""The 扬帆监测口径 measures (``security.measures``) equal what the stored rows give, for each reader's scope, and
cost the same number of queries whatever the history stored.

The builders here make the rows the security tests read (applications, assessments, 密评, risks, inspections,
threats); the expectations are computed from the rows made, not written down."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from statistics import median

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.conftest import ENTERPRISE

TODAY = timezone.localdate
OTHER = "渭河智能制造有限公司（测试）"


# -- builders ------------------------------------------------------------------------------------------------------


def unit(code: str):
    from yangfan.orgunits.models import OrgUnit

    return OrgUnit.objects.get(code=code)


def sector(code: str):
    from yangfan.actionplans.models import Sector

    return Sector.objects.filter(code=code).order_by("plan_id").first()


def make_case(
    org: str = "610116", sector_code: str = "industrial-internet", *, enterprise=ENTERPRISE, started=None
):
    """An application case of ``enterprise`` at ``org`` (长安区, in 西安, by default) of a sector."""
    from yangfan.registries.models import ApplicationCase

    return ApplicationCase.objects.create(
        org_unit=unit(org),
        name=f"测试应用{ApplicationCase.objects.count() + 1}",
        sector=sector(sector_code),
        enterprise=enterprise,
        network_form="public",
        stage="production",
        started_on=started or date(2022, 3, 1),
    )


def questionnaire():
    """The published questionnaire (version 1 from the migration, or one made here when there is none)."""
    from yangfan.security.models import Questionnaire

    found = Questionnaire.objects.filter(published_at__isnull=False).order_by("-version").first()
    return found or Questionnaire.objects.create(version=901, title="测试问卷", published_at=timezone.now())


def make_assessment(case, on: date, *, status: str = "submitted", kind: str = "self"):
    from yangfan.security.models import Assessment

    return Assessment.objects.create(
        org_unit=case.org_unit,
        case=case,
        stage="operation",
        kind=kind,
        questionnaire=questionnaire(),
        assessed_on=on,
        status=status,
        submitted_at=timezone.now() if status == "submitted" else None,
    )


def body():
    from yangfan.registries.models import EvaluationBody

    found, _created = EvaluationBody.objects.get_or_create(
        name="测试密评机构",
        defaults={
            "org_unit": unit("610100"),
            "does_crypto": True,
            "does_assessment": True,
            "recognised_on": date(2020, 1, 1),
        },
    )
    return found


def make_crypto(case, result: str, assessed: date, valid_until: date):
    from yangfan.registries.models import CryptoAssessment

    return CryptoAssessment.objects.create(
        org_unit=case.org_unit,
        case=case,
        system=f"{case.name}信息系统",
        level="3",
        body=body(),
        report_number=f"MP-{CryptoAssessment.objects.count() + 1}",
        assessed_on=assessed,
        result=result,
        valid_until=valid_until,
    )


LEVELS = {"high": (5, 4), "medium": (3, 3), "low": (1, 2)}


def make_risk(
    assessment,
    level: str,
    *,
    status: str = "open",
    created: date | None = None,
    deadline: date | None = None,
    remediated_on: date | None = None,
    closed_on: date | None = None,
    owner: str = "张工",
):
    """A risk of ``assessment`` registered on ``created`` (a day's noon, local time)."""
    from yangfan.security.models import Risk

    likelihood, impact = LEVELS[level]
    created = created or TODAY() - timedelta(days=30)
    risk = Risk.objects.create(
        org_unit=assessment.org_unit,
        assessment=assessment,
        title=f"测试风险{Risk.objects.count() + 1}",
        likelihood=likelihood,
        impact=impact,
        level=level,
        owner=owner,
        remediation="整改措施",
        deadline=deadline or created + timedelta(days=60),
        status=status,
        remediated_on=remediated_on,
        closed_on=closed_on,
    )
    at = timezone.make_aware(datetime.combine(created, time(12)))
    Risk.objects.filter(pk=risk.pk).update(created_at=at)
    risk.created_at = at
    return risk


@dataclass
class World:
    """What :func:`build` made: the key-industry cases with their flags, and the risks."""

    cases: list = field(default_factory=list)  # (case, current assessment?, passed 密评?)
    risks: list = field(default_factory=list)


def build(world: World, *, org: str = "610116", enterprise: str = ENTERPRISE, copies: int = 1) -> World:
    """A mix of every case the measures tell apart, ``copies`` times over, at ``org``: assessed or not (too old, a
    draft), 密评 passed, expired, failed or none, a case not started yet, a case of a sector that is not a key
    industry; risks of every level and status, some overdue, some remediated in the window and some before it."""
    today = TODAY()
    for _n in range(copies):
        # current self-assessment, passed 密评
        a = make_case(org, enterprise=enterprise)
        make_assessment(a, today - timedelta(days=10))
        make_crypto(a, "compliant", today - timedelta(days=100), today + timedelta(days=200))
        world.cases.append((a, True, True))
        # assessment a year and a day old, a current draft; 密评 basically compliant
        b = make_case(org, "smart-power", enterprise=enterprise)
        make_assessment(b, today - timedelta(days=366))
        make_assessment(b, today - timedelta(days=5), status="draft")
        make_crypto(b, "basically", today - timedelta(days=30), today)
        world.cases.append((b, False, True))
        # third-party assessment exactly 364 days old; 密评 expired yesterday, another failed
        c = make_case(org, "smart-mining", enterprise=enterprise)
        make_assessment(c, today - timedelta(days=364), kind="third_party")
        make_crypto(c, "compliant", today - timedelta(days=800), today - timedelta(days=1))
        make_crypto(c, "non_compliant", today - timedelta(days=20), today + timedelta(days=300))
        world.cases.append((c, True, False))
        # no assessment, no 密评
        d = make_case(org, "smart-logistics", enterprise=enterprise)
        world.cases.append((d, False, False))
        # not counted: started after today, and a sector that is not a key industry
        later = make_case(org, enterprise=enterprise, started=today + timedelta(days=3))
        make_assessment(later, today - timedelta(days=1))
        plain = make_case(org, "info-consumption", enterprise=enterprise)
        found = make_assessment(plain, today - timedelta(days=2))

        assessed = make_assessment(a, today - timedelta(days=40))
        world.risks += [
            make_risk(assessed, "high", deadline=today - timedelta(days=7)),  # overdue
            make_risk(assessed, "high", deadline=today + timedelta(days=7)),
            make_risk(
                assessed,
                "high",
                status="remediated",
                created=today - timedelta(days=50),
                remediated_on=today - timedelta(days=20),
            ),
            make_risk(
                assessed,
                "high",
                status="closed",
                created=today - timedelta(days=200),
                remediated_on=today - timedelta(days=150),
                closed_on=today - timedelta(days=120),
            ),
            make_risk(found, "high", status="accepted"),
            make_risk(found, "medium", deadline=today - timedelta(days=3)),  # overdue, not high
            make_risk(
                found,
                "low",
                status="closed",
                created=today - timedelta(days=500),
                remediated_on=today - timedelta(days=400),  # before the window
                closed_on=today - timedelta(days=390),
            ),
            make_risk(
                found,
                "medium",
                status="remediated",
                created=today - timedelta(days=90),
                remediated_on=today - timedelta(days=1),
            ),
        ]
    return world


def expected(world: World, day: date) -> dict:
    """The measures computed from the rows :func:`build` made, by their definitions."""
    cases = [row for row in world.cases]
    spans = [
        (r.remediated_on - timezone.localtime(r.created_at).date()).days
        for r in world.risks
        if r.remediated_on and day - timedelta(days=365) < r.remediated_on <= day
    ]
    return {
        "whole": len(cases),
        "assessed": sum(1 for _c, current, _p in cases if current),
        "crypto": sum(1 for _c, _a, passed in cases if passed),
        "high": sum(
            1
            for r in world.risks
            if r.level == "high"
            and (r.status in ("open", "remediated") or (r.status == "closed" and r.closed_on > day))
        ),
        "median": Decimal(str(median(spans))).quantize(Decimal("0.1")) if spans else None,
        "remediated": len(spans),
    }


def assert_measures(found, world: World, day: date) -> None:
    want = expected(world, day)
    assert found.key_applications == want["whole"]
    assert (found.assessed.part, found.assessed.whole) == (want["assessed"], want["whole"])
    assert (found.crypto_passed.part, found.crypto_passed.whole) == (want["crypto"], want["whole"])
    assert found.open_high_risks == want["high"]
    assert found.median_remediation_days == want["median"]
    assert found.remediated == want["remediated"]


# -- tests ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def users(make_user):
    return {role: make_user(role) for role in ("province", "city-office", "enterprise", "auditor", "viewer")}


def test_the_measures_are_what_the_stored_rows_give(users):
    from yangfan.security.measures import security_measures

    world = build(World())
    found = security_measures(actor=users["province"])
    assert_measures(found, world, TODAY())
    assert found.assessed.percent == Decimal(found.assessed.part * 100 / found.assessed.whole).quantize(
        Decimal("0.1")
    )


def test_the_measures_of_a_unit_count_its_subtree_only(users):
    from yangfan.security.measures import security_measures

    xian = build(World(), org="610116")  # 长安区, in 西安
    baoji = build(World(), org="610302")  # 渭滨区, in 宝鸡
    province = users["province"]
    assert_measures(security_measures(actor=province, org_unit=unit("610100")), xian, TODAY())
    assert_measures(security_measures(actor=province, org_unit=unit("610300")), baoji, TODAY())
    both = World(xian.cases + baoji.cases, xian.risks + baoji.risks)
    assert_measures(security_measures(actor=province, org_unit=unit("610000")), both, TODAY())
    assert_measures(security_measures(actor=province), both, TODAY())


def test_baoji_office_sees_baoji_only_and_the_enterprise_its_own(users):
    from yangfan.security.measures import security_measures

    mine = build(World(), org="610116")  # 西安, the test enterprise's
    baoji = build(World(), org="610302", enterprise=OTHER)
    others = build(World(), org="610113", enterprise=OTHER)  # 雁塔区, in 西安, another enterprise's
    assert_measures(security_measures(actor=users["city-office"]), baoji, TODAY())
    assert_measures(security_measures(actor=users["city-office"], org_unit=unit("610300")), baoji, TODAY())
    # 宝鸡's office asking for 西安 gets nothing of it (the pages refuse before asking)
    assert security_measures(actor=users["city-office"], org_unit=unit("610100")).key_applications == 0
    assert_measures(security_measures(actor=users["enterprise"]), mine, TODAY())
    both = World(mine.cases + others.cases, mine.risks + others.risks)
    assert_measures(security_measures(actor=users["province"], org_unit=unit("610100")), both, TODAY())


def test_roles_without_security_view_see_nothing(users):
    from yangfan.security.measures import security_measures

    build(World())
    found = security_measures(actor=users["viewer"])
    assert (found.key_applications, found.open_high_risks, found.remediated) == (0, 0, 0)
    assert found.assessed.percent is None and found.median_remediation_days is None
    assert security_measures(actor=users["auditor"]).key_applications == 4


def test_a_past_day_counts_what_stood_on_it(users):
    from yangfan.security.measures import security_measures

    world = build(World())
    day = TODAY() - timedelta(days=130)
    found = security_measures(actor=users["province"], day=day)
    # on that day the cases had started; b's and c's old assessments were current, a's passed 密评 only
    assert found.key_applications == 4
    assert (found.assessed.part, found.crypto_passed.part) == (2, 1)
    # the risk closed 120 days ago was still unresolved 130 days ago; those registered later were not there yet
    assert found.open_high_risks == sum(
        1
        for r in world.risks
        if r.level == "high"
        and timezone.localtime(r.created_at).date() <= day
        and (r.status in ("open", "remediated") or (r.status == "closed" and r.closed_on > day))
    )
    want = expected(world, day)  # remediated 150 and 400 days ago: within the year before the day
    assert (
        (found.remediated, found.median_remediation_days)
        == (want["remediated"], want["median"])
        == (
            2,
            Decimal("75.0"),
        )
    )


def _cost(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries.captured_queries)


@pytest.mark.parametrize("role", ["province", "city-office", "enterprise"])
def test_the_measures_cost_the_same_whatever_the_history(make_user, role):
    from yangfan.security.measures import security_measures

    user, province = make_user(role), unit("610000")
    world = build(World(), org="610116")
    build(world, org="610302")
    security_measures(actor=user)  # the scope, read once a request
    once = _cost(lambda: security_measures(actor=user, org_unit=province))
    build(world, org="610116", copies=9)
    build(world, org="610302", copies=9)
    assert _cost(lambda: security_measures(actor=user, org_unit=province)) == once
    assert once <= 3

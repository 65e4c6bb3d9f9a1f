"""What the tests of 定性目标评估 build on: the offices that judge (the province's, 宝鸡's), a reader, two experts,
and registry entries to cite, all made through the services."""

from __future__ import annotations

from datetime import date

import pytest

PLAN = "shaanxi-5g-2021-2023"


def target(code: str = "Q01"):
    from yangfan.actionplans.models import QualitativeTarget

    return QualitativeTarget.objects.get(plan__code=PLAN, code=code)


def unit(code: str):
    from yangfan.orgunits.models import OrgUnit

    return OrgUnit.objects.get(code=code)


def case(actor, name: str, org: str):
    """An application case of ``org`` (智慧电力), entered by ``actor`` through the registry's service."""
    from yangfan.actionplans.models import Sector
    from yangfan.registries.models import ApplicationCase
    from yangfan.registries.services import entry_save

    return entry_save(
        actor=actor,
        entry=ApplicationCase(
            org_unit=unit(org),
            name=name,
            sector=Sector.objects.get(plan__code=PLAN, code="smart-power"),
            enterprise="某电力公司",
            network_form="public",
            stage="production",
            started_on=date(2022, 3, 1),
        ),
    )


def judge(
    actor, *, org="610000", code="Q01", period="2022", verdict="partly", reasoning="依据充分", **evidence
):
    """Save the draft verdict of ``actor`` on ``code`` for ``org`` and ``period``."""
    from yangfan.goals.services import goal_verdict_save

    return goal_verdict_save(
        actor=actor,
        target=target(code),
        org_unit=unit(org),
        period=period,
        verdict=verdict,
        reasoning=reasoning,
        **evidence,
    )


def publish(actor, **kwargs):
    from yangfan.goals.services import goal_verdict_publish

    return goal_verdict_publish(actor=actor, verdict=judge(actor, **kwargs))


@pytest.fixture
def people(make_user):
    return {
        "province": make_user("province"),
        "baoji": make_user("city-office"),  # 宝鸡's office
        "xian": make_user("city-reporter"),  # reads 西安
        "baoji_reviewer": make_user("city-reviewer"),  # reads 宝鸡, judges nothing
        "expert1": make_user("expert", username="expert-1"),
        "expert2": make_user("expert", username="expert-2"),
    }

"""Demo content for ``yangfan init --demo``: the one place where every feature adds its demo data.

Everything here is generated and labelled as demo (用户名以 demo- 开头、姓名标注“演示”); none of it ever stands
in for real figures. Re-running changes nothing that already exists (a changed password is kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    label: str
    orgs: tuple[str, ...] = ()
    unit: str = ""
    operator: str = ""
    extra: dict = field(default_factory=dict)


DEMO_LOGINS = (
    DemoLogin("admin", "demo-admin", "Guanli#5G-2023", "系统管理员（演示）"),
    DemoLogin("auditor", "demo-auditor", "Shenji#5G-2023", "安全审计员（演示）"),
    DemoLogin("province", "demo-province", "Bangong#5G-2023", "省级管理员·领导小组办公室（演示）"),
    DemoLogin("department", "demo-gxt", "Gongxin#5G-2023", "省工信厅填报员（演示）", unit="省工信厅"),
    DemoLogin("department", "demo-wlt", "Wenlv#5G-2023", "省文旅厅填报员（演示）", unit="省文旅厅"),
    DemoLogin("city-reporter", "demo-xian", "Changan#5G-2023", "西安市填报员（演示）", orgs=("610100",)),
    DemoLogin("city-reviewer", "demo-baoji", "Chencang#5G-2023", "宝鸡市审核员（演示）", orgs=("610300",)),
    DemoLogin(
        "city-office", "demo-xian-office", "Yanta#5G-2023", "西安市领导小组办公室（演示）", orgs=("610100",)
    ),
    DemoLogin(
        "city-reporter", "demo-yanta", "Dayanta#5G-2023", "西安市雁塔区填报员（演示）", orgs=("610113",)
    ),
    DemoLogin("operator", "demo-cmcc", "Yidong#5G-2023", "中国移动填报员（演示）", operator="cmcc"),
    DemoLogin("viewer", "demo-viewer", "Chayue#5G-2023", "领导·只读（演示）"),
    DemoLogin("expert", "demo-expert1", "Pingshen#5G-2023", "评审专家甲（演示）"),
    DemoLogin("expert", "demo-expert2", "Zhuanjia#5G-2023", "评审专家乙（演示）"),
)
# enterprise users: each for the demo enterprise with the most applications in its city, known once the registries
# are made
DEMO_ENTERPRISE_LOGINS = (
    DemoLogin("enterprise", "demo-enterprise", "Qiye#5G-2023", "西安应用企业用户（演示）", orgs=("610100",)),
)


@transaction.atomic
def demo_load(progress=None) -> tuple[DemoLogin, ...]:
    """Create the demo accounts that do not exist yet. Demo accounts need not change their password."""
    from yangfan.accounts.models import User
    from yangfan.accounts.services import user_create
    from yangfan.actionplans.models import Operator, ResponsibleUnit
    from yangfan.orgunits.models import OrgUnit

    for login in DEMO_LOGINS:
        if User.objects.filter(username=login.username).exists():
            continue
        user_create(
            actor=None,
            username=login.username,
            role=login.role,
            password=login.password,
            first_name=login.label,
            capture_org_units=list(OrgUnit.objects.filter(code__in=login.orgs)),
            responsible_unit=ResponsibleUnit.objects.filter(name=login.unit).first() if login.unit else None,
            operator=Operator.objects.filter(code=login.operator).first() if login.operator else None,
            must_change_password=False,
        )
    from yangfan.datavalues.demo import demo_values_load

    demo_values_load(progress)  # progress(done, total) as the values are written
    from yangfan.supervision.demo import demo_supervision_load

    names = ["demo-province", "demo-wlt", "demo-xian-office", "demo-yanta"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    demo_supervision_load(
        actor_by_role={
            "province": users.get("demo-province"),
            "wlt": users.get("demo-wlt"),
            "xian-office": users.get("demo-xian-office"),
            "yanta": users.get("demo-yanta"),
        }
    )
    from yangfan.registries.demo import demo_registries_load, demo_selection_load

    demo_registries_load(actor=users.get("demo-province"))
    _demo_enterprise_users()
    from yangfan.security.demo import demo_security_load

    demo_security_load(actor=users.get("demo-province"))
    demo_selection_load(
        province=users.get("demo-province"),
        experts=list(User.objects.filter(username__in=["demo-expert1", "demo-expert2"]).order_by("username")),
    )
    return DEMO_LOGINS + DEMO_ENTERPRISE_LOGINS


def _demo_enterprise_users() -> None:
    """The demo enterprise users: each for the demo enterprise with the most applications in its city."""
    from django.db.models import Count

    from yangfan.accounts.models import User
    from yangfan.accounts.services import user_create
    from yangfan.orgunits.models import OrgUnit
    from yangfan.registries.models import ApplicationCase

    for login in DEMO_ENTERPRISE_LOGINS:
        if User.objects.filter(username=login.username).exists():
            continue
        units = list(OrgUnit.objects.filter(code__in=login.orgs))
        busiest = (
            ApplicationCase.objects.filter(org_unit__in=units)
            .values("enterprise")
            .annotate(n=Count("pk"))
            .order_by("-n", "enterprise")
            .first()
        )
        if busiest is None:
            continue
        user_create(
            actor=None,
            username=login.username,
            role=login.role,
            password=login.password,
            first_name=login.label,
            capture_org_units=units,
            enterprise=busiest["enterprise"],
            must_change_password=False,
        )

"""Demo content for ``yangfan init --demo``: the one place where every feature adds its demo data.

Everything here is generated and labelled as demo (用户名以 demo- 开头、姓名标注“演示”); none of it ever stands
in for real figures. Re-running changes nothing that already exists (a changed password is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str


DEMO_LOGINS = (
    DemoLogin("系统管理员（演示）", "demo-admin", "Yangfan@demo-admin1"),
    DemoLogin("只读用户（演示）", "demo-viewer", "Yangfan@demo-viewer1"),
)


@transaction.atomic
def demo_load() -> tuple[DemoLogin, ...]:
    user_model = get_user_model()
    for login in DEMO_LOGINS:
        user, created = user_model.objects.get_or_create(
            username=login.username,
            defaults={"first_name": login.role, "last_name": "", "email": ""},
        )
        if created:
            is_admin = login.username == "demo-admin"
            user.is_staff = is_admin
            user.is_superuser = is_admin
            user.set_password(login.password)
            user.save()
    return DEMO_LOGINS

"""企业用户: an account scoped to one enterprise Yangfan knows, which reads and keeps its own rows only."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from tests.conftest import ENTERPRISE

from yangfan.accounts import permissions
from yangfan.accounts.services import user_create, user_update
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.models import ApplicationCase


def _case(name: str, enterprise: str, city: str = "610100") -> ApplicationCase:
    from yangfan.actionplans.models import Sector

    return ApplicationCase.objects.create(
        name=name,
        sector=Sector.objects.order_by("position").first(),
        enterprise=enterprise,
        org_unit=OrgUnit.objects.get(code=city),
        network_form="public",
        stage="pilot",
        started_on=date(2022, 3, 1),
    )


def _create(**overrides):
    values = {
        "actor": None,
        "username": "qiye",
        "role": "enterprise",
        "password": "Test-pass-2023!",
        "capture_org_units": [OrgUnit.objects.get(code="610100")],
        "enterprise": ENTERPRISE,
        "must_change_password": False,
    }
    return user_create(**(values | overrides))


@pytest.mark.django_db
def test_an_enterprise_user_names_an_enterprise_yangfan_knows(plan, make_user):
    make_user("enterprise", username="first")  # registers the supplier ENTERPRISE
    with pytest.raises(ValidationError, match="须指定所属企业"):
        _create(enterprise="  ")
    with pytest.raises(ValidationError, match="既不在解决方案供应商名录中"):
        _create(enterprise="不存在的企业有限公司")
    with pytest.raises(ValidationError, match="所在地区"):
        _create(capture_org_units=[])
    _case("某应用", "渭河能源集团")  # a case owner that is not in the supplier directory is an enterprise too
    user = _create(enterprise="渭河能源集团")
    assert user.enterprise == "渭河能源集团" and user.role == "enterprise"
    with pytest.raises(ValidationError, match="既不在"):
        user_update(actor=None, user=user, enterprise="另一家企业")


@pytest.mark.django_db
def test_an_enterprise_reads_its_own_rows_and_no_other_enterprises(plan, make_user):
    user = make_user("enterprise")
    own = _case("秦川智慧工厂", ENTERPRISE)
    other = _case("渭河智慧矿山", "渭河能源集团")
    baoji = _case("宝鸡数控车间", ENTERPRISE, city="610300")  # its own, in another city: still its own
    readable = permissions.restrict(ApplicationCase.objects.all(), user, "registries.view")
    assert set(readable) == {own, baoji}
    kept = permissions.restrict(ApplicationCase.objects.all(), user, "registries.manage")
    assert set(kept) == {own}  # it places entries in the units of its account (西安)
    assert permissions.may(user, "registries.view", own)
    assert not permissions.may(user, "registries.view", other)
    assert not permissions.may(user, "registries.manage", other)
    # a bare unit answers "may place an entry here"
    assert permissions.may(user, "registries.manage", OrgUnit.objects.get(code="610100"))
    assert not permissions.may(user, "registries.manage", OrgUnit.objects.get(code="610300"))
    # no figures, no tasks, no audit log
    for permission in ("data.view", "tasks.view", "audit.read", "security.manage", "supervision.manage"):
        assert not permissions.may(user, permission)


@pytest.mark.django_db
def test_the_supplier_entry_is_read_not_kept_by_its_enterprise(plan, make_user):
    from yangfan.registries.models import Supplier

    user = make_user("enterprise")
    supplier = Supplier.objects.get(name=ENTERPRISE)
    assert permissions.may(user, "registries.view", supplier)
    assert not permissions.may(user, "registries.manage", supplier)
    assert list(permissions.restrict(Supplier.objects.all(), user, "registries.manage")) == []

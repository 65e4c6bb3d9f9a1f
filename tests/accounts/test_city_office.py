"""A city's office (市级管理员, the plan's 五.(一) 市级领导小组办公室): it sets the targets of the units below its city,
reviews its counties' reports, and generates its city's evaluation report; nothing of another city, and not its
own city's targets, which the province sets. Each refusal is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from yangfan.actionplans.models import DataSet, Indicator, UnitTarget
from yangfan.actionplans.services import unit_target_set
from yangfan.audit.models import AuditEntry
from yangfan.collection.choices import SubmissionStatus
from yangfan.collection.models import Submission
from yangfan.collection.services import may_review
from yangfan.orgunits.models import OrgUnit

PLAN = "shaanxi-5g-2021-2023"


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def refusals() -> int:
    return AuditEntry.objects.filter(action="permission_denied").count()


def test_the_office_sets_its_counties_targets_and_no_other(db, make_user):
    office = make_user("city-office")  # 宝鸡
    a1 = Indicator.objects.get(plan__code=PLAN, code="A1")
    target = unit_target_set(
        actor=office,
        indicator=a1,
        org_unit=unit("610302"),
        on=date(2022, 12, 31),
        value=Decimal(20),
        comparison="gt",
    )
    assert (target.org_unit.code, target.value, target.set_by) == ("610302", Decimal(20), office)
    for outside in (
        "610300",
        "610116",
        "610000",
    ):  # its own city (the province's), 西安's 长安区, the province
        before = refusals()
        with pytest.raises(PermissionDenied):
            unit_target_set(
                actor=office,
                indicator=a1,
                org_unit=unit(outside),
                on=date(2022, 12, 31),
                value=Decimal(1),
                comparison="gt",
            )
        assert refusals() == before + 1
    assert list(UnitTarget.objects.values_list("org_unit__code", flat=True)) == ["610302"]


def test_the_target_form_offers_the_offices_counties_only(db, client_for):
    office = client_for("city-office")
    page = office.get(reverse("actionplans:targets", kwargs={"plan": PLAN, "code": "A1"}))
    offered = {u.code for u in page.context["form"].fields["org_unit"].queryset}
    counties = set(OrgUnit.objects.filter(parent__code="610300").values_list("code", flat=True))
    assert counties and counties <= offered
    assert not offered & {"610300", "610100", "610116", "610000"}
    response = office.post(
        reverse("actionplans:targets", kwargs={"plan": PLAN, "code": "A1"}),
        {"org_unit": "610116", "date": "2022-12-31", "comparison": "gt", "value": "30", "note": ""},
    )
    assert response.status_code == 200 and not UnitTarget.objects.exists()  # not a choice: the form says so


def test_the_office_reviews_its_counties_reports_not_its_citys_nor_another_citys(db, make_user):
    office = make_user("city-office")
    data_set = DataSet.objects.get(plan__code=PLAN, code="city-quarterly")

    def submitted(code: str) -> Submission:
        return Submission.objects.create(
            data_set=data_set, org_unit=unit(code), period="2023Q4", status=SubmissionStatus.SUBMITTED
        )

    assert may_review(office, submitted("610302"))  # 渭滨区, in 宝鸡
    assert not may_review(office, submitted("610300"))  # 宝鸡's own report goes to the province
    assert not may_review(office, submitted("610116"))  # 西安's 长安区


def test_the_office_generates_its_citys_report_only(db, make_user):
    from django.test import Client
    from tests.conftest import login_as

    from yangfan.reports.content import report_document

    office = make_user("city-office")
    document = report_document(actor=office, org="610300", period="2023")
    assert (document.org_unit, document.org_name) == ("610300", "宝鸡市")
    for outside in ("610100", "610000"):
        before = refusals()
        with pytest.raises(PermissionDenied):
            report_document(actor=office, org=outside, period="2023")
        assert refusals() == before + 1
    form = login_as(Client(), office).get(reverse("reports:index")).context["form"]
    assert [code for code, _name in form.fields["org"].choices] == ["610300"]

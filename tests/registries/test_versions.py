"""Two people editing the same thing from two pages (ADR 0017): the second save is refused with what changed,
instead of undoing the first unseen. One mechanism for every registry (the entry's ``updated_at`` as its version:
a hidden field in the spec-made form, ``ETag`` / ``If-Match`` in the API), and the same for unit targets."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from tests.api.conftest import Api
from tests.conftest import login_as, unsaved_vpn

from yangfan.actionplans.models import Indicator, UnitTarget
from yangfan.actionplans.services import unit_target_set
from yangfan.audit.conflicts import StaleVersion, version_of
from yangfan.audit.models import AuditEntry
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.models import IndustryVpn
from yangfan.registries.services import entry_save
from yangfan.registries.specs import SPECS


def test_every_registry_has_the_version_the_mechanism_reads():
    """The version is the entry's ``updated_at`` (``auto_now``): every model a spec declares must keep one, or
    its edits would go unchecked."""
    for slug, spec in SPECS.items():
        field = spec.model._meta.get_field("updated_at")
        assert field.auto_now, slug


@pytest.fixture
def vpn(db, make_user):
    return entry_save(actor=make_user("province", username="first"), entry=unsaved_vpn())


def _stale_edit(vpn, other):
    """The entry as another officer saves it after the first opened it."""
    fresh = IndustryVpn.objects.get(pk=vpn.pk)
    fresh.enterprise = "后来者改过的企业"
    return entry_save(actor=other, entry=fresh)


def test_a_save_over_a_newer_version_is_refused_and_says_what_differs(db, vpn, make_user):
    seen = version_of(vpn)
    _stale_edit(vpn, make_user("province", username="second"))
    mine = IndustryVpn.objects.get(pk=vpn.pk)
    mine.enterprise, mine.name = "测试企业", "我改的名称"  # what the first officer's form still holds
    with pytest.raises(StaleVersion) as refused:
        entry_save(actor=vpn.created_by, entry=mine, version=seen)
    labels = {str(IndustryVpn._meta.get_field(n).verbose_name) for n in ("enterprise", "name")}
    assert "second" in refused.value.messages[0] and set(refused.value.changed) == labels
    stored = IndustryVpn.objects.get(pk=vpn.pk)
    assert (stored.enterprise, stored.name) == ("后来者改过的企业", "测试专网")  # the second's save stands
    updates = AuditEntry.objects.filter(object_type="registries.industryvpn", action="update")
    assert updates.count() == 1


def test_a_save_of_the_version_seen_goes_through_and_moves_the_version(db, vpn):
    seen = version_of(vpn)
    mine = IndustryVpn.objects.get(pk=vpn.pk)
    mine.name = "改名后的专网"
    saved = entry_save(actor=vpn.created_by, entry=mine, version=seen)
    assert IndustryVpn.objects.get(pk=vpn.pk).name == "改名后的专网"
    assert version_of(saved) != seen and version_of(saved) == version_of(IndustryVpn.objects.get(pk=vpn.pk))


def test_the_edit_form_carries_the_version_and_a_stale_post_is_refused_on_the_page(db, vpn, make_user):
    client = login_as(Client(), vpn.created_by)
    edit = reverse("registries:edit", kwargs={"slug": "vpns", "pk": vpn.pk})
    page = client.get(edit).content.decode()
    [seen] = re.findall(r'name="version" value="(\d+)"', page)
    assert seen == version_of(vpn)
    form = {
        "name": "第一位的名称",
        "enterprise": "测试企业",
        "operator": vpn.operator_id,
        "sector": vpn.sector_id,
        "org_unit": vpn.org_unit_id,
        "vpn_type": vpn.vpn_type,
        "commissioned_on": "2023-03-01",
        "version": seen,
    }
    _stale_edit(vpn, make_user("province", username="second"))
    refused = client.post(edit, form)
    text = refused.content.decode()
    assert refused.status_code == 400 and "被 second 修改" in text and "企业" in text
    assert IndustryVpn.objects.get(pk=vpn.pk).name == "测试专网"
    fresh = re.findall(r'name="version" value="(\d+)"', client.get(edit).content.decode())[0]
    assert client.post(edit, form | {"version": fresh}).status_code == 302  # reopened: saved
    assert IndustryVpn.objects.get(pk=vpn.pk).name == "第一位的名称"


def test_deleting_an_entry_changed_since_the_page_was_opened_is_refused(db, vpn, make_user):
    client = login_as(Client(), vpn.created_by)
    edit = reverse("registries:edit", kwargs={"slug": "vpns", "pk": vpn.pk})
    asked = client.post(edit, {"delete": "1", "version": version_of(vpn)}).content.decode()
    assert f'name="version" value="{version_of(vpn)}"' in asked  # the confirmation sends the version on
    _stale_edit(vpn, make_user("province", username="second"))
    client.post(edit, {"delete": "confirmed", "version": version_of(vpn)})
    assert IndustryVpn.objects.filter(pk=vpn.pk).exists()


def test_the_api_gives_an_etag_and_refuses_a_stale_if_match_with_412(db, vpn, client, make_user):
    api = Api(client, vpn.created_by)
    got = api.get("registry_entry", slug="vpns", pk=vpn.pk)
    etag = got["ETag"]
    assert etag == f'"{version_of(vpn)}"'
    body = {**got.json(), "name": "接口改的名称"}
    body = {k: body[k] for k in ("org_unit", "name", "enterprise", "operator", "sector", "vpn_type")} | {
        "commissioned_on": "2023-03-01"
    }
    _stale_edit(vpn, make_user("province", username="second"))
    stale = client.put(
        api.url("registry_entry", slug="vpns", pk=vpn.pk),
        body,
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **api.auth,
    )
    assert stale.status_code == 412, stale.content
    assert "second" in stale.json()["detail"] and "专网名称" in stale.json()["changed"]
    assert IndustryVpn.objects.get(pk=vpn.pk).name == "测试专网"
    current = api.get("registry_entry", slug="vpns", pk=vpn.pk)["ETag"]
    saved = client.put(
        api.url("registry_entry", slug="vpns", pk=vpn.pk),
        body,
        content_type="application/json",
        HTTP_IF_MATCH=current,
        **api.auth,
    )
    assert saved.status_code == 200 and saved["ETag"] != current
    assert IndustryVpn.objects.get(pk=vpn.pk).name == "接口改的名称"
    gone = client.delete(api.url("registry_entry", slug="vpns", pk=vpn.pk), HTTP_IF_MATCH=current, **api.auth)
    assert gone.status_code == 412 and IndustryVpn.objects.filter(pk=vpn.pk).exists()


def test_a_client_without_if_match_writes_as_before(db, vpn, client):
    api = Api(client, vpn.created_by)
    body = {
        "org_unit": "610116",
        "name": "无版本的修改",
        "enterprise": "测试企业",
        "operator": "cmcc",
        "vpn_type": vpn.vpn_type,
        "commissioned_on": "2023-03-01",
    }
    assert api.put("registry_entry", body, slug="vpns", pk=vpn.pk).status_code == 200
    assert IndustryVpn.objects.get(pk=vpn.pk).name == "无版本的修改"


# --- unit targets ---------------------------------------------------------------------------------------------


@pytest.fixture
def a1_target(db, make_user):
    indicator = Indicator.objects.get(code="A1", plan__code="shaanxi-5g-2021-2023")
    target = unit_target_set(
        actor=make_user("province", username="first"),
        indicator=indicator,
        org_unit=OrgUnit.objects.get(code="610100"),
        on=date(2022, 12, 31),
        value=Decimal("30"),
        comparison=indicator.target_comparison,
        note="首次设定",
    )
    return indicator, target


def test_changing_a_unit_target_changed_meanwhile_is_refused(db, a1_target, make_user):
    indicator, target = a1_target
    seen = version_of(target)
    common = {"indicator": indicator, "org_unit": target.org_unit, "on": target.date}
    unit_target_set(
        actor=make_user("province", username="second"),
        value=Decimal("32"),
        comparison=target.comparison,
        note="第二位改过",
        **common,
    )
    with pytest.raises(StaleVersion) as refused:
        unit_target_set(
            actor=target.set_by,
            value=Decimal("31"),
            comparison=target.comparison,
            note="首次设定",
            version=seen,
            **common,
        )
    labels = {str(UnitTarget._meta.get_field(n).verbose_name) for n in ("value", "note")}
    assert set(refused.value.changed) == labels and "second" in refused.value.messages[0]
    stored = UnitTarget.objects.get(pk=target.pk)
    assert (stored.value, stored.note) == (Decimal("32"), "第二位改过")
    trail = AuditEntry.objects.filter(object_type="actionplans.unittarget", action="update")
    assert [e.changes["value"] for e in trail] == [["30.0000", "32.0000"]]


def test_the_targets_page_opens_a_target_with_its_version_and_refuses_a_stale_change(
    db, a1_target, make_user
):
    indicator, target = a1_target
    client = login_as(Client(), target.set_by)
    url = reverse("actionplans:targets", kwargs={"plan": indicator.plan.code, "code": "A1"})
    page = client.get(url, {"org": "610100", "date": "2022-12-31"}).content.decode()
    assert f'name="version" value="{version_of(target)}"' in page and "首次设定" in page
    unit_target_set(
        actor=make_user("province", username="second"),
        indicator=indicator,
        org_unit=target.org_unit,
        on=target.date,
        value=Decimal("32"),
        comparison=target.comparison,
        note="第二位改过",
    )
    form = {
        "org_unit": "610100",
        "date": "2022-12-31",
        "comparison": target.comparison,
        "value": "31",
        "note": "首次设定",
        "version": version_of(target),
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "被 second 修改" in refused.content.decode()
    assert UnitTarget.objects.get(pk=target.pk).value == Decimal("32")
    client.post(url, form | {"version": ""})  # set anew, knowingly: the page's documented way to change it
    assert UnitTarget.objects.get(pk=target.pk).value == Decimal("31")

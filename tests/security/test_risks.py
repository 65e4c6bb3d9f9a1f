"""The risk register: a finding recorded as a risk with its owner, remediation and deadline (a missing one is named
and nothing is written), its level from likelihood × impact, answered by its enterprise, closed after re-assessment
or accepted by the office that keeps the register, its deadline extended with a reason; read within each reader's
scope, filtered, a page at a time."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.security.test_assessments import OTHER_ENTERPRISE, assess, make_body, make_case

from yangfan.audit.models import AuditEntry
from yangfan.core.security import risk_level
from yangfan.security import services
from yangfan.security.models import Risk

TODAY = timezone.localdate


def record(actor, assessment, **overrides):
    values = {
        "title": "切片与公众业务未隔离",
        "likelihood": 3,
        "impact": 4,
        "owner": "网络部 张工",
        "remediation": "生产控制业务迁入专用切片",
        "deadline": TODAY() + timedelta(days=30),
    }
    values.update(overrides)
    return services.risk_create(actor=actor, assessment=assessment, **values)


@pytest.fixture
def office(make_user):
    """Another officer of the provincial office: who files what the tests read."""
    return make_user("province", username="office-2")


def xian_risk(office, **overrides):
    """A risk of the test enterprise's application in 长安区 (西安), found in its self-assessment."""
    return record(office, assess(office, make_case("610116")), **overrides)


def baoji_risk(office, **overrides):
    return record(office, assess(office, make_case("610302", enterprise=OTHER_ENTERPRISE)), **overrides)


# -- recording ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("missing", "message"), [("owner", "整改责任人"), ("deadline", "整改时限")])
def test_a_risk_without_an_owner_or_deadline_is_refused_by_name(office, missing, message):
    assessment = assess(office, make_case())
    with pytest.raises(ValidationError) as refused:
        record(office, assessment, **{missing: "" if missing == "owner" else None})
    assert missing in refused.value.message_dict
    assert message in refused.value.message_dict[missing][0]
    assert not Risk.objects.exists()
    assert not AuditEntry.objects.filter(object_type="security.risk").exists()


def test_the_risk_form_names_the_missing_fields(client_for, office):
    assessment = assess(office, make_case("610302"))
    response = client_for("city-office").post(
        reverse("security:risk_new", kwargs={"pk": assessment.pk}),
        {"title": "终端未做白名单", "likelihood": "4", "impact": "5", "remediation": "开启IMEI白名单"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写整改责任人。" in page and "请填写整改时限。" in page
    assert not Risk.objects.exists()


@pytest.mark.parametrize(
    ("likelihood", "impact", "level"),
    [(5, 3, "high"), (3, 5, "high"), (2, 4, "medium"), (4, 2, "medium"), (1, 7, None), (2, 3, "low")],
)
def test_the_level_follows_likelihood_times_impact(office, likelihood, impact, level):
    assessment = assess(office, make_case())
    if level is None:
        with pytest.raises(ValidationError, match="影响程度应为1–5之间的整数"):
            record(office, assessment, likelihood=likelihood, impact=impact)
        return
    risk = record(office, assessment, likelihood=likelihood, impact=impact)
    assert risk.level == level == risk_level(likelihood, impact)
    assert Risk.objects.get(pk=risk.pk).level == level


def test_a_finding_is_recorded_from_the_assessment_page(client_for, office):
    assessment = assess(office, make_case())
    question = assessment.questionnaire.questions.get(code="NS-02")
    client = client_for("enterprise")
    url = reverse("security:risk_new", kwargs={"pk": assessment.pk})
    assert client.get(f"{url}?question={question.pk}").status_code == 200
    response = client.post(
        url,
        {
            "question": question.pk,
            "title": "切片未隔离",
            "likelihood": "5",
            "impact": "4",
            "owner": "张工",
            "remediation": "改用专用切片",
            "deadline": "2030-06-30",
            "reassess_on": "2030-07-15",
        },
    )
    risk = Risk.objects.get()
    assert response["Location"] == risk.get_absolute_url()
    assert (risk.level, risk.question, risk.org_unit.code, risk.status) == (
        "high",
        question,
        "610116",
        "open",
    )
    assert risk.created_by.username == "u-enterprise"
    assert AuditEntry.objects.filter(
        action="create", object_type="security.risk", object_id=str(risk.pk)
    ).exists()


def test_an_enterprise_records_findings_of_its_own_self_assessment_only(make_user, office):
    enterprise = make_user("enterprise")
    third_party = assess(office, make_case(), kind="third_party", body=make_body())
    with pytest.raises(PermissionDenied):
        record(enterprise, third_party)
    theirs = assess(office, make_case(enterprise=OTHER_ENTERPRISE))
    with pytest.raises(PermissionDenied):
        record(enterprise, theirs)
    assert not Risk.objects.exists()
    assert record(office, third_party).assessment == third_party  # the office records the assessor's findings
    assert record(enterprise, assess(office, make_case())).status == "open"


# -- answering, closing, accepting, extending -----------------------------------------------------------------------------


def test_the_enterprise_answers_its_risk(client_for, office):
    risk = xian_risk(office)
    client = client_for("enterprise")
    url = reverse("security:risk_respond", kwargs={"pk": risk.pk})
    assert client.post(url, {"respond-response": "切片方案已报运营商"}).status_code == 302
    risk.refresh_from_db()
    assert (risk.status, risk.response, risk.remediated_on) == ("open", "切片方案已报运营商", None)
    today = TODAY().isoformat()
    assert (
        client.post(url, {"respond-response": "已迁入专用切片", "respond-remediated_on": today}).status_code
        == 302
    )
    risk.refresh_from_db()
    assert risk.status == "remediated" and risk.get_status_display() == "已整改待复评"
    assert risk.remediated_on == TODAY()
    assert AuditEntry.objects.filter(action="update", object_type="security.risk").count() == 2
    # an empty answer is refused next to its field
    response = client.post(url, {"respond-response": ""})
    assert response.status_code == 400 and "请填写整改情况。" in response.content.decode()
    # the enterprise does not close its own risk
    assert (
        client.post(reverse("security:risk_close", kwargs={"pk": risk.pk}), {"close-note": "好"}).status_code
        == 403
    )


def test_the_office_closes_after_remediation_with_a_note(client_for, office, make_user):
    risk = baoji_risk(office)
    client = client_for("city-office")
    close = reverse("security:risk_close", kwargs={"pk": risk.pk})
    response = client.post(close, {"close-note": "复评通过"})
    assert response.status_code == 400 and "风险尚未整改" in response.content.decode()
    services.risk_respond(actor=office, risk=risk, response="已整改", remediated_on=TODAY())
    response = client.post(close, {"close-note": ""})
    assert response.status_code == 400 and "请填写关闭意见" in response.content.decode()
    assert client.post(close, {"close-note": "复评通过，隔离有效"}).status_code == 302
    risk.refresh_from_db()
    assert (risk.status, risk.closing_note, risk.closed_on) == ("closed", "复评通过，隔离有效", TODAY())
    with pytest.raises(ValidationError):
        services.risk_respond(actor=office, risk=risk, response="再改")


def test_the_office_accepts_a_risk_with_a_reason(office):
    risk = baoji_risk(office)
    with pytest.raises(ValidationError) as refused:
        services.risk_accept(actor=office, risk=risk, reason=" ")
    assert "reason" in refused.value.message_dict
    services.risk_accept(actor=office, risk=risk, reason="已有物理隔离作为补偿措施")
    risk.refresh_from_db()
    assert risk.status == "accepted" and risk.closing_note == "已有物理隔离作为补偿措施"


def test_the_office_extends_the_deadline_with_a_reason_audited(client_for, office):
    risk = baoji_risk(office, reassess_on=TODAY() + timedelta(days=40))
    client = client_for("city-office")
    url = reverse("security:risk_extend", kwargs={"pk": risk.pk})
    old = risk.deadline
    new = old + timedelta(days=60)
    response = client.post(url, {"extend-deadline": new.isoformat(), "extend-reason": "设备到货延迟"})
    assert response.status_code == 400 and "复评日期不应早于整改时限" in response.content.decode()
    response = client.post(url, {"extend-deadline": old.isoformat(), "extend-reason": "x"})
    assert "新的整改时限应晚于原时限" in response.content.decode()
    response = client.post(
        url,
        {
            "extend-deadline": new.isoformat(),
            "extend-reassess_on": (new + timedelta(days=10)).isoformat(),
            "extend-reason": "设备到货延迟",
        },
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.deadline == new
    entry = AuditEntry.objects.filter(object_type="security.risk", action="update").latest("seq")
    assert "设备到货延迟" in entry.detail and entry.changes["deadline"] == [old.isoformat(), new.isoformat()]
    # only the offices extend
    assert (
        client_for("enterprise")
        .post(url, {"extend-deadline": "2031-01-01", "extend-reason": "x"})
        .status_code
        == 403
    )


def test_baojis_office_neither_sees_nor_closes_a_xian_risk(client_for, office):
    risk = xian_risk(office)
    services.risk_respond(actor=office, risk=risk, response="已整改", remediated_on=TODAY())
    baoji = client_for("city-office")
    before = AuditEntry.objects.filter(action="permission_denied").count()
    assert baoji.get(risk.get_absolute_url()).status_code == 403
    assert (
        baoji.post(reverse("security:risk_close", kwargs={"pk": risk.pk}), {"close-note": "关"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 2
    assert Risk.objects.get(pk=risk.pk).status == "remediated"
    assert risk.title not in baoji.get(reverse("security:risks")).content.decode()
    province = client_for("province")
    assert province.get(risk.get_absolute_url()).status_code == 200
    assert (
        province.post(
            reverse("security:risk_close", kwargs={"pk": risk.pk}), {"close-note": "复评通过"}
        ).status_code
        == 302
    )
    assert Risk.objects.get(pk=risk.pk).status == "closed"


def test_the_auditor_reads_a_risk_and_changes_nothing(client_for, office):
    risk = xian_risk(office)
    client = client_for("auditor")
    page = client.get(risk.get_absolute_url()).content.decode()
    assert risk.title in page and "respond-form" not in page and "close-form" not in page
    for step, data in (
        ("risk_respond", {"respond-response": "x"}),
        ("risk_accept", {"accept-reason": "x"}),
        ("risk_extend", {"extend-deadline": "2031-01-01", "extend-reason": "x"}),
    ):
        assert client.post(reverse(f"security:{step}", kwargs={"pk": risk.pk}), data).status_code == 403
    assert Risk.objects.get(pk=risk.pk).status == "open"


def test_the_risk_page_offers_each_reader_its_steps(client_for, office):
    risk = xian_risk(office)
    enterprise = client_for("enterprise").get(risk.get_absolute_url()).content.decode()
    assert (
        "respond-form" in enterprise and "accept-form" not in enterprise and "extend-form" not in enterprise
    )
    province = client_for("province").get(risk.get_absolute_url()).content.decode()
    assert all(f"{step}-form" in province for step in ("respond", "accept", "extend"))
    assert "close-form" not in province  # not remedied yet


# -- the register -----------------------------------------------------------------------------------------------------------


def _listed(client, query: str = "") -> set[int]:
    page = client.get(reverse("security:risks") + query).content.decode()
    return {int(pk) for pk in re.findall(r'data-risk="(\d+)"', page)}


def test_the_register_filters_by_level_status_overdue_city_and_sector(client_for, office):
    high = xian_risk(office, likelihood=5, impact=5)
    overdue = baoji_risk(office, likelihood=1, impact=2, deadline=TODAY() - timedelta(days=3))
    remedied_late = baoji_risk(office, deadline=TODAY() - timedelta(days=3))
    services.risk_respond(actor=office, risk=remedied_late, response="已整改", remediated_on=TODAY())
    power = record(
        office, assess(office, make_case("610302", enterprise=OTHER_ENTERPRISE, sector="industrial-internet"))
    )
    client = client_for("province")
    assert _listed(client) == {high.pk, overdue.pk, remedied_late.pk, power.pk}
    assert _listed(client, "?level=high") == {high.pk}
    assert _listed(client, "?level=low") == {overdue.pk}
    assert _listed(client, "?status=remediated") == {remedied_late.pk}
    assert _listed(client, "?overdue=1") == {overdue.pk}  # remedied late is not overdue any more
    assert _listed(client, "?city=610100") == {high.pk}
    assert _listed(client, "?city=610300&sector=industrial-internet") == {power.pk}
    page = client.get(reverse("security:risks") + "?level=severe", follow=True).content.decode()
    assert "风险等级“severe”无效" in page


def test_the_register_is_read_within_each_readers_scope(client_for, office):
    mine = xian_risk(office)
    other_in_xian = record(office, assess(office, make_case("610102", enterprise=OTHER_ENTERPRISE)))
    baoji = baoji_risk(office)
    assert _listed(client_for("enterprise")) == {mine.pk}
    assert _listed(client_for("city-office")) == {baoji.pk}
    assert _listed(client_for("auditor")) == {mine.pk, other_in_xian.pk, baoji.pk}
    for role in ("city-reporter", "viewer"):
        assert client_for(role).get(reverse("security:risks")).status_code == 403


def test_the_register_reads_only_the_page_shown(client_for, office):
    from yangfan.security.views import assessments as views

    client = client_for("province")
    assessment = assess(office, make_case())
    for _ in range(3):
        record(office, assessment)
    client.get(reverse("security:risks"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("security:risks"))
    for i in range(views.PAGE + 2):
        record(office, assess(office, make_case()) if i % 10 == 0 else assessment)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("security:risks")).content.decode()
    assert len(re.findall(r'data-risk="\d+"', page)) == views.PAGE
    assert len(many.captured_queries) == len(few.captured_queries)


def test_open_and_overdue_selectors_follow_the_scope(make_user, office):
    from yangfan.security.measures import overdue_risk_list
    from yangfan.security.selectors import open_risk_list

    late = xian_risk(office, deadline=date(2020, 1, 1))
    baoji = baoji_risk(office)
    closed = baoji_risk(office)
    services.risk_accept(actor=office, risk=closed, reason="接受")
    assert set(open_risk_list(actor=office)) == {late, baoji}
    assert set(overdue_risk_list(actor=office)) == {late}
    assert set(open_risk_list(actor=make_user("city-office"))) == {baoji}
    assert set(overdue_risk_list(actor=make_user("enterprise"))) == {late}

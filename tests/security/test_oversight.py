"""Oversight of 5G application security: the overview page (its measures, lists and scope, at a fixed cost), the
dashboard's card, overdue remediations on the supervision list and the command line, and a risk turned into a
督办单 (recorded on the notice, refused to who may not manage the risk)."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.security.test_measures import (
    OTHER,
    TODAY,
    World,
    body,
    build,
    expected,
    make_assessment,
    make_case,
    make_crypto,
    make_risk,
    unit,
)

OVERVIEW = reverse("security:overview")
PLAN = "shaanxi-5g-2021-2023"


def _denied() -> int:
    from yangfan.audit.models import AuditEntry

    return AuditEntry.objects.filter(action="permission_denied").count()


def _overdue_risk(org: str, title: str, *, enterprise: str = OTHER):
    """An open high risk at ``org`` ten days past its deadline."""
    case = make_case(org, enterprise=enterprise)
    risk = make_risk(
        make_assessment(case, TODAY() - timedelta(days=60)),
        "high",
        created=TODAY() - timedelta(days=50),
        deadline=TODAY() - timedelta(days=10),
        owner="李工",
    )
    risk.title = title
    risk.save(update_fields=["title"])
    return risk


def _cost(client, url: str) -> tuple[int, str]:
    client.get(url)  # the session's one-off work
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries.captured_queries), response.content.decode()


def _extras(copies: int) -> None:
    """Inspections with open follow-up and threats not closed, ``copies`` of each kind, in 西安 and 宝鸡."""
    from yangfan.registries.models import Inspection, ThreatReport

    for n in range(copies):
        for org in ("610116", "610302"):
            Inspection.objects.create(
                org_unit=unit(org),
                target="application",
                subject=f"检查对象{org}-{n}",
                inspected_on=TODAY() - timedelta(days=40),
                inspector="省通信管理局",
                follow_up="整改",
                follow_up_due=TODAY() - timedelta(days=2),
            )
            ThreatReport.objects.create(
                org_unit=unit(org),
                title=f"威胁{org}-{n}",
                source="CNVD",
                severity="high",
                received_on=TODAY() - timedelta(days=5),
            )


# -- the overview ----------------------------------------------------------------------------------------------


def test_the_overview_shows_the_measures_and_the_lists_of_the_readers_scope(client_for):
    xian = build(World(), org="610116")
    baoji = build(World(), org="610302", enterprise=OTHER)
    _extras(1)
    html = client_for("province").get(OVERVIEW).content.decode()
    want = expected(World(xian.cases + baoji.cases, xian.risks + baoji.risks), TODAY())
    assert "扬帆监测口径" in html
    assert f'<li data-measure="high"><strong>{want["high"]}</strong>' in html
    assert f"{want['assessed']} / {want['whole']}" in html
    # the sector × city table links each cell to the risk list filtered by it
    assert 'data-city="610300"><a href="/security/risks/?level=high&amp;status=open&amp;city=610300' in html
    assert "&amp;sector=industrial-internet" in html
    # overdue remediations with their owner and days overdue
    overdue = [r for r in xian.risks + baoji.risks if r.status == "open" and r.deadline < TODAY()]
    for risk in overdue:
        assert f'data-risk="{risk.pk}"' in html
    assert "<td>张工</td>" in html and '<td class="num">7</td>' in html
    # key-industry applications without a passed 密评: none, expired, failed
    assert "无密评记录" in html and "评估结论为不符合" in html
    assert "检查对象610302-0" in html and "威胁610116-0" in html


def test_baoji_office_sees_baoji_only_and_may_not_pick_xian(client_for):
    build(World(), org="610116")
    baoji = build(World(), org="610302", enterprise=OTHER)
    _extras(1)
    client = client_for("city-office")
    html = client.get(OVERVIEW).content.decode()
    assert "宝鸡市" in html
    assert all(f'data-risk="{r.pk}"' not in html for r in build(World(), org="610113").risks)
    assert any(f'data-risk="{r.pk}"' in html for r in baoji.risks)
    assert "检查对象610302-0" in html and "检查对象610116-0" not in html
    assert "威胁610116-0" not in html
    assert 'name="city"' not in html  # one city: no picker
    before = _denied()
    assert client.get(OVERVIEW + "?city=610100").status_code == 403
    assert _denied() == before + 1
    assert client.get(OVERVIEW + "?city=999999").status_code == 404


def test_the_province_picks_a_city(client_for):
    build(World(), org="610116")
    baoji = build(World(), org="610302", enterprise=OTHER)
    client = client_for("province")
    html = client.get(OVERVIEW + "?city=610300").content.decode()
    assert '<option value="610300" selected>' in html
    want = expected(baoji, TODAY())
    assert f'<li data-measure="high"><strong>{want["high"]}</strong>' in html
    assert client.get(OVERVIEW + "?city=宝鸡市").status_code == 200
    assert client.get(OVERVIEW + "?city=610000").status_code == 200
    county = client.get(OVERVIEW + "?city=610302").content.decode()  # 渭滨区: a unit below a city too
    assert f'<li data-measure="high"><strong>{want["high"]}</strong>' in county
    assert 'data-city="610302"><a href="/security/risks/?level=high&amp;status=open&amp;city=610302' in county


def test_the_enterprise_sees_its_own_only(client_for):
    mine = build(World(), org="610116")
    others = build(World(), org="610113", enterprise=OTHER)
    html = client_for("enterprise").get(OVERVIEW).content.decode()
    assert any(f'data-risk="{r.pk}"' in html for r in mine.risks)
    assert not any(f'data-risk="{r.pk}"' in html for r in others.risks)
    want = expected(mine, TODAY())
    assert f'<li data-measure="high"><strong>{want["high"]}</strong>' in html


def test_each_cell_of_the_matrix_counts_the_list_it_links_to(make_user):
    from yangfan.orgunits.models import OrgUnit
    from yangfan.security.measures import high_risk_matrix
    from yangfan.security.selectors import risk_list

    build(World(), org="610116")
    build(World(), org="610302", enterprise=OTHER)
    user = make_user("province")
    matrix = high_risk_matrix(actor=user, cities=list(OrgUnit.objects.filter(level=2)))
    assert matrix.total == 4 and {city for _s, city in matrix.counts} == {"610100", "610300"}
    for (sector, city), n in matrix.counts.items():
        params = {"level": "high", "status": "open", "city": city, "sector": sector}
        assert risk_list(actor=user, params=params).count() == n


@pytest.mark.parametrize("role", ["city-reporter", "viewer", "department"])
def test_roles_without_security_view_are_refused(client_for, role):
    assert client_for(role).get(OVERVIEW).status_code == 403


@pytest.mark.parametrize("role", ["province", "city-office", "enterprise", "auditor"])
def test_the_overview_costs_the_same_whatever_the_history(client_for, role):
    client = client_for(role)
    world = build(World(), org="610116")
    build(world, org="610302", enterprise=OTHER)
    _extras(1)
    once, _html = _cost(client, OVERVIEW)
    build(world, org="610116", copies=9)
    build(world, org="610302", enterprise=OTHER, copies=9)
    _extras(9)
    assert _cost(client, OVERVIEW)[0] == once
    assert once <= 25


# -- the dashboard card ----------------------------------------------------------------------------------------


def test_the_dashboard_card_shows_the_measures_at_a_fixed_cost(client_for):
    client = client_for("province")
    world = build(World(), org="610116")
    _count, html = _cost(client, reverse("portal:home"))
    assert "security-card" in html and reverse("security:overview") in html
    want = expected(world, TODAY())
    assert f'<li data-measure="high"><strong>{want["high"]}</strong>' in html

    def card_queries() -> int:
        client.get(reverse("portal:home"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("portal:home"))
        tables = ("security_risk", "registries_applicationcase", "security_assessment")
        return sum(1 for q in queries.captured_queries if any(t in q["sql"] for t in tables))

    once = card_queries()
    assert once == 3  # the measures' own three queries, no more
    build(world, org="610116", copies=9)
    assert card_queries() == once


def test_no_card_without_security_view(client_for):
    html = client_for("viewer").get(reverse("portal:home")).content.decode()
    assert "security-card" not in html


# -- the supervision list --------------------------------------------------------------------------------------


@pytest.fixture
def overdue(db):
    """An overdue high risk in 宝鸡 and one in 西安."""
    return {"baoji": _overdue_risk("610302", "宝鸡逾期风险"), "xian": _overdue_risk("610116", "西安逾期风险")}


def _alerts(client) -> str:
    response = client.get(reverse("supervision:alerts", kwargs={"plan": PLAN}) + "?period=2023Q4")
    assert response.status_code == 200
    return response.content.decode()


def test_an_overdue_risk_is_on_the_supervision_list_of_who_keeps_the_register(client_for, overdue):
    province = _alerts(client_for("province"))
    assert (
        f'data-risk="{overdue["baoji"].pk}"' in province and f'data-risk="{overdue["xian"].pk}"' in province
    )
    assert f"?risk={overdue['baoji'].pk}" in province  # the province supervises T4.3.8: 转为督办单
    office = _alerts(client_for("city-office"))
    assert (
        f'data-risk="{overdue["baoji"].pk}"' in office and f'data-risk="{overdue["xian"].pk}"' not in office
    )
    assert "由省领导小组办公室督办" in office  # 宝鸡's office supervises no share of T4.3.8
    reporter = _alerts(client_for("city-reporter"))  # 西安's reporter reads tasks, not the risk register
    assert "西安逾期风险" not in reporter and "data-risk=" not in reporter


def test_the_supervision_list_filters_risks_by_kind_and_unit(client_for, overdue):
    client = client_for("province")
    url = reverse("supervision:alerts", kwargs={"plan": PLAN}) + "?period=2023Q4"
    only = client.get(url + "&kind=risk_overdue").content.decode()
    assert "宝鸡逾期风险" in only and "逾期与滞后</h2>" not in only
    assert "宝鸡逾期风险" not in client.get(url + "&kind=no_report").content.decode()
    baoji = client.get(url + "&unit=宝鸡市").content.decode()
    assert "宝鸡逾期风险" in baoji and "西安逾期风险" not in baoji


def test_the_command_line_and_the_api_list_overdue_risks(make_user, overdue, capsys, client):
    from tests.api.conftest import Api

    from yangfan.cli.tasks import cmd_tasks_overdue

    args = argparse.Namespace(plan=None, unit="宝鸡市", period="2023Q4", as_of=None, format="json")
    assert cmd_tasks_overdue(args) == 0
    rows = [r for r in json.loads(capsys.readouterr().out) if r["kind"] == "risk_overdue"]
    assert [r["detail"]["risk"] for r in rows] == [overdue["baoji"].pk]
    assert rows[0]["task"] == "T4.3.8" and rows[0]["detail"]["days_overdue"] == 10
    assert "已逾期 10 天" in rows[0]["message"] and "李工" in rows[0]["message"]

    def listed(role):
        found = Api(client, make_user(role)).get("tasks_overdue", {"period": "2023Q4"})
        assert found.status_code == 200
        return {r["detail"]["risk"] for r in found.json() if r["kind"] == "risk_overdue"}

    assert listed("province") == {overdue["baoji"].pk, overdue["xian"].pk}
    assert listed("city-office") == {overdue["baoji"].pk}
    assert listed("city-reporter") == set()


# -- 转为督办单 --------------------------------------------------------------------------------------------------


def test_a_risk_becomes_a_notice_that_records_it(client_for, overdue):
    from yangfan.audit.models import AuditEntry
    from yangfan.supervision.models import SupervisionNotice

    risk = overdue["xian"]
    client = client_for("province")
    url = reverse("supervision:notice_new") + f"?risk={risk.pk}"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert "西安逾期风险" in form.initial["title"] and "已逾期 10 天" in form.initial["issue"]
    assert "整改措施" in form.initial["required_action"]
    shares = page.context["shares"]
    assert shares and {a.task.code for a in shares} == {"T4.3.8"}
    assert page.context["assignment"] == shares[0]
    assert shares[0].responsible_unit.name == "省委网信办"  # the lead unit (named first) by default
    deadline = TODAY() + timedelta(days=15)
    response = client.post(
        url,
        {
            "risk": risk.pk,
            "assignment": shares[1].pk,
            "title": form.initial["title"],
            "issue": form.initial["issue"],
            "required_action": form.initial["required_action"],
            "deadline": deadline.isoformat(),
        },
    )
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert (notice.risk, notice.assignment) == (risk, shares[1])
    assert list(risk.notices.all()) == [notice]
    entry = AuditEntry.objects.filter(action="create", object_id=str(notice.pk)).latest("seq")
    assert str(risk.pk) in json.dumps(entry.changes, ensure_ascii=False)
    shown = client.get(notice.get_absolute_url()).content.decode()
    assert "西安逾期风险" in shown and risk.get_absolute_url() in shown
    # the supervision list shows the open notice beside the risk
    assert notice.number in _alerts(client)


def test_converting_is_refused_to_who_may_not_manage_the_risk(client_for, make_user, overdue):
    from yangfan.supervision import services
    from yangfan.supervision.models import Assignment, SupervisionNotice

    office = client_for("city-office")  # 宝鸡's
    url = reverse("supervision:notice_new") + f"?risk={overdue['xian'].pk}"
    before = _denied()
    assert office.get(url).status_code == 403
    assert office.post(url, {"risk": overdue["xian"].pk, "title": "x"}).status_code == 403
    assert _denied() == before + 2
    assert client_for("enterprise").get(url).status_code == 403  # no supervision at all
    assert client_for("city-reporter").get(url).status_code == 403
    # its own city's risk: the page says there is no share of T4.3.8 to issue it on
    own = office.get(reverse("supervision:notice_new") + f"?risk={overdue['baoji'].pk}")
    assert own.status_code == 200 and "T4.3.8" in own.content.decode() and own.context["assignment"] is None
    assert office.get(reverse("supervision:notice_new") + "?risk=999999").status_code == 404
    # the service refuses too, whoever calls it
    share = Assignment.objects.filter(task__code="T4.3.8", parent__isnull=True).first()
    with pytest.raises(PermissionDenied):
        services.notice_issue(
            actor=make_user("city-office", username="office-2"),
            assignment=share,
            title="t",
            issue="i",
            required_action="r",
            deadline=TODAY() + timedelta(days=5),
            risk=overdue["xian"],
        )
    assert not SupervisionNotice.objects.exists()


def test_a_share_of_another_task_is_not_offered_for_a_risk(client_for, overdue):
    from yangfan.supervision.models import Assignment

    other = Assignment.objects.filter(task__code="T2.1.1", parent__isnull=True).first()
    url = reverse("supervision:notice_new") + f"?risk={overdue['xian'].pk}&assignment={other.pk}"
    assert client_for("province").get(url).status_code == 404


def test_crypto_gaps_name_why(client_for):
    """Key-industry applications with a failed or an expired 密评 are listed, saying which; one with a passed and
    valid 密评 is not."""
    body()
    failed = make_case("610116", "smart-power", enterprise=OTHER)
    make_crypto(failed, "non_compliant", TODAY() - timedelta(days=5), TODAY() + timedelta(days=100))
    expired = make_case("610116", "smart-power", enterprise=OTHER)
    make_crypto(expired, "compliant", TODAY() - timedelta(days=400), TODAY() - timedelta(days=2))
    fine = make_case("610116", "smart-power", enterprise=OTHER)
    make_crypto(fine, "compliant", TODAY() - timedelta(days=5), TODAY() + timedelta(days=100))
    html = client_for("province").get(OVERVIEW).content.decode()
    assert f'data-case="{failed.pk}"' in html and "评估结论为不符合" in html
    assert f'data-case="{expired.pk}"' in html and "已过有效期" in html
    assert f'data-case="{fine.pk}"' not in html


# -- the demo --------------------------------------------------------------------------------------------------


def _fingerprint() -> tuple[list, list]:
    from yangfan.security.models import Assessment, Risk

    assessments = list(
        Assessment.objects.order_by("pk").values_list(
            "case__name", "stage", "kind", "body__name", "assessed_on", "status", "score"
        )
    )
    risks = [
        (
            r.assessment.case.name,
            r.title,
            r.level,
            r.status,
            r.deadline,
            r.remediated_on,
            r.closed_on,
            r.created_at,
        )
        for r in Risk.objects.select_related("assessment__case").order_by("pk")
    ]
    return assessments, risks


def test_the_demo_is_labelled_repeatable_and_has_something_of_everything(make_user):
    from yangfan.core.security import assessment_score
    from yangfan.registries.demo import demo_registries_load
    from yangfan.security.demo import DEMO, demo_security_load
    from yangfan.security.measures import security_measures
    from yangfan.security.models import Assessment, AssessmentAnswer, Risk

    province = make_user("province")
    demo_registries_load(actor=province)
    day = TODAY()
    made = demo_security_load(actor=province, today=day)
    assert made["assessments"] and made["risks"] and made["answers"]
    assert demo_security_load(actor=province, today=day) == {}  # a second run adds nothing
    first = _fingerprint()

    assessments = Assessment.objects.select_related("case")
    assert all(a.case.name.endswith(DEMO) and a.summary.startswith("演示数据") for a in assessments)
    assert {a.kind for a in assessments} == {"self", "third_party"}
    assert len({a.stage for a in assessments}) >= 4
    assert {a.status for a in assessments} == {"draft", "submitted"}
    for a in assessments.filter(status="submitted")[:10]:
        given = AssessmentAnswer.objects.filter(assessment=a).select_related("question")
        assert a.score == assessment_score((x.question.weight, x.answer) for x in given)
    risks = list(Risk.objects.all())
    assert all(r.title.endswith(DEMO) and "演示数据" in r.description for r in risks)
    assert {r.level for r in risks} == {"high", "medium", "low"}
    assert {r.status for r in risks} == {"open", "remediated", "closed", "accepted"}
    assert any(r.level == "high" and r.status == "open" and r.deadline < day for r in risks)
    found = security_measures(actor=province, day=day)
    assert 0 < found.assessed.part < found.assessed.whole
    assert found.open_high_risks > 0 and found.median_remediation_days is not None

    Risk.objects.all().delete()
    AssessmentAnswer.objects.all().delete()
    Assessment.objects.all().delete()
    demo_security_load(actor=province, today=day)
    assert _fingerprint() == first  # the same seed and day: the same rows

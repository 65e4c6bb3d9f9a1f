"""A city's office supervises its own counties and departments (the plan's 省、市两级领导小组): it splits its city
government's share among them, sets their milestones, reviews their reports, issues notices in its own series that
the county signs for and answers, and the city's own report rolls their progress up. It never acts on another
city's, nor judges its own city's share (the province does)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yangfan.audit.models import AuditEntry
from yangfan.orgunits.models import OrgUnit
from yangfan.supervision import services
from yangfan.supervision.choices import NoticeStatus
from yangfan.supervision.models import Assignment, SupervisionNotice
from yangfan.supervision.selectors import assignment_list, milestones_of, rolled_up

PERIOD = "2023Q4"


def share(city: str) -> Assignment:
    return Assignment.objects.get(
        task__code="T2.1.1", responsible_unit__code="cities", org_unit__code=city, parent__isnull=True
    )


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def refusals() -> int:
    return AuditEntry.objects.filter(action="permission_denied").count()


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def people(make_user):
    return {
        "office": make_user("city-office"),  # 宝鸡's office
        "province": make_user("province"),
        "baoji": make_user("city-reporter", username="baoji-reporter", capture_org_units=[unit("610300")]),
        "weibin": make_user("city-reporter", username="weibin", capture_org_units=[unit("610302")]),
        "jintai": make_user("city-reporter", username="jintai", capture_org_units=[unit("610303")]),
        "xian-office": make_user("city-office", username="xian-office", capture_org_units=[unit("610100")]),
    }


@pytest.fixture
def parts(people):
    """宝鸡's share of T2.1.1 split by its office: 渭滨区, 金台区 and one city department."""
    return services.assignment_split(
        actor=people["office"],
        assignment=share("610300"),
        counties=[unit("610302"), unit("610303")],
        departments=["宝鸡市工业和信息化局"],
    )


def report(actor, assignment, progress, percent, *, submit=True, reason=""):
    r = services.progress_report_open(assignment=assignment, period=PERIOD)
    services.progress_report_save(
        actor=actor,
        report=r,
        progress=progress,
        percent=percent,
        narrative="按计划推进",
        override_reason=reason,
    )
    if submit:
        services.progress_report_act(actor=actor, report=r, action="submit")
    return r


# --- splitting ---------------------------------------------------------------------------------------------------


def test_a_city_office_splits_its_city_share_among_its_counties_and_departments(people, parts):
    names = [p.unit_name for p in parts]
    assert names == ["渭滨区人民政府", "金台区人民政府", "宝鸡市工业和信息化局"]
    rows = Assignment.objects.filter(parent=share("610300"))
    assert sorted(rows.values_list("org_unit__code", flat=True)) == ["610300", "610302", "610303"]
    assert AuditEntry.objects.filter(action="create", detail="市级分解任务").count() == 3


def test_splitting_another_city_share_or_into_another_city_county_is_refused(people):
    before = refusals()
    with pytest.raises(PermissionDenied):
        services.assignment_split(
            actor=people["office"], assignment=share("610100"), counties=[unit("610116")]
        )
    assert refusals() == before + 1
    with pytest.raises(ValidationError, match="长安区 不是宝鸡市所辖的区县"):
        services.assignment_split(
            actor=people["office"], assignment=share("610300"), counties=[unit("610116")]
        )
    assert not Assignment.objects.filter(parent__isnull=False).exists()


def test_splitting_twice_to_the_same_county_changes_nothing(people, parts):
    with pytest.raises(ValidationError, match="已分派过"):
        services.assignment_split(
            actor=people["office"], assignment=share("610300"), counties=[unit("610302"), unit("610304")]
        )
    assert Assignment.objects.filter(parent=share("610300")).count() == 3


def test_a_county_reads_its_own_part_only_and_the_city_reads_all_of_them(people, parts):
    weibin = set(assignment_list(actor=people["weibin"]).values_list("pk", flat=True))
    assert weibin == {parts[0].pk}
    baoji = set(assignment_list(actor=people["baoji"]).values_list("pk", flat=True))
    assert {p.pk for p in parts} | {share("610300").pk} <= baoji
    assert not assignment_list(actor=people["xian-office"]).filter(pk__in=[p.pk for p in parts]).exists()


# --- milestones, reviews and the roll-up ----------------------------------------------------------------------------


def test_a_part_milestone_binds_that_part_only(people, parts):
    m = services.milestone_create(
        actor=people["office"],
        task=parts[0].task,
        assignment=parts[0],
        title="完成区级方案",
        due=date(2023, 9, 30),
    )
    assert m in milestones_of(parts[0])
    assert m not in milestones_of(parts[1])
    assert m not in milestones_of(share("610300"))
    with pytest.raises(PermissionDenied):  # its own city's share is the province's to set milestones on
        services.milestone_create(
            actor=people["office"],
            task=parts[0].task,
            assignment=share("610300"),
            title="x",
            due=date(2023, 9, 30),
        )


def test_the_city_office_reviews_its_counties_reports_not_its_city_own(people, parts):
    county = report(people["weibin"], parts[0], "in_progress", 40)
    services.progress_report_act(actor=people["office"], report=county, action="approve")
    county.refresh_from_db()
    assert county.status == "approved"
    city = report(people["baoji"], share("610300"), "in_progress", 13, reason="以区县报告为准")
    with pytest.raises(PermissionDenied):
        services.progress_report_act(actor=people["office"], report=city, action="approve")
    services.progress_report_act(actor=people["province"], report=city, action="approve")


def test_the_city_report_rolls_up_its_parts_or_says_why_not(people, parts):
    report(people["weibin"], parts[0], "done", 100)
    report(people["jintai"], parts[1], "in_progress", 20)
    # the department has not reported: it counts as not started at 0 %; (100 + 20 + 0) / 3 = 40
    assert rolled_up(share("610300"), PERIOD) == ("in_progress", 40)
    with pytest.raises(ValidationError, match="与区县、部门报告的汇总（推进中 40%）不一致"):
        report(people["baoji"], share("610300"), "in_progress", 70, submit=False)
    saved = report(people["baoji"], share("610300"), "in_progress", 40, submit=False)
    assert saved.override_reason == ""
    saved = report(
        people["baoji"], share("610300"), "in_progress", 70, submit=False, reason="市级统筹项目已完成"
    )
    assert saved.override_reason == "市级统筹项目已完成"


def test_the_city_report_page_cites_its_parts_reports(client, people, parts):
    report(people["weibin"], parts[0], "lagging", 10)
    client.force_login(people["province"])
    page = client.get(reverse("supervision:report", args=[share("610300").pk, PERIOD])).content.decode()
    assert "区县、部门本期报告" in page
    assert "渭滨区人民政府" in page and "滞后" in page and "宝鸡市工业和信息化局" in page
    assert "下级汇总" in page


# --- notices in the city's series -----------------------------------------------------------------------------------


def issue(actor, assignment, days=10):
    return services.notice_issue(
        actor=actor,
        assignment=assignment,
        title="关于加快推进工作的督办通知",
        issue="区级方案未按期印发",
        required_action="请报送整改措施",
        deadline=timezone.localdate() + timedelta(days=days),
    )


def test_a_city_office_issues_notices_in_its_own_series_to_its_counties(people, parts):
    first = issue(people["office"], parts[0])
    second = issue(people["office"], parts[2])
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"宝鸡5G督〔{year}〕1号", f"宝鸡5G督〔{year}〕2号")
    assert first.issuer == "宝鸡市5G应用推广领导小组办公室"
    province = issue(people["province"], parts[1])  # the province's series is its own
    assert province.number == f"陕5G督〔{year}〕1号"


def test_a_city_office_cannot_issue_on_its_city_share_or_another_city_part(people, parts):
    xian_part = services.assignment_split(
        actor=people["xian-office"], assignment=share("610100"), counties=[unit("610116")]
    )[0]
    before = refusals()
    for target in (share("610300"), xian_part, share("610100")):
        with pytest.raises(PermissionDenied):
            issue(people["office"], target)
    assert refusals() == before + 3
    assert not SupervisionNotice.objects.exists()


def test_the_county_signs_for_a_notice_once_then_answers_and_the_office_closes_it(people, parts):
    notice = issue(people["office"], parts[0])
    assert notice.status == NoticeStatus.ISSUED
    with pytest.raises(PermissionDenied):  # another county does not sign for it
        services.notice_sign(actor=people["jintai"], notice=notice)
    services.notice_sign(actor=people["weibin"], notice=notice)
    notice.refresh_from_db()
    assert (notice.status, notice.signed_by) == (NoticeStatus.SIGNED, people["weibin"])
    with pytest.raises(ValidationError, match="不能重复签收"):
        services.notice_sign(actor=people["weibin"], notice=notice)
    services.notice_answer(actor=people["weibin"], notice=notice, text="已印发区级方案")
    services.notice_close(actor=people["office"], notice=notice, comment="同意办结")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED
    with pytest.raises(ValidationError, match="已办结"):
        services.notice_answer(actor=people["weibin"], notice=notice, text="补充")


def test_answering_an_unsigned_notice_signs_for_it(people, parts):
    notice = issue(people["office"], parts[0])
    services.notice_answer(actor=people["weibin"], notice=notice, text="已整改")
    notice.refresh_from_db()
    assert notice.signed_by == people["weibin"] and notice.signed_at is not None
    assert notice.status == NoticeStatus.ANSWERED


def test_a_signed_notice_unanswered_past_its_deadline_is_escalated(people, parts):
    notice = issue(people["office"], parts[0], days=2)
    services.notice_sign(actor=people["weibin"], notice=notice)
    services.notices_escalate(today=timezone.localdate() + timedelta(days=3))
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ESCALATED


def test_the_province_sees_every_city_notices_and_a_city_only_its_own(client, people, parts):
    baoji = issue(people["office"], parts[0])
    xian_part = services.assignment_split(
        actor=people["xian-office"], assignment=share("610100"), counties=[unit("610116")]
    )[0]
    xian = issue(people["xian-office"], xian_part)
    client.force_login(people["province"])
    page = client.get(reverse("supervision:notices")).content.decode()
    assert baoji.number in page and xian.number in page
    client.force_login(people["office"])
    page = client.get(reverse("supervision:notices")).content.decode()
    assert baoji.number in page and xian.number not in page
    assert client.get(reverse("supervision:notice", args=[xian.pk])).status_code == 403


def test_the_matrix_of_a_city_shows_its_cascade(client, people, parts):
    report(people["weibin"], parts[0], "done", 100)
    client.force_login(people["office"])
    page = client.get(reverse("supervision:matrix", args=["shaanxi-5g-2021-2023"]) + f"?period={PERIOD}")
    html = page.content.decode()
    assert "宝鸡市人民政府" in html and "渭滨区" in html and "宝鸡市工业和信息化局" in html
    assert page.context["city"].code == "610300"
    client.force_login(people["province"])
    html = client.get(reverse("supervision:matrix", args=["shaanxi-5g-2021-2023"])).content.decode()
    assert "↳3" in html  # 宝鸡's cell says its share has three parts
    html = client.get(
        reverse("supervision:matrix", args=["shaanxi-5g-2021-2023"]) + "?city=610300"
    ).content.decode()
    assert "渭滨区" in html


# --- notifications ---------------------------------------------------------------------------------------------------


def inbox(user) -> list[tuple[str, str]]:
    from yangfan.notifications.models import Notification

    return sorted(
        Notification.objects.filter(recipient=user, done_at__isnull=True).values_list("kind", "subject")
    )


def test_the_county_is_told_of_a_notice_and_the_office_of_its_answer(people, parts):
    from yangfan.supervision.announce import lights_daily

    notice = issue(people["office"], parts[0], days=1)
    subject = f"notice:{notice.pk}"
    assert inbox(people["weibin"]) == [("notice_new", subject)]
    assert inbox(people["jintai"]) == []  # another county's notice is not its business
    lights_daily()  # one day left: yellow
    assert ("notice_due", subject) in inbox(people["weibin"])
    services.notice_answer(actor=people["weibin"], notice=notice, text="已整改")
    assert inbox(people["weibin"]) == []
    assert ("notice_answered", subject) in inbox(people["office"])
    assert ("notice_answered", subject) not in inbox(people["xian-office"])
    services.notice_close(actor=people["office"], notice=notice)
    assert inbox(people["office"]) == []


def test_a_milestone_past_its_date_turns_red_in_the_county_inbox(people, parts):
    from yangfan.supervision.announce import lights_daily

    due = date(2025, 6, 30)  # a Monday
    m = services.milestone_create(
        actor=people["office"], task=parts[0].task, assignment=parts[0], title="完成区级方案", due=due
    )
    lights_daily(today=date(2025, 6, 20))  # six working days before: green, nothing to say
    assert inbox(people["weibin"]) == []
    lights_daily(today=date(2025, 6, 26))
    assert inbox(people["weibin"]) == [("milestone_yellow", f"milestone:{m.pk}:{parts[0].pk}")]
    lights_daily(today=date(2025, 7, 1))
    assert inbox(people["weibin"]) == [("milestone_red", f"milestone:{m.pk}:{parts[0].pk}")]
    assert inbox(people["jintai"]) == []


def test_a_county_report_waits_in_the_city_office_inbox_and_a_return_in_the_county(people, parts):
    county = report(people["weibin"], parts[0], "in_progress", 40)
    subject = f"progressreport:{county.pk}"
    assert ("review_pending", subject) in inbox(people["office"])
    services.progress_report_act(actor=people["office"], report=county, action="return", comment="请补充佐证")
    assert inbox(people["office"]) == []
    assert inbox(people["weibin"]) == [("report_returned", subject)]


# --- the city's own ranking ----------------------------------------------------------------------------------------


def test_a_city_office_publishes_its_county_ranking_which_the_province_reads(client, people, parts):
    from yangfan.actionplans.models import Plan
    from yangfan.core.periods import Period
    from yangfan.supervision.evaluation import evaluation_publish

    report(people["weibin"], parts[0], "done", 100)
    report(people["jintai"], parts[1], "lagging", 10)
    plan = Plan.objects.get(code="shaanxi-5g-2021-2023")
    run = evaluation_publish(  # as of today: the reports were written today, after the period's deadline
        actor=people["office"],
        plan=plan,
        period=Period.parse(PERIOD),
        city=unit("610300"),
        as_of=timezone.localdate(),
    )
    ranked = [(r["name"], r["kind"]) for r in run.rows]
    assert sorted(ranked) == sorted(
        [("渭滨区", "county"), ("金台区", "county"), ("宝鸡市工业和信息化局", "department")]
    )
    totals = {r["name"]: Decimal(r["total"]) for r in run.rows}
    assert totals["渭滨区"] > totals["金台区"]  # done beats lagging, on the same scheme
    before = refusals()
    with pytest.raises(PermissionDenied):
        evaluation_publish(
            actor=people["xian-office"], plan=plan, period=Period.parse(PERIOD), city=unit("610300")
        )
    with pytest.raises(PermissionDenied):  # the province's ranking is the province's to publish
        evaluation_publish(actor=people["office"], plan=plan, period=Period.parse(PERIOD))
    assert refusals() == before + 2

    url = reverse("supervision:evaluation", args=["shaanxi-5g-2021-2023"]) + f"?period={PERIOD}&city=610300"
    client.force_login(people["province"])
    page = client.get(url)
    assert page.context["published"].pk == run.pk and "金台区" in page.content.decode()
    client.force_login(people["xian-office"])
    assert client.get(url).context["published"] is None
    client.force_login(people["office"])
    page = client.get(reverse("supervision:evaluation", args=["shaanxi-5g-2021-2023"]) + f"?period={PERIOD}")
    assert page.context["city"].code == "610300" and page.context["published"].pk == run.pk
    assert (
        client.get(
            reverse("supervision:evaluation_xlsx", args=["shaanxi-5g-2021-2023", run.pk])
            + f"?period={PERIOD}"
        ).status_code
        == 200
    )
    client.force_login(people["xian-office"])
    assert (
        client.get(
            reverse("supervision:evaluation_xlsx", args=["shaanxi-5g-2021-2023", run.pk])
            + f"?period={PERIOD}"
        ).status_code
        == 403
    )


def test_a_share_light_is_its_most_urgent_part(client, people, parts):
    from yangfan.core.supervision import Light

    client.force_login(people["weibin"])
    url = reverse("supervision:assignment", args=[parts[0].pk])
    # 2023Q4's report was due on 2024-01-15 and is missing: red, whatever else is green
    page = client.get(url)
    assert page.context["report_light"] == Light.RED and page.context["light"] == Light.RED
    report(people["weibin"], parts[0], "in_progress", 30)
    notice = issue(people["office"], parts[0], days=60)
    page = client.get(url)
    assert page.context["report_light"] == Light.GREEN
    assert [n["light"] for n in page.context["notices"]] == [Light.GREEN] and notice.pk
    assert page.context["light"] == Light.GREEN
    services.milestone_create(
        actor=people["office"],
        task=parts[0].task,
        assignment=parts[0],
        title="完成区级方案",
        due=date(2023, 9, 30),
    )
    page = client.get(url)
    assert page.context["light"] == Light.RED
    assert 'data-light="red"' in page.content.decode()

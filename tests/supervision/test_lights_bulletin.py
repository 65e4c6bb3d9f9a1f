"""亮灯 on notices as the pages count them (in the database, the same as one by one), and the 情况通报 of a period
read back from the Word file against the notices stored."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from unittest import mock

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yangfan.actionplans.models import Plan
from yangfan.core.periods import Period
from yangfan.supervision import services
from yangfan.supervision.bulletins import bulletin
from yangfan.supervision.lights import notice_light, notice_light_counts
from yangfan.supervision.models import Assignment, SupervisionNotice

PLAN = "shaanxi-5g-2021-2023"


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def share(org: str) -> Assignment:
    return Assignment.objects.get(
        task__code="T2.1.1", responsible_unit__code="cities", org_unit__code=org, parent__isnull=True
    )


def issue(actor, org, deadline, *, on=None):
    notice = services.notice_issue(
        actor=actor,
        assignment=share(org),
        title=f"关于{org}的督办通知",
        issue="进度滞后",
        required_action="请报送整改措施",
        deadline=deadline,
        today=(on or deadline) - timedelta(days=20),
    )
    if on is not None:  # issued on a day of the past: the record says so
        SupervisionNotice.objects.filter(pk=notice.pk).update(
            issued_at=timezone.make_aware(datetime.combine(on, datetime.min.time()))
        )
    return SupervisionNotice.objects.get(pk=notice.pk)


def test_the_database_counts_lights_as_each_notice_reads_its_own(make_user):
    office = make_user("province")
    today = timezone.localdate()
    deadlines = [today + timedelta(days=d) for d in (30, 1, 2, 20)]
    orgs = ["610100", "610200", "610300", "610400"]
    notices = [issue(office, org, d) for org, d in zip(orgs, deadlines, strict=True)]
    SupervisionNotice.objects.filter(pk=notices[3].pk).update(deadline=today - timedelta(days=2))  # now red
    plan = Plan.objects.get(code=PLAN)
    one_by_one = [notice_light(n).value for n in SupervisionNotice.objects.select_related("plan")]
    counts = notice_light_counts(SupervisionNotice.objects.all(), plan)
    assert {c: counts[c] for c in ("red", "yellow", "green")} == {
        c: one_by_one.count(c) for c in ("red", "yellow", "green")
    }
    assert counts["open"] == 4 and counts["escalated"] == 0
    assert counts["red"] == 1 and counts["green"] >= 1


def test_the_notice_list_filters_by_light_and_its_queries_do_not_grow(client, make_user):
    office = make_user("province")
    today = timezone.localdate()
    late = issue(office, "610100", today + timedelta(days=30))
    SupervisionNotice.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=1))
    client.force_login(office)
    page = client.get(reverse("supervision:notices") + "?light=red")
    assert [r["notice"].pk for r in page.context["notices"]] == [late.pk]
    assert page.context["light_counts"]["red"] == 1
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("supervision:notices"))
    for org in ("610200", "610300", "610400", "610500"):
        issue(office, org, today + timedelta(days=30))
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("supervision:notices"))
    assert len(more) == len(few)


def test_the_bulletin_lists_what_was_late_and_what_was_closed_in_the_period(make_user, client):
    office = make_user("province")
    baoji = make_user("city-reviewer")
    xian = make_user("city-reporter")
    plan = Plan.objects.get(code=PLAN)
    q4 = Period.parse("2023Q4")
    silent = issue(office, "610100", date(2023, 11, 15), on=date(2023, 10, 20))  # never answered
    late = issue(office, "610300", date(2023, 11, 10), on=date(2023, 10, 25))  # answered after its deadline
    with mock.patch("yangfan.supervision.services.timezone.now") as now:
        now.return_value = timezone.make_aware(datetime(2023, 11, 20, 10))
        services.notice_answer(actor=baoji, notice=late, text="已整改")
        now.return_value = timezone.make_aware(datetime(2023, 12, 5, 10))
        services.notice_close(actor=office, notice=SupervisionNotice.objects.get(pk=late.pk), comment="同意")
    found = bulletin(plan=plan, period=q4)
    assert [x.notice.pk for x in found.unanswered] == [silent.pk]
    assert found.unanswered[0].days_late == (date(2023, 12, 31) - date(2023, 11, 15)).days
    assert [(x.notice.pk, x.days_late) for x in found.answered_late] == [(late.pk, 10)]
    assert [n.pk for n in found.closed] == [late.pk]
    assert found.number == "陕5G督通〔2023〕第4期"

    client.force_login(office)
    response = client.get(reverse("supervision:bulletin", args=[PLAN]) + "?period=2023Q4")
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "关于2023年第四季度督办事项办理情况的通报" in text.replace("\n", "")
    assert f"{silent.number}《{silent.title}》" in text and "已逾期46天" in text
    assert f"{late.number}《{late.title}》" in text and "逾期10天" in text and "2023年12月5日办结" in text
    assert "共下发督办单2件，办结1件" in text
    # a city's reporter does not write the province's bulletin
    client.force_login(xian)
    assert client.get(reverse("supervision:bulletin", args=[PLAN]) + "?period=2023Q4").status_code == 403

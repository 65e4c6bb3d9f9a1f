"""待办 pages: one list of the user's own open notifications and 催报 reminders, a page at a time and at the same
cost whatever is stored; the count in the top bar; the webhook configuration with its secret shown once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yangfan.actionplans.models import DataSet
from yangfan.collection.models import Reminder
from yangfan.notifications.choices import NotificationKind
from yangfan.notifications.models import WebhookEndpoint
from yangfan.notifications.selectors import inbox_count
from yangfan.notifications.services import notify
from yangfan.notifications.views import PAGE_SIZE
from yangfan.orgunits.models import OrgUnit


def unit(code):
    return OrgUnit.objects.get(code=code)


def announce(users, n: int, start: int = 0):
    return [
        notify(
            users=users,
            kind=NotificationKind.NOTICE_NEW,
            title=f"新督办单 第{i}号",
            url=f"/supervision/notices/{i}/",
            subject=f"notice:{i}",
            org_unit=unit("610100"),
        )[0]
        for i in range(start, start + n)
    ]


def remind(user, days_late=5):
    """An open 催报 reminder of 西安's 2023Q4 quarterly report, ``days_late`` past its deadline."""
    today = timezone.localdate()
    return Reminder.objects.create(
        user=user,
        data_set=DataSet.objects.get(code="city-quarterly"),
        org_unit=unit("610100"),
        period="2023Q4",
        deadline=today - timedelta(days=days_late),
        reminded_on=today,
    )


@pytest.fixture
def xian(make_user):
    return make_user("city-reporter")  # ROLE_USERS: 西安


def inbox(client, user, page=None):
    client.force_login(user)
    response = client.get(reverse("notifications:inbox") + (f"?page={page}" if page else ""))
    assert response.status_code == 200
    return response


def test_the_inbox_is_one_list_of_reminders_and_notifications_newest_first(client, xian, make_user):
    remind(xian)
    first, second = announce([xian], 2)
    announce([make_user("viewer")], 1, start=9)  # someone else's
    response = inbox(client, xian)
    assert [n.pk for n in response.context["notifications"]] == [second.pk, first.pk]
    [item] = response.context["items"]
    assert item.kind == "催报" and item.overdue and item.org_unit == "西安市"
    page = response.content.decode()
    assert "新督办单 第1号" in page and "地市5G发展季报" in page and "第9号" not in page
    assert page.index("地市5G发展季报") < page.index("新督办单 第1号") < page.index("新督办单 第0号")
    assert "3 项待办" in page  # the top bar: two notifications and a reminder, linking to the inbox
    assert f'href="{reverse("notifications:inbox")}"' in page


def test_the_inbox_pages_through_the_notifications(client, xian):
    announce([xian], PAGE_SIZE + 5)
    assert len(inbox(client, xian).context["notifications"]) == PAGE_SIZE
    second = inbox(client, xian, page=2)
    assert [n.title for n in second.context["notifications"]] == [
        f"新督办单 第{i}号" for i in range(4, -1, -1)
    ]


def test_the_inbox_reads_only_the_page_it_shows(client, xian):
    """The same queries for three notifications as for a hundred: the page, not the history."""
    remind(xian)
    announce([xian], 3)
    client.force_login(xian)
    url = reverse("notifications:inbox")
    client.get(url)  # what a first request reads once (the plan, the session)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    announce([xian], 100, start=3)
    assert queries() == few


def test_the_count_reads_at_most_two_queries(xian, django_assert_max_num_queries):
    remind(xian)
    announce([xian], 4)
    notify(
        users=[xian],
        kind=NotificationKind.REVIEW_PENDING,
        title="x",
        url="/",
        subject="notice:0",  # another kind of the same thing: another item
    )
    with django_assert_max_num_queries(2):
        assert inbox_count(user=xian) == 6


def test_a_submitted_report_leaves_the_count_at_once(xian):
    from yangfan.collection.services import submission_act, submission_open

    remind(xian)
    assert inbox_count(user=xian) == 1
    report = submission_open(
        data_set=DataSet.objects.get(code="city-quarterly"), org_unit=unit("610100"), period="2023Q4"
    )
    submission_act(actor=xian, submission=report, action="submit")
    assert inbox_count(user=xian) == 0


def test_following_an_item_marks_it_read(client, xian):
    [notification] = announce([xian], 1)
    client.force_login(xian)
    response = client.get(reverse("notifications:open", kwargs={"pk": notification.pk}))
    assert response.status_code == 302 and response["Location"] == "/supervision/notices/0/"
    notification.refresh_from_db()
    assert notification.read_at is not None and notification.done_at is None


def test_an_item_closed_by_hand_leaves_the_list(client, xian):
    keep, close = announce([xian], 2)
    client.force_login(xian)
    response = client.post(reverse("notifications:done", kwargs={"pk": close.pk}), {"next": "/inbox/?page=1"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?page=1"
    assert [n.pk for n in inbox(client, xian).context["notifications"]] == [keep.pk]
    assert inbox_count(user=xian) == 1


def test_another_users_item_is_not_found(client, xian, make_user):
    [theirs] = announce([make_user("viewer")], 1)
    client.force_login(xian)
    kwargs = {"pk": theirs.pk}
    assert client.get(reverse("notifications:open", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("notifications:read", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("notifications:done", kwargs=kwargs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None and theirs.done_at is None


def test_an_offsite_next_is_not_followed(client, xian):
    [notification] = announce([xian], 1)
    client.force_login(xian)
    response = client.post(
        reverse("notifications:read", kwargs={"pk": notification.pk}), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notifications:inbox")


@pytest.mark.parametrize("role", ["admin", "auditor", "expert"])
def test_every_signed_in_user_has_an_inbox(client_for, role):
    assert client_for(role).get(reverse("notifications:inbox")).status_code == 200


# --- the webhook configuration ----------------------------------------------------------------------------------


def test_the_secret_is_shown_once_after_an_endpoint_is_added(client, make_user):
    office = make_user("province")
    client.force_login(office)
    url = reverse("notifications:webhook_new", kwargs={"org": "610100"})
    response = client.post(url, {"url": "https://im.xian.example.gov.cn/hooks/yangfan"})
    assert response.status_code == 302 and response["Location"] == reverse("notifications:webhooks")
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.org_unit.code == "610100" and endpoint.active
    page = client.get(reverse("notifications:webhooks")).content.decode()
    assert endpoint.secret in page and "https://im.xian.example.gov.cn/hooks/yangfan" in page
    assert endpoint.secret not in client.get(reverse("notifications:webhooks")).content.decode()


def test_a_bad_address_comes_back_with_the_reason_and_nothing_is_saved(client, make_user):
    client.force_login(make_user("city-office"))  # 宝鸡's office, for 宝鸡
    response = client.post(
        reverse("notifications:webhook_new", kwargs={"org": "610300"}),
        {"url": "ftp://im.example.gov.cn/hook"},
    )
    assert response.status_code == 400
    assert "推送地址须是以 http:// 或 https:// 开头的完整网址" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_choosing_a_unit_opens_its_form(client, make_user):
    client.force_login(make_user("province"))
    response = client.get(reverse("notifications:webhooks") + "?org=610300")
    assert response["Location"] == reverse("notifications:webhook_new", kwargs={"org": "610300"})


def test_a_city_office_lists_its_own_citys_endpoints(client, make_user):
    from yangfan.notifications.services import webhook_endpoint_create

    office = make_user("province")
    for code in ("610100", "610300", "610302"):
        webhook_endpoint_create(actor=office, org_unit=unit(code), url=f"https://im.example.gov.cn/{code}")
    client.force_login(make_user("city-office"))  # 宝鸡
    response = client.get(reverse("notifications:webhooks"))
    assert sorted(e.org_unit.code for e in response.context["endpoints"]) == ["610300", "610302"]
    assert {u.code for u in response.context["units"]} >= {"610300", "610302"}
    assert "610100" not in {u.code for u in response.context["units"]}

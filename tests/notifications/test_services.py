"""Notifications: one open item per user and waiting thing, closed for everyone once handled; e-mailed only when
SMTP is configured; who was told what is in the audit trail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from yangfan.audit.models import AuditEntry
from yangfan.notifications.choices import NotificationKind
from yangfan.notifications.models import Notification
from yangfan.notifications.services import notification_done, notification_read, notifications_done, notify
from yangfan.orgunits.models import OrgUnit

K = NotificationKind
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def people(make_user):
    """Two officers of the provincial office; only the first has an e-mail address."""
    return with_email(make_user("province"), "office@example.org"), make_user("province", username="office-2")


def tell(users, subject="submission:1", kind=K.REVIEW_PENDING, title="待审核：地市季报 · 西安市 · 2023Q4"):
    return notify(
        users=users,
        kind=kind,
        title=title,
        url="/collection/submissions/1/",
        subject=subject,
        org_unit=OrgUnit.objects.get(code="610100"),
    )


def test_a_waiting_thing_is_one_open_item_per_user_however_often_it_is_announced(people):
    office, other = people
    assert len(tell([office, other])) == 2
    assert tell([office, other]) == []  # announced again while open: nothing new
    assert Notification.objects.filter(subject="submission:1", done_at__isnull=True).count() == 2
    assert len(tell([office], kind=K.REPORT_RETURNED)) == 1  # another kind of the same thing is another item
    notifications_done(subject="submission:1", kinds=[K.REVIEW_PENDING])
    assert len(tell([office])) == 1  # handled, then waiting again: a new item


def test_handling_closes_the_item_for_everyone_who_was_told(people):
    office, other = people
    tell([office, other])
    tell([office], subject="submission:2")
    assert notifications_done(subject="submission:1") == 2
    assert list(Notification.objects.filter(done_at__isnull=True).values_list("subject", flat=True)) == [
        "submission:2"
    ]


def test_inactive_users_are_not_told(people):
    office, other = people
    other.is_active = False
    other.save(update_fields=["is_active"])
    assert [n.recipient for n in tell([office, other])] == [office]


def test_who_was_told_what_is_audited_once_per_announcement(people):
    office, other = people
    before = AuditEntry.objects.count()
    tell([office, other])
    tell([office, other])  # nothing new: no entry
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.object_type == "notifications.notification" and entry.object_id == "submission:1"
    assert sorted(entry.changes["recipients"][1]) == ["office-2", "u-province"]


def test_read_and_done_are_the_recipients_own(people):
    office, other = people
    [mine] = tell([office])
    with pytest.raises(PermissionDenied):
        notification_read(actor=other, notification=mine)
    with pytest.raises(PermissionDenied):
        notification_done(actor=other, notification=mine)
    notification_read(actor=office, notification=mine)
    first = Notification.objects.get(pk=mine.pk).read_at
    assert first is not None
    notification_read(actor=office, notification=Notification.objects.get(pk=mine.pk))
    assert Notification.objects.get(pk=mine.pk).read_at == first  # the first reading stays
    notification_done(actor=office, notification=mine)
    assert Notification.objects.get(pk=mine.pk).done_at is not None
    assert AuditEntry.objects.filter(
        object_type="notifications.notification", object_id=str(mine.pk)
    ).exists()


@override_settings(EMAIL_HOST="smtp.example.org", TASKS=IMMEDIATE)
def test_a_new_notification_is_emailed_to_a_recipient_with_an_address(people):
    office, other = people  # the second has no address
    [to_office, _to_other] = tell([office, other])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["office@example.org"]
    assert message.subject == "待审核：地市季报 · 西安市 · 2023Q4"
    assert "/collection/submissions/1/" in message.body
    assert Notification.objects.get(pk=to_office.pk).emailed_at is not None
    tell([office, other])  # still open: no second mail
    assert len(mail.outbox) == 1


@override_settings(
    EMAIL_HOST="smtp.example.org", TASKS=IMMEDIATE, YANGFAN_BASE_URL="https://yangfan.example.gov.cn"
)
def test_the_mail_links_to_the_site_under_its_base_url(people):
    tell([people[0]])
    assert "https://yangfan.example.gov.cn/collection/submissions/1/" in mail.outbox[0].body


@override_settings(EMAIL_HOST="", TASKS=IMMEDIATE)
def test_without_smtp_nothing_is_sent(people):
    tell(list(people))
    assert mail.outbox == []
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 0

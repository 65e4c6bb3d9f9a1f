"""Filtering the trail: days are days in the site's time zone (Asia/Shanghai), both ends included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from yangfan.audit.choices import AuditAction
from yangfan.audit.selectors import audit_entry_list
from yangfan.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def around_midnight(monkeypatch):
    """Entries at 23:30 on 1 January and at 00:10 on 2 January, Beijing time."""
    for at, label in (
        (datetime(2024, 1, 1, 15, 30, tzinfo=UTC), "一日深夜"),
        (datetime(2024, 1, 1, 16, 10, tzinfo=UTC), "二日凌晨"),
    ):
        monkeypatch.setattr("yangfan.audit.services.timezone.now", lambda at=at: at)
        audit_record(action=AuditAction.UPDATE, object_repr=label)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"date_from": date(2024, 1, 1), "date_to": date(2024, 1, 1)}, ["一日深夜"]),
        ({"date_from": date(2024, 1, 2)}, ["二日凌晨"]),
        ({"date_to": date(2024, 1, 2)}, ["二日凌晨", "一日深夜"]),
        ({"date_to": date(2023, 12, 31)}, []),
    ],
)
def test_date_filters_follow_the_site_time_zone(around_midnight, filters, expected):
    assert [e.object_repr for e in audit_entry_list(**filters)] == expected

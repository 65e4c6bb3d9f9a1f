"""亮灯: the light of every notice, milestone and assignment (``core.supervision.light``) on China's working days.

Working days follow the State Council's holiday arrangements, adjusted weekends (调休) included, as the
``holidays`` package publishes them; the warning period is the plan file's ``supervision.warning_working_days``
(Yangfan's default: 3). Pages count lights in the database (:func:`notice_light_counts`): two date comparisons
per light, whatever the number of notices.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from yangfan.actionplans.models import Plan
from yangfan.core.supervision import Light, light, yellow_until
from yangfan.supervision.choices import NoticeStatus
from yangfan.supervision.selectors import supervision_rules

# a notice is done with once answered: the office then judges the answer (its own step, not the unit's)
NOTICE_DONE = (NoticeStatus.ANSWERED, NoticeStatus.CLOSED)


@cache
def _calendar() -> holidays.HolidayBase:
    return holidays.China(years=range(2019, date.today().year + 3))


def working_day(day: date) -> bool:
    """Is ``day`` a working day in China (weekends moved by 调休 count as working days)?"""
    return _calendar().is_working_day(day)


def warning_days(plan: Plan) -> int:
    return supervision_rules(plan).warning_working_days


def light_of(plan: Plan, deadline: date, *, done: bool, today: date | None = None) -> Light:
    return light(
        deadline,
        done=done,
        today=today or timezone.localdate(),
        warning_days=warning_days(plan),
        working_day=working_day,
    )


def notice_light(notice, today: date | None = None) -> Light:
    return light_of(notice.plan, notice.deadline, done=notice.status in NOTICE_DONE, today=today)


def milestone_light(plan: Plan, due: date, *, met: bool, today: date | None = None) -> Light:
    return light_of(plan, due, done=met, today=today)


def worst(lights) -> Light:
    """The light of something made of parts (an assignment: its milestones, notices and report): the worst."""
    order = [Light.GREEN, Light.YELLOW, Light.RED]
    return max(lights, key=order.index, default=Light.GREEN)


def notice_light_case(plan: Plan, today: date | None = None) -> Case:
    """The light of each notice as a database expression (annotate with it, filter or count by it)."""
    today = today or timezone.localdate()
    until = yellow_until(today, warning_days=warning_days(plan), working_day=working_day)
    return Case(
        When(status__in=NOTICE_DONE, then=Value(Light.GREEN.value)),
        When(deadline__lt=today, then=Value(Light.RED.value)),
        When(deadline__lte=until, then=Value(Light.YELLOW.value)),
        default=Value(Light.GREEN.value),
    )


def notice_light_counts(notices: QuerySet, plan: Plan, today: date | None = None) -> dict[str, int]:
    """How many of ``notices`` are green, yellow and red (by :func:`notice_light_case`), how many are still open
    (not closed) and how many were escalated: one query."""
    lit = notices.order_by().annotate(light=notice_light_case(plan, today))
    return lit.aggregate(
        **{light.value: Count("pk", filter=Q(light=light.value)) for light in Light},
        open=Count("pk", filter=~Q(status=NoticeStatus.CLOSED)),
        escalated=Count("pk", filter=Q(status=NoticeStatus.ESCALATED)),
    )

"""情况通报: what a leading group's office tells its units once a reporting period is over: the notices it issued,
those closed, and those answered late or not answered at all, laid out as an official document (GB/T 9704).

The bulletin is read as of the last day of the period, so that the same period always gives the same bulletin:
a notice counts as answered on the day of its first answer, as closed on the day it was closed. Each office
reports on its own notices: the province's office on those it issued, a city's office on its city's series.
Its number (陕5G督通〔2023〕第4期: the notice prefix with 通, the period's place in its year) is Yangfan's
convention; the plan sets none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Min
from django.utils import timezone

from yangfan.actionplans.models import Plan
from yangfan.core.periods import Period, period_label
from yangfan.core.supervision import chinese_date
from yangfan.documents.word.official import OfficialDocument
from yangfan.supervision.models import SupervisionNotice, notice_issuer, notice_prefix


@dataclass(frozen=True)
class BulletinLine:
    notice: SupervisionNotice
    answered_on: date | None  # the first answer's day, if any by the period's end
    days_late: int  # days past the deadline of the answer, or of the period's end when unanswered


@dataclass(frozen=True)
class Bulletin:
    plan: Plan
    period: Period
    issuer_unit: object | None
    issued: list[SupervisionNotice]  # issued within the period
    closed: list[SupervisionNotice]  # closed within the period
    unanswered: list[BulletinLine]  # past their deadline at the period's end with no answer (red)
    answered_late: list[BulletinLine]  # answered within the period, after their deadline
    open_in_time: int  # issued, not yet due at the period's end and not answered

    @property
    def issuer(self) -> str:
        return notice_issuer(self.plan, self.issuer_unit)

    @property
    def number(self) -> str:
        return f"{notice_prefix(self.plan, self.issuer_unit)}通〔{self.period.year}〕第{self.period.index}期"


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def bulletin(*, plan: Plan, period: Period, issuer_unit=None) -> Bulletin:
    """The bulletin of ``period`` for the notices the office of ``issuer_unit`` (``None``: the province's) issued.
    Three queries."""
    start, end = period.start, period.end
    until = _end_of(end)
    notices = (
        SupervisionNotice.objects.filter(plan=plan, issuer_unit=issuer_unit, issued_at__lte=until)
        .select_related("plan", "issuer_unit", "assignment__task", "assignment__responsible_unit")
        .select_related("assignment__org_unit", "assignment__subtask")
        .annotate(first_answer=Min("answers__answered_at"))
        .order_by("year", "serial")
    )
    issued, closed, unanswered, late = [], [], [], []
    open_in_time = 0
    for n in notices:
        if timezone.localtime(n.issued_at).date() >= start:
            issued.append(n)
        if n.closed_at is not None and start <= timezone.localtime(n.closed_at).date() <= end:
            closed.append(n)
        answered = None
        if n.first_answer is not None and n.first_answer <= until:
            answered = timezone.localtime(n.first_answer).date()
        if answered is None:
            if n.closed_at is not None and n.closed_at <= until:
                continue
            if n.deadline < end:
                unanswered.append(BulletinLine(n, None, (end - n.deadline).days))
            else:
                open_in_time += 1
        elif answered > n.deadline and answered >= start:
            late.append(BulletinLine(n, answered, (answered - n.deadline).days))
    return Bulletin(
        plan=plan,
        period=period,
        issuer_unit=issuer_unit,
        issued=issued,
        closed=closed,
        unanswered=unanswered,
        answered_late=late,
        open_in_time=open_in_time,
    )


def _line(n: SupervisionNotice) -> str:
    return f"{n.number}《{n.title}》（主送：{n.assignment.unit_name}，反馈时限{chinese_date(n.deadline)}）"


def bulletin_document(b: Bulletin, *, written_on: date | None = None) -> OfficialDocument:
    label = period_label(b.period)
    body: list = [
        f"根据《{b.plan.name}》关于定期组织指导、评估及督导的要求，现将{label}督办事项办理情况通报如下。",
        (1, "总体情况"),
        f"{label}共下发督办单{len(b.issued)}件，办结{len(b.closed)}件；截至{chinese_date(b.period.end)}，"
        f"逾期未反馈{len(b.unanswered)}件，本期逾期反馈{len(b.answered_late)}件，"
        f"尚在反馈时限内办理{b.open_in_time}件。",
    ]
    sections = (
        ("逾期未反馈的督办事项", [f"{_line(x.notice)}，已逾期{x.days_late}天。" for x in b.unanswered]),
        (
            "逾期反馈的督办事项",
            [
                f"{_line(x.notice)}，于{chinese_date(x.answered_on)}反馈，逾期{x.days_late}天。"
                for x in b.answered_late
            ],
        ),
        (
            "已办结的督办事项",
            [f"{_line(n)}，于{chinese_date(timezone.localtime(n.closed_at).date())}办结。" for n in b.closed],
        ),
    )
    for heading, lines in sections:
        body.append((1, heading))
        body += [f"{i}. {line}" for i, line in enumerate(lines, 1)] or ["无。"]
    body += [
        "请逾期未反馈的单位尽快通过扬帆平台反馈办理情况并上传佐证材料。",
    ]
    day = written_on or timezone.localdate()
    return OfficialDocument(
        issuer=b.issuer,
        number=b.number,
        title=f"关于{label}督办事项办理情况的通报",
        addressee="各有关单位",
        body=tuple(body),
        signatory=b.issuer,
        date=day,
        printer=b.issuer,
        printed_on=day,
    )

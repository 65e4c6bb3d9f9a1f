"""Task supervision (任务督导) as values: which assignments need the leading group's attention, and why.

The plan's last safeguard asks the leading groups to "定期组织……进行指导、评估及督导" and says no more: the
reporting period, the deadline and what counts as stalled are the plan file's ``supervision:`` section
(:class:`SupervisionRules`), Yangfan's defaults until the leading group's office sets its own.

Three kinds of alert, each judged *as of* a day, so that a past day gives the alerts that were true then:

- ``milestone_overdue`` (节点逾期): a milestone's due date is before ``as_of`` and it was not met by
  ``as_of``. On the due date itself there is no alert: the unit still has that day. A milestone met late
  is no longer an alert (evaluation scores it lower for timeliness).
- ``no_report`` (逾期未报): the period's report deadline (period end + ``report_deadline_days``) is before
  ``as_of`` and no report of that period had been submitted by ``as_of``. A draft or a returned report has
  no ``submitted_on`` and counts as not submitted.
- ``stalled`` (连续滞后): the last ``stalled_periods`` periods up to the one looked at all have a submitted
  report whose progress is 滞后.

Nothing here knows the database: an app turns its rows into :class:`AssignmentState` values at the boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from yangfan.core.errors import YangfanError
from yangfan.core.periods import PERIOD_TYPES, Period, PeriodKind

_PERIOD_TYPE_NAMES = {"monthly": "月", "quarterly": "季", "yearly": "年"}


class SupervisionError(YangfanError):
    """Input the supervision rules cannot judge: a period of the wrong kind, rules out of range."""


class FrozenMap(Mapping):
    """A read-only, hashable mapping, so that the frozen values holding one (an assignment's reports, a
    scheme's weights, an alert's details) stay hashable and cannot be changed behind the caller's back."""

    __slots__ = ("_data",)

    def __init__(self, items: Mapping | Iterable[tuple[Any, Any]] = ()):
        self._data = dict(items)

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


class Progress(StrEnum):
    """进展状态: what a unit says of an assignment in its report for a period."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LAGGING = "lagging"

    @property
    def label(self) -> str:
        return {"not_started": "未启动", "in_progress": "推进中", "done": "已完成", "lagging": "滞后"}[
            self.value
        ]


@dataclass(frozen=True)
class SupervisionRules:
    """The plan file's ``supervision:`` section: how often units report, by when, and when lagging is stalling.

    ``period_type`` uses the words of the plan file's data sets (``monthly``, ``quarterly``, ``yearly``).
    """

    period_type: str = "quarterly"
    report_deadline_days: int = 15
    stalled_periods: int = 2
    issuer: str = ""  # 督办单的发文机关 (e.g. the leading group's office)
    notice_prefix: str = ""  # 督办单发文字号的前缀: 陕5G督 gives 陕5G督〔2023〕1号
    warning_working_days: int = 3  # 亮灯: yellow from this many working days before a deadline
    remark: str = ""

    def __post_init__(self) -> None:
        if self.period_type not in PERIOD_TYPES:
            raise SupervisionError(
                f"报告周期“{self.period_type}”无效，应为 {'、'.join(PERIOD_TYPES)} 之一（月、季、年）"
            )
        if not 0 <= self.report_deadline_days <= 366:
            raise SupervisionError(f"报送期限 {self.report_deadline_days} 天无效，应在 0 至 366 天之间")
        if self.stalled_periods < 1:
            raise SupervisionError(f"连续滞后期数 {self.stalled_periods} 无效，应至少为 1")
        if not 0 <= self.warning_working_days <= 60:
            raise SupervisionError(
                f"黄灯提前的工作日数 {self.warning_working_days} 无效，应在 0 至 60 个工作日之间"
            )

    @property
    def period_kind(self) -> PeriodKind:
        return PERIOD_TYPES[self.period_type]

    def parse(self, text: str) -> Period:
        """``text`` as a period of these rules' kind (a quarterly scheme reports quarters), or an error."""
        period = Period.parse(text)
        if period.kind != self.period_kind:
            example = {"monthly": "202312", "quarterly": "2023Q4", "yearly": "2023"}[self.period_type]
            raise SupervisionError(
                f"期间“{text}”不是{_PERIOD_TYPE_NAMES[self.period_type]}度期间；"
                f"督导按{_PERIOD_TYPE_NAMES[self.period_type]}报告，应写作 {example} 这样的形式"
            )
        return period


@dataclass(frozen=True)
class MilestoneState:
    """A milestone (节点) of an assignment: what is due by when, and the day a report claimed it met."""

    code: str
    title: str
    due: date
    met_on: date | None = None  # None: not met

    def met_by(self, day: date) -> bool:
        return self.met_on is not None and self.met_on <= day


@dataclass(frozen=True)
class ReportState:
    """One period's progress report on an assignment, as far as supervision and evaluation need it."""

    period: str
    progress: Progress
    percent: int  # 0..100
    submitted_on: date | None  # None: not submitted (a draft or a returned report)
    approved: bool = False
    evidence_count: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.percent <= 100:
            raise SupervisionError(f"{self.period} 报告的完成进度 {self.percent}% 无效，应在 0 至 100 之间")
        if self.evidence_count < 0:
            raise SupervisionError(f"{self.period} 报告的佐证材料数 {self.evidence_count} 无效")

    def submitted_by(self, day: date) -> bool:
        """Submitted on or before ``day`` (a report submitted later did not exist yet on ``day``)."""
        return self.submitted_on is not None and self.submitted_on <= day

    @property
    def completion(self) -> int:
        """The percent complete it reports; a report saying 已完成 counts 100 whatever percent it gives."""
        return 100 if self.progress == Progress.DONE else self.percent


@dataclass(frozen=True)
class AssignmentState:
    """One assignment (a task given to one responsible unit) with its milestones and reports.

    ``reports`` may be given as a mapping from period id to report or as any iterable of reports; it is
    kept as a read-only, hashable mapping keyed by each report's ``period`` (one report per period).
    """

    key: str
    first_period: str
    milestones: tuple[MilestoneState, ...] = ()
    reports: Mapping[str, ReportState] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        object.__setattr__(self, "milestones", tuple(self.milestones))
        given = self.reports
        if isinstance(given, Mapping):
            for period, report in given.items():
                if period != report.period:
                    raise ValueError(f"report for {report.period} filed under {period}")
            items = dict(given)
        else:
            items = {}
            for report in given:
                if report.period in items:
                    raise ValueError(f"two reports for {report.period}")
                items[report.period] = report
        object.__setattr__(self, "reports", FrozenMap(sorted(items.items())))

    def report(self, period: str) -> ReportState | None:
        return self.reports.get(period)


class AlertKind(StrEnum):
    """Declared in the order alerts are listed."""

    MILESTONE_OVERDUE = "milestone_overdue"
    NO_REPORT = "no_report"
    STALLED = "stalled"

    @property
    def label(self) -> str:
        return {"milestone_overdue": "节点逾期", "no_report": "逾期未报", "stalled": "连续滞后"}[self.value]


_KIND_ORDER = {kind: i for i, kind in enumerate(AlertKind)}


@dataclass(frozen=True)
class Alert:
    """Something the leading group's office should act on.

    ``period`` is the period looked at; ``since`` the first day the alert held (the day after a milestone's
    due date or a report's deadline; for a stall, the day the last lagging report was submitted).
    ``detail`` holds the figures behind ``message``, JSON-ready (texts, numbers, lists; dates as ISO text):

    - milestone_overdue: ``milestone`` (code), ``title``, ``due``, ``days_overdue``;
    - no_report: ``deadline``, ``days_overdue``, ``status`` (``missing`` or ``not_submitted``);
    - stalled: ``periods`` (oldest first), ``percents``.
    """

    kind: AlertKind
    key: str
    period: str
    since: date
    detail: Mapping[str, Any]
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "detail", FrozenMap(self.detail))


def chinese_date(day: date) -> str:
    """``2024年1月15日``, as official documents write a date."""
    return f"{day.year}年{day.month}月{day.day}日"


def periods_between(first: str, last: str) -> list[str]:
    """The periods ``first`` to ``last`` inclusive, both of one kind; empty when ``last`` is before ``first``."""
    start, end = Period.parse(first), Period.parse(last)
    if start.kind != end.kind:
        raise SupervisionError(f"期间“{first}”和“{last}”不是同一种期间（年、季或月），无法列出其间各期")
    out: list[str] = []
    current = start
    while current <= end:
        out.append(str(current))
        current = current.next()
    return out


def report_due(period: str, rules: SupervisionRules) -> date:
    """The last day a period's report is on time: the period's last day + ``report_deadline_days``."""
    return rules.parse(period).end + timedelta(days=rules.report_deadline_days)


def report_late(report: ReportState | None, due: date, as_of: date) -> bool:
    """Is a report due on ``due`` late on ``as_of``: the deadline has passed, and it was not submitted by then."""
    return due < as_of and not (report is not None and report.submitted_by(as_of))


def alerts(assignment: AssignmentState, *, period: str, as_of: date, rules: SupervisionRules) -> list[Alert]:
    """The alerts on ``assignment`` when ``period`` is looked at on ``as_of``; sorted by kind (as
    :class:`AlertKind` declares them), then key, then the milestone's due date and code.

    Milestones are judged whatever period they fall in; a report and a stall only for periods from the
    assignment's ``first_period`` on (nothing is due before the assignment starts).
    """
    looked_at = rules.parse(period)
    first = rules.parse(assignment.first_period)
    found: list[tuple[tuple, Alert]] = []
    for milestone in assignment.milestones:
        alert = _milestone_overdue(assignment, milestone, period, as_of)
        if alert:
            found.append(((milestone.due, milestone.code), alert))
    if looked_at >= first:
        alert = _no_report(assignment, period, as_of, rules)
        if alert:
            found.append(((), alert))
        alert = _stalled(assignment, looked_at, first, as_of, rules)
        if alert:
            found.append(((), alert))
    found.sort(key=lambda item: (_KIND_ORDER[item[1].kind], item[1].key, item[0]))
    return [alert for _, alert in found]


def _milestone_overdue(
    assignment: AssignmentState, milestone: MilestoneState, period: str, as_of: date
) -> Alert | None:
    if not milestone.due < as_of or milestone.met_by(as_of):
        return None
    days = (as_of - milestone.due).days
    return Alert(
        kind=AlertKind.MILESTONE_OVERDUE,
        key=assignment.key,
        period=period,
        since=milestone.due + timedelta(days=1),
        detail={
            "milestone": milestone.code,
            "title": milestone.title,
            "due": milestone.due.isoformat(),
            "days_overdue": days,
        },
        message=(
            f"节点“{milestone.title}”应于{chinese_date(milestone.due)}前完成，"
            f"截至{chinese_date(as_of)}仍未完成，已逾期 {days} 天。"
        ),
    )


def _no_report(
    assignment: AssignmentState, period: str, as_of: date, rules: SupervisionRules
) -> Alert | None:
    deadline = report_due(period, rules)
    report = assignment.report(period)
    if not report_late(report, deadline, as_of):
        return None
    days = (as_of - deadline).days
    status = "missing" if report is None else "not_submitted"
    state = "仍未报送" if report is None else "报告仍未提交（草稿或被退回）"
    return Alert(
        kind=AlertKind.NO_REPORT,
        key=assignment.key,
        period=period,
        since=deadline + timedelta(days=1),
        detail={"deadline": deadline.isoformat(), "days_overdue": days, "status": status},
        message=(
            f"{period} 的进展报告应于{chinese_date(deadline)}前报送，"
            f"截至{chinese_date(as_of)}{state}，已逾期 {days} 天。"
        ),
    )


def _stalled(
    assignment: AssignmentState, looked_at: Period, first: Period, as_of: date, rules: SupervisionRules
) -> Alert | None:
    run: list[ReportState] = []
    current = looked_at
    for _ in range(rules.stalled_periods):
        if current < first:
            return None
        report = assignment.report(str(current))
        if report is None or not report.submitted_by(as_of) or report.progress != Progress.LAGGING:
            return None
        run.append(report)
        current = current.previous()
    run.reverse()
    periods = [r.period for r in run]
    return Alert(
        kind=AlertKind.STALLED,
        key=assignment.key,
        period=str(looked_at),
        since=max(r.submitted_on for r in run if r.submitted_on is not None),
        detail={"periods": tuple(periods), "percents": tuple(r.percent for r in run)},
        message=(
            f"连续 {len(run)} 期（{'、'.join(periods)}）报告进展为“{Progress.LAGGING.label}”，"
            f"完成进度依次为 {'、'.join(f'{r.percent}%' for r in run)}。"
        ),
    )


# --- 亮灯: how close a deadline is ------------------------------------------------------------------------------


class Light(StrEnum):
    """亮灯: green while a deadline is far, yellow from ``warning_working_days`` working days before it, red once
    it has passed with the thing still open; done things are green."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}[self.value]


def working_days_left(today: date, deadline: date, working_day: Callable[[date], bool]) -> int:
    """The working days after ``today`` up to and including ``deadline`` (0 on the deadline itself, or after it).
    ``working_day`` says which days are working days (China's calendar moves some weekends: 调休)."""
    left, day = 0, today
    while day < deadline:
        day += timedelta(days=1)
        left += working_day(day)
    return left


def light(
    deadline: date, *, done: bool, today: date, warning_days: int, working_day: Callable[[date], bool]
) -> Light:
    """The light of something open until ``deadline``: red after it, yellow when at most ``warning_days`` working
    days are left (the deadline day itself included), green otherwise or once ``done``."""
    if done:
        return Light.GREEN
    if today > deadline:
        return Light.RED
    if working_days_left(today, deadline, working_day) <= warning_days:
        return Light.YELLOW
    return Light.GREEN


def yellow_until(today: date, *, warning_days: int, working_day: Callable[[date], bool]) -> date:
    """The latest deadline that is yellow on ``today`` (:func:`light`): something open is yellow exactly when
    ``today <= deadline <= yellow_until(today)``, so that a database counts lights with two date comparisons."""
    day, left = today, 0
    for _step in range(366):  # a year without enough working days is not a calendar
        following = day + timedelta(days=1)
        if left + working_day(following) > warning_days:
            return day
        day, left = following, left + working_day(following)
    return day


# --- cascading: a city's share split among its counties and departments --------------------------------------


def roll_up(children: Sequence[tuple[Progress | str, int] | None]) -> tuple[Progress, int]:
    """The progress of a share split into sub-assignments, from their reports of the period ((progress, percent),
    or ``None`` for one without a submitted report, counted as not started at 0 %): the mean percent (rounded
    half up), done only when every part is done, lagging when any part lags, not started when none has started.
    """
    if not children:
        raise SupervisionError("没有下级任务分工，无从汇总")
    parts = [(Progress.NOT_STARTED, 0) if c is None else (Progress(c[0]), int(c[1])) for c in children]
    completions = [100 if p == Progress.DONE else percent for p, percent in parts]
    mean = (sum(completions) * 2 + len(completions)) // (2 * len(completions))
    states = {p for p, _percent in parts}
    if states == {Progress.DONE}:
        return Progress.DONE, 100
    if Progress.LAGGING in states:
        return Progress.LAGGING, mean
    if states == {Progress.NOT_STARTED} and mean == 0:
        return Progress.NOT_STARTED, 0
    return Progress.IN_PROGRESS, mean

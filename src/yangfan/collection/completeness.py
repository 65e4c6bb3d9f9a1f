"""报送情况: for a data set and a period, every report the province expects, its state, and whether it came on time.

Who is expected to report is read from the data set as the plan file declares it:

| reporter | expected reports |
|---|---|
| ``operators`` | each operator × each unit counted directly in the province (the cities and 杨凌示范区) |
| the city governments (各设区市政府) | each unit counted directly in the province, for the units counted in it |
| a department (省工信厅, 省通信管理局, …) | one report for the whole province (the root of the org tree) |

A report is on time when it was first submitted (报送) by the end of its deadline day (``selectors.deadline``);
a return and a resubmission do not make it late. One that is not submitted is late once the deadline has
passed, and "not yet due" before. The views only render what these functions return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yangfan.accounts.permissions import org_unit_ids_in_scope, org_units_in_scope, tree_links
from yangfan.actionplans.display import localized_name
from yangfan.actionplans.models import DataSet, Operator, ResponsibleUnit
from yangfan.collection.choices import SubmissionAction, SubmissionStatus
from yangfan.collection.models import Submission, SubmissionEvent
from yangfan.collection.selectors import deadline, period_kind
from yangfan.collection.services import may_review, may_submit
from yangfan.core.errors import YangfanError
from yangfan.core.periods import Period, PeriodError
from yangfan.core.plan import OPERATORS_REPORT, UnitKind
from yangfan.orgunits.models import OrgUnit
from yangfan.orgunits.selectors import unit_links

S = SubmissionStatus
MISSING = "missing"  # no submission at all: 未报
STATUS_LABELS = {MISSING: gettext_lazy("未报"), **dict(S.choices)}
# counted as submitted (n of m): waiting for review or approved; a returned report must be submitted again
SUBMITTED = frozenset({S.SUBMITTED, S.APPROVED})
# statuses whose timeliness is that of the first submission
WAS_SUBMITTED = frozenset({S.SUBMITTED, S.APPROVED, S.RETURNED})


class Timeliness:
    ON_TIME = "on_time"
    LATE = "late"
    NOT_DUE = "not_due"
    LABELS = {ON_TIME: gettext_lazy("按时"), LATE: gettext_lazy("逾期"), NOT_DUE: gettext_lazy("未到期")}


class CompletenessError(YangfanError, ValueError):
    """A period that does not fit the data set, in the user's words."""


@dataclass
class CompletenessRow:
    """One expected report: who, its state, when it came and whether on time."""

    data_set: DataSet
    period: str
    org_unit: OrgUnit
    operator: Operator | None
    reporter: str  # who reports it: the operator, the department or the city's name
    deadline: date
    status: str  # a SubmissionStatus value, or MISSING
    submission: Submission | None = None
    submitted_at: datetime | None = None  # the latest submission
    first_submitted_at: datetime | None = None
    timeliness: str = Timeliness.NOT_DUE
    days_overdue: int = 0  # past the deadline: when it was submitted late, or today when it is still missing

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def timeliness_label(self) -> str:
        return str(Timeliness.LABELS[self.timeliness])

    @property
    def submitted(self) -> bool:
        return self.status in SUBMITTED

    @property
    def outstanding(self) -> bool:
        """Not submitted (missing, a draft or returned): on the reminder list."""
        return self.status not in SUBMITTED


@dataclass
class CompletenessTotals:
    expected: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    draft: int = 0
    missing: int = 0
    on_time: int = 0
    late: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def submitted_rate(self) -> Decimal | None:
        return _percent(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        """报送及时率: reports submitted on time out of those expected."""
        return _percent(self.on_time, self.expected)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class _Units:
    """What the expected reports of several data sets share, read once: the province, the units counted in it,
    the operators, the plans' responsible units, and the reader's view scope."""

    def __init__(self, user=None):
        self.user = user
        self._read = False
        self._submissions: dict[tuple[int, str], dict] = {}
        self._firsts: dict[int, datetime] = {}

    def _load(self) -> None:
        if self._read:
            return
        links = tree_links(self.user) if self.user is not None else unit_links()
        root = next(pk for pk, parent, counted_in in links if parent is None and counted_in is None)
        top = [pk for pk, parent, counted_in in links if (counted_in or parent) == root]
        units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[root, *top])}  # the province and its cities
        self.root = units[root]
        self.top = sorted((units[pk] for pk in top), key=lambda u: (u.position, u.code))
        self.operators = list(Operator.objects.order_by("position", "code"))
        self.responsible = {(u.plan_id, u.code): u for u in ResponsibleUnit.objects.all()}
        self.visible = None if self.user is None else org_unit_ids_in_scope(self.user, "data.view")
        self._read = True

    def read_submissions(self, wanted: list[tuple[DataSet, Period]]) -> None:
        """Read the submissions of every (data set, period) of ``wanted`` at once."""
        condition = Q(pk__in=[])
        for data_set, period in wanted:
            condition |= Q(data_set=data_set, period=str(period))
        first = SubmissionEvent.objects.filter(submission=OuterRef("pk"), action=SubmissionAction.SUBMIT)
        found = list(
            Submission.objects.filter(condition)
            .select_related("submitted_by", "reviewed_by")
            .annotate(first_submit=Subquery(first.order_by("at").values("at")[:1]))
        )
        firsts = {s.pk: s.first_submit for s in found if s.first_submit is not None}
        self._submissions.update({(d.pk, str(p)): {} for d, p in wanted})
        for submission in found:
            key = (submission.org_unit_id, submission.operator_id)
            self._submissions[(submission.data_set_id, submission.period)][key] = submission
        self._firsts.update(firsts)

    def submissions(self, data_set: DataSet, period: Period) -> tuple[dict, dict]:
        """The submissions of ``data_set`` at ``period`` by (org unit id, operator id), and when each was first
        submitted (by submission id)."""
        if (data_set.pk, str(period)) not in self._submissions:
            self.read_submissions([(data_set, period)])
        return self._submissions[(data_set.pk, str(period))], self._firsts

    def expected(self, data_set: DataSet) -> list[tuple[OrgUnit, Operator | None, str]]:
        self._load()
        if data_set.reporter == OPERATORS_REPORT:
            found = [(unit, op, localized_name(op)) for unit in self.top for op in self.operators]
        else:
            unit = self.responsible.get((data_set.plan_id, data_set.reporter))
            if unit is not None and unit.kind == UnitKind.CITY_GOVERNMENTS:
                found = [(city, None, city.name) for city in self.top]
            else:
                found = [(self.root, None, unit.name if unit else data_set.reporter)]
        if self.visible is not None:
            found = [e for e in found if e[0].pk in self.visible]
        return found


def expected_reports(data_set: DataSet) -> list[tuple[OrgUnit, Operator | None, str]]:
    """(org unit, operator, who reports) for every report of ``data_set`` the province expects each period."""
    return _Units().expected(data_set)


def parse_period(data_set: DataSet, text: str) -> Period:
    """``text`` as a period of ``data_set``'s kind (a quarterly report has quarters), or ``CompletenessError``."""
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        raise CompletenessError(str(exc)) from None
    if period.kind != period_kind(data_set):
        raise CompletenessError(
            _("“%(period)s”不是%(data_set)s的报送期间（%(kind)s）")
            % {
                "period": text,
                "data_set": localized_name(data_set),
                "kind": data_set.get_period_type_display(),
            }
        )
    return period


def plan_periods(data_set: DataSet) -> list[Period]:
    """The data set's periods within its plan's span, newest first (the period picker's choices)."""
    kind = period_kind(data_set)
    period, last = Period.containing(data_set.plan.start, kind), Period.containing(data_set.plan.end, kind)
    periods = []
    while not last < period:
        periods.append(period)
        period = period.next()
    return list(reversed(periods))


def current_period(data_set: DataSet, today: date | None = None) -> Period:
    """The latest period of the data set that has ended, by today or by the plan's end if that came first."""
    today = today or timezone.localdate()
    until = min(today, data_set.plan.end)
    period = Period.containing(until, period_kind(data_set))
    if period.end > until:
        period = period.previous()
    return max(period, Period.containing(data_set.plan.start, period_kind(data_set)))


def completeness_rows(
    *, data_set: DataSet, period: Period, user=None, today: date | None = None, units: _Units | None = None
) -> list[CompletenessRow]:
    """Every expected report of ``data_set`` for ``period``; with ``user``, those of units in their view scope
    (the province and viewers see the whole province, a city its own reports). ``units``: read once for several
    data sets (``completeness_overview``)."""
    today = today or timezone.localdate()
    due = deadline(data_set=data_set, period=period)
    units = units or _Units(user)
    expected = units.expected(data_set)
    submissions, firsts = units.submissions(data_set, period)
    rows = []
    for unit, operator, reporter in expected:
        submission = submissions.get((unit.pk, operator.pk if operator else None))
        row = CompletenessRow(
            data_set=data_set,
            period=str(period),
            org_unit=unit,
            operator=operator,
            reporter=reporter,
            deadline=due,
            status=submission.status if submission else MISSING,
            submission=submission,
        )
        if submission is not None:
            row.submitted_at = submission.submitted_at
            row.first_submitted_at = firsts.get(submission.pk) or submission.submitted_at
        _judge(row, today)
        rows.append(row)
    return rows


def _judge(row: CompletenessRow, today: date) -> None:
    if row.status in WAS_SUBMITTED and row.first_submitted_at is not None:
        day = timezone.localdate(row.first_submitted_at)
        row.timeliness = Timeliness.ON_TIME if day <= row.deadline else Timeliness.LATE
        row.days_overdue = max((day - row.deadline).days, 0)
    elif today > row.deadline:
        row.timeliness, row.days_overdue = Timeliness.LATE, (today - row.deadline).days


def completeness_totals(rows: list[CompletenessRow]) -> CompletenessTotals:
    totals = CompletenessTotals(expected=len(rows))
    for row in rows:
        totals.by_status[row.status] = totals.by_status.get(row.status, 0) + 1
        totals.submitted += row.submitted
        totals.on_time += row.submitted and row.timeliness == Timeliness.ON_TIME
        totals.late += row.timeliness == Timeliness.LATE
    totals.approved = totals.by_status.get(S.APPROVED, 0)
    totals.returned = totals.by_status.get(S.RETURNED, 0)
    totals.draft = totals.by_status.get(S.DRAFT, 0)
    totals.missing = totals.by_status.get(MISSING, 0)
    return totals


def data_set_list(plan=None):
    """The data sets the pages offer, in the plan file's order."""
    queryset = DataSet.objects.select_related("plan").order_by("plan__code", "position", "code")
    return queryset.filter(plan=plan) if plan is not None else queryset


def completeness_overview(*, user=None, today: date | None = None) -> list[dict]:
    """Each data set at its current period (``current_period``) with its totals: the page's first table."""
    overview = []
    units = _Units(user)
    current = [(data_set, current_period(data_set, today)) for data_set in data_set_list()]
    units.read_submissions(current)
    for data_set, period in current:
        rows = completeness_rows(data_set=data_set, period=period, user=user, today=today, units=units)
        overview.append(
            {"data_set": data_set, "period": str(period), "totals": completeness_totals(rows), "rows": rows}
        )
    return overview


def reminder_rows(
    *, user=None, data_set: DataSet | None = None, period: Period | None = None, today: date | None = None
) -> list[CompletenessRow]:
    """催报清单: the expected reports not submitted (missing, a draft, or returned) of ``data_set`` at ``period``,
    or of every data set at its current period, most overdue first."""
    if data_set is not None:
        rows = completeness_rows(
            data_set=data_set, period=period or current_period(data_set, today), user=user, today=today
        )
    else:
        rows = [row for item in completeness_overview(user=user, today=today) for row in item["rows"]]
    outstanding = [row for row in rows if row.outstanding]
    return sorted(
        outstanding,
        key=lambda r: (
            -r.days_overdue,
            r.data_set.position,
            r.data_set.code,
            r.period,
            r.org_unit.position,
            r.org_unit.code,
            (r.operator.position, r.operator.code) if r.operator else (-1, ""),
        ),
    )


def review_queue(user) -> list[Submission]:
    """Submitted reports this user may approve or return (``services.may_review``: one level up, never their
    own), oldest submission first."""
    candidates = Submission.objects.filter(
        status=S.SUBMITTED, org_unit__in=org_units_in_scope(user, "data.approve")
    ).select_related("data_set", "org_unit", "operator", "submitted_by")
    waiting = [s for s in candidates if may_review(user, s)]
    return sorted(waiting, key=lambda s: (s.submitted_at or s.updated_at, s.pk))


def returned_queue(user) -> list[Submission]:
    """Reports returned to this user's units that they may submit again (``services.may_submit``), oldest return
    first."""
    candidates = Submission.objects.filter(
        status=S.RETURNED, org_unit__in=org_units_in_scope(user, "data.submit")
    ).select_related("data_set", "data_set__plan", "org_unit", "operator", "reviewed_by")
    waiting = [s for s in candidates if may_submit(user, s)]
    return sorted(waiting, key=lambda s: (s.reviewed_at or s.updated_at, s.pk))


# -- raw files sent (原始数据报送) ------------------------------------------------------------------------------------
# The operators' raw files (ingest runs, an app above this one: read by model name) beside their reports: which
# operator's files were applied for which month, and each operator's current base-station inventory and SIM
# register. Who may read runs (``ingest.view``) is the permission module's: the province every operator's, an
# operator's users their own.
MONTHLY_KINDS = ("cell-traffic", "subscribers")  # flows and counts per month: a month is sent or it is not
STOCK_KINDS = ("base-stations", "iot-sims")  # registers sent whole: the current one per operator
LATEST_STOCK_RUNS = 50  # the registers' latest runs read, enough to find each operator's current one


@dataclass
class RawCell:
    run: int
    sent_by: str
    sent_at: datetime | None


@dataclass
class RawRow:
    operator: Operator
    kind: str
    kind_label: str
    months: list[RawCell | None] = field(default_factory=list)  # twelve, January first
    current: RawCell | None = None  # the registers


def raw_deliveries(*, user, year: int) -> dict | None:
    """The operators' raw files of ``year`` as ``{"monthly": [RawRow], "stocks": [RawRow], "year": year}``, for a
    reader of ingest runs; ``None`` for anyone else. Three queries, whatever the history holds."""
    from django.apps import apps

    from yangfan.accounts.permissions import may, restrict, speaks_for_operator

    if not may(user, "ingest.view"):
        return None
    runs = restrict(apps.get_model("ingests", "IngestRun").objects.filter(status="done"), user, "ingest.view")
    fields = ("pk", "kind", "operators", "periods", "actor__username", "actor__first_name", "confirmed_at")
    monthly = runs.filter(
        kind__in=MONTHLY_KINDS, period_first__lte=f"{year}12", period_last__gte=f"{year}01"
    ).order_by("pk")
    stocks = runs.filter(kind__in=STOCK_KINDS).order_by("-pk")[:LATEST_STOCK_RUNS]
    labels = dict(apps.get_model("ingests", "IngestRun")._meta.get_field("kind").choices)
    operators = list(Operator.objects.order_by("position", "code"))
    if speaks_for_operator(user):  # its own operator's row: the others' are not its to see
        operators = [o for o in operators if o.pk == user.operator_id]
    rows = {(o.code, k): RawRow(o, k, str(labels[k]), [None] * 12) for o in operators for k in MONTHLY_KINDS}
    for run in monthly.values(*fields):
        cell = _raw_cell(run)
        for code in run["operators"]:
            row = rows.get((code, run["kind"]))
            for month in run["periods"]:
                if row is not None and month[:4] == str(year):
                    row.months[int(month[4:]) - 1] = cell  # the later run wins
    registers = {(o.code, k): RawRow(o, k, str(labels[k])) for o in operators for k in STOCK_KINDS}
    for run in stocks.values(*fields):
        for code in run["operators"]:
            row = registers.get((code, run["kind"]))
            if row is not None and row.current is None:
                row.current = _raw_cell(run)
    return {
        "year": year,
        "months": list(range(1, 13)),
        "monthly": list(rows.values()),
        "stocks": list(registers.values()),
    }


def _raw_cell(run: dict) -> RawCell:
    sent_by = run["actor__first_name"] or run["actor__username"] or _("命令行")
    return RawCell(run["pk"], sent_by, run["confirmed_at"])

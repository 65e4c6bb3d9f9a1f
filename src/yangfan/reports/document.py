"""The evaluation report (评估报告) as plain values: what the builder (``reports.content``) computes from the
database, within the requester's scope, and what the writers (``reports.docx_writer``, ``reports.xlsx_writer``,
with charts from ``reports.charts``) lay out. Nothing here touches the database, so the writers are tested on
values alone and every figure in a written report is one the builder computed.

Numbers are kept as ``Decimal`` (or ``None`` where there is no value); the texts beside them (``value_text``,
``target_text``) are how the report prints them, with units, so the DOCX, the XLSX and the page agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# The first page of a report made from demo data says so (the DOCX and the XLSX alike).
DEMO_NOTICE = "本报告含系统生成的演示数据，仅供演示和培训使用，不反映实际情况，请勿引用。"


@dataclass(frozen=True)
class UnitFigure:
    """One unit's value of an indicator, for the lists of units ahead of and behind the target."""

    org_unit: str  # code
    name: str  # 西安市
    value: Decimal | None
    value_text: str  # "45.20 %"
    status: str  # core.targets.Status value
    status_label: str  # 已达标


@dataclass(frozen=True)
class IndicatorSection:
    """An indicator of the plan for the report's unit and period."""

    code: str  # A1
    name: str  # 5G个人用户普及率
    unit: str  # %, 个, 户
    annex: bool  # one of the annex's seven indicators (A1–A7) rather than a further target of the text
    value: Decimal | None
    value_text: str
    target: Decimal | None
    target_text: str  # "> 40 %" or "未设目标"
    target_met: bool | None
    status: str
    status_label: str
    pace_text: str  # "每月需增 0.52 个百分点" or ""
    series: tuple[tuple[str, Decimal | None], ...]  # (period id, value) from the base year to the period
    ahead: tuple[UnitFigure, ...] = ()  # units below the report's unit that reached or are on track
    behind: tuple[UnitFigure, ...] = ()  # units at risk or off track
    note: str = ""  # e.g. why there is no value


@dataclass(frozen=True)
class GoalRow:
    """A qualitative target of the plan (定性目标) with the verdict standing on the report's unit at its period."""

    code: str  # Q01
    text: str  # the target, word for word
    verdict: str  # goals.choices.Verdict value; "" when not judged
    verdict_label: str  # 已实现 … or 尚未评估
    period: str = ""  # the period the verdict was given for (2023)
    reasoning: str = ""
    evidence: tuple[str, ...] = ()  # "5G应用仓库：某案例", "任务 T2.1.1 …", "文件：陕工信发〔2023〕12号"


@dataclass(frozen=True)
class TaskUnitRow:
    """Task progress of one responsible unit (a department, or one city's government) for the period."""

    unit: str
    assignments: int
    done: int
    in_progress: int
    lagging: int
    not_started: int
    not_reported: int  # no submitted report for the period
    overdue: int  # alerts (milestones overdue, reports overdue, stalled)
    leading: int = 0  # of ``assignments``, those of tasks the unit leads (牵头); the others it co-operates on


@dataclass(frozen=True)
class OverdueItem:
    task: str  # T3.3.3
    task_title: str
    unit: str
    kind_label: str  # 逾期未报
    message: str
    role: str = ""  # 牵头 or 配合: the unit's part in the task


@dataclass(frozen=True)
class CompletenessRow:
    data_set: str
    period: str
    submitted: int
    expected: int
    on_time_rate: Decimal | None  # percent


@dataclass(frozen=True)
class RegistryRow:
    name: str
    count: int | None  # standing at the period's end; None: the registry is not kept in Yangfan yet
    note: str = ""
    added: int | None = None  # started within the period
    ended: int | None = None  # retired, revoked or delisted within the period

    @property
    def description(self) -> str:
        """The 说明 the report prints: the period's changes, then the note."""
        changes = f"本期新增 {self.added}，退出 {self.ended}" if self.added is not None else ""
        return "；".join(part for part in (changes, self.note) if part)


@dataclass(frozen=True)
class Figure:
    """One figure of a special project's section (专项工程): what it counts, the number and its unit, and a note on
    how it was read. ``value`` ``None``: there is nothing to compute it from (a share of no applications)."""

    label: str  # 采用这些标准的应用
    value: int | Decimal | None
    unit: str = "个"
    note: str = ""

    @property
    def text(self) -> str:
        """How the report prints it: ``12 个``, ``45.5 %``; ``—`` without a value."""
        if self.value is None:
            return "—"
        number = f"{self.value:,}" if isinstance(self.value, int) else format(self.value, "f")
        return f"{number} {self.unit}".rstrip()


@dataclass(frozen=True)
class CountTable:
    """A table of a special project's section: a header, then rows led by a label (an industry, a stage, a round) and
    holding figures (``int`` or ``Decimal``, or text where a column says something else); a 合计 row is a row like
    the others. The Word file prints it under ``title``; the workbook gives it a sheet of its own, ``sheet``."""

    title: str  # 5G应用标准（按重点行业和阶段）
    sheet: str  # at most 31 characters, unique in the workbook
    header: tuple[str, ...]
    rows: tuple[tuple[str | int | Decimal | None, ...], ...]


@dataclass(frozen=True)
class SpecialSection:
    """A special project of the plan (专栏) as the report tells it, from the registries that track it at the period's
    end: its figures, its tables, and how they were read (``basis``). ``withheld``: why this reader gets no figures
    of it (the security section without ``security.view``); the section then holds none."""

    key: str  # standards, products, zones, security
    title: str  # 5G应用标准（专栏1）
    basis: str  # one paragraph: what is counted and how (扬帆监测口径 for security)
    figures: tuple[Figure, ...] = ()
    tables: tuple[CountTable, ...] = ()
    withheld: str = ""


@dataclass(frozen=True)
class RankingRow:
    rank: int
    name: str
    kind_label: str  # 设区市 / 省级部门
    total: Decimal


@dataclass(frozen=True)
class ReportDocument:
    title: str  # 陕西省5G应用“扬帆”行动计划实施情况评估报告（2023年第四季度）
    plan_name: str
    plan_document: str  # 陕通局联〔2022〕10号
    org_unit: str  # code
    org_name: str  # 陕西省
    period: str  # 2023Q4
    period_label: str  # 2023年第四季度
    issuer: str  # 陕西省5G应用推广领导小组办公室
    written_on: date
    summary: tuple[str, ...]  # paragraphs: progress against the overall goals
    indicators: tuple[IndicatorSection, ...]
    task_rows: tuple[TaskUnitRow, ...]
    overdue: tuple[OverdueItem, ...]
    completeness: tuple[CompletenessRow, ...]
    registries: tuple[RegistryRow, ...]
    ranking: tuple[RankingRow, ...]  # the published (or, for the office, the current) evaluation ranking
    ranking_note: str  # where the ranking comes from: "已发布（2024-01-20）" or "未发布"
    attention: tuple[str, ...]  # issues needing the leading group's attention
    demo: bool = False  # the figures include generated demo data: the report says so on its first page
    notes: tuple[str, ...] = field(default_factory=tuple)  # remarks printed at the end (readings of the plan)
    goals: tuple[GoalRow, ...] = ()  # every qualitative target with its standing verdict (定性目标评估情况)
    goals_note: str = ""  # why there are none (a county, a group: judged with their city)
    # the special projects (专项工程: standards, products, lead zones and 绽放杯, security) from their registries;
    # a document without them (one built by hand) has no such section
    special_projects: tuple[SpecialSection, ...] = ()


# --- the final evaluation (终期评估) of a finished plan ---------------------------------------------------------


@dataclass(frozen=True)
class TargetVerdict:
    """One quantified target judged at its own date (终期评估): the plan's target or milestone of an indicator, or
    one the province set for a unit (``actionplans.UnitTarget``), with the value of the period its date falls in.
    ``gap``: how far the value stayed short (target − value for a target to rise to); ``None`` when met or without
    a value. ``first_reached``: the first period of the series (from the baseline to the plan's end, of the same
    kind as ``period``) at which the comparison held; ``""`` when it never did."""

    indicator: str  # A1
    name: str  # 5G个人用户普及率
    unit: str  # %
    org_unit: str  # 610000
    org_name: str  # 陕西省
    kind_label: str  # 最终目标 / 阶段目标
    source_label: str  # 计划文件 / 省级设定
    date: date
    target: Decimal
    target_text: str  # "> 40 %"
    period: str  # 2023: the period the target's date falls in
    value: Decimal | None
    value_text: str  # "42.50 %" or "—"
    met: bool | None  # None: no value for the period
    gap: Decimal | None
    gap_text: str  # "差 1.20 个百分点" or ""
    first_reached: str  # 2022, or ""

    @property
    def verdict_label(self) -> str:
        return "无数据" if self.met is None else ("已达标" if self.met else "未达标")


@dataclass(frozen=True)
class TrajectoryPoint:
    """A period of an annex indicator's series over the plan: the value and where the trajectory (the straight path
    from the baseline through the milestones to the final target, ``core.targets.on_path``) expected it."""

    period: str  # 2021
    value: Decimal | None
    value_text: str
    expected: Decimal | None
    expected_text: str


@dataclass(frozen=True)
class IndicatorTrajectory:
    """An annex indicator of the evaluated unit over the whole plan period, year by year; ``section``: the evaluation
    report's section of it at the plan's last year (its series, target and status: what the chart is drawn from)."""

    section: IndicatorSection
    points: tuple[TrajectoryPoint, ...]


@dataclass(frozen=True)
class TaskFinal:
    """One task share (任务分工) at the plan's end: its state in the last reporting period (the supervision matrix's
    cell), the last report submitted, its milestones, evidence files and 督办单."""

    task: str  # T2.1.1
    task_title: str
    unit: str  # 省工信厅 / 西安市人民政府
    role: str  # 牵头 / 配合
    state: str  # done, in_progress, lagging, not_started, missing, overdue (supervision.boards.Cell.state)
    state_label: str  # 已完成 …
    last_period: str  # 2023Q4, or "" when none was submitted
    last_progress: str  # 推进中
    last_percent: int | None
    milestones_met: int
    milestones: int
    evidence: tuple[str, ...] = ()  # "2023Q3 演示佐证材料.pdf"
    notices: tuple[str, ...] = ()  # "陕5G督〔2024〕1号 …（已办结）"


@dataclass(frozen=True)
class ComparisonFigure:
    indicator: str  # A1
    value: Decimal | None
    value_text: str
    met: bool | None  # at the plan's end against the unit's final target; None: no value or no target


@dataclass(frozen=True)
class ComparisonRow:
    """A unit below the evaluated one (a city, a county) or a group (韩城市, 西咸新区 …) with its annex indicators at
    the plan's end."""

    org_unit: str
    name: str
    kind_label: str  # 下级地区 / 统计分组
    figures: tuple[ComparisonFigure, ...]

    @property
    def met_count(self) -> int:
        return sum(1 for f in self.figures if f.met)


@dataclass(frozen=True)
class FinalDocument:
    """The final evaluation (终期评估) of a finished plan for one unit: the evaluation report of the plan's last year
    (``report``: its goals, registries, ranking and indicator sections are reused as they are), and what only the
    end of the plan tells: every quantified target judged at its date, the annex indicators over the whole period,
    each task share's final state, the units and groups compared, and an empty section for the office's own
    conclusions (filled in Word)."""

    report: ReportDocument
    title: str  # 陕西省5G应用“扬帆”行动计划（2021-2023年）终期评估报告（陕西省）
    plan_code: str
    plan_start: date
    plan_end: date
    org_unit: str
    org_name: str
    summary: tuple[str, ...]
    targets: tuple[TargetVerdict, ...]
    trajectories: tuple[IndicatorTrajectory, ...]
    tasks: tuple[TaskFinal, ...]
    task_period: str  # 2023Q4: the last reporting period, whose state is each share's final state
    comparison_indicators: tuple[tuple[str, str], ...]  # (code, name) of the compared columns
    comparison: tuple[ComparisonRow, ...]

    @property
    def issuer(self) -> str:
        return self.report.issuer

    @property
    def written_on(self) -> date:
        return self.report.written_on

    @property
    def demo(self) -> bool:
        return self.report.demo


CONCLUSIONS_HEADING = "评估结论与下一步建议"
CONCLUSIONS_NOTE = (
    "（本部分由领导小组办公室在 Word 中填写：对计划实施情况的总体评价、主要经验、存在问题和下一步工作建议。）"
)

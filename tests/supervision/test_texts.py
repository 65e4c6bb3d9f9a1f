"""Alerts and score explanations are written again on a page from the figures behind them: word for word what the
core says on a Chinese page, the same in English on an English one."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

from django.utils import translation

from yangfan.core.evaluation import ScoringScheme, UnitInputs, score
from yangfan.core.supervision import (
    AssignmentState,
    MilestoneState,
    Progress,
    ReportState,
    SupervisionRules,
    alerts,
    report_due,
)
from yangfan.supervision.texts import alert_label, alert_message, notice_title, ranking_in_language

RULES = SupervisionRules()  # quarterly, due 15 days after the quarter, stalled after 2 lagging quarters
SCHEME = ScoringScheme(
    "1",
    "默认方案",
    date(2021, 1, 1),
    {"completion": 40, "timeliness": 20, "evidence": 15, "indicators": 25},
    {"achieved": 100, "on_track": 80, "at_risk": 40, "off_track": 0},
)


def report(period, progress=Progress.LAGGING, percent=60, late=0, evidence=1) -> ReportState:
    submitted = report_due(period, RULES) - timedelta(days=5) + timedelta(days=late)
    return ReportState(period, progress, percent, submitted, approved=False, evidence_count=evidence)


ASSIGNMENTS = (
    AssignmentState(  # a milestone overdue, two lagging quarters running (stalled)
        key="T2.1.1/gxt",
        first_period="2023Q1",
        milestones=(MilestoneState("M1", "完成100个5G基站选址", date(2023, 6, 30)),),
        reports=(report("2023Q3", percent=41), report("2023Q4", percent=43, late=30, evidence=0)),
    ),
    AssignmentState(key="T2.1.2/gxt", first_period="2023Q1", milestones=(), reports=()),  # no report
    AssignmentState(  # a draft after the deadline
        key="T2.1.3/gxt",
        first_period="2023Q4",
        milestones=(),
        reports=(ReportState("2023Q4", Progress.IN_PROGRESS, 50, None, approved=False, evidence_count=0),),
    ),
)
AS_OF = date(2024, 3, 1)


def found_alerts():
    return [a for state in ASSIGNMENTS for a in alerts(state, period="2023Q4", as_of=AS_OF, rules=RULES)]


def rows(statuses=("achieved", "at_risk", "unknown")) -> list[dict]:
    units = [
        UnitInputs(
            key="gxt",
            name="省工信厅",
            kind="department",
            assignments=ASSIGNMENTS,
            indicator_statuses=statuses,
        ),
        UnitInputs(key="kjt", name="省科技厅", kind="department", assignments=()),
    ]
    scores = [score(u, scheme=SCHEME, period="2023Q4", as_of=AS_OF, rules=RULES) for u in units]
    return [{"components": [asdict(c) for c in s.components]} for s in scores]


def test_every_kind_of_alert_is_found():
    assert {str(a.kind) for a in found_alerts()} == {"milestone_overdue", "no_report", "stalled"}


def test_a_chinese_page_says_what_the_core_says():
    with translation.override("zh-hans"):
        assert [alert_message(a) for a in found_alerts()] == [a.message for a in found_alerts()]
        for statuses in (("achieved", "at_risk", "unknown"), (), ("no_target",)):
            computed = rows(statuses)
            shown = ranking_in_language(computed)
            for row, said in zip(computed, shown, strict=True):
                assert [c["explanation"] for c in said["components"]] == [
                    c["explanation"] for c in row["components"]
                ]
                assert [c["label"] for c in said["components"]] == [c["label"] for c in row["components"]]


def test_a_chinese_page_says_how_lead_and_cooperating_tasks_weighed_as_the_core_does():
    weighted = ScoringScheme(
        "2",
        "牵头加权",
        date(2021, 1, 1),
        SCHEME.weights,
        SCHEME.status_points,
        unit_weights={"lead": 2, "cooperating": 1},
    )
    unit = UnitInputs("gxt", "省工信厅", "department", ASSIGNMENTS, leads={"T2.1.1/gxt", "T2.1.3/gxt"})
    computed = [
        {
            "components": [
                asdict(c)
                for c in score(unit, scheme=weighted, period="2023Q4", as_of=AS_OF, rules=RULES).components
            ]
        }
    ]

    with translation.override("zh-hans"):
        said = ranking_in_language(computed)[0]["components"]

    expected = [c["explanation"] for c in computed[0]["components"]]
    assert [c["explanation"] for c in said] == expected
    assert "3 项任务（牵头 2 项，按牵头 2、配合 1 加权）" in expected[0]
    assert "加权）" in expected[1] and "按时率" in expected[1]


def test_an_english_page_says_it_in_english():
    with translation.override("en"):
        messages = [alert_message(a) for a in found_alerts()]
        labels = [alert_label(str(a.kind)) for a in found_alerts()]
        explanations = [c["explanation"] for r in ranking_in_language(rows()) for c in r["components"]]
    # the milestone's title is the unit's own words
    assert "Milestone “完成100个5G基站选址” was due by June 30, 2023" in messages[0]
    assert labels == ["Milestone overdue", "Stalled", "Overdue report", "Overdue report"]
    assert any(
        "Reported as “Lagging” for 2 periods in a row (2023Q3, 2023Q4), at 41%, 43% complete" in m
        for m in messages
    )
    assert (
        "2 indicators: Target met: 1, At risk: 1; 70.00 points on average (1 more without enough data or a target, not counted)"
        in explanations
    )
    assert "Not applicable: no task is assigned to the unit" in explanations
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in explanations)


def test_a_ranking_published_before_the_figures_were_kept_shows_its_stored_explanation():
    stored = {"name": "completion", "label": "任务完成", "explanation": "旧的说明"}
    with translation.override("en"):
        shown = ranking_in_language([{"components": [stored]}])[0]["components"][0]
    assert shown["label"] == "Task completion" and shown["explanation"] == "旧的说明"


def _quote_depth(text: str) -> int:
    """How deep “…” quotes nest in ``text`` (1: none inside another)."""
    depth = deepest = 0
    for char in text:
        if char == "“":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "”":
            depth -= 1
    return deepest


def test_a_notice_title_takes_the_task_title_as_written_without_a_second_verb_or_nested_quotes(plan):
    from yangfan.actionplans.models import Task

    with translation.override("zh-hans"):
        assert notice_title("推进“5G+信息消费”融合") == "关于推进“5G+信息消费”融合任务的督办通知"
        assert notice_title("加快打通跨行业协议标准") == "关于加快打通跨行业协议标准任务的督办通知"
        assert notice_title("开展试点任务") == "关于开展试点任务的督办通知"  # not 任务任务
        titles = {task.title: notice_title(task.title) for task in Task.objects.filter(plan=plan)}
    assert len(titles) > 30
    for task_title, title in titles.items():
        assert title == f"关于{task_title}任务的督办通知"
        assert "推进推进" not in title and "“推进" not in title, title
        assert _quote_depth(title) <= 1, title

"""Evaluation scores: four components with their counts, weights scaled over what applies, a ranking."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yangfan.core.evaluation import (
    COMPONENTS,
    STATUSES,
    UNJUDGED_STATUSES,
    EvaluationError,
    NoScoringScheme,
    RankedScore,
    ScoringScheme,
    ScoringSchemeInvalid,
    UnitInputs,
    UnitScore,
    UnknownStatus,
    rank,
    scheme_for,
    score,
)
from yangfan.core.periods import Period
from yangfan.core.plan import Plan
from yangfan.core.supervision import (
    AssignmentState,
    MilestoneState,
    Progress,
    ReportState,
    SupervisionRules,
    periods_between,
    report_due,
)
from yangfan.core.targets import Status

RULES = SupervisionRules()
WEIGHTS = {"completion": 40, "timeliness": 20, "evidence": 15, "indicators": 25}
POINTS = {"achieved": 100, "on_track": 80, "at_risk": 40, "off_track": 0}
SCHEME = ScoringScheme("1", "默认方案", date(2021, 1, 1), WEIGHTS, POINTS)
AS_OF = date(2024, 2, 1)  # after the 2023Q4 deadline (2024-01-15)


def report(period, progress=Progress.IN_PROGRESS, percent=50, submitted_on=None, evidence=1):
    on_time = report_due(period, RULES) - timedelta(days=5)
    return ReportState(
        period, progress, percent, submitted_on or on_time, approved=True, evidence_count=evidence
    )


def unit(*assignments, statuses=(), key="gxt", kind="department") -> UnitInputs:
    return UnitInputs(
        key=key, name="省工信厅", kind=kind, assignments=assignments, indicator_statuses=statuses
    )


def work(*reports, first="2023Q1", milestones=(), key="a") -> AssignmentState:
    return AssignmentState(key=key, first_period=first, milestones=milestones, reports=reports)


def judge(inputs: UnitInputs, period="2023Q4", as_of=AS_OF, scheme=SCHEME) -> UnitScore:
    return score(inputs, scheme=scheme, period=period, as_of=as_of, rules=RULES)


def every_quarter(first="2023Q1", last="2023Q4", **kwargs) -> list[ReportState]:
    return [report(p, **kwargs) for p in periods_between(first, last)]


# -- the scheme -----------------------------------------------------------------------------------------
def test_scheme_statuses_are_the_target_statuses_that_judge_achievement():
    assert set(STATUSES) | set(UNJUDGED_STATUSES) == {s.value for s in Status}


def test_scheme_keeps_weights_and_points_as_decimals():
    assert SCHEME.weights["completion"] == Decimal(40)
    assert isinstance(SCHEME.status_points["on_track"], Decimal)
    assert hash(SCHEME) == hash(ScoringScheme("1", "默认方案", date(2021, 1, 1), dict(WEIGHTS), dict(POINTS)))


@pytest.mark.parametrize(
    ("weights", "points", "words"),
    [
        ({**WEIGHTS, "indicators": 20}, POINTS, "权重之和应为 100"),
        ({k: v for k, v in WEIGHTS.items() if k != "evidence"}, POINTS, "四项"),
        ({**WEIGHTS, "completion": -10, "indicators": 75}, POINTS, "负数"),
        (WEIGHTS, {**POINTS, "achieved": 120}, "0 至 100"),
        (WEIGHTS, {k: v for k, v in POINTS.items() if k != "at_risk"}, "四项"),
        (WEIGHTS, {**POINTS, "excellent": 100}, "四项"),
        (WEIGHTS, {**POINTS, "missed": 120}, "0 至 100"),
    ],
)
def test_bad_scheme_is_refused_naming_its_version(weights, points, words):
    with pytest.raises(ScoringSchemeInvalid, match=words) as info:
        ScoringScheme("2", "试行", date(2022, 1, 1), weights, points)
    assert "版本 2" in str(info.value)


def test_scheme_for_a_period_is_the_latest_in_force_by_its_end():
    second = ScoringScheme("2", "调整", date(2023, 1, 1), WEIGHTS, POINTS)
    schemes = [SCHEME, second]
    assert scheme_for(schemes, date(2022, 12, 31)) is SCHEME
    assert scheme_for(schemes, date(2023, 1, 1)) is second
    assert scheme_for(list(reversed(schemes)), date(2023, 12, 31)) is second


def test_no_scheme_in_force_is_a_clear_error():
    with pytest.raises(NoScoringScheme, match="2021年1月1日"):
        scheme_for([SCHEME], date(2020, 12, 31))
    with pytest.raises(NoScoringScheme, match="没有配置评分方案"):
        scheme_for([], date(2023, 12, 31))


# -- completion -----------------------------------------------------------------------------------------
def test_completion_is_the_mean_of_each_assignments_latest_percent():
    first = work(report("2023Q3", percent=30), report("2023Q4", percent=60), key="a")
    second = work(report("2023Q4", percent=20), key="b")
    component = judge(unit(first, second)).component("completion")
    assert component.ratio == Decimal("0.4")
    assert component.explanation == "2 项任务，按最新报告平均完成 40.00%（0 项已完成）"


def test_done_counts_as_complete_and_no_report_as_nothing():
    done = work(report("2023Q4", Progress.DONE, percent=90), key="a")
    silent = work(key="b")
    component = judge(unit(done, silent)).component("completion")
    assert component.ratio == Decimal("0.5")
    assert "1 项已完成" in component.explanation
    assert "1 项尚无报告（按 0% 计）" in component.explanation


def test_completion_ignores_reports_after_the_period_and_those_not_yet_submitted():
    reports = (
        report("2023Q3", percent=40),
        report("2023Q4", percent=70, submitted_on=date(2024, 3, 1)),  # submitted after the day looked at
        report("2024Q1", percent=90, submitted_on=date(2024, 1, 20)),  # a later period
    )
    assert judge(unit(work(*reports))).component("completion").ratio == Decimal("0.4")


def test_draft_report_does_not_count_for_completion():
    draft = ReportState("2023Q4", Progress.DONE, 100, None, approved=False, evidence_count=0)
    assert judge(unit(work(report("2023Q3", percent=10), draft))).component("completion").ratio == Decimal(
        "0.1"
    )


def test_assignment_starting_after_the_period_is_not_judged_for_completion():
    started = work(report("2023Q4", percent=80), key="a")
    later = work(first="2024Q1", key="b")
    assert judge(unit(started, later)).component("completion").ratio == Decimal("0.8")
    component = judge(unit(later)).component("completion")
    assert component.ratio is None
    assert component.explanation.startswith("不适用")


# -- timeliness -----------------------------------------------------------------------------------------
def test_timeliness_counts_reports_submitted_by_their_deadline():
    reports = every_quarter()  # four quarters, all on time
    late = report("2023Q2", submitted_on=report_due("2023Q2", RULES) + timedelta(days=1))
    component = judge(unit(work(*[r for r in reports if r.period != "2023Q2"], late))).component("timeliness")
    assert component.ratio == Decimal("0.75")
    assert component.explanation == "应报 4 期，按时报送 3 期"


def test_timeliness_over_three_years_reads_as_the_design_says():
    reports = every_quarter("2021Q1", "2023Q4")
    late = {"2021Q2", "2022Q3"}
    reports = [
        report(r.period, submitted_on=report_due(r.period, RULES) + timedelta(days=3))
        if r.period in late
        else r
        for r in reports
    ]
    component = judge(unit(work(*reports, first="2021Q1"))).component("timeliness")
    assert component.explanation == "应报 12 期，按时报送 10 期"


def test_report_due_today_and_not_yet_submitted_is_not_judged_yet():
    deadline = report_due("2023Q4", RULES)
    reports = every_quarter("2023Q1", "2023Q3")
    on_deadline = judge(unit(work(*reports)), as_of=deadline).component("timeliness")
    assert on_deadline.explanation == "应报 3 期，按时报送 3 期"
    day_after = judge(unit(work(*reports)), as_of=deadline + timedelta(days=1)).component("timeliness")
    assert day_after.explanation == "应报 4 期，按时报送 3 期"


def test_report_submitted_on_its_deadline_is_on_time_and_counted_that_day():
    deadline = report_due("2023Q4", RULES)
    reports = [*every_quarter("2023Q1", "2023Q3"), report("2023Q4", submitted_on=deadline)]
    component = judge(unit(work(*reports)), as_of=deadline).component("timeliness")
    assert component.explanation == "应报 4 期，按时报送 4 期"


def test_timeliness_counts_milestones_met_by_their_due_date():
    milestones = (
        MilestoneState("M1", "选址", date(2023, 6, 30), date(2023, 6, 30)),  # on the day: on time
        MilestoneState("M2", "建设", date(2023, 9, 30), date(2023, 10, 8)),  # late
        MilestoneState("M3", "验收", date(2023, 12, 31), None),  # not met
        MilestoneState("M4", "推广", date(2024, 6, 30), None),  # not yet due
    )
    component = judge(unit(work(*every_quarter(), milestones=milestones))).component("timeliness")
    assert component.explanation == "应报 4 期，按时报送 4 期；到期节点 3 个，按期完成 1 个"
    assert component.ratio == Decimal(5) / 7


def test_milestone_due_today_and_not_yet_met_is_not_judged_yet():
    due_today = MilestoneState("M1", "选址", AS_OF, None)
    component = judge(unit(work(*every_quarter(), milestones=(due_today,)))).component("timeliness")
    assert component.explanation == "应报 4 期，按时报送 4 期"


def test_timeliness_does_not_apply_before_anything_is_due():
    component = judge(unit(work(first="2023Q4")), as_of=date(2024, 1, 10)).component("timeliness")
    assert component.ratio is None
    assert component.explanation == "不适用：截至2024年1月10日尚无到期的报告或节点"


# -- evidence -------------------------------------------------------------------------------------------
def test_evidence_is_the_share_of_submitted_reports_with_evidence():
    reports = [report("2023Q1"), report("2023Q2", evidence=0), report("2023Q3", evidence=3), report("2023Q4")]
    component = judge(unit(work(*reports))).component("evidence")
    assert component.ratio == Decimal("0.75")
    assert component.explanation == "已报送 4 期报告，其中 3 期附有佐证材料"


def test_evidence_does_not_apply_without_a_submitted_report():
    component = judge(unit(work())).component("evidence")
    assert component.ratio is None
    assert component.explanation == "不适用：尚无已报送的报告"


# -- indicators -----------------------------------------------------------------------------------------
def test_indicators_score_the_mean_points_of_their_statuses():
    statuses = ("achieved", "on_track", "off_track", "unknown", "no_target")
    component = judge(unit(work(), statuses=statuses)).component("indicators")
    assert component.ratio == Decimal("0.6")
    assert component.explanation == (
        "3 项指标：已达标 1 项、进度正常 1 项、严重滞后 1 项，平均 60.00 分（另有 2 项数据不足或未设目标，不计）"
    )


def test_indicators_accept_target_status_values():
    component = judge(unit(work(), statuses=(Status.ACHIEVED, Status.AT_RISK))).component("indicators")
    assert component.ratio == Decimal("0.7")


def test_indicators_without_a_judged_status_do_not_apply():
    assert judge(unit(work(), statuses=("unknown",))).component("indicators").explanation == (
        "不适用：所负责指标均数据不足或未设目标"
    )
    assert judge(unit(work())).component("indicators").explanation == "不适用：本单位没有负责的指标"


def test_unknown_indicator_status_is_refused():
    with pytest.raises(UnknownStatus, match="excellent"):
        judge(unit(work(), statuses=("excellent",)))


def test_a_target_missed_at_its_date_scores_as_off_track_when_the_scheme_gives_it_no_points():
    assert "missed" not in SCHEME.status_points and SCHEME.points("missed") == SCHEME.points("off_track")
    component = judge(unit(work(), statuses=(Status.ACHIEVED, Status.MISSED))).component("indicators")
    assert component.ratio == Decimal("0.5")
    assert component.explanation == "2 项指标：已达标 1 项、未达标 1 项，平均 50.00 分"
    assert component.facts["counts"] == {"achieved": 1, "missed": 1}


def test_a_scheme_may_give_a_missed_target_points_of_its_own():
    own = ScoringScheme("2", "试行", date(2022, 1, 1), WEIGHTS, {**POINTS, "off_track": 20, "missed": 10})
    component = judge(unit(work(), statuses=("off_track", "missed")), scheme=own).component("indicators")
    assert component.ratio == Decimal("0.15")


# -- the total ------------------------------------------------------------------------------------------
def test_perfect_unit_scores_100_with_each_component_its_weight():
    result = judge(unit(work(*every_quarter(percent=100)), statuses=("achieved",)))
    assert result.total == Decimal("100.00")
    assert [c.points for c in result.components] == [
        Decimal("40.00"),
        Decimal("20.00"),
        Decimal("15.00"),
        Decimal("25.00"),
    ]
    assert [c.label for c in result.components] == ["任务完成", "按时报送", "佐证材料", "指标达成"]
    assert result.scheme_version == "1"


def test_weights_of_components_that_do_not_apply_are_spread_over_the_others():
    # No indicators: completion 40, timeliness 20, evidence 15 are scaled to 100 (by 100/75).
    result = judge(unit(work(*every_quarter(percent=100))))
    assert result.total == Decimal("100.00")
    assert [c.points for c in result.components] == [
        Decimal("53.33"),
        Decimal("26.67"),
        Decimal("20.00"),
        Decimal("0.00"),
    ]
    indicators = result.component("indicators")
    assert indicators.ratio is None
    assert indicators.weight == Decimal(25)


def test_total_combines_the_components_by_their_weights():
    reports = [report("2023Q1", percent=20), report("2023Q2", percent=40, evidence=0)]
    result = judge(unit(work(*reports), statuses=("at_risk",)))
    # completion 0.4 × 40 = 16; timeliness 2 of 4 × 20 = 10; evidence 1 of 2 × 15 = 7.5; indicators 0.4 × 25 = 10
    assert [c.points for c in result.components] == [
        Decimal("16.00"),
        Decimal("10.00"),
        Decimal("7.50"),
        Decimal("10.00"),
    ]
    assert result.total == Decimal("43.50")


def test_points_are_rounded_to_add_up_to_the_total():
    # Three components of 20 scaled to 100/3 each (indicators do not apply): 33.33 × 3 is 99.99, so the cent
    # left over goes to the first of them (equal remainders: component order).
    weights = {"completion": 20, "timeliness": 20, "evidence": 20, "indicators": 40}
    scheme = ScoringScheme("t", "三等分", date(2021, 1, 1), weights, POINTS)
    result = judge(unit(work(*every_quarter(percent=100))), scheme=scheme)
    assert result.total == Decimal("100.00")
    assert [c.points for c in result.components] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("0.00"),
    ]


def test_leftover_cent_goes_to_the_largest_remainder():
    # completion weighs 0, so timeliness 50, evidence 25 and indicators (none) scale by 100/75:
    # 66.666… + 11.111… = 77.777… → total 77.78; the cent goes to timeliness (remainder .0066… > .0011…).
    weights = {"completion": 0, "timeliness": 50, "evidence": 25, "indicators": 25}
    scheme = ScoringScheme("t", "示例", date(2021, 1, 1), weights, POINTS)
    reports = [report("2023Q1"), report("2023Q2", evidence=0), report("2023Q3", evidence=0)]
    result = judge(unit(work(*reports)), period="2023Q3", scheme=scheme, as_of=date(2023, 12, 1))
    assert result.total == Decimal("77.78")
    assert [c.points for c in result.components] == [
        Decimal("0.00"),
        Decimal("66.67"),
        Decimal("11.11"),
        Decimal("0.00"),
    ]


def test_unit_with_nothing_to_judge_scores_zero_and_says_why():
    result = judge(UnitInputs("tyj", "省体育局", "department", ()))
    assert result.total == Decimal("0.00")
    assert not result.applicable
    assert all(c.explanation.startswith("不适用") and c.points == 0 for c in result.components)


def test_score_is_deterministic():
    inputs = unit(work(*every_quarter(percent=37)), statuses=("at_risk", "on_track"))
    assert judge(inputs) == judge(inputs)


def test_bundled_plans_scheme_scores_a_unit(plan: Plan):
    scheme = scheme_for(plan.evaluation_schemes, Period.parse("2023Q4").end)
    result = score(
        unit(work(*every_quarter(percent=100))),
        scheme=scheme,
        period="2023Q4",
        as_of=AS_OF,
        rules=plan.supervision,
    )
    assert result.total == Decimal("100.00")


# -- lead (牵头) and co-operating (配合) assignments ----------------------------------------------------------
LEAD_WEIGHS_TWO = ScoringScheme(
    "2", "牵头加权", date(2021, 1, 1), WEIGHTS, POINTS, unit_weights={"lead": 2, "cooperating": 1}
)


def leads_one_done_cooperates_on_one_unstarted() -> UnitInputs:
    """Leads a task finished and reported every quarter with evidence; co-operates on one it never reported."""
    led = work(*every_quarter(progress=Progress.DONE, percent=100), key="led")
    joined = work(key="joined")
    return UnitInputs("gxt", "省工信厅", "department", (led, joined), leads={"led"})


def test_unit_leading_a_finished_task_scores_higher_when_the_lead_weighs_two():
    inputs = leads_one_done_cooperates_on_one_unstarted()

    equal = judge(inputs)
    weighted = judge(inputs, scheme=LEAD_WEIGHS_TWO)

    # 1/1: completion (100 + 0) / 2 = 50 %, timeliness 4 of 8 reports, evidence 4 of 4; over 40 + 20 + 15 = 75:
    # 40 × 0.5 + 20 × 0.5 + 15 × 1 = 45 → 60.00
    assert [c.ratio for c in equal.components[:3]] == [Decimal("0.5"), Decimal("0.5"), Decimal(1)]
    assert [c.points for c in equal.components] == [
        Decimal("26.67"),
        Decimal("13.33"),
        Decimal("20.00"),
        Decimal("0.00"),
    ]
    assert equal.total == Decimal("60.00")
    # 2/1: completion (2 × 100 + 1 × 0) / 3, timeliness (2 × 4) / (2 × 4 + 1 × 4): both 2/3; evidence 1:
    # 40 × 2/3 + 20 × 2/3 + 15 = 55 → 73.33
    assert weighted.component("completion").facts["mean"] == "66.67"
    assert weighted.component("timeliness").ratio.quantize(Decimal("0.0001")) == Decimal("0.6667")
    assert weighted.component("evidence").ratio == Decimal(1)
    assert [c.points for c in weighted.components] == [
        Decimal("35.55"),
        Decimal("17.78"),
        Decimal("20.00"),
        Decimal("0.00"),
    ]
    assert weighted.total == Decimal("73.33")


def test_weighting_is_said_in_the_explanation_and_its_facts():
    weighted = judge(leads_one_done_cooperates_on_one_unstarted(), scheme=LEAD_WEIGHS_TWO)

    completion = weighted.component("completion")
    assert "2 项任务（牵头 1 项，按牵头 2、配合 1 加权），按最新报告平均完成 66.67%" in completion.explanation
    assert completion.facts["weighted"] == {"leads": 1, "lead": "2", "cooperating": "1"}
    timeliness = weighted.component("timeliness")
    assert (
        timeliness.explanation
        == "应报 8 期，按时报送 4 期（牵头 1 项，按牵头 2、配合 1 加权），按时率 66.67%"
    )
    assert timeliness.facts["weighted"]["rate"] == "66.67"
    # only the led task has reports: evidence counts one role, so nothing is weighted
    assert "weighted" not in weighted.component("evidence").facts
    assert (
        "加权" not in judge(leads_one_done_cooperates_on_one_unstarted()).component("completion").explanation
    )


def test_evidence_of_a_lead_report_weighs_its_role():
    led = work(report("2023Q4", evidence=1), key="led")
    joined = work(report("2023Q4", evidence=0), key="joined")
    inputs = UnitInputs("gxt", "省工信厅", "department", (led, joined), leads={"led"})

    assert judge(inputs).component("evidence").ratio == Decimal("0.5")
    evidence = judge(inputs, scheme=LEAD_WEIGHS_TWO).component("evidence")
    assert evidence.ratio.quantize(Decimal("0.0001")) == Decimal("0.6667")
    assert evidence.explanation.endswith("占 66.67%")


def test_unit_with_one_role_only_scores_the_same_whatever_the_weights():
    reports = [report("2023Q1", percent=20), report("2023Q2", percent=40, evidence=0)]
    first, second = work(*reports, key="a"), work(report("2023Q4", percent=90), key="b")
    for leads in (set(), {"a", "b"}):
        inputs = UnitInputs("gxt", "省工信厅", "department", (first, second), leads=leads)
        assert judge(inputs, scheme=LEAD_WEIGHS_TWO).total == judge(inputs).total


def test_scheme_without_unit_weights_weighs_both_roles_one():
    assert SCHEME.unit_weights == {"lead": Decimal(1), "cooperating": Decimal(1)}
    assert not SCHEME.weighs_roles
    assert LEAD_WEIGHS_TWO.role_weight("lead") == Decimal(2)


@pytest.mark.parametrize(
    ("unit_weights", "words"),
    [
        ({"lead": 2}, "lead（牵头）和 cooperating（配合）两项"),
        ({"lead": 2, "cooperating": 1, "others": 1}, "两项"),
        ({"lead": 2, "cooperating": 0}, "大于 0"),
        ({"lead": -1, "cooperating": 1}, "大于 0"),
        ({"lead": 101, "cooperating": 1}, "不超过 100"),
    ],
)
def test_bad_unit_weights_are_refused(unit_weights, words):
    with pytest.raises(ScoringSchemeInvalid, match=words):
        ScoringScheme("2", "试行", date(2022, 1, 1), WEIGHTS, POINTS, unit_weights=unit_weights)


def test_lead_of_an_assignment_the_unit_does_not_have_is_refused():
    with pytest.raises(EvaluationError, match="牵头的任务分工 x 不在"):
        UnitInputs("gxt", "省工信厅", "department", (work(key="a"),), leads={"x"})


# -- ranking --------------------------------------------------------------------------------------------
def fake(key: str, total: str) -> UnitScore:
    return UnitScore(key=key, name=key, kind="city", total=Decimal(total), components=(), scheme_version="1")


def test_ranking_is_a_competition_ranking_with_ties_listed_by_key():
    ranked = rank([fake("d", "70"), fake("c", "80"), fake("a", "90"), fake("b", "80")])
    assert [(r.rank, r.score.key) for r in ranked] == [(1, "a"), (2, "b"), (2, "c"), (4, "d")]


def test_ranking_nothing_is_empty():
    assert rank([]) == []


# -- properties -----------------------------------------------------------------------------------------
QUARTERS = periods_between("2021Q1", "2024Q2")
BASE = date(2021, 1, 1)


@st.composite
def schemes(draw) -> ScoringScheme:
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=3, max_size=3)))
    hundredths = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    weights = {name: Decimal(h) / 100 for name, h in zip(COMPONENTS, hundredths, strict=True)}
    points = {s: Decimal(draw(st.integers(0, 10_000))) / 100 for s in STATUSES}
    return ScoringScheme("p", "随机", BASE, weights, points)


@st.composite
def assignments(draw, key: str) -> AssignmentState:
    first = draw(st.sampled_from(QUARTERS))
    reports = []
    for period in draw(st.lists(st.sampled_from(QUARTERS), unique=True, max_size=8)):
        submitted = draw(st.none() | st.integers(0, 1400).map(lambda d: BASE + timedelta(days=d)))
        reports.append(
            ReportState(
                period,
                draw(st.sampled_from(list(Progress))),
                draw(st.integers(0, 100)),
                submitted,
                approved=draw(st.booleans()),
                evidence_count=draw(st.integers(0, 3)),
            )
        )
    milestones = tuple(
        MilestoneState(
            f"M{i}",
            "节点",
            BASE + timedelta(days=draw(st.integers(0, 1400))),
            draw(st.none() | st.integers(0, 1400).map(lambda d: BASE + timedelta(days=d))),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    return AssignmentState(key, first, milestones, reports)


@st.composite
def units(draw, key: str = "u") -> UnitInputs:
    works = tuple(draw(assignments(f"{key}-{i}")) for i in range(draw(st.integers(0, 4))))
    statuses = tuple(draw(st.lists(st.sampled_from([*STATUSES, *UNJUDGED_STATUSES]), max_size=6)))
    return UnitInputs(key, key, "city", works, statuses)


@settings(max_examples=200, deadline=None)
@given(
    inputs=units(),
    scheme=schemes(),
    period=st.sampled_from(QUARTERS),
    as_of=st.integers(0, 1500).map(lambda d: BASE + timedelta(days=d)),
)
def test_total_is_within_0_and_100_and_the_sum_of_the_points(inputs, scheme, period, as_of):
    result = score(inputs, scheme=scheme, period=period, as_of=as_of, rules=RULES)
    assert Decimal(0) <= result.total <= Decimal(100)
    assert result.total == sum(c.points for c in result.components)
    assert result.total == result.total.quantize(Decimal("0.01"))
    for component in result.components:
        assert component.points >= 0
        if component.ratio is None:
            assert component.points == 0
            assert "不适用" in component.explanation
        else:
            assert Decimal(0) <= component.ratio <= Decimal(1)
    applicable = [c for c in result.components if c.ratio is not None]
    if applicable and all(c.ratio == 1 for c in applicable) and sum(c.weight for c in applicable):
        assert result.total == Decimal(100)


@given(totals=st.lists(st.integers(0, 10_000), max_size=12))
def test_ranking_is_consistent_with_the_totals(totals):
    scores = [fake(f"u{i:02d}", str(Decimal(t) / 100)) for i, t in enumerate(totals)]
    ranked: list[RankedScore] = rank(reversed(scores))
    assert sorted(r.score.key for r in ranked) == sorted(s.key for s in scores)
    for position, entry in enumerate(ranked, start=1):
        higher = sum(1 for s in scores if s.total > entry.score.total)
        assert entry.rank == higher + 1  # competition ranking: one more than the units strictly ahead
        assert entry.rank <= position
    for before, after in itertools.pairwise(ranked):
        assert (-before.score.total, before.score.key) < (-after.score.total, after.score.key)

"""``yangfan tasks overdue``: the supervision list on the command line, in JSON or as a table, of one unit or all;
and the daily job that escalates unanswered notices."""

from __future__ import annotations

import json
from datetime import date, timedelta

from tests.test_cli import assert_one_line_error, yangfan


def test_tasks_overdue_lists_missing_reports_of_a_unit(initialised_env):
    cli_env = initialised_env
    args = ("tasks", "overdue", "--period", "2023Q4", "--as-of", "2024-01-16", "--format", "json")
    result = yangfan(*args, "--unit", "省文旅厅", env=cli_env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    # nothing was reported: each of 省文旅厅's three clauses is one day late on 2024-01-16, none the day before
    assert sorted(r["task"] for r in rows) == ["T2.1.2", "T2.1.3", "T3.3.3"]
    assert {r["kind"] for r in rows} == {"no_report"} and {r["unit"] for r in rows} == {"省文旅厅"}
    assert rows[0]["detail"]["deadline"] == "2024-01-15" and rows[0]["detail"]["days_overdue"] == 1
    before = yangfan(*args[:-4], "--as-of", "2024-01-15", "--format", "json", "--unit", "wlt", env=cli_env)
    assert json.loads(before.stdout) == []
    xian = json.loads(yangfan(*args, "--unit", "西安市", env=cli_env).stdout)
    assert len(xian) == 22 and {r["unit"] for r in xian} == {"西安市人民政府"}
    table = yangfan(*args[:-2], "--unit", "省文旅厅", env=cli_env)
    assert table.returncode == 0 and "逾期未报" in table.stdout and "3 项" in table.stdout


def test_tasks_overdue_refuses_unknown_units_periods_and_days(initialised_env):
    cli_env = initialised_env
    assert "未知责任单位“火星局”" in assert_one_line_error(
        yangfan("tasks", "overdue", "--unit", "火星局", env=cli_env)
    )
    assert "2023Q4" in assert_one_line_error(yangfan("tasks", "overdue", "--period", "202312", env=cli_env))
    assert "2024-01-20" in assert_one_line_error(yangfan("tasks", "overdue", "--as-of", "昨天", env=cli_env))


def test_the_daily_job_escalates_unanswered_notices(db, make_user):
    from yangfan.supervision import services
    from yangfan.supervision.models import Assignment
    from yangfan.supervision.tasks import notices_daily

    share = Assignment.objects.get(task__code="T2.1.1", responsible_unit__code="gxt", subtask__isnull=True)
    deadline = date.today() + timedelta(days=1)
    notice = services.notice_issue(
        actor=make_user("province"),
        assignment=share,
        title="督办",
        issue="未报",
        required_action="补报",
        deadline=deadline,
    )
    # on its deadline it is yellow: its unit is reminded; the day after, it is escalated
    first = notices_daily.call(today=deadline.isoformat())
    assert (first["escalated"], first["notices_due"]) == (0, 1)
    assert notices_daily.call(today=(deadline + timedelta(days=1)).isoformat())["escalated"] == 1
    notice.refresh_from_db()
    assert notice.status == "escalated"

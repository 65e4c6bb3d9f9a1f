"""Validation of reports: findings from the stored values and from rows about to be written, submission blocked
by errors and by unexplained warnings, the checks page within the view scope, and ``yangfan values check``."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from yangfan.actionplans.models import DataElement, DataSet, Operator
from yangfan.audit.models import AuditEntry
from yangfan.collection.checks import EVERY_OPERATOR, findings_for, rows_findings, submission_findings
from yangfan.collection.choices import SubmissionStatus
from yangfan.collection.services import submission_act, submission_open
from yangfan.datavalues.importers import ParsedRow
from yangfan.datavalues.services import datavalues_import
from yangfan.orgunits.models import OrgUnit

S = SubmissionStatus


def unit(code):
    return OrgUnit.objects.get(code=code)


def row(element, org, period, value, operator=None, n=2):
    return ParsedRow(
        n,
        DataElement.objects.get(code=element),
        unit(org),
        period,
        Operator.objects.get(code=operator) if operator else None,
        Decimal(value),
        "",
    )


def store(*rows):
    datavalues_import(rows=[row(*r, n=i + 2) for i, r in enumerate(rows)], file="test.csv")


@pytest.fixture
def xian_q4(db):
    """西安's quarterly report for 2023Q4 (the done-when case): its 13 counties are the rows."""
    return submission_open(
        data_set=DataSet.objects.get(code="city-quarterly"), org_unit=unit("610100"), period="2023Q4"
    )


def test_a_report_with_plausible_figures_has_no_findings(xian_q4):
    store(
        ("population", "610116", "2023", 1_400_000),
        ("mobile_users_5g", "610116", "2023Q3", 600_000),
        ("mobile_users_5g", "610116", "2023Q4", 650_000),
        ("base_stations_5g", "610116", "2023Q3", 3_000),
        ("base_stations_5g", "610116", "2023Q4", 3_300),
    )
    assert submission_findings(xian_q4) == []


def test_v04_penetration_above_100_blocks_the_submission(make_user, xian_q4):
    store(("population", "610116", "2023", 1_000_000), ("mobile_users_5g", "610116", "2023Q4", 1_050_000))
    (finding,) = submission_findings(xian_q4)
    assert finding.rule == "V04" and finding.is_error  # population is another report's, stored for the unit
    assert finding.message == "5G移动电话用户数 / 常住人口 × 100 = 105 > 100（长安区，2023Q4）"
    with pytest.raises(ValidationError) as refused:
        submission_act(actor=make_user("city-reporter"), submission=xian_q4, action="submit")
    assert "1 处错误" in refused.value.messages[0] and "V04" in refused.value.messages[0]
    xian_q4.refresh_from_db()
    assert xian_q4.status == S.DRAFT and not xian_q4.events.exists()


def test_without_a_population_the_penetration_rule_is_skipped(xian_q4):
    store(("mobile_users_5g", "610116", "2023Q4", 1_050_000))
    assert submission_findings(xian_q4) == []


def test_a_warning_needs_an_explanation_which_the_submission_keeps(make_user, xian_q4):
    reporter = make_user("city-reporter")
    store(("base_stations_5g", "610116", "2023Q3", 1_000), ("base_stations_5g", "610116", "2023Q4", 1_400))
    (warning,) = submission_findings(xian_q4)
    assert (warning.rule, warning.key, warning.is_error) == ("V07", "V07|610116|2023Q4|", False)
    for explanations in (None, {}, {warning.key: "   "}, {"V07|610112|2023Q4|": "别处的说明"}):
        with pytest.raises(ValidationError) as refused:
            submission_act(actor=reporter, submission=xian_q4, action="submit", explanations=explanations)
        assert "警告须填写说明" in refused.value.messages[0] and "V07" in refused.value.messages[0]
        assert xian_q4.status == S.DRAFT
    submission_act(
        actor=reporter,
        submission=xian_q4,
        action="submit",
        explanations={warning.key: " 第四季度集中开通400个站 ", "stale": "x"},
    )
    xian_q4.refresh_from_db()
    assert xian_q4.status == S.SUBMITTED
    assert xian_q4.explanations == {"V07|610116|2023Q4|": "第四季度集中开通400个站"}


def test_an_operators_report_answers_for_its_own_part(make_user):
    cmcc = make_user("operator")
    report = submission_open(
        data_set=DataSet.objects.get(code="operator-monthly"),
        org_unit=unit("610100"),
        period="202312",
        operator=Operator.objects.get(code="cmcc"),
    )
    store(  # 中国电信's part is wrong in 长安区; 中国移动's is right
        ("mobile_users_5g", "610116", "202312", 500, "cmcc"),
        ("mobile_users_total", "610116", "202312", 1_000, "cmcc"),
        ("mobile_users_5g", "610116", "202312", 1_200, "ctcc"),
        ("mobile_users_total", "610116", "202312", 1_000, "ctcc"),
    )
    assert submission_findings(report) == []
    submission_act(actor=cmcc, submission=report, action="submit")
    every = findings_for(
        data_set=report.data_set, org_unit=report.org_unit, period="202312", operator=EVERY_OPERATOR
    )
    assert [(f.rule, f.operator) for f in every] == [("V01", "ctcc")]  # the total (1,700 ≤ 2,000) holds


def test_rows_about_to_be_written_are_checked_on_top_of_the_stored_values(db):
    store(("population", "610116", "2023", 1_000_000), ("mobile_users_5g", "610112", "2023Q4", 2_000_000))
    found = rows_findings([row("mobile_users_5g", "610116", "2023Q4", 1_200_000)])
    assert [(f.rule, f.org_unit) for f in found] == [
        ("V04", "610116")
    ]  # 未央区's stored figure is not touched
    # the row replaces what is stored for the same cell
    store(("mobile_users_5g", "610116", "2023Q4", 1_200_000))
    assert rows_findings([row("mobile_users_5g", "610116", "2023Q4", 900_000)]) == []
    assert rows_findings([]) == []


def test_an_operators_rows_answer_for_its_own_part(db):
    store(
        ("mobile_users_5g", "610116", "202312", 1_200, "ctcc"),  # 中国电信's part is wrong already
        ("mobile_users_total", "610116", "202312", 1_000, "ctcc"),
    )
    cmcc = [
        row("mobile_users_total", "610116", "202312", 100, "cmcc"),
        row("mobile_users_5g", "610116", "202312", 90, "cmcc"),
    ]
    assert rows_findings(cmcc) == []  # the sum of the parts (1,290 > 1,100) is no report of 中国移动's
    store(("mobile_users_total", "610116", "202312", 100, "cmcc"))
    (found,) = rows_findings([row("mobile_users_5g", "610116", "202312", 200, "cmcc")])
    assert (found.rule, found.operator, found.key) == ("V01", "cmcc", "V01|610116|202312|cmcc")


# -- the page -----------------------------------------------------------------------------------------------------


def checks_url(**query):
    from urllib.parse import urlencode

    return reverse("collection:checks") + "?" + urlencode(query)


def test_the_checks_page_groups_errors_and_warnings(client_for, xian_q4):
    store(
        ("population", "610116", "2023", 1_000_000),
        ("mobile_users_5g", "610116", "2023Q4", 1_050_000),
        ("base_stations_5g", "610112", "2023Q3", 1_000),
        ("base_stations_5g", "610112", "2023Q4", 1_400),
    )
    response = client_for("city-reporter").get(
        checks_url(data_set="city-quarterly", org="610100", period="2023Q4")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "错误（1）" in page and "警告（1）" in page
    assert "5G移动电话用户数 / 常住人口 × 100 = 105 &gt; 100（长安区，2023Q4）" in page
    assert 'data-key="V07|610112|2023Q4|"' in page
    assert [r["finding"].rule for r in response.context["errors"]] == ["V04"]
    assert [r["finding"].rule for r in response.context["warnings"]] == ["V07"]


def test_the_checks_page_without_a_report_shows_the_picker_and_a_clean_one_says_so(client_for, db):
    client = client_for("city-reporter")
    page = client.get(reverse("collection:checks")).content.decode()
    assert 'name="data_set"' in page and "610100" in page and "610300" not in page  # 宝鸡 is not in scope
    clean = client.get(checks_url(data_set="city-quarterly", org="610100", period="2023Q4")).content.decode()
    assert "未发现问题" in clean


def test_a_period_of_the_wrong_kind_is_named(client_for, db):
    client = client_for("province")
    response = client.get(checks_url(data_set="city-quarterly", org="610100", period="202312"))
    assert response.status_code == 200 and "2023Q4" in response.context["period_error"]
    response = client.get(checks_url(data_set="city-quarterly", org="610100", period="2023Q9"))
    assert "不是有效的期间" in response.context["period_error"]
    response = client.get(
        checks_url(data_set="city-quarterly", org="610100")
    )  # none: the plan's last quarter
    assert str(response.context["period"]) == "2023Q4"


def test_the_checks_page_refuses_a_unit_out_of_the_viewers_scope(client_for, db):
    response = client_for("city-reporter").get(
        checks_url(data_set="city-quarterly", org="610300", period="2023Q4")
    )
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    assert AuditEntry.objects.filter(action="permission_denied", detail="data.view").exists()
    assert client_for("admin").get(reverse("collection:checks")).status_code == 403  # no data role


def test_an_operators_reporter_sees_its_own_parts_only(client_for, db):
    store(
        ("mobile_users_5g", "610116", "202312", 1_200, "cmcc"),
        ("mobile_users_total", "610116", "202312", 1_000, "cmcc"),
        ("mobile_users_5g", "610116", "202312", 1_300, "ctcc"),
        ("mobile_users_total", "610116", "202312", 1_000, "ctcc"),
    )
    query = {"data_set": "operator-monthly", "org": "610100", "period": "202312", "operator": "ctcc"}
    response = client_for("operator").get(checks_url(**query))  # asks for 中国电信: gets 中国移动's own
    assert [(r["finding"].rule, r["finding"].operator) for r in response.context["errors"]] == [
        ("V01", "cmcc")
    ]
    response = client_for("province").get(checks_url(**{**query, "operator": ""}))
    assert [(r["finding"].operator) for r in response.context["errors"]] == [None, "cmcc", "ctcc"]


# -- the command --------------------------------------------------------------------------------------------------


def yangfan(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "yangfan", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_values_check_prints_findings_and_exits_1_on_errors_only(initialised_env, tmp_path):
    cli_env = initialised_env
    warning_only = tmp_path / "warning.csv"
    warning_only.write_text(
        "数据项,期间,地区,值\n5G基站数,2023Q3,长安区,1000\n5G基站数,2023Q4,长安区,1400\n", encoding="utf-8"
    )
    assert yangfan("values", "import", str(warning_only), env=cli_env).returncode == 0
    result = yangfan("values", "check", "--org", "西安市", "--period", "2023Q4", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "V07" in result.stdout and "错误 0 项，警告 1 项" in result.stdout

    error = tmp_path / "error.csv"
    error.write_text(
        "data_element,period,org_unit,value\npopulation,2023,610116,1000000\nmobile_users_5g,2023Q4,610116,105万\n",
        encoding="utf-8",
    )
    assert yangfan("values", "import", str(error), env=cli_env).returncode == 0
    result = yangfan(
        "values", "check", "--org", "610100", "--period", "2023Q4", "--data-set", "city-quarterly",
        "--format", "json", env=cli_env,
    )  # fmt: skip
    assert result.returncode == 1
    found = json.loads(result.stdout)
    assert [(f["rule"], f["importance"], f["org_unit"], f["key"]) for f in found] == [
        ("V04", "error", "610116", "V04|610116|2023Q4|"),
        ("V07", "warning", "610116", "V07|610116|2023Q4|"),
    ]
    assert found[0]["message"] == "5G移动电话用户数 / 常住人口 × 100 = 105 > 100（长安区，2023Q4）"
    assert found[0]["left"] == "105" and found[0]["period"] == "2023Q4"

    wrong = yangfan(
        "values",
        "check",
        "--org",
        "610100",
        "--period",
        "202312",
        "--data-set",
        "city-quarterly",
        env=cli_env,
    )
    assert wrong.returncode == 2 and "2023Q4" in wrong.stderr
    unknown = yangfan(
        "values", "check", "--org", "610100", "--period", "2023Q4", "--data-set", "nope", env=cli_env
    )
    assert unknown.returncode == 2 and "city-quarterly" in unknown.stderr


def test_an_imports_findings_read_the_rows_units_and_periods_whatever_the_history(db, monkeypatch, settings):
    """The findings of rows about to be written read the values of the rows' units in the periods the rules look
    at (the year and the period before), not every stored period: ten earlier years change nothing read."""
    from yangfan.collection import checks

    element = DataElement.objects.get(code="mobile_users_5g")
    xian = OrgUnit.objects.get(code="610102")
    read: list[int] = []
    original = checks.values_for_engine

    def counting(*args, **kwargs):
        values = original(*args, **kwargs)
        read.append(sum(len(p) for (_e, _u), by in values._index.items() for p in by.values()))
        return values

    monkeypatch.setattr(checks, "values_for_engine", counting)
    settings.YANGFAN_BASELINE_YEARS = 11  # the history below starts in 2010
    datavalues_import(rows=[ParsedRow(2, element, xian, "202311", None, Decimal(4), "")], file="last.csv")
    row = ParsedRow(2, element, xian, "202312", None, Decimal(5), "")
    checks.rows_findings([row])
    before = read[-1]
    assert before == 1  # November, the month before (the jump rule)
    history = [
        ParsedRow(n, element, xian, f"{year}{month:02d}", None, Decimal(n), "")
        for n, (year, month) in enumerate(((y, m) for y in range(2010, 2020) for m in range(1, 13)), start=2)
    ]
    datavalues_import(rows=history, file="history.csv")
    checks.rows_findings([row])
    assert read[-1] == before

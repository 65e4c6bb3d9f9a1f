"""A report's history says what happened: a return reads 「退回」, an approval 「审核通过」, an unlock 「解锁」, never
a bare 「审核」 for all three (data reports and task progress reports share the workflow panel)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from yangfan.actionplans.models import DataSet
from yangfan.collection.services import submission_act, submission_open
from yangfan.orgunits.models import OrgUnit


@pytest.fixture
def report(make_user):
    """宝鸡's yearly population report, submitted by its reviewer (ROLE_USERS: 宝鸡)."""
    reviewer = make_user("city-reviewer")
    report = submission_open(
        data_set=DataSet.objects.get(code="population-yearly"),
        org_unit=OrgUnit.objects.get(code="610300"),
        period="2023",
    )
    submission_act(actor=reviewer, submission=report, action="submit")
    return report


def verbs(client, report) -> tuple[str, list[str]]:
    """The verb of the panel's "<who> 于 <when> <verb>" line, and the actions of the history table."""
    page = client.get(reverse("collection:submission", kwargs={"pk": report.pk})).content.decode()
    panel = re.search(r"u-province 于 \d{4}-\d\d-\d\d \d\d:\d\d (\S+?)<", page)
    history = re.findall(r"<tr><td>[\d: -]+</td><td>([^<]+)</td>", page)
    return panel.group(1) if panel else "", history


def test_a_returned_report_reads_returned_not_reviewed(client, make_user, report):
    office = make_user("province")
    submission_act(actor=office, submission=report, action="return", comment="渭滨区人口与公报不符")
    client.force_login(office)
    panel, history = verbs(client, report)
    assert panel == "退回"
    assert history == ["报送", "退回"]


def test_approved_then_unlocked_reads_each_step(client, make_user, report):
    office = make_user("province")
    client.force_login(office)
    submission_act(actor=office, submission=report, action="approve")
    assert verbs(client, report)[0] == "审核通过"
    submission_act(actor=office, submission=report, action="unlock", comment="统计局更正")
    panel, history = verbs(client, report)
    assert panel == "解锁"
    assert history == ["报送", "审核通过", "解锁"]


def test_a_returned_progress_report_reads_returned(client, make_user, tmp_path, settings):
    """Task progress reports follow the same workflow and show the same panel."""
    from yangfan.actionplans.models import ResponsibleUnit
    from yangfan.supervision import services
    from yangfan.supervision.models import Assignment

    settings.DATA_DIR = tmp_path
    gxt = ResponsibleUnit.objects.get(plan__code="shaanxi-5g-2021-2023", code="gxt")
    department = make_user("department", responsible_unit=gxt)
    office = make_user("province")
    assignment = Assignment.objects.get(
        task__code="T2.1.1", responsible_unit=gxt, org_unit__code="610000", subtask__isnull=True
    )
    report = services.progress_report_open(assignment=assignment, period="2023Q4")
    services.progress_report_save(
        actor=department, report=report, progress="in_progress", percent=30, narrative="已启动"
    )
    services.progress_report_act(actor=department, report=report, action="submit")
    services.progress_report_act(actor=office, report=report, action="return", comment="请补充佐证材料")
    client.force_login(office)
    page = client.get(report.get_absolute_url()).content.decode()
    assert re.search(r"u-province 于 \d{4}-\d\d-\d\d \d\d:\d\d 退回<", page)
    assert not re.search(r"u-province 于 [\d: -]+ 审核<", page)

"""The navigation shows each role what it can use and nothing it cannot; the org tree links only the units the
viewer may open, so that browsing it leaves no refusal in the audit trail."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from yangfan.audit.models import AuditEntry

AREAS = {"总览", "行动计划", "指标监测", "数据填报", "任务督导", "应用仓库", "报告", "组织机构"}


def menu(client) -> list[str]:
    html = client.get(reverse("portal:home")).content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    assert "后续版本" not in html and 'class="disabled"' not in nav
    return re.findall(r"<a href=\"[^\"]+\"[^>]*>([^<]+)</a>", nav)


@pytest.mark.parametrize(
    ("role", "missing", "extra"),
    [
        ("province", set(), {"原始数据", "应用安全"}),
        ("city-reporter", {"报告"}, set()),
        ("operator", {"任务督导", "报告"}, {"原始数据"}),  # its own raw files
        ("viewer", set(), set()),
        ("expert", {"数据填报", "任务督导", "应用仓库", "报告"}, {"标杆评审", "目标评审"}),
        ("admin", {"数据填报", "任务督导", "应用仓库", "报告"}, {"用户管理"}),
        # the registries it reads are the security records (密评, inspections, threats)
        ("auditor", {"数据填报", "任务督导", "报告"}, {"审计日志", "应用安全"}),
        ("city-office", set(), {"应用安全"}),
        # an enterprise: its own entries and its security assessments, no figures, no tasks, no report
        ("enterprise", {"数据填报", "任务督导", "报告"}, {"应用安全"}),
    ],
)
def test_each_role_sees_the_areas_it_can_use(client_for, role, missing, extra):
    client = client_for(role)
    shown = menu(client)
    assert set(shown) == (AREAS - missing) | extra, role
    nav = re.search(r'<nav class="mainnav".*?</nav>', client.get("/").content.decode(), re.S).group(0)
    for url in re.findall(r'href="([^"]+)"', nav):
        assert client.get(url, follow=True).status_code == 200, (role, url)  # every area shown opens


def test_the_tree_links_only_the_units_the_viewer_may_open(client_for):
    tree = reverse("orgunits:tree")
    reporter = client_for("city-reporter")  # 西安
    html = reporter.get(tree).content.decode()
    assert 'href="/orgunits/610100/"' in html and 'href="/orgunits/610116/"' in html
    assert 'href="/orgunits/610300/"' not in html and "宝鸡市" in html  # named, not linked
    assert 'href="/orgunits/610000/"' not in html
    before = AuditEntry.objects.filter(action="permission_denied").count()
    for admin_like in ("admin", "auditor", "expert"):
        page = client_for(admin_like).get(tree).content.decode()
        assert "陕西省" in page and "/orgunits/6" not in page, admin_like
    province = client_for("province").get(tree).content.decode()
    assert len(re.findall(r'href="/orgunits/\d+/"', province)) >= 118  # every unit, groups' members included
    assert AuditEntry.objects.filter(action="permission_denied").count() == before

"""An org group (西咸新区, 府谷县 …) is in a user's view scope when every unit it draws on is: one rule in the
permission module, the same answer on the dashboard, the report page, the report itself, the API and the CLI.

西咸新区 overlaps 西安 and 咸阳: the province sees it, 西安's reporter does not. 府谷县 is a county of 榆林: a 榆林
user sees it, and not 西咸新区."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from tests.conftest import login_as

from yangfan.accounts.permissions import groups_in_scope, may
from yangfan.audit.models import AuditEntry
from yangfan.orgunits.models import OrgGroup, OrgUnit
from yangfan.reports.content import report_document


@pytest.fixture
def people(db, make_user):
    """The province's officer, and readers (who may generate reports) of 西安 and of 榆林."""

    def reader(name: str, code: str):
        return make_user("viewer", username=name, view_org_units=[OrgUnit.objects.get(code=code)])

    return {
        "province": make_user("province"),
        "xian": reader("u-xian", "610100"),
        "yulin": reader("u-yulin", "610800"),
    }


def test_a_group_is_in_scope_when_every_unit_it_draws_on_is(people):
    xixian, fugu = OrgGroup.objects.get(code="XIXIAN"), OrgGroup.objects.get(code="FUGU")
    assert may(people["province"], "data.view", xixian) and may(people["province"], "data.view", fugu)
    assert not may(people["xian"], "data.view", xixian) and not may(people["xian"], "data.view", fugu)
    assert may(people["yulin"], "data.view", fugu) and not may(people["yulin"], "data.view", xixian)
    assert set(groups_in_scope(people["yulin"], "data.view").values_list("code", flat=True)) == {
        "FUGU",
        "SHENMU",
    }  # 神木市 and 府谷县 are counted in 榆林; 韩城市 (渭南) and 西咸新区 are not


def test_the_dashboard_and_the_report_agree(people):
    for who, code, allowed in (
        ("province", "XIXIAN", True),
        ("xian", "XIXIAN", False),
        ("yulin", "FUGU", True),
    ):
        client = login_as(Client(), people[who])
        page = client.get(reverse("portal:home"), {"org": code, "period": "2023"})
        assert page.status_code == (200 if allowed else 403), (who, code)
        form = client.get(reverse("reports:index")).context["form"]
        offered = {value for value, _label in form.fields["org"].choices}
        assert (code in offered) is allowed, (who, code)
        if allowed:
            document = report_document(actor=people[who], org=code, period="2023Q4")
            assert document.org_unit == code and document.org_name in ("西咸新区", "府谷县")
            posted = client.post(reverse("reports:index"), {"org": code, "period": "2023Q4", "fmt": "docx"})
            assert posted.status_code == 302, (who, code)
        else:
            before = AuditEntry.objects.filter(action="permission_denied").count()
            with pytest.raises(PermissionDenied):
                report_document(actor=people[who], org=code, period="2023Q4")
            assert AuditEntry.objects.filter(action="permission_denied").count() == before + 1


def test_the_api_answers_for_a_group_within_the_scope(people):
    api = APIClient()
    for who, code, status in (("province", "XIXIAN", 200), ("xian", "XIXIAN", 403), ("yulin", "FUGU", 200)):
        api.force_authenticate(people[who])
        answer = api.get("/api/indicators/", {"org": code, "period": "2023"})
        assert answer.status_code == status, (who, code)
        if status == 200:
            assert {row["org_unit"] for row in answer.json()} == {code}
    assert api.get("/api/indicators/", {"org": "NOWHERE", "period": "2023"}).status_code == 404


def test_the_cli_writes_a_groups_report(initialised_env, tmp_path):
    from tests.test_cli import yangfan

    target = tmp_path / "xixian.xlsx"
    result = yangfan(
        "report",
        "--org",
        "西咸新区",
        "--period",
        "2023Q4",
        "--format",
        "xlsx",
        "-o",
        str(target),
        env=initialised_env,
    )
    assert result.returncode == 0, result.stderr
    from openpyxl import load_workbook

    overview = {row[0]: row[1] for row in load_workbook(target)["概况"].iter_rows(values_only=True)}
    assert "西咸新区" in overview["标题"]

"""Every role × every URL × objects in and out of scope: the expected answer, in one table.

A URL the project defines but this table does not list fails ``test_every_url_is_in_the_matrix``, so no
page is ever born without its permissions being decided. (The API comes with its own rows when it lands.)
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = [
    "admin",
    "auditor",
    "province",
    "department",
    "city-reporter",
    "city-reviewer",
    "operator",
    "viewer",
    "expert",
]
ALL = set(ROLES)
DATA_VIEWERS = ALL - {"admin", "auditor", "expert"}
PROVINCE_WIDE = {"province", "department", "operator", "viewer"}
TASKS = {"province", "department", "city-reporter", "city-reviewer", "viewer"}
TASK_REPORTERS = {"department", "city-reporter", "city-reviewer"}
REGISTRY_WRITERS = {"province", "department", "city-reporter"}
PLAN = "shaanxi-5g-2021-2023"
# Who reads 西安's objects (its reporter's city) and 宝鸡's (its reviewer's city); who writes them
SEES_XIAN = PROVINCE_WIDE | {"city-reporter"}
SEES_BAOJI = PROVINCE_WIDE | {"city-reviewer"}
WRITES_BAOJI = REGISTRY_WRITERS - {"city-reporter"}

# Public: no login needed, nothing to protect (login, logout, language switch).
PUBLIC = {"login", "logout", "set_language"}

# url name -> list of (kwargs, method, roles answered 200/302 (allowed), allowed status)
MATRIX: dict[str, list[tuple[dict, str, set[str], int]]] = {
    "portal:home": [({}, "get", ALL, 200)],
    "actionplans:plan": [({"plan": PLAN}, "get", ALL, 200)],
    "actionplans:source": [({"plan": PLAN}, "get", ALL, 200)],
    "actionplans:goals": [({"plan": PLAN}, "get", ALL, 200)],
    "actionplans:task": [({"plan": PLAN, "code": "T2.1.1"}, "get", ALL, 200)],
    "actionplans:units": [({"plan": PLAN}, "get", ALL, 200)],
    "actionplans:unit": [({"plan": PLAN, "code": "gxt"}, "get", ALL, 200)],
    "actionplans:indicators": [({"plan": PLAN}, "get", ALL, 200)],
    "actionplans:indicator": [({"plan": PLAN, "code": "A1"}, "get", ALL, 200)],
    # targets per unit are read like the plan's own; only the provincial office sets or removes them
    "actionplans:targets": [
        ({"plan": PLAN, "code": "A1"}, "get", ALL, 200),
        ({"plan": PLAN, "code": "A1"}, "post", {"province"}, 200),  # an empty form comes back with errors
    ],
    "actionplans:target_delete": [
        ({"plan": PLAN, "code": "B1", "org": "610100", "date": "2023-12-31"}, "post", {"province"}, 302)
    ],
    "orgunits:tree": [({}, "get", ALL, 200)],
    "orgunits:detail": [
        ({"code": "610100"}, "get", PROVINCE_WIDE | {"city-reporter"}, 200),  # 西安
        ({"code": "610116"}, "get", PROVINCE_WIDE | {"city-reporter"}, 200),  # 长安区, in 西安
        ({"code": "610300"}, "get", PROVINCE_WIDE | {"city-reviewer"}, 200),  # 宝鸡
        ({"code": "610000"}, "get", PROVINCE_WIDE, 200),  # the province: not a city user's
    ],
    "accounts:account": [({}, "get", ALL, 200)],
    "accounts:password_change": [({}, "get", ALL, 200)],
    "accounts:password_change_done": [({}, "get", ALL, 200)],
    "accounts:otp_setup": [({}, "get", ALL, 200)],
    "accounts:otp_verify": [({}, "get", ALL, 200)],
    "accounts:token_create": [({}, "post", ALL, 302)],
    "accounts:token_revoke": [({"pk": "own"}, "post", ALL, 302), ({"pk": "other"}, "post", set(), 302)],
    "accounts:user_list": [({}, "get", {"admin"}, 200)],
    "accounts:user_create": [({}, "get", {"admin"}, 200)],
    "accounts:user_edit": [({"pk": "other"}, "get", {"admin"}, 200)],
    "accounts:user_unlock": [({"pk": "other"}, "post", {"admin"}, 302)],
    "audit:list": [({}, "get", {"auditor"}, 200)],
    "audit:export": [({}, "get", {"auditor"}, 200)],
    "audit:verify": [({}, "get", {"auditor"}, 200)],
    "audit:detail": [({"seq": 1}, "get", {"auditor"}, 200)],
    # The API answers with the same permissions, called with a personal token instead of a session.
    "api:schema": [({}, "get", ALL, 200)],
    "api:me": [({}, "get", ALL, 200)],
    "api:orgunits": [({}, "get", ALL, 200)],
    "api:orgunit": [
        ({"code": "610100"}, "get", PROVINCE_WIDE | {"city-reporter"}, 200),
        ({"code": "610300"}, "get", PROVINCE_WIDE | {"city-reviewer"}, 200),
        ({"code": "610000"}, "get", PROVINCE_WIDE, 200),
    ],
    "api:tasks": [({"plan": PLAN}, "get", ALL, 200)],
    "api:indicator_values": [({}, "get", DATA_VIEWERS - {"city-reporter", "city-reviewer"}, 200)],
    "api:indicators": [({"plan": PLAN}, "get", ALL, 200)],
    "api:indicator": [({"plan": PLAN, "code": "A1"}, "get", ALL, 200)],
    # collection API: values read in view scope, written by who captures (an empty batch: 400); reports read by
    # who sees data (no such report: 404; scopes per report in tests/api/test_collection_api.py)
    "api:datavalues": [
        ({}, "get", DATA_VIEWERS, 200),
        ({}, "post", {"province", "department", "city-reporter", "operator"}, 400),
    ],
    "api:submissions": [({}, "get", DATA_VIEWERS, 200), ({}, "post", DATA_VIEWERS, 400)],
    "api:submission": [
        ({"pk": 999999}, "get", DATA_VIEWERS, 404),
        ({"pk": "submission:city-quarterly:610300"}, "get", SEES_BAOJI, 200),  # real objects of another unit,
        (
            {"pk": "submission:operator-monthly:610300:ctcc"},
            "get",
            SEES_BAOJI - {"operator"},
            200,
        ),  # operator
    ],
    "api:submission_action": [({"pk": 999999, "action": "approve"}, "post", DATA_VIEWERS, 404)],
    "api:completeness": [({}, "get", DATA_VIEWERS, 200)],
    # 报送情况, 待办, 催报清单 and its export: who sees data, each within their own scope
    "collection:completeness": [({}, "get", DATA_VIEWERS, 200)],
    "collection:inbox": [({}, "get", DATA_VIEWERS, 200)],
    "collection:reminders": [({}, "get", DATA_VIEWERS, 200)],
    "collection:reminders_export": [({}, "get", DATA_VIEWERS, 200)],
    # 数据填报: who sees data opens the page; 西安's grid is read in view scope and written by who reports it
    # (an empty grid saves nothing and goes back: 302)
    "collection:index": [({}, "get", DATA_VIEWERS, 200)],
    "collection:entry": [
        (
            {"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"},
            "get",
            PROVINCE_WIDE | {"city-reporter"},
            200,
        ),
        (
            {"data_set": "city-quarterly", "org": "610300", "period": "2023Q4"},
            "get",
            PROVINCE_WIDE | {"city-reviewer"},
            200,
        ),
        (
            {"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"},
            "post",
            {"province", "city-reporter"},
            302,
        ),
    ],
    # no such report: roles that may read or act on reports get 404 (scopes per report: tests/collection/test_entry.py)
    "collection:submission": [
        ({"pk": 999999}, "get", DATA_VIEWERS, 404),
        ({"pk": "submission:city-quarterly:610100"}, "get", SEES_XIAN, 200),
        ({"pk": "submission:city-quarterly:610300"}, "get", SEES_BAOJI, 200),
        ({"pk": "submission:operator-monthly:610300:ctcc"}, "get", SEES_BAOJI - {"operator"}, 200),
    ],
    "collection:act": [
        ({"pk": 999999, "action": "submit"}, "post", DATA_VIEWERS - {"province", "viewer"}, 404),
        ({"pk": 999999, "action": "approve"}, "post", {"province", "city-reviewer"}, 404),
    ],
    # 西安's quarterly report as an Excel template: who views 西安 downloads it; who fills it uploads it
    "collection:template": [
        (
            {"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"},
            "get",
            PROVINCE_WIDE | {"city-reporter"},
            200,
        )
    ],
    "collection:upload": [
        (
            {"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"},
            "get",
            {"province", "city-reporter"},
            200,
        ),
        # no file: the form comes back with its error
        (
            {"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"},
            "post",
            {"province", "city-reporter"},
            200,
        ),
    ],
    # validation findings and reconciliation of 西安 (QUERY): the unit must be in the viewer's view scope
    "collection:checks": [({}, "get", PROVINCE_WIDE | {"city-reporter"}, 200)],
    "collection:reconciliation": [({}, "get", PROVINCE_WIDE | {"city-reporter"}, 200)],
    # task supervision: pages of every role that has tasks; an assignment is read by the office, the province's
    # viewers and its own unit (省工信厅's by the department user, 西安's share by the 西安 reporter, 宝鸡's by 宝鸡)
    "api:assignments": [({}, "get", TASKS, 200)],
    "api:assignment": [
        ({"pk": "assignment:gxt:610000"}, "get", {"province", "viewer", "department"}, 200),
        ({"pk": "assignment:cities:610100"}, "get", {"province", "viewer", "city-reporter"}, 200),
        ({"pk": "assignment:cities:610300"}, "get", {"province", "viewer", "city-reviewer"}, 200),
    ],
    "api:progress_report": [
        (
            {"pk": "assignment:gxt:610000", "period": "2023Q4"},
            "get",
            {"province", "viewer", "department"},
            404,
        ),
        ({"pk": "assignment:cities:610100", "period": "2023Q4"}, "put", {"city-reporter"}, 400),
        ({"pk": "assignment:gxt:610000", "period": "2023Q4"}, "put", {"department"}, 400),
    ],
    "api:progress_report_evidence": [
        ({"pk": "assignment:cities:610300", "period": "2023Q4"}, "post", {"city-reviewer"}, 400)
    ],
    "api:progress_report_action": [
        ({"pk": 999999, "period": "2023Q4", "action": "submit"}, "post", TASKS, 404),
        (
            {"pk": "assignment:gxt:610000", "period": "2023Q4", "action": "approve"},
            "post",
            {"province", "viewer", "department"},
            404,
        ),
    ],
    "api:progress_reports": [({}, "get", TASKS, 200)],
    "api:notices": [({}, "get", TASKS, 200), ({}, "post", {"province"}, 400)],
    "api:notice": [({"pk": 999999}, "get", TASKS, 404)],
    "api:notice_answers": [({"pk": 999999}, "post", TASKS, 404)],
    "api:notice_close": [({"pk": 999999}, "post", TASKS, 404)],
    "api:tasks_overdue": [({}, "get", TASKS, 200)],
    # reports: the office and the leading group's viewers, each for the units it sees; a job is its requester's
    "reports:index": [({}, "get", {"province", "viewer"}, 200), ({}, "post", {"province", "viewer"}, 400)],
    "reports:job": [({"job_id": "00000000-0000-0000-0000-000000000000"}, "get", {"province", "viewer"}, 404)],
    "reports:download": [
        ({"job_id": "00000000-0000-0000-0000-000000000000"}, "get", {"province", "viewer"}, 404)
    ],
    # registries: read by every role that reads figures (entries of units in its view scope), written by the
    # office, the departments and the cities' reporters (units in their capture scope)
    "api:registry_entries": [
        ({"slug": "cases"}, "get", DATA_VIEWERS, 200),
        ({"slug": "cases"}, "post", REGISTRY_WRITERS, 400),  # an empty body: the fields are missing
    ],
    "api:registry_entry": [
        ({"slug": "cases", "pk": 999999}, "get", DATA_VIEWERS, 404),
        ({"slug": "cases", "pk": 999999}, "put", REGISTRY_WRITERS, 404),
        ({"slug": "cases", "pk": 999999}, "delete", REGISTRY_WRITERS, 404),
        ({"slug": "vpns", "pk": "entry:vpns:610302"}, "get", SEES_BAOJI, 200),
        ({"slug": "vpns", "pk": "entry:vpns:610302"}, "put", WRITES_BAOJI, 400),  # in scope: the empty body
        ({"slug": "vpns", "pk": "entry:vpns:610302"}, "delete", WRITES_BAOJI, 204),
        ({"slug": "vpns", "pk": "entry:vpns:610116"}, "get", SEES_XIAN, 200),
    ],
    "api:registry_counts": [({}, "get", DATA_VIEWERS - {"city-reviewer"}, 200)],  # 西安: not 宝鸡's reviewer
    # benchmark selection: calls read like the registries; an expert reviews only what is assigned to them
    "registries:calls": [({}, "get", DATA_VIEWERS, 200)],
    "registries:call": [({"pk": 999999}, "get", DATA_VIEWERS, 404)],
    "registries:reviews": [({}, "get", {"expert"}, 200)],
    "registries:review": [({"pk": 999999}, "get", {"expert"}, 404)],
    "registries:index": [({}, "get", DATA_VIEWERS, 200)],
    "registries:list": [({"slug": "vpns"}, "get", DATA_VIEWERS, 200)],
    "registries:export": [({"slug": "vpns", "fmt": "csv"}, "get", DATA_VIEWERS, 200)],
    "registries:import": [({"slug": "vpns"}, "get", REGISTRY_WRITERS, 200)],
    "registries:new": [({"slug": "vpns"}, "get", REGISTRY_WRITERS, 200)],
    "registries:entry": [
        ({"slug": "vpns", "pk": 999999}, "get", DATA_VIEWERS, 404),
        ({"slug": "vpns", "pk": "entry:vpns:610302"}, "get", SEES_BAOJI, 200),
        ({"slug": "vpns", "pk": "entry:vpns:610116"}, "get", SEES_XIAN, 200),
    ],
    "registries:edit": [
        ({"slug": "vpns", "pk": 999999}, "get", REGISTRY_WRITERS, 404),
        ({"slug": "vpns", "pk": "entry:vpns:610302"}, "get", WRITES_BAOJI, 200),
        ({"slug": "vpns", "pk": "entry:vpns:610116"}, "get", REGISTRY_WRITERS, 200),
    ],
    # the ingest pipeline (原始数据): runs and uploads are the provincial office's (their files hold every county's
    # rows); a value's source follows the value (scopes per value: tests/ingests/test_views.py)
    "ingests:list": [({}, "get", {"province"}, 200)],
    # an upload with no files: the form comes back with its errors
    "ingests:new": [({}, "get", {"province"}, 200), ({}, "post", {"province"}, 400)],
    "ingests:run": [({"pk": 999999}, "get", {"province"}, 404)],
    "ingests:progress": [({"pk": 999999}, "get", {"province"}, 404)],
    "ingests:rejects": [({"pk": 999999}, "get", {"province"}, 404)],
    "ingests:conflicts": [({"pk": 999999}, "get", {"province"}, 404)],
    "ingests:value": [
        ({"pk": 999999}, "get", DATA_VIEWERS, 404),
        (
            {"pk": "value:610302:ctcc"},
            "get",
            SEES_BAOJI - {"operator"},
            200,
        ),  # another unit's, another operator's
        ({"pk": "value:610116:cmcc"}, "get", SEES_XIAN, 200),  # the operator user's own figure
    ],
    "api:ingest_runs": [({}, "get", {"province"}, 200)],
    "api:ingest_run": [({"pk": 999999}, "get", {"province"}, 404)],
    "api:datavalue_lineage": [
        ({"pk": 999999}, "get", DATA_VIEWERS, 404),
        ({"pk": "value:610302:ctcc"}, "get", SEES_BAOJI - {"operator"}, 200),
    ],
    "supervision:index": [({}, "get", TASKS, 302)],
    "supervision:matrix": [({"plan": PLAN}, "get", TASKS, 200)],
    "supervision:mine": [({"plan": PLAN}, "get", TASKS, 200)],
    "supervision:alerts": [({"plan": PLAN}, "get", TASKS, 200)],
    "supervision:task": [
        ({"plan": PLAN, "code": "T2.1.1"}, "get", TASKS, 200),
        ({"plan": PLAN, "code": "T2.1.1"}, "post", TASKS, 302),  # an edit refused by the service is a message
    ],
    "supervision:assignment": [
        ({"pk": "assignment:gxt:610000"}, "get", {"province", "viewer", "department"}, 200),
        ({"pk": "assignment:cities:610100"}, "get", {"province", "viewer", "city-reporter"}, 200),
        ({"pk": "assignment:cities:610300"}, "get", {"province", "viewer", "city-reviewer"}, 200),
    ],
    "supervision:report": [
        (
            {"pk": "assignment:gxt:610000", "period": "2023Q4"},
            "get",
            {"province", "viewer", "department"},
            200,
        ),
        (
            {"pk": "assignment:cities:610100", "period": "2023Q4"},
            "get",
            {"province", "viewer", "city-reporter"},
            200,
        ),
        (
            {"pk": "assignment:cities:610100", "period": "2023Q4"},
            "post",
            {"city-reporter"},
            400,
        ),  # empty form
    ],
    "supervision:act": [({"pk": 999999, "action": "submit"}, "post", TASKS, 404)],
    "supervision:evidence": [({"pk": 999999}, "get", TASKS, 404)],
    "supervision:evidence_delete": [({"pk": 999999}, "post", TASK_REPORTERS, 404)],
    "supervision:milestone_delete": [({"pk": 999999}, "post", {"province"}, 404)],
    "supervision:notices": [({}, "get", TASKS, 200)],
    "supervision:notice_new": [({}, "get", {"province"}, 404)],  # no assignment chosen: nothing to issue on
    "supervision:notice": [({"pk": 999999}, "get", TASKS, 404)],
    "supervision:notice_docx": [({"pk": 999999}, "get", TASKS, 404)],
    "supervision:answer_docx": [({"pk": 999999, "answer": 1}, "get", TASKS, 404)],
    "supervision:evaluation": [({"plan": PLAN}, "get", TASKS, 200)],
    "supervision:evaluation_publish": [({"plan": PLAN}, "post", {"province"}, 302)],
    # the unpublished ranking covers the whole province: the office and province-wide readers only
    "supervision:evaluation_xlsx": [
        ({"plan": PLAN, "run": 0}, "get", {"province", "viewer", "department"}, 200)
    ],
}
QUERY = {
    "api:registry_counts": "?org=610100&period=2023Q4",
    "api:indicator_values": "?org=610000&period=2023",  # the province: not a city user's
    "collection:checks": "?data_set=city-quarterly&org=610100&period=2023Q4",
    "collection:reconciliation": "?org=610100&period=2023Q4",
}
REFUSED = {"accounts:token_revoke": 404}  # someone else's token is not found, not merely forbidden


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                continue  # Django admin: its own permission system, checked in test_admin_is_for_administrators
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_url_is_in_the_matrix():
    names = set(_url_names(get_resolver().url_patterns))
    assert names - MATRIX.keys() - PUBLIC == set(), "add these URLs to the permission matrix"
    assert MATRIX.keys() - names == set(), "the matrix lists URLs that no longer exist"


CASES = [
    pytest.param(
        name, kwargs, method, role, allowed, status, id=f"{name}-{'-'.join(map(str, kwargs.values()))}-{role}"
    )
    for name, rows in MATRIX.items()
    for kwargs, method, allowed, status in rows
    for role in ROLES
]


@pytest.mark.parametrize(("name", "kwargs", "method", "role", "allowed", "status"), CASES)
def test_permission_matrix(client_for, make_user, name, kwargs, method, role, allowed, status):
    from yangfan.accounts.services import token_create
    from yangfan.audit.models import AuditEntry

    client = client_for(role)
    me = client.session["_auth_user_id"]
    headers = {}
    if name.startswith("api:"):
        from django.test import Client

        from yangfan.accounts.models import User

        client = Client()  # no session: the token alone identifies the caller
        headers = {
            "HTTP_AUTHORIZATION": "Bearer " + token_create(actor=None, user=User.objects.get(pk=me))[1]
        }
    other = make_user("viewer", username="someone-else") if "other" in kwargs.values() else None
    resolved = {}
    for key, value in kwargs.items():
        if value == "own":
            from yangfan.accounts.models import User

            value = token_create(actor=None, user=User.objects.get(pk=me), days=1)[0].pk
        elif isinstance(value, str) and value.startswith("assignment:"):
            from yangfan.supervision.models import Assignment

            _kind, unit, org = value.split(":")
            value = Assignment.objects.get(
                task__code="T2.1.1", responsible_unit__code=unit, org_unit__code=org, subtask__isnull=True
            ).pk
        elif value == "other":
            value = token_create(actor=None, user=other, days=1)[0].pk if "token" in name else other.pk
        elif isinstance(value, str) and ":" in value:
            value = _real_object(value)
        resolved[key] = value
    before = AuditEntry.objects.filter(action="permission_denied").count()

    url = reverse(name, kwargs=resolved) + QUERY.get(name, "")
    response = getattr(client, method)(url, **headers)

    if role in allowed:
        assert response.status_code == status, response.content[:300]
    else:
        expected = REFUSED.get(name, 403)
        assert response.status_code == expected
        if expected == 403:
            assert ("无权访问" if not name.startswith("api:") else "detail") in response.content.decode()
            assert AuditEntry.objects.filter(action="permission_denied").count() == before + 1


def _real_object(spec: str) -> int:
    """The primary key of a real object ``spec`` names, made for the test: ``entry:vpns:<unit>``,
    ``submission:<data set>:<unit>[:<operator>]``, ``value:<unit>:<operator>``."""
    from datetime import date
    from decimal import Decimal

    from tests.conftest import unsaved_vpn

    from yangfan.actionplans.models import DataElement, DataSet, Operator
    from yangfan.collection.models import Submission
    from yangfan.datavalues.models import DataValue
    from yangfan.orgunits.models import OrgUnit

    kind, *parts = spec.split(":")
    if kind == "entry":
        vpn = unsaved_vpn(parts[1])
        vpn.commissioned_on = date(2023, 3, 1)
        vpn.save()
        return vpn.pk
    if kind == "submission":
        data_set, unit, *operator = parts
        return Submission.objects.create(
            data_set=DataSet.objects.get(code=data_set),
            org_unit=OrgUnit.objects.get(code=unit),
            period="2023Q4" if data_set == "city-quarterly" else "202312",
            operator=Operator.objects.get(code=operator[0]) if operator else None,
        ).pk
    if kind == "value":
        unit, operator = parts
        return DataValue.objects.create(
            data_element=DataElement.objects.get(code="base_stations_5g"),
            org_unit=OrgUnit.objects.get(code=unit),
            period="202312",
            operator=Operator.objects.get(code=operator),
            value=Decimal(120),
        ).pk
    raise ValueError(spec)


def test_anonymous_users_are_sent_to_login(client, plan):
    for name, rows in MATRIX.items():
        for kwargs, method, _allowed, _status in rows:
            url = reverse(
                name,
                kwargs={
                    k: (1 if v in ("own", "other") or (isinstance(v, str) and ":" in v) else v)
                    for k, v in kwargs.items()
                },
            )
            response = getattr(client, method)(url)
            if name.startswith("api:"):
                assert response.status_code == 401, url
                assert response["WWW-Authenticate"] == "Bearer"
                continue
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_administrators(client_for, role):
    response = client_for(role).get("/admin/")
    assert response.status_code == (200 if role == "admin" else 302)


def test_api_refuses_expired_revoked_and_unknown_tokens(make_user, client):
    from datetime import timedelta

    from django.utils import timezone

    from yangfan.accounts.services import token_create, token_revoke

    user = make_user("viewer")
    token, raw = token_create(actor=None, user=user, days=1)
    url = reverse("api:me")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").json()["username"] == user.username
    for bad in ("yf_unknown", raw + "x", "Bearer"):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {bad}").status_code == 401
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    _token, raw2 = token_create(actor=None, user=user, days=1)
    token_revoke(actor=user, token=_token)
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw2}")
    assert response.status_code == 401 and "吊销" in response.json()["detail"]


def test_api_scope_of_a_xian_reporter(make_user, client):
    from yangfan.accounts.services import token_create

    _token, raw = token_create(actor=None, user=make_user("city-reporter"), days=1)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(reverse("api:orgunit", kwargs={"code": "610116"}), **auth).json()["name"] == "长安区"
    assert (
        client.get(reverse("api:orgunit", kwargs={"code": "610302"}), **auth).status_code == 403
    )  # 渭滨区, 宝鸡


def test_openapi_schema_describes_the_api_and_its_token(make_user, client):
    from yangfan.accounts.services import token_create

    _token, raw = token_create(actor=None, user=make_user("viewer"), days=1)
    response = client.get(reverse("api:schema") + "?format=json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/orgunits/{code}/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["personalToken"]["scheme"] == "bearer"


def test_indicator_values_through_the_api_follow_the_view_scope(make_user, client):
    from yangfan.accounts.services import token_create

    _token, raw = token_create(actor=None, user=make_user("city-reporter"), days=1)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = reverse("api:indicator_values")
    rows = client.get(url + "?org=610100&period=2023&children=1", **auth).json()
    assert {r["org_unit"] for r in rows} >= {"610100", "610116"} and {r["indicator"] for r in rows} >= {
        "A1",
        "A7",
    }
    assert client.get(url + "?org=610300&period=2023", **auth).status_code == 403
    assert client.get(url + "?org=610100&period=2023Q9", **auth).status_code == 400

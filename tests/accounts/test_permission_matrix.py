"""Every role × every URL × objects in and out of scope: the expected answer, in one table.

A URL the project defines but this table does not list fails ``test_every_url_is_in_the_matrix``, so no
page is ever born without its permissions being decided. A URL that takes an object is tried on real objects
(``_RealObjects``: another unit's, operator's or user's, and the caller's own), never on an id that exists
nowhere, or ``test_every_object_a_url_names_is_a_real_one`` fails.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from yangfan.accounts.choices import Role

ROLES = list(Role.values)
ALL = set(ROLES)
DATA_VIEWERS = ALL - {"admin", "auditor", "expert", "enterprise"}
PROVINCE_WIDE = {"province", "department", "operator", "viewer"}
TASKS = {"province", "department", "city-reporter", "city-reviewer", "city-office", "viewer"}
REGISTRY_WRITERS = {"province", "department", "city-reporter"}
# registries.view: who reads figures, and an enterprise's user (its own entries only: the test enterprise's)
REGISTRY_READERS = DATA_VIEWERS | {"enterprise"}
# the security registries (密评, inspections, threats): read by the offices, the auditor and the enterprises (their
# own); 密评 filed by the offices and the enterprises (security.assess), the rest kept by the offices
SECURITY_READERS = {"province", "city-office", "auditor", "enterprise"}
SECURITY_ASSESSORS = {"province", "city-office", "enterprise"}
SECURITY_MANAGERS = {"province", "city-office"}
# who reads 宝鸡's security records (its office, the provincial office and the auditor; not another enterprise)
BAOJI_SECURITY = {"province", "city-office", "auditor"}
PLAN = "shaanxi-5g-2021-2023"
# Who reads 西安's objects (its reporter's city) and 宝鸡's (its reviewer's and its office's city); who writes them
BAOJI = {"city-reviewer", "city-office"}
SEES_XIAN = PROVINCE_WIDE | {"city-reporter"}
SEES_BAOJI = PROVINCE_WIDE | BAOJI
WRITES_BAOJI = REGISTRY_WRITERS - {"city-reporter"}
# Who reads a task share (and its reports, evidence and notices): the office, the leading group's viewers and the
# share's own unit: 宝鸡's city government share, 省工信厅's own
TASKS_BAOJI = {"province", "viewer"} | BAOJI
TASKS_GXT = {"province", "viewer", "department"}
REPORTERS = {"province", "viewer", "city-office"}
# Who configures the webhooks of a unit: the provincial office any unit's, 宝鸡's office 宝鸡's
CONFIGURERS = {"province", "city-office"}

# Public: no login needed, nothing to protect (login, logout, language switch).
PUBLIC = {"login", "logout", "set_language"}

LIVE = 0  # the live (unpublished) ranking: the one object parameter that names no stored object
# url name -> list of (kwargs, method, roles answered 200/302 (allowed), allowed status)
MATRIX: dict[str, list[tuple[dict, str, set[str], int]]] = {
    "portal:home": [({}, "get", ALL, 200)],
    "actionplans:plan": [({"plan": PLAN}, "get", ALL, 200)],
    "actionplans:source": [({"plan": PLAN}, "get", ALL, 200)],
    "actionplans:goals": [({"plan": PLAN}, "get", ALL, 200)],
    "actionplans:task": [
        ({"plan": PLAN, "code": "T2.1.1"}, "get", ALL, 200),
        # the lead unit (牵头) is changed by the provincial office alone (an empty form comes back with errors)
        ({"plan": PLAN, "code": "T2.1.1"}, "post", {"province"}, 200),
    ],
    "actionplans:units": [({"plan": PLAN}, "get", ALL, 200)],
    "actionplans:unit": [({"plan": PLAN, "code": "gxt"}, "get", ALL, 200)],
    "actionplans:indicators": [({"plan": PLAN}, "get", ALL, 200)],
    "actionplans:indicator": [({"plan": PLAN, "code": "A1"}, "get", ALL, 200)],
    # targets per unit are read like the plan's own; only the provincial office sets or removes them
    "actionplans:targets": [
        ({"plan": PLAN, "code": "A1"}, "get", ALL, 200),
        # an empty form comes back with errors: the provincial office, and a city's office (its counties')
        ({"plan": PLAN, "code": "A1"}, "post", {"province", "city-office"}, 200),
    ],
    # a target of 西安 is the province's to remove; one of 宝鸡's 渭滨区 also 宝鸡's office's (none set: 302)
    "actionplans:target_delete": [
        ({"plan": PLAN, "code": "B1", "org": "610100", "date": "2023-12-31"}, "post", {"province"}, 302),
        (
            {"plan": PLAN, "code": "B1", "org": "610302", "date": "2023-12-31"},
            "post",
            {"province", "city-office"},
            302,
        ),
    ],
    "orgunits:tree": [({}, "get", ALL, 200)],
    "orgunits:detail": [
        ({"code": "610100"}, "get", PROVINCE_WIDE | {"city-reporter"}, 200),  # 西安
        ({"code": "610116"}, "get", PROVINCE_WIDE | {"city-reporter"}, 200),  # 长安区, in 西安
        ({"code": "610300"}, "get", SEES_BAOJI, 200),  # 宝鸡
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
    # 待办: everyone signed in has an inbox and reaches only their own items (another's is not found: 404)
    "notifications:inbox": [({}, "get", ALL, 200)],
    "notifications:open": [
        ({"pk": "notification:own"}, "get", ALL, 302),
        ({"pk": "notification:other"}, "get", set(), 302),
    ],
    "notifications:read": [
        ({"pk": "notification:own"}, "post", ALL, 302),
        ({"pk": "notification:other"}, "post", set(), 302),
    ],
    "notifications:done": [
        ({"pk": "notification:own"}, "post", ALL, 302),
        ({"pk": "notification:other"}, "post", set(), 302),
    ],
    # webhooks: a unit's are configured by the office of a unit above it (an empty address comes back: 400);
    # 宝鸡's office may not configure 西安's
    "notifications:webhooks": [({}, "get", CONFIGURERS, 200)],
    "notifications:webhook_new": [
        ({"org": "610300"}, "get", CONFIGURERS, 200),
        ({"org": "610302"}, "post", CONFIGURERS, 400),
        ({"org": "610100"}, "get", {"province"}, 200),
        ({"org": "610100"}, "post", {"province"}, 400),
    ],
    "notifications:webhook_disable": [
        ({"pk": "webhook:610302"}, "post", CONFIGURERS, 302),
        ({"pk": "webhook:610100"}, "post", {"province"}, 302),
    ],
    "audit:list": [({}, "get", {"auditor"}, 200)],
    "audit:export": [({}, "get", {"auditor"}, 200)],
    "audit:verify": [({}, "get", {"auditor"}, 200)],
    "audit:detail": [({"seq": "audit:latest"}, "get", {"auditor"}, 200)],
    # The API answers with the same permissions, called with a personal token instead of a session.
    "api:schema": [({}, "get", ALL, 200)],
    "api:me": [({}, "get", ALL, 200)],
    "api:orgunits": [({}, "get", ALL, 200)],
    "api:orgunit": [
        ({"code": "610100"}, "get", PROVINCE_WIDE | {"city-reporter"}, 200),
        ({"code": "610300"}, "get", SEES_BAOJI, 200),
        ({"code": "610000"}, "get", PROVINCE_WIDE, 200),
    ],
    "api:tasks": [({"plan": PLAN}, "get", ALL, 200)],
    "api:indicator_values": [({}, "get", DATA_VIEWERS - {"city-reporter"} - BAOJI, 200)],
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
        ({"pk": "submission:city-quarterly:610300"}, "get", SEES_BAOJI, 200),  # real objects of another unit,
        (
            {"pk": "submission:operator-monthly:610300:ctcc"},
            "get",
            SEES_BAOJI - {"operator"},
            200,
        ),  # operator
    ],
    # 宝鸡's report is submitted by 宝鸡 and approved by the office; 电信's by nobody here (the operator user is 移动's)
    "api:submission_action": [
        ({"pk": "submission:city-quarterly:610300", "action": "submit"}, "post", {"city-reviewer"}, 200),
        ({"pk": "submitted:city-quarterly:610300", "action": "approve"}, "post", {"province"}, 200),
        ({"pk": "submission:operator-monthly:610300:ctcc", "action": "submit"}, "post", set(), 200),
    ],
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
            SEES_BAOJI,
            200,
        ),
        (
            {"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"},
            "post",
            {"province", "city-reporter"},
            302,
        ),
    ],
    # reports of 西安, 宝鸡 and of another operator (more scopes per report: tests/collection/test_entry.py)
    "collection:submission": [
        ({"pk": "submission:city-quarterly:610100"}, "get", SEES_XIAN, 200),
        ({"pk": "submission:city-quarterly:610300"}, "get", SEES_BAOJI, 200),
        ({"pk": "submission:operator-monthly:610300:ctcc"}, "get", SEES_BAOJI - {"operator"}, 200),
    ],
    "collection:act": [
        ({"pk": "submission:city-quarterly:610300", "action": "submit"}, "post", {"city-reviewer"}, 302),
        ({"pk": "submitted:city-quarterly:610300", "action": "approve"}, "post", {"province"}, 302),
        ({"pk": "submission:operator-monthly:610300:ctcc", "action": "submit"}, "post", set(), 302),
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
        ({"pk": "assignment:cities:610300"}, "get", TASKS_BAOJI, 200),
    ],
    "api:progress_report": [
        ({"pk": "assignment:gxt:610000", "period": "2023Q4"}, "get", TASKS_GXT, 404),  # not written yet
        ({"pk": "reported:cities:610300:draft", "period": "2023Q4"}, "get", TASKS_BAOJI, 200),
        ({"pk": "assignment:cities:610100", "period": "2023Q4"}, "put", {"city-reporter"}, 400),
        ({"pk": "assignment:gxt:610000", "period": "2023Q4"}, "put", {"department"}, 400),
    ],
    "api:progress_report_evidence": [
        ({"pk": "assignment:cities:610300", "period": "2023Q4"}, "post", {"city-reviewer"}, 400)
    ],
    "api:progress_report_action": [
        ({"pk": "assignment:gxt:610000", "period": "2023Q4", "action": "approve"}, "post", TASKS_GXT, 404),
        (
            {"pk": "reported:cities:610300:draft", "period": "2023Q4", "action": "submit"},
            "post",
            {"city-reviewer"},
            200,
        ),
        (
            {"pk": "reported:gxt:610000:submitted", "period": "2023Q4", "action": "approve"},
            "post",
            {"province"},
            200,
        ),
    ],
    "api:progress_reports": [({}, "get", TASKS, 200)],
    # notices are issued by the office and by a city's office (an empty body: 400); on which share is checked
    # per share (supervision:notice_new)
    "api:notices": [({}, "get", TASKS, 200), ({}, "post", {"province", "city-office"}, 400)],
    # a notice to 宝鸡, answered: read by who reads the share; an empty answer is refused (400) once read; closed by
    # the office
    "api:notice": [({"pk": "notice:cities:610300"}, "get", TASKS_BAOJI, 200)],
    "api:notice_answers": [({"pk": "notice:cities:610300"}, "post", TASKS_BAOJI, 400)],
    "api:notice_close": [({"pk": "notice:cities:610300"}, "post", {"province"}, 200)],
    # signing for 宝鸡's notice: its reviewer (already signed by its answer: 400); every other role is refused
    "api:notice_sign": [({"pk": "notice:cities:610300"}, "post", {"city-reviewer"}, 400)],
    "api:tasks_overdue": [({}, "get", TASKS, 200)],
    # reports: the office and the leading group's viewers, each for the units it sees; a job is its requester's
    # (another user's is not said to exist: 404)
    # the evaluation report: the province's (the office, the leading group), a city's by its office
    "reports:index": [({}, "get", REPORTERS, 200), ({}, "post", REPORTERS, 400)],
    # the final evaluation of a finished plan: the same readers (an empty form comes back with errors)
    "reports:final": [({}, "get", REPORTERS, 200), ({}, "post", REPORTERS, 400)],
    "reports:job": [
        ({"job_id": "job:own"}, "get", REPORTERS, 200),
        ({"job_id": "job:other"}, "get", REPORTERS, 404),
    ],
    "reports:download": [
        ({"job_id": "job:own:done"}, "get", REPORTERS, 200),
        ({"job_id": "job:other:done"}, "get", REPORTERS, 404),
    ],
    # registries: read by every role that reads figures (entries of units in its view scope), written by the
    # office, the departments and the cities' reporters (units in their capture scope); an enterprise's user reads
    # and keeps its own cases (and reads no other enterprise's entry: 宝鸡's test case is 测试企业's), never a VPN
    "api:registry_entries": [
        ({"slug": "cases"}, "get", REGISTRY_READERS, 200),
        # an empty body: the fields are missing
        ({"slug": "cases"}, "post", REGISTRY_WRITERS | {"enterprise"}, 400),
        ({"slug": "vpns"}, "post", REGISTRY_WRITERS, 400),
        ({"slug": "crypto-assessments"}, "get", SECURITY_READERS, 200),
        ({"slug": "crypto-assessments"}, "post", SECURITY_ASSESSORS, 400),
        ({"slug": "inspections"}, "post", SECURITY_MANAGERS, 400),
    ],
    "api:registry_entry": [
        ({"slug": "cases", "pk": "entry:cases:610302"}, "get", SEES_BAOJI, 200),
        ({"slug": "cases", "pk": "entry:cases:610302"}, "put", WRITES_BAOJI, 400),
        ({"slug": "cases", "pk": "entry:cases:610302"}, "delete", WRITES_BAOJI, 204),
        ({"slug": "vpns", "pk": "entry:vpns:610302"}, "get", SEES_BAOJI, 200),
        ({"slug": "vpns", "pk": "entry:vpns:610302"}, "put", WRITES_BAOJI, 400),  # in scope: the empty body
        ({"slug": "vpns", "pk": "entry:vpns:610302"}, "delete", WRITES_BAOJI, 204),
        ({"slug": "vpns", "pk": "entry:vpns:610116"}, "get", SEES_XIAN, 200),
        # the test enterprise's own case in 长安区: read and kept by it too
        ({"slug": "cases", "pk": "entry:cases:610116:enterprise"}, "get", SEES_XIAN | {"enterprise"}, 200),
        (
            {"slug": "cases", "pk": "entry:cases:610116:enterprise"},
            "put",
            REGISTRY_WRITERS | {"enterprise"},
            400,
        ),
        # 密评 of a case of 渭滨区 (宝鸡), and of the enterprise's case in 长安区 (西安): the scope is the application's
        ({"slug": "crypto-assessments", "pk": "entry:crypto-assessments:610302"}, "get", BAOJI_SECURITY, 200),
        (
            {"slug": "crypto-assessments", "pk": "entry:crypto-assessments:610302"},
            "put",
            SECURITY_MANAGERS,
            400,
        ),
        (
            {"slug": "crypto-assessments", "pk": "entry:crypto-assessments:610302"},
            "delete",
            SECURITY_MANAGERS,
            204,
        ),
        (
            {"slug": "crypto-assessments", "pk": "entry:crypto-assessments:610116:enterprise"},
            "get",
            {"province", "auditor", "enterprise"},
            200,
        ),
        (
            {"slug": "crypto-assessments", "pk": "entry:crypto-assessments:610116:enterprise"},
            "put",
            {"province", "enterprise"},
            400,
        ),
    ],
    # the counts are figures of a unit (every enterprise's entries): read as figures are, not by an enterprise
    "api:registry_counts": [({}, "get", DATA_VIEWERS - BAOJI, 200)],  # 西安: not 宝鸡's reviewer or office
    # benchmark selection: calls read like the registries (each reader sees the applications in its scope:
    # test_a_call_shows_each_reader_the_applications_in_its_scope); an expert reviews only what is assigned to them
    "registries:calls": [({}, "get", REGISTRY_READERS, 200)],
    "registries:call": [({"pk": "call:610302"}, "get", REGISTRY_READERS, 200)],
    "registries:reviews": [({}, "get", {"expert"}, 200)],
    "registries:review": [
        ({"pk": "review:own"}, "get", {"expert"}, 200),
        ({"pk": "review:other"}, "get", set(), 200),  # another expert's
    ],
    # 定性目标评估: read with the unit's figures (西安's by who sees 西安, 宝鸡's by who sees 宝鸡); written by the
    # unit's office: 宝鸡's by its office (or the province), 西安's by the province only, so 宝鸡's office writing
    # 西安's verdict is refused and audited (an empty form comes back with its errors: 200); a draft is read by its
    # judges only, a published verdict with the unit's figures; an expert opens only the opinions asked of them
    "goals:board": [({"plan": PLAN}, "get", DATA_VIEWERS, 200)],
    "goals:verdict": [
        ({"plan": PLAN, "code": "Q01", "org": "610300", "period": "2022"}, "get", SEES_BAOJI, 200),
        ({"plan": PLAN, "code": "Q01", "org": "610100", "period": "2022"}, "get", SEES_XIAN, 200),
        (
            {"plan": PLAN, "code": "Q01", "org": "610300", "period": "2022"},
            "post",
            {"province", "city-office"},
            200,
        ),
        ({"plan": PLAN, "code": "Q01", "org": "610100", "period": "2022"}, "post", {"province"}, 200),
    ],
    "goals:detail": [
        ({"pk": "verdict:610300:draft"}, "get", {"province", "city-office"}, 200),
        ({"pk": "verdict:610300:published"}, "get", SEES_BAOJI, 200),
        ({"pk": "verdict:610100:published"}, "get", SEES_XIAN, 200),
    ],
    "goals:reviews": [({}, "get", {"expert"}, 200)],
    "goals:review": [
        ({"pk": "goalreview:own"}, "get", {"expert"}, 200),
        ({"pk": "goalreview:other"}, "get", set(), 200),  # another expert's
    ],
    "api:goal_verdicts": [({}, "get", SEES_BAOJI, 200)],  # QUERY: 宝鸡's
    # the index lists the registries a user reads: the auditor reads the security records only
    "registries:index": [({}, "get", REGISTRY_READERS | {"auditor"}, 200)],
    "registries:list": [
        ({"slug": "vpns"}, "get", REGISTRY_READERS, 200),
        ({"slug": "crypto-assessments"}, "get", SECURITY_READERS, 200),
        ({"slug": "threats"}, "get", SECURITY_READERS, 200),  # an enterprise's: none (no threat is its)
    ],
    "registries:export": [
        ({"slug": "vpns", "fmt": "csv"}, "get", REGISTRY_READERS, 200),
        ({"slug": "crypto-assessments", "fmt": "csv"}, "get", SECURITY_READERS, 200),
    ],
    # new entries and imports: an enterprise's user only of what its enterprise keeps (cases, 密评), never a VPN or a
    # certificate (it reads those of its own)
    "registries:import": [
        ({"slug": "vpns"}, "get", REGISTRY_WRITERS, 200),
        ({"slug": "cases"}, "get", REGISTRY_WRITERS | {"enterprise"}, 200),
        ({"slug": "crypto-assessments"}, "get", SECURITY_ASSESSORS, 200),
    ],
    "registries:new": [
        ({"slug": "vpns"}, "get", REGISTRY_WRITERS, 200),
        ({"slug": "cases"}, "get", REGISTRY_WRITERS | {"enterprise"}, 200),
        ({"slug": "certifications"}, "get", REGISTRY_WRITERS, 200),
        ({"slug": "crypto-assessments"}, "get", SECURITY_ASSESSORS, 200),
        ({"slug": "inspections"}, "get", SECURITY_MANAGERS, 200),
        ({"slug": "threats"}, "get", SECURITY_MANAGERS, 200),
    ],
    "registries:entry": [
        ({"slug": "vpns", "pk": "entry:vpns:610302"}, "get", SEES_BAOJI, 200),
        ({"slug": "vpns", "pk": "entry:vpns:610116"}, "get", SEES_XIAN, 200),
        ({"slug": "cases", "pk": "entry:cases:610116:enterprise"}, "get", SEES_XIAN | {"enterprise"}, 200),
        ({"slug": "crypto-assessments", "pk": "entry:crypto-assessments:610302"}, "get", BAOJI_SECURITY, 200),
        (
            {"slug": "crypto-assessments", "pk": "entry:crypto-assessments:610116:enterprise"},
            "get",
            {"province", "auditor", "enterprise"},
            200,
        ),
    ],
    "registries:edit": [
        ({"slug": "vpns", "pk": "entry:vpns:610302"}, "get", WRITES_BAOJI, 200),
        ({"slug": "vpns", "pk": "entry:vpns:610116"}, "get", REGISTRY_WRITERS, 200),
        (
            {"slug": "cases", "pk": "entry:cases:610116:enterprise"},
            "get",
            REGISTRY_WRITERS | {"enterprise"},
            200,
        ),
        (
            {"slug": "crypto-assessments", "pk": "entry:crypto-assessments:610302"},
            "get",
            SECURITY_MANAGERS,
            200,
        ),
        (
            {"slug": "crypto-assessments", "pk": "entry:crypto-assessments:610116:enterprise"},
            "get",
            {"province", "enterprise"},
            200,
        ),
    ],
    # the ingest pipeline (原始数据): the provincial office reads and runs every ingest; an operator's users upload
    # and read their own operator's runs, never the province's (its files hold every operator's rows) nor another
    # operator's; a value's source follows the value (scopes per value: tests/ingests/test_views.py)
    "ingests:list": [({}, "get", {"province", "operator"}, 200)],
    # an upload with no files: the form comes back with its errors
    "ingests:new": [({}, "get", {"province", "operator"}, 200), ({}, "post", {"province", "operator"}, 400)],
    "ingests:run": [
        ({"pk": "run:other"}, "get", {"province"}, 200),  # a run another officer started
        ({"pk": "run:cmcc"}, "get", {"province", "operator"}, 200),  # 中国移动's, the operator user's own
        ({"pk": "run:ctcc"}, "get", {"province"}, 200),  # 中国电信's
    ],
    "ingests:progress": [
        ({"pk": "run:other"}, "get", {"province"}, 200),
        ({"pk": "run:cmcc"}, "get", {"province", "operator"}, 200),
    ],
    "ingests:rejects": [
        ({"pk": "run:other"}, "get", {"province"}, 200),
        ({"pk": "run:cmcc"}, "get", {"province", "operator"}, 200),
        ({"pk": "run:ctcc"}, "get", {"province"}, 200),
    ],
    "ingests:conflicts": [
        ({"pk": "run:other"}, "get", {"province"}, 200),
        ({"pk": "run:cmcc"}, "get", {"province", "operator"}, 200),
    ],
    # confirming or discarding a finished run: told it is not waiting for confirmation, back to its page. Its
    # uploader or the province decides a preview: not the operator's user, where the office sent the files
    "ingests:apply": [
        ({"pk": "run:other"}, "post", {"province"}, 302),
        ({"pk": "run:ctcc"}, "post", {"province"}, 302),
        ({"pk": "run:cmcc"}, "post", {"province"}, 302),
    ],
    "ingests:discard": [
        ({"pk": "run:other"}, "post", {"province"}, 302),
        ({"pk": "run:cmcc"}, "post", {"province"}, 302),
    ],
    "ingests:policy": [({}, "get", {"province"}, 200), ({}, "post", {"province"}, 400)],
    "ingests:value": [
        (
            {"pk": "value:610302:ctcc"},
            "get",
            SEES_BAOJI - {"operator"},
            200,
        ),  # another unit's, another operator's
        ({"pk": "value:610116:cmcc"}, "get", SEES_XIAN, 200),  # the operator user's own figure
    ],
    "api:ingest_runs": [({}, "get", {"province", "operator"}, 200)],
    "api:ingest_run": [
        ({"pk": "run:other"}, "get", {"province"}, 200),
        ({"pk": "run:cmcc"}, "get", {"province", "operator"}, 200),
        ({"pk": "run:ctcc"}, "get", {"province"}, 200),
    ],
    "api:datavalue_lineage": [
        ({"pk": "value:610302:ctcc"}, "get", SEES_BAOJI - {"operator"}, 200),
        ({"pk": "value:610116:cmcc"}, "get", SEES_XIAN, 200),
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
        ({"pk": "assignment:cities:610300"}, "get", TASKS_BAOJI, 200),
        # splitting 宝鸡's share among its counties: its office (or the province); 西安's: the province only
        (
            {"pk": "assignment:cities:610300", "=form": "split", "=counties": "unit:610302"},
            "post",
            {"province", "city-office"},
            302,
        ),
        (
            {"pk": "assignment:cities:610100", "=form": "split", "=counties": "unit:610116"},
            "post",
            {"province"},
            302,
        ),
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
    # 宝鸡's report is submitted by 宝鸡 (a refused step goes back to the report: 302), approved by the office
    "supervision:act": [
        ({"pk": "report:cities:610300:draft", "action": "submit"}, "post", {"city-reviewer"}, 302),
        ({"pk": "report:gxt:610000:submitted", "action": "approve"}, "post", {"province"}, 302),
    ],
    # evidence of 宝鸡's and of 省工信厅's reports: read with the share, removed by its unit while a draft
    "supervision:evidence": [
        ({"pk": "evidence:cities:610300"}, "get", TASKS_BAOJI, 200),
        ({"pk": "evidence:gxt:610000"}, "get", TASKS_GXT, 200),
    ],
    "supervision:evidence_delete": [
        ({"pk": "evidence:cities:610300"}, "post", {"city-reviewer"}, 302),
        ({"pk": "evidence:gxt:610000"}, "post", {"department"}, 302),
    ],
    "supervision:milestone_delete": [({"pk": "milestone:T2.1.1"}, "post", {"province"}, 302)],
    "supervision:notices": [({}, "get", TASKS, 200)],
    # no assignment chosen: the office (or a city's office) picks one; a share chosen: the province any, 宝鸡's office
    # the parts of 宝鸡's share (渭滨区's), not 宝鸡's own share (the province supervises it), not 西安's parts
    "supervision:notice_new": [
        ({}, "get", {"province", "city-office"}, 200),
        ({"?assignment": "part:610300:610302"}, "get", {"province", "city-office"}, 200),
        ({"?assignment": "assignment:cities:610300"}, "get", {"province"}, 200),
        ({"?assignment": "part:610100:610116"}, "get", {"province"}, 200),
    ],
    "supervision:notice": [
        ({"pk": "notice:cities:610300"}, "get", TASKS_BAOJI, 200),
        ({"pk": "notice:gxt:610000"}, "get", TASKS_GXT, 200),
        # signing for a notice on 宝鸡's share: its own reviewer (once: the answer already signed it, so the
        # page says so and goes back: 302); every other role is refused
        ({"pk": "notice:cities:610300", "=form": "sign"}, "post", {"city-reviewer"}, 302),
    ],
    # 情况通报: the province's office on its notices (and a city's, ?city=); a city's office on its city's
    "supervision:bulletin": [
        ({"plan": PLAN}, "get", {"province", "city-office"}, 200),
        ({"plan": PLAN, "?city": "610100"}, "get", {"province"}, 200),
    ],
    "supervision:notice_docx": [({"pk": "notice:cities:610300"}, "get", TASKS_BAOJI, 200)],
    "supervision:answer_docx": [
        ({"pk": "notice:cities:610300", "answer": "answer:1"}, "get", TASKS_BAOJI, 200)
    ],
    "supervision:evaluation": [({"plan": PLAN}, "get", TASKS, 200)],
    # the province's ranking is published by its office; a city's (of its counties and departments: a city user's
    # page starts there) by that city's office (宝鸡's has no parts here: it is told so and sent back, 302)
    "supervision:evaluation_publish": [
        ({"plan": PLAN, "?city": ""}, "post", {"province"}, 302),
        ({"plan": PLAN}, "post", {"province", "city-office"}, 302),
        ({"plan": PLAN, "?city": "610100"}, "post", {"province"}, 302),
    ],
    # the unpublished ranking covers the whole province (the office and province-wide readers), or a whole city
    # (who reads that city's tasks: each city user's own by default)
    "supervision:evaluation_xlsx": [
        ({"plan": PLAN, "run": LIVE, "?city": ""}, "get", {"province", "viewer", "department"}, 200),
        ({"plan": PLAN, "run": LIVE}, "get", TASKS, 200),
        ({"plan": PLAN, "run": LIVE, "?city": "610300"}, "get", TASKS_BAOJI, 200),
        # a published one: every task reader's
        ({"plan": PLAN, "run": "evaluation:2023Q4"}, "get", TASKS, 200),
    ],
    # 5G应用安全: the overview and the API. Read by the offices, the auditor and the enterprises (their own rows),
    # each within its view scope: 宝鸡's office may not ask for 西安 (the enterprise's scope is the province's)
    "security:overview": [
        ({}, "get", {"province", "city-office", "auditor", "enterprise"}, 200),
        ({"?city": "610100"}, "get", {"province", "auditor", "enterprise"}, 200),
    ],
    "api:security_measures": [
        ({}, "get", {"province", "city-office", "auditor", "enterprise"}, 200),
        ({"?org": "610100"}, "get", {"province", "auditor", "enterprise"}, 200),
    ],
    "api:security_risks": [
        ({}, "get", {"province", "city-office", "auditor", "enterprise"}, 200),
        ({"?org": "610100"}, "get", {"province", "auditor", "enterprise"}, 200),
    ],
    "api:security_assessments": [
        ({}, "get", {"province", "city-office", "auditor", "enterprise"}, 200),
        ({"?org": "610100"}, "get", {"province", "auditor", "enterprise"}, 200),
    ],
    # 5G应用安全: questionnaires, assessments, risks
    # The questionnaire's versions are the provincial office's ("questionnaire:draft": a draft another officer made;
    # its edit page without a posted formset comes back with its errors: 400).
    "security:questionnaires": [({}, "get", {"province"}, 200)],
    "security:questionnaire_new": [({}, "post", {"province"}, 302)],
    "security:questionnaire": [({"version": "questionnaire:published"}, "get", {"province"}, 200)],
    "security:questionnaire_edit": [
        ({"version": "questionnaire:draft"}, "get", {"province"}, 200),
        ({"version": "questionnaire:draft"}, "post", {"province"}, 400),
    ],
    "security:questionnaire_publish": [({"version": "questionnaire:draft"}, "post", {"province"}, 302)],
    # An assessment (or risk) of another enterprise's application in 宝鸡's 渭滨区, and of the test enterprise's own in
    # 西安's 长安区 (":own"): read by the offices whose scope it is in, the auditor and its own enterprise; answered by
    # the offices and the enterprise (nothing answered: saved, 302; submitted: refused naming the unanswered, 302); a
    # risk recorded from it (an empty form names the owner and deadline: 400)
    "security:assessments": [({}, "get", {"province", "city-office", "auditor", "enterprise"}, 200)],
    "security:assessment_new": [
        ({}, "get", {"province", "city-office", "enterprise"}, 200),
        ({}, "post", {"province", "city-office", "enterprise"}, 400),
    ],
    "security:assessment": [
        ({"pk": "assessment:610302"}, "get", {"province", "city-office", "auditor"}, 200),
        ({"pk": "assessment:610116:own"}, "get", {"province", "auditor", "enterprise"}, 200),
    ],
    "security:assessment_answers": [
        ({"pk": "assessment:610302"}, "get", {"province", "city-office"}, 200),
        ({"pk": "assessment:610116:own"}, "get", {"province", "enterprise"}, 200),
        ({"pk": "assessment:610116:own"}, "post", {"province", "enterprise"}, 302),
    ],
    "security:assessment_submit": [
        ({"pk": "assessment:610302"}, "post", {"province", "city-office"}, 302),
        ({"pk": "assessment:610116:own"}, "post", {"province", "enterprise"}, 302),
    ],
    "security:risk_new": [
        ({"pk": "assessment:610302"}, "get", {"province", "city-office"}, 200),
        ({"pk": "assessment:610116:own"}, "get", {"province", "enterprise"}, 200),
        ({"pk": "assessment:610116:own"}, "post", {"province", "enterprise"}, 400),
    ],
    # the register: a risk is answered by who assesses the application, closed, accepted or extended by the offices
    # alone (each step posted empty comes back with its error: 400)
    "security:risks": [({}, "get", {"province", "city-office", "auditor", "enterprise"}, 200)],
    "security:risk": [
        ({"pk": "risk:610302"}, "get", {"province", "city-office", "auditor"}, 200),
        ({"pk": "risk:610116:own"}, "get", {"province", "auditor", "enterprise"}, 200),
    ],
    "security:risk_respond": [
        ({"pk": "risk:610302"}, "post", {"province", "city-office"}, 400),
        ({"pk": "risk:610116:own"}, "post", {"province", "enterprise"}, 400),
    ],
    "security:risk_close": [
        ({"pk": "risk:610302"}, "post", {"province", "city-office"}, 400),
        ({"pk": "risk:610116:own"}, "post", {"province"}, 400),
    ],
    "security:risk_accept": [
        ({"pk": "risk:610302"}, "post", {"province", "city-office"}, 400),
        ({"pk": "risk:610116:own"}, "post", {"province"}, 400),
    ],
    "security:risk_extend": [
        ({"pk": "risk:610302"}, "post", {"province", "city-office"}, 400),
        ({"pk": "risk:610116:own"}, "post", {"province"}, 400),
    ],
}
QUERY = {
    "api:registry_counts": "?org=610100&period=2023Q4",
    "api:indicator_values": "?org=610000&period=2023",  # the province: not a city user's
    "collection:checks": "?data_set=city-quarterly&org=610100&period=2023Q4",
    "collection:reconciliation": "?org=610100&period=2023Q4",
    "api:goal_verdicts": "?org=610300&period=2022",
}
REFUSED = {  # someone else's token or notification is not found, not merely forbidden
    "accounts:token_revoke": 404,
    "notifications:open": 404,
    "notifications:read": 404,
    "notifications:done": 404,
}


def _url_patterns(patterns, namespace="", converters=None):
    """(name, converters of its parameters) of every named URL outside the Django admin."""
    for pattern in patterns:
        found = {**(converters or {}), **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                continue  # Django admin: its own permission system, checked in test_admin_is_for_administrators
            yield from _url_patterns(pattern.url_patterns, inner, found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, found


def _url_names(patterns):
    return (name for name, _converters in _url_patterns(patterns))


def _object_parameters(converters: dict) -> set[str]:
    """The parameters of a URL that name a stored object: an integer id, or a job's id."""
    from django.urls.converters import IntConverter

    return {
        key for key, converter in converters.items() if isinstance(converter, IntConverter) or key == "job_id"
    }


def test_every_url_is_in_the_matrix():
    names = set(_url_names(get_resolver().url_patterns))
    assert names - MATRIX.keys() - PUBLIC == set(), "add these URLs to the permission matrix"
    assert MATRIX.keys() - names == set(), "the matrix lists URLs that no longer exist"


def test_every_object_a_url_names_is_a_real_one():
    """A URL that takes an object is tried on objects made for the test (another unit's, operator's, group's or
    user's beside the caller's own), never on an id that exists nowhere: a 404 for a missing id says nothing of
    who may see an object that does exist."""
    fake = []
    for name, converters in _url_patterns(get_resolver().url_patterns):
        for kwargs, _method, _allowed, _status in MATRIX.get(name, []):
            for key in _object_parameters(converters):
                value = kwargs[key]
                if value == LIVE and (name, key) == ("supervision:evaluation_xlsx", "run"):
                    continue
                if not (isinstance(value, str) and value.split(":")[0] in _RealObjects.KINDS):
                    fake.append(f"{name} {key}={value!r}")
    assert fake == [], f"name a real object (_RealObjects) instead of an id: {fake}"


CASES = [
    pytest.param(
        name, kwargs, method, role, allowed, status, id=f"{name}-{'-'.join(map(str, kwargs.values()))}-{role}"
    )
    for name, rows in MATRIX.items()
    for kwargs, method, allowed, status in rows
    for role in ROLES
]


@pytest.fixture(scope="module")
def signed_in(django_db_setup, django_db_blocker):
    """The user of each role the matrix asks as, and the key of a session in which that user is signed in: made
    once for the ~3,000 cases instead of once a case (a user made through the service and a login, each writing
    to the audit trail, were a fifth of the matrix's time on PostgreSQL).

    They are made in a transaction held open for the module and rolled back after its last test. Each test's own
    transaction (pytest-django's) is a savepoint inside it, rolled back when the test ends: whatever a case
    changes (the user, the session, a token, a refusal's audit entry) is undone before the next case, so every
    case starts from the same users, as a case with users of its own did. The users are named ``matrix-<role>``,
    apart from the ``u-<role>`` that ``make_user`` makes in this module's other tests. A session is kept a day,
    not the half hour of ``SESSION_COOKIE_AGE``: the refresh a request makes is rolled back with its case, and on
    a loaded machine the module may run longer than half an hour."""
    from datetime import timedelta

    from django.db import transaction
    from django.test import Client, override_settings
    from tests.conftest import create_user, login_as

    # made before the tests' own fixtures (``_fast_password_hashing``) apply: hashed with MD5 here too
    md5 = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), md5:
        module = transaction.atomic()
        module.__enter__()
        try:
            users = {}
            for role in ROLES:
                user = create_user(role, username=f"matrix-{role}")
                session = login_as(Client(), user).session
                session.set_expiry(timedelta(days=1))
                session.save()
                users[role] = (user.pk, session.session_key)
        except BaseException:
            transaction.set_rollback(True)
            module.__exit__(None, None, None)
            raise
    yield users
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module.__exit__(None, None, None)


@pytest.mark.parametrize(("name", "kwargs", "method", "role", "allowed", "status"), CASES)
def test_permission_matrix(request, db, signed_in, name, kwargs, method, role, allowed, status):
    from django.conf import settings
    from django.test import Client

    from yangfan.accounts.models import User
    from yangfan.accounts.services import token_create
    from yangfan.audit.models import AuditEntry

    user_id, session_key = signed_in[role]
    me = User.objects.get(pk=user_id)
    client = Client()
    headers = {}
    if name.startswith("api:"):
        # no session: the token alone identifies the caller
        headers = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=None, user=me)[1]}
    else:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    objects = _RealObjects(request, me=me, url_name=name)
    resolved = {}
    for key, value in kwargs.items():
        resolved[key] = (
            objects.make(value, resolved) if isinstance(value, str) and value in objects else value
        )
    before = AuditEntry.objects.filter(action="permission_denied").count()

    # "?name": a query parameter, "=name": a posted field; the rest are the URL's
    query = {k[1:]: v for k, v in resolved.items() if k.startswith("?")}
    data = {k[1:]: v for k, v in resolved.items() if k.startswith("=")}
    path_kwargs = {k: v for k, v in resolved.items() if k[0] not in "?="}
    url = reverse(name, kwargs=path_kwargs) + QUERY.get(name, "")
    if query:
        url += ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in query.items())
    if data:
        response = getattr(client, method)(url, data, **headers)
    else:
        response = getattr(client, method)(url, **headers)
    # a download is read to its end, which closes its file (the test client's wrapper does it)
    content = b"".join(response.streaming_content) if response.streaming else response.content

    if role in allowed:
        assert response.status_code == status, content[:300]
    else:
        expected = REFUSED.get(name, 403)
        assert response.status_code == expected
        if expected == 403:
            assert ("无权访问" if not name.startswith("api:") else "detail") in content.decode()
            assert AuditEntry.objects.filter(action="permission_denied").count() == before + 1


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class _RealObjects:
    """The objects a row of the matrix names, made for one test through the services (or, for a state a service
    reaches only through many steps, the model): each belongs to another unit, operator, group or user than the
    user under test, unless its name says ``own``. A name is ``kind:part:…``:

    - ``own``, ``other``: a token (or an account) of the user under test, of someone else
    - ``assignment:<responsible unit>:<org unit>``: the share of task T2.1.1
    - ``report:<unit>:<org>:<draft|submitted>``: its 2023Q4 progress report, written by the unit;
      ``reported:…``: the same, named by its share (the API's URLs)
    - ``evidence:<unit>:<org>``: a file attached to that report (a draft)
    - ``notice:<unit>:<org>``: a 督办单 the office issued on the share, answered once (``answer:1``)
    - ``milestone:<task>``: a milestone the office set
    - ``part:<city>:<county>``: the part of the city's share of T2.1.1 the province gave the county (the cascade)
    - ``unit:<code>``: an org unit (a form's choice)
    - ``entry:<registry>:<org unit>[:enterprise]``: a case, a 密评 (of a case) or else a VPN of that unit, of 测试企业 or
      (``:enterprise``) of the test enterprise user's enterprise; ``call:<org unit>`` (a call with a case of that
      unit applying),
      ``review:<own|other>`` (a review assigned to the user under test, when an expert, or to another expert)
    - ``verdict:<org unit>:<draft|published>``: the office's 2022 verdict on Q01 for the unit;
      ``goalreview:<own|other>``: an opinion on 宝鸡's draft asked of the user under test (an expert) or of another
      expert
    - ``submission:<data set>:<org unit>[:<operator>]`` (a draft), ``submitted:…``, ``value:<org unit>:<operator>``
    - ``notification:<own|other>``: an open notification of the user under test, of someone else;
      ``webhook:<org unit>``: an endpoint the office configured for that unit
    - ``run:other``: an ingest run another officer started; ``run:<operator>``: one of that operator's (sent by the
      office for it); ``job:<own|other>[:done]``: a report job;
      ``evaluation:<period>``: a published ranking; ``audit:latest``: the newest audit entry
    - ``questionnaire:<published|draft>``: version 1 (the migration's), or a draft another officer copied from it;
      ``assessment:<org unit>[:own]``: a self-assessment the office filed on a case of that unit (``own``: of the test
      enterprise, ``ENTERPRISE``; otherwise another enterprise's); ``risk:<org unit>[:own]``: a risk found in one
    """

    KINDS = {
        "own",
        "other",
        "assignment",
        "report",
        "reported",
        "evidence",
        "notice",
        "answer",
        "milestone",
        "entry",
        "call",
        "review",
        "submission",
        "submitted",
        "value",
        "run",
        "job",
        "evaluation",
        "audit",
        "notification",
        "webhook",
        "verdict",
        "goalreview",
        "part",
        "unit",
        # 5G应用安全: questionnaires, assessments, risks
        "questionnaire",
        "assessment",
        "risk",
    }
    CASE = "测试应用案例"

    def __init__(self, request, *, me, url_name: str):
        self.request, self.me, self.url_name = request, me, url_name
        self.people: dict[str, object] = {}
        self.data_dir = None

    def __contains__(self, value: str) -> bool:
        return value.split(":")[0] in self.KINDS

    def make(self, spec: str, resolved: dict):
        kind, *parts = spec.split(":")
        return getattr(self, f"_{kind}")(*parts, resolved=resolved)

    # -- who else is there --------------------------------------------------------------------------------------

    def person(self, role: str, username: str, **overrides):
        if username not in self.people:
            self.people[username] = self.request.getfixturevalue("make_user")(
                role, username=username, **overrides
            )
        return self.people[username]

    def office(self):
        """Another officer of the provincial office: who issues, publishes and runs what the matrix reads."""
        return self.person("province", "office-2")

    def reporter(self, unit: str, org: str):
        """Someone who reports for a task share: a city's reporter for its city government's share, the
        department's user for its own."""
        from yangfan.actionplans.models import ResponsibleUnit
        from yangfan.orgunits.models import OrgUnit

        if unit == "cities":
            return self.person(
                "city-reporter", f"reporter-{org}", capture_org_units=[OrgUnit.objects.get(code=org)]
            )
        responsible = ResponsibleUnit.objects.get(plan__code=PLAN, code=unit)
        return self.person("department", f"reporter-{unit}", responsible_unit=responsible)

    def folder(self):
        """The data directory of this test (evidence, rejected rows, report files), not the shared one."""
        if self.data_dir is None:
            self.data_dir = self.request.getfixturevalue("tmp_path")
            self.request.getfixturevalue("settings").DATA_DIR = self.data_dir
        return self.data_dir

    # -- accounts and the audit trail -------------------------------------------------------------------------

    def _own(self, *, resolved):
        from yangfan.accounts.services import token_create

        return token_create(actor=None, user=self.me, days=1)[0].pk

    def _other(self, *, resolved):
        from yangfan.accounts.services import token_create

        other = self.person("viewer", "someone-else")
        return token_create(actor=None, user=other, days=1)[0].pk if "token" in self.url_name else other.pk

    def _audit(self, which, *, resolved):
        from yangfan.audit.models import AuditEntry

        return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True)[0]

    # -- notifications ------------------------------------------------------------------------------------------

    def _notification(self, whose, *, resolved):
        from yangfan.notifications.services import notify

        recipient = self.me if whose == "own" else self.person("viewer", "someone-else")
        [notification] = notify(
            users=[recipient], kind="notice_new", title="新督办单", url="/", subject=f"matrix:{whose}"
        )
        return notification.pk

    def _webhook(self, org, *, resolved):
        from yangfan.notifications.services import webhook_endpoint_create
        from yangfan.orgunits.models import OrgUnit

        endpoint, _secret = webhook_endpoint_create(
            actor=self.office(), org_unit=OrgUnit.objects.get(code=org), url="https://im.example.gov.cn/hook"
        )
        return endpoint.pk

    # -- task supervision ---------------------------------------------------------------------------------------

    def _assignment(self, unit, org, *, resolved):
        from yangfan.supervision.models import Assignment

        return Assignment.objects.get(
            task__code="T2.1.1",
            responsible_unit__code=unit,
            org_unit__code=org,
            subtask__isnull=True,
            parent__isnull=True,
        ).pk

    def progress_report(self, unit, org, status="draft", files=()):
        from yangfan.supervision import services
        from yangfan.supervision.models import Assignment

        assignment = Assignment.objects.get(pk=self._assignment(unit, org, resolved={}))
        report = services.progress_report_open(assignment=assignment, period="2023Q4")
        reporter = self.reporter(unit, org)
        services.progress_report_save(
            actor=reporter, report=report, progress="in_progress", percent=30, narrative="已启动", files=files
        )
        if status == "submitted":
            services.progress_report_act(actor=reporter, report=report, action="submit")
        return report

    def _report(self, unit, org, status, *, resolved):
        return self.progress_report(unit, org, status).pk

    def _reported(self, unit, org, status, *, resolved):
        return self.progress_report(unit, org, status).assignment_id

    def _evidence(self, unit, org, *, resolved):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.folder()
        files = [SimpleUploadedFile("佐证.pdf", PDF, content_type="application/pdf")]
        return self.progress_report(unit, org, files=files).evidence.get().pk

    def _notice(self, unit, org, *, resolved):
        from datetime import timedelta

        from django.utils import timezone

        from yangfan.supervision import services
        from yangfan.supervision.models import Assignment

        self.folder()
        notice = services.notice_issue(
            actor=self.office(),
            assignment=Assignment.objects.get(pk=self._assignment(unit, org, resolved={})),
            title="关于推进任务的督办通知",
            issue="进度滞后",
            required_action="请报送整改措施",
            deadline=timezone.localdate() + timedelta(days=15),
        )
        services.notice_answer(actor=self.reporter(unit, org), notice=notice, text="已整改")
        return notice.pk

    def _part(self, city, county, *, resolved):
        from yangfan.orgunits.models import OrgUnit
        from yangfan.supervision import services
        from yangfan.supervision.models import Assignment

        share = Assignment.objects.get(pk=self._assignment("cities", city, resolved={}))
        return services.assignment_split(
            actor=self.office(), assignment=share, counties=[OrgUnit.objects.get(code=county)]
        )[0].pk

    def _unit(self, code, *, resolved):
        from yangfan.orgunits.models import OrgUnit

        return OrgUnit.objects.get(code=code).pk

    def _answer(self, serial, *, resolved):
        from yangfan.supervision.models import NoticeAnswer

        return NoticeAnswer.objects.get(notice_id=resolved["pk"], serial=int(serial)).serial

    def _milestone(self, task, *, resolved):
        from datetime import date

        from yangfan.actionplans.models import Task
        from yangfan.supervision import services

        return services.milestone_create(
            actor=self.office(),
            task=Task.objects.get(plan__code=PLAN, code=task),
            title="完成试点",
            due=date(2023, 6, 30),
            evidence_expected="",
            subtask=None,
        ).pk

    def _evaluation(self, period, *, resolved):
        from datetime import date

        from django.utils import timezone

        from yangfan.actionplans.models import Plan
        from yangfan.supervision.models import EvaluationRun

        return EvaluationRun.objects.create(
            plan=Plan.objects.get(code=PLAN),
            period=period,
            scheme_version="1",
            as_of=date(2024, 1, 20),
            rows=[],
            published_by=self.office(),
            published_at=timezone.now(),
        ).pk

    # -- registries and the benchmark selection ---------------------------------------------------------------

    def case(self, org, enterprise="测试企业"):
        from datetime import date

        from yangfan.actionplans.models import Sector
        from yangfan.orgunits.models import OrgUnit
        from yangfan.registries.models import ApplicationCase
        from yangfan.registries.services import entry_save

        return entry_save(
            actor=self.office(),
            entry=ApplicationCase(
                org_unit=OrgUnit.objects.get(code=org),
                name=self.CASE,
                sector=Sector.objects.get(plan__code=PLAN, code="smart-power"),
                enterprise=enterprise,
                network_form="public",
                stage="production",
                started_on=date(2022, 3, 1),
            ),
        )

    def _entry(self, slug, org, *owner, resolved):
        from datetime import date

        from tests.conftest import ENTERPRISE, unsaved_vpn

        enterprise = ENTERPRISE if owner == ("enterprise",) else "测试企业"
        if slug == "cases":
            return self.case(org, enterprise).pk
        if slug == "crypto-assessments":
            return self.crypto_assessment(self.case(org, enterprise)).pk
        vpn = unsaved_vpn(org)
        vpn.commissioned_on = date(2023, 3, 1)
        vpn.save()
        return vpn.pk

    def crypto_assessment(self, case):
        """A 密评 of ``case`` (placed at the case's unit), by a body the office registered."""
        from datetime import date

        from yangfan.registries.models import CryptoAssessment, EvaluationBody
        from yangfan.registries.services import entry_save

        body = entry_save(
            actor=self.office(),
            entry=EvaluationBody(
                org_unit=case.org_unit, name="测试密评机构", does_crypto=True, recognised_on=date(2021, 1, 1)
            ),
        )
        return entry_save(
            actor=self.office(),
            entry=CryptoAssessment(
                org_unit=case.org_unit,
                case=case,
                system="测试信息系统",
                level="3",
                body=body,
                report_number="MP-TEST-001",
                assessed_on=date(2023, 3, 1),
                result="compliant",
                valid_until=date(2024, 2, 29),
            ),
        )

    def call(self, org):
        """A call of 智慧电力 under review, with a case of ``org`` applying."""
        from datetime import date

        from yangfan.actionplans.models import Sector
        from yangfan.registries import selection

        office = self.office()
        call = selection.call_create(
            actor=office,
            sector=Sector.objects.get(plan__code=PLAN, code="smart-power"),
            year=2023,
            title="",
            criteria=[{"name": "创新性", "max": 50}, {"name": "应用成效", "max": 50}],
            opens_on=date(2023, 3, 1),
            closes_on=date(2023, 4, 30),
        )
        selection.call_move(actor=office, call=call)
        application = selection.application_submit(actor=office, call=call, case=self.case(org))
        selection.call_move(actor=office, call=call)
        return application

    def _call(self, org, *, resolved):
        return self.call(org).call_id

    def _review(self, whose, *, resolved):
        """A review of 宝鸡's case, assigned to the user under test (when an expert: no other role is assigned
        one) or to another expert."""
        from yangfan.accounts.permissions import has_permission
        from yangfan.registries import selection

        own = whose == "own" and has_permission(self.me, "benchmarks.review")
        reviewer = self.me if own else self.person("expert", "expert-2")
        return selection.reviewer_assign(
            actor=self.office(), application=self.call("610302"), reviewer=reviewer
        ).pk

    # -- qualitative goals judged ----------------------------------------------------------------------------

    def goal_verdict(self, org, *, publish: bool):
        """The office's 2022 verdict on Q01 for ``org`` (the provincial office judges every unit)."""
        from yangfan.actionplans.models import QualitativeTarget
        from yangfan.goals import services
        from yangfan.orgunits.models import OrgUnit

        verdict = services.goal_verdict_save(
            actor=self.office(),
            target=QualitativeTarget.objects.get(plan__code=PLAN, code="Q01"),
            org_unit=OrgUnit.objects.get(code=org),
            period="2022",
            verdict="partly",
            reasoning="基站建设进度居西部前列，应用规模仍待扩大",
        )
        if publish:
            services.goal_verdict_publish(actor=self.office(), verdict=verdict)
        return verdict

    def _verdict(self, org, status, *, resolved):
        return self.goal_verdict(org, publish=status == "published").pk

    def _goalreview(self, whose, *, resolved):
        from yangfan.accounts.permissions import has_permission
        from yangfan.goals import services

        own = whose == "own" and has_permission(self.me, "benchmarks.review")
        reviewer = self.me if own else self.person("expert", "expert-2")
        return services.goal_review_assign(
            actor=self.office(), verdict=self.goal_verdict("610300", publish=False), reviewer=reviewer
        ).pk

    # -- collected figures ---------------------------------------------------------------------------------------

    def submission(self, data_set, unit, operator=None, **fields):
        from yangfan.actionplans.models import DataSet, Operator
        from yangfan.collection.models import Submission
        from yangfan.orgunits.models import OrgUnit

        return Submission.objects.create(
            data_set=DataSet.objects.get(code=data_set),
            org_unit=OrgUnit.objects.get(code=unit),
            period="2023Q4" if data_set == "city-quarterly" else "202312",
            operator=Operator.objects.get(code=operator) if operator else None,
            **fields,
        )

    def _submission(self, data_set, unit, *operator, resolved):
        return self.submission(data_set, unit, *operator).pk

    def _submitted(self, data_set, unit, *operator, resolved):
        """A report its unit submitted (the workflow's state set directly: submitting through the service would
        first need every figure entered and explained)."""
        from django.utils import timezone

        from yangfan.collection.choices import SubmissionStatus
        from yangfan.orgunits.models import OrgUnit

        reporter = self.person(
            "city-reporter", f"reporter-{unit}", capture_org_units=[OrgUnit.objects.get(code=unit)]
        )
        return self.submission(
            data_set,
            unit,
            *operator,
            status=SubmissionStatus.SUBMITTED,
            submitted_by=reporter,
            submitted_at=timezone.now(),
        ).pk

    def _value(self, unit, operator, *, resolved):
        from decimal import Decimal

        from yangfan.actionplans.models import DataElement, Operator
        from yangfan.datavalues.models import DataValue
        from yangfan.orgunits.models import OrgUnit

        return DataValue.objects.create(
            data_element=DataElement.objects.get(code="base_stations_5g"),
            org_unit=OrgUnit.objects.get(code=unit),
            period="202312",
            operator=Operator.objects.get(code=operator),
            value=Decimal(120),
        ).pk

    # -- the pipeline and the reports -----------------------------------------------------------------------------

    def _run(self, whose, *, resolved):
        from yangfan.actionplans.models import Operator
        from yangfan.ingests.models import IngestRun

        rejects = self.folder() / "rejects.csv"
        rejects.write_text("site_id,reason\nS9,缺少地区代码\n", encoding="utf-8")
        return IngestRun.objects.create(
            operator=Operator.objects.filter(code=whose).first(),  # ``other``: the province's own
            kind="base-stations",
            engine="duckdb",
            engine_version="1.0",
            status="done",
            actor=self.office(),
            rows_read=3,
            rows_rejected=1,
            rejects_file=str(rejects),
        ).pk

    # -- 5G应用安全: questionnaires, assessments, risks ----------------------------------------------------------------

    def _questionnaire(self, state, *, resolved):
        from yangfan.security import services
        from yangfan.security.models import Questionnaire

        if state == "published":
            return Questionnaire.objects.get(version=1).version
        return services.questionnaire_draft_create(actor=self.office()).version

    def security_assessment(self, org, whose=""):
        """A self-assessment the office filed on a case of ``org`` (the test enterprise's when ``whose`` is own)."""
        from datetime import date

        from tests.conftest import ENTERPRISE

        from yangfan.actionplans.models import Sector
        from yangfan.orgunits.models import OrgUnit
        from yangfan.registries.models import ApplicationCase
        from yangfan.registries.services import entry_save
        from yangfan.security import services

        case = entry_save(
            actor=self.office(),
            entry=ApplicationCase(
                org_unit=OrgUnit.objects.get(code=org),
                name="安全评估测试应用",
                sector=Sector.objects.get(plan__code=PLAN, code="smart-power"),
                enterprise=ENTERPRISE if whose == "own" else "测试企业",
                network_form="public",
                stage="production",
                started_on=date(2022, 3, 1),
            ),
        )
        return services.assessment_create(
            actor=self.office(), case=case, stage="operation", kind="self", assessed_on=date(2023, 6, 1)
        )

    def _assessment(self, org, *whose, resolved):
        return self.security_assessment(org, *whose).pk

    def _risk(self, org, *whose, resolved):
        from datetime import date

        from yangfan.security import services

        return services.risk_create(
            actor=self.office(),
            assessment=self.security_assessment(org, *whose),
            title="切片与公众业务未隔离",
            likelihood=3,
            impact=4,
            owner="网络部 张工",
            remediation="生产控制业务迁入专用切片",
            deadline=date(2030, 6, 30),
        ).pk

    def _job(self, whose, *state, resolved):
        """A report job of the user under test or of another officer; ``done``: finished, its file written."""
        from django.utils import timezone
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from yangfan.reports.tasks import report_job, report_path

        owner = self.me if whose == "own" else self.office()
        job = report_job.enqueue(actor_id=owner.pk, org="610000", period="2023Q4", fmt="docx")
        if state == ("done",):
            self.folder()
            path = report_path(str(job.id), "docx")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"PK\x03\x04")
            DBTaskResult.objects.filter(id=job.id).update(
                status=TaskResultStatus.SUCCESSFUL,
                started_at=timezone.now(),
                finished_at=timezone.now(),
                return_value={"ok": True, "title": "评估报告", "name": "评估报告.docx", "format": "docx"},
            )
        return str(job.id)


@pytest.mark.parametrize("role", sorted(DATA_VIEWERS))
def test_a_call_shows_each_reader_the_applications_in_its_scope(request, client_for, role):
    """A call is every registry reader's page; a case applying to it shows only to who sees the case's unit."""
    from yangfan.accounts.models import User

    client = client_for(role)
    me = User.objects.get(pk=client.session["_auth_user_id"])
    call = _RealObjects(request, me=me, url_name="registries:call").make("call:610302", {})  # 渭滨区, 宝鸡
    page = client.get(reverse("registries:call", kwargs={"pk": call})).content.decode()
    assert (_RealObjects.CASE in page) == (role in SEES_BAOJI)


def test_anonymous_users_are_sent_to_login(client, plan):
    for name, rows in MATRIX.items():
        for kwargs, method, _allowed, _status in rows:
            url = reverse(
                name,
                kwargs={
                    k: (1 if v in ("own", "other") or (isinstance(v, str) and ":" in v) else v)
                    for k, v in kwargs.items()
                    if k[0] not in "?="  # a query parameter or a posted field: not the URL's
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

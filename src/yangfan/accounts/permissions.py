"""The one place that answers "may this user do X on this object".

Every view, API endpoint, export, report and background job asks :func:`may` (or :func:`require`, which
also records a refusal in the audit trail), and filters querysets with :func:`org_units_in_scope` or
:func:`restrict` at the source; what a form offers and what a reference may point at are read through
:func:`restrict` too. An org group (西咸新区) is in a scope when every unit it draws on is. Nothing else in the
code looks at a user's role.

Permissions are named ``area.verb``. Separation of duties (三权分立): the administrator manages users and
configuration but reads no audit log and approves no data; the auditor reads the audit log and changes
nothing; operators of data (province, departments, cities, operators) neither manage users nor read the log.
"""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yangfan.accounts.choices import Role
from yangfan.orgunits.selectors import covered_unit_ids, unit_links

R = Role
PERMISSIONS: dict[str, frozenset[str]] = {
    # the plan itself (its text, tasks, indicator definitions, the org tree): every signed-in user
    "plan.read": frozenset(Role.values),
    "plan.configure": frozenset({R.ADMIN, R.PROVINCE}),
    # per-unit targets and milestones on the way to the plan's targets: the provincial office for every unit, a
    # city's office for the units below its city (scoped by the capture scope; see may_set_target)
    "targets.set": frozenset({R.PROVINCE, R.CITY_OFFICE}),
    "users.manage": frozenset({R.ADMIN}),
    "audit.read": frozenset({R.AUDITOR}),
    # figures of an org unit (scoped by the view scope)
    "data.view": frozenset(
        {R.PROVINCE, R.DEPARTMENT, R.CITY_REPORTER, R.CITY_REVIEWER, R.CITY_OFFICE, R.OPERATOR, R.VIEWER}
    ),
    # entering and submitting data (scoped by the capture scope, the responsible unit or the operator)
    "data.capture": frozenset({R.PROVINCE, R.DEPARTMENT, R.CITY_REPORTER, R.OPERATOR}),
    "data.submit": frozenset({R.CITY_REPORTER, R.CITY_REVIEWER, R.DEPARTMENT, R.OPERATOR}),
    # approving (and returning, unlocking) what the unit below submitted: the province for cities, departments
    # and operators; a city's reviewer and its office for its counties (collection.services.may_review adds
    # "one level up")
    "data.approve": frozenset({R.PROVINCE, R.CITY_REVIEWER, R.CITY_OFFICE}),
    # tasks of the plan: reading assignments and their reports (scoped: a department sees its own, a city its
    # city's; see supervision.selectors), reporting progress and answering notices, and supervision (milestones,
    # sub-tasks, approving reports, notices, the evaluation): the provincial office for the plan and every share,
    # a city's office for the parts its city's share was split into (scoped by the capture scope; may_supervise)
    "tasks.view": frozenset(
        {R.PROVINCE, R.DEPARTMENT, R.CITY_REPORTER, R.CITY_REVIEWER, R.CITY_OFFICE, R.VIEWER}
    ),
    "tasks.report": frozenset({R.DEPARTMENT, R.CITY_REPORTER, R.CITY_REVIEWER}),
    # which of a task's units leads (牵头; the plan names it first, the others co-operate): the provincial office
    # may make another of them the lead, with a reason (actionplans.services.task_lead_set)
    "tasks.lead": frozenset({R.PROVINCE}),
    "supervision.manage": frozenset({R.PROVINCE, R.CITY_OFFICE}),
    # registries (登记簿): read by every role that reads figures, within its view scope; entries written by the
    # provincial office, the departments and the cities' reporters, each for the units of its capture scope
    # An enterprise user (企业用户) reads and writes only its own enterprise's entries (``owns``). Each registry names
    # the permissions it is read and written with (``registries.specs``): the security records use ``security.*``.
    "registries.view": frozenset(
        {
            R.PROVINCE,
            R.DEPARTMENT,
            R.CITY_REPORTER,
            R.CITY_REVIEWER,
            R.CITY_OFFICE,
            R.OPERATOR,
            R.VIEWER,
            R.ENTERPRISE,
        }
    ),
    "registries.manage": frozenset({R.PROVINCE, R.DEPARTMENT, R.CITY_REPORTER, R.ENTERPRISE}),
    # 5G应用安全 (四.(三) 8–11): an application's assessments, risks and 密评 are read by the unit it is in (its city's
    # office), the provincial office, the auditor, and its own enterprise, nobody else's (scoped by the view scope
    # and, for an enterprise, by ``owns``). Assessments are filed and risks answered by the enterprise or by the
    # offices on its behalf (``security.assess``); the offices keep the register: risks closed or accepted,
    # inspections and threat reports (``security.manage``); the questionnaire is the provincial office's
    "security.view": frozenset({R.PROVINCE, R.CITY_OFFICE, R.AUDITOR, R.ENTERPRISE}),
    "security.assess": frozenset({R.PROVINCE, R.CITY_OFFICE, R.ENTERPRISE}),
    "security.manage": frozenset({R.PROVINCE, R.CITY_OFFICE}),
    "security.configure": frozenset({R.PROVINCE}),
    # benchmark selection (标杆评选): the provincial office runs the calls and publishes; expert reviewers score
    # only the applications assigned to them (checked on each assignment)
    "benchmarks.run": frozenset({R.PROVINCE}),
    "benchmarks.review": frozenset({R.EXPERT}),
    # the plan's qualitative goals judged (定性目标评估): the provincial office for the province, a city's office for
    # its own city (scoped by the capture scope; unlike targets, own_level_ids does not apply: a city's office
    # judges its city's goals). Published verdicts are read with the unit's figures (data.view), drafts only by who
    # judges them; experts give opinions on the verdicts assigned to them (benchmarks.review)
    "goals.judge": frozenset({R.PROVINCE, R.CITY_OFFICE}),
    # the evaluation report of a unit (scoped by the view scope): the province's, or a city's by its office
    "reports.generate": frozenset({R.PROVINCE, R.VIEWER, R.CITY_OFFICE}),
    # raw operator files aggregated into data values (the pipeline): the provincial office runs an ingest and
    # reads every run; an operator's users upload their own operator's files and read their own operator's runs
    # (``OPERATOR_SCOPED``); a preview is applied by its uploader, or by the province (``may_apply_run``); the
    # office sets the confirmation threshold and how long raw files are kept. A value's own lineage follows
    # ``data.view``
    "ingest.run": frozenset({R.PROVINCE, R.OPERATOR}),
    "ingest.view": frozenset({R.PROVINCE, R.OPERATOR}),
    "ingest.configure": frozenset({R.PROVINCE}),
    # webhooks forwarding the notifications of a unit to a messaging platform: the provincial office for every
    # unit, a city's office for its city and the units below it (scoped by the capture scope)
    "notifications.configure": frozenset({R.PROVINCE, R.CITY_OFFICE}),
}
SCOPED = {
    "data.view": "view",
    "data.capture": "capture",
    "data.submit": "capture",
    "data.approve": "capture",
    "tasks.view": "view",
    "tasks.report": "capture",
    "registries.view": "view",
    "registries.manage": "capture",
    "targets.set": "capture",
    "goals.judge": "capture",
    "reports.generate": "view",
    "notifications.configure": "capture",
    "supervision.manage": "capture",
    "security.view": "view",
    "security.assess": "capture",
    "security.manage": "capture",
}
# Permissions on objects that name an operator and no org unit (ingest runs): an operator's users act on their own
# operator's only; everybody else who has the permission, on all of them.
OPERATOR_SCOPED = frozenset({"ingest.run", "ingest.view"})
# Roles that see the whole province when no view scope is set (the auditor: the security records it reads).
PROVINCE_WIDE = frozenset({R.PROVINCE, R.VIEWER, R.AUDITOR})
# A city's roles: scoped to the city their account names (capture_org_units), its counties included.
CITY_ROLES = frozenset({R.CITY_REPORTER, R.CITY_REVIEWER, R.CITY_OFFICE})


def has_permission(user, permission: str) -> bool:
    """The role part of the answer: may a user of this role ever do ``permission``?"""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return bool(user and user.is_authenticated and user.is_active) and user.role in PERMISSIONS[permission]


def may(user, permission: str, obj=None) -> bool:
    """May ``user`` do ``permission`` (on ``obj``, when given)? The only answer to that question."""
    if not has_permission(user, permission):
        return False
    if obj is not None and permission in OPERATOR_SCOPED:
        return not speaks_for_operator(user) or (
            user.operator_id is not None and getattr(obj, "operator_id", None) == user.operator_id
        )
    if obj is None or permission not in SCOPED:
        return True
    return _in_scope(user, SCOPED[permission], obj)


def may_apply_run(user, run, *, discard: bool = False) -> bool:
    """May ``user`` apply (or ``discard``) a previewed ingest run? Its uploader may, unless the change is beyond the
    office's threshold (``run.needs_province``: then only the province applies it; the uploader may still
    discard it); the provincial office may apply any run."""
    if not may(user, "ingest.run", run):
        return False
    if user.role == R.PROVINCE:
        return True
    return run.actor_id == user.pk and (discard or not run.needs_province)


def require(user, permission: str, obj=None, *, request=None) -> None:
    """:func:`may`, or record the refusal in the audit trail and raise ``PermissionDenied``."""
    if may(user, permission, obj):
        return
    deny(user, permission, obj, request=request)


def deny(user, permission: str, obj=None, *, request=None) -> NoReturn:
    """Record a refusal of ``permission`` in the audit trail and raise ``PermissionDenied``: for a rule beyond
    role and scope (a workflow step), after the caller has decided."""
    from yangfan.audit.choices import AuditAction
    from yangfan.audit.services import audit_record

    audit_record(
        action=AuditAction.PERMISSION_DENIED,
        actor=user,
        obj=obj if hasattr(obj, "_meta") else None,
        request=request,
        detail=permission,
    )
    raise PermissionDenied(_("您的角色或数据范围不允许此操作（%(p)s）。") % {"p": permission})


def org_units_in_scope(user, permission: str) -> QuerySet:
    """The org units ``user`` may act on for ``permission``, as a queryset to filter by at the source."""
    from yangfan.orgunits.models import OrgUnit

    if not has_permission(user, permission):
        return OrgUnit.objects.none()
    if permission not in SCOPED:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(pk__in=_scope_unit_ids(user, SCOPED[permission]))


def restrict(queryset: QuerySet, user, permission: str) -> QuerySet:
    """``queryset`` cut to the objects ``user`` may ``permission``: every one for an unscoped permission (and for
    reading a public directory), those placed at a unit in the scope for a scoped one (an enterprise's user: its
    own of those), none without the permission. What a form offers and what a
    reference may point at are read through it, as what a page lists is (NetBox's ``restrict``)."""
    if not has_permission(user, permission):
        return queryset.none()
    if permission in OPERATOR_SCOPED:
        return queryset.filter(operator_id=user.operator_id) if speaks_for_operator(user) else queryset
    if permission not in SCOPED or _public_directory(queryset.model, SCOPED[permission]):
        return queryset
    units = _scope_unit_ids(user, SCOPED[permission])
    from yangfan.orgunits.models import OrgUnit

    if queryset.model is OrgUnit:
        return queryset.filter(pk__in=units)
    queryset = queryset.filter(org_unit__in=units)
    if speaks_for_enterprise(user):
        return queryset.filter(_owned_q(queryset.model, user, SCOPED[permission]))
    return queryset


def org_unit_ids_in_scope(user, permission: str) -> set[int] | None:
    """The ids of :func:`org_units_in_scope` (``None``: every unit), remembered for the request's user."""
    if not has_permission(user, permission):
        return set()
    if permission not in SCOPED:
        return None
    return _scope_unit_ids(user, SCOPED[permission])


def org_unit_codes_in_scope(user, permission: str) -> set[str]:
    """The codes of :func:`org_units_in_scope`, remembered for the request's user (one query)."""
    cached = scope_cache(user)
    key = ("codes", permission)
    if key not in cached:
        cached[key] = set(org_units_in_scope(user, permission).values_list("code", flat=True))
    return cached[key]


def tree_links(user) -> list[tuple[int, int | None, int | None]]:
    """The statistical tree's links (``orgunits.selectors.unit_links``) as read for ``user``'s scope this request."""
    cached = scope_cache(user)
    if "units" not in cached:
        cached["units"] = unit_links()
    return cached["units"]


def scope_cache(user) -> dict:
    """What is read once per request about who may see what (the user object lives as long as the request)."""
    cached = getattr(user, "_yangfan_scope_cache", None)
    if cached is None:
        cached = user._yangfan_scope_cache = {}
    return cached


def _scope_state(user) -> dict:
    """The request's scope cache with the tree and the user's units read: two queries for every scope of a
    request."""
    cached = scope_cache(user)
    tree_links(user)
    if "assigned" not in cached:
        cached["assigned"] = _assigned(user)
    return cached


def _scope_unit_ids(user, kind: str) -> set[int]:
    """Unit ids covered by the user's scope: each unit with every unit counted in it, transitively."""
    cached = scope_cache(user)
    if kind not in cached:
        _scope_state(user)
        cached[kind] = covered_unit_ids(_scope_roots(user, kind, cached), links=cached["units"])
    return cached[kind]


def _province(links) -> set[int]:
    """The root of the statistical tree: what province-wide roles cover by default."""
    return {pk for pk, parent, counted_in in links if parent is None and counted_in is None}


def _assigned(user) -> tuple[set[int], set[int]]:
    """The ids of the user's capture units and view units, in one query."""
    from django.contrib.auth import get_user_model
    from django.db.models import CharField, Value

    user_model = get_user_model()
    capture = user_model.capture_org_units.through.objects.filter(user_id=user.pk).values_list(
        Value("capture", output_field=CharField()), "orgunit_id"
    )
    view = user_model.view_org_units.through.objects.filter(user_id=user.pk).values_list(
        Value("view", output_field=CharField()), "orgunit_id"
    )
    found: dict[str, set[int]] = {"capture": set(), "view": set()}
    for kind, pk in capture.union(view, all=True):
        found[kind].add(pk)
    return found["capture"], found["view"]


def _scope_roots(user, kind: str, cached: dict) -> set[int]:
    capture, view = cached["assigned"]
    if kind == "capture":
        if user.role == R.PROVINCE or (user.role in (R.DEPARTMENT, R.OPERATOR) and not capture):
            # the province's officers, departments and operators report for the whole province by default
            return _province(cached["units"])
        return capture
    if user.role == R.ENTERPRISE:
        # its own rows wherever they are (``owns``); its capture units are where it places new ones
        return _province(cached["units"])
    view = view | capture
    if not view and user.role in PROVINCE_WIDE | {R.DEPARTMENT, R.OPERATOR}:
        return _province(cached["units"])
    return view


def visible_group_codes(user, codes, permission: str = "data.view") -> list[str]:
    """Those of ``codes`` naming org groups ``user`` may ``permission``: a group's figures are its members' (and,
    for 西咸新区, parts of the cities it overlaps), so every unit it draws on must be in the scope; a group naming
    no unit draws on the whole province. Read in one query a request."""
    if not has_permission(user, permission):
        return []
    if permission not in SCOPED:
        return list(codes)
    return _groups_within(user, SCOPED[permission], codes)


def _groups_within(user, kind: str, codes) -> list[str]:
    scope = _scope_unit_ids(user, kind)
    drawn = _group_units(user)
    roots = _province(tree_links(user))
    return [code for code in codes if (units := drawn.get(code) or roots) and units <= scope]


def groups_in_scope(user, permission: str) -> QuerySet:
    """The org groups ``user`` may ``permission`` (:func:`visible_group_codes`), as a queryset."""
    from yangfan.orgunits.models import OrgGroup

    codes = OrgGroup.objects.values_list("code", flat=True)
    return OrgGroup.objects.filter(code__in=visible_group_codes(user, list(codes), permission))


def _group_units(user) -> dict[str, set[int]]:
    """The ids of the units each group draws on (members and overlaps), read once per request (every group: a
    handful of rows) and kept with the user's scope."""
    from django.db.models import CharField, Value

    from yangfan.orgunits.models import OrgGroup

    cached = scope_cache(user)
    if "groups" not in cached:
        parts = [
            t.objects.values_list(Value("", output_field=CharField()), "orggroup__code", "orgunit_id")
            for t in (OrgGroup.members.through, OrgGroup.overlaps.through)
        ]
        drawn: dict[str, set[int]] = {}  # a group naming no unit has no row: it draws on the whole province
        for _kind, code, unit in parts[0].union(parts[1], all=True):
            drawn.setdefault(code, set()).add(unit)
        cached["groups"] = drawn
    return cached["groups"]


# -- what a role carries besides its org units --------------------------------------------------------------


def role_requirements(role: str) -> str | None:
    """What an account of ``role`` must name to be scoped: ``"capture_org_units"`` (a city's reporters and
    reviewers), ``"responsible_unit"`` (a department), ``"operator"`` (an operator's users), ``"enterprise"`` (an
    enterprise's users: its name and the units it places entries at), or nothing."""
    if role in CITY_ROLES:
        return "capture_org_units"
    return {R.DEPARTMENT: "responsible_unit", R.OPERATOR: "operator", R.ENTERPRISE: "enterprise"}.get(role)


def administers(user) -> bool:
    """Is ``user`` the system administrator (Django's admin site, a second factor required at sign-in)?"""
    return user.role == R.ADMIN


def users_who_may(permission: str) -> QuerySet:
    """The active accounts whose role grants ``permission`` (the experts a benchmark call may assign)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(role__in=PERMISSIONS[permission], is_active=True)


def speaks_for_operator(user) -> bool:
    """Is ``user`` one of an operator's users? They write their own operator's figures only (never a total, never
    a competitor's) and read their own beside the totals."""
    return bool(user and user.is_authenticated) and user.role == R.OPERATOR


def sees_operator(user, operator_id: int | None) -> bool:
    """May ``user`` read the figures of ``operator_id`` (``None``: the totals)? Operators compete: each reads
    its own figures and the totals, every other reader all of them."""
    return not speaks_for_operator(user) or operator_id is None or operator_id == user.operator_id


def writes_operator(user, operator_id: int | None) -> bool:
    """May ``user`` write the figures of ``operator_id`` (``None``: a total)? An operator's users write their own
    operator's only; other roles write whatever their org-unit scope allows."""
    return not speaks_for_operator(user) or (operator_id is not None and operator_id == user.operator_id)


def operator_figures(queryset: QuerySet, user, field: str = "operator") -> QuerySet:
    """``queryset`` cut to the figures (or reports) :func:`sees_operator` lets ``user`` read."""
    if not speaks_for_operator(user):
        return queryset
    return queryset.filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}_id": user.operator_id}))


def capture_roots(user) -> QuerySet:
    """The top units of ``user``'s capture scope: its own units, or the province for the provincial office and for
    departments and operators that name none."""
    from yangfan.orgunits.models import OrgUnit

    if not has_permission(user, "data.capture") and not has_permission(user, "data.submit"):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(pk__in=_scope_roots(user, "capture", _scope_state(user)))


def reviews_own_level(user) -> bool:
    """Does ``user`` approve reports of the units it captures itself? The provincial office approves every unit's;
    a city's reviewer only those of the units below its own (its counties), never its own city's."""
    return user.role == R.PROVINCE


def own_level_ids(user) -> set[int]:
    """The units a city-level role answers for to the province and so does not decide on itself: its capture
    roots (its city), whose reports the province approves and whose targets the province sets. None for the
    provincial office, which acts at its own level (:func:`reviews_own_level`)."""
    if reviews_own_level(user):
        return set()
    return _scope_roots(user, "capture", _scope_state(user))


def may_set_target(user, org_unit) -> bool:
    """Set or remove a target of ``org_unit``: the provincial office for any unit; a city's office for the units
    below its city (its districts and counties), not for its city, whose targets the province sets. (The plan's
    own province-wide target is the plan file's: ``actionplans.services.unit_target_set`` says so.)"""
    return may(user, "targets.set", org_unit) and org_unit.pk not in own_level_ids(user)


def target_units(user) -> QuerySet:
    """The org units ``user`` may set targets for (:func:`may_set_target`), as the target form offers them."""
    return org_units_in_scope(user, "targets.set").exclude(pk__in=own_level_ids(user))


def assignment_scope(user) -> Q | None:
    """The ``Q`` on ``supervision.Assignment`` of the task shares ``user`` may read (``None``: none): a department
    its own unit's, a city's users their city government's shares, other readers the shares of their view scope."""
    from yangfan.core.plan import UnitKind

    if not has_permission(user, "tasks.view"):
        return None
    if user.role == R.DEPARTMENT:
        if user.responsible_unit_id is None:
            return None
        return Q(responsible_unit_id=user.responsible_unit_id)
    units = org_units_in_scope(user, "tasks.view")
    if user.role in CITY_ROLES:
        return Q(responsible_unit__kind=UnitKind.CITY_GOVERNMENTS, org_unit__in=units)
    return Q(org_unit__in=units)


def may_supervise(user, assignment) -> bool:
    """Supervise one task share (its milestones, notices, reviewing its reports; splitting it when it is a city's):
    the provincial office any share; a city's office the parts its city's share was split into (districts,
    counties, city departments) and splitting its city's share, never judging that share itself (the province
    does: :func:`own_level_ids`)."""
    if not may(user, "supervision.manage", assignment):
        return False
    return assignment.parent_id is not None or assignment.org_unit_id not in own_level_ids(user)


def may_split(user, assignment) -> bool:
    """Split a city government's share among the city's districts, counties and departments (the cascade): the
    city's office, or the provincial office on its behalf."""
    from yangfan.core.plan import UnitKind

    return (
        assignment.parent_id is None
        and assignment.responsible_unit.kind == UnitKind.CITY_GOVERNMENTS
        and may(user, "supervision.manage", assignment)
    )


def supervision_scope(user) -> Q | None:
    """The ``Q`` on ``supervision.Assignment`` of the shares :func:`may_supervise` allows (``None``: none)."""
    if not has_permission(user, "supervision.manage"):
        return None
    condition = Q(org_unit__in=org_units_in_scope(user, "supervision.manage"))
    own = own_level_ids(user)
    if own:
        condition &= Q(parent__isnull=False) | ~Q(org_unit__in=own)
    return condition


def home_city(user):
    """The city a city-level user works for (its capture root at city level), where its pages start; ``None`` for
    the province's roles and the departments."""
    from yangfan.orgunits.models import OrgUnit, OrgUnitLevel

    if user.role not in CITY_ROLES:
        return None
    roots = _scope_roots(user, "capture", _scope_state(user))
    return OrgUnit.objects.filter(pk__in=roots, level=OrgUnitLevel.CITY).order_by("code").first()


def supervises_plan(user, plan_unit) -> bool:
    """Decide for the whole plan (a task's milestones and sub-tasks, its indicator links, the province's ranking):
    ``plan_unit`` is the plan's root unit (the province), so only a province-wide scope passes."""
    return may(user, "supervision.manage", plan_unit)


def may_report_share(user, assignment) -> bool:
    """Write, submit or withdraw a progress report on a task share and answer a notice: the department itself, or a
    city's reporter or reviewer for that city government's share."""
    from yangfan.core.plan import UnitKind

    if not has_permission(user, "tasks.report"):
        return False
    if user.role == R.DEPARTMENT:
        return (
            user.responsible_unit_id is not None
            and assignment.responsible_unit_id == user.responsible_unit_id
        )
    if user.role in CITY_ROLES:
        return assignment.responsible_unit.kind == UnitKind.CITY_GOVERNMENTS and may(
            user, "tasks.report", assignment.org_unit
        )
    return False


def command_line_reader():
    """Whom the command line reads scoped records as: it runs with the server's own rights, the widest scope, the
    provincial office's. An unsaved user of that role with no units, read by this module as the whole province;
    nothing is ever written for it."""
    from django.contrib.auth import get_user_model

    return get_user_model()(username="yangfan-cli", role=R.PROVINCE, is_active=True)


def speaks_for_enterprise(user) -> bool:
    """Is ``user`` an enterprise's? It reads and keeps its own enterprise's entries only (:func:`owns`)."""
    return bool(user and user.is_authenticated) and user.role == R.ENTERPRISE


def _owned_q(model, user, kind: str) -> Q:
    """The rows of ``model`` that are ``user``'s enterprise's: a model names the lookups to its enterprise
    (``owned_by``) and says whether the enterprise keeps the rows or only reads them (``kept_by_owner``). A model
    that names none is no enterprise's."""
    lookups = _owner_lookups(model, user, kind)
    if not lookups:
        return Q(pk__in=[])
    condition = Q()
    for lookup in lookups:
        condition |= Q(**{lookup: user.enterprise})
    return condition


def _owner_lookups(model, user, kind: str) -> tuple[str, ...]:
    """The lookups from a row of ``model`` to the name of the enterprise it belongs to, when they can make it
    ``user``'s for ``kind``: none for a model no enterprise owns, for an account naming no enterprise, and, to write,
    for a model whose rows the enterprise only reads (:func:`enterprise_keeps`)."""
    if not user.enterprise or (kind == "capture" and not enterprise_keeps(model)):
        return ()
    return getattr(model, "owned_by", ())


def _public_directory(model, kind: str) -> bool:
    """Is reading ``model`` reading a directory of the whole province (``public_directory``: the registered
    evaluation bodies, which serve every city and which any city's office or enterprise names in a 密评)? Every
    holder of its read permission reads all of it, whatever its scope, enterprises included; writing it is scoped
    as any row's, and no enterprise keeps it."""
    return kind == "view" and getattr(model, "public_directory", False)


def enterprise_keeps(model) -> bool:
    """Does an enterprise keep rows of ``model`` itself (its cases, products, “绽放杯” entries, 密评), rather than only
    read them (its directory entry, its certificates, the inspections of it: ``kept_by_owner = False``) or not see
    them at all (a model without ``owned_by``)?"""
    return bool(getattr(model, "owned_by", ())) and getattr(model, "kept_by_owner", True)


def may_keep(user, permission: str, model) -> bool:
    """May ``user`` write rows of ``model`` with ``permission`` at all, before any row is known (a new entry's form,
    an import, the API's create)? The role decides, and an enterprise's users write only the rows their enterprise
    keeps (:func:`enterprise_keeps`). Each row is then checked with :func:`may`, which passes the row itself."""
    return has_permission(user, permission) and (not speaks_for_enterprise(user) or enterprise_keeps(model))


def unowned_field(user, obj) -> str | None:
    """For an enterprise's user about to write ``obj``: the field that makes it another enterprise's (a case's
    应用企业, a product's 供应商, a 密评's 应用案例), so that the refusal can say what to correct; ``None`` when it is
    its own, or for other roles and for rows no enterprise keeps (which :func:`may` refuses outright)."""
    model = type(obj)
    if not speaks_for_enterprise(user) or not enterprise_keeps(model) or owns(user, obj, "capture"):
        return None
    steps = [lookup.split("__")[0] for lookup in model.owned_by]
    return next((step for step in steps if getattr(obj, step, None) not in (None, "")), steps[0])


def owns(user, obj, kind: str = "view") -> bool:
    """Is ``obj`` one of ``user``'s enterprise's (read through ``owned_by``; ``kind="capture"``: one it keeps)?"""
    for lookup in _owner_lookups(type(obj), user, kind):
        value = obj
        for step in lookup.split("__"):
            value = getattr(value, step, None)
            if value is None:
                break
        if value == user.enterprise:
            return True
    return False


def _in_scope(user, kind: str, obj) -> bool:
    """Is ``obj`` within the user's scope? Objects name their org unit, operator or responsible unit; an org
    group is in it when every unit it draws on is."""
    from yangfan.orgunits.models import OrgGroup, OrgUnit

    if isinstance(obj, OrgGroup):
        return bool(_groups_within(user, kind, [obj.code]))
    if _public_directory(type(obj), kind):
        return True
    unit = obj if isinstance(obj, OrgUnit) else getattr(obj, "org_unit", None)
    if unit is None:
        return False  # an object we cannot place is nobody's by default
    if unit.pk not in _scope_unit_ids(user, kind):
        return False
    # Where the object carries an operator or a responsible unit, operators and departments only capture
    # their own (a bare org unit says "may enter data for this place", which their scope already answered).
    if kind == "capture" and user.role == R.OPERATOR and hasattr(obj, "operator_id"):
        return user.operator_id is not None and obj.operator_id == user.operator_id
    if kind == "capture" and user.role == R.DEPARTMENT and hasattr(obj, "responsible_unit_id"):
        return user.responsible_unit_id is not None and obj.responsible_unit_id == user.responsible_unit_id
    if speaks_for_enterprise(user) and not isinstance(obj, OrgUnit):
        # a bare unit says "may place an entry here", which the scope answered; anything else must be its own
        return owns(user, obj, kind)
    return True


def reports_data_set(user, data_set) -> bool:
    """Is ``data_set`` (``actionplans.DataSet``) one this user's role reports? Operators report the operators'
    data sets, a department its own, city users those of the city governments; the provincial office any.
    The org unit and operator of a report are then checked with ``may(user, "data.capture", submission)``."""
    from yangfan.core.plan import OPERATORS_REPORT

    if not has_permission(user, "data.capture") and not has_permission(user, "data.submit"):
        return False
    if user.role == R.PROVINCE:
        return True
    if data_set.reporter == OPERATORS_REPORT:
        return user.role == R.OPERATOR
    if user.role == R.DEPARTMENT:
        return user.responsible_unit is not None and user.responsible_unit.code == data_set.reporter
    if user.role in CITY_ROLES:
        from yangfan.core.plan import UnitKind

        cities = scope_cache(user).setdefault("city_governments", {})  # by (plan, reporter): once a request
        key = (data_set.plan_id, data_set.reporter)
        if key not in cities:
            # the plan's responsible unit of that code, reached through the data set's relations (one query):
            # the plan app builds on this module, which imports none of its code
            cities[key] = (
                type(data_set)
                .objects.filter(
                    pk=data_set.pk,
                    plan__responsibleunit__code=data_set.reporter,
                    plan__responsibleunit__kind=UnitKind.CITY_GOVERNMENTS,
                )
                .exists()
            )
        return cities[key]
    return False

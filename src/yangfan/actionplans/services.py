"""Writing a plan into the database. ``plan_load`` is idempotent: the same file twice changes nothing,
a changed file updates rows in place (same ids), and elements the file no longer lists are removed."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import deny, may_set_target, require
from yangfan.actionplans.choices import Comparison
from yangfan.actionplans.models import (
    DataElement,
    Indicator,
    Operator,
    Plan,
    ResponsibleUnit,
    Task,
    TaskUnit,
    UnitTarget,
)
from yangfan.actionplans.signals import plan_loaded
from yangfan.audit.choices import AuditAction
from yangfan.audit.conflicts import Conflict, version_check
from yangfan.audit.services import audit_record, model_changes, snapshot
from yangfan.core import plan as core
from yangfan.core.planfile import bundled_plans, load_plan, load_plan_text
from yangfan.orgunits.models import OrgGroup, OrgUnit


class LoadStats(Counter):
    """How many rows a load created, updated, deleted or left unchanged.

    ``fresh`` holds the rows this load created, so that filling in their links afterwards is not
    counted as an update.
    """

    def __init__(self, actor=None):
        super().__init__()
        self.fresh: set[tuple[type, int]] = set()
        self.actor = actor

    def touched(self, obj: models.Model) -> None:
        if (type(obj), obj.pk) not in self.fresh:
            self["updated"] += 1

    @property
    def changed(self) -> bool:
        return bool(self["created"] or self["updated"] or self["deleted"])

    def __str__(self) -> str:
        return f"新增 {self['created']}，更新 {self['updated']}，删除 {self['deleted']}，未变 {self['unchanged']}"


def plan_load_file(*, path: str | Path, actor=None) -> tuple[Plan, LoadStats]:
    """Validate and load the plan file at ``path`` (raises ``PlanInvalid`` before writing anything)."""
    path = Path(path)
    parsed = load_plan(path, plans=plans_known())
    content = path.read_bytes()
    return plan_load(
        plan=parsed,
        file_name=path.name,
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_text=content.decode("utf-8"),
        actor=actor,
    )


def plans_known() -> dict[str, core.Plan]:
    """The plans a plan file may continue, and whose codes another plan may not take: those shipped with Yangfan
    and those loaded (a loaded plan's text as it was loaded)."""
    loaded = Plan.objects.exclude(file_text="").values_list("code", "file_name", "file_text", "source_text")
    return bundled_plans() | {
        code: load_plan_text(text, file=name or code, source_text=source, plans=None)
        for code, name, text, source in loaded
    }


@transaction.atomic
def plan_load(
    *, plan: core.Plan, file_name: str = "", file_sha256: str = "", file_text: str = "", actor=None
) -> tuple[Plan, LoadStats]:
    """Bring the database in step with ``plan`` inside one transaction; each row written is audited.

    ``file_text`` is kept so the engine reads the plan as loaded (``datavalues.indicators.core_plans``); the
    audit trail records its SHA-256 (``file_sha256``), not the text again."""
    stats = LoadStats(actor)
    row, created = Plan.objects.get_or_create(
        code=plan.code, defaults={"name": plan.name, "start": plan.start, "end": plan.end}
    )
    stats["created" if created else "unchanged"] += 1
    fields = {
        "name": plan.name,
        "name_en": plan.name_en,
        "document": plan.document,
        "notice_title": plan.notice_title,
        "addressees": plan.addressees,
        "start": plan.start,
        "end": plan.end,
        "base_year": plan.base_year,
        "preamble": plan.preamble,
        "source_text": plan.source_text,
        "remarks": list(plan.remarks),
        "annex": _annex_json(plan.annex),
        "file_name": file_name,
        "file_sha256": file_sha256,
    }
    before = snapshot(row, fields)
    text_changed = row.file_text != file_text
    row.file_text = file_text
    if _assign(row, fields) or created or text_changed:
        row.save()
        if created:
            _audit(stats, AuditAction.CREATE, row, model_changes({}, snapshot(row, fields)))
        else:
            stats["unchanged"] -= 1
            stats["updated"] += 1
            _audit(stats, AuditAction.UPDATE, row, model_changes(before, snapshot(row, fields)))

    units = _load_org_tree(plan, stats)
    if row.root_id != units[plan.org_tree.root].pk:
        row.root = units[plan.org_tree.root]
        row.save(update_fields=["root"])
    _sync(
        Operator.objects.all(),
        [_values(o, "name", "name_en") for o in plan.operators],
        stats,
        delete=False,
        shared=True,
    )
    _sync(DataElement.objects.all(), _data_elements(plan), stats, delete=False, shared=True)

    sections = _sync(
        row.section_set.all(),
        [_values(s, "title", "kind", "text", "remark", plan=row) for s in plan.sections],
        stats,
        delete=False,
    )
    _sync(
        row.section_set.all(),
        [{"code": s.code, "parent": sections.get(s.parent)} for s in plan.sections],
        stats,
        partial=True,
        delete=False,
    )
    units = _sync(
        row.responsibleunit_set.all(),
        [
            _values(u, "name", "name_en", "kind", "remark", aliases=list(u.aliases), plan=row)
            for u in plan.responsible_units
        ],
        stats,
    )
    sectors = _sync(
        row.sector_set.all(),
        [_values(s, "name", "name_en", "key_industry", "remark", plan=row) for s in plan.sectors],
        stats,
    )
    tasks = _sync(
        row.task_set.all(),
        [
            _values(
                t,
                "title",
                "text",
                "responsibility",
                "remark",
                section=sections[t.section],
                number=t.number or "",
                sector=sectors.get(t.sector),
                plan=row,
                **_continuation(Task, t.continues),
            )
            for t in plan.tasks
        ],
        stats,
    )
    _sync_task_units(plan, tasks, units, stats)
    _sync(
        row.specialproject_set.all(),
        [
            _values(p, "number", "title", "text", "remark", section=sections[p.section], plan=row)
            for p in plan.special_projects
        ],
        stats,
    )
    _sync(
        row.safeguard_set.all(),
        [_values(g, "number", "title", "text", "remark", plan=row) for g in plan.safeguards],
        stats,
    )
    _sync(
        row.goal_set.all(),
        [_values(g, "title", "text", "remark", section=sections[g.section], plan=row) for g in plan.goals],
        stats,
    )
    _sync(
        row.registry_set.all(),
        [
            _values(r, "name", "name_en", "remark", sources=_sources(r.sources), plan=row)
            for r in plan.registries
        ],
        stats,
    )
    _sync(
        row.indicator_set.all(),
        [{**_indicator(i, row), **_continuation(Indicator, i.continues)} for i in plan.indicators],
        stats,
    )
    _sync(
        row.dataset_set.all(),
        [
            _values(
                d,
                "name",
                "name_en",
                "period_type",
                "level",
                "by_operator",
                "reporter",
                "deadline_days",
                "remark",
                data_elements=list(d.data_elements),
                plan=row,
            )
            for d in plan.data_sets
        ],
        stats,
    )
    _sync(
        row.qualitativetarget_set.all(),
        [_values(q, "clause", "text", "remark", plan=row) for q in plan.qualitative_targets],
        stats,
    )
    # Sections last: tasks, projects and goals that pointed at a removed section are gone by now.
    _sync(row.section_set.all(), [{"code": s.code} for s in plan.sections], stats, partial=True, delete=True)
    # the apps built on the plan follow in this transaction: the stored totals (datavalues), the assignments
    plan_loaded.send(sender=Plan, plan=row, stats=stats, parsed=plan)
    return row, stats


def _sync_task_units(plan: core.Plan, tasks: dict, units: dict, stats: LoadStats) -> None:
    """Each task's units in the order its clause names them (``TaskUnit.position``). The first leads (牵头)
    unless the provincial office made another the lead (``task_lead_set``) and the file still names that unit;
    an office's choice of a unit the file no longer names goes with the unit. Every task's units are read in one
    query; a task whose order or lead changes is audited with both."""
    codes = {unit.pk: code for code, unit in units.items()}
    existing: dict[int, dict[int, TaskUnit]] = defaultdict(dict)
    for link in TaskUnit.objects.filter(task__in=[t.pk for t in tasks.values()]):
        existing[link.task_id][link.unit_id] = link
    for parsed in plan.tasks:
        task = tasks[parsed.code]
        wanted = [units[c].pk for c in parsed.responsible_units]
        current = existing.get(task.pk, {})
        before = [u for u, _link in sorted(current.items(), key=lambda item: item[1].position)]
        lead_before = next((u for u, link in current.items() if link.lead), None)
        chosen = next((u for u, link in current.items() if link.lead_overridden and u in wanted), None)
        lead = chosen if chosen is not None else wanted[0]
        if before == wanted and lead_before == lead:
            continue
        TaskUnit.objects.filter(task=task).exclude(unit__in=wanted).delete()
        TaskUnit.objects.filter(task=task, lead=True).exclude(unit=lead).update(
            lead=False
        )  # one lead at a time
        for position, unit in enumerate(wanted):
            link = current.get(unit)
            if link is None:
                TaskUnit.objects.create(task=task, unit_id=unit, position=position, lead=unit == lead)
            elif (link.position, link.lead) != (position, unit == lead):
                link.position, link.lead = position, unit == lead
                link.save(update_fields=["position", "lead"])
        changes = {}
        if before != wanted:
            changes["units"] = [[codes.get(u, u) for u in before], [codes[u] for u in wanted]]
        if lead_before != lead:
            changes["lead"] = [codes.get(lead_before, lead_before), codes[lead]]
        stats.touched(task)
        _audit(stats, AuditAction.UPDATE, task, changes)


def _load_org_tree(plan: core.Plan, stats: LoadStats) -> dict[str, OrgUnit]:
    """Org units are shared by every plan, so a plan adds and updates units but never deletes one. A unit another
    plan holds (610000, the root of the Shaanxi plan) takes the place the loading plan gives it (under CN in the
    national plan), and a plan's root that another plan placed keeps its place when the plan is loaded again
    (``yangfan init`` reloads the Shaanxi plan): the database holds one tree, each plan's file its own part of it.
    The units by code."""
    units = _sync(
        OrgUnit.objects.all(),
        [_values(u, "name", "name_en", "level", "kind", "remark") for u in plan.org_units],
        stats,
        delete=False,
        shared=True,
    )
    root = units[plan.org_tree.root]
    _sync(
        OrgUnit.objects.all(),
        [
            {"code": u.code, "parent": units.get(u.parent), "counted_in": units.get(u.counted_in)}
            for u in plan.org_units
            if u.code != root.code or root.parent_id is None  # a root another plan placed stays where it is
        ],
        stats,
        delete=False,
        partial=True,
    )
    groups = _sync(
        OrgGroup.objects.all(),
        [_values(g, "name", "name_en", "kind", "remark") for g in plan.org_groups],
        stats,
        delete=False,
        shared=True,
    )
    for group in plan.org_groups:
        for relation, codes in (("members", group.members), ("overlaps", group.overlaps)):
            manager = getattr(groups[group.code], relation)
            wanted = {units[c].pk for c in codes}
            before = set(manager.values_list("pk", flat=True))
            if wanted != before:
                manager.set(wanted)
                stats.touched(groups[group.code])
                _audit(
                    stats,
                    AuditAction.UPDATE,
                    groups[group.code],
                    {relation: [sorted(before), sorted(wanted)]},
                )
    return units


def _sync(
    queryset: models.QuerySet,
    rows: list[dict],
    stats: LoadStats,
    *,
    delete: bool = True,
    partial: bool = False,
    shared: bool = False,
) -> dict[str, models.Model]:
    """Upsert ``rows`` (keyed by ``code``) into ``queryset``, keeping their order in ``position``.

    With ``partial`` only the given fields of existing rows are set (nothing is created and the rows are
    not counted as unchanged again); with ``delete`` rows of the queryset that ``rows`` does not list go; with
    ``shared`` (rows every plan shares: org units, operators, data elements) a row keeps the position the plan
    that created it gave, so that loading plans in turn moves nothing.
    """
    existing = {obj.code: obj for obj in queryset}
    result: dict[str, models.Model] = {}
    for position, values in enumerate(rows):
        code = values["code"]
        obj = existing.get(code)
        if not partial and not (shared and obj is not None):
            values = {**values, "position": position}
        if obj is None:
            if partial:
                continue
            obj = queryset.model(**values)
            obj.save()
            stats["created"] += 1
            stats.fresh.add((type(obj), obj.pk))
            _audit(stats, AuditAction.CREATE, obj, model_changes({}, snapshot(obj, values)))
        else:
            before = snapshot(obj, values)
            if _assign(obj, values):
                obj.save()
                stats.touched(obj)
                _audit(stats, AuditAction.UPDATE, obj, model_changes(before, snapshot(obj, values)))
            elif not partial:
                stats["unchanged"] += 1
        result[code] = obj
    if delete:
        gone = [obj for code, obj in existing.items() if code not in result]
        for obj in gone:
            _audit(stats, AuditAction.DELETE, obj, model_changes(snapshot(obj), {}))
        if gone:
            try:
                with transaction.atomic():
                    queryset.model.objects.filter(pk__in=[obj.pk for obj in gone]).delete()
            except models.ProtectedError as exc:
                kept = sorted({str(obj) for obj in exc.protected_objects})[:5]
                raise ValidationError(
                    _(
                        "计划文件删去了 %(codes)s，但已有记录引用它们（%(kept)s），不能删除：请保留它们或先处理这些记录。"
                    )
                    % {"codes": "、".join(obj.code for obj in gone), "kept": "；".join(kept)}
                ) from exc
            stats["deleted"] += len(gone)
    return result


def _audit(stats: LoadStats, action: AuditAction, obj: models.Model, changes: dict) -> None:
    """Every row a plan load writes is in the audit trail (links set right after creation are not news)."""
    if action == AuditAction.UPDATE and (type(obj), obj.pk) in stats.fresh:
        return
    audit_record(action=action, actor=stats.actor, obj=obj, changes=changes, detail="加载计划文件")


def _assign(obj: models.Model, values: dict) -> bool:
    changed = False
    for field, value in values.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed = True
    return changed


def _values(item, *fields: str, **extra) -> dict:
    """The row values of a core element: its code, the named attributes as they are, and ``extra``."""
    return {"code": item.code, **{f: getattr(item, f) for f in fields}, **extra}


def _sources(sources: tuple[core.Source, ...]) -> list[dict]:
    return [{"clause": s.clause, "quote": s.quote} for s in sources]


def _continuation(model, continues: core.Continuation | None) -> dict:
    """The ``continues`` and ``continues_note`` of a task or an indicator: the earlier plan's row it carries on,
    which must be loaded (the file's check found it among the plans known)."""
    if continues is None:
        return {"continues": None, "continues_note": ""}
    earlier = model.objects.filter(plan__code=continues.plan, code=continues.code).first()
    if earlier is None:
        raise ValidationError(
            _(
                "计划文件接续计划 %(plan)s 的 %(code)s，但该计划尚未加载：请先加载它（yangfan plan load %(plan)s）。"
            )
            % {"plan": continues.plan, "code": continues.code}
        )
    return {"continues": earlier, "continues_note": continues.note}


# What a data element is, shared by every plan that uses it: a second plan must define it alike.
SHARED_DEFINITION = (
    "name",
    "unit",
    "aggregation",
    "period_type",
    "by_operator",
    "decimals",
    "minimum",
    "maximum",
)


def _data_elements(plan: core.Plan) -> list[dict]:
    """The rows of the plan's data elements. An element another plan defined already keeps its definition, which
    this plan must repeat exactly (a value entered once serves both plans, so both must mean the same quantity);
    its sources are kept per plan, so loading one plan leaves another's clauses alone."""
    existing = {e.code: e for e in DataElement.objects.filter(code__in=[e.code for e in plan.data_elements])}
    rows, differences = [], []
    for element in plan.data_elements:
        values = _data_element(element)
        values["sources"] = [{**s, "plan": plan.code} for s in values["sources"]]
        stored = existing.get(element.code)
        if stored is not None:
            others = [s for s in stored.sources if s.get("plan") not in (None, plan.code)]
            if others:  # defined by another plan: the definition is that plan's too
                changed = [
                    f for f in SHARED_DEFINITION if _comparable(getattr(stored, f)) != _comparable(values[f])
                ]
                if changed:
                    differences.append(f"{element.code}（{'、'.join(changed)}）")
                values["remark"], values["name_en"] = stored.remark, stored.name_en  # the first plan's words
            # by plan, whichever loaded first: loading either again changes nothing
            values["sources"] = sorted(others + values["sources"], key=lambda s: s.get("plan") or "")
        rows.append(values)
    if differences:
        raise ValidationError(
            _(
                "数据项 %(codes)s 已由其他计划定义，本计划文件的定义与之不同；数据项由各计划共用，定义须完全一致。"
            )
            % {"codes": "；".join(differences)}
        )
    return rows


def _comparable(value):
    """A field's value as a stored row and a plan file both give it: numbers by value, choices as text."""
    if value is None or isinstance(value, bool):
        return value
    return Decimal(value) if isinstance(value, int | Decimal) else str(value)


def _data_element(e: core.DataElement) -> dict:
    return _values(
        e,
        "name",
        "name_en",
        "unit",
        "aggregation",
        "period_type",
        "by_operator",
        "decimals",
        "minimum",
        "maximum",
        "remark",
        sources=_sources(e.sources),
    )


def _indicator(i: core.Indicator, plan: Plan) -> dict:
    return _values(
        i,
        "name",
        "name_en",
        "unit",
        "direction",
        "base_year",
        "annex_number",
        "remark",
        plan=plan,
        formula=i.formula.source,
        target_value=i.target.value,
        target_comparison=i.target.comparison.value,
        target_date=i.target.date,
        target_scope=i.target_scope.value,
        milestones=[
            {"value": str(m.value), "comparison": m.comparison.value, "date": m.date.isoformat()}
            for m in i.milestones
        ],
        sources=_sources(i.sources),
    )


def _annex_json(annex: core.Annex | None) -> dict:
    if annex is None:
        return {}
    return {"title": annex.title, "rows": [asdict(r) for r in annex.rows], "notes": list(annex.notes)}


# -- targets set per unit by the provincial office ------------------------------------------------------
UNIT_TARGET_FIELDS = ["value", "comparison", "note"]
TARGET_PLACES = Decimal("0.0001")  # UnitTarget.value's decimal places


def unit_target_set(
    *,
    actor,
    indicator: Indicator,
    org_unit: OrgUnit,
    on: date,
    value: Decimal,
    comparison: str,
    note: str = "",
    version: str | None = None,
    request=None,
) -> UnitTarget:
    """Set (or change) the target of ``org_unit`` for ``indicator`` at the date ``on``: its final target when
    ``on`` is the indicator's target date, a milestone when earlier. The provincial office may for any unit, a
    city's office for the units below its city (``accounts.permissions.may_set_target``); the plan's own target
    for the whole province stays the plan file's. ``version``: the version of the target the user changed (the
    page's 「修改」); a change over a newer one is refused (``StaleVersion``). None: setting it anew, not checked."""
    if not may_set_target(actor, org_unit):  # outside the transaction: a refusal stays in the trail
        deny(actor, "targets.set", org_unit, request=request)
    plan = indicator.plan
    errors = {}
    if not plan.start <= on <= indicator.target_date:
        errors["date"] = _("目标日期应在 %(start)s 至 %(end)s 之间（计划开始至该指标的目标日期）。") % {
            "start": plan.start.isoformat(),
            "end": indicator.target_date.isoformat(),
        }
    elif on == indicator.target_date and org_unit.pk == plan.root_id:
        errors["org_unit"] = _(
            "%(unit)s的最终目标由计划文件规定，不能在系统中修改；可以设定阶段目标或各地区的目标。"
        ) % {"unit": org_unit.name}
    if not value.is_finite() or abs(value) >= 10**16:
        errors["value"] = _("目标值应为有限的数值，且小于 10 的 16 次方。")
    if comparison not in Comparison.values:
        errors["comparison"] = _("未知的比较方式：%(c)s") % {"c": comparison}
    if errors:
        raise ValidationError(errors)
    value = value.quantize(TARGET_PLACES)  # as stored, so that the same figure again is no change
    with transaction.atomic():
        return _unit_target_write(actor, indicator, org_unit, on, value, comparison, note, request, version)


def _unit_target_write(
    actor, indicator, org_unit, on, value, comparison, note, request, version=None
) -> UnitTarget:
    # locked: a second officer setting the same target waits, then finds (and audits as "before") the first's
    target, created = UnitTarget.objects.select_for_update().get_or_create(
        indicator=indicator,
        org_unit=org_unit,
        date=on,
        defaults={"value": value, "comparison": comparison, "note": note, "set_by": actor},
    )
    if created:
        changes = model_changes({}, snapshot(target, ["indicator", "org_unit", "date", *UNIT_TARGET_FIELDS]))
    else:
        mine = UnitTarget(value=value, comparison=comparison, note=note)
        version_check(seen=version, mine=mine, stored=target, fields=UNIT_TARGET_FIELDS)
        before = snapshot(target, UNIT_TARGET_FIELDS)
        target.value, target.comparison, target.note = value, comparison, note
        changes = model_changes(before, snapshot(target, UNIT_TARGET_FIELDS))
        if changes:
            target.set_by = actor
            target.save()
    if changes:
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            actor=actor,
            obj=target,
            changes=changes,
            request=request,
        )
    return target


def unit_target_delete(*, actor, target: UnitTarget, version: str | None = None, request=None) -> None:
    """Remove a target; ``version`` as for :func:`unit_target_set`: not one changed since the page showed it."""
    if not may_set_target(actor, target.org_unit):
        deny(actor, "targets.set", target.org_unit, request=request)
    with transaction.atomic():
        stored = UnitTarget.objects.select_for_update().filter(pk=target.pk).first()
        if stored is None:
            raise Conflict(_("该目标已被他人删除。"))
        version_check(seen=version, mine=target, stored=stored, fields=UNIT_TARGET_FIELDS)
        _unit_target_remove(actor, stored, request)


def _unit_target_remove(actor, target: UnitTarget, request) -> None:
    changes = model_changes(snapshot(target, ["indicator", "org_unit", "date", *UNIT_TARGET_FIELDS]), {})
    audit_record(action=AuditAction.DELETE, actor=actor, obj=target, changes=changes, request=request)
    target.delete()


# -- the lead unit of a task (牵头单位) -------------------------------------------------------------------


def task_lead_set(*, actor, task: Task, unit: ResponsibleUnit, reason: str, request=None) -> TaskUnit:
    """Make ``unit``, one of ``task``'s units, the task's lead (牵头); the others co-operate (配合). The plan names
    the lead first; the provincial office may decide otherwise, saying why (``reason``, required). The decision
    is kept across reloads of the plan file while the file still names the unit (``plan_load``), and audited on
    the task with the lead before and after."""
    require(
        actor, "tasks.lead", task, request=request
    )  # outside the transaction: a refusal stays in the trail
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写改定牵头单位的理由。")})
    with transaction.atomic():
        links = list(TaskUnit.objects.select_for_update().filter(task=task).select_related("unit"))
        chosen = next((link for link in links if link.unit_id == unit.pk), None)
        if chosen is None:
            names = "、".join(link.unit.name for link in links)
            raise ValidationError(
                {
                    "unit": _(
                        "%(unit)s 不是任务 %(task)s 的责任单位，牵头单位只能是它的责任单位之一：%(units)s。"
                    )
                    % {"unit": unit.name, "task": task.code, "units": names}
                }
            )
        if chosen.lead:
            raise ValidationError(
                {
                    "unit": _("%(unit)s 已是任务 %(task)s 的牵头单位，未做更改。")
                    % {"unit": unit.name, "task": task.code}
                }
            )
        before = next((link for link in links if link.lead), None)
        TaskUnit.objects.filter(task=task).exclude(pk=chosen.pk).update(
            lead=False, lead_reason="", lead_set_by=None, lead_set_at=None
        )
        chosen.lead, chosen.lead_reason, chosen.lead_set_by = True, reason, actor
        chosen.lead_set_at = timezone.now()
        chosen.save(update_fields=["lead", "lead_reason", "lead_set_by", "lead_set_at"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=task,
            changes={"lead": [before.unit.name if before else None, unit.name]},
            detail=reason,
            request=request,
        )
    return chosen

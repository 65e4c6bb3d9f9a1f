"""Writes of the registries: one service saves any entry (checked, scoped, deduplicated, audited), one removes
it. The web forms, the imports and the API all call these. Every check passes the entry itself, with its
registry's permissions (its spec's ``read`` and ``write``), so that the permission module decides on the row: its
unit's scope, and for an enterprise's user whether the row is its enterprise's."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yangfan.accounts.permissions import deny, may, restrict, unowned_field
from yangfan.audit.choices import AuditAction
from yangfan.audit.conflicts import Conflict, version_check
from yangfan.audit.services import audit_record, model_changes, snapshot
from yangfan.registries.specs import CITY, REGISTRIES, spec_of


def references(model) -> list[str]:
    """The fields of ``model`` that point at entries of a registry: a case's VPN and suppliers, a benchmark's case.
    Each may name only entries its writer may read (``entry_save``; the forms and the API offer only those)."""
    kept = set(REGISTRIES.values())
    return [
        f.name
        for f in model._meta.get_fields()
        if f.is_relation and not f.auto_created and f.related_model in kept
    ]


def referable(queryset, *, user, entry, name: str):
    """What ``entry``'s reference ``name`` may be set to by ``user`` (the choices a form or the API offers): the
    entries of ``queryset`` the user may read (with their registry's ``read``), and those ``entry`` points at
    already."""
    offered = restrict(queryset, user, spec_of(queryset.model).read)
    current = _pointed_at(entry, name)
    return offered | queryset.filter(pk__in=current) if current else offered


def _pointed_at(entry, name: str) -> set[int]:
    """The primary keys a saved ``entry`` points at through its reference ``name`` (none for an unsaved one)."""
    if entry is None or entry.pk is None:
        return set()
    field = type(entry)._meta.get_field(name)
    if field.many_to_many:
        return set(getattr(entry, name).values_list("pk", flat=True))
    pk = getattr(entry, field.attname)
    return set() if pk is None else {pk}


def may_manage(user, entry) -> bool:
    """Write ``entry`` (as it is, or as it is about to be saved): a role holding its registry's ``write``, with the
    entry's unit in its capture scope, and for an enterprise's user an entry its enterprise keeps."""
    return entry.org_unit_id is not None and may(user, spec_of(entry).write, entry)


def may_read(user, entry) -> bool:
    """Read ``entry``: its registry's ``read``, the entry's unit in the view scope, an enterprise's user its own."""
    return may(user, spec_of(entry).read, entry)


def refuse_unowned(actor, entry) -> None:
    """An enterprise's user writes its own enterprise's entries only: one that names another enterprise (a case's
    应用企业, a product's 供应商) is refused under that field, saying what to correct, before the scope's check
    would refuse it without a reason."""
    name = unowned_field(actor, entry) if actor is not None else None
    if name is not None:
        label = type(entry)._meta.get_field(name).verbose_name
        raise ValidationError(
            {
                name: _("企业用户只能登记本企业（%(enterprise)s）的条目，请检查“%(field)s”。")
                % {"enterprise": actor.enterprise, "field": label}
            }
        )


def _fields(entry) -> list[str]:
    return [
        f.name
        for f in entry._meta.concrete_fields
        if f.editable and f.name not in ("id", "created_by", "created_at", "updated_at", "search_text")
    ]


def city_of(org_unit):
    """The city (level 2) an org unit is in, or the unit itself above that: duplicates are judged per city."""
    unit = org_unit
    while unit is not None and unit.level > 2 and unit.parent_id:
        unit = unit.parent
    return unit


def duplicate_of(entry):
    """An existing entry that is the same thing, as its spec's ``same_as`` says: a supplier with the same credit
    code, a benchmark of the same case and year, anything else with the same name in the same city (of the same
    kind, for carriers)."""
    model = type(entry)
    same = spec_of(model).same_as
    others = model.objects.exclude(pk=entry.pk) if entry.pk else model.objects.all()
    others = others.filter(
        **{
            model._meta.get_field(name).attname: getattr(entry, model._meta.get_field(name).attname)
            for name in same
            if name != CITY
        }
    )
    if CITY not in same:
        return others.first()
    city = city_of(entry.org_unit)
    for other in others.select_related("org_unit__parent"):
        if city_of(other.org_unit) == city:
            return other
    return None


def search_text_of(entry) -> str:
    """What a registry's search matches (its spec's ``indexed`` fields): the entry's words and, as a help, their
    pinyin (``search.searchable``)."""
    from yangfan.registries.search import searchable

    parts = [getattr(entry, name) for name in spec_of(entry).indexed]
    return searchable(" ".join(str(p) for p in parts if p))


def entry_save(*, actor, entry, m2m: dict | None = None, version: str | None = None, request=None):
    """Create or update ``entry`` (and set its many-to-many fields from ``m2m``), or raise ``ValidationError``
    (in Chinese) or ``PermissionDenied`` (audited: the refusal is recorded outside the write's transaction). The
    entry is checked as it was and as it will be: moved only between units the actor manages, and, by an
    enterprise's user, never made another enterprise's. ``version``: the version of the entry the user edited
    (``audit.conflicts.version_of``: the form's hidden field, the API's ``If-Match``); a save over a newer one is
    refused with ``StaleVersion``, saying what it would overwrite. None: not checked (a script, an import)."""
    write = spec_of(entry).write
    before = type(entry).objects.select_related("org_unit").get(pk=entry.pk) if entry.pk else None
    if before is not None and not may_manage(actor, before):
        deny(actor, write, before, request=request)
    if entry.org_unit_id is not None:
        refuse_unowned(actor, entry)
        if not may_manage(actor, entry):
            deny(actor, write, entry, request=request)
    if actor is not None:
        for target in _new_references(entry, before, m2m or {}):
            if not may_read(actor, target):  # an entry the actor may not read is not its to name
                deny(actor, spec_of(target).read, target, request=request)
    return _save(actor=actor, entry=entry, m2m=m2m, version=version, request=request)


def _new_references(entry, before, m2m: dict) -> list:
    """The entries ``entry`` is about to point at that it did not point at before."""
    found = []
    for name in references(type(entry)):
        field, old = type(entry)._meta.get_field(name), _pointed_at(before, name)
        if field.many_to_many:
            found += [target for target in m2m.get(name, ()) if target.pk not in old]
        elif (pk := getattr(entry, field.attname)) is not None and pk not in old:
            found.append(getattr(entry, name))
    return found


@transaction.atomic
def _save(*, actor, entry, m2m: dict | None, request, version: str | None = None):
    if entry.org_unit_id is None:
        raise ValidationError(_("请选择地区。"))
    entry.full_clean(
        exclude=["created_by", "search_text"], validate_unique=False
    )  # duplicates: below, in words
    spec = spec_of(entry)
    other = duplicate_of(entry)
    if other is not None:
        raise ValidationError(
            str(spec.duplicate)
            % {"code": getattr(entry, spec.same_as[0]), "other": other, "unit": other.org_unit.name}
        )
    fields = _fields(entry)
    created = entry.pk is None
    if not created:  # the stored entry, locked: what this save replaces, and whether the user saw it
        stored = type(entry).objects.select_for_update().get(pk=entry.pk)
        version_check(seen=version, mine=entry, stored=stored, fields=fields)
    before = {} if created else snapshot(stored, fields)
    if created:
        entry.created_by = actor
    if spec.indexed:
        entry.search_text = search_text_of(entry)
    entry.save()
    changes = model_changes(before, snapshot(entry, fields))
    for name, values in (m2m or {}).items():
        manager = getattr(entry, name)
        old = sorted(str(v) for v in manager.all()) if not created else []
        manager.set(values)
        new = sorted(str(v) for v in values)
        if old != new:
            changes[name] = [old, new]
    if created or changes:
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            actor=actor,
            obj=entry,
            changes=changes,
            request=request,
        )
    return entry


def entry_delete(*, actor, entry, version: str | None = None, request=None) -> None:
    """Remove an entry registered by mistake (an entry that ended is retired with a date instead, so that the
    periods it stood in still count it). ``version`` as for :func:`entry_save`: not one changed since it was seen."""
    if not may_manage(actor, entry):
        deny(actor, spec_of(entry).write, entry, request=request)
    _delete(actor=actor, entry=entry, version=version, request=request)


@transaction.atomic
def _delete(*, actor, entry, request, version: str | None = None) -> None:
    stored = type(entry).objects.select_for_update().filter(pk=entry.pk).first()
    if stored is None:
        raise Conflict(_("该条目已被他人删除。"))
    version_check(seen=version, mine=entry, stored=stored, fields=_fields(entry))
    for name, refusal in spec_of(entry).protected_by:
        if getattr(entry, name).exists():
            raise ValidationError(str(refusal))
    audit_record(
        action=AuditAction.DELETE,
        actor=actor,
        obj=entry,
        changes=model_changes(snapshot(entry, _fields(entry)), {}),
        request=request,
    )
    entry.delete()

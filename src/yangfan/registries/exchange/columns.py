"""The columns of a registry's file, made from its spec (``registries.specs``): each column's model field,
Chinese header, kind (how its cells read) and whether a file must have it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils import translation

from yangfan.registries.specs import REGISTRIES, SPECS

JOIN = "、"
SCALAR = frozenset({"text", "code", "date", "year", "bool", "choice", "decimal"})


@dataclass(frozen=True)
class Column:
    """One column of a registry's file: the model field it holds, its header and how its cells read."""

    field: str
    header: str
    kind: str  # text, code, date, year, bool, choice, decimal, or the model a reference points at (see _kind)
    required: bool
    many: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, Chinese label)


def _kind(model_field) -> str:
    if model_field.is_relation:
        return model_field.related_model._meta.model_name  # orgunit, sector, operator, supplier, ...
    if model_field.name == "credit_code":
        return "code"
    if model_field.choices:
        return "choice"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, models.DecimalField):
        return "decimal"
    if isinstance(model_field, models.BooleanField):
        return "bool"
    if isinstance(model_field, models.PositiveSmallIntegerField):
        return "year"
    return "text"


def registry_columns(slug: str) -> list[Column]:
    """The columns of registry ``slug``'s file, in order (its spec's ``fields``). Headers and kinds come from the
    model fields; the header is the field's Chinese name whatever the user's language."""
    model = REGISTRIES[slug]
    columns = []
    with translation.override("zh-hans"):
        for name in SPECS[slug].fields:
            f = model._meta.get_field(name)
            many = f.many_to_many
            columns.append(
                Column(
                    field=name,
                    header=str(f.verbose_name),
                    kind=_kind(f),
                    required=not (f.blank or many or isinstance(f, models.BooleanField)),
                    many=many,
                    choices=tuple((str(v), str(label)) for v, label in f.choices or ()),
                )
            )
    return columns

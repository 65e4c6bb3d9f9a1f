"""Forms of the collection pages: picking a report, the entry grid, and the reason of a workflow step."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yangfan.accounts.permissions import org_units_in_scope, speaks_for_operator
from yangfan.actionplans.display import localized_name
from yangfan.actionplans.models import DataElement, DataSet, Operator
from yangfan.collection.selectors import period_kind
from yangfan.core.numbers import NumberError, parse_number
from yangfan.core.periods import Period, PeriodError
from yangfan.orgunits.models import OrgUnit

PERIOD_EXAMPLES = {"monthly": "202312", "quarterly": "2023Q4", "yearly": "2023"}


class PickForm(forms.Form):
    """Which report to open: a data set, an org unit of the user's scope, a period of the data set's kind and,
    for a data set reported by operator, the operator (an operator's own is implied)."""

    data_set = forms.ModelChoiceField(
        label=_("数据集"), queryset=DataSet.objects.none(), to_field_name="code"
    )
    org_unit = forms.ModelChoiceField(
        label=_("填报单位"), queryset=OrgUnit.objects.none(), to_field_name="code"
    )
    period = forms.CharField(
        label=_("期间"),
        max_length=8,
        help_text=_("月报写作 202312，季报写作 2023Q4，年报写作 2023。"),
    )
    operator = forms.ModelChoiceField(
        label=_("运营商"),
        queryset=Operator.objects.order_by("position", "code"),
        to_field_name="code",
        required=False,
        help_text=_("仅按运营商报送的数据集需要选择。"),
    )

    def __init__(self, *args, user, data_sets, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["data_set"].queryset = data_sets
        self.fields["data_set"].label_from_instance = localized_name
        if "operator" in self.fields:
            self.fields["operator"].label_from_instance = localized_name
        units = org_units_in_scope(user, "data.capture") | org_units_in_scope(user, "data.view")
        self.fields["org_unit"].queryset = units.distinct().order_by("code")
        self.fields["org_unit"].label_from_instance = lambda u: f"{u.name}（{u.code}）"
        if speaks_for_operator(user):
            del self.fields["operator"]  # an operator reports its own figures only

    def clean(self):
        data = super().clean()
        data_set, text = data.get("data_set"), data.get("period")
        if data_set is None or not text:
            return data
        try:
            period = Period.parse(text)
        except PeriodError as exc:
            self.add_error("period", str(exc))
            return data
        if period.kind != period_kind(data_set):
            self.add_error(
                "period",
                gettext("%(name)s 按%(kind)s报送，期间应写作 %(example)s 这样的形式。")
                % {
                    "name": localized_name(data_set),
                    "kind": data_set.get_period_type_display(),
                    "example": PERIOD_EXAMPLES[data_set.period_type],
                },
            )
            return data
        data["period"] = str(period)
        operator = self.user.operator if speaks_for_operator(self.user) else data.get("operator")
        if data_set.by_operator and operator is None:
            self.add_error("operator", gettext("该数据集按运营商分别报送，请选择运营商。"))
        data["operator"] = operator if data_set.by_operator else None
        return data


@dataclass(frozen=True)
class Cell:
    """One input of the grid: the value of ``element`` for ``unit``."""

    name: str
    unit: OrgUnit
    element: DataElement


def cell_name(unit: OrgUnit, element: DataElement) -> str:
    return f"v:{unit.code}:{element.code}"


class GridForm(forms.Form):
    """The entry grid as a form: one optional text field per row × data element. A filled cell must be a number
    as people type it (``parse_number``: 1,234 / 全角 / 1.6万 / 35%) and not negative; an empty cell is left as
    it is (never deletes a stored value)."""

    def __init__(self, *args, rows: list[OrgUnit], elements: list[DataElement], **kwargs):
        super().__init__(*args, **kwargs)
        self.cells: dict[str, Cell] = {}
        for unit in rows:
            for element in elements:
                name = cell_name(unit, element)
                self.cells[name] = Cell(name, unit, element)
                self.fields[name] = forms.CharField(
                    required=False, max_length=40, label=f"{unit.name} {element.name}"
                )

    def _clean_fields(self):
        super()._clean_fields()
        for name in self.cells:
            text = self.cleaned_data.get(name, "")
            if not text:
                self.cleaned_data[name] = None
                continue
            try:
                value = parse_number(text)
            except NumberError as exc:
                self.add_error(name, str(exc))
                continue
            if value < 0:
                self.add_error(name, gettext("数值不能为负数"))
                continue
            self.cleaned_data[name] = value

    def filled(self) -> list[tuple[Cell, Decimal]]:
        """The cells given a value, in grid order (rows, then columns)."""
        return [
            (cell, self.cleaned_data[name])
            for name, cell in self.cells.items()
            if self.cleaned_data.get(name) is not None
        ]


class ActForm(forms.Form):
    """A workflow step's reason (退回、解锁 need one) and the explanations of warnings (报送)."""

    comment = forms.CharField(label=_("原因或说明"), required=False, max_length=2000)
    next = forms.CharField(required=False, max_length=500)

    def explanations(self) -> dict[str, str]:
        """``explain:<finding key>`` fields: the reporter's comment on each warning."""
        prefix = "explain:"
        return {
            key[len(prefix) :]: value.strip()
            for key, value in self.data.items()
            if key.startswith(prefix) and value.strip()
        }

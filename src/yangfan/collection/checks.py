"""Validation findings and reconciliation of reports, over the stored values: ``yangfan.core.validation`` does the
work, this module chooses the rules, units, period and operator a report has and reads the values it needs.

Which rules a report answers to: those that read at least one of its data set's elements. A rule that also reads
an element outside the data set (5G users per resident: the population is another report's) is judged when
that figure is stored for the unit, and skipped when it is not (a side with no value skips a rule). A report by
operator answers for its operator's part only; a report of totals for the totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from yangfan.actionplans.display import localized_name
from yangfan.collection.selectors import data_set_rows
from yangfan.core.engine import DataValue as CoreDataValue
from yangfan.core.engine import Values
from yangfan.core.periods import Period
from yangfan.core.plan import Plan, RuleKind, ValidationRule
from yangfan.core.validation import (
    Finding,
    check,
    official_data_sets,
    periods_checked,
    reconcile,
    rule_elements,
)
from yangfan.datavalues.indicators import core_plans
from yangfan.datavalues.selectors import values_for_engine

EVERY_OPERATOR = "*"  # findings_for(operator=EVERY_OPERATOR): the total's and every operator's findings


def plan_of(data_set) -> Plan:
    """The plan (as the engine reads it) that declares ``data_set`` (``actionplans.DataSet``)."""
    return core_plans()[data_set.plan.code]


def rules_for(plan: Plan, elements: Iterable[str]) -> list[ValidationRule]:
    """The plan's rules that read at least one of ``elements`` (an operator-sum rule reads every element)."""
    wanted = set(elements)
    return [
        r for r in plan.validation_rules if r.kind == RuleKind.OPERATOR_SUM or wanted & set(rule_elements(r))
    ]


def _about(finding: Finding, elements: set[str], rules: dict[str, ValidationRule]) -> bool:
    """Is ``finding`` about one of ``elements``? An operator-sum finding is about its own element only."""
    if finding.kind == RuleKind.OPERATOR_SUM:
        return finding.data_element in elements
    return bool(elements & set(rule_elements(rules[finding.rule])))


def findings_for(
    *,
    data_set,
    org_unit,
    period: str | Period,
    operator: str | None = None,
    values: Values | None = None,
    rows=None,
) -> list[Finding]:
    """The findings of ``data_set``'s report for ``org_unit`` (its rows: ``data_set_rows``, or ``rows`` when read
    already) at ``period``: the total's (``operator=None``), one operator's (its code), or ``EVERY_OPERATOR``'s."""
    plan = plan_of(data_set)
    period = period if isinstance(period, Period) else Period.parse(period)
    elements = set(data_set.data_elements)
    rules = rules_for(plan, elements)
    rows = rows if rows is not None else data_set_rows(data_set=data_set, org_unit=org_unit)
    units = [u.code for u in rows]
    if values is None:
        values = values_for_engine(
            data_elements=elements | {e for r in rules for e in rule_elements(r)},
            org_units=units,
            periods=periods_checked(period),
        )
    by_code = {r.code: r for r in rules}
    return [
        f
        for f in check(plan, values, units, period, rules)
        if _about(f, elements, by_code) and (operator == EVERY_OPERATOR or f.operator == operator)
    ]


def submission_findings(submission, rows=None) -> list[Finding]:
    """What stands between ``submission`` and its submission: errors block it, warnings need an explanation
    (``rows``: the report's rows, when read already)."""
    data_set = submission.data_set
    operator = submission.operator.code if data_set.by_operator and submission.operator_id else None
    return findings_for(
        data_set=data_set,
        org_unit=submission.org_unit,
        period=submission.period,
        operator=operator,
        rows=rows,
    )


def unit_findings(*, org_unit, period: Period, plan: Plan | None = None) -> list[Finding]:
    """Every rule for ``org_unit`` and each unit counted in it at ``period``, for totals and every operator (what
    ``yangfan values check`` prints without a data set)."""
    plans = [plan] if plan is not None else list(core_plans().values())
    found: list[Finding] = []
    for each in plans:
        tree = each.org_tree
        if org_unit.code not in tree.units:
            continue
        units = [org_unit.code, *(u.code for u in tree.descendants(org_unit.code))]
        values = values_for_engine(
            data_elements={e for r in each.validation_rules for e in rule_elements(r)}
            | {e.code for e in each.data_elements},
            org_units=units,
            periods=periods_checked(period),
        )
        found.extend(check(each, values, units, period))
    return found


def rows_findings(rows) -> list[Finding]:
    """The findings that rows about to be written (``datavalues.importers.ParsedRow``) would have: the stored
    values with the rows on top, for the units, periods and operators the rows touch — an operator's rows answer
    for its part, rows of totals for the total, as their reports do when submitted."""
    rows = list(rows)
    if not rows:
        return []
    elements = {r.data_element.code for r in rows}
    found: dict[str, Finding] = {}
    units_touched = {r.org_unit.code for r in rows}
    parsed = {text: Period.parse(text) for text in {r.period for r in rows}}
    periods_touched = set(parsed.values())
    window = set().union(*(periods_checked(p) for p in periods_touched))
    for plan in core_plans().values():
        rules = rules_for(plan, elements)
        values = values_for_engine(
            data_elements=elements | {e for r in rules for e in rule_elements(r)},
            org_units=units_touched,
            periods=window,
        )
        touched: dict[tuple[str, Period], tuple[set[str | None], set[str]]] = {}
        for row in rows:
            period = parsed[row.period]
            operator = row.operator.code if row.operator else None
            values.add(CoreDataValue(row.data_element.code, row.org_unit.code, period, row.value, operator))
            operators, row_elements = touched.setdefault((row.org_unit.code, period), (set(), set()))
            operators.add(operator)
            row_elements.add(row.data_element.code)
        by_code = {r.code: r for r in rules}
        for period in sorted({p for _unit, p in touched}):
            units = list(dict.fromkeys(u for u, p in touched if p == period))
            parts = {u: touched[(u, period)][0] for u in units}  # only the parts the rows write are judged
            for finding in check(plan, values, units, period, rules, operators=parts):
                operators, row_elements = touched[(finding.org_unit, period)]
                if finding.operator in operators and _about(finding, row_elements, by_code):
                    found.setdefault(finding.key, finding)
    return list(found.values())


# -- reconciliation ---------------------------------------------------------------------------------------------


def source_labels(plan: Plan) -> dict[str, str]:
    """Column headings of the reconciliation: the official figure is named after who reports it."""
    reporters = []
    for data_set in official_data_sets(plan):
        unit = next((u for u in plan.responsible_units if u.code == data_set.reporter), None)
        reporters.append(unit.name if unit else data_set.reporter)
    official = "、".join(dict.fromkeys(reporters))
    return {
        "official": _("%(who)s（官方数）") % {"who": official} if official else _("官方数"),
        "own": _("本级填报数"),
        "children": _("下级合计"),
        "operators": _("运营商合计"),
    }


def reconciliation_rows(
    *, org_unit, period: Period, data_elements: Iterable[str] | None = None, plan: Plan | None = None
) -> list[dict]:
    """The reconciliation of ``org_unit`` and each unit counted directly in it at ``period`` (per data element of
    ``data_elements``, all of the plan's unless given), as rows for ``collection/_reconciliation_summary.html``
    (figures are ``None`` where a source has none)."""
    if plan is None:
        plan = next((p for p in core_plans().values() if org_unit.code in p.org_tree.units), None)
        if plan is None:
            return []
    elements = [e.code for e in plan.data_elements] if data_elements is None else list(data_elements)
    tree = plan.org_tree
    units = [org_unit.code, *(u.code for u in tree.descendants(org_unit.code))]
    values = values_for_engine(data_elements=elements, org_units=units, periods=periods_checked(period))
    labels = source_labels(plan)
    names = {u.code: u.name for u in plan.org_units}
    element_names = {e.code: (localized_name(e), e.unit) for e in plan.data_elements}
    rows = []
    for r in reconcile(plan, values, org_unit.code, period, elements):
        name, unit = element_names.get(r.data_element, (r.data_element, ""))
        rows.append(
            {
                "org_unit": r.org_unit,
                "org_unit_name": names.get(r.org_unit, r.org_unit),
                "depth": r.depth,
                "data_element": r.data_element,
                "data_element_name": name,
                "unit": unit,
                "period": str(r.period),
                "official": r.official,
                "own": r.own,
                "children": r.children,
                "operators": r.operators,
                "flagged": r.flagged,
                "labels": labels,  # the column headings, the same in every row
                "variances": [
                    {
                        "label": f"{labels[v.first]} − {labels[v.second]}",
                        "difference": v.difference,
                        "percent": None if v.percent is None else v.percent.quantize(Decimal("0.01")),
                        "flagged": v.flagged,
                    }
                    for v in r.variances
                ],
            }
        )
    return rows


def reconciliation_for(submission) -> list[dict]:
    """What the reviewer sees before approving ``submission``: its unit and each unit counted directly in it,
    for its data set's elements at its period, as rows for
    ``{% include "collection/_reconciliation_summary.html" with rows=reconciliation %}``."""
    data_set = submission.data_set
    return reconciliation_rows(
        org_unit=submission.org_unit,
        period=Period.parse(submission.period),
        data_elements=data_set.data_elements,
        plan=plan_of(data_set),
    )

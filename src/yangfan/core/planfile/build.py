"""Building the :class:`Plan` from a document every check has passed: the YAML values made into the core's
frozen dataclasses, dates and decimals, with formulas parsed and responsible unit names resolved to codes."""

from __future__ import annotations

from datetime import date

from yangfan.core.evaluation import ScoringScheme
from yangfan.core.expressions import parse_formula
from yangfan.core.orgtree import OrgGroup, OrgUnit
from yangfan.core.plan import (
    Aggregation,
    Annex,
    AnnexRow,
    Comparison,
    Continuation,
    DataElement,
    DataSet,
    DataSetLevel,
    Direction,
    Goal,
    Importance,
    Indicator,
    Operator,
    Plan,
    QualitativeTarget,
    Registry,
    ResponsibleUnit,
    RuleKind,
    RuleOperator,
    Safeguard,
    Section,
    Sector,
    Source,
    SpecialProject,
    Target,
    TargetScope,
    Task,
    UnitKind,
    ValidationRule,
)
from yangfan.core.planfile.base import as_decimal
from yangfan.core.supervision import SupervisionRules


def plan_build(data: dict, source_text: str, units_by_name: dict[str, str]) -> Plan:
    """The :class:`Plan` of a checked document (``PlanReader.read`` has found no problems in ``data``)."""
    p = data["plan"]

    def opt(item: dict, *keys: str) -> dict:
        return {k: item[k] for k in keys if k in item}

    def sources(item: dict) -> tuple[Source, ...]:
        return tuple(Source(s["clause"], s["quote"]) for s in item.get("sources", []))

    annex = data.get("annex")
    return Plan(
        code=p["code"],
        name=p["name"],
        start=date.fromisoformat(p["start"]),
        end=date.fromisoformat(p["end"]),
        source_text=source_text,
        remarks=tuple(data.get("remarks", [])),
        loads_on_init=p.get("load", "init") == "init",
        **opt(p, "name_en", "document", "notice_title", "addressees", "base_year", "preamble"),
        responsible_units=tuple(
            ResponsibleUnit(
                code=u["code"],
                name=u["name"],
                kind=UnitKind(u.get("kind", "department")),
                aliases=tuple(u.get("aliases", [])),
                **opt(u, "name_en", "remark"),
            )
            for u in data["responsible_units"]
        ),
        sectors=tuple(
            Sector(
                code=s["code"],
                name=s["name"],
                key_industry=s["key_industry"],
                **opt(s, "name_en", "task", "remark"),
            )
            for s in data.get("sectors", [])
        ),
        operators=tuple(Operator(**o) for o in data.get("operators", [])),
        sections=tuple(Section(**without(s, "lead_ins")) for s in data["sections"]),
        tasks=tuple(
            Task(
                code=t["code"],
                section=t["section"],
                title=t["title"],
                text=t["text"],
                responsibility=t["responsibility"],
                responsible_units=tuple(dict.fromkeys(units_by_name[n] for n in t["responsible_units"])),
                continues=_continuation(t, "task"),
                **opt(t, "number", "sector", "remark"),
            )
            for t in data["tasks"]
        ),
        special_projects=tuple(SpecialProject(**s) for s in data.get("special_projects", [])),
        safeguards=tuple(Safeguard(**s) for s in data.get("safeguards", [])),
        goals=tuple(Goal(**without(g, "lead_ins")) for g in data.get("goals", [])),
        annex=Annex(
            title=annex["title"],
            rows=tuple(AnnexRow(**r) for r in annex["rows"]),
            notes=tuple(annex.get("notes", [])),
        )
        if annex
        else None,
        org_units=tuple(OrgUnit(**u) for u in data["org_units"]),
        org_groups=tuple(
            OrgGroup(
                code=g["code"],
                name=g["name"],
                kind=g["kind"],
                members=tuple(g["members"]),
                overlaps=tuple(g.get("overlaps", [])),
                **opt(g, "name_en", "remark"),
            )
            for g in data.get("org_groups", [])
        ),
        data_elements=tuple(
            DataElement(
                code=e["code"],
                name=e["name"],
                unit=e["unit"],
                aggregation=Aggregation(e["aggregation"]),
                sources=sources(e),
                **opt(
                    e,
                    "name_en",
                    "period_type",
                    "by_operator",
                    "remark",
                    "shared_between_operators",
                    "decimals",
                ),
                **{k: as_decimal(e[k]) for k in ("minimum", "maximum") if k in e},
            )
            for e in data["data_elements"]
        ),
        registries=tuple(
            Registry(code=r["code"], name=r["name"], sources=sources(r), **opt(r, "name_en", "remark"))
            for r in data.get("registries", [])
        ),
        indicators=tuple(
            Indicator(
                code=i["code"],
                name=i["name"],
                unit=i["unit"],
                formula=parse_formula(i["formula"]),
                direction=Direction(i["direction"]),
                target=_target(i["target"]),
                target_scope=TargetScope(i["target"].get("applies_to", TargetScope.PLAN_AREA)),
                milestones=tuple(_target(m) for m in i.get("milestones", [])),
                sources=sources(i),
                continues=_continuation(i, "indicator"),
                **opt(i, "name_en", "base_year", "annex_number", "remark"),
            )
            for i in data["indicators"]
        ),
        qualitative_targets=tuple(QualitativeTarget(**q) for q in data.get("qualitative_targets", [])),
        data_sets=tuple(
            DataSet(
                code=ds["code"],
                name=ds["name"],
                period_type=ds["period_type"],
                level=DataSetLevel(ds["level"]),
                reporter=ds["reporter"],
                deadline_days=ds["deadline_days"],
                data_elements=tuple(ds["data_elements"]),
                **opt(ds, "by_operator", "name_en", "remark"),
            )
            for ds in data.get("data_sets", [])
        ),
        validation_rules=tuple(_rule(r) for r in data.get("validation_rules", [])),
        supervision=SupervisionRules(**data.get("supervision", {})),
        evaluation_schemes=tuple(_scheme(e) for e in data.get("evaluation", [])),
    )


def without(item: dict, *keys: str) -> dict:
    """``item`` without ``keys``: fields only the checks read (a goal paragraph's ``lead_ins``)."""
    return {k: v for k, v in item.items() if k not in keys}


def _scheme(d: dict) -> ScoringScheme:
    return ScoringScheme(
        version=d["version"],
        name=d["name"],
        effective_from=date.fromisoformat(d["effective_from"]),
        weights={k: as_decimal(v) for k, v in d["weights"].items()},
        status_points={k: as_decimal(v) for k, v in d["status_points"].items()},
        remark=d.get("remark", ""),
        unit_weights={k: as_decimal(v) for k, v in d["unit_weights"].items()}
        if "unit_weights" in d
        else None,
    )


def _rule(d: dict) -> ValidationRule:
    return ValidationRule(
        code=d["code"],
        name=d["name"],
        kind=RuleKind(d["kind"]),
        importance=Importance(d["importance"]),
        left=parse_formula(d["left"]) if "left" in d else None,
        operator=RuleOperator(d["operator"]) if "operator" in d else None,
        right=parse_formula(d["right"]) if "right" in d else None,
        data_element=d.get("data_element"),
        limit=as_decimal(d["limit"]) if "limit" in d else None,
        remark=d.get("remark", ""),
    )


def _continuation(item: dict, key: str) -> Continuation | None:
    c = item.get("continues")
    return Continuation(plan=c["plan"], code=c[key], note=c.get("note", "")) if c else None


def _target(d: dict) -> Target:
    return Target(
        value=as_decimal(d["value"]),
        comparison=Comparison(d["comparison"]),
        date=date.fromisoformat(d["date"]),
    )

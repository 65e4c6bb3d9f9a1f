"""扬帆监测口径: how the security of the key industries' 5G applications stands in a unit on a day.

These are Yangfan's own monitoring measures, not the plan's targets: 四.(三) 8–11 and 专栏4 ask for risk assessment
built into every application's life cycle, 密评 done, risks remedied and threats handled, and set no figure. The
office reads four measures of a unit (its subtree of the statistical tree) on a day:

- the share of key-industry applications with a current security assessment: standing application cases (started
  by the day) of the sectors the plan file marks as key industries (重点行业), with a submitted assessment dated
  within the ``ASSESSMENT_CURRENT_DAYS`` days ending with the day;
- the share of them with a passed 密评 standing on the day (符合 or 基本符合, assessed by the day, valid on it);
- the open high risks: level high, open or remediated awaiting re-assessment (a risk closed after the day was
  still open on it);
- the median days from a risk's registration to its remediation, over the risks remediated in the
  ``REMEDIATION_WINDOW_DAYS`` days ending with the day.

Every row is read through ``restrict(..., actor, "security.view")``, so each reader gets the measures of what it may
see (an enterprise its own applications, a city's office its city). Each function here reads a fixed number of
queries whatever the history stored; the arithmetic is the core's (``core.security``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from yangfan.accounts.permissions import restrict, tree_links
from yangfan.core.security import Share, median_days
from yangfan.orgunits.selectors import covered_unit_ids
from yangfan.registries.choices import CryptoResult
from yangfan.registries.models import ApplicationCase, CryptoAssessment, Inspection, ThreatReport
from yangfan.security.choices import AssessmentStatus, RiskLevel, RiskStatus
from yangfan.security.models import Assessment, Risk
from yangfan.security.selectors import UNRESOLVED, overdue_q

# Yangfan's windows (扬帆监测口径), not the plan's: an assessment stays current for a year (the usual re-assessment
# cycle of a running system), and the remediation time is the median over the risks remedied in the last year.
ASSESSMENT_CURRENT_DAYS = 365
REMEDIATION_WINDOW_DAYS = 365
# 密评 conclusions that pass (GB/T 39786-2021 reports: 符合, 基本符合)
PASSING_CRYPTO = (CryptoResult.COMPLIANT, CryptoResult.BASICALLY)
VIEW = "security.view"


@dataclass(frozen=True)
class SecurityMeasures:
    """The four measures of one unit (``org_unit``; ``None``: the reader's whole scope) on ``day``."""

    org_unit: object | None
    day: date
    assessed: Share  # key-industry applications with a current assessment, of all of them
    crypto_passed: Share  # ... with a passed 密评 standing on the day
    open_high_risks: int
    median_remediation_days: Decimal | None
    remediated: int  # how many remediations the median is of

    @property
    def key_applications(self) -> int:
        return self.assessed.whole

    # the windows the measures were computed with, for the pages that explain them
    assessment_days = ASSESSMENT_CURRENT_DAYS
    remediation_days = REMEDIATION_WINDOW_DAYS


def unit_ids(actor, org_unit) -> set[int] | None:
    """The ids of ``org_unit`` and every unit counted in it (``None`` for ``None``: no narrowing beyond the
    reader's scope). The tree is the one the request's scope was read with: no query of its own."""
    if org_unit is None:
        return None
    return covered_unit_ids([org_unit.pk], links=tree_links(actor))


def _within(rows: QuerySet, units: set[int] | None) -> QuerySet:
    return rows if units is None else rows.filter(org_unit__in=units)


def key_case_list(*, actor, org_unit=None, day: date | None = None) -> QuerySet[ApplicationCase]:
    """The key-industry applications the measures count: standing cases (started by ``day``) of key-industry
    sectors in the unit's subtree, as ``actor`` may see them."""
    day = day or timezone.localdate()
    cases = restrict(ApplicationCase.objects.all(), actor, VIEW).filter(
        sector__key_industry=True, started_on__lte=day
    )
    return _within(cases, unit_ids(actor, org_unit))


def current_assessments(actor, day: date) -> QuerySet[Assessment]:
    """Submitted assessments dated within the ``ASSESSMENT_CURRENT_DAYS`` days ending with ``day``."""
    return restrict(Assessment.objects.all(), actor, VIEW).filter(
        status=AssessmentStatus.SUBMITTED,
        assessed_on__lte=day,
        assessed_on__gt=day - timedelta(days=ASSESSMENT_CURRENT_DAYS),
    )


def passed_crypto(actor, day: date) -> QuerySet[CryptoAssessment]:
    """密评 with a passing conclusion standing on ``day``: assessed by then and valid on it."""
    return restrict(CryptoAssessment.objects.all(), actor, VIEW).filter(
        result__in=PASSING_CRYPTO, assessed_on__lte=day, valid_until__gte=day
    )


def unresolved_on(day: date) -> Q:
    """Risks to be dealt with on ``day``: registered by then and open or remediated awaiting re-assessment, or
    closed only after the day. (An accepted risk carries no date of acceptance: it counts as dealt with.)"""
    still = Q(status__in=UNRESOLVED) | Q(status=RiskStatus.CLOSED, closed_on__gt=day)
    return Q(created_at__date__lte=day) & still


def security_measures(*, actor, org_unit=None, day: date | None = None) -> SecurityMeasures:
    """The 扬帆监测口径 measures of ``org_unit`` (its subtree; ``None``: the actor's whole scope) on ``day`` (today by
    default), of what ``actor`` may see (``security.view``). Three queries (plus the reader's scope, read once a
    request), whatever the history. The caller checks that the unit is one the reader may see: a unit outside the
    scope simply has nothing in it."""
    day = day or timezone.localdate()
    units = unit_ids(actor, org_unit)
    cases = key_case_list(actor=actor, org_unit=org_unit, day=day).order_by()
    counts = cases.aggregate(
        whole=Count("pk"),
        current=Count("pk", filter=Exists(current_assessments(actor, day).filter(case=OuterRef("pk")))),
        crypto=Count("pk", filter=Exists(passed_crypto(actor, day).filter(case=OuterRef("pk")))),
    )
    risks = _within(restrict(Risk.objects.all(), actor, VIEW), units).order_by()
    high = risks.filter(unresolved_on(day), level=RiskLevel.HIGH).count()
    spans = [
        max((remediated - timezone.localtime(created).date()).days, 0)
        for created, remediated in risks.filter(
            remediated_on__lte=day,
            remediated_on__gt=day - timedelta(days=REMEDIATION_WINDOW_DAYS),
        ).values_list("created_at", "remediated_on")
    ]
    return SecurityMeasures(
        org_unit=org_unit,
        day=day,
        assessed=Share(counts["current"], counts["whole"]),
        crypto_passed=Share(counts["crypto"], counts["whole"]),
        open_high_risks=high,
        median_remediation_days=median_days(spans),
        remediated=len(spans),
    )


def measures_json(found: SecurityMeasures) -> dict:
    """The measures as plain data (the API's answer)."""

    def share(s: Share) -> dict:
        return {"part": s.part, "whole": s.whole, "percent": None if s.percent is None else str(s.percent)}

    unit = found.org_unit
    median = found.median_remediation_days
    return {
        "basis": "扬帆监测口径",
        "org_unit": unit.code if unit is not None else None,
        "org_unit_name": unit.name if unit is not None else None,
        "date": found.day.isoformat(),
        "key_applications": found.key_applications,
        "assessed": share(found.assessed),
        "crypto_passed": share(found.crypto_passed),
        "open_high_risks": found.open_high_risks,
        "median_remediation_days": None if median is None else str(median),
        "remediated": found.remediated,
        "assessment_current_days": ASSESSMENT_CURRENT_DAYS,
        "remediation_window_days": REMEDIATION_WINDOW_DAYS,
    }


# -- what the overview lists beside the measures ---------------------------------------------------------------


def risk_list(*, actor, permission: str = VIEW, org_unit=None) -> QuerySet[Risk]:
    """Risks ``actor`` may ``permission`` (the supervision list reads those it may manage) in the unit's subtree,
    with what a row shows; ``actor`` ``None`` is the command line's every risk (it runs with the server's rights)."""
    rows = Risk.objects.all() if actor is None else restrict(Risk.objects.all(), actor, permission)
    if actor is not None:
        rows = _within(rows, unit_ids(actor, org_unit))
    return rows.select_related("org_unit", "assessment__case", "assessment__vpn")


def overdue_risk_list(
    *, actor, day: date | None = None, permission: str = VIEW, org_unit=None
) -> QuerySet[Risk]:
    """Risks not remedied by their deadline: open, the deadline before ``day``; the longest overdue first."""
    day = day or timezone.localdate()
    return (
        risk_list(actor=actor, permission=permission, org_unit=org_unit)
        .filter(overdue_q(day))
        .order_by("deadline", "pk")
    )


def days_overdue(risk: Risk, day: date) -> int:
    return (day - risk.deadline).days


SECTOR = Coalesce(F("assessment__case__sector__code"), F("assessment__vpn__sector__code"))


@dataclass(frozen=True)
class HighRiskMatrix:
    """High risks awaiting remediation by sector × city: ``counts[(sector code, city code)]``; ``""`` names a VPN
    without a sector."""

    sectors: list[tuple[str, str]]  # (code, name), in the plan's order
    cities: list[object]  # OrgUnit rows, the columns
    counts: dict[tuple[str, str], int]

    @property
    def rows(self) -> list[dict]:
        """Each sector's row: its cells (city code, count) in the columns' order and its total."""
        return [
            {
                "code": code,
                "name": name,
                "cells": [(c.code, self.counts.get((code, c.code), 0)) for c in self.cities],
                "total": sum(n for (s, _c), n in self.counts.items() if s == code),
            }
            for code, name in self.sectors
        ]

    @property
    def totals(self) -> list[tuple[str, int]]:
        """Each column's (city code, total)."""
        return [(c.code, sum(n for (_s, k), n in self.counts.items() if k == c.code)) for c in self.cities]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def city_of(links, cities: dict[int, object]) -> dict[int, object]:
    """Each unit's city (the first of its statistical ancestors, itself included, among ``cities``): the tree is
    the request's (``tree_links``), so no query."""
    parent = {pk: counted_in or up for pk, up, counted_in in links}
    found: dict[int, object] = {}
    for pk in parent:
        step = pk
        while step is not None and step not in cities:
            step = parent.get(step)
        if step is not None:
            found[pk] = cities[step]
    return found


def high_risk_matrix(*, actor, cities: list, org_unit=None) -> HighRiskMatrix:
    """The high risks awaiting remediation (待整改: status open, as the risk list's ``level=high&status=open`` lists
    them, so that a cell's number is the list it links to), counted by sector and by city (``cities``: the columns,
    OrgUnit rows of city level the reader may see; a risk placed above a city, at the province, has no column).
    Two queries: the counts by unit and sector, the sectors' names."""
    from yangfan.actionplans.models import Sector

    rows = (
        _within(restrict(Risk.objects.all(), actor, VIEW), unit_ids(actor, org_unit))
        .filter(level=RiskLevel.HIGH, status=RiskStatus.OPEN)
        .annotate(sector=SECTOR)
        .order_by()
        .values_list("org_unit_id", "sector")
        .annotate(n=Count("pk"))
    )
    city = city_of(tree_links(actor), {c.pk: c for c in cities})
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for unit, sector, n in rows:
        if unit in city:
            counts[(sector or "", city[unit].code)] += n
    codes = {s for s, _c in counts}
    names: dict[str, tuple[int, str]] = {}
    for code, name, position in Sector.objects.filter(code__in=codes).values_list("code", "name", "position"):
        names.setdefault(code, (position, name))
    sectors = sorted(
        ((code, names.get(code, (10**6, ""))[1]) for code in codes),
        key=lambda s: (s[0] == "", names.get(s[0], (10**6, ""))[0], s[0]),
    )
    return HighRiskMatrix(sectors=sectors, cities=list(cities), counts=dict(counts))


def crypto_gap_list(*, actor, org_unit=None, day: date | None = None) -> QuerySet[ApplicationCase]:
    """Key-industry applications without a passed 密评 standing on ``day``: none at all, expired, or not passed.
    Each row carries its latest 密评's conclusion and validity (``crypto_result``, ``crypto_valid_until``, ``None``
    without any), read in the same query."""
    from django.db.models import Subquery

    day = day or timezone.localdate()
    seen = restrict(CryptoAssessment.objects.all(), actor, VIEW).filter(
        case=OuterRef("pk"), assessed_on__lte=day
    )
    latest = seen.order_by("-assessed_on", "-pk")
    return (
        key_case_list(actor=actor, org_unit=org_unit, day=day)
        .filter(~Exists(passed_crypto(actor, day).filter(case=OuterRef("pk"))))
        .annotate(
            crypto_result=Subquery(latest.values("result")[:1]),
            crypto_valid_until=Subquery(latest.values("valid_until")[:1]),
        )
        .select_related("org_unit", "sector")
        .order_by(F("crypto_valid_until").asc(nulls_first=True), "org_unit__code", "name", "pk")
    )


def open_inspection_list(*, actor, org_unit=None) -> QuerySet[Inspection]:
    """监督检查 whose follow-up is still open (required, not closed), the earliest due first."""
    rows = (
        restrict(Inspection.objects.all(), actor, VIEW).filter(closed_on__isnull=True).exclude(follow_up="")
    )
    return (
        _within(rows, unit_ids(actor, org_unit))
        .select_related("org_unit")
        .order_by(F("follow_up_due").asc(nulls_last=True), "-inspected_on", "pk")
    )


def open_threat_list(*, actor, org_unit=None) -> QuerySet[ThreatReport]:
    """威胁信息 not handled to the end yet, the latest received first."""
    rows = restrict(ThreatReport.objects.all(), actor, VIEW).filter(closed_on__isnull=True)
    return _within(rows, unit_ids(actor, org_unit)).select_related("org_unit").order_by("-received_on", "pk")

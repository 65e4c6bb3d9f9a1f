"""What an enterprise user (企业用户) lands on: its own applications, products and “绽放杯” entries, its security
assessments and the risks it must remedy, each read through the permission module (``restrict``), so an
enterprise sees its own rows and nothing of any other's."""

from __future__ import annotations

from django.utils import timezone

from yangfan.accounts.permissions import restrict, speaks_for_enterprise


def enterprise_section(user) -> dict:
    """The counts and the risks to answer of ``user``'s enterprise (empty for other roles): a fixed number of
    queries."""
    if not speaks_for_enterprise(user):
        return {}
    from yangfan.registries.models import ApplicationCase, BloomCupEntry, CryptoAssessment, IndustryProduct
    from yangfan.security.choices import AssessmentStatus
    from yangfan.security.models import Assessment
    from yangfan.security.selectors import is_overdue, open_risk_list

    today = timezone.localdate()
    risks = open_risk_list(actor=user)[:20]
    return {
        "enterprise": {
            "name": user.enterprise,
            "cases": restrict(ApplicationCase.objects.all(), user, "registries.view").count(),
            "products": restrict(IndustryProduct.objects.all(), user, "registries.view").count(),
            "bloom": restrict(BloomCupEntry.objects.all(), user, "registries.view").count(),
            "crypto": restrict(CryptoAssessment.objects.all(), user, "security.view").count(),
            "drafts": restrict(Assessment.objects.all(), user, "security.view")
            .filter(status=AssessmentStatus.DRAFT)
            .count(),
            "risks": [(risk, is_overdue(risk, today)) for risk in risks],
        }
    }

"""The arithmetic of the security assessment (Yangfan's rules, not the plan's: the plan asks for risk assessment
built into every application's life cycle and leaves the method to the office).

- A risk's level comes from a 5 × 5 matrix of likelihood × impact: 15 and above is high (高), 8 to 14 medium (中),
  below 8 low (低) — the usual reading of GB/T 20984-2022's risk matrix.
- An assessment's score is the weighted share of the applicable questions met (a question partly met counts half),
  out of 100; a questionnaire all of whose questions are "not applicable" has no score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

HIGH_FROM = 15
MEDIUM_FROM = 8
# what an answer earns of its question's weight; "na" (不适用) leaves the question out
CREDIT = {"met": Decimal(1), "partly": Decimal("0.5"), "not_met": Decimal(0)}


def risk_level(likelihood: int, impact: int) -> str:
    """``"high"``, ``"medium"`` or ``"low"`` for a likelihood and an impact of 1–5."""
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if not 1 <= value <= 5:
            raise ValueError(f"{name} must be 1–5, not {value}")
    product = likelihood * impact
    if product >= HIGH_FROM:
        return "high"
    if product >= MEDIUM_FROM:
        return "medium"
    return "low"


def assessment_score(answers: Iterable[tuple[int, str]]) -> Decimal | None:
    """The score (0–100, one decimal) of ``(weight, answer)`` pairs; ``None`` when no question applies."""
    earned = total = Decimal(0)
    for weight, answer in answers:
        if answer not in CREDIT:
            if answer != "na":
                raise ValueError(f"unknown answer {answer!r}")
            continue
        earned += CREDIT[answer] * weight
        total += weight
    if not total:
        return None
    return (earned * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``, with the percentage (``None`` when the whole is nothing)."""

    part: int
    whole: int

    @property
    def percent(self) -> Decimal | None:
        if not self.whole:
            return None
        return (Decimal(self.part) * 100 / self.whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def median_days(spans: Iterable[int]) -> Decimal | None:
    """The median of day counts (``None`` for none)."""
    days = list(spans)
    if not days:
        return None
    return Decimal(str(median(days))).quantize(Decimal("0.1"))

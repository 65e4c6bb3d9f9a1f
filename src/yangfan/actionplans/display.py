"""The plan's words as the reader's language shows them.

The plan file is written in Chinese; what it names (an indicator, a data set, an operator …) stays as written
unless the file itself gives an English name (``name_en``), which an English page then shows. Its units of
measure come from a small fixed vocabulary (户, 个, 家, 人, %, GB) and are translated like any other word of the
interface. Stored documents (reports, notices, exports meant to be read back) keep the plan's own words.
"""

from __future__ import annotations

from django.utils import translation

from yangfan.actionplans.choices import AssessmentStatus, MeasureUnit


def chinese() -> bool:
    """Is the active language Chinese (the plan's own, and the default)?"""
    return (translation.get_language() or "zh-hans").lower().startswith("zh")


def localized_name(element) -> str:
    """``element.name``, or its ``name_en`` on a page in another language when the plan file gives one.

    ``element`` is any plan element, stored or as the core reads it (both carry ``name`` and ``name_en``)."""
    name_en = getattr(element, "name_en", "") or ""
    return element.name if chinese() or not name_en else name_en


def unit_label(unit: str | None) -> str:
    """A unit of measure in the reader's language (户 → subscribers); one outside the vocabulary as written."""
    if not unit:
        return ""
    try:
        return str(MeasureUnit(unit).label)
    except ValueError:
        return unit


def status_label(code: str) -> str:
    """The label of an assessment status (``yangfan.core.targets.Status``): achieved → 已达标 / Target met.
    A status this version does not know is shown as it comes."""
    try:
        return str(AssessmentStatus(code).label)
    except ValueError:
        return code


def listing(items) -> str:
    """Items one after the other as the reader's language lists them: 甲、乙、丙 / A, B, C."""
    return ("、" if chinese() else ", ").join(str(item) for item in items)

from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    """How far a qualitative goal is reached (评估结论). The values are stored and published: never rename one."""

    ACHIEVED = "achieved", _("已实现")
    LARGELY = "largely", _("基本实现")
    PARTLY = "partly", _("部分实现")
    NOT_ACHIEVED = "not_achieved", _("未实现")
    UNDETERMINED = "undetermined", _("无法判断")


class VerdictStatus(models.TextChoices):
    """A verdict is written as a draft, published, and superseded by the next publication (kept as history)."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被替代")


# the dashboard's and the pages' colour of each conclusion, as the indicators' statuses are coloured
TONES = {
    Verdict.ACHIEVED: "achieved",
    Verdict.LARGELY: "on_track",
    Verdict.PARTLY: "at_risk",
    Verdict.NOT_ACHIEVED: "off_track",
    Verdict.UNDETERMINED: "unknown",
}

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LifeStage(models.TextChoices):
    """The stages of an application's life cycle at which it is assessed (四.(三) 8 构建5G应用全生命周期安全管理机制:
    同步规划建设运行)."""

    PLANNING = "planning", _("规划")
    DEVELOPMENT = "development", _("研发")
    DEPLOYMENT = "deployment", _("部署")
    OPERATION = "operation", _("运行")
    CHANGE = "change", _("变更")
    RETIREMENT = "retirement", pgettext_lazy("生命周期阶段", "退出")  # not the 退出 (log out) of the top bar


class AssessmentKind(models.TextChoices):
    """专栏4: 支撑开展5G应用安全自评估和第三方评估."""

    SELF = "self", _("自评估")
    THIRD_PARTY = "third_party", _("第三方评估")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class Area(models.TextChoices):
    """The areas the questionnaire's questions are grouped by."""

    NETWORK = "network", _("网络与切片")
    MEC = "mec", _("边缘计算（MEC）")
    TERMINAL = "terminal", _("终端与模组")
    DATA = "data", _("数据安全与个人信息保护")
    IDENTITY = "identity", _("身份与访问控制")
    CRYPTO = "crypto", _("商用密码")
    OPERATIONS = "operations", _("运行维护与应急响应")


class Answer(models.TextChoices):
    """How far an application meets a question: fully, partly, not at all, or the question does not apply."""

    MET = "met", _("符合")
    PARTLY = "partly", _("部分符合")
    NOT_MET = "not_met", _("不符合")
    NOT_APPLICABLE = "na", _("不适用")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class RiskStatus(models.TextChoices):
    """A risk is open until remediated and confirmed at re-assessment (closed), or accepted by the office."""

    OPEN = "open", _("待整改")
    REMEDIATED = "remediated", _("已整改待复评")
    CLOSED = "closed", _("已关闭")
    ACCEPTED = "accepted", _("已接受")

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class SubmissionAction(models.TextChoices):
    SUBMIT = "submit", _("报送")
    WITHDRAW = "withdraw", _("撤回")
    APPROVE = "approve", _("审核通过")
    RETURN = "return", _("退回")
    UNLOCK = "unlock", _("解锁")


# Values of a data set for a unit and period may be written only while its submission is in one of these.
WRITABLE = frozenset({SubmissionStatus.DRAFT, SubmissionStatus.RETURNED})

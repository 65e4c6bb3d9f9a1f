from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueSource(models.TextChoices):
    FORM = "form", _("网页填报")
    IMPORT = "import", _("文件导入")
    API = "api", _("接口")
    PIPELINE = "pipeline", _("原始数据汇总")

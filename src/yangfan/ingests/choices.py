from django.db import models
from django.utils.translation import gettext_lazy as _


class IngestKind(models.TextChoices):
    """The raw file kinds of ``yangfan.pipeline.contracts`` (their codes are the command line's)."""

    BASE_STATIONS = "base-stations", _("基站清单")
    CELL_TRAFFIC = "cell-traffic", _("小区流量")
    IOT_SIMS = "iot-sims", _("物联网卡登记")
    SUBSCRIBERS = "subscribers", _("用户数")


class IngestEngine(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB"
    SPARK = "spark", "Apache Spark"


class IngestStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    PREVIEWED = "previewed", _("待确认")  # computed and compared: nothing written until someone confirms
    DONE = "done", _("已完成")
    DISCARDED = "discarded", _("已放弃")  # a preview nobody applied: nothing written
    REFUSED = "refused", _("已拒绝")  # too many rows broke the contract: nothing written
    FAILED = "failed", _("失败")  # a file could not be read, or the engine is missing


class FileRole(models.TextChoices):
    DATA = "data", _("数据文件")
    SITES = "sites", _("基站清单（定位小区）")
    KEPT = "kept", _("其他运营商的现行基站清单")

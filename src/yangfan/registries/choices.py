from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NetworkForm(models.TextChoices):
    """How an application case is connected (网络形态)."""

    PUBLIC = "public", _("5G公网")
    VPN = "vpn", _("行业虚拟专网")
    PRIVATE = "private", _("独立专网")


class CaseStage(models.TextChoices):
    PILOT = "pilot", _("试点")
    PRODUCTION = "production", _("商用部署")
    REPLICATED = "replicated", _("复制推广")


class VpnType(models.TextChoices):
    """行业虚拟专网的建设方式 as operators describe them; the plan does not list types."""

    SLICE = "slice", _("网络切片")
    LOCAL_BREAKOUT = "local_breakout", _("UPF下沉（本地分流）")
    HYBRID = "hybrid", _("混合组网")
    OTHER = "other", _("其他")


class CarrierKind(models.TextChoices):
    """Innovation carriers and infrastructure the plan counts or asks for. The value is the plan file's
    registry code where it has one, so that ``count(<code>)`` in a formula reads these entries."""

    INNOVATION_CENTRE = "innovation_centre", _("5G融合应用创新中心")
    INCUBATOR = "incubator", _("5G应用孵化器")
    MAKER_SPACE = "maker_space", _("众创空间")
    SECURITY_DEMO_CENTRE = "security_demo_centre", _("5G应用安全创新示范中心")
    COMMON_TECH_PLATFORM = "common_tech_platform", _("5G应用共性技术平台")
    IIOT_PLATFORM = "iiot_platform", _("工业互联网平台")
    IDENTIFICATION_NODE = "identification_secondary_node", _("行业标识解析二级节点")
    GIGABIT_CITY = "gigabit_city", _("双千兆城市")


class CallStatus(models.TextChoices):
    """A call for benchmark applications (标杆评选): drafted, open to applications, under review, published."""

    DRAFT = "draft", _("草拟")
    OPEN = "open", _("征集中")
    REVIEWING = "reviewing", _("评审中")
    PUBLISHED = "published", _("已公布")


class BloomCupAward(models.TextChoices):
    """What an entry of the “绽放杯”5G应用征集大赛 won, by the levels the contest publishes (the plan names none):
    the national final's prizes, a regional (provincial) round's, or none."""

    NATIONAL_FIRST = "national_first", _("全国一等奖")
    NATIONAL_SECOND = "national_second", _("全国二等奖")
    NATIONAL_THIRD = "national_third", _("全国三等奖")
    NATIONAL_EXCELLENT = "national_excellent", _("全国优秀奖")
    REGIONAL = "regional", _("区域赛（省赛）获奖")
    ENTERED = "entered", _("参赛未获奖")


class StandardLevel(models.TextChoices):
    """标准的层级 (《中华人民共和国标准化法》: 国家标准、行业标准、地方标准、团体标准、企业标准)."""

    NATIONAL = "national", _("国家标准")
    INDUSTRY = "industry", _("行业标准")
    LOCAL = "local", _("地方标准")
    GROUP = "group", _("团体标准")
    ENTERPRISE = "enterprise", _("企业标准")


class StandardStage(models.TextChoices):
    """Where a standard stands, in the order it gets there (立项 → 征求意见 → 报批 → 发布 → 实施)."""

    PROPOSED = "proposed", _("立项")
    CONSULTATION = "consultation", _("征求意见")
    SUBMITTED = "submitted", _("报批")
    PUBLISHED = "published", _("发布")
    IMPLEMENTED = "implemented", _("实施")


class ProductKind(models.TextChoices):
    """The kinds of product 专栏2 names: special base stations, modules, industry terminals, high-end equipment."""

    BASE_STATION = "base_station", _("行业专用5G基站")
    MODULE = "module", _("5G模组")
    TERMINAL = "terminal", _("5G行业终端")
    EQUIPMENT = "equipment", _("预置5G能力的高端装备")


class ProductStage(models.TextChoices):
    """How far a product has come (研制 → 测试 → 商用 → 规模应用)."""

    DEVELOPMENT = "development", _("研制")
    TESTING = "testing", _("测试")
    COMMERCIAL = "commercial", _("商用")
    SCALE = "scale", _("规模应用")


class CertificationKind(models.TextChoices):
    """测试评估认证 (专栏1 推动5G应用标准落地: 开展标准的测试、评估和认证; 四.(三) 10 安全评测和能力认证)."""

    TEST = "test", _("测试")
    EVALUATION = "evaluation", pgettext_lazy("测试评估认证", "评估")
    CERTIFICATION = "certification", _("认证")


class CertificationResult(models.TextChoices):
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")


class CryptoLevel(models.TextChoices):
    """The five levels of GB/T 39786-2021《信息安全技术 信息系统密码应用基本要求》 a system is assessed against."""

    LEVEL_1 = "1", _("第一级")
    LEVEL_2 = "2", _("第二级")
    LEVEL_3 = "3", _("第三级")
    LEVEL_4 = "4", _("第四级")
    LEVEL_5 = "5", _("第五级")


class CryptoResult(models.TextChoices):
    """The conclusion of a 商用密码应用安全性评估 (密评) report: 符合, 基本符合, 不符合."""

    COMPLIANT = "compliant", _("符合")
    BASICALLY = "basically", _("基本符合")
    NON_COMPLIANT = "non_compliant", _("不符合")


class InspectionTarget(models.TextChoices):
    """What a 监督检查 (四.(三) 8: 做好5G应用及关键信息基础设施监督检查) inspects."""

    APPLICATION = "application", _("5G应用")
    CII = "cii", _("关键信息基础设施")


class Severity(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")

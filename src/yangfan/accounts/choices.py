from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of DESIGN.md. The values are the names the command line uses."""

    ADMIN = "admin", _("系统管理员")
    AUDITOR = "auditor", _("安全审计员")
    PROVINCE = "province", _("省级管理员")
    DEPARTMENT = "department", _("部门填报员")
    CITY_REPORTER = "city-reporter", _("市级填报员")
    CITY_REVIEWER = "city-reviewer", _("市级审核员")
    # 市5G应用推广领导小组办公室 (the plan's 五.(一): 省、市两级领导小组): a city's office for its own city
    CITY_OFFICE = "city-office", _("市级管理员")
    OPERATOR = "operator", _("运营商填报员")
    VIEWER = "viewer", _("只读")
    EXPERT = "expert", _("评审专家")
    # an enterprise of the supplier directory or the owner of application cases (应用企业): its own cases,
    # products, “绽放杯” entries and security self-assessments, nothing of any other enterprise
    ENTERPRISE = "enterprise", _("企业用户")

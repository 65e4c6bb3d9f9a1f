"""5G应用标准 (专栏1): a standard's stage has its date and no later one, its dates run in order, a published one has a
code written as its level numbers them; refused entries and import rows change nothing; the counts read what the
database holds."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from yangfan.actionplans.models import Sector
from yangfan.orgunits.models import OrgUnit
from yangfan.registries.choices import StandardLevel, StandardStage
from yangfan.registries.exchange import registry_export, registry_import
from yangfan.registries.models import Standard
from yangfan.registries.services import entry_save


@pytest.fixture
def province(make_user):
    return make_user("province")


def standard(**values) -> Standard:
    base = {
        "org_unit": OrgUnit.objects.get(code="610100"),
        "title": "5G智慧电力终端技术要求",
        "level": StandardLevel.LOCAL,
        "sector": Sector.objects.get(code="smart-power"),
        "stage": StandardStage.PUBLISHED,
        "code": "DB61/T 1500-2022",
        "proposed_on": date(2021, 6, 1),
        "published_on": date(2022, 9, 1),
    }
    return Standard(**(base | values))


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"code": "YD/T 1500-2022"}, "code", "不符合地方标准的编号格式，应写作 DB61/T 1234-2021"),
        ({"level": StandardLevel.NATIONAL, "code": "GB 1500"}, "code", "国家标准"),
        ({"code": ""}, "code", "已发布的标准须填写标准编号"),
        ({"published_on": None}, "published_on", "须填写发布日期"),
        (
            {"stage": StandardStage.SUBMITTED, "code": "", "submitted_on": date(2022, 3, 1)},
            "published_on",
            "不应填写发布日期",
        ),
        ({"consultation_on": date(2023, 1, 1)}, "published_on", "发布日期不应早于征求意见日期"),
    ],
)
def test_a_standard_that_contradicts_itself_is_refused_naming_the_field(db, province, values, field, message):
    before = Standard.objects.count()
    with pytest.raises(ValidationError) as caught:
        entry_save(actor=province, entry=standard(**values))
    assert field in caught.value.message_dict and message in " ".join(caught.value.message_dict[field])
    assert Standard.objects.count() == before


@pytest.mark.parametrize(
    ("level", "code"),
    [
        (StandardLevel.NATIONAL, "GB/T 39786-2021"),
        (StandardLevel.INDUSTRY, "YD/T 3615-2019"),
        (StandardLevel.LOCAL, "DB61/T 1234-2021"),
        (StandardLevel.GROUP, "T/CCSA 123-2021"),
        (StandardLevel.ENTERPRISE, "Q/SXYD 001-2021"),
    ],
)
def test_codes_as_each_level_numbers_them_are_accepted(db, province, level, code):
    saved = entry_save(actor=province, entry=standard(level=level, code=f" {code} "))
    assert saved.code == code


def test_an_import_with_a_bad_row_writes_nothing_and_names_the_row(db, province):
    entry_save(actor=province, entry=standard())
    content = registry_export("standards", Standard.objects.all(), "csv").decode("utf-8-sig")
    lines = content.splitlines()
    bad = lines[1].replace("DB61/T 1500-2022", "DB61/T 1500").replace("5G智慧电力终端技术要求", "另一项标准")
    good = lines[1].replace("5G智慧电力终端技术要求", "第三项标准").replace("1500", "1501")
    before = Standard.objects.count()
    with pytest.raises(Exception) as caught:
        registry_import(
            slug="standards",
            content="\n".join([lines[0], good, bad]).encode("utf-8"),
            file="standards.csv",
            actor=province,
        )
    assert "第 3 行" in str(caught.value) and "标准编号" in str(caught.value)
    assert Standard.objects.count() == before


def test_standards_are_counted_once_published_and_until_withdrawn(client, make_user, province):
    from tests.api.conftest import Api

    entry_save(actor=province, entry=standard())
    entry_save(
        actor=province,
        entry=standard(
            title="草案",
            code="",
            stage=StandardStage.CONSULTATION,
            published_on=None,
            consultation_on=date(2022, 1, 1),
        ),
    )
    entry_save(
        actor=province,
        entry=standard(
            title="已废止",
            code="DB61/T 1400-2021",
            published_on=date(2021, 9, 1),
            withdrawn_on=date(2023, 5, 1),
        ),
    )
    viewer = Api(client, make_user("viewer"))

    def count(period):
        body = viewer.get("registry_counts", {"org": "610100", "period": period}).json()
        return {row["code"]: row["count"] for row in body["registries"]}["standard"]

    assert (count("2021"), count("2022"), count("2023")) == (1, 2, 1)

"""面向行业的5G产品 (专栏2): a product on the market has the day it got there and one in development has none; its
supplier cannot leave the directory under it; it counts from that day until withdrawn, as the database holds."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from tests.registries.test_exchange import credit_code

from yangfan.orgunits.models import OrgUnit
from yangfan.registries.choices import ProductKind, ProductStage
from yangfan.registries.models import IndustryProduct, Supplier
from yangfan.registries.services import entry_delete, entry_save


@pytest.fixture
def province(make_user):
    return make_user("province")


@pytest.fixture
def supplier(province):
    return entry_save(
        actor=province,
        entry=Supplier(
            org_unit=OrgUnit.objects.get(code="610100"),
            name="测试通信设备有限公司",
            credit_code=credit_code("610100", "70000009"),
            listed_on=date(2021, 3, 1),
        ),
    )


def product(supplier, **values) -> IndustryProduct:
    base = {
        "org_unit": OrgUnit.objects.get(code="610100"),
        "kind": ProductKind.TERMINAL,
        "name": "5G工业网关",
        "model_number": "GW-1",
        "supplier": supplier,
        "stage": ProductStage.COMMERCIAL,
        "started_on": date(2021, 6, 1),
        "commercial_on": date(2022, 3, 1),
    }
    return IndustryProduct(**(base | values))


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"commercial_on": None}, "commercial_on", "已商用的产品须填写商用日期"),
        ({"stage": ProductStage.TESTING}, "stage", "尚处于“测试”阶段，不应填写商用日期"),
        ({"commercial_on": date(2021, 1, 1)}, "commercial_on", "商用日期应晚于研制启动日期"),
    ],
)
def test_a_product_whose_stage_and_dates_disagree_is_refused(db, province, supplier, values, field, message):
    with pytest.raises(ValidationError) as caught:
        entry_save(actor=province, entry=product(supplier, **values))
    assert message in " ".join(caught.value.message_dict[field])
    assert not IndustryProduct.objects.exists()


def test_a_supplier_with_products_is_not_deleted(db, province, supplier):
    entry_save(actor=province, entry=product(supplier))
    with pytest.raises(ValidationError, match="名录中有该供应商的产品"):
        entry_delete(actor=province, entry=supplier)
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_products_count_once_on_the_market_until_withdrawn(client, make_user, province, supplier):
    from tests.api.conftest import Api

    entry_save(actor=province, entry=product(supplier))
    entry_save(
        actor=province,
        entry=product(supplier, name="样机", stage=ProductStage.DEVELOPMENT, commercial_on=None),
    )
    entry_save(
        actor=province,
        entry=product(supplier, name="旧网关", commercial_on=date(2021, 9, 1), retired_on=date(2023, 2, 1)),
    )
    viewer = Api(client, make_user("viewer"))

    def count(period):
        body = viewer.get("registry_counts", {"org": "610100", "period": period}).json()
        return {row["code"]: row["count"] for row in body["registries"]}["industry_product"]

    assert (count("2021"), count("2022"), count("2023")) == (1, 2, 1)

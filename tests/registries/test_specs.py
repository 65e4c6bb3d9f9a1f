"""Each registry is declared once (``registries.specs``): its form, its API serializer, its file columns and its
filters are made from the spec, the list page and the API filter alike, and no code outside the spec branches on
which registry it is handling."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from tests.conftest import login_as

import yangfan
from yangfan.api.registries import entry_serializer
from yangfan.registries.exchange import registry_columns
from yangfan.registries.forms import entry_form
from yangfan.registries.selectors import entry_list
from yangfan.registries.specs import SPECS


@pytest.mark.parametrize("slug", list(SPECS))
def test_the_form_the_file_and_the_api_take_the_specs_fields(slug):
    spec = SPECS[slug]
    assert list(entry_form(slug)._meta.fields) == list(spec.fields)
    assert [c.field for c in registry_columns(slug)] == list(spec.fields)
    writable = {name for name, f in entry_serializer(slug)().fields.items() if not f.read_only}
    assert writable == set(spec.fields)


@pytest.mark.parametrize("slug", list(SPECS))
def test_each_registry_names_the_permissions_it_is_read_and_written_with(slug):
    from yangfan.accounts.permissions import PERMISSIONS, SCOPED

    spec = SPECS[slug]
    assert SCOPED[spec.read] == "view" and SCOPED[spec.write] == "capture"
    assert PERMISSIONS[spec.write] <= PERMISSIONS[spec.read] | {"enterprise"}  # who writes also reads
    model = spec.model._meta
    for name, _title, *read in spec.shown_with:
        related = model.get_field(name).related_model
        assert read or related in {s.model for s in SPECS.values()}, (
            "another app's records name their permission"
        )
    if spec.counted is None:  # kept, not counted by the plan: the security records
        assert spec.read.startswith("security.") or spec.slug in ("security-bodies", "certifications")


@pytest.fixture
def demo_registries(db, make_user):
    from yangfan.registries.demo import demo_registries_load

    province = make_user("province")
    demo_registries_load(actor=province)
    return province


def _page_ids(client, slug: str, query: dict) -> set[int]:
    response = client.get(reverse("registries:list", kwargs={"slug": slug}), {**query, "page": 1})
    assert response.status_code == 200
    assert response.context["total"] <= 100, "a filter's rows should fit on one page here"
    return {row["entry"].pk for row in response.context["rows"]}


def _api_ids(client, slug: str, query: dict) -> set[int]:
    response = client.get(f"/api/v1/registries/{slug}/", query)
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None, "a filter's rows should fit on one page here"
    return {row["id"] for row in body["results"]}


def test_every_filter_on_the_page_is_drawn_and_narrows_the_page_and_the_api_alike(demo_registries):
    client = Client()
    login_as(client, demo_registries)
    narrowed = 0
    for slug, spec in SPECS.items():
        everything = set(entry_list(actor=demo_registries, slug=slug).values_list("pk", flat=True))
        html = client.get(reverse("registries:list", kwargs={"slug": slug})).content.decode()
        for each in spec.filters:
            assert (f'name="{each.param}"' in html) == each.on_page, (slug, each.param)
            if not each.options:
                continue
            seen: list[set[int]] = []
            for value, _label in each.options():
                query = {each.param: value}
                rows = set(
                    entry_list(actor=demo_registries, slug=slug, params=query).values_list("pk", flat=True)
                )
                assert rows <= everything
                assert _api_ids(client, slug, query) == rows, (slug, each.param, value)
                if len(rows) <= 100:
                    assert _page_ids(client, slug, query) == rows, (slug, each.param, value)
                seen.append(rows)
                narrowed += rows != everything
            if each.api_enum:  # a choice: its options part the entries, each entry under exactly one
                assert sum(len(s) for s in seen) == len(everything) == len(set().union(*seen)), (
                    slug,
                    each.param,
                )
    assert narrowed > 0


def _registry_slug_comparisons(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                if isinstance(operand, ast.Constant) and operand.value in SPECS:
                    found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_code_outside_the_specs_branches_on_a_registry():
    root = Path(yangfan.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        if path.name != "specs.py" and "migrations" not in path.parts:
            found += _registry_slug_comparisons(path)
    templates = root / "registries" / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: slug == {slug}" for slug in SPECS if f"slug == '{slug}'" in text]
        found += [f"{path.name}: slug == {slug}" for slug in SPECS if f'slug == "{slug}"' in text]
    assert found == []

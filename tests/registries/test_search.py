"""Searching the 5G application repository by Chinese words, pinyin initials or full pinyin."""

from __future__ import annotations

from datetime import date

import pytest

from yangfan.registries.search import search_filter, search_terms, searchable


def test_a_chinese_run_adds_its_initials_and_full_pinyin():
    terms = searchable("智慧矿山 西安").split()
    assert terms == ["智慧矿山", "西安", "zhks", "zhihuikuangshan", "xa", "xian"]


def test_latin_words_are_kept_lower_case_and_full_width_as_half_width():
    assert searchable("５Ｇ智慧矿山 UPF") == "5g智慧矿山 upf zhks zhihuikuangshan"


def test_terms_are_given_once():
    assert searchable("矿山 矿山 智慧矿山 矿山").split() == [
        "矿山",
        "智慧矿山",
        "ks",
        "kuangshan",
        "zhks",
        "zhihuikuangshan",
    ]


def test_runs_are_split_at_punctuation_and_u_umlaut_is_typed_v():
    assert searchable("绿色矿山，智能工厂").split()[1:] == [
        "lsks",
        "lvsekuangshan",
        "zngc",
        "zhinenggongchang",
    ]


def test_empty_text_is_empty():
    assert searchable("") == ""
    assert search_terms("  ") == []


@pytest.fixture
def cases(db):
    from yangfan.actionplans.models import Sector
    from yangfan.orgunits.models import OrgUnit
    from yangfan.registries.choices import CaseStage, NetworkForm
    from yangfan.registries.models import ApplicationCase
    from yangfan.registries.services import search_text_of

    unit = OrgUnit.objects.get(code="610100")
    sector = Sector.objects.get(code="smart-mining")
    made = {}
    for name, enterprise in [
        ("5G智慧矿山井下巡检", "陕煤集团"),
        ("5G远程掘进", "陕西榆林能源集团"),
        ("5G智慧电厂巡检", "大唐西安热电厂"),
    ]:
        case = ApplicationCase(
            org_unit=unit,
            sector=sector,
            name=name,
            enterprise=enterprise,
            network_form=NetworkForm.VPN,
            stage=CaseStage.PILOT,
            started_on=date(2023, 5, 1),
        )
        case.search_text = search_text_of(case)
        case.save()
        made[name] = case
    return made


def _found(query: str) -> set[str]:
    from yangfan.registries.models import ApplicationCase

    return set(search_filter(ApplicationCase.objects.all(), query).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("矿山", {"5G智慧矿山井下巡检"}),
        ("zhks", {"5G智慧矿山井下巡检"}),
        ("KuangShan", {"5G智慧矿山井下巡检"}),
        ("巡检", {"5G智慧矿山井下巡检", "5G智慧电厂巡检"}),
        ("xunjian zhdc", {"5G智慧电厂巡检"}),
        ("巡检 陕煤", {"5G智慧矿山井下巡检"}),
        ("智慧采矿", {"5G智慧矿山井下巡检", "5G远程掘进", "5G智慧电厂巡检"}),  # the sector's name
        ("５Ｇ 榆林", {"5G远程掘进"}),
        ("", {"5G智慧矿山井下巡检", "5G远程掘进", "5G智慧电厂巡检"}),
        ("矿山 榆林", set()),
    ],
)
def test_every_term_must_match_chinese_initials_or_pinyin(cases, query, names):
    assert _found(query) == names

"""The questionnaire's versions: Yangfan's default (扬帆默认) loaded as version 1 by the migration, exactly as the
YAML file gives it; a new version copies the latest into a draft; a draft is edited; publishing freezes it; new
assessments answer the latest published version. All of it the provincial office's."""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from tests.security.test_assessments import assess, make_case

from yangfan.audit.models import AuditEntry
from yangfan.security import services
from yangfan.security.choices import Area
from yangfan.security.models import Question, Questionnaire

YAML = Path(services.__file__).with_name("questionnaire-v1.yaml")
FIELDS = ("code", "area", "text", "weight", "evidence")


def _yaml() -> dict:
    return yaml.safe_load(YAML.read_text(encoding="utf-8"))


def _questions(questionnaire) -> list[tuple]:
    return list(questionnaire.questions.order_by("position", "code").values_list(*FIELDS))


def test_the_default_questionnaire_says_it_is_yangfans_not_the_plans():
    head = YAML.read_text(encoding="utf-8").split("\n\n")[0]
    assert "扬帆默认" in head and "不是《陕西省5G应用“扬帆”行动计划" in head
    data = _yaml()
    assert "扬帆默认" in data["title"] and "不是行动计划原文" in data["note"]


def test_the_default_questionnaire_covers_every_area_with_three_to_five_questions():
    data = _yaml()
    assert [group["area"] for group in data["areas"]] == list(Area.values)
    for group in data["areas"]:
        assert 3 <= len(group["questions"]) <= 5, group["area"]
        for question in group["questions"]:
            assert question["text"] and question["evidence"] and question["weight"] >= 1, question["code"]
    codes = [q["code"] for g in data["areas"] for q in g["questions"]]
    assert len(codes) == len(set(codes))
    text = YAML.read_text(encoding="utf-8")
    for practice in ("切片", "隔离", "分类分级", "GB/T 39786-2021", "应急预案", "多因素认证", "白名单"):
        assert practice in text


def test_version_1_is_loaded_published_as_the_file_gives_it(db):
    data = _yaml()
    v1 = Questionnaire.objects.get(version=1)
    assert v1.published_at is not None and v1.title == data["title"]
    per_area = Counter(v1.questions.values_list("area", flat=True))
    assert per_area == {g["area"]: len(g["questions"]) for g in data["areas"]}
    expected = [
        (q["code"], g["area"], q["text"], q["weight"], q["evidence"])
        for g in data["areas"]
        for q in g["questions"]
    ]
    assert _questions(v1) == expected


def test_the_migration_refuses_a_file_with_an_unknown_area_or_a_repeated_code(tmp_path):
    migration = importlib.import_module("yangfan.security.migrations.0002_questionnaire_v1")
    data = _yaml()
    data["areas"][0]["area"] = "physical"
    bad = tmp_path / "q.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown area 'physical'"):
        migration.read_questionnaire(bad)
    data = _yaml()
    data["areas"][1]["questions"][0]["code"] = data["areas"][0]["questions"][0]["code"]
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="repeated"):
        migration.read_questionnaire(bad)


def test_a_new_version_copies_the_latest_into_a_draft(client_for):
    client = client_for("province")
    response = client.post(reverse("security:questionnaire_new"))
    draft = Questionnaire.objects.get(version=2)
    assert response["Location"] == reverse("security:questionnaire_edit", kwargs={"version": 2})
    assert draft.published_at is None and draft.title == Questionnaire.objects.get(version=1).title
    assert _questions(draft) == _questions(Questionnaire.objects.get(version=1))
    assert AuditEntry.objects.filter(action="create", object_type="security.questionnaire").count() == 1
    # one draft at a time
    response = client.post(reverse("security:questionnaire_new"), follow=True)
    assert "第2版仍是草稿" in response.content.decode()
    assert Questionnaire.objects.count() == 2


def test_a_draft_is_edited_question_by_question(client_for):
    client = client_for("province")
    client.post(reverse("security:questionnaire_new"))
    draft = Questionnaire.objects.get(version=2)
    rows = list(draft.questions.order_by("position", "code"))
    url = reverse("security:questionnaire_edit", kwargs={"version": 2})
    assert client.get(url).status_code == 200
    data = {
        "head-title": "5G应用安全评估问卷（2024年修订）",
        "head-note": draft.note,
        "q-TOTAL_FORMS": str(len(rows) + 1),
        "q-INITIAL_FORMS": str(len(rows)),
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "1000",
    }
    for i, q in enumerate(rows):
        data.update(
            {
                f"q-{i}-id": str(q.pk),
                f"q-{i}-position": str(q.position),
                f"q-{i}-code": q.code,
                f"q-{i}-area": q.area,
                f"q-{i}-text": q.text,
                f"q-{i}-weight": str(q.weight),
                f"q-{i}-evidence": q.evidence,
            }
        )
    data["q-0-weight"] = "5"  # NS-01 weighs more
    data["q-1-DELETE"] = "on"  # NS-02 removed
    new = len(rows)
    data.update(
        {
            f"q-{new}-position": "99",
            f"q-{new}-code": "OM-06",
            f"q-{new}-area": "operations",
            f"q-{new}-text": "供应链安全：关键软硬件供应商经过安全评估。",
            f"q-{new}-weight": "2",
            f"q-{new}-evidence": "供应商安全评估记录",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    codes = dict(draft.questions.values_list("code", "weight"))
    assert codes[rows[0].code] == 5 and rows[1].code not in codes and codes["OM-06"] == 2
    assert draft.title == "5G应用安全评估问卷（2024年修订）"
    assert _questions(Questionnaire.objects.get(version=1))[1][0] == rows[1].code  # version 1 untouched
    for action in ("update", "delete", "create"):
        assert AuditEntry.objects.filter(action=action, object_type="security.question").count() == 1
    # a code twice in one version is refused, naming it, and nothing changes
    data.update({f"q-{new}-code": rows[2].code})
    response = client.post(url, data)
    assert response.status_code == 400 and f"编号 {rows[2].code} 在本版本中重复" in response.content.decode()
    assert "OM-06" in dict(draft.questions.values_list("code", "weight"))


def test_publishing_freezes_the_version(client_for, make_user):
    client = client_for("province")
    office = make_user("province", username="office-2")
    draft = services.questionnaire_draft_create(actor=office)
    question = draft.questions.first()
    response = client.post(reverse("security:questionnaire_publish", kwargs={"version": draft.version}))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is not None and draft.published_by.username == "u-province"
    with pytest.raises(ValidationError, match=r"已于.*发布，不能再修改"):
        question.weight = 9
        services.questionnaire_edit(actor=office, questionnaire=draft, title="改名", questions=[question])
    with pytest.raises(ValidationError, match=r"已于.*发布，不能再修改"):
        services.questionnaire_publish(actor=office, questionnaire=draft)
    edit = reverse("security:questionnaire_edit", kwargs={"version": draft.version})
    response = client.get(edit, follow=True)
    assert "第2版问卷已发布，不能再修改" in response.content.decode()
    assert client.post(edit, {"head-title": "改名"})["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.title != "改名" and Question.objects.get(pk=question.pk).weight != 9


def test_new_assessments_answer_the_latest_published_version(make_user):
    office = make_user("province")
    case = make_case()
    assert assess(office, case).questionnaire.version == 1
    draft = services.questionnaire_draft_create(actor=office)
    assert assess(office, case).questionnaire.version == 1  # a draft is not answered
    services.questionnaire_publish(actor=office, questionnaire=draft)
    assert assess(office, case).questionnaire.version == 2
    v1 = Questionnaire.objects.get(version=1)
    assert v1.assessments.count() == 2 and draft.assessments.count() == 1


def test_a_version_without_questions_cannot_be_published(make_user):
    office = make_user("province")
    draft = services.questionnaire_draft_create(actor=office)
    services.questionnaire_edit(
        actor=office, questionnaire=draft, title=draft.title, removed=list(draft.questions.all())
    )
    with pytest.raises(ValidationError, match="还没有问题"):
        services.questionnaire_publish(actor=office, questionnaire=draft)


def test_the_version_pages_show_questions_by_area_with_weight_and_evidence(client_for, make_user):
    client = client_for("province")
    assess(make_user("province", username="office-2"), make_case())
    listing = client.get(reverse("security:questionnaires")).content.decode()
    v1 = Questionnaire.objects.get(version=1)
    count = v1.questions.count()
    assert f'<td class="num">{count}</td><td class="num">1</td>' in listing  # questions, assessments made
    page = client.get(v1.get_absolute_url()).content.decode()
    for label in Area.labels:
        assert str(label) in page
    ns02 = v1.questions.get(code="NS-02")
    assert ns02.text in page and ns02.evidence in page and f'<td class="num">{ns02.weight}</td>' in page


@pytest.mark.parametrize("role", ["city-office", "enterprise", "auditor", "viewer"])
def test_versions_are_the_provincial_offices(client_for, make_user, role):
    client = client_for(role)
    assert client.get(reverse("security:questionnaires")).status_code == 403
    assert client.get(reverse("security:questionnaire", kwargs={"version": 1})).status_code == 403
    assert client.post(reverse("security:questionnaire_new")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.questionnaire_draft_create(actor=make_user(role, username=f"{role}-2"))
    assert Questionnaire.objects.count() == 1

"""Security assessments (四.(三) 8, 专栏4): filed on an application the writer may assess (an enterprise its own
only), self or by a registered body able to assess, answered against the latest published questionnaire, submitted
with the score the core computes, read within each reader's scope, a page at a time.

The builders here are shared by the questionnaire and risk tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.conftest import ENTERPRISE

from yangfan.audit.models import AuditEntry
from yangfan.core.security import assessment_score
from yangfan.security import services
from yangfan.security.models import Assessment, AssessmentAnswer, Question

OTHER_ENTERPRISE = "渭水智造股份有限公司（测试）"
DAY = date(2023, 6, 1)


# -- builders --------------------------------------------------------------------------------------------------------


def unit(code: str):
    from yangfan.orgunits.models import OrgUnit

    return OrgUnit.objects.get(code=code)


def make_case(org: str = "610116", *, enterprise: str = ENTERPRISE, sector: str = "smart-power", name=None):
    """An application case of ``enterprise`` at ``org`` (长安区, in 西安, by default)."""
    from yangfan.actionplans.models import Sector
    from yangfan.registries.models import ApplicationCase

    return ApplicationCase.objects.create(
        org_unit=unit(org),
        name=name or f"测试应用{ApplicationCase.objects.count() + 1}",
        sector=Sector.objects.filter(code=sector).order_by("plan_id").first(),
        enterprise=enterprise,
        network_form="public",
        stage="production",
        started_on=date(2022, 3, 1),
    )


def make_body(*, does_assessment: bool = True, retired_on=None, name: str = "陕西测评中心（测试）"):
    """An evaluation body of the registry (able to assess 5G applications unless told otherwise)."""
    from yangfan.registries.models import EvaluationBody

    return EvaluationBody.objects.create(
        org_unit=unit("610100"),
        name=name,
        does_assessment=does_assessment,
        does_testing=not does_assessment,
        recognised_on=date(2021, 1, 1),
        retired_on=retired_on,
    )


def assess(actor, case, *, kind: str = "self", body=None, stage: str = "operation", on: date = DAY):
    return services.assessment_create(
        actor=actor, case=case, stage=stage, kind=kind, body=body, assessed_on=on
    )


def answer(actor, assessment, answers: dict[str, str]):
    """Answers by question code (``{"NS-01": "met"}``)."""
    questions = dict(
        Question.objects.filter(questionnaire=assessment.questionnaire).values_list("code", "pk")
    )
    return services.assessment_answers_save(
        actor=actor,
        assessment=assessment,
        answers={
            questions[code]: services.AnswerInput(answer=a, evidence="见附件" if a else "")
            for code, a in answers.items()
        },
    )


def answer_all(actor, assessment, pattern=("met", "partly", "not_met", "na")):
    """Every question answered, cycling through ``pattern``."""
    codes = Question.objects.filter(questionnaire=assessment.questionnaire).order_by("position", "code")
    answer(actor, assessment, {q.code: pattern[i % len(pattern)] for i, q in enumerate(codes)})


# -- filing an assessment ---------------------------------------------------------------------------------------------


def test_an_enterprise_assesses_its_own_application(client_for):
    client = client_for("enterprise")
    case = make_case()
    response = client.post(
        reverse("security:assessment_new"),
        {"case": case.pk, "stage": "deployment", "kind": "self", "assessed_on": "2023-06-01"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Assessment.objects.get()
    assert response["Location"] == reverse("security:assessment_answers", kwargs={"pk": made.pk})
    assert (made.case, made.org_unit.code, made.status, made.stage) == (case, "610116", "draft", "deployment")
    assert made.questionnaire.version == 1 and made.questionnaire.published_at is not None
    assert AuditEntry.objects.filter(action="create", object_type="security.assessment").count() == 1


def test_an_enterprise_may_not_assess_another_enterprises_application(client_for, make_user):
    client = client_for("enterprise")
    theirs = make_case(enterprise=OTHER_ENTERPRISE)
    response = client.post(
        reverse("security:assessment_new"),
        {"case": theirs.pk, "stage": "operation", "kind": "self", "assessed_on": "2023-06-01"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "应用案例：所选案例不存在或不在您可以评估的范围内" in page
    assert not Assessment.objects.exists()
    # the service refuses it too (the API and the command line), and the refusal is in the audit trail
    before = AuditEntry.objects.filter(action="permission_denied").count()
    with pytest.raises(PermissionDenied):
        assess(make_user("enterprise", username="ent-2"), theirs)
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 1
    assert not Assessment.objects.exists()


def test_offices_assess_the_applications_of_their_scope_only(make_user):
    xian_case, baoji_case = make_case("610116"), make_case("610302", enterprise=OTHER_ENTERPRISE)
    baoji_office = make_user("city-office")
    assert assess(baoji_office, baoji_case).org_unit.code == "610302"
    with pytest.raises(PermissionDenied):
        assess(baoji_office, xian_case)
    assert assess(make_user("province"), xian_case).org_unit.code == "610116"
    for role in ("auditor", "viewer", "city-reporter"):
        with pytest.raises(PermissionDenied):
            assess(make_user(role), xian_case)
    assert Assessment.objects.count() == 2


def test_a_third_party_assessment_needs_a_body_able_to_assess(make_user, client_for):
    province, case = make_user("province", username="office-2"), make_case()
    with pytest.raises(ValidationError) as refused:
        assess(province, case, kind="third_party")
    assert "body" in refused.value.message_dict
    testing_only = make_body(does_assessment=False, name="检测所（测试）")
    with pytest.raises(ValidationError, match="未登记5G应用安全评估能力"):
        assess(province, case, kind="third_party", body=testing_only)
    retired = make_body(retired_on=date(2023, 1, 1), name="已注销机构（测试）")
    with pytest.raises(ValidationError, match="已于2023-01-01注销"):
        assess(province, case, kind="third_party", body=retired)
    able = make_body()
    with pytest.raises(ValidationError, match="自评估"):
        assess(province, case, kind="self", body=able)
    assert not Assessment.objects.exists()
    made = assess(province, case, kind="third_party", body=able)
    assert made.body == able and made.get_kind_display() == "第三方评估"
    # the form offers only the bodies able to assess and not retired
    page = client_for("province").get(reverse("security:assessment_new")).content.decode()
    assert able.name in page and testing_only.name not in page and retired.name not in page
    response = client_for("city-office").post(
        reverse("security:assessment_new"),
        {
            "case": make_case("610302").pk,
            "stage": "operation",
            "kind": "third_party",
            "body": testing_only.pk,
            "assessed_on": "2023-06-01",
        },
    )
    assert response.status_code == 400 and "评估机构：只能选择已登记5G应用安全评估能力且未注销的机构" in (
        response.content.decode()
    )


# -- answering and submitting --------------------------------------------------------------------------------------------


def test_submitting_computes_the_score_the_core_gives_for_the_stored_answers(make_user):
    enterprise = make_user("enterprise")
    assessment = assess(enterprise, make_case())
    answer_all(enterprise, assessment)
    submitted = services.assessment_submit(actor=enterprise, assessment=assessment)
    stored = AssessmentAnswer.objects.filter(assessment=assessment).values_list("question__weight", "answer")
    assert submitted.score == assessment_score(stored) and submitted.score is not None
    assert Assessment.objects.get(pk=assessment.pk).status == "submitted"
    assert AuditEntry.objects.filter(action="submit", object_type="security.assessment").count() == 1
    # read-only afterwards
    with pytest.raises(ValidationError, match="已提交"):
        answer(enterprise, assessment, {"NS-01": "not_met"})
    with pytest.raises(ValidationError, match="已提交"):
        services.assessment_submit(actor=enterprise, assessment=assessment)


def test_every_question_must_be_answered_before_submitting(make_user):
    enterprise = make_user("enterprise")
    assessment = assess(enterprise, make_case())
    answer_all(enterprise, assessment)
    answer(enterprise, assessment, {"MEC-02": "", "CR-03": ""})  # taken back
    with pytest.raises(ValidationError, match="还有 2 个问题未答复：MEC-02、CR-03"):
        services.assessment_submit(actor=enterprise, assessment=assessment)
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"


def test_all_not_applicable_has_no_score(make_user):
    office = make_user("province")
    assessment = assess(office, make_case())
    answer_all(office, assessment, pattern=("na",))
    assert services.assessment_submit(actor=office, assessment=assessment).score is None


def test_evidence_without_an_answer_is_refused_by_name(make_user):
    enterprise = make_user("enterprise")
    assessment = assess(enterprise, make_case())
    question = Question.objects.get(questionnaire=assessment.questionnaire, code="DS-01")
    with pytest.raises(ValidationError, match="请为 DS-01 选择符合情况"):
        services.assessment_answers_save(
            actor=enterprise,
            assessment=assessment,
            answers={question.pk: services.AnswerInput(answer="", evidence="数据目录v2")},
        )
    assert not AssessmentAnswer.objects.exists()


def test_the_answer_page_saves_a_draft_and_submits(client_for):
    client = client_for("enterprise")
    from yangfan.accounts.models import User

    enterprise = User.objects.get(username="u-enterprise")
    assessment = assess(enterprise, make_case())
    url = reverse("security:assessment_answers", kwargs={"pk": assessment.pk})
    page = client.get(url).content.decode()
    for area in (
        "网络与切片",
        "边缘计算（MEC）",
        "终端与模组",
        "数据安全与个人信息保护",
        "身份与访问控制",
        "商用密码",
        "运行维护与应急响应",
    ):
        assert area in page
    questions = list(Question.objects.filter(questionnaire=assessment.questionnaire))
    first = {f"a-{questions[0].pk}": "met", f"e-{questions[0].pk}": "架构图.pdf"}
    assert client.post(url, first).status_code == 302
    assert AssessmentAnswer.objects.get(assessment=assessment).evidence == "架构图.pdf"
    # submitting with questions unanswered keeps the draft and names what is missing
    response = client.post(url, {**first, "submit": "1"}, follow=True)
    assert "未能提交" in response.content.decode() and questions[1].code in response.content.decode()
    everything = {f"a-{q.pk}": "met" for q in questions}
    response = client.post(url, {**everything, "submit": "1"})
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
    done = Assessment.objects.get(pk=assessment.pk)
    assert done.status == "submitted" and done.score == 100
    # read-only: the answer page sends the reader back to the assessment
    assert client.get(url)["Location"] == assessment.get_absolute_url()
    assert client.post(url, {f"a-{questions[0].pk}": "not_met"}).status_code == 302
    assert AssessmentAnswer.objects.get(assessment=assessment, question=questions[0]).answer == "met"


def test_the_submit_button_names_the_unanswered_codes(client_for, make_user):
    client = client_for("province")
    assessment = assess(make_user("province", username="office-2"), make_case())
    response = client.post(reverse("security:assessment_submit", kwargs={"pk": assessment.pk}), follow=True)
    count = Question.objects.filter(questionnaire=assessment.questionnaire).count()
    assert f"还有 {count} 个问题未答复：NS-01、NS-02、NS-03" in response.content.decode()


# -- reading -------------------------------------------------------------------------------------------------------------


def test_the_assessment_page_shows_answers_score_risks_and_the_application(client_for, make_user):
    office = make_user("province", username="office-2")
    case = make_case()
    assessment = assess(office, case)
    answer_all(office, assessment, pattern=("met", "not_met"))
    services.assessment_submit(actor=office, assessment=assessment)
    services.risk_create(
        actor=office,
        assessment=assessment,
        title="切片未隔离",
        likelihood=4,
        impact=4,
        owner="张工",
        remediation="改用专用切片",
        deadline=DAY + timedelta(days=60),
    )
    assessment.refresh_from_db()
    page = client_for("enterprise").get(assessment.get_absolute_url()).content.decode()
    assert str(assessment.score) in page and "切片未隔离" in page and "NS-01" in page
    assert case.get_absolute_url() in page  # the enterprise reads its case in the registry
    auditor_page = client_for("auditor").get(assessment.get_absolute_url())
    assert auditor_page.status_code == 200 and case.get_absolute_url() not in auditor_page.content.decode()


def test_readers_see_the_assessments_of_their_scope(client_for, make_user):
    office = make_user("province", username="office-2")
    xian = assess(office, make_case("610116"))  # the test enterprise's
    baoji = assess(office, make_case("610302", enterprise=OTHER_ENTERPRISE))
    other_in_xian = assess(office, make_case("610102", enterprise=OTHER_ENTERPRISE))
    clients = {role: client_for(role) for role in ("province", "auditor", "city-office", "enterprise")}
    seen = {
        role: {int(pk) for pk in _rows(client.get(reverse("security:assessments")).content.decode())}
        for role, client in clients.items()
    }
    assert seen["province"] == seen["auditor"] == {xian.pk, baoji.pk, other_in_xian.pk}
    assert seen["city-office"] == {baoji.pk}
    assert seen["enterprise"] == {xian.pk}
    assert clients["city-office"].get(xian.get_absolute_url()).status_code == 403
    assert clients["enterprise"].get(other_in_xian.get_absolute_url()).status_code == 403
    assert clients["province"].get(baoji.get_absolute_url()).status_code == 200


def _rows(page: str) -> list[str]:
    import re

    return re.findall(r'data-assessment="(\d+)"', page)


def test_the_list_filters_by_stage_kind_status_city_and_sector(client_for, make_user):
    office = make_user("province", username="office-2")
    body = make_body()
    a = assess(office, make_case("610116", sector="smart-power"), stage="planning")
    b = assess(office, make_case("610302", sector="industrial-internet"), kind="third_party", body=body)
    answer_all(office, b)
    services.assessment_submit(actor=office, assessment=b)
    client = client_for("province")

    def listed(query: str) -> set[int]:
        return {int(pk) for pk in _rows(client.get(reverse("security:assessments") + query).content.decode())}

    assert listed("") == {a.pk, b.pk}
    assert listed("?stage=planning") == {a.pk}
    assert listed("?kind=third_party") == {b.pk}
    assert listed("?status=submitted") == {b.pk}
    assert listed("?city=610100") == {a.pk} and listed("?city=宝鸡市") == {b.pk}
    assert listed("?sector=industrial-internet") == {b.pk}
    response = client.get(reverse("security:assessments") + "?city=610999", follow=True)
    assert "未知地区“610999”" in response.content.decode()


def test_the_list_reads_only_the_page_shown(client_for, make_user, settings):
    """The list costs the same number of queries with 3 assessments as with 60 (two pages): the rows of the page
    are read with everything they show in one query."""
    from yangfan.security.views import assessments as views

    office = make_user("province", username="office-2")
    client = client_for("enterprise")
    for _ in range(3):
        assess(office, make_case())
    client.get(reverse("security:assessments"))  # the session and the scope warmed up
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("security:assessments")).status_code == 200
    for _ in range(views.PAGE + 7):
        assess(office, make_case())
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("security:assessments")).content.decode()
    assert len(_rows(page)) == views.PAGE and "1 / 2" in page
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(_rows(client.get(reverse("security:assessments") + "?page=2").content.decode())) == 10


@pytest.mark.parametrize("role", ["city-reporter", "viewer", "department", "operator", "expert", "admin"])
def test_roles_without_security_get_403(client_for, make_user, role):
    assessment = assess(make_user("province", username="office-2"), make_case())
    client = client_for(role)
    for url in (
        reverse("security:assessments"),
        reverse("security:assessment_new"),
        assessment.get_absolute_url(),
        reverse("security:risks"),
        reverse("security:questionnaires"),
    ):
        assert client.get(url).status_code == 403, url


def test_the_auditor_reads_but_does_not_write(client_for, make_user):
    assessment = assess(make_user("province", username="office-2"), make_case())
    client = client_for("auditor")
    assert client.get(reverse("security:assessments")).status_code == 200
    assert client.get(assessment.get_absolute_url()).status_code == 200
    for url in (
        reverse("security:assessment_new"),
        reverse("security:assessment_answers", kwargs={"pk": assessment.pk}),
        reverse("security:risk_new", kwargs={"pk": assessment.pk}),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("security:assessment_submit", kwargs={"pk": assessment.pk})).status_code == 403
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"


def test_an_office_assesses_an_industry_vpn_of_its_city(client_for):
    from tests.conftest import unsaved_vpn

    vpn = unsaved_vpn("610302")  # 渭滨区, 宝鸡
    vpn.save()
    xian_vpn = unsaved_vpn("610116")
    xian_vpn.name = "西安测试专网"
    xian_vpn.save()
    client = client_for("city-office")
    page = client.get(reverse("security:assessment_new")).content.decode()
    assert vpn.name in page and xian_vpn.name not in page
    data = {"vpn": vpn.pk, "stage": "change", "kind": "self", "assessed_on": "2023-09-01"}
    assert client.post(reverse("security:assessment_new"), data).status_code == 302
    made = Assessment.objects.get()
    assert (made.vpn, made.case, made.org_unit.code) == (vpn, None, "610302")
    response = client.post(reverse("security:assessment_new"), {**data, "vpn": xian_vpn.pk})
    assert response.status_code == 400 and "行业虚拟专网：所选专网不存在或不在您可以评估的范围内" in (
        response.content.decode()
    )
    # an enterprise keeps no VPN: its form offers cases only
    assert (
        'name="vpn"' not in client_for("enterprise").get(reverse("security:assessment_new")).content.decode()
    )

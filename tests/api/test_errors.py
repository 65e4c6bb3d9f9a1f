"""The API maps errors in one place (``api.errors``): a service's refusal is 400 ``{"detail": …}`` whichever
endpoint called it; an error nobody expected is not dressed up as the client's, and is JSON too."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError

from yangfan.api.errors import exception_handler


def test_a_services_refusal_is_a_400_with_its_chinese_message():
    answer = exception_handler(DjangoValidationError(["请填写进展说明。", "完成比例应在 0–100 之间。"]), {})
    assert answer.status_code == 400
    assert answer.data == {"detail": "请填写进展说明。 完成比例应在 0–100 之间。"}


def test_what_drf_knows_is_answered_as_before_and_a_bug_stays_a_500_in_json():
    assert exception_handler(PermissionDenied("x"), {}).status_code == 403
    answer = exception_handler(
        RuntimeError("bug"), {}
    )  # logged with its traceback (tests/portal/test_error_pages)
    assert answer.status_code == 500
    assert set(answer.data) == {"detail", "request_id"} and "服务器内部错误" in answer.data["detail"]


def test_an_endpoint_answers_a_services_refusal_through_it(db, make_user):
    """Withdrawing a report that was never submitted: the workflow service refuses, the API says why."""
    from rest_framework.test import APIClient

    from yangfan.actionplans.models import DataSet
    from yangfan.collection.services import submission_open
    from yangfan.orgunits.models import OrgUnit

    user = make_user("city-reporter")
    submission = submission_open(
        data_set=DataSet.objects.get(code="city-quarterly"),
        org_unit=OrgUnit.objects.get(code="610100"),
        period="2023Q4",
    )
    api = APIClient()
    api.force_authenticate(user)
    answer = api.post(f"/api/v1/submissions/{submission.pk}/withdraw/", {"comment": ""}, format="json")
    assert answer.status_code == 400 and set(answer.json()) == {"detail"} and answer.json()["detail"]

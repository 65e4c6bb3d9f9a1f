"""No API request, however malformed, is answered 500: schemathesis sends every operation of the OpenAPI
schema a few generated requests (bounded and derandomised, so a run is quick and repeatable) as a province user
on the test database, and every answer must be below 500.

Schemathesis generates the requests and serialises them as for a WSGI application; they are sent through Django's
test client's handler, in this thread and on the test's own database connection, which the handler keeps open
(schemathesis's own WSGI client let Django close it at the start of a request: the test's transaction was lost on
PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.transport.wsgi import WSGI_TRANSPORT
from werkzeug.test import EnvironBuilder

from yangfan.accounts.services import token_create
from yangfan.supervision import services

EXAMPLES = 2  # per operation, valid and invalid: enough for the malformed shapes (a list body), quick to run
# drf-spectacular's own view, which builds the whole schema (seconds) whatever it is sent; loaded here already
SKIPPED = {"/api/schema/"}
MALFORMED_BODIES = ("[]", '[{"text": "x"}]', '"x"', "1", "null", "{")


def _schema():
    """The schema drf-spectacular serves at /api/schema/, in JSON's types (its texts are lazy translations)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=DjangoJSONEncoder)))


def _send(client: Client, case, headers):
    """``case`` as schemathesis serialises it for a WSGI application, sent through Django's test client's handler
    (in this thread, on the test's connection, with the test client's handling of the connection's signals)."""
    request = WSGI_TRANSPORT.serialize_case(case, headers=headers)
    environ = EnvironBuilder(**request).get_environ()
    return client.handler(environ)


def _server_errors(operation, client, headers, known: dict[str, object]) -> list[str]:
    """What answered 500: requests that fit the operation's schema and requests that do not (a list where an
    object is expected, a wrong type), with random ids and with ids of objects that exist (``known``, so that a
    request gets past the lookup to the code that reads its body); and once a path, what the schema does not
    describe: OPTIONS, and JSON bodies of the wrong shape (schemathesis's invalid bodies are mostly objects)."""
    failures: list[str] = []
    sent_shapes: set[tuple[str, str]] = set()
    known = {name: value for name, value in known.items() if "{" + name + "}" in operation.path}
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    if known:
        strategies += [operation.as_strategy(mode, path_parameters=known) for mode in GenerationMode]

    def failed(method: str, path: str, status: int, text: str, body=None) -> None:
        failures.append(f"{method} {path} {body!r:.200} -> {status} {text[:300]}")

    for strategy in strategies:

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def send(case):
            response = _send(client, case, headers)
            if response.status_code >= 500:
                failed(
                    case.method,
                    case.formatted_path,
                    response.status_code,
                    response.content.decode(),
                    case.body,
                )
            if (case.method, case.formatted_path) in sent_shapes:
                return
            sent_shapes.add((case.method, case.formatted_path))
            answer = client.options(case.formatted_path, headers=headers)
            if answer.status_code >= 500:
                failed("OPTIONS", case.formatted_path, answer.status_code, answer.content.decode())
            if case.method.upper() in ("POST", "PUT", "PATCH"):
                for body in MALFORMED_BODIES:
                    answer = client.generic(
                        case.method.upper(),
                        case.formatted_path,
                        body,
                        content_type="application/json",
                        headers=headers,
                    )
                    if answer.status_code >= 500:
                        failed(
                            case.method,
                            case.formatted_path,
                            answer.status_code,
                            answer.content.decode(),
                            body,
                        )

        send()
    return failures


def _known_objects(user) -> dict[str, dict[str, object]]:
    """Path parameters of objects that exist, by path prefix: an assignment of 省工信厅 and a notice on it."""
    from yangfan.supervision.models import Assignment

    assignment = (
        Assignment.objects.filter(responsible_unit__code="gxt", org_unit__code="610000", subtask__isnull=True)
        .order_by("task__position")
        .first()
    )
    notice = services.notice_issue(
        actor=user,
        assignment=assignment,
        title="关于加快推进任务的督办通知",
        issue="2023Q4 进展报告逾期未报。",
        required_action="请于反馈时限前报送整改措施和进展情况。",
        deadline=timezone.localdate() + timedelta(days=15),
    )
    return {
        "/api/v1/assignments/": {"id": assignment.pk, "period": "2023Q4"},
        "/api/v1/notices/": {"id": notice.pk},
    }


def test_no_generated_request_to_any_operation_is_answered_500(make_user):
    client = Client(raise_request_exception=False)  # a 500 is an answer to record, not an exception
    user = make_user("province")
    headers = {"Authorization": "Bearer " + token_create(actor=None, user=user, days=1)[1]}
    known = _known_objects(user)
    schema = _schema()
    operations = [result.ok() for result in schema.get_all_operations() if result.ok().path not in SKIPPED]
    assert len(operations) > 40  # the whole API, not a part that happened to load

    failures: list[str] = []
    for operation in operations:
        ids = next((v for prefix, v in known.items() if operation.path.startswith(prefix)), {})
        failures += _server_errors(operation, client, headers, ids)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("OPTIONS", "/api/v1/assignments/{assignment}/reports/2023Q4/"),
        ("OPTIONS", "/api/v1/registries/benchmarks/1/"),
        ("OPTIONS", "/api/v1/notices/1/answers/"),
    ],
)
def test_options_of_an_object_endpoint_is_answered(api, method, path):
    client = api("province")
    response = client.client.generic(method, path.format(assignment=1), **client.auth)
    assert response.status_code == 200
    assert response.json()["name"]


def test_an_answer_to_a_notice_as_a_json_list_is_refused_with_400(api):
    client = api("province")
    response = client.client.post(
        "/api/v1/notices/1/answers/",
        json.dumps([{"text": "已整改"}]),
        content_type="application/json",
        **client.auth,
    )
    assert response.status_code in (400, 404)
    assert set(response.json()) == {"detail"}

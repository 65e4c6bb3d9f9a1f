"""Steps that decide on a row's state lock it and check again (ADR 0017): of two reviewers acting on the same
report at the same moment exactly one succeeds, and the other is told why — ``Conflict`` with the state found, a
409 ``{"detail", "status"}`` in the API, a message on the page.

The race itself runs with real threads and their own connections in ``bench/races.py`` (here on a copy of an
initialised database, in a subprocess, so that the rounds' commits never reach the test database); the tests in
this process reproduce the loser's position deterministically: the other step committed between the loser's
reading of the report and its taking the lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from tests.api.conftest import Api
from tests.conftest import login_as

from yangfan.actionplans.models import DataSet
from yangfan.audit.conflicts import Conflict
from yangfan.audit.models import AuditEntry
from yangfan.collection import services as collection_services
from yangfan.collection.choices import SubmissionStatus as S
from yangfan.collection.models import Submission, SubmissionEvent
from yangfan.collection.services import submission_act, submission_open
from yangfan.orgunits.models import OrgUnit

RACES = Path(__file__).resolve().parents[2] / "bench" / "races.py"


def run_races(env: dict, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(RACES), *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"exit": done.returncode}


def on_postgresql() -> bool:
    return os.environ.get("YANGFAN_DATABASE_URL", "").startswith("postgres")


def test_two_reviewers_at_the_same_moment_exactly_one_wins_every_round(initialised_env):
    """100 rounds of approve against return, two threads released by a barrier, each with its own connection.
    On PostgreSQL the row lock (``select_for_update``) decides; on SQLite the write transaction does (IMMEDIATE:
    the second BEGIN waits for the first COMMIT), so the same rounds check that the loser is told why there too."""
    tally = run_races(initialised_env, "workflow", "--rounds", "100")
    assert tally["database"] == ("postgresql" if on_postgresql() else "sqlite")
    assert (tally["one_winner"], tally["loser_told_why"], tally["one_step_in_history"]) == (100, 100, 100), (
        tally
    )
    assert tally["exit"] == 0 and tally["failures"] == []


@pytest.fixture
def submitted(make_user):
    """宝鸡's yearly population report, submitted by its reviewer, and two provincial officers."""
    baoji = OrgUnit.objects.get(code="610300")
    report = submission_open(
        data_set=DataSet.objects.get(code="population-yearly"), org_unit=baoji, period="2023"
    )
    submission_act(actor=make_user("city-reviewer"), submission=report, action="submit")
    return report, make_user("province", username="approver"), make_user("province", username="returner")


def test_a_step_on_a_report_moved_since_it_was_read_is_refused_with_the_state_found(db, submitted):
    report, approver, returner = submitted
    seen_by_returner = Submission.objects.get(pk=report.pk)  # both opened the report while it was 已报送
    submission_act(actor=approver, submission=Submission.objects.get(pk=report.pk), action="approve")
    with pytest.raises(Conflict) as refused:
        submission_act(actor=returner, submission=seen_by_returner, action="return", comment="数据有误")
    assert refused.value.status == S.APPROVED
    assert "已审核" in refused.value.messages[0] and "approver" in refused.value.messages[0]
    assert Submission.objects.get(pk=report.pk).status == S.APPROVED
    assert list(SubmissionEvent.objects.filter(submission=report).values_list("action", flat=True)) == [
        "submit",
        "approve",
    ]
    assert not AuditEntry.objects.filter(object_type="collection.submission", action="reject").exists()


@pytest.fixture
def other_step_first(monkeypatch):
    """Between the check a request makes on the report it read (``workflow_check``, before its transaction) and the
    lock its transaction takes, another officer's step commits: ``other_step_first(actor, action)`` arranges that
    for the next step taken."""

    def arrange(actor, action, comment=""):
        real = collection_services.workflow_check

        def late(*, report, **kwargs):
            target = real(report=report, **kwargs)  # passes: the report as this request read it
            monkeypatch.setattr(collection_services, "workflow_check", real)
            submission_act(
                actor=actor, submission=Submission.objects.get(pk=report.pk), action=action, comment=comment
            )
            return target

        monkeypatch.setattr(collection_services, "workflow_check", late)

    return arrange


def test_the_api_answers_a_lost_race_with_409_and_the_current_state(db, submitted, client, other_step_first):
    report, approver, returner = submitted
    other_step_first(approver, "approve")
    response = Api(client, returner).post(
        "submission_action", {"comment": "数据有误"}, pk=report.pk, action="return"
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["status"] == "approved" and "已审核" in body["detail"]
    assert Submission.objects.get(pk=report.pk).status == S.APPROVED
    assert SubmissionEvent.objects.filter(submission=report).count() == 2  # submit, approve: no return


def test_the_page_tells_the_loser_of_a_race_why_its_step_was_not_taken(db, submitted, other_step_first):
    report, approver, returner = submitted
    other_step_first(returner, "return", "数据有误")
    client = login_as(Client(), approver)
    page = client.post(reverse("collection:act", kwargs={"pk": report.pk, "action": "approve"}))
    text = page.content.decode()
    assert page.status_code == 200 and "当前为“已退回”" in text and "审核通过”未执行" in text
    assert Submission.objects.get(pk=report.pk).status == S.RETURNED


@pytest.mark.skipif(
    not on_postgresql(),
    reason="SQLite's IMMEDIATE transactions serialise the steps even without the re-check",
)
def test_the_race_harness_fails_when_nothing_locks(initialised_env, tmp_path):
    """The harness can fail: with the locked re-check taken out (a copy of the package whose ``workflow_lock`` does
    nothing), two steps from 「已报送」 both succeed, as users saw before the fix. PostgreSQL only: on SQLite the
    write transaction itself serialises the two steps, so the second still finds the first's state; what SQLite
    needs (the loser told why) is checked by the rounds above and the tests in this process."""
    import shutil

    import yangfan

    copy = tmp_path / "src"
    shutil.copytree(
        Path(yangfan.__file__).parent, copy / "yangfan", ignore=shutil.ignore_patterns("__pycache__")
    )
    workflow = copy / "yangfan" / "collection" / "workflow.py"
    text = workflow.read_text(encoding="utf-8")
    workflow.write_text(
        text.replace(
            "    report.refresh_from_db(from_queryset=type(report).objects.select_for_update())\n",
            "    return\n",
        ),
        encoding="utf-8",
    )
    env = initialised_env | {"PYTHONPATH": str(copy)}
    tally = run_races(env, "workflow", "--rounds", "5")
    assert tally["exit"] == 1 and tally["one_winner"] < 5

"""Two writers at the same moment, with real threads and their own database connections (ADR 0017).

    .venv/bin/python bench/races.py workflow [--rounds 100] [--database-url URL]
    .venv/bin/python bench/races.py import [--rows 4000] [--database-url URL]
    .venv/bin/python bench/races.py insert [--rows 4000] [--database-url URL]

``workflow``: each round puts one report back to 「已报送」, two threads load it, wait at a barrier, then one
approves and the other returns it. A round passes when exactly one step succeeded, the other was refused with
``Conflict`` naming the state the report is in now, the report's history gained exactly one step and its status
is the winner's.

``import``: two imports of the same ``--rows`` stored values with different numbers, at the same moment.
Passes when both finish, the values are the second's, and every audit entry's "old" is the value it replaced
(each value's entries chain: the first's old is the value before both, the second's old is the first's new).

``insert``: the same with values not stored yet: one inserts, the other writes over what the first stored (its
entries' old is the first's new) or is refused with a conflict message; never an internal error.

Without ``--database-url`` the script uses ``YANGFAN_DATABASE_URL`` (a database ``yangfan init`` made; the tests
run it on a copy of one) or, when neither is set, migrates a scratch SQLite database. Prints one JSON object
with the tally and exits 1 when any round failed. Not a timing: the rounds' count is the result.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
from decimal import Decimal
from pathlib import Path

BARRIER_TIMEOUT = 60


def setup(database_url: str | None) -> None:
    if database_url:
        os.environ["YANGFAN_DATABASE_URL"] = database_url
    fresh = not os.environ.get("YANGFAN_DATABASE_URL")
    if fresh:
        scratch = Path(tempfile.mkdtemp(prefix="yangfan-races-"))
        os.environ["YANGFAN_DATA_DIR"] = str(scratch)
        os.environ["YANGFAN_DATABASE_URL"] = f"sqlite:///{scratch / 'races.sqlite3'}"
    os.environ.setdefault("YANGFAN_SECRET_KEY", "bench-only-secret-key-not-for-production")
    os.environ["DJANGO_SETTINGS_MODULE"] = "yangfan.settings"
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        from yangfan.actionplans.services import plan_load_file
        from yangfan.core.planfile import bundled_plan_paths

        call_command("migrate", interactive=False, verbosity=0)
        for path in bundled_plan_paths():
            plan_load_file(path=path)


def both(first, second) -> list:
    """Run ``first`` and ``second`` in two threads released together by a barrier; each returns its outcome
    (its result, or the exception it raised). Each thread has its own connection, closed when it is done."""
    from django.db import connection

    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    outcomes: list = [None, None]

    def run(index, work):
        try:
            prepared = work[0]()  # what the user loaded before acting: the page or the file
            barrier.wait()
            outcomes[index] = work[1](prepared)
        except Exception as exc:  # the outcome is the exception, reported by the caller
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _user(username: str, role: str, **scope):
    from yangfan.accounts.models import User
    from yangfan.accounts.services import user_create

    found = User.objects.filter(username=username).first()
    return found or user_create(
        actor=None,
        username=username,
        role=role,
        password="Race-pass-2026!",
        must_change_password=False,
        **scope,
    )


def workflow(rounds: int) -> dict:
    """Approve against return on one submitted report, ``rounds`` times."""
    from yangfan.actionplans.models import DataSet
    from yangfan.audit.conflicts import Conflict
    from yangfan.collection.choices import SubmissionStatus as S
    from yangfan.collection.models import Submission, SubmissionEvent
    from yangfan.collection.services import submission_act, submission_open
    from yangfan.orgunits.models import OrgUnit

    baoji = OrgUnit.objects.get(code="610300")
    reporter = _user("race-reporter", "city-reviewer", capture_org_units=[baoji])
    approver, returner = _user("race-approver", "province"), _user("race-returner", "province")
    report = submission_open(
        data_set=DataSet.objects.get(code="population-yearly"), org_unit=baoji, period="2023"
    )
    tally = {"rounds": rounds, "one_winner": 0, "loser_told_why": 0, "one_step_in_history": 0, "failures": []}
    for n in range(rounds):
        Submission.objects.filter(pk=report.pk).update(status=S.SUBMITTED, submitted_by=reporter)
        last_event = (
            SubmissionEvent.objects.filter(submission=report).order_by("-pk").values_list("pk", flat=True)
        )
        before = last_event.first() or 0

        def step(actor, action, comment=""):
            load = lambda: Submission.objects.get(pk=report.pk)  # noqa: E731 - the page the reviewer opened
            act = lambda s: submission_act(actor=actor, submission=s, action=action, comment=comment)  # noqa: E731
            return (load, act)

        outcomes = both(step(approver, "approve"), step(returner, "return", "与统计公报不符"))
        won = [i for i, o in enumerate(outcomes) if isinstance(o, Submission)]
        lost = [o for o in outcomes if isinstance(o, Exception)]
        stored = Submission.objects.get(pk=report.pk).status
        events = list(
            SubmissionEvent.objects.filter(submission=report, pk__gt=before).values_list("status", flat=True)
        )
        winner_status = (S.APPROVED, S.RETURNED)[won[0]] if len(won) == 1 else None
        ok_winner = len(won) == 1 and stored == winner_status
        ok_loser = len(lost) == 1 and isinstance(lost[0], Conflict) and lost[0].status == stored
        ok_history = events == [stored]
        tally["one_winner"] += ok_winner
        tally["loser_told_why"] += ok_loser
        tally["one_step_in_history"] += ok_history
        if not (ok_winner and ok_loser and ok_history):
            tally["failures"].append({"round": n, "outcomes": [repr(o) for o in outcomes], "history": events})
    tally["ok"] = tally["one_winner"] == tally["loser_told_why"] == tally["one_step_in_history"] == rounds
    return tally


def _rows(count: int, value: int):
    """``count`` monthly 5G-user figures of the province's county-level units × operators × months of 2023."""
    from yangfan.actionplans.models import DataElement, Operator
    from yangfan.datavalues.importers import ParsedRow
    from yangfan.orgunits.models import OrgUnit

    element = DataElement.objects.get(code="mobile_users_5g")
    operators = list(Operator.objects.order_by("code"))
    units = list(OrgUnit.objects.filter(level=3).order_by("code"))
    keys = [(u, p, o) for u in units for p in (f"2023{m:02d}" for m in range(1, 13)) for o in operators]
    if len(keys) < count:
        raise SystemExit(f"only {len(keys)} keys for {count} rows")
    return [
        ParsedRow(i + 2, element, u, p, o, Decimal(value + i % 97), "")
        for i, (u, p, o) in enumerate(keys[:count])
    ]


def imports(count: int, *, stored_first: bool) -> dict:
    """Two imports of the same keys with different values at the same moment."""
    from django.db import transaction

    from yangfan.audit.conflicts import Conflict
    from yangfan.audit.models import AuditEntry
    from yangfan.datavalues.models import DataValue
    from yangfan.datavalues.services import ImportReport, datavalues_import

    with (
        transaction.atomic()
    ):  # a clean slate for these keys (the values only: the audit trail is append-only)
        rows = _rows(count, 0)
        wanted = {r.key for r in rows}
        periods = {r.period for r in rows}
        doomed = [
            v.pk for v in DataValue.objects.filter(period__in=periods, data_element=rows[0].data_element)
        ]
        DataValue.objects.filter(pk__in=doomed).delete()
    if stored_first:
        datavalues_import(rows=_rows(count, 1000), file="before.csv")
    seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    files = {"A": 2000, "B": 3000}

    def work(base):
        return (lambda: _rows(count, base), lambda rows: datavalues_import(rows=rows, file=f"{base}.csv"))

    outcomes = both(work(files["A"]), work(files["B"]))
    finished = [o for o in outcomes if isinstance(o, ImportReport)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    by_id = {
        str(v.pk): v for v in DataValue.objects.filter(period__in=periods, data_element=rows[0].data_element)
    }
    stored = {(v.data_element_id, v.org_unit_id, v.period, v.operator_id): v.value for v in by_id.values()}
    entries = AuditEntry.objects.filter(seq__gt=seq, object_type="datavalues.datavalue").exclude(object_id="")
    chains: dict[str, list] = {}
    for object_id, changes in entries.order_by("seq").values_list("object_id", "changes"):
        chains.setdefault(object_id, []).append(changes["value"])
    start = (lambda i: str(Decimal(1000 + i % 97))) if stored_first else (lambda i: None)
    index = {r.key: r.row - 2 for r in rows}
    broken = []
    for object_id, chain in chains.items():
        value = by_id[object_id]
        olds = [old for old, _new in chain]
        news = [new for _old, new in chain]
        i = index[(value.data_element_id, value.org_unit_id, value.period, value.operator_id)]
        expected_olds = [start(i), *news[:-1]]
        if olds != expected_olds or Decimal(news[-1]) != value.value:
            broken.append({"value": object_id, "chain": chain})
    tally = {
        "rows": count,
        "stored_first": stored_first,
        "finished": len(finished),
        "refused": [str(o) for o in refused],
        "keys_stored": len(wanted & set(stored)),
        "values_with_entries": len(chains),
        "chains_broken": len(broken),
        "broken_examples": broken[:3],
    }
    clean_refusals = all(isinstance(o, Conflict) for o in refused)
    tally["ok"] = (
        len(finished) >= 1
        and clean_refusals
        and tally["keys_stored"] == count
        and len(chains) == count
        and not broken
        and (stored_first is False or len(finished) == 2)  # stored rows: the second waits, never refused
    )
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("race", choices=["workflow", "import", "insert"])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    setup(args.database_url)
    if args.race == "workflow":
        tally = workflow(args.rounds)
    else:
        tally = imports(args.rows, stored_first=args.race == "import")
    from django.db import connection

    tally["database"] = connection.vendor
    print(json.dumps(tally, ensure_ascii=False))
    return 0 if tally["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

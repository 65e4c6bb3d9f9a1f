"""Importing the demo data set: the bulk path (``datavalues_import``) against the row-by-row path it replaced,
measured in the same run on the same scratch database.

    .venv/bin/python bench/import_bench.py [--rows N] [--database-url URL]

The row-by-row baseline (one INSERT and one ``audit_record`` per value, the import as it was written first)
is timed on the first ``--rows`` rows of the demo set (default 3,000; it is slow), the bulk path on the same
rows and on the whole set. Each measurement runs in a transaction that is rolled back, so each starts from
the same state: migrated, bundled plan loaded, no values. Prints rows per second and the ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def setup(database_url: str | None) -> None:
    """Django on a scratch database (SQLite in a temporary directory unless ``database_url``), migrated, with
    the bundled plans loaded."""
    scratch = Path(tempfile.mkdtemp(prefix="yangfan-bench-"))
    os.environ["YANGFAN_DATA_DIR"] = str(scratch)
    os.environ["YANGFAN_DATABASE_URL"] = database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ.setdefault("YANGFAN_SECRET_KEY", "bench-only-secret-key-not-for-production")
    os.environ["DJANGO_SETTINGS_MODULE"] = "yangfan.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from yangfan.actionplans.services import plan_load_file
    from yangfan.core.planfile import bundled_plan_paths

    call_command("migrate", interactive=False, verbosity=0)
    for path in bundled_plan_paths():
        plan_load_file(path=path)


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def per_row_import(rows) -> int:
    """The import as first written: one ``create`` and one ``audit_record`` per new value."""
    from yangfan.audit.choices import AuditAction
    from yangfan.audit.services import audit_record
    from yangfan.datavalues.models import DataValue

    existing = {
        (v.data_element_id, v.org_unit_id, v.period, v.operator_id): v
        for v in DataValue.objects.filter(period__in={r.period for r in rows})
    }
    added = 0
    for row in rows:
        if row.key in existing:
            continue
        value = DataValue.objects.create(
            data_element=row.data_element,
            org_unit=row.org_unit,
            period=row.period,
            operator=row.operator,
            value=row.value,
            comment=row.comment,
            source="import",
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=value,
            changes={"value": [None, format(row.value.normalize(), "f")]},
        )
        added += 1
    return added


def parsed_demo_rows():
    from yangfan.actionplans.models import DataElement, Operator
    from yangfan.datavalues.demo import DEMO_COMMENT, demo_rows
    from yangfan.datavalues.importers import ParsedRow
    from yangfan.orgunits.models import OrgUnit

    elements = {e.code: e for e in DataElement.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.all()}
    operators = {o.code: o for o in Operator.objects.all()}
    return [
        ParsedRow(
            n,
            elements[r.data_element],
            units[r.org_unit],
            r.period,
            operators[r.operator] if r.operator else None,
            r.value,
            DEMO_COMMENT,
        )
        for n, r in enumerate(demo_rows(), start=2)
    ]


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=3000, help="rows for the row-by-row baseline (default 3000)"
    )
    parser.add_argument("--database-url", help="an empty scratch database instead of SQLite (it is migrated)")
    args = parser.parse_args(argv)
    setup(args.database_url)
    from django.db import connection

    from yangfan.audit.services import audit_verify
    from yangfan.datavalues.services import datavalues_import

    seconds, rows = timed(parsed_demo_rows)
    sample = rows[: args.rows]
    print(f"database: {connection.vendor}; demo set: {len(rows):,} rows (generated in {seconds:.2f} s)")

    with rolled_back():
        per_row, added = timed(per_row_import, sample)
        assert added == len(sample)
    with rolled_back():
        bulk_sample, report = timed(datavalues_import, rows=sample, file="bench")
        assert len(report.added) == len(sample)
    with rolled_back():
        bulk_all, report = timed(datavalues_import, rows=rows, file="bench")
        assert len(report.added) == len(rows)
        again, report = timed(datavalues_import, rows=rows, file="bench")
        assert len(report.unchanged) == len(rows)
        verify, result = timed(audit_verify)
        assert result.ok, result.problems[:3]

    def rate(n: int, s: float) -> str:
        return f"{n / s:>10,.0f} rows/s ({s:7.2f} s for {n:,} rows)"

    print(f"row by row (baseline)      {rate(len(sample), per_row)}")
    print(
        f"bulk, same rows            {rate(len(sample), bulk_sample)}   {per_row / bulk_sample:5.1f}x faster"
    )
    print(
        f"bulk, whole demo set       {rate(len(rows), bulk_all)}   "
        f"{(len(rows) / bulk_all) / (len(sample) / per_row):5.1f}x the baseline's rate"
    )
    print(f"re-import, nothing changes {rate(len(rows), again)}")
    print(f"audit verify               {result.checked:,} entries in {verify:.2f} s, chain intact")
    print(f"row by row would take ~{len(rows) * per_row / len(sample):,.0f} s for the whole set")
    return 0


if __name__ == "__main__":
    sys.exit(main())

from __future__ import annotations

from contextlib import contextmanager

import pytest


@pytest.fixture
def auditor(db, django_user_model):
    return django_user_model.objects.create_user("auditor", password="Auditor-pass-2023", role="auditor")


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


@pytest.fixture
def suspended_guards(db):
    """A context manager that lifts the append-only triggers for a moment, as someone with database access could."""
    from django.db import connection

    from yangfan.audit.guards import guards_installed, install_guards, remove_guards
    from yangfan.audit.models import AuditEntry

    table = AuditEntry._meta.db_table

    @contextmanager
    def suspended():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER USER")
            try:
                yield
            finally:
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE TRIGGER USER")
        else:
            remove_guards(connection, table)
            try:
                yield
            finally:
                install_guards(connection, table)
        assert guards_installed(connection, table)

    return suspended


@pytest.fixture(autouse=True)
def _empty_trail(request, suspended_guards):
    """Each audit test starts from an empty trail (seq 1 is the first entry it writes).

    The session's database already holds the bundled plan's load, which is audited row by row. The deletion
    happens inside the test's transaction, with the guards lifted for that moment, and is rolled back with it.
    """
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        return
    from django.db import connection

    from yangfan.audit.models import AuditEntry

    with suspended_guards(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(AuditEntry._meta.db_table)}")

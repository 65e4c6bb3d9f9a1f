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

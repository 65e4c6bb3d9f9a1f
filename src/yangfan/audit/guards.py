"""Database triggers that refuse UPDATE and DELETE on the audit table, whatever code (or person) sends them.

The model and its queryset already refuse to change or delete entries; these triggers hold the same line
for raw SQL. They are installed by migration ``0002`` and re-installed after every ``migrate`` (see
``apps.py``), because SQLite rebuilds a table to alter it and the rebuild drops its triggers.

On PostgreSQL the trigger raises SQLSTATE 23000, which Django reports as ``IntegrityError``; SQLite's
``RAISE(ABORT, ...)`` is a constraint error, reported the same way. TRUNCATE is deliberately not guarded:
Django's ``flush`` (and test isolation on PostgreSQL) truncates every table. In production, grant the
application's database role only SELECT and INSERT on this table; a role that owns the table can always
drop a trigger, so the hash chain (``audit_verify``) is what detects a change made that way.
"""

from __future__ import annotations

MESSAGE = "审计日志只允许追加，不允许修改或删除（the audit log is append-only）"
PG_FUNCTION = "yangfan_audit_append_only"
SQLITE_TRIGGERS = {"UPDATE": "{table}_no_update", "DELETE": "{table}_no_delete"}
PG_TRIGGER = "{table}_append_only"
INSTALLING_MIGRATION = ("audit", "0002_append_only_triggers")


def install_guards(connection, table: str) -> None:
    """Create the triggers on ``table`` (idempotent). A database other than SQLite and PostgreSQL is left as is."""
    with connection.cursor() as cursor:
        for sql in _install_sql(connection, table):
            cursor.execute(sql)


def remove_guards(connection, table: str) -> None:
    with connection.cursor() as cursor:
        for sql in _remove_sql(connection, table):
            cursor.execute(sql)


def guards_installed(connection, table: str) -> bool:
    """Are the triggers on ``table`` present (and, on PostgreSQL, enabled)?"""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            names = [n.format(table=table) for n in SQLITE_TRIGGERS.values()]
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name IN (%s, %s)",
                [table, *names],
            )
            return cursor.fetchone()[0] == len(names)
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s AND tgenabled <> 'D'",
                [connection.ops.quote_name(table), PG_TRIGGER.format(table=table)],
            )
            return cursor.fetchone()[0] == 1
    return False


def ensure_guards(sender=None, using="default", **kwargs) -> None:
    """``post_migrate`` receiver: re-install the triggers when the migration that installs them is applied
    but they are missing (a table rebuild dropped them)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from yangfan.audit.models import AuditEntry

    connection = connections[using]
    table = AuditEntry._meta.db_table
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    if (
        INSTALLING_MIGRATION not in MigrationRecorder(connection).applied_migrations()
        or table not in connection.introspection.table_names()
    ):
        return
    if not guards_installed(connection, table):
        install_guards(connection, table)


def _install_sql(connection, table: str) -> list[str]:
    quoted = connection.ops.quote_name(table)
    message = MESSAGE.replace("'", "''")
    if connection.vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {connection.ops.quote_name(name.format(table=table))} "
            f"BEFORE {operation} ON {quoted} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for operation, name in SQLITE_TRIGGERS.items()
        ]
    if connection.vendor == "postgresql":
        trigger = connection.ops.quote_name(PG_TRIGGER.format(table=table))
        return [
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION USING MESSAGE = '{message}' || ' (' || TG_OP || ')', "
            "ERRCODE = 'integrity_constraint_violation'; END $$",
            f"DROP TRIGGER IF EXISTS {trigger} ON {quoted}",
            f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {quoted} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
        ]
    return []


def _remove_sql(connection, table: str) -> list[str]:
    quoted = connection.ops.quote_name(table)
    if connection.vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {connection.ops.quote_name(name.format(table=table))}"
            for name in SQLITE_TRIGGERS.values()
        ]
    if connection.vendor == "postgresql":
        trigger = connection.ops.quote_name(PG_TRIGGER.format(table=table))
        return [f"DROP TRIGGER IF EXISTS {trigger} ON {quoted}", f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()"]
    return []

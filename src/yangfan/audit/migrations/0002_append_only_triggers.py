"""Database triggers that refuse UPDATE and DELETE on the audit table (PostgreSQL and SQLite; see guards.py)."""

from django.db import migrations


def install(apps, schema_editor):
    from yangfan.audit.guards import install_guards

    install_guards(schema_editor.connection, apps.get_model("audit", "AuditEntry")._meta.db_table)


def remove(apps, schema_editor):
    from yangfan.audit.guards import remove_guards

    remove_guards(schema_editor.connection, apps.get_model("audit", "AuditEntry")._meta.db_table)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]

"""``hash`` loses its unique index. Each append put a random key into it, so an import of a province-year's
values (one entry per value) dirtied most of its pages, and more of them the longer the trail; ``seq`` is the
unique backstop of the chain (services.py) and nothing looks an entry up by its hash.

SQLite drops a unique column constraint only by rebuilding the table, and the rebuild drops the triggers that
keep the trail append-only (0002): they are installed again in the same migration."""

from django.db import migrations, models


def install(apps, schema_editor):
    from yangfan.audit.guards import install_guards

    install_guards(schema_editor.connection, apps.get_model("audit", "AuditEntry")._meta.db_table)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_auditentry_object_type_one_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(editable=False, max_length=64, verbose_name="哈希"),
        ),
        migrations.RunPython(install, install),
    ]

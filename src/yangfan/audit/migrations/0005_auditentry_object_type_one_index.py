"""``object_type`` loses its own index: ``audit_object_idx`` (object_type, object_id) serves a filter on the type
alone, and every entry appended (an import appends one per value) paid for both.

Only the index is dropped. Django's AlterField would rebuild the table on SQLite, and with it drop the triggers
that keep the trail append-only (0002), so the state changes apart from the database."""

from django.db import migrations, models

DROP = [
    'DROP INDEX IF EXISTS "audit_auditentry_object_type_00e64ac4"',
    'DROP INDEX IF EXISTS "audit_auditentry_object_type_00e64ac4_like"',  # PostgreSQL's LIKE index
]
CREATE = [
    'CREATE INDEX IF NOT EXISTS "audit_auditentry_object_type_00e64ac4" ON "audit_auditentry" ("object_type")',
]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_alter_auditentry_action"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(sql=DROP, reverse_sql=CREATE)],
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="object_type",
                    field=models.CharField(
                        blank=True, editable=False, max_length=100, verbose_name="对象类型"
                    ),
                ),
            ],
        ),
    ]

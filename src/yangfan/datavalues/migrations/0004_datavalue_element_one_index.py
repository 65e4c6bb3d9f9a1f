"""``data_element`` loses its own index: the unique constraint's index (data_element, org_unit, period, operator)
serves a filter on the data element alone, and every value written paid for both.

Only the index is dropped: Django's AlterField would rebuild the table on SQLite (every value copied), so the
state changes apart from the database."""

import django.db.models.deletion
from django.db import migrations, models

DROP = ['DROP INDEX IF EXISTS "datavalues_datavalue_data_element_id_fc752c7e"']
CREATE = [
    'CREATE INDEX IF NOT EXISTS "datavalues_datavalue_data_element_id_fc752c7e" '
    'ON "datavalues_datavalue" ("data_element_id")'
]


class Migration(migrations.Migration):
    dependencies = [
        ("actionplans", "0003_dataset"),
        ("datavalues", "0003_storedtotal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(sql=DROP, reverse_sql=CREATE)],
            state_operations=[
                migrations.AlterField(
                    model_name="datavalue",
                    name="data_element",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="actionplans.dataelement",
                        verbose_name="数据项",
                    ),
                ),
            ],
        ),
    ]

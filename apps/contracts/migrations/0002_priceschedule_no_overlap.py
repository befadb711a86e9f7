"""On PostgreSQL, the database itself refuses overlapping price periods for one provider and lot.

`int8range(x, x, '[]') && int8range(y, y, '[]')` is true only when x = y, so the exclusion
constraint needs no btree_gist extension. SQLite (the demo) relies on the service check.
See docs/adr/0030-contracts-price-periods-never-overlap.md.
"""

from django.db import migrations

ADD = """
ALTER TABLE contracts_priceschedule ADD CONSTRAINT priceschedule_no_overlap EXCLUDE USING gist (
    int8range(provider_id, provider_id, '[]') WITH &&,
    int8range(lot_id, lot_id, '[]') WITH &&,
    daterange(valid_from, valid_to, '[]') WITH &&
)
"""
DROP = "ALTER TABLE contracts_priceschedule DROP CONSTRAINT IF EXISTS priceschedule_no_overlap"


def add_constraint(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_constraint(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_commissioning")]

    operations = [migrations.RunPython(add_constraint, drop_constraint, elidable=False)]

# The child is required once 0002 has filled it in (a separate transaction: PostgreSQL does not
# alter a table with pending deferred-constraint events from the backfill).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_access_log_every_read"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referralaccesslog",
            name="child",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="access_log",
                to="referrals.child",
            ),
        ),
        migrations.AddIndex(
            model_name="referralaccesslog",
            index=models.Index(fields=["child", "-at"], name="child_access_at"),
        ),
    ]

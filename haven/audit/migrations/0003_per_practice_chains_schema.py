"""One audit chain per practice: each chain head belongs to a practice, events record their hash's key."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
        ("practices", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="practice",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="practices.practice",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", editable=False, max_length=16),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["id"], "verbose_name": "audit event"},
        ),
    ]

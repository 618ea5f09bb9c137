"""Requests whose time ran out are closed as Expired, no longer as Cancelled.

Before, an expired request was closed only when a new one was sent, and was marked cancelled
with nobody as the canceller; those rows become expired.
"""

from django.db import migrations, models


def cancelled_by_nobody_to_expired(apps, schema_editor):
    SignatureRequest = apps.get_model("signing", "SignatureRequest")
    SignatureRequest.objects.filter(status="cancelled", cancelled_by__isnull=True).update(status="expired")


def expired_to_cancelled_by_nobody(apps, schema_editor):
    SignatureRequest = apps.get_model("signing", "SignatureRequest")
    SignatureRequest.objects.filter(status="expired").update(status="cancelled", cancelled_by=None)


class Migration(migrations.Migration):
    dependencies = [("signing", "0004_typed_signatures")]

    operations = [
        migrations.AlterField(
            model_name="signaturerequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending Signature"),
                    ("signed", "Signed"),
                    ("declined", "Declined"),
                    ("cancelled", "Cancelled"),
                    ("expired", "Expired"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
        migrations.RunPython(cancelled_by_nobody_to_expired, expired_to_cancelled_by_nobody),
    ]

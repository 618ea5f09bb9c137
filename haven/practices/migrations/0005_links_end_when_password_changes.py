"""Staff password links hold a fingerprint of the password hash they were made under, and stop
working once it changes. Links still open keep working until then: they get today's fingerprint."""

from django.db import migrations, models

from haven.core.tokens import password_fingerprint


def fingerprint_open_links(apps, schema_editor):
    StaffPasswordLink = apps.get_model("practices", "StaffPasswordLink")
    links = StaffPasswordLink.objects.filter(used_at__isnull=True, voided_at__isnull=True).select_related("member__user")
    for link in links:
        link.password_fingerprint = password_fingerprint(link.member.user.password)
        link.save(update_fields=["password_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [("practices", "0004_grant_read_clinical_documents")]

    operations = [
        migrations.AddField(
            model_name="staffpasswordlink",
            name="password_fingerprint",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fingerprint_open_links, migrations.RunPython.noop),
    ]

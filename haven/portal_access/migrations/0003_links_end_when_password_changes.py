"""Portal links hold a fingerprint of the account's password hash they were made under, and stop
working once it changes. Links still open keep working until then: they get today's fingerprint."""

from django.db import migrations, models

from haven.core.tokens import password_fingerprint


def fingerprint_open_links(apps, schema_editor):
    PortalLink = apps.get_model("portal_access", "PortalLink")
    for link in PortalLink.objects.filter(used_at__isnull=True, voided_at__isnull=True).select_related("account"):
        link.password_fingerprint = password_fingerprint(link.account.password)
        link.save(update_fields=["password_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [("portal_access", "0002_portaltwofactor")]

    operations = [
        migrations.AddField(
            model_name="portallink",
            name="password_fingerprint",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fingerprint_open_links, migrations.RunPython.noop),
    ]

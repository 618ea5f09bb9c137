from django.db import migrations

# Each new permission and the roles whose template holds it (practices.models.ROLE_TEMPLATES).
GRANTS = {
    "scheduling": ["administrator", "therapist", "front_desk"],
    "home_activities": ["administrator", "therapist"],
}


def grant(apps, schema_editor):
    """Existing staff get Scheduling and Assign Home Activities as their role's template gives them."""
    StaffMember = apps.get_model("practices", "StaffMember")
    for permission, roles in GRANTS.items():
        for member in StaffMember.objects.filter(role__in=roles):
            if permission not in member.permissions:
                member.permissions = sorted([*member.permissions, permission])
                member.save(update_fields=["permissions"])


def take_back(apps, schema_editor):
    StaffMember = apps.get_model("practices", "StaffMember")
    for member in StaffMember.objects.all():
        kept = [p for p in member.permissions if p not in GRANTS]
        if kept != member.permissions:
            member.permissions = kept
            member.save(update_fields=["permissions"])


class Migration(migrations.Migration):

    dependencies = [
        ("practices", "0006_grant_secure_messages"),
    ]

    operations = [
        migrations.RunPython(grant, take_back),
    ]

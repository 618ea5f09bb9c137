from django.db import migrations

PERMISSION = "secure_messages"
# The roles whose template holds Secure messages (practices.models.ROLE_TEMPLATES).
MESSAGING_ROLES = ["administrator", "therapist", "front_desk"]


def grant_to_messaging_roles(apps, schema_editor):
    """Existing administrators, therapists and front desk write secure messages; billing doesn't (minimum necessary)."""
    StaffMember = apps.get_model("practices", "StaffMember")
    for member in StaffMember.objects.filter(role__in=MESSAGING_ROLES):
        if PERMISSION not in member.permissions:
            member.permissions = sorted([*member.permissions, PERMISSION])
            member.save(update_fields=["permissions"])


def take_back(apps, schema_editor):
    StaffMember = apps.get_model("practices", "StaffMember")
    for member in StaffMember.objects.all():
        if PERMISSION in member.permissions:
            member.permissions = [p for p in member.permissions if p != PERMISSION]
            member.save(update_fields=["permissions"])


class Migration(migrations.Migration):

    dependencies = [
        ("practices", "0005_links_end_when_password_changes"),
    ]

    operations = [
        migrations.RunPython(grant_to_messaging_roles, take_back),
    ]

"""Every practice has the default document types: they used to be made on the first visit to a page."""

from django.db import migrations

# As in haven.documents.actions.DEFAULT_TYPES when this migration was written.
DEFAULT_TYPES = [
    ("Progress Note", "progress_note"),
    ("Complete Evaluation", "evaluation"),
    ("Treatment Plan", "treatment_plan"),
    ("Consent", "consent"),
    ("Superbill", "invoice"),
    ("Completed Intake Packet", "intake"),
    ("General Document", "general"),
    ("Academics Report", "academics"),
]
SIGNABLE = {"progress_note", "evaluation", "treatment_plan", "consent"}
CLINICAL = {"progress_note", "evaluation", "treatment_plan", "group_note"}


def add_default_types(apps, schema_editor):
    Practice = apps.get_model("practices", "Practice")
    DocumentType = apps.get_model("documents", "DocumentType")
    for practice in Practice.objects.all():
        existing = set(DocumentType.objects.filter(practice=practice).values_list("name", flat=True))
        DocumentType.objects.bulk_create(
            DocumentType(
                practice=practice,
                name=name,
                category=category,
                share_to_sign=category in SIGNABLE,
                clinical=category in CLINICAL,
            )
            for name, category in DEFAULT_TYPES
            if name not in existing
        )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_share_with_portal_users"),
        ("practices", "0005_links_end_when_password_changes"),
    ]

    operations = [migrations.RunPython(add_default_types, migrations.RunPython.noop)]

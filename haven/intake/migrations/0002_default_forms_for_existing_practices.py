"""Practices made before intake forms existed get the default forms, as new practices do."""

from typing import Any

from django.db import migrations
from django.utils import timezone


def give_default_forms(apps: Any, schema_editor: Any) -> None:
    from haven.intake.defaults import DEFAULT_FORMS

    practice_model = apps.get_model("practices", "Practice")
    form_model = apps.get_model("intake", "IntakeForm")
    version_model = apps.get_model("intake", "FormVersion")
    now = timezone.now()
    for practice in practice_model.objects.all():
        have = set(form_model.objects.filter(practice=practice).values_list("template_key", flat=True))
        for default in DEFAULT_FORMS:
            if default.key in have:
                continue
            fields = default.schema.to_json()
            form = form_model.objects.create(
                practice=practice,
                kind="intake",
                title=default.title,
                description=default.description,
                measure=default.measure or "",
                template_key=default.key,
                draft_fields=fields,
                created_at=now,
                updated_at=now,
            )
            version = version_model.objects.create(
                form=form, number=1, title=form.title, fields=fields, measure=form.measure, published_at=now
            )
            form.current_version = version
            form.save(update_fields=["current_version"])


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial"), ("practices", "0001_initial")]

    operations = [migrations.RunPython(give_default_forms, migrations.RunPython.noop)]

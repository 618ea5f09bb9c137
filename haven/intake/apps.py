from django.apps import AppConfig
from django.db.models.signals import post_save


class IntakeConfig(AppConfig):
    name = "haven.intake"
    label = "intake"

    def ready(self) -> None:
        from haven.core.encrypted import EncryptedColumn, register

        register(EncryptedColumn("intake.FormAssignment", "answers_encrypted", what="intake form answers"))

        from haven.intake.actions import give_new_practice_default_forms
        from haven.practices.models import Practice

        # A new practice starts with the default forms (FORM-2), written in the same transaction.
        post_save.connect(give_new_practice_default_forms, sender=Practice, dispatch_uid="intake.default_forms")

from django.apps import AppConfig
from django.db.models.signals import post_save


class DocumentsConfig(AppConfig):
    name = "haven.documents"
    label = "documents"

    def ready(self) -> None:
        from haven.documents.actions import give_new_practice_default_types
        from haven.practices.models import Practice

        # Creating a practice gives it the usual document types, in the same transaction: pages only read them.
        post_save.connect(give_new_practice_default_types, sender=Practice, dispatch_uid="documents.default_types")

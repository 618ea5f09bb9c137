from django.apps import AppConfig
from django.db.models.signals import post_save


class DocumentsConfig(AppConfig):
    name = "haven.documents"
    label = "documents"

    def ready(self) -> None:
        from haven.core.encrypted import EncryptedFiles, EncryptedFolder, register

        register(
            EncryptedFiles("documents.DocumentVersion", "storage_name", what="document files"),
            # haven.documents.notes.SOURCE_FOLDER: a note's text, until its render task has run
            EncryptedFolder("notes", what="clinical notes waiting to be rendered"),
        )

        from haven.documents.actions import give_new_practice_default_types
        from haven.practices.models import Practice

        # Creating a practice gives it the usual document types, in the same transaction: pages only read them.
        post_save.connect(give_new_practice_default_types, sender=Practice, dispatch_uid="documents.default_types")

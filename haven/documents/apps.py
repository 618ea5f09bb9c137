from django.apps import AppConfig


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

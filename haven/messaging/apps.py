from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "haven.messaging"
    label = "messaging"

    def ready(self) -> None:
        from haven.core.daily import register_daily
        from haven.core.encrypted import EncryptedColumn, EncryptedFiles, register
        from haven.messaging.tasks import send_message_digests

        register(
            EncryptedColumn("messaging.Thread", "subject_encrypted", what="message subjects"),
            EncryptedColumn("messaging.Message", "body_encrypted", what="message bodies"),
            EncryptedColumn("messaging.Attachment", "name_encrypted", what="message attachment names"),
            EncryptedFiles("messaging.Attachment", "storage_name", what="message attachments"),
        )
        register_daily(send_message_digests, report="Daily message emails queued: {}.")

from django.apps import AppConfig


class SigningConfig(AppConfig):
    """Electronic signatures: the practice seal, stamping and the signature certificate."""

    name = "haven.signing"
    label = "signing"
    verbose_name = "Signing"

    def ready(self) -> None:
        from haven.core.encrypted import EncryptedColumn, EncryptedFiles, register

        register(
            EncryptedFiles("signing.Signature", "image_storage_name", what="signature images"),
            EncryptedColumn("signing.PracticeSigningCertificate", "private_key_encrypted", what="practice seal keys"),
        )

        from haven.core.daily import register_daily
        from haven.signing.tasks import close_expired_signature_requests, seal_unsealed_signatures

        register_daily(seal_unsealed_signatures, report="Signed PDFs queued again: {}.")
        register_daily(close_expired_signature_requests, report="Signature requests closed as expired: {}.")

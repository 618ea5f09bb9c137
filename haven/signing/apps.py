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

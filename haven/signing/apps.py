from django.apps import AppConfig


class SigningConfig(AppConfig):
    """Electronic signatures: the practice seal, stamping and the signature certificate."""

    name = "haven.signing"
    label = "signing"
    verbose_name = "Signing"

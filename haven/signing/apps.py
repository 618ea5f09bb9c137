from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "haven.signing"
    label = "signing"
    verbose_name = "Signing"

from django.apps import AppConfig


class PortalAccessConfig(AppConfig):
    name = "haven.portal_access"
    label = "portal_access"

    def ready(self) -> None:
        from haven.core.encrypted import EncryptedColumn, register

        register(EncryptedColumn("portal_access.PortalTwoFactor", "secret_encrypted", what="portal two-step keys"))

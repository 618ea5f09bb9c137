from django.apps import AppConfig


class PortalAccessConfig(AppConfig):
    name = "haven.portal_access"
    label = "portal_access"

    def ready(self) -> None:
        from haven.core.encrypted import EncryptedColumn, register

        register(EncryptedColumn("portal_access.PortalTwoFactor", "secret_encrypted", what="portal two-step keys"))

        from haven.core.daily import register_daily
        from haven.portal_access.tasks import end_guardian_access_daily

        register_daily(end_guardian_access_daily, report="Guardian access ended at the age of majority: {}.")

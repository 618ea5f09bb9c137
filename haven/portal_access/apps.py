from typing import Any

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

        from haven.clients.signals import contact_removing
        from haven.portal_access.actions.guardianship import end_access_through_contact

        def end_access(sender: Any, *, contact: Any, by: Any, **kwargs: Any) -> None:
            end_access_through_contact(by=by, contact=contact)

        contact_removing.connect(end_access, weak=False, dispatch_uid="portal_access.end_access_through_contact")

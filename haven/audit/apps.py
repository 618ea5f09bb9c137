from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "haven.audit"
    label = "audit"

    def ready(self) -> None:
        from haven.audit.tasks import write_audit_checkpoint
        from haven.core.daily import LAST, register_daily

        register_daily(write_audit_checkpoint, report="Audit checkpoint written: {}", order=LAST)

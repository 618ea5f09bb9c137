from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "haven.core"
    label = "core"

    def ready(self) -> None:
        from haven.core.daily import register_daily
        from haven.core.planner import after_migrate, refresh_planner_statistics_daily

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="haven.core.planner")
        register_daily(refresh_planner_statistics_daily, report="Query planner statistics refreshed: {}.")

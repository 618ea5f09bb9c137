from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "haven.core"
    label = "core"

    def ready(self) -> None:
        from haven.core import csrf
        from haven.core.daily import register_daily
        from haven.core.statistics import refresh_planner_statistics

        register_daily(refresh_planner_statistics, report="Planner statistics: {}.")
        csrf.install()

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo practice (``manage.py seed_demo``): it builds on every app, so it sits above them all."""

    name = "haven.demo"
    label = "demo"

from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "haven.practices"
    label = "practices"

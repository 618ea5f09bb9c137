from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "haven.clients"
    label = "clients"

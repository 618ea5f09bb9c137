from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "haven.messaging"
    label = "messaging"

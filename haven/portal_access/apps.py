from django.apps import AppConfig


class PortalAccessConfig(AppConfig):
    name = "haven.portal_access"
    label = "portal_access"

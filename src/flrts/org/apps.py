from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "flrts.org"
    label = "org"
    verbose_name = "Sites and contractors"

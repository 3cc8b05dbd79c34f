from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "flrts.api"
    label = "api"
    verbose_name = "API"
